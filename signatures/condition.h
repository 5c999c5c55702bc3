// Rule conditions: boolean expressions over a rule's pattern names, parsed once into postfix
// bytecode over pattern indices and evaluated per script block on the set of patterns that hit.
#ifndef SBSCAN_SIGNATURES_CONDITION_H_
#define SBSCAN_SIGNATURES_CONDITION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace sbscan::signatures {

// True when `name` can name a pattern: [A-Za-z0-9_]+, not all digits, and not a condition
// keyword (and, or, not, of, them, all; compared ASCII case-insensitively).
bool IsValidPatternName(std::string_view name);

// A compiled condition. Grammar (keywords ASCII case-insensitive, precedence not > and > or):
//   expr    := and ('or' and)*        and := unary ('and' unary)*
//   unary   := 'not' unary | '(' expr ')' | quant | NAME
//   quant   := (N | 'all') 'of' ('them' | NAME | PREFIX*)      N >= 1
// Immutable after Parse(); Evaluate() is const, allocation-free and thread-safe.
class Condition {
 public:
  // Maximum nesting of the postfix evaluation stack (deeper conditions are rejected).
  static constexpr int kMaxDepth = 64;

  // Parses `text` against the rule's pattern names (index i names pattern i). Fails with
  // InvalidArgument for a syntax error, an unknown name, a quantifier that selects no pattern,
  // `N of` with N larger than the patterns it selects, or nesting deeper than kMaxDepth. The
  // message names the offending token and its column, but not the rule (the caller adds that).
  static absl::StatusOr<Condition> Parse(std::string_view text,
                                         const std::vector<std::string>& pattern_names);

  // Evaluates on `hits`, where hits[i] != 0 when pattern i hit. `hits` must have at least as
  // many entries as the pattern names given to Parse().
  bool Evaluate(absl::Span<const uint8_t> hits) const;

  // Sets of pattern indices such that, whenever the condition holds, at least one pattern of
  // every returned set hit ("guards"): a pattern gives {{p}}; `a and b` the sets of both; `a or b`
  // the pairwise unions; `N of L` the set L (and each {p} of L when N = |L|); `not a` none.
  // Sets are sorted and deduplicated; a set larger than `max_set_size` is dropped, and at most
  // `max_sets` are kept per step (dropping sets is always sound: fewer guards). Empty when the
  // condition can hold with no pattern hit (e.g. `not a`).
  std::vector<std::vector<uint32_t>> RequiredSets(size_t max_sets, size_t max_set_size) const;

  // A fully parenthesised rendering with pattern indices ("(p0 and not p1)"), for tests/debug.
  std::string DebugString() const;

 private:
  enum class Op : uint8_t { kPattern, kNot, kAnd, kOr, kAtLeast };
  struct Instr {
    Op op;
    uint32_t a = 0;  // kPattern: pattern index; kAtLeast: first index in list_
    uint32_t b = 0;  // kAtLeast: number of indices in list_
    uint32_t n = 0;  // kAtLeast: threshold
  };
  friend class ConditionParser;
  std::vector<Instr> code_;
  std::vector<uint32_t> list_;
};

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_CONDITION_H_
