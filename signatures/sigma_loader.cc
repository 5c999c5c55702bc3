#include "signatures/sigma_loader.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "signatures/condition.h"
#include "signatures/glob.h"
#include "signatures/rule_set.h"
#include "signatures/string_view_compat.h"
#include "signatures/yaml_load_all.h"
#include "yaml-cpp/yaml.h"

namespace sbscan::signatures {
namespace {

// Why a rule is not translated. `malformed`: the Sigma itself is invalid (InvalidArgument);
// otherwise a valid feature we do not support exactly (Unimplemented).
struct Failure {
  int line = 0;
  std::string reason;
  bool malformed = false;
};

int LineOf(const YAML::Node& node) {
  int line = node.Mark().line;
  return line >= 0 ? line + 1 : 0;
}

// A Sigma string value after escape processing: bytes with `*` / `?` wildcards.
struct Glob {
  enum Kind : uint8_t { kByte, kStar, kOne };
  std::string bytes;          // bytes[i] valid when kinds[i] == kByte
  std::vector<uint8_t> kinds;
  bool HasWildcards() const {
    return std::any_of(kinds.begin(), kinds.end(), [](uint8_t k) { return k != kByte; });
  }
  void Add(char c, Kind k) {
    bytes.push_back(c);
    kinds.push_back(k);
  }
  static Glob Literal(std::string_view s) {
    Glob g;
    for (char c : s) g.Add(c, kByte);
    return g;
  }
};

// pySigma's escaping: a backslash escapes `*`, `?` and itself; any other backslash is literal.
Glob ParseSigmaString(std::string_view s) {
  Glob g;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
      g.Add(s[++i], Glob::kByte);
    } else if (c == '*') {
      g.Add('*', Glob::kStar);
    } else if (c == '?') {
      g.Add('?', Glob::kOne);
    } else {
      g.Add(c, Glob::kByte);
    }
  }
  return g;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (rest == 2) v |= uint8_t(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// The three base64offset encodings of `value` (pySigma: encode i spaces + value, cut the bytes
// that depend on the neighbours).
std::vector<std::string> Base64Offsets(std::string_view value) {
  static constexpr size_t kStart[3] = {0, 2, 3};
  std::vector<std::string> out;
  for (size_t i = 0; i < 3; ++i) {
    std::string enc = Base64(std::string(i, ' ') + std::string(value));
    size_t n = enc.size();
    size_t e = (value.size() + i) % 3;
    size_t end = e == 0 ? n : (e == 1 ? (n >= 3 ? n - 3 : 0) : (n >= 2 ? n - 2 : 0));
    out.push_back(end > kStart[i] ? enc.substr(kStart[i], end - kStart[i]) : std::string());
  }
  return out;
}

// UTF-8 -> UTF-16 (LE or BE). False on invalid UTF-8.
bool Utf16(std::string_view in, bool big_endian, std::string* out) {
  out->clear();
  auto put = [&](uint32_t u) {
    char lo = static_cast<char>(u & 0xff), hi = static_cast<char>(u >> 8);
    if (big_endian) {
      out->push_back(hi);
      out->push_back(lo);
    } else {
      out->push_back(lo);
      out->push_back(hi);
    }
  };
  for (size_t i = 0; i < in.size();) {
    uint8_t c = in[i];
    uint32_t cp;
    int len;
    if (c < 0x80) {
      cp = c, len = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f, len = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f, len = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07, len = 4;
    } else {
      return false;
    }
    if (i + len > in.size()) return false;
    for (int k = 1; k < len; ++k) {
      uint8_t cc = in[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(0xd800 | (cp >> 10));
      put(0xdc00 | (cp & 0x3ff));
    } else {
      put(cp);
    }
  }
  return true;
}

bool IsWordByte(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// windash: every '-' or '/' matched by \B[-/]\b becomes each of the five dashes.
std::vector<Glob> WinDash(const Glob& g) {
  static const char* const kDashes[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94",
                                        "\xe2\x80\x95"};
  std::vector<Glob> out = {Glob()};
  for (size_t i = 0; i < g.kinds.size(); ++i) {
    char c = g.bytes[i];
    bool dash = g.kinds[i] == Glob::kByte && (c == '-' || c == '/') &&
                (i == 0 || g.kinds[i - 1] != Glob::kByte || !IsWordByte(g.bytes[i - 1])) &&
                i + 1 < g.kinds.size() && g.kinds[i + 1] == Glob::kByte &&
                IsWordByte(g.bytes[i + 1]);
    if (!dash) {
      for (Glob& o : out) o.Add(c, static_cast<Glob::Kind>(g.kinds[i]));
      continue;
    }
    std::vector<Glob> next;
    for (const Glob& o : out) {
      for (const char* d : kDashes) {
        Glob n = o;
        for (const char* p = d; *p; ++p) n.Add(*p, Glob::kByte);
        next.push_back(std::move(n));
      }
    }
    out = std::move(next);
  }
  return out;
}

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(std::string(s)); }

std::string Join(const std::vector<std::string>& parts, const char* op) {
  if (parts.size() == 1) return parts[0];
  return absl::StrCat("(", absl::StrJoin(parts, op), ")");
}

class Translator {
 public:
  explicit Translator(Rule* rule) : rule_(rule) {}

  Failure failure;

  bool Fail(int line, std::string reason, bool malformed = false) {
    failure.line = line;
    failure.reason = std::move(reason);
    failure.malformed = malformed;
    return false;
  }

  // Translates the `detection` map into patterns and rule_->condition.
  bool Detection(const YAML::Node& detection) {
    if (!detection.IsMap()) return Fail(LineOf(detection), "detection is not a map", true);
    std::vector<YAML::Node> conditions;
    int condition_line = 0;
    for (auto it = detection.begin(); it != detection.end(); ++it) {
      std::string key = it->first.as<std::string>();
      if (key == "condition") {
        condition_line = LineOf(it->first);
        if (it->second.IsSequence()) {
          // Not `: it->second`: the iterator's proxy would die before the loop (ASan).
          const YAML::Node list = it->second;
          for (const auto& c : list) conditions.push_back(c);
        } else {
          conditions.push_back(it->second);
        }
        continue;
      }
      if (key == "timeframe") return Fail(LineOf(it->first), "unsupported 'timeframe'");
      if (!IsValidPatternName(key) || key.find("__") != std::string::npos) {
        return Fail(LineOf(it->first),
                    absl::StrCat("unsupported selection name '", key,
                                 "' (must be [A-Za-z0-9_]+ without '__', not a keyword)"));
      }
      std::string expr;
      if (!Selection(key, it->second, &expr)) return false;
      names_.push_back(key);
      selections_[key] = expr;
    }
    if (conditions.empty()) return Fail(LineOf(detection), "detection has no condition", true);
    std::vector<std::string> translated;
    std::vector<std::string> originals;
    for (const YAML::Node& c : conditions) {
      if (!c.IsScalar()) return Fail(LineOf(c), "condition is not a string", true);
      std::string text = c.Scalar();
      originals.push_back(text);
      std::string out;
      if (!Condition(text, condition_line ? condition_line : LineOf(c), &out)) return false;
      translated.push_back(out);
    }
    for (const std::string& n : names_) rule_->selections.push_back({n, selections_[n]});
    rule_->original_condition = absl::StrJoin(originals, " | ");
    rule_->condition = translated.size() == 1 ? translated[0] : Join(translated, " or ");
    return true;
  }

 private:
  // A selection: map (AND of items) or list (of maps: OR; of strings: keywords).
  bool Selection(const std::string& name, const YAML::Node& node, std::string* expr) {
    sel_ = name;
    counter_ = 0;
    if (node.IsMap()) return Map(node, expr);
    if (node.IsSequence()) {
      if (node.size() == 0) return Fail(LineOf(node), "empty selection", true);
      bool maps = node[0].IsMap();
      std::vector<std::string> parts;
      for (const auto& item : node) {
        if (item.IsMap() != maps) {
          return Fail(LineOf(item), "selection mixes maps and keywords", true);
        }
        std::string e;
        if (maps) {
          if (!Map(item, &e)) return false;
        } else {
          if (!item.IsScalar()) return Fail(LineOf(item), "keyword is not a string", true);
          if (!Value(Field::kText, {}, item, /*keyword=*/true, &e)) return false;
        }
        parts.push_back(e);
      }
      *expr = Join(parts, " or ");
      return true;
    }
    if (node.IsScalar()) {  // a single keyword
      return Value(Field::kText, {}, node, /*keyword=*/true, expr);
    }
    return Fail(LineOf(node), "selection is empty or null", true);
  }

  bool Map(const YAML::Node& node, std::string* expr) {
    if (node.size() == 0) return Fail(LineOf(node), "empty selection map", true);
    std::vector<std::string> parts;
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string e;
      if (!Item(it->first, it->second, &e)) return false;
      parts.push_back(e);
    }
    *expr = Join(parts, " and ");
    return true;
  }

  // One `Field|mod|mod: value(s)` item.
  bool Item(const YAML::Node& key_node, const YAML::Node& values, std::string* expr) {
    int line = LineOf(key_node);
    std::string key = key_node.as<std::string>();
    std::vector<std::string> parts = absl::StrSplit(key, '|');
    std::string field_name = parts[0];
    Field field;
    if (field_name == "ScriptBlockText") {
      field = Field::kText;
    } else if (field_name == "Path") {
      field = Field::kPath;
    } else if (field_name.empty()) {
      return Fail(line, "unsupported keyword selection with modifiers");
    } else {
      return Fail(line, absl::StrCat("unsupported field '", field_name, "'"));
    }
    std::vector<std::string> mods(parts.begin() + 1, parts.end());
    bool all = std::find(mods.begin(), mods.end(), "all") != mods.end();
    if (values.IsNull()) return Fail(line, "null value (field absence) is not supported");
    std::vector<YAML::Node> list;
    if (values.IsSequence()) {
      for (const auto& v : values) list.push_back(v);
    } else if (values.IsScalar()) {
      list.push_back(values);
    } else {
      return Fail(line, "value is a map", true);
    }
    if (list.empty()) return Fail(line, "empty value list", true);
    std::vector<std::string> exprs;
    for (const YAML::Node& v : list) {
      std::string e;
      if (!Value(field, mods, v, /*keyword=*/false, &e)) return false;
      exprs.push_back(e);
    }
    *expr = Join(exprs, all ? " and " : " or ");
    return true;
  }

  std::string AddPattern(Pattern p) {
    p.name = absl::StrCat(sel_, "__", counter_++);
    rule_->patterns.push_back(std::move(p));
    return rule_->patterns.back().name;
  }

  // One value with the item's modifiers -> an OR of patterns (one per encoding variant).
  // A keyword (`keyword`: a field-less list entry) is a substring match of the text.
  bool Value(Field field, const std::vector<std::string>& mods, const YAML::Node& node,
             bool keyword, std::string* expr) {
    int line = LineOf(node);
    if (node.IsNull()) return Fail(line, "null value (field absence) is not supported");
    if (!node.IsScalar()) return Fail(line, "value is not a string or number", true);
    const std::string& raw = node.Scalar();
    enum class Anchor { kEqual, kContains, kStarts, kEnds } anchor = Anchor::kEqual;
    bool re = false, re_i = false, re_m = false, re_s = false, cased = false, encoded = false;
    int anchors = 0;
    std::vector<std::string> transforms;  // windash / utf16* / base64*, in written order
    for (const std::string& m : mods) {
      if (m == "contains") {
        anchor = Anchor::kContains, ++anchors;
      } else if (m == "startswith") {
        anchor = Anchor::kStarts, ++anchors;
      } else if (m == "endswith") {
        anchor = Anchor::kEnds, ++anchors;
      } else if (m == "all") {
      } else if (m == "re") {
        re = true;
      } else if (m == "i" || m == "ignorecase") {
        re_i = true;
      } else if (m == "m" || m == "multiline") {
        re_m = true;
      } else if (m == "s" || m == "dotall") {
        re_s = true;
      } else if (m == "cased") {
        cased = true;
      } else if (m == "windash" || m == "wide" || m == "utf16le" || m == "utf16be" ||
                 m == "utf16" || m == "base64" || m == "base64offset") {
        transforms.push_back(m);
        if (m.rfind("base64", 0) == 0) encoded = true;
      } else {
        return Fail(line, absl::StrCat("unsupported modifier '", m, "'"));
      }
    }
    if (anchors > 1) return Fail(line, "conflicting contains/startswith/endswith modifiers", true);
    if ((re_i || re_m || re_s) && !re) return Fail(line, "i/m/s modifier without re", true);
    if (re) {
      if (anchors || !transforms.empty() || cased) {
        return Fail(line, "unsupported modifier combination with 're'");
      }
      if (raw.empty()) return Fail(line, "empty regex");
      Pattern p;
      p.kind = Pattern::Kind::kRegex;
      p.field = field;
      p.cased = !re_i;  // Sigma: regexes are case-sensitive unless |i
      p.value = absl::StrCat(re_m ? "(?m)" : "", re_s ? "(?s)" : "", raw);
      p.line = line;
      *expr = AddPattern(std::move(p));
      return true;
    }
    std::vector<Glob> variants = {ParseSigmaString(raw)};
    for (const std::string& t : transforms) {
      std::vector<Glob> next;
      for (const Glob& g : variants) {
        if (t == "windash") {
          for (Glob& w : WinDash(g)) next.push_back(std::move(w));
          continue;
        }
        if (g.HasWildcards()) {
          return Fail(line, absl::StrCat("wildcards in a value with the '", t, "' modifier"));
        }
        std::string out;
        if (t == "base64") {
          next.push_back(Glob::Literal(Base64(g.bytes)));
        } else if (t == "base64offset") {
          if (anchor != Anchor::kContains) {
            return Fail(line, "base64offset without contains", true);
          }
          for (const std::string& s : Base64Offsets(g.bytes)) {
            if (s.empty()) return Fail(line, "value too short for base64offset");
            next.push_back(Glob::Literal(s));
          }
        } else {
          if (!Utf16(g.bytes, t == "utf16be", &out)) {
            return Fail(line, absl::StrCat("value is not valid UTF-8 for '", t, "'"));
          }
          if (t == "utf16") out = std::string("\xff\xfe", 2) + out;
          next.push_back(Glob::Literal(out));
        }
      }
      if (next.size() > 256) return Fail(line, "modifiers expand a value to over 256 variants");
      variants = std::move(next);
    }
    if (keyword) anchor = Anchor::kContains;
    std::vector<std::string> names;
    for (const Glob& g : variants) {
      bool any_byte = false, any_wild = false;
      for (uint8_t k : g.kinds) {
        any_byte |= k == Glob::kByte;
        any_wild |= k != Glob::kByte;
      }
      bool has_one = std::find(g.kinds.begin(), g.kinds.end(), Glob::kOne) != g.kinds.end();
      if (!any_byte && !has_one && (anchor != Anchor::kEqual || any_wild)) {
        return Fail(line, "value matches every text (empty or only '*')");
      }
      if (g.kinds.empty()) return Fail(line, "empty value (matches only an empty field)");
      Pattern p;
      p.field = field;
      p.cased = cased || encoded;
      p.line = line;
      // A leading `*` frees the start, a trailing one the end, and neither is scanned for: the
      // same texts match, but `-UserName *` as the regex `-UserName [\s\S]*` would report a
      // match at every byte after `-UserName ` (15 ns/B on the generated corpus).
      bool at_start = anchor == Anchor::kEqual || anchor == Anchor::kStarts;
      bool at_end = anchor == Anchor::kEqual || anchor == Anchor::kEnds;
      size_t begin = 0, end = g.kinds.size();
      for (; begin < end && g.kinds[begin] == Glob::kStar; ++begin) at_start = false;
      for (; end > begin && g.kinds[end - 1] == Glob::kStar; --end) at_end = false;
      const bool inner_wild = std::any_of(g.kinds.begin() + begin, g.kinds.begin() + end,
                                          [](uint8_t k) { return k != Glob::kByte; });
      if (!at_start && !at_end && !inner_wild) {
        p.kind = Pattern::Kind::kLiteral;
        p.value = g.bytes.substr(begin, end - begin);
      } else {
        p.kind = Pattern::Kind::kRegex;
        std::string r = at_start ? "\\A" : "";
        std::string run;
        auto flush = [&] {
          if (!run.empty()) r += internal::EscapeLiteral(run);
          run.clear();
        };
        for (size_t i = begin; i < end; ++i) {
          if (g.kinds[i] == Glob::kByte) {
            run.push_back(g.bytes[i]);
            continue;
          }
          flush();
          r += g.kinds[i] == Glob::kStar ? "[\\s\\S]*" : "[\\s\\S]";
        }
        flush();
        if (at_end) r += "\\z";
        p.value = std::move(r);
      }
      names.push_back(AddPattern(std::move(p)));
    }
    *expr = Join(names, " or ");
    return true;
  }

  // --- condition ------------------------------------------------------------------------------
  bool Condition(const std::string& text, int line, std::string* out) {
    tokens_.clear();
    pos_ = 0;
    cond_line_ = line;
    for (size_t i = 0; i < text.size();) {
      char c = text[i];
      if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.push_back(std::string(1, c));
        ++i;
      } else if (c == '|') {
        return Fail(line, "unsupported aggregation ('|') in condition");
      } else {
        size_t j = i;
        while (j < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[j])) &&
               text[j] != '(' && text[j] != ')' && text[j] != '|') {
          ++j;
        }
        tokens_.push_back(text.substr(i, j - i));
        i = j;
      }
    }
    if (!Or(out)) return false;
    if (pos_ != tokens_.size()) {
      return Fail(line, absl::StrCat("unexpected '", tokens_[pos_], "' in condition"), true);
    }
    return true;
  }

  bool Peek(const char* kw) const {
    return pos_ < tokens_.size() && Lower(tokens_[pos_]) == kw;
  }

  bool Or(std::string* out) {
    std::vector<std::string> parts(1);
    if (!And(&parts[0])) return false;
    while (Peek("or")) {
      ++pos_;
      parts.emplace_back();
      if (!And(&parts.back())) return false;
    }
    *out = Join(parts, " or ");
    return true;
  }

  bool And(std::string* out) {
    std::vector<std::string> parts(1);
    if (!Not(&parts[0])) return false;
    while (Peek("and")) {
      ++pos_;
      parts.emplace_back();
      if (!Not(&parts.back())) return false;
    }
    *out = Join(parts, " and ");
    return true;
  }

  bool Not(std::string* out) {
    if (Peek("not")) {
      ++pos_;
      std::string inner;
      if (!Not(&inner)) return false;
      *out = absl::StrCat("(not ", inner, ")");
      return true;
    }
    return Primary(out);
  }

  bool Primary(std::string* out) {
    if (pos_ >= tokens_.size()) return Fail(cond_line_, "condition ends early", true);
    std::string tok = tokens_[pos_++];
    if (tok == "(") {
      if (!Or(out)) return false;
      if (!Peek(")")) return Fail(cond_line_, "missing ')' in condition", true);
      ++pos_;
      return true;
    }
    if (tok == ")") return Fail(cond_line_, "unexpected ')' in condition", true);
    std::string low = Lower(tok);
    if (Peek("of")) {
      ++pos_;
      bool all_of = low == "all";
      if (!all_of && low != "1") {
        return Fail(cond_line_, absl::StrCat("unsupported quantifier '", tok, " of'"));
      }
      if (pos_ >= tokens_.size()) return Fail(cond_line_, "'of' without a target", true);
      std::string target = tokens_[pos_++];
      std::vector<std::string> parts;
      for (const std::string& n : names_) {
        bool take = Lower(target) == "them" ? n[0] != '_' : GlobMatch(target, n);
        if (take) parts.push_back(selections_[n]);
      }
      if (parts.empty()) {
        return Fail(cond_line_, absl::StrCat("'", tok, " of ", target, "' selects nothing"), true);
      }
      *out = Join(parts, all_of ? " and " : " or ");
      if (parts.size() == 1 && out->front() != '(') *out = absl::StrCat("(", *out, ")");
      return true;
    }
    if (low == "and" || low == "or" || low == "not" || low == "of") {
      return Fail(cond_line_, absl::StrCat("unexpected '", tok, "' in condition"), true);
    }
    auto it = selections_.find(tok);
    if (it == selections_.end()) {
      return Fail(cond_line_, absl::StrCat("unknown selection '", tok, "' in condition"), true);
    }
    *out = it->second;
    return true;
  }

 private:
  Rule* rule_;
  std::string sel_;
  int counter_ = 0;
  std::vector<std::string> names_;  // selections in file order
  std::map<std::string, std::string> selections_;
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  int cond_line_ = 0;
};

