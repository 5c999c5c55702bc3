#include "decoders/string_construction.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "decoders/ascii.h"
#include "decoders/utf8.h"

namespace sbscan::decoders {
namespace {

// PowerShell whitespace: IsSpace and form feed, vertical tab.
inline bool IsScriptSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}
inline bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
struct ByteSet {
  bool in[256];
  constexpr explicit ByteSet(const char* chars) : in() {
    for (const char* p = chars; *p; ++p) in[static_cast<unsigned char>(*p)] = true;
  }
  bool operator()(char c) const { return in[static_cast<unsigned char>(c)]; }
};
constexpr ByteSet kEndsBareword(" \t\r\n\f\v(){}[];,|&'\"+=");
// Characters that end a bareword (NUL too).
inline bool EndsBareword(char c) { return c == '\0' || kEndsBareword(c); }
// Letters that form an escape after a backtick.
constexpr ByteSet kEscapeLetters("0abefnrtuv");
inline bool IsEscapeLetter(char c) { return kEscapeLetters(c); }

bool IEqAt(std::string_view t, size_t pos, std::string_view word) {
  if (pos + word.size() > t.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(t[pos + i]) != word[i]) return false;
  }
  return true;
}

// Value of a backtick escape in an expandable string.
char EscapeValue(char c) {
  switch (c) {
    case '0': return '\0';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return c;
  }
}

enum class Tok : uint8_t {
  kString,    // literal; value = its text
  kChar,      // [char]N; value = the character
  kNumber,    // decimal number; value = its digits
  kPlus,
  kComma,
  kLParen,
  kRParen,
  kDot,       // member access right after a value
  kFormat,    // -f
  kReplace,   // -replace / -ireplace (flag 0) or -creplace (flag 1)
  kJoin,      // -join
  kCast,      // [string] (transparent) or another type literal (flag 1)
  kBareword,  // value = text without backtick escapes; flag 1 = had ticks
  kOther,
};

struct Token {
  Tok kind;
  uint8_t flag;
  bool reverse_marker;  // a reversal idiom starts here
  bool raw = false;     // the value is the token's text (vbegin/vend unused)
  uint32_t begin, end;  // span in the text
  uint32_t vbegin, vend;  // value in the arena
};

class Tokenizer {
 public:
  Tokenizer(std::string_view t, std::vector<Token>* toks, std::string* arena)
      : t_(t), toks_(toks), arena_(arena) {}

  void Run() {
    size_t p = 0;
    const size_t n = t_.size();
    while (p < n) {
      const char c = t_[p];
      if (IsScriptSpace(c)) {
        ++p;
        continue;
      }
      if (c == '`' && p + 1 < n && (t_[p + 1] == '\n' || t_[p + 1] == '\r')) {
        p += 2;  // line continuation
        continue;
      }
      if (c == '#') {
        while (p < n && t_[p] != '\n') ++p;
        continue;
      }
      if (c == '<' && p + 1 < n && t_[p + 1] == '#') {
        const size_t e = t_.find("#>", p + 2);
        p = e == std::string_view::npos ? n : e + 2;
        continue;
      }
      if (c == '@' && p + 1 < n && (t_[p + 1] == '\'' || t_[p + 1] == '"')) {
        size_t q = p + 2;
        while (q < n && (t_[q] == ' ' || t_[q] == '\t')) ++q;
        if (q < n && (t_[q] == '\n' || t_[q] == '\r')) {
          p = HereString(p, t_[p + 1]);
          continue;
        }
      }
      if (c == '\'') {
        p = SingleQuoted(p);
        continue;
      }
      if (c == '"') {
        p = DoubleQuoted(p);
        continue;
      }
      if (c == '[') {
        p = Bracket(p);
        continue;
      }
      if (c == '-' && p + 1 < n && IsAlpha(t_[p + 1])) {
        size_t q = p + 1;
        while (q < n && IsAlpha(t_[q])) ++q;
        const std::string_view w = t_.substr(p + 1, q - p - 1);
        Tok kind = Tok::kOther;
        uint8_t flag = 0;
        if (w.size() == 1 && Lower(w[0]) == 'f') {
          kind = Tok::kFormat;
        } else if (IEq(w, "replace") || IEq(w, "ireplace")) {
          kind = Tok::kReplace;
        } else if (IEq(w, "creplace")) {
          kind = Tok::kReplace;
          flag = 1;
        } else if (IEq(w, "join")) {
          kind = Tok::kJoin;
        }
        Push(kind, flag, p, q);
        p = q;
        continue;
      }
      if (c == '+') {
        if (p + 1 < n && (t_[p + 1] == '+' || t_[p + 1] == '=')) {
          Push(Tok::kOther, 0, p, p + 2);
          p += 2;
        } else {
          Push(Tok::kPlus, 0, p, p + 1);
          ++p;
        }
        continue;
      }
      if (c == ',' || c == '(' || c == ')') {
        Push(c == ',' ? Tok::kComma : c == '(' ? Tok::kLParen : Tok::kRParen,
             0, p, p + 1);
        ++p;
        continue;
      }
      if (c == '.' && p > 0 && p + 1 < n && IsAlpha(t_[p + 1]) &&
          (t_[p - 1] == ')' || t_[p - 1] == '\'' || t_[p - 1] == '"' ||
           t_[p - 1] == ']')) {
        Push(Tok::kDot, 0, p, p + 1);
        ++p;
        continue;
      }
      if (IsDigit(c) && (p == 0 || !IsWordChar(t_[p - 1]))) {
        size_t q = p;
        while (q < n && IsDigit(t_[q])) ++q;
        if (q >= n || EndsBareword(t_[q]) || t_[q] == '.' || t_[q] == ']') {
          const uint32_t vb = static_cast<uint32_t>(arena_->size());
          arena_->append(t_.substr(p, q - p));
          PushValue(Tok::kNumber, 0, p, q, vb);
          p = q;
          continue;
        }
      }
      if (c == '$') {
        size_t q = p + 1;
        if (q < n && t_[q] == '{') {
          while (q < n && t_[q] != '}') ++q;
          if (q < n) ++q;
        } else {
          while (q < n && (IsWordChar(t_[q]) || t_[q] == ':')) ++q;
        }
        if (q == p + 1) ++q;
        Push(Tok::kOther, 0, p, q);
        p = q;
        continue;
      }
      if (EndsBareword(c) || c == '.' || c == ':') {
        Push(Tok::kOther, 0, p, p + 1);
        ++p;
        continue;
      }
      p = Bareword(p);
    }
  }

