#include "decoders/char_codes.h"


#include <array>
#include <cstring>

#include "decoders/ascii.h"
#include "decoders/nibble_bitmap.h"
#include "decoders/utf8.h"

namespace sbscan::decoders {
namespace {

inline bool IsQuote(char c) { return c == '\'' || c == '"'; }

// Value of a digit in base 36, or 99.
inline int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return 99;
}

inline bool IsDigitOf(char c, int base) { return DigitValue(c) < base; }

// Whether text[pos...] starts with the lower-case `word`, ignoring case.
bool IEqAt(std::string_view text, size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(text[pos + i]) != word[i]) return false;
  }
  return true;
}

size_t SkipSpace(std::string_view t, size_t p) {
  while (p < t.size() && IsSpace(t[p])) ++p;
  return p;
}

// Parses digits of `base` at p (or 0x-prefixed hex); returns the end, or p
// when there are none. Values above 0x10FFFF saturate to 0x110000.
size_t ParseNumber(std::string_view t, size_t p, int base, uint32_t* value) {
  if (p + 2 < t.size() && t[p] == '0' && Lower(t[p + 1]) == 'x' &&
      IsDigitOf(t[p + 2], 16)) {
    base = 16;
    p += 2;
  }
  uint32_t v = 0;
  size_t q = p;
  while (q < t.size() && IsDigitOf(t[q], base)) {
    v = v * static_cast<uint32_t>(base) + static_cast<uint32_t>(DigitValue(t[q]));
    if (v > 0x110000) v = 0x110000;
    ++q;
  }
  *value = v;
  return q;
}

