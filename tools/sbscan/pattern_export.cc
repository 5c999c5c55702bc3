#include "tools/sbscan/pattern_export.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "signatures/string_view_compat.h"

namespace sbscan::cli {
namespace {

using signatures::Av;

bool IsWordByte(unsigned char c) { return absl::ascii_isalnum(c) || c == '_'; }

void AppendHex(unsigned value, std::string* out) { absl::StrAppendFormat(out, "\\x%02x", value); }

absl::Status Unsupported(std::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Rewrites a Hyperscan/PCRE regex for ripgrep (Rust regex, bytes mode) or YARA. A single left
// to right pass over the PCRE syntax: every literal byte that is not a word byte is written as
// \xHH (valid and unambiguous in both dialects, inside and outside classes), the constructs both
// share are copied, the ones a dialect lacks are errors naming the construct.
class RegexRewriter {
 public:
  RegexRewriter(std::string_view re, PatternDialect dialect)
      : re_(re), yara_(dialect == PatternDialect::kYara) {}

  absl::StatusOr<std::string> Run() {
    while (i_ < re_.size()) {
      const char c = re_[i_];
      absl::Status st;
      switch (c) {
        case '\\':
          st = Escape(/*in_class=*/false);
          break;
        case '[':
          st = Class();
          break;
        case '(':
          st = Group();
          break;
        case '*':
        case '+':
        case '?':
          out_.push_back(c);
          ++i_;
          st = QuantifierSuffix();
          break;
        case '{':
          st = Brace();
          break;
        case '.':
        case '^':
        case '$':
        case '|':
        case ')':
          out_.push_back(c);
          ++i_;
          break;
        default:
          Literal(static_cast<unsigned char>(c));
          ++i_;
      }
      if (!st.ok()) return st;
    }
    return out_;
  }

 private:
  void Literal(unsigned char c) {
    if (IsWordByte(c)) {
      out_.push_back(static_cast<char>(c));
    } else {
      AppendHex(c, &out_);
    }
  }

  // At a backslash.
  absl::Status Escape(bool in_class) {
    if (i_ + 1 >= re_.size()) return Unsupported("trailing backslash");
    const char c = re_[i_ + 1];
    i_ += 2;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 't':
      case 'n':
      case 'r':
        out_.push_back('\\');
        out_.push_back(c);
        return absl::OkStatus();
      case 'b':
        if (in_class) {
          AppendHex(0x08, &out_);  // backspace inside a class
        } else {
          out_ += "\\b";
        }
        return absl::OkStatus();
      case 'B':
        if (in_class) return Unsupported("\\B in a class");
        out_ += "\\B";
        return absl::OkStatus();
      case 'f':
        AppendHex(0x0c, &out_);
        return absl::OkStatus();
      case 'a':
        AppendHex(0x07, &out_);
        return absl::OkStatus();
      case 'e':
        AppendHex(0x1b, &out_);
        return absl::OkStatus();
      case 'x':
        return HexEscape();
      case 'A':
      case 'z':
        if (in_class) return Unsupported(absl::StrCat("\\", std::string(1, c), " in a class"));
        if (yara_) return Unsupported(absl::StrCat("\\", std::string(1, c), " anchor"));
        out_.push_back('\\');
        out_.push_back(c);
        return absl::OkStatus();
      case 'Q': {
        size_t end = re_.find("\\E", i_);
        std::string_view quoted = re_.substr(i_, end == std::string_view::npos ? end : end - i_);
        for (char q : quoted) Literal(static_cast<unsigned char>(q));
        i_ = end == std::string_view::npos ? re_.size() : end + 2;
        return absl::OkStatus();
      }
      case 'E':  // a stray \E is ignored by PCRE
        return absl::OkStatus();
      case 'p':
      case 'P':
        return Unsupported("Unicode property class");
      case 'c':
        return Unsupported("\\c control escape");
      case 'k':
      case 'g':
        return Unsupported("backreference");
      case 'o':
      case '0':
        return Unsupported("octal escape");
      default:
        break;
    }
    if (c >= '1' && c <= '9') return Unsupported("backreference");
    if (absl::ascii_isalpha(static_cast<unsigned char>(c))) {
      // \h \H \v \V \R \K \G \X \C \N \Z and the escapes PCRE itself rejects.
      return Unsupported(absl::StrCat("\\", std::string(1, c), " escape"));
    }
    Literal(static_cast<unsigned char>(c));  // escaped punctuation, space or byte
    return absl::OkStatus();
  }

  // After "\x": \xH, \xHH or \x{H...}; PCRE reads at most two digits without braces.
  absl::Status HexEscape() {
    unsigned value = 0;
    if (i_ < re_.size() && re_[i_] == '{') {
      size_t end = re_.find('}', i_);
      if (end == std::string_view::npos || end == i_ + 1) return Unsupported("bad \\x{...}");
      for (size_t k = i_ + 1; k < end; ++k) {
        int h = HexValue(re_[k]);
        if (h < 0) return Unsupported("bad \\x{...}");
        value = value * 16 + static_cast<unsigned>(h);
        if (value > 0xFF) return Unsupported("code point above \\xFF");
      }
      i_ = end + 1;
    } else {
      for (int digits = 0; digits < 2 && i_ < re_.size() && HexValue(re_[i_]) >= 0; ++digits) {
        value = value * 16 + static_cast<unsigned>(HexValue(re_[i_++]));
      }
    }
    AppendHex(value, &out_);
    return absl::OkStatus();
  }

  absl::Status Class() {
    out_.push_back('[');
    ++i_;
    if (i_ < re_.size() && re_[i_] == '^') {
      out_.push_back('^');
      ++i_;
    }
    bool first = true;
    bool prev_atom = false;
    while (true) {
      if (i_ >= re_.size()) return Unsupported("unterminated class");
      const char c = re_[i_];
      if (c == ']' && !first) {
        out_.push_back(']');
        ++i_;
        return absl::OkStatus();
      }
      first = false;
      if (c == '[' && i_ + 1 < re_.size() &&
          (re_[i_ + 1] == ':' || re_[i_ + 1] == '=' || re_[i_ + 1] == '.')) {
        const char kind = re_[i_ + 1];
        size_t end = re_.find(std::string{kind, ']'}, i_ + 2);
        if (end == std::string_view::npos) return Unsupported("unterminated POSIX class");
        if (kind != ':') return Unsupported("POSIX collating element");
        if (yara_) return Unsupported("POSIX class");
        out_.append(re_.substr(i_, end + 2 - i_));
        i_ = end + 2;
        prev_atom = false;
        continue;
      }
      if (c == '\\') {
        absl::Status st = Escape(/*in_class=*/true);
        if (!st.ok()) return st;
        prev_atom = true;
        continue;
      }
      if (c == '-') {
        const bool range = prev_atom && i_ + 1 < re_.size() && re_[i_ + 1] != ']';
        if (range) {
          out_.push_back('-');
        } else {
          AppendHex('-', &out_);
        }
        ++i_;
        prev_atom = !range;
        continue;
      }
      Literal(static_cast<unsigned char>(c));
      ++i_;
      prev_atom = true;
    }
  }

  absl::Status Group() {
    if (i_ + 1 >= re_.size() || re_[i_ + 1] != '?') {
      out_.push_back('(');
      ++i_;
      return absl::OkStatus();
    }
    std::string_view rest = re_.substr(i_ + 2);
    auto starts = [&rest](std::string_view p) { return rest.substr(0, p.size()) == p; };
    if (starts(":")) {
      out_ += yara_ ? "(" : "(?:";
      i_ += 3;
      return absl::OkStatus();
    }
    if (starts("=") || starts("!") || starts("<=") || starts("<!")) {
      return Unsupported("look-around");
    }
    if (starts(">")) return Unsupported("atomic group");
    if (starts("|")) return Unsupported("branch reset group");
    if (starts("(")) return Unsupported("conditional group");
    if (starts("#")) {
      size_t end = re_.find(')', i_);
      if (end == std::string_view::npos) return Unsupported("unterminated comment");
      i_ = end + 1;
      return absl::OkStatus();
    }
    if (starts("P>") || starts("P=") || starts("&") || starts("R") ||
        (!rest.empty() && (absl::ascii_isdigit(static_cast<unsigned char>(rest[0])) ||
                           ((rest[0] == '+' || rest[0] == '-') && rest.size() > 1 &&
                            absl::ascii_isdigit(static_cast<unsigned char>(rest[1])))))) {
      return Unsupported("recursion or backreference");
    }
    if (starts("P<") || starts("<") || starts("'")) {
      const size_t name_at = i_ + 2 + (starts("P<") ? 2 : 1);
      const char close = starts("'") ? '\'' : '>';
      size_t end = re_.find(close, name_at);
      if (end == std::string_view::npos) return Unsupported("unterminated group name");
      std::string_view name = re_.substr(name_at, end - name_at);
      if (yara_) {
        out_ += "(";
      } else {
        absl::StrAppend(&out_, "(?P<", Av(name), ">");
      }
      i_ = end + 1;
      return absl::OkStatus();
    }
    // Inline flags: (?flags) or (?flags:...).
    size_t k = 0;
    while (k < rest.size() && rest[k] != ')' && rest[k] != ':') {
      if (std::string_view("imsU-").find(rest[k]) == std::string_view::npos) {
        return Unsupported(absl::StrCat("inline flag '", std::string(1, rest[k]), "'"));
      }
      ++k;
    }
    if (k >= rest.size()) return Unsupported("unterminated group");
    if (yara_) return Unsupported("inline flags");
    absl::StrAppend(&out_, "(?", Av(rest.substr(0, k + 1)));
    i_ += 2 + k + 1;
    return absl::OkStatus();
  }

  // "{n}", "{n,}", "{n,m}" is a quantifier; any other '{' is a literal (as in PCRE).
  absl::Status Brace() {
    size_t k = i_ + 1;
    size_t digits = 0;
    while (k < re_.size() && absl::ascii_isdigit(static_cast<unsigned char>(re_[k]))) ++k, ++digits;
    bool quantifier = digits > 0 && k < re_.size();
    if (quantifier && re_[k] == ',') {
      ++k;
      while (k < re_.size() && absl::ascii_isdigit(static_cast<unsigned char>(re_[k]))) ++k;
    }
    quantifier = quantifier && k < re_.size() && re_[k] == '}';
    if (!quantifier) {
      Literal('{');
      ++i_;
      return absl::OkStatus();
    }
    out_.append(re_.substr(i_, k + 1 - i_));
    i_ = k + 1;
    return QuantifierSuffix();
  }

  // After a quantifier: '?' makes it lazy (both dialects), '+' possessive (neither).
  absl::Status QuantifierSuffix() {
    if (i_ < re_.size() && re_[i_] == '+') return Unsupported("possessive quantifier");
    if (i_ < re_.size() && re_[i_] == '?') {
      out_.push_back('?');
      ++i_;
    }
    return absl::OkStatus();
  }

  std::string_view re_;
  bool yara_;
  size_t i_ = 0;
  std::string out_;
};

}  // namespace

std::vector<SourcePattern> DistinctPatterns(const std::vector<signatures::Rule>& rules,
                                            size_t* level_patterns) {
  std::vector<SourcePattern> out;
  std::set<std::tuple<bool, bool, std::string>> seen;
  size_t levels = 0;
  for (const signatures::Rule& rule : rules) {
    for (const signatures::Pattern& p : rule.patterns) {
      if (p.kind == signatures::Pattern::Kind::kLevel) {
        ++levels;
        continue;
      }
      const bool regex = p.kind == signatures::Pattern::Kind::kRegex;
      // Caseless literals are one pattern whatever their case (as in the Hyperscan database).
      std::string key = !regex && !p.cased ? absl::AsciiStrToLower(p.value) : p.value;
      if (!seen.emplace(regex, p.cased, std::move(key)).second) continue;
      out.push_back(SourcePattern{regex, p.cased, p.value, absl::StrCat(rule.id, "/", p.name)});
    }
  }
  if (level_patterns != nullptr) *level_patterns = levels;
  return out;
}

std::string RipgrepLiteral(std::string_view literal) {
  std::string out;
  out.reserve(literal.size() * 2);
  for (char c : literal) {
    if (IsWordByte(static_cast<unsigned char>(c))) {
      out.push_back(c);
    } else {
      AppendHex(static_cast<unsigned char>(c), &out);
    }
  }
  return out;
}

absl::StatusOr<std::string> RipgrepRegex(std::string_view regex) {
  return RegexRewriter(regex, PatternDialect::kRipgrep).Run();
}

std::string YaraTextString(std::string_view literal) {
  std::string out = "\"";
  for (char c : literal) {
    const unsigned char b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (b >= 0x20 && b < 0x7f) {
      out.push_back(c);
    } else {
      AppendHex(b, &out);
    }
  }
  out.push_back('"');
  return out;
}

absl::StatusOr<std::string> YaraRegex(std::string_view regex) {
  return RegexRewriter(regex, PatternDialect::kYara).Run();
}

void PatternExport::LeaveOut(size_t index, std::string reason) {
  if (index >= exported.size()) return;
  left_out.push_back(LeftOutPattern{exported[index].source, std::move(reason)});
  exported.erase(exported.begin() + static_cast<std::ptrdiff_t>(index));
}

std::vector<std::pair<std::string, size_t>> PatternExport::ReasonCounts() const {
  std::map<std::string, size_t> counts;
  for (const LeftOutPattern& l : left_out) ++counts[l.reason];
  std::vector<std::pair<std::string, size_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string PatternExport::Summary() const {
  std::string out = absl::StrCat(exported.size(), " of ", sources.size(), " patterns");
  if (!left_out.empty()) {
    absl::StrAppend(&out, "; ", left_out.size(), " left out:");
    const char* sep = " ";
    for (const auto& [reason, count] : ReasonCounts()) {
      absl::StrAppend(&out, sep, count, " ", reason);
      sep = ", ";
    }
  }
  return out;
}

PatternExport ExportPatterns(const std::vector<signatures::Rule>& rules, PatternDialect dialect) {
  PatternExport e;
  e.dialect = dialect;
  e.sources = DistinctPatterns(rules, &e.level_patterns);
  for (size_t i = 0; i < e.sources.size(); ++i) {
    const SourcePattern& p = e.sources[i];
    absl::StatusOr<std::string> text;
    if (dialect == PatternDialect::kRipgrep) {
      text = p.regex ? RipgrepRegex(p.value) : RipgrepLiteral(p.value);
    } else if (p.regex) {
      absl::StatusOr<std::string> re = YaraRegex(p.value);
      if (re.ok()) {
        text = absl::StrCat("/", *re, "/");
      } else {
        text = re.status();
      }
    } else {
      text = YaraTextString(p.value);
    }
    if (text.ok()) {
      e.exported.push_back(ExportedPattern{i, *std::move(text)});
    } else {
      e.left_out.push_back(LeftOutPattern{i, std::string(text.status().message())});
    }
  }
  return e;
}

std::string RipgrepPatternLine(const PatternExport& exported, size_t index) {
  const ExportedPattern& p = exported.exported[index];
  return exported.sources[p.source].cased ? p.text : absl::StrCat("(?i:", p.text, ")");
}

std::string RipgrepPatternFile(const PatternExport& exported) {
  std::string out;
  for (size_t i = 0; i < exported.exported.size(); ++i) {
    absl::StrAppend(&out, RipgrepPatternLine(exported, i), "\n");
  }
  return out;
}

std::string YaraRuleFile(const PatternExport& exported) {
  std::string out;
  for (size_t i = 0; i < exported.exported.size(); ++i) {
    const ExportedPattern& p = exported.exported[i];
    absl::StrAppend(&out, "rule p", i, " { strings: $p = ", p.text,
                    exported.sources[p.source].cased ? "" : " nocase", " condition: $p }\n");
  }
  return out;
}

}  // namespace sbscan::cli
