// A compiled, immutable set of rules: every text and path pattern of every rule in ONE
// Hyperscan block-mode database, plus the per-rule conditions and the tables the Matcher needs.
#ifndef SBSCAN_SIGNATURES_RULE_SET_H_
#define SBSCAN_SIGNATURES_RULE_SET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "signatures/condition.h"
#include "signatures/rule.h"

struct hs_database;
namespace re2 {
class RE2;
}

namespace sbscan::signatures {

// Limits and switches for RuleSet::Compile(). Defaults suit untrusted rule files: they bound
// compile time and memory. Validated once by Compile() (zero limits are rejected).
struct CompileOptions {
  size_t max_rules = 100000;             // rules in one set
  size_t max_patterns_per_rule = 1000;   // patterns of one rule (all kinds)
  size_t max_pattern_bytes = 8192;       // bytes of one literal or regex as written
  size_t max_expressions = 1000000;      // distinct Hyperscan expressions in the database
  size_t max_condition_bytes = 65536;    // length of one condition
  // Bytes before a regex match's end searched by RE2 for its start offset (Matcher).
  size_t regex_begin_window = 4096;
  // Memory budget of each RE2 object (confirmation and start-offset regexes).
  int64_t re2_max_mem = 8 << 20;
  // Compile every regex in Hyperscan prefilter mode and confirm every candidate with RE2. Slower;
  // meant for differential testing of the prefilter/confirm path.
  bool force_prefilter = false;
};

class Matcher;

namespace internal {

// One (rule, pattern) that a database expression stands for.
struct Target {
  uint32_t rule;
  uint32_t pattern;
};

// One distinct Hyperscan expression (deduplicated by expression text and flags).
struct Expression {
  Expression();
  ~Expression();
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;

  std::string expression;  // as given to Hyperscan (literals escaped as \xHH)
  unsigned flags = 0;      // HS_FLAG_*
  bool literal = false;
  bool prefilter = false;  // compiled with HS_FLAG_PREFILTER; hits are confirmed with `confirm`
  uint32_t literal_length = 0;  // bytes, for literals
  uint32_t min_width = 0;       // from hs_expression_info
  std::vector<Target> targets[2];  // [0]: field:text patterns, [1]: field:path patterns
  std::unique_ptr<re2::RE2> confirm;       // prefilter: the regex itself (Latin-1 / bytes)
  std::unique_ptr<re2::RE2> anchored_end;  // exact regex: "(?:re)\z", to find match starts
};

// The per-expression facts the scan callback reads, packed for cache locality.
struct ExpressionHot {
  uint8_t kinds = 0;  // bit 0: has text targets, bit 1: has path targets
  bool prefilter = false;
  bool literal = false;
  uint32_t literal_length = 0;
};

// Returns `literal` as a Hyperscan regex matching exactly its bytes: ASCII letters and digits
// as is, every other byte as \xHH.
std::string EscapeLiteral(std::string_view literal);

// Per-rule compiled data.
struct CompiledRule {
  Condition condition;
  uint32_t hit_offset = 0;             // first slot of this rule in the Matcher's hit bitmap
  std::vector<int32_t> pattern_expr;   // expression index per pattern, -1 for level patterns
  bool has_level_pattern = false;
};

}  // namespace internal

// An immutable compiled rule set. Create with Compile(); share as
// std::shared_ptr<const RuleSet> between any number of threads (every method is const and
// thread-safe); each thread scans with its own Matcher. Reload = compile a new set, swap the
// pointer; Matchers keep their set alive.
class RuleSet {
 public:
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Validates `rules` (limits in `options`, unique ids, conditions, regex syntax) and compiles
  // all their literal and regex patterns, path and text alike, into one Hyperscan database.
  // Regexes Hyperscan cannot compile exactly are compiled in prefilter mode and confirmed with
  // RE2 at scan time. Errors are InvalidArgument (ResourceExhausted for limits) and name the
  // rule's file, line and id and the pattern. An empty rule list gives an empty, valid set.
  static absl::StatusOr<std::shared_ptr<const RuleSet>> Compile(
      std::vector<Rule> rules, const CompileOptions& options = {});

  // The rules, in the order given to Compile(). Rule pointers stay valid for the set's lifetime.
  const std::vector<Rule>& rules() const { return rules_; }
  // Number of distinct expressions in the Hyperscan database.
  size_t pattern_count() const { return expressions_.size(); }
  // Number of expressions compiled in prefilter mode (confirmed with RE2).
  size_t prefilter_count() const;
  // hs_database_size() of the database (0 for a set without text/path patterns).
  size_t database_bytes() const { return database_bytes_; }
  // Wall time spent in Compile(), validation included.
  double compile_seconds() const { return compile_seconds_; }
  const CompileOptions& options() const { return options_; }
  // The compiled expression table (index = Hyperscan expression id). For tools and tests.
  const std::vector<internal::Expression>& expressions() const { return expressions_; }

 private:
  friend class Matcher;
  RuleSet() = default;

  std::vector<Rule> rules_;
  std::vector<internal::CompiledRule> compiled_;
  std::vector<internal::Expression> expressions_;
  std::vector<internal::ExpressionHot> hot_;
  std::vector<uint32_t> true_on_empty_;  // rules whose condition holds with no hit
  std::vector<uint32_t> level_rules_;    // rules with at least one level pattern
  size_t hit_slots_ = 0;                 // total patterns over all rules
  hs_database* database_ = nullptr;
  size_t database_bytes_ = 0;
  double compile_seconds_ = 0;
  CompileOptions options_;
};

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_RULE_SET_H_