 private:
  static bool IEq(std::string_view w, std::string_view lower) {
    if (w.size() != lower.size()) return false;
    for (size_t i = 0; i < w.size(); ++i) {
      if (Lower(w[i]) != lower[i]) return false;
    }
    return true;
  }

  void Push(Tok kind, uint8_t flag, size_t b, size_t e) {
    toks_->push_back(Token{kind, flag, false, false, static_cast<uint32_t>(b),
                           static_cast<uint32_t>(e), 0, 0});
  }
  void PushValue(Tok kind, uint8_t flag, size_t b, size_t e, uint32_t vb) {
    toks_->push_back(Token{kind, flag, false, false, static_cast<uint32_t>(b),
                           static_cast<uint32_t>(e), vb,
                           static_cast<uint32_t>(arena_->size())});
  }

  size_t SingleQuoted(size_t p) {
    const size_t n = t_.size();
    const uint32_t vb = static_cast<uint32_t>(arena_->size());
    size_t q = p + 1;
    while (q < n) {
      if (t_[q] == '\'') {
        if (q + 1 < n && t_[q + 1] == '\'') {
          arena_->push_back('\'');
          q += 2;
          continue;
        }
        break;
      }
      arena_->push_back(t_[q++]);
    }
    if (q >= n) {  // unterminated: not a literal
      arena_->resize(vb);
      Push(Tok::kOther, 0, p, n);
      return n;
    }
    PushValue(Tok::kString, 0, p, q + 1, vb);
    MarkIfRightToLeft(vb);
    return q + 1;
  }

  size_t DoubleQuoted(size_t p) {
    const size_t n = t_.size();
    const uint32_t vb = static_cast<uint32_t>(arena_->size());
    size_t q = p + 1;
    int sub = 0;  // depth of $( ... ) sub-expressions, copied verbatim
    while (q < n) {
      const char c = t_[q];
      if (sub > 0) {
        if (c == '(') ++sub;
        if (c == ')') --sub;
        if (c == '\'') {  // skip a nested literal
          size_t e = t_.find('\'', q + 1);
          if (e == std::string_view::npos) e = n - 1;
          arena_->append(t_.substr(q, e + 1 - q));
          q = e + 1;
          continue;
        }
        arena_->push_back(c);
        ++q;
        continue;
      }
      if (c == '`' && q + 1 < n) {
        arena_->push_back(EscapeValue(t_[q + 1]));
        q += 2;
        continue;
      }
      if (c == '"') {
        if (q + 1 < n && t_[q + 1] == '"') {
          arena_->push_back('"');
          q += 2;
          continue;
        }
        break;
      }
      if (c == '$' && q + 1 < n && t_[q + 1] == '(') {
        sub = 1;
        arena_->append("$(");
        q += 2;
        continue;
      }
      arena_->push_back(c);
      ++q;
    }
    if (q >= n) {
      arena_->resize(vb);
      Push(Tok::kOther, 0, p, n);
      return n;
    }
    PushValue(Tok::kString, 0, p, q + 1, vb);
    MarkIfRightToLeft(vb);
    return q + 1;
  }

  size_t HereString(size_t p, char quote) {
    const size_t n = t_.size();
    size_t q = p + 2;
    while (q < n && t_[q] != '\n') ++q;
    const size_t body = q + 1;
    // Terminator: newline, quote, '@'.
    size_t e = body;
    while (true) {
      e = t_.find(quote, e);
      if (e == std::string_view::npos || e + 1 >= n) {
        Push(Tok::kOther, 0, p, n);
        return n;
      }
      if (t_[e + 1] == '@' && e > 0 && t_[e - 1] == '\n') break;
      ++e;
    }
    size_t vend = e - 1;  // drop the newline before the terminator
    if (vend > body && t_[vend - 1] == '\r') --vend;
    const uint32_t vb = static_cast<uint32_t>(arena_->size());
    if (body <= vend) arena_->append(t_.substr(body, vend - body));
    PushValue(Tok::kString, 0, p, e + 2, vb);
    return e + 2;
  }

  void MarkIfRightToLeft(uint32_t vb) {
    const std::string_view v(arena_->data() + vb, arena_->size() - vb);
    if (v.size() == 11 && IEq(v, "righttoleft")) {
      toks_->back().reverse_marker = true;
    }
  }