std::vector<std::string> StringList(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& v : node) {
      if (v.IsScalar()) out.push_back(v.Scalar());
    }
  }
  return out;
}

std::string Slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u)) {
      out.push_back(absl::ascii_tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

void DeriveAttack(Rule* rule) {
  for (const std::string& tag : rule->tags) {
    std::string lower = Lower(tag);
    if (lower.rfind("attack.", 0) != 0) continue;
    std::string rest = lower.substr(7);
    if (rest.empty()) continue;
    auto digits = [&](size_t from, size_t n) {
      if (rest.size() < from + n) return false;
      for (size_t i = from; i < from + n; ++i) {
        if (!absl::ascii_isdigit(static_cast<unsigned char>(rest[i]))) return false;
      }
      return true;
    };
    bool numbered = rest.size() >= 5 && digits(1, 4);
    if (numbered && (rest[0] == 'g' || rest[0] == 's') && rest.size() == 5) continue;
    bool technique = numbered && rest[0] == 't' &&
                     (rest.size() == 5 || (rest.size() == 9 && rest[5] == '.' && digits(6, 3)));
    std::vector<std::string>* dest = technique ? &rule->technique_ids : &rule->tactics;
    if (technique) {
      rest[0] = 'T';
    } else {
      std::replace(rest.begin(), rest.end(), '_', '-');
    }
    if (std::find(dest->begin(), dest->end(), rest) == dest->end()) dest->push_back(rest);
  }
}

// Translates one document. On failure fills *skip (line, reason, id) and returns the code.
absl::StatusCode Translate(std::string_view yaml, std::string_view source, Rule* rule,
                           SigmaSkip* skip) {
  skip->file = std::string(source);
  auto fail = [&](const Failure& f) {
    skip->line = f.line;
    skip->reason = f.reason;
    return f.malformed ? absl::StatusCode::kInvalidArgument : absl::StatusCode::kUnimplemented;
  };
  try {
    std::vector<YAML::Node> docs = LoadAllYaml(yaml);
    if (docs.size() != 1) {
      return fail({0, absl::StrCat("expected one YAML document, found ", docs.size(),
                                   " (rule collections are not supported)")});
    }
    const YAML::Node& doc = docs[0];
    if (!doc.IsMap()) return fail({LineOf(doc), "rule is not a YAML map", true});
    for (const char* key : {"correlation", "filter", "action"}) {
      if (doc[key]) return fail({LineOf(doc[key]), absl::StrCat("unsupported '", key, "' rule")});
    }
    const YAML::Node title = doc["title"];
    if (!title || !title.IsScalar()) return fail({LineOf(doc), "missing title", true});
    rule->title = title.Scalar();
    rule->source_file = std::string(source);
    rule->source_line = LineOf(title);
    rule->ruleset = "sigma";
    if (const YAML::Node id = doc["id"]; id && id.IsScalar()) {
      rule->uuid = id.Scalar();
      skip->id = rule->uuid;
      rule->source_line = LineOf(id);
      std::string clean;
      for (char c : Lower(rule->uuid)) {
        clean.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                                c == '_' || c == '-'
                            ? c
                            : '-');
      }
      rule->id = "sigma." + clean;
    } else {
      skip->id = rule->title;
      rule->id = "sigma." + Slug(rule->title);
    }
    if (const YAML::Node n = doc["description"]; n && n.IsScalar()) rule->description = n.Scalar();
    if (const YAML::Node n = doc["status"]; n && n.IsScalar()) rule->status = n.Scalar();
    if (const YAML::Node n = doc["author"]; n && n.IsScalar()) rule->author = n.Scalar();
    if (const YAML::Node n = doc["references"]) rule->references = StringList(n);
    if (const YAML::Node n = doc["falsepositives"]) rule->falsepositives = StringList(n);
    if (const YAML::Node n = doc["tags"]) rule->tags = StringList(n);
    DeriveAttack(rule);
    rule->level = Level::kMedium;
    if (const YAML::Node n = doc["level"]; n && n.IsScalar()) {
      std::optional<Level> level = ParseLevel(n.Scalar());
      if (!level) return fail({LineOf(n), absl::StrCat("unknown level '", n.Scalar(), "'"), true});
      rule->level = *level;
    }
    const YAML::Node logsource = doc["logsource"];
    if (!logsource || !logsource.IsMap()) return fail({LineOf(doc), "missing logsource", true});
    const YAML::Node category = logsource["category"];
    if (!category || !category.IsScalar() || Lower(category.Scalar()) != "ps_script") {
      return fail({LineOf(logsource), "logsource category is not ps_script"});
    }
    if (const YAML::Node p = logsource["product"];
        p && (!p.IsScalar() || Lower(p.Scalar()) != "windows")) {
      return fail({LineOf(p), "logsource product is not windows"});
    }
    if (const YAML::Node s = logsource["service"]) {
      return fail({LineOf(s), "logsource service is not supported with ps_script"});
    }
    const YAML::Node detection = doc["detection"];
    if (!detection) return fail({LineOf(doc), "missing detection", true});
    Translator t(rule);
    if (!t.Detection(detection)) return fail(t.failure);
    if (rule->patterns.empty()) return fail({LineOf(detection), "no patterns", true});
    return absl::StatusCode::kOk;
  } catch (const std::exception& e) {
    return fail({0, absl::StrCat("YAML error: ", e.what()), true});
  }
}

}  // namespace

