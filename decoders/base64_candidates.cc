#include "decoders/base64_candidates.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "decoders/bit_runs.h"

#if defined(__x86_64__) || defined(_M_X64)
#define SBSCAN_DECODERS_X86 1
#include <immintrin.h>
#endif

namespace sbscan::decoders {
namespace {

// Byte classes.
constexpr uint8_t kAlpha = 1;    // Base64 alphabet, both variants
constexpr uint8_t kWord = 2;     // [A-Za-z0-9_]: a switch may not follow it
constexpr uint8_t kTrigger = 4;  // may start a context match: - / 0x93-0x95 f F
constexpr uint8_t kSpace = 8;    // ASCII whitespace
constexpr uint8_t kSep = 16;     // separator after -EncodedCommand
constexpr uint8_t kLetter = 32;  // [A-Za-z]

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kAlpha | kWord | kLetter;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kAlpha | kWord | kLetter;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kAlpha | kWord;
  t['+'] |= kAlpha;
  t['/'] |= kAlpha | kTrigger;
  t['-'] |= kAlpha | kTrigger;
  t['_'] |= kAlpha | kWord;
  t[0x93] |= kTrigger;
  t[0x94] |= kTrigger;
  t[0x95] |= kTrigger;
  t['f'] |= kTrigger;
  t['F'] |= kTrigger;
  for (char c : {' ', '\t', '\r', '\n'}) t[uint8_t(c)] |= kSpace | kSep;
  for (char c : {':', ',', '\'', '"', '`', '\\'}) t[uint8_t(c)] |= kSep;
  return t;
}

constexpr std::array<uint8_t, 256> kClass = MakeClasses();

inline bool Is(uint8_t byte, uint8_t cls) { return (kClass[byte] & cls) != 0; }
inline uint8_t Lower(uint8_t b) { return (b >= 'A' && b <= 'Z') ? b | 0x20 : b; }

constexpr std::string_view kEncodedCommand = "encodedcommand";
constexpr std::string_view kFromBase64String = "frombase64string";
constexpr size_t kMaxSeparators = 16;


// Search state shared by the scalar and vector drivers.
class Scanner {
 public:
  Scanner(std::string_view text, size_t min_run, size_t max_candidates,
          std::vector<Candidate>* out)
      : s_(reinterpret_cast<const uint8_t*>(text.data())),
        n_(text.size()),
        min_run_(std::max(min_run, kMinBase64RunFloor)),
        max_(max_candidates),
        out_(out),
        base_(out->size()),
        ctx_scan_(out->size()) {}

  size_t min_run() const { return min_run_; }
  size_t run_start() const { return run_start_; }
  void set_run_start(size_t p) { run_start_ = p; }
  bool done() const { return n_ctx_ >= max_ && n_run_ >= max_; }

  // The reference step, byte by byte over [from, to).
  void ScanRange(size_t from, size_t to) {
    for (size_t p = from; p < to; ++p) {
      const uint8_t b = s_[p];
      const uint8_t cls = kClass[b];
      if ((cls & kTrigger) && n_ctx_ < max_) MatchContextAt(p);
      if (!(cls & kAlpha)) {
        if (p - run_start_ >= min_run_) EmitRun(run_start_, p);
        run_start_ = p + 1;
      }
    }
  }

  // Vector step for one 64-byte block at `base`: `trigger` has the bits of
  // the positions that may start a context match, `alpha` those of Base64
  // alphabet bytes. Contexts are matched first, then runs: a run ending at
  // e can only overlap contexts triggered before e, so the result equals
  // ScanRange's.
  __attribute__((always_inline)) void ScanBlock(size_t base, uint64_t alpha, uint64_t trigger) {
    while (trigger != 0 && n_ctx_ < max_) {
      MatchContextAt(base + static_cast<size_t>(__builtin_ctzll(trigger)));
      trigger &= trigger - 1;
    }
    const uint64_t other = ~alpha;
    if (other == 0) return;  // the current run goes on
    const size_t first_end = base + static_cast<size_t>(__builtin_ctzll(other));
    if (first_end - run_start_ >= min_run_ ||
        (min_run_ <= 63 && HasOnesRun(alpha, min_run_))) {
      ScanRuns(base, std::min(base + 64, n_));  // (the last block may end early)
    } else {
      run_start_ = base + 64 - static_cast<size_t>(__builtin_clzll(other));
    }
  }

