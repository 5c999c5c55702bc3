#include "decoders/text_triggers.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

#include "decoders/string_construction.h"

namespace sbscan::decoders {
namespace {

inline char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}

bool ContainsCi(std::string_view text, std::string_view lower_word) {
  const size_t m = lower_word.size();
  if (text.size() < m) return false;
  if (lower_word[0] == '[') {  // memchr to each '['
    for (size_t i = text.find('['); i != std::string_view::npos && i + m <= text.size();
         i = text.find('[', i + 1)) {
      size_t k = 1;
      while (k < m && Lower(text[i + k]) == lower_word[k]) ++k;
      if (k == m) return true;
    }
    return false;
  }
  // Boyer-Moore-Horspool on ASCII-folded bytes: skips most of the text.
  auto folded_hash = [](char c) { return std::hash<char>()(Lower(c)); };
  auto folded_equal = [](char a, char b) { return Lower(a) == Lower(b); };
  std::boyer_moore_horspool_searcher searcher(lower_word.begin(), lower_word.end(),
                                              folded_hash, folded_equal);
  return std::search(text.begin(), text.end(), searcher) != text.end();
}

inline bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'f');
}

bool MayHaveByteArray(std::string_view t) {
  const size_t n = t.size();
  size_t run = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = t[i];
    const char c1 = i + 1 < n ? t[i + 1] : 0;
    const char c2 = i + 2 < n ? t[i + 2] : 0;
    if ((c == '0' || c == '\\') && Lower(c1) == 'x' && IsHex(c2)) return true;
    if (c == '@' && c1 == '(') {  // FindByteArrays takes "@(" only before a number
      size_t j = i + 2;
      while (j < n && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n')) ++j;
      if (j < n && t[j] >= '0' && t[j] <= '9') return true;
    }
    if (Lower(c) == 'e' && c1 == '[' && c2 == ']') return true;
    const bool h = IsHex(c) || c == ' ' || c == ':' || c == '-' || c == ',';
    run = h ? run + 1 : 0;
    if (run >= 2 * kByteArrayMinBytes) return true;
  }
  return false;
}

}  // namespace

uint32_t TextTriggersScalar(std::string_view text) {
  uint32_t f = 0;
  if (ContainsCi(text, "[char")) f |= kTriggerCharCodes;
  if (MayNeedNormalization(text)) f |= kTriggerNormalize;
  if (MayHaveByteArray(text)) f |= kTriggerByteArray;
  if (ContainsCi(text, "bxor")) f |= kTriggerXorKey;
  if (text.find("76492d1116743f04") != std::string_view::npos ||
      text.find("01000000d08c9ddf") != std::string_view::npos) {
    f |= kTriggerSecureString;
  }
  if (text.find("-----BEGIN CMS") != std::string_view::npos) f |= kTriggerCms;
  return f;
}

void ScanTextWith(CandidateScanPath path, std::string_view text,
                  size_t min_run, size_t max_candidates,
                  std::vector<Candidate>* out, uint32_t* triggers) {
  FindBase64CandidatesWith(path, text, min_run, max_candidates, out);
  *triggers = TextTriggersScalar(text);
}

void ScanText(std::string_view text, size_t min_run, size_t max_candidates,
              std::vector<Candidate>* out, uint32_t* triggers) {
  ScanTextWith(ActiveCandidateScanPath(), text, min_run, max_candidates, out,
               triggers);
}

}  // namespace sbscan::decoders