  size_t Bracket(size_t p) {
    const size_t n = t_.size();
    // [char]N, [char](N), [char]0xN
    if (IEqAt(t_, p, "[char]")) {
      size_t q = p + 6;
      while (q < n && IsScriptSpace(t_[q])) ++q;
      bool paren = false;
      if (q < n && t_[q] == '(') {
        paren = true;
        ++q;
        while (q < n && IsScriptSpace(t_[q])) ++q;
      }
      int base = 10;
      if (q + 2 < n && t_[q] == '0' && Lower(t_[q + 1]) == 'x') {
        base = 16;
        q += 2;
      }
      uint32_t v = 0;
      const size_t d = q;
      while (q < n && (IsDigit(t_[q]) ||
                       (base == 16 && Lower(t_[q]) >= 'a' &&
                        Lower(t_[q]) <= 'f'))) {
        const int dv = IsDigit(t_[q]) ? t_[q] - '0' : Lower(t_[q]) - 'a' + 10;
        v = v * static_cast<uint32_t>(base) + static_cast<uint32_t>(dv);
        if (v > 0x110000) v = 0x110000;
        ++q;
      }
      if (q > d && (q >= n || !IsWordChar(t_[q]))) {
        if (paren) {
          while (q < n && IsScriptSpace(t_[q])) ++q;
          if (q >= n || t_[q] != ')') goto type_literal;
          ++q;
        }
        if (v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF)) {
          const uint32_t vb = static_cast<uint32_t>(arena_->size());
          AppendUtf8(v, arena_);
          PushValue(Tok::kChar, 0, p, q, vb);
          return q;
        }
      }
    }
  type_literal:
    // [ -1 .. -( : reversal by a negative range.
    {
      size_t q = p + 1;
      while (q < n && IsScriptSpace(t_[q])) ++q;
      if (q + 1 < n && t_[q] == '-' && t_[q + 1] == '1') {
        q += 2;
        while (q < n && IsScriptSpace(t_[q])) ++q;
        if (q + 1 < n && t_[q] == '.' && t_[q + 1] == '.') {
          Push(Tok::kOther, 0, p, p + 1);
          toks_->back().reverse_marker = true;
          return p + 1;
        }
      }
    }
    // Type literal: [name] or [name[]] (letters, digits, '.', '_').
    size_t q = p + 1;
    while (q < n && (IsWordChar(t_[q]) || t_[q] == '.')) ++q;
    if (q > p + 1 && q + 1 < n && t_[q] == '[' && t_[q + 1] == ']') q += 2;
    if (q > p + 1 && q < n && t_[q] == ']') {
      const std::string_view name = t_.substr(p + 1, q - p - 1);
      const bool transparent = IEq(name, "string");
      Push(Tok::kCast, transparent ? 0 : 1, p, q + 1);
      if (t_.substr(q + 1, 2) == "::" && IEqAt(t_, q + 3, "reverse")) {
        toks_->back().reverse_marker = true;
      }
      return q + 1;
    }
    Push(Tok::kOther, 0, p, p + 1);
    return p + 1;
  }

  size_t Bareword(size_t p) {
    const size_t n = t_.size();
    size_t q = p;
    while (q < n && !EndsBareword(t_[q]) && t_[q] != '`') ++q;
    if (q >= n || t_[q] != '`') {  // common case: no tick, value = text
      if (q == p) q = p + 1;
      const uint32_t vb = static_cast<uint32_t>(arena_->size());
      PushValue(Tok::kBareword, 0, p, q, vb);
      toks_->back().raw = true;
      return q;
    }
    const uint32_t vb = static_cast<uint32_t>(arena_->size());
    arena_->append(t_.substr(p, q - p));
    bool ticks = false;
    while (q < n && !EndsBareword(t_[q])) {
      if (t_[q] == '`' && q + 1 < n) {
        const char nx = t_[q + 1];
        if (nx == '\n' || nx == '\r') break;
        if (IsEscapeLetter(nx)) {
          arena_->push_back('`');
          arena_->push_back(nx);
        } else {
          arena_->push_back(nx);
          ticks = true;
        }
        q += 2;
        continue;
      }
      arena_->push_back(t_[q++]);
    }
    if (q == p) q = p + 1;
    PushValue(Tok::kBareword, ticks ? 1 : 0, p, q, vb);
    return q;
  }

  std::string_view t_;
  std::vector<Token>* toks_;
  std::string* arena_;
};

// A value under evaluation: a string, or an array of strings.
struct Val {
  bool list = false;
  bool number = false;   // a bare number (not a string literal)
  bool numbers = false;  // a list holding bare numbers
  std::string s;
  std::vector<std::string> items;
  uint32_t ops = 0;
};

class Evaluator {
 public:
  Evaluator(std::string_view text, const std::vector<Token>& toks,
            const std::string& arena, size_t budget)
      : text_(text), toks_(toks), arena_(arena), budget_(budget) {}

  bool budget_hit() const { return budget_hit_; }

  // Parses a full expression at *pos; on success *pos is past it.
  bool Expr(size_t* pos, Val* v) { return Cmp(pos, v); }