bool ValidCodePoint(uint32_t cp) {
  return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

bool Printable(uint32_t cp) {
  return (cp >= 0x20 && cp < 0x7F) || cp == '\t' || cp == '\r' ||
         cp == '\n' || cp >= 0xA0;
}

// Accumulates decoded code points of one run into `out`; Finish() keeps
// them when the run is long and printable enough, else rolls back.
class RunBuilder {
 public:
  RunBuilder(std::string* out, size_t max_out)
      : out_(out), start_(out->size()), max_out_(max_out) {}
  // Returns false when the code is invalid (the run is then abandoned).
  bool Add(uint32_t cp) {
    if (!ValidCodePoint(cp)) return false;
    ++count_;
    printable_ += Printable(cp);
    if (out_->size() - start_ + 4 > max_out_) {
      full_ = true;
      return true;
    }
    AppendUtf8(cp, out_);
    return true;
  }
  bool full() const { return full_; }
  size_t count() const { return count_; }
  // Keeps the run when it has >= min_items codes, >= 90% printable.
  bool Finish(size_t min_items) {
    if (count_ >= min_items && printable_ * 10 >= count_ * 9) return true;
    Abandon();
    return false;
  }
  void Abandon() { out_->resize(start_); }
  size_t start() const { return start_; }

 private:
  std::string* out_;
  size_t start_;
  size_t max_out_;
  size_t count_ = 0, printable_ = 0;
  bool full_ = false;
};

struct Context {
  int base = 10;
  bool has_base = false;
  int xor_key = -1;
};

// Reads the code consuming a list or delimited string in
// [from, from + kCharCodeContextBytes): the base of a [Convert]::ToInt16(x,
// base) style call and a literal -bxor key.
Context FindContext(std::string_view t, size_t from) {
  Context ctx;
  const size_t end = std::min(t.size(), from + kCharCodeContextBytes);
  for (size_t p = from; p + 4 < end; ++p) {
    const char c = t[p];
    if (!ctx.has_base && c == ':' && t[p + 1] == ':' && IEqAt(t, p + 2, "to")) {
      // ::ToInt16( ... , base )
      size_t q = p + 4;
      while (q < end && IsWordChar(t[q])) ++q;
      q = SkipSpace(t, q);
      if (q >= end || t[q] != '(') continue;
      const size_t stop = std::min(end, q + 96);
      for (size_t r = q; r < stop; ++r) {
        if (t[r] != ',') continue;
        size_t s = SkipSpace(t, r + 1);
        uint32_t b = 0;
        const size_t e = ParseNumber(t, s, 10, &b);
        if (e == s) continue;
        const size_t close = SkipSpace(t, e);
        if (close < t.size() && t[close] == ')' &&
            (b == 2 || b == 8 || b == 10 || b == 16)) {
          ctx.base = static_cast<int>(b);
          ctx.has_base = true;
          break;
        }
      }
    } else if (ctx.xor_key < 0 && c == '-' && IEqAt(t, p + 1, "bxor")) {
      size_t q = SkipSpace(t, p + 5);
      if (q < end && IsQuote(t[q])) ++q;
      uint32_t k = 0;
      const size_t e = ParseNumber(t, q, 10, &k);
      if (e != q && k <= 0x10FFFF) ctx.xor_key = static_cast<int>(k);
    }
    if (ctx.has_base && ctx.xor_key >= 0) break;
  }
  return ctx;
}

// Parses one "[char]N" item at p (t[p] == '['). Returns its end, or p.
size_t ParseCastItem(std::string_view t, size_t p, uint32_t* cp) {
  if (!IEqAt(t, p, "[char]")) return p;
  size_t q = SkipSpace(t, p + 6);
  if (q >= t.size()) return p;
  if (t[q] >= '0' && t[q] <= '9') {
    const size_t e = ParseNumber(t, q, 10, cp);
    if (e < t.size() && IsWordChar(t[e])) return p;
    return e;
  }
  if (t[q] != '(') return p;
  q = SkipSpace(t, q + 1);
  if (q < t.size() && t[q] >= '0' && t[q] <= '9') {  // [char](72)
    const size_t e = ParseNumber(t, q, 10, cp);
    const size_t close = SkipSpace(t, e);
    if (close < t.size() && t[close] == ')') return close + 1;
    return p;
  }
  // [char]([Convert]::ToInt16('1001000', 2))
  if (!IEqAt(t, q, "[convert]::to")) return p;
  q += 13;
  while (q < t.size() && IsWordChar(t[q])) ++q;
  q = SkipSpace(t, q);
  if (q >= t.size() || t[q] != '(') return p;
  q = SkipSpace(t, q + 1);
  const bool quoted = q < t.size() && IsQuote(t[q]);
  if (quoted) ++q;
  const size_t digits = q;
  while (q < t.size() && IsDigitOf(t[q], 16)) ++q;
  const size_t digits_end = q;
  if (quoted) {
    if (q >= t.size() || !IsQuote(t[q])) return p;
    ++q;
  }
  q = SkipSpace(t, q);
  if (q >= t.size() || t[q] != ',') return p;
  q = SkipSpace(t, q + 1);
  uint32_t base = 0;
  size_t e = ParseNumber(t, q, 10, &base);
  if (e == q || (base != 2 && base != 8 && base != 10 && base != 16)) return p;
  e = SkipSpace(t, e);
  if (e >= t.size() || t[e] != ')') return p;
  e = SkipSpace(t, e + 1);
  if (e >= t.size() || t[e] != ')') return p;
  const size_t ve = ParseNumber(t, digits, static_cast<int>(base), cp);
  if (ve != digits_end || ve == digits) return p;
  return e + 1;
}

// One item of a number list at p: optional quote, alphanumerics, same
// quote. Sets [b, e) to the item without quotes; returns the end or p.
size_t ParseListItem(std::string_view t, size_t p, size_t* b, size_t* e) {
  size_t q = p;
  char quote = 0;
  if (q < t.size() && IsQuote(t[q])) quote = t[q++];
  *b = q;
  while (q < t.size() && (IsDigitOf(t[q], 16) || Lower(t[q]) == 'x')) ++q;
  *e = q;
  if (*e == *b || !IsDigitOf(t[*b], 16)) return p;
  if (quote) {
    if (q >= t.size() || t[q] != quote) return p;
    ++q;
  } else if (q < t.size() && (IsWordChar(t[q]) || t[q] == '.')) {
    return p;
  }
  return q;
}

// The bytes at which DecodeCharCodes's scan can start something: a cast's
// '[', a quote (delimited string, quoted list item) or a digit (list item).
// At every other byte the scan only steps on, so it jumps to the next one.
constexpr std::array<bool, 256> kRunStart = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  t['['] = t['\''] = t['"'] = true;
  return t;
}();