  // ScanRange without the context matches.
  void ScanRuns(size_t from, size_t to) {
    for (size_t p = from; p < to; ++p) {
      if (!Is(s_[p], kAlpha)) {
        if (p - run_start_ >= min_run_) EmitRun(run_start_, p);
        run_start_ = p + 1;
      }
    }
  }

  void Finish() {
    if (n_ - run_start_ >= min_run_) EmitRun(run_start_, n_);
    auto first = out_->begin() + static_cast<ptrdiff_t>(base_);
    std::sort(first, out_->end(), [](const Candidate& a, const Candidate& b) {
      return a.begin < b.begin;
    });
    JoinWrappedLines();
    if (out_->size() - base_ > max_) out_->resize(base_ + max_);
  }

 private:
  void MatchContextAt(size_t p) {
    if (p < covered_end_) return;
    Candidate c;
    const uint8_t b = s_[p];
    bool ok = (b == 'f' || b == 'F') ? MatchFromBase64String(p, &c)
                                      : MatchEncodedCommand(p, &c);
    if (!ok) return;
    out_->push_back(c);
    covered_end_ = c.end;
    ++n_ctx_;
  }

  size_t SkipPadding(size_t e) const {
    for (int k = 0; k < 2 && e < n_ && s_[e] == '='; ++k) ++e;
    return e;
  }

  bool MatchEncodedCommand(size_t p, Candidate* c) const {
    if (p + 1 >= n_ || (s_[p + 1] | 0x20) != 'e') return false;
    const uint8_t b = s_[p];
    size_t lead = p;  // first byte of the dash
    if (b >= 0x93 && b <= 0x95) {
      if (p < 2 || s_[p - 2] != 0xE2 || s_[p - 1] != 0x80) return false;
      lead = p - 2;
    }
    if (lead > 0 && Is(s_[lead - 1], kWord)) return false;
    // The switch name: a prefix of "encodedcommand", or "ec".
    size_t j = p + 2;  // s_[p + 1] is 'e'
    if (j < n_ && Lower(s_[j]) == 'c') {
      ++j;
    } else {
      size_t k = 1;
      while (j < n_ && Is(s_[j], kLetter)) {
        if (k == kEncodedCommand.size() ||
            Lower(s_[j]) != uint8_t(kEncodedCommand[k])) {
          return false;
        }
        ++j;
        ++k;
      }
    }
    if (j < n_ && Is(s_[j], kLetter)) return false;
    size_t k = j;
    while (k < n_ && k - j < kMaxSeparators && Is(s_[k], kSep)) ++k;
    if (k == j) return false;
    size_t e = k;
    while (e < n_ && Is(s_[e], kAlpha)) ++e;
    if (e == k) return false;
    *c = {k, SkipPadding(e), CandidateKind::kEncodedCommand};
    return true;
  }

  bool MatchFromBase64String(size_t p, Candidate* c) const {
    if (n_ - p < kFromBase64String.size()) return false;
    for (size_t k = 0; k < kFromBase64String.size(); ++k) {
      if (Lower(s_[p + k]) != uint8_t(kFromBase64String[k])) return false;
    }
    size_t j = p + kFromBase64String.size();
    while (j < n_ && Is(s_[j], kSpace)) ++j;
    if (j >= n_ || s_[j] != '(') return false;
    ++j;
    while (j < n_ && Is(s_[j], kSpace)) ++j;
    if (j < n_ && s_[j] == '@') ++j;
    if (j >= n_) return false;
    if (s_[j] == '\'' || s_[j] == '"') {
      ++j;
    } else if (j + 2 < n_ && s_[j] == 0xE2 && s_[j + 1] == 0x80 &&
               s_[j + 2] >= 0x98 && s_[j + 2] <= 0x9E) {
      j += 3;
    } else {
      return false;
    }
    while (j < n_ && Is(s_[j], kSpace)) ++j;
    size_t e = j;
    size_t last = j;  // one past the last non-space payload byte
    while (e < n_) {
      const uint8_t ch = s_[e];
      if (Is(ch, kAlpha) || ch == '=') {
        last = ++e;
      } else if (Is(ch, kSpace)) {
        ++e;
      } else {
        break;
      }
    }
    if (last == j) return false;
    *c = {j, last, CandidateKind::kFromBase64String};
    return true;
  }

