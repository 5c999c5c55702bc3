// PowerShell's built-in list of suspicious script block content.
//
// PowerShell 5+ logs a script block as Event 4104 at level Warning (3) when
// its text contains any of these strings (ScriptBlock.SuspiciousContentChecker
// in CompiledScriptBlock.cs): a plain substring match, case-insensitive for
// ASCII letters only, no word boundaries. The list is a copy of
// shared/reference/powershell_suspicious_tokens.txt (119 strings, file order);
// the generator test checks the copy against that file when it is present.
#ifndef SBSCAN_TOOLS_GENERATOR_SUSPICIOUS_TOKENS_H_
#define SBSCAN_TOOLS_GENERATOR_SUSPICIOUS_TOKENS_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sbscan::gen {

inline constexpr size_t kSuspiciousTokenCount = 119;
extern const std::array<std::string_view, kSuspiciousTokenCount>
    kSuspiciousTokens;

// Fast matcher for kSuspiciousTokens with PowerShell's semantics. Immutable
// after construction; safe to share between threads. Use Instance().
class SuspiciousTokenMatcher {
 public:
  static const SuspiciousTokenMatcher& Instance();

  // True when `text` (UTF-8) contains any suspicious token.
  bool Contains(std::string_view text) const;

  // Index into kSuspiciousTokens of the leftmost match, or -1.
  int FirstMatch(std::string_view text) const;

  // Reference implementation (naive search), for tests.
  static bool ContainsNaive(std::string_view text);

 private:
  SuspiciousTokenMatcher();
  static uint32_t Hash(uint32_t key4) { return (key4 * 0x9E3779B1u) >> 16; }

  std::vector<uint64_t> bitmap_;       // 65536 bits, by Hash(first 4 bytes)
  std::vector<uint16_t> bucket_start_;  // 65537 offsets into bucket_tokens_
  std::vector<uint8_t> bucket_tokens_;
};

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_SUSPICIOUS_TOKENS_H_