// The first i' >= i with t[i'] in kRunStart, or t.size().
size_t NextRunStart(std::string_view t, size_t i) {
  const size_t n = t.size();
#ifdef SBSCAN_NIBBLE_BITMAP_X86
  static constexpr NibbleBitmap kRunStartMap = MakeNibbleBitmap(kRunStart);
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    for (; i + 32 <= n; i += 32) {
      const uint32_t m = MemberMask32(t.data() + i, kRunStartMap);
      if (m != 0) return i + static_cast<size_t>(__builtin_ctz(m));
    }
  }
#endif
  while (i < n && !kRunStart[static_cast<uint8_t>(t[i])]) ++i;
  return i;
}

// Whether the quoted literal opening at t[i] closes (*close = its closing quote), holds at least
// 2 * kMinCharCodeListItems bytes, half of them digits, and is followed by "split" within 64
// bytes. The cheap tests first (the closing quote by memchr, the split); digits counted last.
bool DelimitedDigitsBeforeSplit(std::string_view t, size_t i, size_t* close) {
  const size_t n = t.size();
  const void* found = std::memchr(t.data() + i + 1, t[i], n - i - 1);
  if (found == nullptr) return false;
  const size_t q = static_cast<size_t>(static_cast<const char*>(found) - t.data());
  const size_t len = q - i - 1;
  if (len < 2 * kMinCharCodeListItems) return false;
  bool split = false;
  const size_t stop = std::min(n, q + 64);
  for (size_t r = q + 1; r + 5 <= stop && !split; ++r) {
    split = Lower(t[r]) == 's' && IEqAt(t, r, "split");
  }
  if (!split) return false;
  size_t digits = 0;
  for (size_t r = i + 1; r < q; ++r) {
    digits += (t[r] >= '0' && t[r] <= '9') || IsDigitOf(t[r], 16);
  }
  *close = q;
  return digits * 2 >= len;
}

}  // namespace

std::string_view CharCodeFormName(CharCodeForm form) {
  switch (form) {
    case CharCodeForm::kCharCast:
      return "char_cast";
    case CharCodeForm::kList:
      return "list";
    case CharCodeForm::kDelimited:
      return "delimited";
  }
  return "unknown";
}

bool MayContainCharCodes(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, '[', static_cast<size_t>(end - p));
    if (hit == nullptr) return false;
    p = static_cast<const char*>(hit);
    if (end - p >= 5 && Lower(p[1]) == 'c' && Lower(p[2]) == 'h' &&
        Lower(p[3]) == 'a' && Lower(p[4]) == 'r') {
      return true;
    }
    ++p;
  }
  return false;
}