  // A run that is a whole line of a wrapped payload -- a here-string, a
  // multi-line literal: lines of one width w (a multiple of 4), the last one
  // at most w long and complete (padded or a multiple of 4) -- takes the
  // lines after it, so that the payload decodes as one piece (the decoder
  // skips the line breaks). Lines that were runs of their own are absorbed.
  // Both search paths share this step, on the sorted candidates.
  void JoinWrappedLines() {
    std::vector<Candidate>& v = *out_;
    size_t kept = base_;
    for (size_t r = base_; r < v.size(); ++r) {
      Candidate c = v[r];
      if (c.kind == CandidateKind::kBase64Run) {
        size_t stop = n_;  // never into a payload of another kind
        for (size_t k = r + 1; k < v.size(); ++k) {
          if (v[k].kind != CandidateKind::kBase64Run) {
            stop = v[k].begin;
            break;
          }
        }
        c.end = WrappedEnd(c, stop);
        while (r + 1 < v.size() && v[r + 1].begin < c.end) ++r;  // absorbed lines
      }
      v[kept++] = c;
    }
    v.resize(kept);
  }

  static bool IsBlank(uint8_t b) { return b == ' ' || b == '\t'; }
  static bool IsQuoteByte(uint8_t b) { return b == '\'' || b == '"'; }

  // The line holding [begin, ...) starts there: only blanks before it since a
  // line break, an opening quote or the start of the text.
  bool StartsLine(size_t begin) const {
    size_t p = begin;
    while (p > 0 && IsBlank(s_[p - 1])) --p;
    return p == 0 || s_[p - 1] == '\n' || IsQuoteByte(s_[p - 1]);
  }

  // Only blanks (and \r) after `end` up to a line break, a quote or the end.
  bool EndsLine(size_t end) const {
    size_t p = end;
    while (p < n_ && (IsBlank(s_[p]) || s_[p] == '\r')) ++p;
    return p == n_ || s_[p] == '\n' || IsQuoteByte(s_[p]);
  }

  size_t WrappedEnd(const Candidate& c, size_t stop) const {
    const size_t width = c.end - c.begin;
    if (width % 4 != 0 || s_[c.end - 1] == '=' || !StartsLine(c.begin) || !EndsLine(c.end)) {
      return c.end;
    }
    size_t end = c.end;
    for (;;) {
      size_t p = end;
      while (p < n_ && (IsBlank(s_[p]) || s_[p] == '\r')) ++p;
      if (p >= n_ || s_[p] != '\n') break;
      ++p;
      while (p < n_ && IsBlank(s_[p])) ++p;
      size_t q = p;
      while (q < n_ && Is(s_[q], kAlpha)) ++q;
      const size_t len = q - p;
      const size_t padded_end = SkipPadding(q);
      if (len == 0 || len > width || padded_end > stop || !EndsLine(padded_end)) break;
      const bool padded = padded_end > q;
      if (len == width && !padded) {  // a full line: more may follow
        end = q;
        continue;
      }
      if (padded || len % 4 == 0) end = padded_end;  // the last line
      break;
    }
    return end;
  }

  void EmitRun(size_t begin, size_t end) {
    if (n_run_ >= max_) return;
    end = SkipPadding(end);
    // Contexts in out_ are disjoint and sorted; runs arrive by increasing
    // begin, so one forward cursor finds any overlapping context.
    while (ctx_scan_ < out_->size()) {
      const Candidate& c = (*out_)[ctx_scan_];
      if (c.kind != CandidateKind::kBase64Run && c.end > begin) break;
      ++ctx_scan_;
    }
    if (ctx_scan_ < out_->size() && (*out_)[ctx_scan_].begin < end) return;
    out_->push_back({begin, end, CandidateKind::kBase64Run});
    ++n_run_;
  }