 private:
  const Token* At(size_t i) const {
    return i < toks_.size() ? &toks_[i] : nullptr;
  }
  bool Is(size_t i, Tok k) const {
    return i < toks_.size() && toks_[i].kind == k;
  }
  std::string_view Value(const Token& t) const {
    if (t.raw) return text_.substr(t.begin, t.end - t.begin);
    return std::string_view(arena_).substr(t.vbegin, t.vend - t.vbegin);
  }
  bool Step() {
    if (budget_ == 0) {
      budget_hit_ = true;
      return false;
    }
    --budget_;
    return true;
  }

  static bool AsString(const Val& v, std::string* s) {
    if (v.list) return false;
    *s = v.s;
    return true;
  }

  bool Cmp(size_t* pos, Val* v) {
    if (!Add(pos, v, true)) return false;
    while (Step()) {
      size_t p = *pos;
      if (Is(p, Tok::kReplace)) {
        const bool cs = toks_[p].flag == 1;
        ++p;
        Val pat, rep;
        if (!Add(&p, &pat, false) || pat.list) break;
        if (Is(p, Tok::kComma)) {
          ++p;
          if (!Add(&p, &rep, false) || rep.list) break;
        }
        if (v->list) break;
        std::string out;
        if (!RegexReplace(v->s, pat.s, rep.s, cs, &out)) break;
        v->s = std::move(out);
        v->ops |= pat.ops | rep.ops | kTransformReplace;
        *pos = p;
        continue;
      }
      if (Is(p, Tok::kJoin)) {
        ++p;
        Val sep;
        if (!Add(&p, &sep, false) || sep.list || v->numbers) break;
        Join(v, sep.s);
        v->ops |= sep.ops | kTransformJoin;
        *pos = p;
        continue;
      }
      break;
    }
    return true;
  }

  bool Add(size_t* pos, Val* v, bool allow_list) {
    if (!Format(pos, v, allow_list)) return false;
    while (Is(*pos, Tok::kPlus) && Step()) {
      size_t p = *pos + 1;
      Val r;
      if (!Format(&p, &r, false) || r.list || v->list) break;
      if (v->number) break;  // arithmetic, not concatenation
      v->s += r.s;
      v->number = false;
      v->ops |= r.ops | kTransformConcat;
      *pos = p;
    }
    return true;
  }

  bool Format(size_t* pos, Val* v, bool allow_list) {
    if (!List(pos, v, allow_list)) return false;
    while (Is(*pos, Tok::kFormat) && Step()) {
      size_t p = *pos + 1;
      Val args;
      if (!List(&p, &args, true) || v->list) break;
      std::string out;
      if (!ApplyFormat(v->s, args, &out)) break;
      v->s = std::move(out);
      v->number = false;
      v->ops |= args.ops | kTransformFormat;
      *pos = p;
    }
    return true;
  }

  bool List(size_t* pos, Val* v, bool allow_list) {
    if (!Unary(pos, v)) return false;
    if (!allow_list || !Is(*pos, Tok::kComma)) return true;
    std::vector<std::string> items;
    items.push_back(v->s);
    uint32_t ops = v->ops;
    bool numbers = v->number;
    if (v->list) return true;
    while (Is(*pos, Tok::kComma) && Step()) {
      size_t p = *pos + 1;
      Val r;
      if (!Unary(&p, &r) || r.list) break;
      items.push_back(std::move(r.s));
      numbers = numbers || r.number;
      ops |= r.ops;
      *pos = p;
    }
    if (items.size() > 1) {
      v->list = true;
      v->items = std::move(items);
      v->ops = ops;
      v->numbers = numbers;
    }
    return true;
  }

  bool Unary(size_t* pos, Val* v) {
    if (!Step() || nesting_ >= kMaxNesting) return false;
    ++nesting_;
    const bool ok = UnaryInner(pos, v);
    --nesting_;
    return ok;
  }

  bool UnaryInner(size_t* pos, Val* v) {
    if (Is(*pos, Tok::kJoin)) {
      size_t p = *pos + 1;
      if (!Unary(&p, v) || v->numbers) return false;
      if (v->list) v->ops |= kTransformJoin;
      Join(v, "");
      *pos = p;
      return true;
    }
    if (Is(*pos, Tok::kCast) && toks_[*pos].flag == 0) {
      size_t p = *pos + 1;
      if (!Unary(&p, v)) return false;
      if (v->list) Join(v, " ");
      *pos = p;
      return true;
    }
    return Postfix(pos, v);
  }

  bool Postfix(size_t* pos, Val* v) {
    if (!Primary(pos, v)) return false;
    while (Is(*pos, Tok::kDot) && Is(*pos + 1, Tok::kBareword) && Step()) {
      const std::string_view name = Value(toks_[*pos + 1]);
      size_t p = *pos + 2;
      if (!Is(p, Tok::kLParen) || v->list) break;
      ++p;
      std::string lname;
      for (char c : name) lname.push_back(Lower(c));
      if (lname == "replace") {
        Val a, b;
        if (!Add(&p, &a, false) || a.list || !Is(p, Tok::kComma)) break;
        ++p;
        if (!Add(&p, &b, false) || b.list || !Is(p, Tok::kRParen)) break;
        if (a.s.empty()) break;
        std::string out;
        ReplaceAll(v->s, a.s, b.s, true, &out);
        v->s = std::move(out);
        v->ops |= a.ops | b.ops | kTransformReplace;
        *pos = p + 1;
        continue;
      }
      if (!Is(p, Tok::kRParen)) break;
      if (lname == "tostring") {
      } else if (lname == "tolower") {
        for (char& c : v->s) c = Lower(c);
      } else if (lname == "toupper") {
        for (char& c : v->s) {
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        }
      } else {
        break;
      }
      *pos = p + 1;
    }
    return true;
  }