Outcome DecodeCharCodes(std::string_view t, size_t max_runs, size_t max_out,
                        std::vector<CharCodeRun>* runs, std::string* out) {
  if (!MayContainCharCodes(t)) return Outcome::kNotApplicable;
  size_t found = 0;
  const size_t out_start = out->size();
  bool limit = false;
  const auto budget = [&]() { return max_out - (out->size() - out_start); };
  const auto emit = [&](size_t b, size_t e, size_t ob, CharCodeForm form,
                        int base, int key) {
    runs->push_back(CharCodeRun{b, e, ob, out->size(), form,
                                static_cast<uint8_t>(base), key});
    ++found;
  };
  size_t i = 0;
  const size_t n = t.size();
  while (i < n) {
    if (found >= max_runs || out->size() - out_start >= max_out) {
      limit = true;
      break;
    }
    const char c = t[i];
    if (c == '[') {
      uint32_t cp = 0;
      size_t e = ParseCastItem(t, i, &cp);
      if (e == i) {
        i = NextRunStart(t, i + 1);
        continue;
      }
      RunBuilder run(out, budget());
      bool ok = run.Add(cp);
      size_t last = e;
      while (ok) {
        size_t q = SkipSpace(t, last);
        if (q >= n || (t[q] != '+' && t[q] != ',')) break;
        q = SkipSpace(t, q + 1);
        if (q >= n || t[q] != '[') break;
        e = ParseCastItem(t, q, &cp);
        if (e == q) break;
        ok = run.Add(cp);
        last = e;
      }
      if (ok && run.Finish(kMinCharCodeCastItems)) {
        if (run.full()) limit = true;
        emit(i, last, run.start(), CharCodeForm::kCharCast, 10, -1);
      } else if (!ok) {
        run.Abandon();
      }
      i = last;
      continue;
    }
    if (IsQuote(c)) {
      // Delimited digit string followed by a split.
      size_t close;
      if (DelimitedDigitsBeforeSplit(t, i, &close)) {
        const Context ctx = FindContext(t, close + 1);
        RunBuilder run(out, budget());
        bool ok = true;
        size_t r = i + 1;
        while (ok && r < close) {
          while (r < close && !IsDigitOf(t[r], ctx.base)) ++r;
          if (r >= close) break;
          uint32_t v = 0;
          size_t e = r;
          while (e < close && IsDigitOf(t[e], ctx.base)) {
            v = v * static_cast<uint32_t>(ctx.base) +
                static_cast<uint32_t>(DigitValue(t[e]));
            if (v > 0x110000) v = 0x110000;
            ++e;
          }
          if (ctx.xor_key >= 0) v ^= static_cast<uint32_t>(ctx.xor_key);
          ok = run.Add(v);
          r = e;
        }
        if (ok && run.Finish(kMinCharCodeListItems)) {
          if (run.full()) limit = true;
          emit(i + 1, close, run.start(), CharCodeForm::kDelimited,
               ctx.base, ctx.xor_key);
          i = close + 1;
          continue;
        }
        if (!ok) run.Abandon();
      }
      // Not delimited: maybe the first item of a quoted list ('4e',65,...).
    }
    const bool item_start =
        (c >= '0' && c <= '9') ||
        (IsQuote(c) && i + 1 < n && IsDigitOf(t[i + 1], 16));
    if (!item_start || (i > 0 && (IsWordChar(t[i - 1]) || t[i - 1] == '$' ||
                                  t[i - 1] == '.'))) {
      i = NextRunStart(t, i + 1);
      continue;
    }
    // Number list: item (ws* ',' ws* item)*.
    size_t b, e;
    size_t end = ParseListItem(t, i, &b, &e);
    if (end == i) {
      i = NextRunStart(t, i + 1);
      continue;
    }
    size_t count = 1;
    size_t last = end;
    size_t hex_letters = 0;
    const auto note_letters = [&](size_t ib, size_t ie) {
      for (size_t k = ib; k < ie; ++k) {
        if (!(t[k] >= '0' && t[k] <= '9')) ++hex_letters;
      }
    };
    note_letters(b, e);
    while (true) {
      size_t q = SkipSpace(t, last);
      if (q >= n || t[q] != ',') break;
      q = SkipSpace(t, q + 1);
      const size_t next = ParseListItem(t, q, &b, &e);
      if (next == q) break;
      note_letters(b, e);
      ++count;
      last = next;
    }
    if (count < kMinCharCodeListItems) {
      i = last;
      continue;
    }
    const Context ctx = FindContext(t, last);
    if (hex_letters > 0 && !ctx.has_base) {
      i = last;
      continue;
    }
    // Decode the items again (second pass, same bounds).
    RunBuilder run(out, budget());
    bool ok = true;
    size_t q = i;
    for (size_t k = 0; k < count && ok; ++k) {
      q = SkipSpace(t, q);
      if (t[q] == ',') q = SkipSpace(t, q + 1);
      size_t ib, ie;
      const size_t next = ParseListItem(t, q, &ib, &ie);
      uint32_t v = 0;
      const size_t ve = ParseNumber(t, ib, ctx.base, &v);
      if (ve != ie) {
        ok = false;
        break;
      }
      if (ctx.xor_key >= 0) v ^= static_cast<uint32_t>(ctx.xor_key);
      ok = run.Add(v);
      q = next;
    }
    if (ok && run.Finish(kMinCharCodeListItems)) {
      if (run.full()) limit = true;
      const size_t begin = IsQuote(c) ? i + 1 : i;
      const size_t stop = IsQuote(t[last - 1]) ? last - 1 : last;
      emit(begin, stop, run.start(), CharCodeForm::kList, ctx.base,
           ctx.xor_key);
    } else if (!ok) {
      run.Abandon();
    }
    i = last;
  }
  if (limit) return Outcome::kLimitReached;
  return found > 0 ? Outcome::kDecoded : Outcome::kNotApplicable;
}

}  // namespace sbscan::decoders