  const uint8_t* s_;
  size_t n_;
  size_t min_run_;
  size_t max_;
  std::vector<Candidate>* out_;
  size_t base_;
  size_t ctx_scan_;
  size_t run_start_ = 0;
  size_t covered_end_ = 0;
  size_t n_ctx_ = 0;
  size_t n_run_ = 0;
};

// Shared driver: `masks(p, &alpha, &trigger)` classifies text[p, p+64) and
// may read up to text[p+64+15]. The last bytes (fewer than 80) are classified
// from a zero-padded copy: a zero byte triggers nothing, and the bytes past
// the end count as alphabet, so that the run in progress is left to Finish,
// as ScanRange leaves it.
template <typename MaskFn>
__attribute__((always_inline)) inline void ScanBlocks(std::string_view text, Scanner& sc, MaskFn masks) {
  const size_t n = text.size();
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  size_t p = 0;
  while (p + 64 + 16 <= n) {
    uint64_t alpha, trigger;
    masks(s + p, &alpha, &trigger);
    if (trigger == 0 && alpha == ~uint64_t{0}) {  // a long run goes on
      p += 64;
      continue;
    }
    sc.ScanBlock(p, alpha, trigger);
    p += 64;
    if (sc.done()) return;
  }
  if (p == n) return;
  alignas(64) uint8_t pad[2 * 64 + 16] = {};
  std::memcpy(pad, s + p, n - p);
  for (size_t q = 0; p + q < n && !sc.done(); q += 64) {
    uint64_t alpha, trigger;
    masks(pad + q, &alpha, &trigger);
    const size_t left = n - p - q;
    const uint64_t valid = left >= 64 ? ~uint64_t{0} : (uint64_t{1} << left) - 1;
    sc.ScanBlock(p + q, alpha | ~valid, trigger & valid);
  }
}

#ifdef SBSCAN_DECODERS_X86

inline uint64_t Masks16Sse2(const uint8_t* s, uint64_t* trigger) {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  const __m128i c1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 1));
  const __m128i c9 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 9));
  const __m128i x20 = _mm_set1_epi8(0x20);
  const __m128i lower = _mm_or_si128(c, x20);
  const __m128i letter =
      _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                    _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), lower));
  const __m128i digit_slash =
      _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('/' - 1)),
                    _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), c));
  const __m128i dash = _mm_cmpeq_epi8(c, _mm_set1_epi8('-'));
  const __m128i sym =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('+')), dash),
                   _mm_cmpeq_epi8(c, _mm_set1_epi8('_')));
  const __m128i alpha =
      _mm_or_si128(_mm_or_si128(letter, digit_slash), sym);
  const __m128i u = _mm_sub_epi8(c, _mm_set1_epi8(char(0x93)));
  const __m128i unicode_dash =
      _mm_cmpeq_epi8(_mm_min_epu8(u, _mm_set1_epi8(2)), u);
  const __m128i dashlike = _mm_or_si128(
      _mm_or_si128(dash, _mm_cmpeq_epi8(c, _mm_set1_epi8('/'))), unicode_dash);
  const __m128i e_next =
      _mm_cmpeq_epi8(_mm_or_si128(c1, x20), _mm_set1_epi8('e'));
  const __m128i from = _mm_and_si128(
      _mm_cmpeq_epi8(lower, _mm_set1_epi8('f')),
      _mm_cmpeq_epi8(c9, _mm_set1_epi8('4')));
  const __m128i trig = _mm_or_si128(_mm_and_si128(dashlike, e_next), from);
  *trigger = static_cast<uint32_t>(_mm_movemask_epi8(trig));
  return static_cast<uint32_t>(_mm_movemask_epi8(alpha));
}