  bool Primary(size_t* pos, Val* v) {
    const Token* t = At(*pos);
    if (t == nullptr) return false;
    switch (t->kind) {
      case Tok::kString:
      case Tok::kChar:
      case Tok::kNumber:
        v->s.assign(Value(*t));
        v->number = t->kind == Tok::kNumber;
        ++*pos;
        return true;
      case Tok::kLParen: {
        // Nesting is bounded: recursion must not exhaust the stack.
        if (nesting_ >= kMaxNesting) return false;
        size_t p = *pos + 1;
        ++nesting_;
        const bool ok = Cmp(&p, v) && Is(p, Tok::kRParen);
        --nesting_;
        if (!ok) return false;
        *pos = p + 1;
        return true;
      }
      default:
        return false;
    }
  }

  static void Join(Val* v, std::string_view sep) {
    if (!v->list) return;
    std::string s;
    for (size_t i = 0; i < v->items.size(); ++i) {
      if (i) s.append(sep);
      s += v->items[i];
    }
    v->list = false;
    v->items.clear();
    v->s = std::move(s);
  }

  static bool ApplyFormat(std::string_view fmt, const Val& args,
                          std::string* out) {
    const size_t nargs = args.list ? args.items.size() : 1;
    for (size_t i = 0; i < fmt.size(); ++i) {
      const char c = fmt[i];
      if (c == '{') {
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
          out->push_back('{');
          ++i;
          continue;
        }
        size_t j = i + 1, idx = 0;
        while (j < fmt.size() && fmt[j] == ' ') ++j;
        const size_t d = j;
        while (j < fmt.size() && IsDigit(fmt[j]) && idx < 100000) {
          idx = idx * 10 + static_cast<size_t>(fmt[j] - '0');
          ++j;
        }
        while (j < fmt.size() && fmt[j] == ' ') ++j;
        if (j == d || j >= fmt.size() || fmt[j] != '}' || idx >= nargs) {
          return false;
        }
        out->append(args.list ? args.items[idx] : args.s);
        i = j;
        continue;
      }
      if (c == '}') {
        if (i + 1 < fmt.size() && fmt[i + 1] == '}') ++i;
        out->push_back('}');
        continue;
      }
      out->push_back(c);
    }
    return true;
  }

  static bool EqualAt(std::string_view s, size_t i, std::string_view pat,
                      bool cs) {
    if (i + pat.size() > s.size()) return false;
    for (size_t k = 0; k < pat.size(); ++k) {
      const char a = s[i + k], b = pat[k];
      if (cs ? a != b : Lower(a) != Lower(b)) return false;
    }
    return true;
  }

  static void ReplaceAll(std::string_view s, std::string_view pat,
                         std::string_view rep, bool cs, std::string* out) {
    for (size_t i = 0; i < s.size();) {
      if (EqualAt(s, i, pat, cs)) {
        out->append(rep);
        i += pat.size();
      } else {
        out->push_back(s[i++]);
      }
    }
  }

  // -replace with a pattern that is a literal once backslash escapes are
  // removed, and a replacement without group references.
  static bool RegexReplace(std::string_view s, std::string_view pat,
                           std::string_view rep, bool cs, std::string* out) {
    std::string lit;
    for (size_t i = 0; i < pat.size(); ++i) {
      const char c = pat[i];
      if (c == '\\') {
        if (i + 1 >= pat.size()) return false;
        const char nx = pat[++i];
        if (IsWordChar(nx)) return false;  // \d, \w, \n ...
        lit.push_back(nx);
        continue;
      }
      if (std::strchr(".^$*+?()[]{}|", c) != nullptr) return false;
      lit.push_back(c);
    }
    if (lit.empty()) return false;
    std::string r;
    for (size_t i = 0; i < rep.size(); ++i) {
      if (rep[i] == '$') {
        if (i + 1 < rep.size() && rep[i + 1] == '$') {
          r.push_back('$');
          ++i;
          continue;
        }
        if (i + 1 < rep.size() &&
            (IsDigit(rep[i + 1]) || rep[i + 1] == '{' || rep[i + 1] == '&' ||
             rep[i + 1] == '_' || rep[i + 1] == '`' || rep[i + 1] == '\'' ||
             rep[i + 1] == '+')) {
          return false;
        }
      }
      r.push_back(rep[i]);
    }
    ReplaceAll(s, lit, r, cs, out);
    return true;
  }

  static constexpr int kMaxNesting = 48;  // parentheses, -join, casts
  std::string_view text_;
  const std::vector<Token>& toks_;
  const std::string& arena_;
  size_t budget_;
  int nesting_ = 0;
  bool budget_hit_ = false;
};

struct Replacement {
  size_t begin, end;    // span in the text
  size_t vbegin, vend;  // value in the values buffer
};

}  // namespace

std::string_view StringTransformNames(uint32_t transforms) {
  static const auto* table = [] {
    auto* t = new std::array<std::string, kTransformAll + 1>;
    const char* names[] = {"concat", "format",  "replace",
                           "join",   "reverse", "backtick"};
    for (uint32_t m = 0; m <= kTransformAll; ++m) {
      std::string s;
      for (int b = 0; b < 6; ++b) {
        if (m & (1u << b)) {
          if (!s.empty()) s += ',';
          s += names[b];
        }
      }
      (*t)[m] = s;
    }
    return t;
  }();
  return (*table)[transforms & kTransformAll];
}

