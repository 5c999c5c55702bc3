// sbscan CLI: exports the literal and regex patterns of a compiled rule set for other tools
// (ripgrep's pattern file, a YARA rule file), so that `sbscan bench` can time them on the same
// patterns and the same bytes. Patterns that a tool's syntax cannot express exactly are left out,
// each with its reason, never approximated.
#ifndef SBSCAN_TOOLS_SBSCAN_PATTERN_EXPORT_H_
#define SBSCAN_TOOLS_SBSCAN_PATTERN_EXPORT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "signatures/rule.h"

namespace sbscan::cli {

// The tool whose pattern syntax is written.
enum class PatternDialect {
  kRipgrep,  // Rust regex syntax, bytes mode (`rg --no-unicode`), one pattern per line
  kYara,     // YARA text strings and /regex/ strings
};

// One distinct literal or regex pattern of a rule set. Patterns are deduplicated by (regex,
// cased, value) over all rules, text and path fields alike (both live in the one Hyperscan
// database); `origin` names the first use ("rule.id/pattern_name").
struct SourcePattern {
  bool regex = false;
  bool cased = false;  // false: ASCII case-insensitive, as sbscan matches it
  std::string value;   // as written in the rule
  std::string origin;
};

// Returns the distinct literal and regex patterns of `rules`, in order of first use. Level
// patterns (`level: N`) match no text; they are only counted, in *level_patterns (may be null).
std::vector<SourcePattern> DistinctPatterns(const std::vector<signatures::Rule>& rules,
                                            size_t* level_patterns);

// `literal` as a Rust regex matching exactly its bytes (in bytes mode): ASCII letters, digits
// and '_' as they are, every other byte as \xHH.
std::string RipgrepLiteral(std::string_view literal);

// `regex` (Hyperscan/PCRE syntax, as in rule files) rewritten in Rust regex syntax with the
// same meaning in bytes mode: escaped punctuation and bytes become \xHH, named groups
// (?<n>...) become (?P<n>...), (?#...) comments are dropped, \Q...\E is quoted, \e \a \f become
// bytes. Constructs Rust's regex crate does not have (look-around, backreferences, atomic groups,
// possessive quantifiers, recursion, conditionals, \h \v \R \K \G \X \C \Z \c, octal escapes,
// Unicode classes \p) make it InvalidArgument with the reason. Syntax errors the rewrite does
// not notice are left to the tool (see PatternExport::LeaveOut).
absl::StatusOr<std::string> RipgrepRegex(std::string_view regex);

// `literal` as a YARA text string, quotes included: printable ASCII as is (with \" and \\),
// every other byte as \xHH.
std::string YaraTextString(std::string_view literal);

// `regex` rewritten in YARA regex syntax (without the enclosing slashes): as RipgrepRegex, and
// in addition (?:...) and named groups become plain groups, '/' becomes \x2f. YARA has no
// inline flags, \A, \z, POSIX classes or code points above \xFF: InvalidArgument with the
// reason.
absl::StatusOr<std::string> YaraRegex(std::string_view regex);

// A pattern written for a tool.
struct ExportedPattern {
  size_t source;     // index in PatternExport::sources
  std::string text;  // ripgrep: one pattern line; YARA: the string's definition after "$p = "
};

// A pattern that could not be written for the tool.
struct LeftOutPattern {
  size_t source;
  std::string reason;  // short, stable wording (reasons are counted by their text)
};

// The patterns of a rule set, written for one tool. Plain data.
struct PatternExport {
  PatternDialect dialect = PatternDialect::kRipgrep;
  std::vector<SourcePattern> sources;
  std::vector<ExportedPattern> exported;
  std::vector<LeftOutPattern> left_out;
  size_t level_patterns = 0;  // not text patterns; in neither list

  // Moves exported[index] to left_out with `reason` (e.g. the tool rejected it). Indexes of the
  // exported patterns after it shift down by one.
  void LeaveOut(size_t index, std::string reason);
  // Each distinct reason with its count, most frequent first (ties by reason text).
  std::vector<std::pair<std::string, size_t>> ReasonCounts() const;
  // "374 of 376 patterns; 2 left out: 1 look-around, 1 ..." (one line).
  std::string Summary() const;
};

// Collects the rule set's distinct patterns and writes each for `dialect`.
PatternExport ExportPatterns(const std::vector<signatures::Rule>& rules, PatternDialect dialect);

// exported.exported[index] as one ripgrep pattern: case-insensitive ones as (?i:...), for
// `rg --no-unicode` (ASCII case folding and bytes, as sbscan). No newline.
std::string RipgrepPatternLine(const PatternExport& exported, size_t index);

// A ripgrep pattern file (`rg -f FILE`): RipgrepPatternLine() of every exported pattern, one per
// line.
std::string RipgrepPatternFile(const PatternExport& exported);

// A YARA rule file with one rule per exported pattern, one rule per line: line i + 1 holds
// exported[i], as rule `p<i>` with the string $p (text strings and regexes `nocase` unless the
// pattern is cased).
std::string YaraRuleFile(const PatternExport& exported);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_PATTERN_EXPORT_H_