void MasksSse2(const uint8_t* s, uint64_t* alpha, uint64_t* trigger) {
  uint64_t a = 0, t = 0;
  for (int k = 0; k < 4; ++k) {
    uint64_t tk;
    a |= Masks16Sse2(s + 16 * k, &tk) << (16 * k);
    t |= tk << (16 * k);
  }
  *alpha = a;
  *trigger = t;
}

__attribute__((target("avx2"))) inline uint64_t Masks32Avx2(
    const uint8_t* s, uint64_t* trigger) {
  const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s));
  const __m256i c1 =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 1));
  const __m256i c9 =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 9));
  const __m256i x20 = _mm256_set1_epi8(0x20);
  const __m256i lower = _mm256_or_si256(c, x20);
  // Alphabet by nibble lookup: bit (hi - 2) of kLo[lo] says whether the byte
  // (hi << 4 | lo) is in A-Z a-z 0-9 + / - _.
  const __m256i lo_table = _mm256_setr_epi8(
      0x2A, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3C, 0x15,
      0x14, 0x15, 0x14, 0x1D, 0x2A, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E,
      0x3E, 0x3E, 0x3C, 0x15, 0x14, 0x15, 0x14, 0x1D);
  const __m256i hi_table = _mm256_setr_epi8(
      0, 0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i x0f = _mm256_set1_epi8(0x0F);
  const __m256i lo_bits =
      _mm256_shuffle_epi8(lo_table, _mm256_and_si256(c, x0f));
  const __m256i hi_bits = _mm256_shuffle_epi8(
      hi_table, _mm256_and_si256(_mm256_srli_epi16(c, 4), x0f));
  const __m256i not_alpha = _mm256_cmpeq_epi8(
      _mm256_and_si256(lo_bits, hi_bits), _mm256_setzero_si256());
  const __m256i dash = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('-'));
  const __m256i u = _mm256_sub_epi8(c, _mm256_set1_epi8(char(0x93)));
  const __m256i unicode_dash =
      _mm256_cmpeq_epi8(_mm256_min_epu8(u, _mm256_set1_epi8(2)), u);
  const __m256i dashlike = _mm256_or_si256(
      _mm256_or_si256(dash, _mm256_cmpeq_epi8(c, _mm256_set1_epi8('/'))),
      unicode_dash);
  const __m256i e_next =
      _mm256_cmpeq_epi8(_mm256_or_si256(c1, x20), _mm256_set1_epi8('e'));
  const __m256i from = _mm256_and_si256(
      _mm256_cmpeq_epi8(lower, _mm256_set1_epi8('f')),
      _mm256_cmpeq_epi8(c9, _mm256_set1_epi8('4')));
  const __m256i trig =
      _mm256_or_si256(_mm256_and_si256(dashlike, e_next), from);
  *trigger = static_cast<uint32_t>(_mm256_movemask_epi8(trig));
  return ~static_cast<uint64_t>(
             static_cast<uint32_t>(_mm256_movemask_epi8(not_alpha))) &
         0xFFFFFFFFu;
}

struct Avx2Masks {
  __attribute__((target("avx2"))) void operator()(const uint8_t* s,
                                                  uint64_t* alpha,
                                                  uint64_t* trigger) const {
    uint64_t t0, t1;
    const uint64_t a0 = Masks32Avx2(s, &t0);
    const uint64_t a1 = Masks32Avx2(s + 32, &t1);
    *alpha = a0 | (a1 << 32);
    *trigger = t0 | (t1 << 32);
  }
};

struct Sse2Masks {
  void operator()(const uint8_t* s, uint64_t* alpha, uint64_t* trigger) const {
    MasksSse2(s, alpha, trigger);
  }
};

#define SBSCAN_AVX512 __attribute__((target("avx2,avx512f,avx512bw,bmi,bmi2,popcnt,lzcnt")))

