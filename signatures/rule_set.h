// A compiled, immutable set of rules: every text and path pattern of every rule in ONE
// Hyperscan block-mode database, plus the per-rule conditions and the tables the Matcher needs.
#ifndef SBSCAN_SIGNATURES_RULE_SET_H_
#define SBSCAN_SIGNATURES_RULE_SET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "signatures/condition.h"
#include "signatures/rule.h"

struct hs_database;
namespace re2 {
class RE2;
class FilteredRE2;
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
  // Gate regexes with their required literal factors ("atoms", from re2::FilteredRE2): the one
  // database holds the literals, the atoms (caseless) and only the regexes without usable atoms;
  // every other regex gets its own small database, scanned over a text only when the atoms found
  // in that text satisfy the regex's AND/OR atom formula. Same matches as false (the single
  // database with every regex). Off by default: measured on the bundled rules and generated
  // Winlogbeat text it was ~2x SLOWER (hundreds of caseless atoms slow Hyperscan's literal
  // matcher to ~0.3 GB/s, and the bundled regexes' atoms are common PowerShell words).
  bool gate_regexes_with_atoms = false;
  // Shortest atom kept (bytes, >= 1). Shorter factors are dropped from a regex's formula (an AND
  // loses a term, an OR of them makes the regex ungated), so they never fire a confirm scan.
  int min_atom_length = 3;
  // A regex whose atom formula needs more distinct atoms than this (long alternations, which
  // Hyperscan already matches as literals) stays in the shared database: every atom is one more
  // literal in the shared database, and hundreds of them slow its literal matcher down.
  int max_atoms_per_gated_regex = 16;
  // When more gated regexes than this are possible on one text, the Matcher scans the text once
  // with a database of all gated regexes instead of once per possible regex (same matches: a
  // regex whose atoms are absent cannot match). 0: always that one combined scan.
  int max_confirm_scans_per_text = 6;
  // Defer the patterns a rule needs only once it can hold. Each rule keeps a "guard" in the
  // shared database: a set of its patterns of which one must hit whenever its condition holds
  // (Condition::RequiredSets), the one with the longest literal factors. The rule's other
  // field:text patterns move to a "deferred" database of that rule, scanned over every layer of
  // a block at Matcher::Evaluate() only when the rule's guard hit (always for near misses). An
  // expression is deferred only when every rule using it defers it (and it is neither gated nor
  // an atom). Same matches as false; blocks that arm no guard skip those patterns entirely.
  bool defer_guarded_patterns = true;
  // Weakest guard used: every pattern of a guard must contain literal factors of at least this
  // many bytes (LiteralFactorLength); a rule without such a guard defers nothing. Short factors
  // hit in most blocks, and one guard hit arms the deferred scan of the whole block.
  int min_guard_factor_length = 3;
  // Required sets in one rule's guard (>= 1), all of which must hit: each more keeps a few more
  // patterns in the shared database and arms the deferred scan on fewer blocks.
  int guard_sets_per_rule = 2;
  // Take a required set that names an everyday PowerShell token (Invoke-Command,
  // Set-ItemProperty, New-ItemProperty, System.Management.Automation) as a guard only after every
  // other candidate: such a guard hits in a large share of ordinary blocks and arms the deferred
  // scan there. A cost choice only: any required set gives the same matches.
  bool demote_common_guards = true;
};

class Matcher;

namespace internal {

// One (rule, pattern) that a database expression stands for.
struct Target {
  uint32_t rule;
  uint32_t pattern;
};

// Frees a Hyperscan database (hs_free_database); for std::unique_ptr.
struct HsDatabaseDeleter {
  void operator()(hs_database* db) const;
};
using HsDatabasePtr = std::unique_ptr<hs_database, HsDatabaseDeleter>;

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
  // The regex with its large counted repetitions relaxed (regex_relax.h), "(?:relaxed)\z": finds a
  // start candidate that anchored_end confirms. Null when nothing is relaxed.
  std::unique_ptr<re2::RE2> relaxed_end;
  // Gated regex (CompileOptions::gate_regexes_with_atoms): not in the shared database; scanned
  // with `gate_database` (this expression alone, Hyperscan id = its index) when its atoms hit.
  bool gated = false;
  HsDatabasePtr gate_database;
  // Deferred (CompileOptions::defer_guarded_patterns): not in the shared database; in the
  // deferred ones, scanned only when a guard of a rule using it hit.
  bool deferred = false;
  // Every match contains literal factors of at least this many bytes (the literal's length;
  // LiteralFactorLength for a regex, capped at 16). Chooses guards.
  uint32_t factor_length = 0;
};

// The per-expression facts the scan callback reads, packed for cache locality.
// Indexed by Hyperscan id: expression ids first, then atom-only ids (kinds = 0).
struct ExpressionHot {
  uint8_t kinds = 0;  // bit 0: has text targets, bit 1: has path targets
  bool prefilter = false;
  bool literal = false;
  uint32_t literal_length = 0;
  int32_t atom = -1;  // FilteredRE2 atom index this id also reports, or -1
};

// Returns `literal` as a Hyperscan regex matching exactly its bytes: ASCII letters and digits
// as is, every other byte as \xHH.
std::string EscapeLiteral(std::string_view literal);

