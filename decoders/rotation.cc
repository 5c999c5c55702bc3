#include "decoders/rotation.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "decoders/powershell_score.h"

namespace sbscan::decoders {
namespace {

constexpr size_t kMinWord = 3;
constexpr size_t kMaxWord = 24;
constexpr size_t kTableSize = 1024;
constexpr size_t kEarlyExitBytes = 4096;
constexpr double kEarlyExitVotes = 16;

inline bool IsLetter(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline uint8_t LetterIndex(uint8_t c) { return (c | 0x20) - 'a'; }

// Rotation-invariant signature of a word: its length and the differences
// between consecutive letters, mod 26.
inline uint32_t SignatureHash(const uint8_t* diffs, size_t n) {
  uint32_t h = 2166136261u ^ static_cast<uint32_t>(n);
  for (size_t i = 0; i < n; ++i) h = (h ^ diffs[i]) * 16777619u;
  return h;
}

struct Entry {
  uint8_t diffs[kMaxWord];
  uint8_t size;   // number of diffs (word length - 1)
  uint8_t first;  // first letter, 0..25
  uint8_t kinds;
};

struct SignatureTable {
  std::vector<Entry> entries;
  std::array<int16_t, kTableSize> slot;
  SignatureTable() {
    slot.fill(-1);
    for (const PowerShellWord& w : PowerShellVocabulary()) {
      if (w.word.size() < kMinWord || w.word.size() > kMaxWord) continue;
      if (!std::all_of(w.word.begin(), w.word.end(),
                       [](char c) { return c >= 'a' && c <= 'z'; })) {
        continue;
      }
      Entry e{};
      e.size = static_cast<uint8_t>(w.word.size() - 1);
      e.first = static_cast<uint8_t>(w.word[0] - 'a');
      e.kinds = w.kinds;
      for (size_t i = 0; i + 1 < w.word.size(); ++i) {
        e.diffs[i] = static_cast<uint8_t>((w.word[i + 1] - w.word[i] + 26) % 26);
      }
      uint32_t h = SignatureHash(e.diffs, e.size) & (kTableSize - 1);
      while (slot[h] >= 0) h = (h + 1) & (kTableSize - 1);
      slot[h] = static_cast<int16_t>(entries.size());
      entries.push_back(e);
    }
  }
};

const SignatureTable& GetSignatureTable() {
  static const SignatureTable* table = new SignatureTable();
  return *table;
}

// Adds, for each rotation, the vocabulary weight the words of `text` would
// have under it.
void CountVotes(std::string_view text, std::array<double, 26>* votes) {
  const SignatureTable& table = GetSignatureTable();
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  uint8_t diffs[kMaxWord];
  size_t i = 0;
  while (i < n) {
    if (!IsLetter(p[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < n && IsLetter(p[i])) ++i;
    const size_t len = i - start;
    if (len < kMinWord || len > kMaxWord) continue;
    // Words glued to digits or '_' are identifiers, not vocabulary.
    const uint8_t before = start > 0 ? p[start - 1] : 0;
    const uint8_t after = i < n ? p[i] : 0;
    if (before == '$' || before == '_' || (before >= '0' && before <= '9') ||
        after == '_' || (after >= '0' && after <= '9')) {
      continue;
    }
    const uint8_t before2 = start > 1 ? p[start - 2] : 0;
    const bool dash_before = before == '-' && !IsLetter(before2);
    const bool bracket_before = before == '[';
    const bool dash_noun_after = after == '-' && i + 1 < n && IsLetter(p[i + 1]);
    if (before == '-' && IsLetter(before2)) continue;  // a noun
    for (size_t k = 0; k + 1 < len; ++k) {
      diffs[k] = static_cast<uint8_t>(
          (LetterIndex(p[start + k + 1]) - LetterIndex(p[start + k]) + 26) % 26);
    }
    const size_t nd = len - 1;
    uint32_t h = SignatureHash(diffs, nd) & (kTableSize - 1);
    const uint8_t first = LetterIndex(p[start]);
    while (table.slot[h] >= 0) {
      const Entry& e = table.entries[table.slot[h]];
      h = (h + 1) & (kTableSize - 1);
      if (e.size != nd || !std::equal(diffs, diffs + nd, e.diffs)) continue;
      double w = 0;
      if ((e.kinds & kPsVerb) && dash_noun_after) {
        w = 3;
      } else if ((e.kinds & kPsOperator) && dash_before) {
        w = 2;
      } else if ((e.kinds & kPsType) && bracket_before) {
        w = 2;
      } else if (e.kinds & kPsKeyword) {
        w = 2;
      } else if (e.kinds & kPsWeakKeyword) {
        w = 0.5;
      }
      if (w > 0) (*votes)[(e.first - first + 26) % 26] += w;
    }
  }
}

}  // namespace

void RotateLetters(std::string_view text, int n, std::string* out) {
  n %= 26;
  if (n < 0) n += 26;
  std::array<char, 256> map;
  for (int c = 0; c < 256; ++c) map[c] = static_cast<char>(c);
  for (int c = 0; c < 26; ++c) {
    map['a' + c] = static_cast<char>('a' + (c + n) % 26);
    map['A' + c] = static_cast<char>('A' + (c + n) % 26);
  }
  const size_t base = out->size();
  out->resize(base + text.size());
  char* dst = out->data() + base;
  for (size_t i = 0; i < text.size(); ++i) dst[i] = map[uint8_t(text[i])];
}

int DetectRotation(std::string_view text, const RotationOptions& options,
                   RotationResult* result) {
  const std::string_view scan = text.substr(0, options.max_scan_bytes);
  std::array<double, 26> votes{};
  // Clear PowerShell shows itself in its first few KiB: stop there.
  const size_t head = std::min(scan.size(), kEarlyExitBytes);
  CountVotes(scan.substr(0, head), &votes);
  if (votes[0] >= kEarlyExitVotes &&
      *std::max_element(votes.begin() + 1, votes.end()) <= votes[0]) {
    return 0;
  }
  if (head < scan.size()) CountVotes(scan.substr(head), &votes);
  int best = 1;
  for (int r = 2; r < 26; ++r) {
    if (votes[r] > votes[best]) best = r;
  }
  if (votes[best] < options.min_votes ||
      votes[best] <= 2 * votes[0] + 2) {
    return 0;
  }
  const std::string_view sample = text.substr(0, options.sample_bytes);
  std::string rotated;
  RotateLetters(sample, best, &rotated);
  const double score = PowerShellScore(rotated);
  if (score < options.min_score || score <= PowerShellScore(sample)) return 0;
  if (result != nullptr) {
    result->n = best;
    result->votes = votes[best];
    result->original_votes = votes[0];
    result->score = score;
  }
  return best;
}

int DetectRotation(std::string_view text, RotationResult* result) {
  return DetectRotation(text, RotationOptions{}, result);
}

}  // namespace sbscan::decoders