namespace {

// Previous non-blank byte before `i`, 0 at the start; `*at` its index.
char PrevNonBlank(std::string_view t, size_t i, size_t* at) {
  while (i > 0 && IsScriptSpace(t[i - 1])) --i;
  *at = i > 0 ? i - 1 : 0;
  return i > 0 ? t[i - 1] : 0;
}
char NextNonBlank(std::string_view t, size_t i, size_t* at) {
  while (i < t.size() && IsScriptSpace(t[i])) ++i;
  *at = i;
  return i < t.size() ? t[i] : 0;
}
inline bool IsQuoteChar(char c) { return c == '\'' || c == '"'; }

// A literal ends just before `i`: a quote, or ')' closing after a quote.
bool LiteralEndsBefore(std::string_view t, size_t i) {
  size_t at;
  const char c = PrevNonBlank(t, i, &at);
  if (IsQuoteChar(c)) return true;
  return c == ')' && IsQuoteChar(PrevNonBlank(t, at, &at));
}

// Checks the trigger at text[i] (one of ` + { [, or the first letter of
// the pairs jo, pl, rs, ig in any case): the
// constructs NormalizeStrings can resolve, in the shapes obfuscators write
// them. Ordinary code ($a -join ',', "{0}: {1}" -f $x, $s.Replace($a, $b),
// 'a' + $b) does not trigger.
bool TriggerAt(std::string_view text, size_t i) {
  const size_t n = text.size();
  const char c = text[i];
  size_t at;
  switch (c) {
    case '`':  // a tick inside a word, not an escape: I`nv`oke
      return i + 1 < n && IsWordChar(text[i + 1]) &&
             !IsEscapeLetter(text[i + 1]);
    case '{': {  // adjacent format items: {1}{0}
      size_t k = i + 1;
      if (k >= n || !IsDigit(text[k])) return false;
      while (k < n && IsDigit(text[k])) ++k;
      return k + 1 < n && text[k] == '}' && text[k + 1] == '{';
    }
    case '+': {  // literal + literal ('a'+'b', [char]39+'x', 'a'+[char]39)
      const char before = PrevNonBlank(text, i, &at);
      const char after = NextNonBlank(text, i + 1, &at);
      const bool lit_after = IsQuoteChar(after) || after == '(' ||
                             IEqAt(text, at, "[char]");
      return lit_after && (IsQuoteChar(before) || before == ')' ||
                           (IsDigit(before) &&
                            (after == '[' || IsQuoteChar(after))));
    }
    case '[': {  // $s[-1..-($s.Length)]
      const char nx = NextNonBlank(text, i + 1, &at);
      if (nx != '-' || at + 1 >= n || text[at + 1] != '1') return false;
      NextNonBlank(text, at + 2, &at);
      return at + 1 < n && text[at] == '.' && text[at + 1] == '.';
    }
    default:
      break;
  }
  switch (Lower(c)) {
    case 'j':  // ('a','b') -join '' / -join ('a','b')
      if (!IEqAt(text, i, "join") || i == 0 || text[i - 1] != '-') {
        return false;
      }
      if (LiteralEndsBefore(text, i - 1)) return true;
      if (NextNonBlank(text, i + 4, &at) == '(') {
        return IsQuoteChar(NextNonBlank(text, at + 1, &at));
      }
      return false;
    case 'p':  // 'lit' -replace / ('a'+'b').Replace(
      if (i < 2 || !IEqAt(text, i - 2, "replace")) return false;
      {
        size_t k = i - 2;
        if (k > 0 && (Lower(text[k - 1]) == 'i' || Lower(text[k - 1]) == 'c')) {
          --k;
        }
        if (k == 0 || (text[k - 1] != '-' && text[k - 1] != '.')) return false;
        return LiteralEndsBefore(text, k - 1);
      }
    case 'r':  // [array]::Reverse( (found by its "rs")
      return i >= 6 && text[i - 5] == ':' && text[i - 6] == ':' &&
             IEqAt(text, i - 4, "reverse");
    case 'i':  // 'RightToLeft' (found by its "ig")
      return i >= 1 && IEqAt(text, i - 1, "righttoleft");
    default:
      return false;
  }
}

}  // namespace

bool NormalizationTriggerAt(std::string_view text, size_t i) {
  return TriggerAt(text, i);
}

namespace {

// b moved back to the start of its line, but not before `floor`.
size_t BackToLineStart(std::string_view t, size_t b, size_t floor) {
  while (b > floor && t[b - 1] != '\n') --b;
  return b;
}

// e moved on to the end of its line (past its '\n'), but not beyond `ceil`.
size_t OnToLineEnd(std::string_view t, size_t e, size_t ceil) {
  while (e < ceil && t[e - 1] != '\n') ++e;
  return e;
}

}  // namespace