std::string_view SigmaSelectionOfPattern(std::string_view pattern_name) {
  size_t pos = pattern_name.rfind("__");
  if (pos == std::string_view::npos || pos == 0 || pos + 2 >= pattern_name.size()) return {};
  for (size_t i = pos + 2; i < pattern_name.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(pattern_name[i]))) return {};
  }
  return pattern_name.substr(0, pos);
}

absl::StatusOr<Rule> ParseSigmaRule(std::string_view yaml, std::string_view source_name) {
  Rule rule;
  SigmaSkip skip;
  absl::StatusCode code = Translate(yaml, source_name, &rule, &skip);
  if (code == absl::StatusCode::kOk) return rule;
  return absl::Status(code, absl::StrCat(Av(source_name), ":", skip.line, ": ", skip.reason));
}

absl::StatusOr<SigmaLoadResult> LoadSigmaRules(const std::vector<std::string>& paths,
                                               const SigmaLoadOptions& options) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
           it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        std::string ext = it->path().extension().string();
        if (ext == ".yml" || ext == ".yaml") found.push_back(it->path().string());
      }
      if (ec) return absl::InternalError(absl::StrCat(path, ": ", ec.message()));
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else {
      return absl::NotFoundError(absl::StrCat(path, ": no such file or directory"));
    }
  }
  SigmaLoadResult result;
  std::map<std::string, std::string> ids;  // rule id -> file
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::InternalError(absl::StrCat(file, ": cannot read"));
    std::stringstream buffer;
    buffer << in.rdbuf();
    ++result.files;
    Rule rule;
    SigmaSkip skip;
    if (Translate(buffer.str(), file, &rule, &skip) != absl::StatusCode::kOk) {
      result.skipped.push_back(std::move(skip));
      continue;
    }
    if (auto [it, inserted] = ids.emplace(rule.id, file); !inserted) {
      result.skipped.push_back({file, rule.source_line, rule.uuid,
                                absl::StrCat("duplicate rule id '", rule.id, "' (first in ",
                                             it->second, ")")});
      continue;
    }
    if (options.validate_compile) {
      absl::StatusOr<std::shared_ptr<const RuleSet>> set = RuleSet::Compile({rule});
      if (!set.ok()) {
        ids.erase(rule.id);
        result.skipped.push_back({file, rule.source_line, rule.uuid,
                                  absl::StrCat("does not compile: ", set.status().message())});
        continue;
      }
    }
    result.rules.push_back(std::move(rule));
  }
  return result;
}

}  // namespace sbscan::signatures
