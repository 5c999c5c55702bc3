#include "engine/src/xml_event_parser.h"


#include <cstring>

#include "decoders/utf8.h"
#include "engine/src/ascii.h"

namespace sbscan {
namespace {

constexpr size_t kMaxDepthLimit = 64;

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsNameEnd(char c) { return IsXmlSpace(c) || c == '>' || c == '/' || c == '='; }

std::string_view TrimXmlSpace(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view LocalName(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

template <typename Int>
void ParseNumber(std::string_view text, Int* out) {
  Int v;
  if (ParseDecimal(TrimXmlSpace(text), &v)) *out = v;
}

// The elements whose content or attributes are kept.
enum class Elem : uint8_t {
  kOther,
  kEvent,
  kSystem,
  kEventData,
  kProvider,
  kEventId,
  kLevel,
  kTimeCreated,
  kRecordId,
  kExecution,
  kChannel,
  kComputer,
  kSecurity,
  kData,
};

Elem Classify(size_t depth, Elem parent, std::string_view name) {
  if (depth == 0) return name == "Event" ? Elem::kEvent : Elem::kOther;
  switch (parent) {
    case Elem::kEvent:
      if (name == "System") return Elem::kSystem;
      if (name == "EventData") return Elem::kEventData;
      return Elem::kOther;
    case Elem::kSystem:
      if (name == "Provider") return Elem::kProvider;
      if (name == "EventID") return Elem::kEventId;
      if (name == "Level") return Elem::kLevel;
      if (name == "TimeCreated") return Elem::kTimeCreated;
      if (name == "EventRecordID") return Elem::kRecordId;
      if (name == "Execution") return Elem::kExecution;
      if (name == "Channel") return Elem::kChannel;
      if (name == "Computer") return Elem::kComputer;
      if (name == "Security") return Elem::kSecurity;
      return Elem::kOther;
    case Elem::kEventData:
      return name == "Data" ? Elem::kData : Elem::kOther;
    default:
      return Elem::kOther;
  }
}

bool HasContent(Elem e) {
  switch (e) {
    case Elem::kEventId:
    case Elem::kLevel:
    case Elem::kRecordId:
    case Elem::kChannel:
    case Elem::kComputer:
    case Elem::kData:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool DecodeXmlText(std::string_view text, std::string* out, size_t* error_pos) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const void* hit = std::memchr(text.data() + i, '&', n - i);
    if (hit == nullptr) {
      out->append(text.data() + i, n - i);
      break;
    }
    size_t amp = static_cast<const char*>(hit) - text.data();
    out->append(text.data() + i, amp - i);
    *error_pos = amp;
    // The longest valid reference is "&#x0010FFFF;" with a few leading zeros; cap the look.
    size_t limit = amp + 1 + 16 < n ? amp + 1 + 16 : n;
    size_t semi = amp + 1;
    while (semi < limit && text[semi] != ';') ++semi;
    if (semi >= limit) return false;
    std::string_view ref = text.substr(amp + 1, semi - amp - 1);
    if (ref == "lt") {
      out->push_back('<');
    } else if (ref == "gt") {
      out->push_back('>');
    } else if (ref == "amp") {
      out->push_back('&');
    } else if (ref == "quot") {
      out->push_back('"');
    } else if (ref == "apos") {
      out->push_back('\'');
    } else if (ref.size() >= 2 && ref[0] == '#') {
      bool hex = ref[1] == 'x' || ref[1] == 'X';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) return false;
      uint32_t cp = 0;
      for (char c : digits) {
        uint32_t d;
        if (c >= '0' && c <= '9') {
          d = c - '0';
        } else if (hex && c >= 'a' && c <= 'f') {
          d = c - 'a' + 10;
        } else if (hex && c >= 'A' && c <= 'F') {
          d = c - 'A' + 10;
        } else {
          return false;
        }
        cp = cp * (hex ? 16 : 10) + d;
        if (cp > 0x10FFFF) return false;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
      decoders::AppendUtf8(cp, out);
    } else {
      return false;
    }
    i = semi + 1;
  }
  return true;
}

XmlEventParser::XmlEventParser(const XmlEventParserOptions& options) : options_(options) {
  if (options_.max_depth > kMaxDepthLimit) options_.max_depth = kMaxDepthLimit;
  if (options_.max_depth < 4) options_.max_depth = 4;
}

XmlParseResult XmlEventParser::Parse(std::string_view xml, Event* out) {
  SourceLocation source = out->source;
  *out = Event{};
  out->source = source;
  data_.clear();
  data_dropped_ = 0;
  decoded_.clear();
  // Decoding never grows text, so every decoded view fits: the buffer never reallocates
  // during one Parse and earlier views stay valid.
  decoded_.reserve(xml.size());

  XmlParseResult result;
  const char* b = xml.data();
  const size_t n = xml.size();
  size_t p = xml.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // a UTF-8 byte order mark

  struct Frame {
    std::string_view name;
    Elem elem;
  };
  Frame stack[kMaxDepthLimit];
  size_t depth = 0;
  bool root_done = false;

  auto fail = [&](const char* error, size_t at) {
    result.ok = false;
    result.error = error;
    result.error_offset = at;
    return result;
  };
  auto find = [&](size_t from, std::string_view s) -> size_t {
    size_t at = xml.find(s, from);
    return at;
  };
  // Decodes raw character data if it has references; the view borrows otherwise.
  bool decode_error = false;
  size_t decode_error_at = 0;
  auto decode = [&](std::string_view raw) -> std::string_view {
    if (std::memchr(raw.data(), '&', raw.size()) == nullptr) return raw;
    size_t start = decoded_.size();
    size_t err = 0;
    if (!DecodeXmlText(raw, &decoded_, &err)) {
      decode_error = true;
      decode_error_at = static_cast<size_t>(raw.data() - b) + err;
      decoded_.resize(start);
      return {};
    }
    return std::string_view(decoded_.data() + start, decoded_.size() - start);
  };

  while (true) {
    const void* hit = p < n ? std::memchr(b + p, '<', n - p) : nullptr;
    size_t q = hit == nullptr ? n : static_cast<const char*>(hit) - b;
    if (depth == 0) {
      for (size_t i = p; i < q; ++i) {
        if (!IsXmlSpace(b[i])) {
          return fail(root_done ? "content after </Event>" : "text before <Event>", i);
        }
      }
    }
    if (hit == nullptr) break;
    p = q;
    std::string_view rest = xml.substr(p);
    if (rest.substr(0, 4) == "<!--") {
      size_t e = find(p + 4, "-->");
      if (e == std::string_view::npos) return fail("truncated: unterminated comment", p);
      p = e + 3;
      continue;
    }
    if (rest.substr(0, 2) == "<?") {
      size_t e = find(p + 2, "?>");
      if (e == std::string_view::npos) {
        return fail("truncated: unterminated processing instruction", p);
      }
      p = e + 2;
      continue;
    }
    if (rest.substr(0, 9) == "<![CDATA[") {
      size_t e = find(p + 9, "]]>");
      if (e == std::string_view::npos) return fail("truncated: unterminated CDATA section", p);
      if (depth == 0) return fail("CDATA outside <Event>", p);
      p = e + 3;
      continue;
    }
    if (rest.substr(0, 2) == "<!") {  // DOCTYPE and the like: no internal subset supported
      size_t e = find(p + 2, ">");
      if (e == std::string_view::npos) return fail("truncated: unterminated declaration", p);
      p = e + 1;
      continue;
    }
    if (rest.substr(0, 2) == "</") {
      size_t s = p + 2, e = s;
      while (e < n && !IsNameEnd(b[e])) ++e;
      std::string_view name(b + s, e - s);
      while (e < n && IsXmlSpace(b[e])) ++e;
      if (e >= n) return fail("truncated: unterminated end tag", p);
      if (b[e] != '>') return fail("malformed end tag", e);
      if (depth == 0) return fail("end tag without start tag", p);
      if (stack[depth - 1].name != name) return fail("mismatched end tag", p);
      --depth;
      if (depth == 0) root_done = true;
      p = e + 1;
      continue;
    }
    // Start tag.
    if (root_done) return fail("content after </Event>", p);
    size_t s = p + 1, e = s;
    while (e < n && !IsNameEnd(b[e])) ++e;
    if (e >= n) return fail("truncated: unterminated start tag", p);
    if (e == s) return fail("malformed start tag", p);
    std::string_view name(b + s, e - s);
    std::string_view local = LocalName(name);
    Elem parent = depth == 0 ? Elem::kOther : stack[depth - 1].elem;
    Elem elem = Classify(depth, parent, local);
    if (depth == 0 && elem != Elem::kEvent) return fail("root element is not <Event>", p);
    std::string_view data_name;
    bool self_closing = false;
    p = e;
    while (true) {
      while (p < n && IsXmlSpace(b[p])) ++p;
      if (p >= n) return fail("truncated: unterminated start tag", s - 1);
      if (b[p] == '>') {
        ++p;
        break;
      }
      if (b[p] == '/') {
        if (p + 1 >= n) return fail("truncated: unterminated start tag", s - 1);
        if (b[p + 1] != '>') return fail("malformed start tag", p);
        p += 2;
        self_closing = true;
        break;
      }
      size_t an = p;
      while (p < n && !IsNameEnd(b[p])) ++p;
      if (p == an) return fail("malformed attribute", p);
      std::string_view attr(b + an, p - an);
      while (p < n && IsXmlSpace(b[p])) ++p;
      if (p >= n) return fail("truncated: unterminated start tag", s - 1);
      if (b[p] != '=') return fail("attribute without value", p);
      ++p;
      while (p < n && IsXmlSpace(b[p])) ++p;
      if (p >= n) return fail("truncated: unterminated start tag", s - 1);
      char quote = b[p];
      if (quote != '\'' && quote != '"') return fail("unquoted attribute value", p);
      const void* close = std::memchr(b + p + 1, quote, n - p - 1);
      if (close == nullptr) return fail("truncated: unterminated attribute value", p);
      size_t ve = static_cast<const char*>(close) - b;
      std::string_view raw(b + p + 1, ve - p - 1);
      p = ve + 1;
      std::string_view* target = nullptr;
      bool is_pid = false;
      switch (elem) {
        case Elem::kProvider:
          if (attr == "Name") target = &out->provider;
          break;
        case Elem::kTimeCreated:
          if (attr == "SystemTime") target = &out->time_created;
          break;
        case Elem::kSecurity:
          if (attr == "UserID") target = &out->user_id;
          break;
        case Elem::kExecution:
          is_pid = attr == "ProcessID";
          break;
        case Elem::kData:
          if (attr == "Name") target = &data_name;
          break;
        default:
          break;
      }
      if (target == nullptr && !is_pid) continue;
      std::string_view value = decode(raw);
      if (decode_error) return fail("bad entity or character reference", decode_error_at);
      if (is_pid) {
        ParseNumber(value, &out->process_id);
      } else {
        *target = value;
      }
    }
    if (self_closing) {
      if (elem == Elem::kData) {
        if (data_.size() < options_.max_data_items) {
          data_.push_back({data_name, {}});
        } else {
          ++data_dropped_;
        }
      }
      if (depth == 0) root_done = true;
      continue;
    }
    if (depth >= options_.max_depth) return fail("too deeply nested", s - 1);
    stack[depth++] = {name, elem};
    if (!HasContent(elem)) continue;

    // Leaf content: character data, possibly with CDATA sections and comments, up to the
    // next tag. A single plain piece borrows from the input.
    std::string_view content;
    {
      const void* lt = p < n ? std::memchr(b + p, '<', n - p) : nullptr;
      size_t t = lt == nullptr ? n : static_cast<const char*>(lt) - b;
      std::string_view piece(b + p, t - p);
      bool simple = t >= n || (xml.compare(t, 9, "<![CDATA[") != 0 &&
                               xml.compare(t, 4, "<!--") != 0);
      if (simple) {
        content = decode(piece);
        if (decode_error) return fail("bad entity or character reference", decode_error_at);
        p = t;
      } else {
        size_t start = decoded_.size();
        while (true) {
          size_t err = 0;
          if (!DecodeXmlText(piece, &decoded_, &err)) {
            return fail("bad entity or character reference",
                        static_cast<size_t>(piece.data() - b) + err);
          }
          p = t;
          if (t >= n) break;
          if (xml.compare(t, 9, "<![CDATA[") == 0) {
            size_t ce = find(t + 9, "]]>");
            if (ce == std::string_view::npos) {
              return fail("truncated: unterminated CDATA section", t);
            }
            decoded_.append(b + t + 9, ce - t - 9);
            p = ce + 3;
          } else if (xml.compare(t, 4, "<!--") == 0) {
            size_t ce = find(t + 4, "-->");
            if (ce == std::string_view::npos) return fail("truncated: unterminated comment", t);
            p = ce + 3;
          } else {
            break;
          }
          lt = p < n ? std::memchr(b + p, '<', n - p) : nullptr;
          t = lt == nullptr ? n : static_cast<const char*>(lt) - b;
          piece = std::string_view(b + p, t - p);
        }
        content = std::string_view(decoded_.data() + start, decoded_.size() - start);
      }
    }
    switch (elem) {
      case Elem::kEventId:
        ParseNumber(content, &out->event_id);
        break;
      case Elem::kLevel:
        ParseNumber(content, &out->level);
        break;
      case Elem::kRecordId:
        ParseNumber(content, &out->record_id);
        break;
      case Elem::kChannel:
        out->channel = content;
        break;
      case Elem::kComputer:
        out->computer = content;
        break;
      case Elem::kData:
        if (data_.size() < options_.max_data_items) {
          data_.push_back({data_name, content});
        } else {
          ++data_dropped_;
        }
        break;
      default:
        break;
    }
  }
  if (depth > 0) return fail("truncated: unclosed element", n);
  if (!root_done) return fail("no <Event> element", 0);

  bool has_unnamed = false;
  for (const XmlDataItem& d : data_) {
    const std::string_view& name = d.name;
    const std::string_view& value = d.value;
    if (name.empty()) {
      has_unnamed = true;
    } else if (name == "ScriptBlockText") {
      out->script_block_text = value;
    } else if (name == "ScriptBlockId") {
      out->script_block_id = value;
    } else if (name == "MessageNumber") {
      ParseNumber(value, &out->message_number);
    } else if (name == "MessageTotal") {
      ParseNumber(value, &out->message_total);
    } else if (name == "Path") {
      out->path = value;
    } else if (name == "ContextInfo") {
      out->context_info = value;
    } else if (name == "UserData") {
      out->user_data = value;
    } else if (name == "Payload") {
      out->payload = value;
    }
  }
  if (has_unnamed) {
    // Classic Windows PowerShell log (400, 403, 600, 800): positional items; the details item
    // carries "HostApplication=" lines.
    for (const XmlDataItem& d : data_) {
      if (d.name.empty() && out->context_info.empty() &&
          d.value.find("HostApplication=") != std::string_view::npos) {
        out->context_info = d.value;
      }
    }
    if (out->event_id == 800 && out->payload.empty() && data_.size() >= 3 &&
        data_[2].name.empty()) {
      out->payload = data_[2].value;
    }
  }
  result.ok = true;
  return result;
}

}  // namespace sbscan