size_t FindNormalizationTrigger(std::string_view text, size_t from) {
  const size_t n = text.size();
  size_t i = from;
#if defined(__SSE2__)
  const __m128i tick = _mm_set1_epi8('`'), plus = _mm_set1_epi8('+'),
                brace = _mm_set1_epi8('{'), bracket = _mm_set1_epi8('['),
                lower = _mm_set1_epi8(0x20);
  const __m128i j = _mm_set1_epi8('j'), o = _mm_set1_epi8('o'),
                p = _mm_set1_epi8('p'), l = _mm_set1_epi8('l'),
                r = _mm_set1_epi8('r'), s = _mm_set1_epi8('s'),
                ii = _mm_set1_epi8('i'), g = _mm_set1_epi8('g');
  for (; i + 17 <= n; i += 16) {
    const __m128i x =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    const __m128i y = _mm_loadu_si128(
        reinterpret_cast<const __m128i*>(text.data() + i + 1));
    const __m128i xl = _mm_or_si128(x, lower);
    const __m128i yl = _mm_or_si128(y, lower);
    const __m128i singles = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, tick), _mm_cmpeq_epi8(x, plus)),
        _mm_or_si128(_mm_cmpeq_epi8(x, brace), _mm_cmpeq_epi8(x, bracket)));
    const __m128i pairs = _mm_or_si128(
        _mm_or_si128(
            _mm_and_si128(_mm_cmpeq_epi8(xl, j), _mm_cmpeq_epi8(yl, o)),
            _mm_and_si128(_mm_cmpeq_epi8(xl, p), _mm_cmpeq_epi8(yl, l))),
        _mm_or_si128(
            _mm_and_si128(_mm_cmpeq_epi8(xl, r), _mm_cmpeq_epi8(yl, s)),
            _mm_and_si128(_mm_cmpeq_epi8(xl, ii), _mm_cmpeq_epi8(yl, g))));
    unsigned bits =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(singles, pairs)));
    while (bits != 0) {
      const size_t k = i + static_cast<size_t>(__builtin_ctz(bits));
      if (TriggerAt(text, k)) return k;
      bits &= bits - 1;
    }
  }
#endif
  for (; i < n; ++i) {
    const char c = text[i];
    const char a = Lower(c);
    const char b = i + 1 < n ? Lower(text[i + 1]) : 0;
    if ((c == '`' || c == '+' || c == '{' || c == '[' ||
         (a == 'j' && b == 'o') || (a == 'p' && b == 'l') ||
         (a == 'r' && b == 's') || (a == 'i' && b == 'g')) &&
        TriggerAt(text, i)) {
      return i;
    }
  }
  return std::string_view::npos;
}

bool MayNeedNormalization(std::string_view text) {
  return FindNormalizationTrigger(text, 0) != std::string_view::npos;
}

std::vector<std::pair<size_t, size_t>> NormalizationRegions(std::string_view text,
                                                            size_t reach) {
  const size_t n = text.size();
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t at = FindNormalizationTrigger(text, 0); at != std::string_view::npos;) {
    // Whole lines, however long.
    const size_t b = BackToLineStart(text, at > reach ? at - reach : 0, 0);
    const size_t e = OnToLineEnd(text, std::min(n, at + reach), n);
    if (!out.empty() && b <= out.back().second) {
      out.back().second = std::max(out.back().second, e);
    } else {
      out.emplace_back(b, e);
    }
    at = e < n ? FindNormalizationTrigger(text, e) : std::string_view::npos;
  }
  size_t covered = 0;
  for (const auto& [b, e] : out) covered += e - b;
  if (!out.empty() && covered >= n - n / 4) return {{0, n}};
  return out;
}

