// A cheap "does this text look like PowerShell?" scorer, shared by the
// decoders that must recognise a correct decoding without a marker (XOR key
// recovery, letter rotation) and available to the layered driver.
#ifndef SBSCAN_DECODERS_POWERSHELL_SCORE_H_
#define SBSCAN_DECODERS_POWERSHELL_SCORE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sbscan::decoders {

// Counts gathered in one pass over a text. NUL bytes are skipped everywhere
// (not counted, they do not split words), so ASCII text in UTF-16LE counts
// exactly like its UTF-8 form. Matching is ASCII case-insensitive.
struct PowerShellFeatures {
  size_t chars = 0;      // non-NUL bytes
  size_t printable = 0;  // ASCII 0x20-0x7E, \t, \r, \n
  size_t high = 0;       // bytes >= 0x80 (non-ASCII text or binary)
  size_t words = 0;      // identifier-like runs ([A-Za-z_][A-Za-z0-9_]*),
                         // variable names excluded
  size_t cmdlets = 0;    // Verb-Noun with an approved/common verb
  size_t keywords = 0;   // strong keywords and aliases: function, param,
                         // foreach, elseif, iex, new-object ...
  size_t weak_keywords = 0;  // keywords that are also English words: if,
                             // in, for, do, end, return, while ...
  size_t variables = 0;  // $name, ${name}, $_ ($ followed by [A-Za-z_{])
  size_t operators = 0;  // -eq -join -split -bxor -replace -f ... (whole)
  size_t parameters = 0;  // other -Name words after a non-word character
  size_t types = 0;      // [char] [byte[]] [Convert] [System.x] ...
  size_t statics = 0;    // "]::" static member access
};

// Fills `*features` (reset first) from `text`. Linear, single pass, no
// allocation. Thread-safe.
void ComputePowerShellFeatures(std::string_view text,
                               PowerShellFeatures* features);

// Combines the features into a score in [0, 1]:
//   strong  = 3*cmdlets + 2*(keywords + operators + types) + statics
//   weak    = min(weak_keywords/2 + variables/2 + parameters/4, strong + 1)
//   signal  = strong + weak
//   density = signal / (words + variables)          -> saturates at 0.25
//   amount  = signal                                -> saturates at 8
//   text    = (printable + high/2) / chars          -> 0 below 0.80, 1 at 0.95
//   score   = text * (0.6 * density' + 0.4 * amount')
// Ordinary scripts score 0.7-1.0; English prose, identifiers and random
// printable bytes stay below 0.3 (variables, parameters and English-like
// keywords cannot make a score without the strong vocabulary); binary
// scores 0. Thread-safe.
double PowerShellScoreFromFeatures(const PowerShellFeatures& features);

// ComputePowerShellFeatures + PowerShellScoreFromFeatures. Thread-safe.
double PowerShellScore(std::string_view text);

// Score at or above which a text is taken for PowerShell by the decoders
// that guess (XOR key recovery, DetectRotation).
inline constexpr double kPowerShellScoreThreshold = 0.5;

// The "strong" vocabulary weight of `features` above (cmdlets, keywords,
// operators, types, statics). Thread-safe.
double PowerShellVocabularySignal(const PowerShellFeatures& features);

// Categories of a vocabulary word (bit set).
enum PowerShellWordKind : uint8_t {
  kPsVerb = 1,         // counts as a cmdlet when followed by "-Noun"
  kPsKeyword = 2,      // strong keyword or alias, counted as a bare word
  kPsWeakKeyword = 4,  // keyword that is also a common English word
  kPsOperator = 8,     // counts when written "-word"
  kPsType = 16,        // counts when written "[word"
};

// One vocabulary word, lower case.
struct PowerShellWord {
  std::string_view word;
  uint8_t kinds;  // PowerShellWordKind bits
};

// The fixed vocabulary the scorer and DetectRotation use (static storage,
// lower case, unique words). Thread-safe.
std::span<const PowerShellWord> PowerShellVocabulary();

// Kinds of the lower-case `word` in the vocabulary, 0 when absent. O(1).
// Thread-safe.
uint8_t LookupPowerShellWord(std::string_view lower_word);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_POWERSHELL_SCORE_H_
