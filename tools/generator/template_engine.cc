#include "tools/generator/template_engine.h"

#include <cctype>

#include "tools/generator/text_util.h"

namespace sbscan::gen {

void TextBuilder::Append(std::string_view s) {
  text_.append(s);
  utf16_ += Utf16Length(s);
}

namespace {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsUpperName(std::string_view s) {
  for (char c : s) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Renders a literal with "\n" replaced by the line end and every line but
// the first indented (blank lines and a trailing line end excepted).
std::string RenderLiteral(std::string_view lit, bool crlf, int indent,
                          bool is_last_segment) {
  std::string out;
  out.reserve(lit.size() + lit.size() / 8 * (indent * 4 + 1));
  const std::string pad(static_cast<size_t>(indent) * 4, ' ');
  for (size_t i = 0; i < lit.size(); ++i) {
    const char c = lit[i];
    if (c != '\n') {
      out.push_back(c);
      continue;
    }
    out.append(crlf ? "\r\n" : "\n");
    const bool at_end = i + 1 == lit.size();
    if (at_end && is_last_segment) continue;
    if (!at_end && lit[i + 1] == '\n') continue;
    out.append(pad);
  }
  return out;
}

}  // namespace

void TemplateEngine::AddList(std::string_view name,
                             std::span<const std::string_view> values) {
  lists_.push_back({LowerAscii(name), values, false});
}

void TemplateEngine::AddDynamic(std::string_view name) {
  lists_.push_back({LowerAscii(name), {}, true});
}

int TemplateEngine::FindList(std::string_view name) const {
  const std::string lower = LowerAscii(name);
  for (size_t i = 0; i < lists_.size(); ++i) {
    if (lists_[i].name == lower) return static_cast<int>(i);
  }
  return -1;
}

int TemplateEngine::InternKey(std::string_view name) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == name) return static_cast<int>(i);
  }
  keys_.emplace_back(name);
  return static_cast<int>(keys_.size() - 1);
}

int TemplateEngine::Compile(std::string_view source) {
  Template t;
  std::vector<std::pair<std::string, bool>> pending;  // (literal, unused)
  std::string literal;
  auto flush_literal = [&](bool last) {
    if (literal.empty()) return;
    Segment seg;
    for (int crlf = 0; crlf < 2; ++crlf) {
      for (int ind = 0; ind <= kMaxIndent; ++ind) {
        seg.literal[crlf][ind] = RenderLiteral(literal, crlf == 1, ind, last);
        seg.literal_units[crlf][ind] = Utf16Length(seg.literal[crlf][ind]);
      }
    }
    t.segments.push_back(std::move(seg));
    literal.clear();
  };
  size_t i = 0;
  while (i < source.size()) {
    if (source.compare(i, 2, "<<") == 0) {
      const size_t close = source.find(">>", i + 2);
      if (close != std::string_view::npos && close - i - 2 <= 32) {
        const std::string_view name = source.substr(i + 2, close - i - 2);
        size_t base_len = name.size();
        while (base_len > 0 && std::isdigit(static_cast<unsigned char>(name[base_len - 1]))) {
          --base_len;
        }
        const int list = base_len > 0 ? FindList(name.substr(0, base_len)) : -1;
        if (list >= 0) {
          flush_literal(false);
          Segment seg;
          seg.list = list;
          seg.key = InternKey(name);
          seg.block_scope = IsUpperName(name.substr(0, base_len));
          t.segments.push_back(std::move(seg));
          i = close + 2;
          continue;
        }
        errors_.push_back("unknown placeholder <<" + std::string(name) +
                          ">> in template: " +
                          std::string(source.substr(0, 60)));
      }
    }
    literal.push_back(source[i]);
    ++i;
  }
  flush_literal(true);
  templates_.push_back(std::move(t));
  return static_cast<int>(templates_.size() - 1);
}

std::vector<int> TemplateEngine::CompileAll(
    std::span<const std::string_view> sources) {
  std::vector<int> ids;
  ids.reserve(sources.size());
  for (std::string_view s : sources) ids.push_back(Compile(s));
  return ids;
}

TemplateEngine::Context::Context(const TemplateEngine& engine, Rng& rng,
                                 bool crlf)
    : engine_(engine),
      rng_(rng),
      crlf_(crlf),
      block_values_(engine.keys_.size()),
      block_units_(engine.keys_.size()),
      block_set_(engine.keys_.size(), 0),
      unit_values_(engine.keys_.size()),
      unit_units_(engine.keys_.size()),
      unit_set_(engine.keys_.size(), 0) {}

void TemplateEngine::Context::NewUnit() {
  for (int k : unit_touched_) unit_set_[k] = 0;
  unit_touched_.clear();
}

const std::string& TemplateEngine::Resolve(const Segment& seg, Context& ctx,
                                           size_t& units) const {
  std::vector<std::string>& values =
      seg.block_scope ? ctx.block_values_ : ctx.unit_values_;
  std::vector<size_t>& value_units =
      seg.block_scope ? ctx.block_units_ : ctx.unit_units_;
  std::vector<uint8_t>& set = seg.block_scope ? ctx.block_set_ : ctx.unit_set_;
  std::string& value = values[seg.key];
  if (!set[seg.key]) {
    set[seg.key] = 1;
    if (!seg.block_scope) ctx.unit_touched_.push_back(seg.key);
    const List& list = lists_[seg.list];
    value.clear();
    if (list.dynamic) {
      if (provider_) provider_(list.name, ctx.rng_, ctx.crlf_, value);
    } else {
      value.assign(list.values[ctx.rng_.Below(list.values.size())]);
    }
    value_units[seg.key] = Utf16Length(value);
  }
  units = value_units[seg.key];
  return value;
}

void TemplateEngine::Expand(int id, Context& ctx, int indent,
                            TextBuilder& out) const {
  if (indent > kMaxIndent) indent = kMaxIndent;
  static constexpr std::string_view kPad = "            ";
  if (indent > 0) {
    out.AppendKnown(kPad.substr(0, static_cast<size_t>(indent) * 4),
                    static_cast<size_t>(indent) * 4);
  }
  const int crlf = ctx.crlf_ ? 1 : 0;
  for (const Segment& seg : templates_[id].segments) {
    if (seg.list < 0) {
      out.AppendKnown(seg.literal[crlf][indent], seg.literal_units[crlf][indent]);
    } else {
      size_t units;
      const std::string& v = Resolve(seg, ctx, units);
      out.AppendKnown(v, units);
    }
  }
}

void TemplateEngine::ExpandTo(int id, Context& ctx, std::string& out) const {
  const int crlf = ctx.crlf_ ? 1 : 0;
  for (const Segment& seg : templates_[id].segments) {
    if (seg.list < 0) {
      out.append(seg.literal[crlf][0]);
    } else {
      size_t units;
      out.append(Resolve(seg, ctx, units));
    }
  }
}

}  // namespace sbscan::gen