// The classes of Masks32Avx2 over 64 bytes at once, compared into mask
// registers (no movemask).
struct Avx512Masks {
  SBSCAN_AVX512 void operator()(const uint8_t* s, uint64_t* alpha, uint64_t* trigger) const {
    const __m512i c = _mm512_loadu_si512(s);
    const __m512i c1 = _mm512_loadu_si512(s + 1);
    const __m512i c9 = _mm512_loadu_si512(s + 9);
    const __m512i x20 = _mm512_set1_epi8(0x20);
    const __m512i lower = _mm512_or_si512(c, x20);
    // The nibble tables of Masks32Avx2, in every 128-bit lane.
    const __m512i lo_table = _mm512_maskz_broadcast_i32x4(0xFFFF, _mm_setr_epi8(
        0x2A, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3C, 0x15, 0x14, 0x15,
        0x14, 0x1D));
    const __m512i hi_table = _mm512_maskz_broadcast_i32x4(0xFFFF, 
        _mm_setr_epi8(0, 0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0, 0, 0, 0, 0, 0, 0, 0));
    const __m512i x0f = _mm512_set1_epi8(0x0F);
    const __m512i lo_bits = _mm512_shuffle_epi8(lo_table, _mm512_and_si512(c, x0f));
    const __m512i hi_bits =
        _mm512_shuffle_epi8(hi_table, _mm512_and_si512(_mm512_srli_epi16(c, 4), x0f));
    *alpha = _mm512_test_epi8_mask(lo_bits, hi_bits);
    const __mmask64 dashlike =
        _mm512_cmpeq_epi8_mask(c, _mm512_set1_epi8('-')) |
        _mm512_cmpeq_epi8_mask(c, _mm512_set1_epi8('/')) |
        _mm512_cmple_epu8_mask(_mm512_sub_epi8(c, _mm512_set1_epi8(char(0x93))),
                               _mm512_set1_epi8(2));
    const __mmask64 e_next =
        _mm512_cmpeq_epi8_mask(_mm512_or_si512(c1, x20), _mm512_set1_epi8('e'));
    const __mmask64 from = _mm512_cmpeq_epi8_mask(lower, _mm512_set1_epi8('f')) &
                           _mm512_cmpeq_epi8_mask(c9, _mm512_set1_epi8('4'));
    *trigger = (dashlike & e_next) | from;
  }
};

SBSCAN_AVX512 void ScanAvx512(std::string_view text, Scanner& sc) {
  ScanBlocks(text, sc, Avx512Masks{});
}

__attribute__((target("avx2"))) void ScanAvx2(std::string_view text,
                                              Scanner& sc) {
  ScanBlocks(text, sc, Avx2Masks{});
}

void ScanSse2(std::string_view text, Scanner& sc) {
  ScanBlocks(text, sc, Sse2Masks{});
}

#endif  // SBSCAN_DECODERS_X86

}  // namespace

std::string_view CandidateKindName(CandidateKind kind) {
  switch (kind) {
    case CandidateKind::kEncodedCommand:
      return "encoded_command";
    case CandidateKind::kFromBase64String:
      return "from_base64_string";
    case CandidateKind::kBase64Run:
      return "base64_run";
  }
  return "unknown";
}

void FindBase64CandidatesWith(SimdPath path, std::string_view text,
                              size_t min_run, size_t max_candidates,
                              std::vector<Candidate>* out) {
  if (max_candidates == 0) return;
  Scanner sc(text, min_run, max_candidates, out);
  if (!SimdPathSupported(path)) path = SimdPath::kScalar;
  switch (path) {
#ifdef SBSCAN_DECODERS_X86
    case SimdPath::kAvx512:
      ScanAvx512(text, sc);
      break;
    case SimdPath::kAvx2:
      ScanAvx2(text, sc);
      break;
    case SimdPath::kSse2:
      ScanSse2(text, sc);
      break;
#endif
    default:
      sc.ScanRange(0, text.size());
      break;
  }
  sc.Finish();
}

void FindBase64Candidates(std::string_view text, size_t min_run,
                          size_t max_candidates, std::vector<Candidate>* out) {
  FindBase64CandidatesWith(ActiveSimdPath(), text, min_run,
                           max_candidates, out);
}

void FindBase64CandidatesScalar(std::string_view text, size_t min_run,
                                size_t max_candidates,
                                std::vector<Candidate>* out) {
  FindBase64CandidatesWith(SimdPath::kScalar, text, min_run,
                           max_candidates, out);
}

}  // namespace sbscan::decoders