// Per-rule compiled data.
struct CompiledRule {
  Condition condition;
  std::vector<Condition> selections;   // parsed Rule::selections, same order
  uint32_t hit_offset = 0;             // first slot of this rule in the Matcher's hit bitmap
  std::vector<int32_t> pattern_expr;   // expression index per pattern, -1 for level patterns
  bool has_level_pattern = false;
  // The guard, when this rule defers patterns: (expression, kind) of each pattern of its sets,
  // kind 0 text, 1 path; set i ends at guard_ends[i]. The deferred scan is armed when every set
  // has a hit.
  std::vector<std::pair<uint32_t, int>> guard;
  std::vector<uint32_t> guard_ends;
  // The deferred expressions among this rule's patterns, and a database of them alone.
  std::vector<uint32_t> deferred;
  HsDatabasePtr deferred_database;
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
  // all their literal and regex patterns, path and text alike, into one Hyperscan database
  // (with gate_regexes_with_atoms: literals, atoms and ungated regexes in the one database, one
  // small database per gated regex). Regexes Hyperscan cannot compile exactly are compiled in
  // prefilter mode and confirmed with RE2 at scan time. Errors are InvalidArgument (ResourceExhausted for limits) and name the
  // rule's file, line and id and the pattern. An empty rule list gives an empty, valid set.
  static absl::StatusOr<std::shared_ptr<const RuleSet>> Compile(
      std::vector<Rule> rules, const CompileOptions& options = {});

  // The rules, in the order given to Compile(). Rule pointers stay valid for the set's lifetime.
  const std::vector<Rule>& rules() const { return rules_; }
  // Number of distinct pattern expressions (literals and regexes, gated or not; atoms that are
  // not also a literal pattern are not counted).
  size_t pattern_count() const { return expressions_.size(); }
  // Number of expressions compiled in prefilter mode (confirmed with RE2).
  size_t prefilter_count() const;
  // Regex expressions scanned only when their atoms hit (0 without gate_regexes_with_atoms).
  size_t gated_regex_count() const { return gated_count_; }
  // Regex expressions in the shared database: without usable atoms (FilteredRE2 "unfiltered"),
  // rejected by RE2, or every regex when gating is off.
  size_t unfiltered_regex_count() const { return unfiltered_count_; }
  // Expressions in the deferred database (0 without defer_guarded_patterns), and the rules
  // whose guard arms it.
  size_t deferred_count() const { return deferred_count_; }
  size_t guarded_rule_count() const { return guarded_rules_.size(); }
  // Distinct atoms (lowercase byte strings) in the shared database, caseless; an atom equal to a
  // caseless literal pattern shares that literal's expression. Index = FilteredRE2 atom id.
  size_t atom_count() const { return atoms_.size(); }
  const std::vector<std::string>& atoms() const { return atoms_; }
  // hs_database_size() of the shared database plus every gated regex's database (0 for a set
  // without text/path patterns).
  size_t database_bytes() const { return database_bytes_; }
  // Wall time spent in Compile(), validation included.
  double compile_seconds() const { return compile_seconds_; }
  const CompileOptions& options() const { return options_; }
  // The compiled expression table (index = Hyperscan expression id). For tools and tests.
  const std::vector<internal::Expression>& expressions() const { return expressions_; }

 private:
  friend class Matcher;
  RuleSet() = default;
  // Extracts atoms for every regex expression with FilteredRE2 and marks the gated ones;
  // `regex_source`/`regex_cased` are per expression.
  absl::Status PlanGates(const std::vector<std::string>& regex_source,
                         const std::vector<bool>& regex_cased);
  // Chooses each rule's guard and marks the deferred expressions.
  void PlanDeferral(const std::vector<std::string>& regex_source,
                    const std::vector<bool>& regex_cased);

  std::vector<Rule> rules_;
  std::vector<internal::CompiledRule> compiled_;
  std::vector<internal::Expression> expressions_;
  std::vector<internal::ExpressionHot> hot_;
  std::vector<uint32_t> true_on_empty_;  // rules whose condition holds with no hit
  std::vector<uint32_t> level_rules_;    // rules with at least one level pattern
  size_t hit_slots_ = 0;                 // total patterns over all rules
  hs_database* database_ = nullptr;
  size_t database_bytes_ = 0;
  // What Matcher::ScanPath scans: nothing without field:path patterns; path_database_ (only the
  // expressions with a field:path target) when none of those is gated; else database_ (a gated
  // regex's atoms lie there).
  internal::HsDatabasePtr path_database_;
  const hs_database* path_scan_database_ = nullptr;
  // Gating (empty without gate_regexes_with_atoms or without gated regexes).
  std::unique_ptr<re2::FilteredRE2> filter_;
  std::vector<int32_t> filter_expr_;  // FilteredRE2 regex id -> expression index; -1: ungated
  std::vector<std::string> atoms_;
  internal::HsDatabasePtr gated_database_;  // every gated regex (id = expression index)
  size_t gated_count_ = 0;
  // Deferral (empty without defer_guarded_patterns or without deferred expressions).
  std::vector<uint32_t> guarded_rules_;      // rules with a guard, in rule order
  size_t deferred_count_ = 0;
  size_t unfiltered_count_ = 0;
  double compile_seconds_ = 0;
  CompileOptions options_;
};

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_RULE_SET_H_