Outcome NormalizeStrings(std::string_view text, size_t max_out,
                         std::string* out, NormalizeInfo* info) {
  *info = NormalizeInfo{};
  if (text.empty() || text.size() > UINT32_MAX / 2) {
    return Outcome::kNotApplicable;
  }
  std::vector<Token> toks;
  std::string arena;
  toks.reserve(text.size() / 4 + 16);
  arena.reserve(text.size() / 2 + 16);
  Tokenizer(text, &toks, &arena).Run();

  // Step budget: generous for real obfuscation, bounded for adversarial
  // nesting.
  Evaluator ev(text, toks, arena, 16 * toks.size() + 4096);
  std::vector<Replacement> reps;
  std::string values;
  // Longest literal value seen since the last reversal marker: the
  // replacement index (or SIZE_MAX with a literal token index).
  size_t best_len = 0, best_rep = SIZE_MAX, best_tok = SIZE_MAX;
  for (size_t i = 0; i < toks.size();) {
    const Token& t = toks[i];
    if (t.reverse_marker && (best_rep != SIZE_MAX || best_tok != SIZE_MAX)) {
      std::string_view v;
      if (best_rep != SIZE_MAX) {
        Replacement& r = reps[best_rep];
        v = std::string_view(values).substr(r.vbegin, r.vend - r.vbegin);
      } else {
        const Token& bt = toks[best_tok];
        v = std::string_view(arena).substr(bt.vbegin, bt.vend - bt.vbegin);
      }
      const std::string rev(v.rbegin(), v.rend());
      const size_t vb = values.size();
      values += rev;
      if (best_rep != SIZE_MAX) {
        reps[best_rep].vbegin = vb;
        reps[best_rep].vend = values.size();
      } else {
        const Token& bt = toks[best_tok];
        // Keep replacements sorted: the literal precedes every later one.
        Replacement r{bt.begin, bt.end, vb, values.size()};
        reps.insert(std::upper_bound(reps.begin(), reps.end(), r,
                                     [](const Replacement& a,
                                        const Replacement& b) {
                                       return a.begin < b.begin;
                                     }),
                    r);
      }
      // Neutralise the idiom so that the next pass over the output does not
      // reverse again: "[-1.." becomes "[<#reversed#>-1..", and likewise
      // for [array]::Reverse and 'RightToLeft' (an inline comment).
      const size_t mb = values.size();
      values += text[t.begin];
      values += "<#reversed#>";
      reps.push_back({t.begin, t.begin + 1, mb, values.size()});
      info->transforms |= kTransformReverse;
      ++info->constructs;
      best_len = 0;
      best_rep = best_tok = SIZE_MAX;
    }
    if (t.kind == Tok::kBareword && t.flag == 1) {
      const size_t vb = values.size();
      values.append(arena, t.vbegin, t.vend - t.vbegin);
      reps.push_back({t.begin, t.end, vb, values.size()});
      info->transforms |= kTransformBacktick;
      ++info->constructs;
      ++i;
      continue;
    }
    const bool starts = t.kind == Tok::kString || t.kind == Tok::kChar ||
                        t.kind == Tok::kLParen || t.kind == Tok::kJoin ||
                        (t.kind == Tok::kCast && t.flag == 0) ||
                        t.kind == Tok::kNumber;
    if (starts && !ev.budget_hit()) {
      size_t p = i;
      Val v;
      if (ev.Expr(&p, &v) && p > i) {
        if (v.list && v.ops != 0) {
          // ('a','b' -f ...) lists: join with spaces as PowerShell prints.
          std::string s;
          for (size_t k = 0; k < v.items.size(); ++k) {
            if (k) s += ' ';
            s += v.items[k];
          }
          v.s = std::move(s);
          v.list = false;
        }
        if (v.ops != 0 && !v.list) {
          const size_t vb = values.size();
          const bool paren = t.kind == Tok::kLParen &&
                             toks[p - 1].kind == Tok::kRParen;
          if (paren) values += '(';
          values += v.s;
          if (paren) values += ')';
          reps.push_back({t.begin, toks[p - 1].end, vb, values.size()});
          info->transforms |= v.ops;
          ++info->constructs;
          if (v.s.size() > best_len) {
            best_len = v.s.size();
            best_rep = reps.size() - 1;
            best_tok = SIZE_MAX;
          }
          i = p;
          continue;
        }
      }
    }
    if (t.kind == Tok::kString && t.vend - t.vbegin > best_len) {
      best_len = t.vend - t.vbegin;
      best_tok = i;
      best_rep = SIZE_MAX;
    }
    ++i;
  }
  info->budget_hit = ev.budget_hit();
  if (reps.empty()) return Outcome::kNotApplicable;

  const size_t start = out->size();
  size_t copied = 0;
  for (const Replacement& r : reps) {
    if (r.begin < copied) continue;  // overlapped by an earlier one
    out->append(text.substr(copied, r.begin - copied));
    const size_t out_begin = out->size() - start;
    out->append(values, r.vbegin, r.vend - r.vbegin);
    info->edits.push_back({r.begin, r.end, out_begin, out->size() - start});
    copied = r.end;
    if (out->size() - start > max_out) break;
  }
  if (copied < text.size() && out->size() - start <= max_out) {
    out->append(text.substr(copied));
  }
  if (out->size() - start > max_out) {
    out->resize(start + max_out);
    while (!info->edits.empty() && info->edits.back().out_begin >= max_out) {
      info->edits.pop_back();
    }
    if (!info->edits.empty()) {
      info->edits.back().out_end = std::min(info->edits.back().out_end, max_out);
    }
    return Outcome::kLimitReached;
  }
  if (std::string_view(*out).substr(start) == text) {
    out->resize(start);
    info->edits.clear();
    return Outcome::kNotApplicable;
  }
  return Outcome::kDecoded;
}

std::vector<ChangedWindow> ChangedWindows(const NormalizeInfo& info, std::string_view normalized,
                                          size_t original_size, size_t context) {
  const size_t n = normalized.size();
  std::vector<ChangedWindow> out;
  // A window's ends lie outside every edit (an edit that starts inside a window is merged into
  // it), so they map back by the length change of the edits before them.
  int64_t delta = 0;  // output offset - input offset, after the edits passed so far
  for (const TextEdit& e : info.edits) {
    if (e.out_begin >= n) break;
    const size_t end = std::min(e.out_end, n);
    // `context` bytes each side, then out to the line breaks at most `context` further.
    const size_t near_b = e.out_begin > context ? e.out_begin - context : 0;
    const size_t b = BackToLineStart(normalized, near_b, near_b > context ? near_b - context : 0);
    const size_t near_f = std::min(n, end + context);
    const size_t f = OnToLineEnd(normalized, near_f, std::min(n, near_f + context));
    if (!out.empty() && b <= out.back().out_end) {
      out.back().out_end = std::max(out.back().out_end, f);
    } else {
      out.push_back({b, f, static_cast<size_t>(static_cast<int64_t>(b) - delta), 0});
    }
    delta += static_cast<int64_t>(end - e.out_begin) - static_cast<int64_t>(e.in_end - e.in_begin);
    out.back().in_end = static_cast<size_t>(static_cast<int64_t>(out.back().out_end) - delta);
  }
  size_t covered = 0;
  for (const ChangedWindow& w : out) covered += w.out_end - w.out_begin;
  if (out.empty() || covered >= n - n / 4) return {{0, n, 0, original_size}};
  return out;
}

}  // namespace sbscan::decoders
