// Per-thread scanning state over a compiled RuleSet: scans a block's path, text and decoded
// layers with the shared Hyperscan database, the deferred patterns of the rules whose guard hit
// with those rules' own databases, and evaluates the rule conditions.
#ifndef SBSCAN_SIGNATURES_MATCHER_H_
#define SBSCAN_SIGNATURES_MATCHER_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "signatures/rule.h"
#include "signatures/rule_set.h"

struct hs_scratch;

namespace sbscan::signatures {

// At most this many matches are recorded per (rule pattern, block); all are counted.
inline constexpr int kMaxMatchesPerPattern = 8;
// PatternMatch::layer of a field:path pattern's match (offsets are into the path).
inline constexpr int kPathLayer = -1;
// PatternMatch::layer of a level pattern that held (begin = end = 0).
inline constexpr int kLevelLayer = -2;

// One recorded match. `pattern` indexes the rule's patterns; `layer` is the layer passed to
// Matcher::ScanText (0 = block text), kPathLayer or kLevelLayer; [begin, end) are byte offsets in
// that layer's text. For literals begin = end - length; for regexes begin is the leftmost start
// of a match ending at `end` found by RE2 within CompileOptions::regex_begin_window bytes (best
// effort: end - minimum width when RE2 cannot tell). Regex starts are computed at Evaluate(),
// only for the matches it reports: most regex matches belong to rules whose condition fails.
struct PatternMatch {
  uint32_t pattern;
  int layer;
  size_t begin, end;
};

// A rule whose condition held for a block. `rule` points into the RuleSet (valid while the set
// lives). `matches` lists the recorded matches of every pattern that hit, grouped by pattern in
// pattern order, in scan order within a pattern. `total_matches` counts all matches of those
// patterns (Hyperscan match ends; RE2's non-overlapping matches for prefilter regexes; 1 per
// level pattern), recorded or not. `selections` indexes the rule's Selections that held (Sigma
// rules), in rule order. `condition_held` is false only for the near misses that
// Evaluate(out, /*near_misses=*/true) adds: rules with a pattern hit whose condition failed.
struct RuleHit {
  const Rule* rule;
  std::vector<PatternMatch> matches;
  uint64_t total_matches;
  std::vector<uint32_t> selections;
  bool condition_held = true;
};

// Scanning state for one thread: owns a Hyperscan scratch sized for the set (the shared database,
// every gated regex's and every guarded rule's database), and the per-block
// match tables (allocated once, reused; no allocation per block in the steady state other than
// the RuleHit output). Not thread-safe: use one Matcher per thread; many Matchers may share one
// RuleSet. Usage per script block: Reset(); SetLevel(); ScanPath(); ScanText(text, 0);
// ScanText(layer, 1..); Evaluate(&hits). The texts passed to ScanPath/ScanText must stay valid
// (unchanged) until the block's last Evaluate(): it reads them to find regex match starts.
class Matcher {
 public:
  // Allocates the scratch. On allocation failure status() is not OK and every scan is a no-op.
  explicit Matcher(std::shared_ptr<const RuleSet> rules);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // OK unless the Hyperscan scratch could not be allocated.
  absl::Status status() const { return status_; }

  // Starts a new script block: forgets all matches and the level (no level pattern holds until
  // SetLevel()). O(expressions touched by the previous block).
  void Reset();

  // Sets the event's Level, compared with `level: N` patterns at Evaluate().
  void SetLevel(int level);

  // Scans the script's Path; only field:path patterns count matches from this scan. The view is
  // read again by Evaluate() (keep it valid until then).
  void ScanPath(std::string_view path);

  // Scans one text layer (0 = the block text, > 0 = decoded layers); only field:text patterns
  // count matches from this scan. RE2 confirmations of prefilter hits are computed before it
  // returns; the view is read again by Evaluate() for the start offsets of the regex matches it
  // reports (keep it valid until then; a layer scanned twice counts its last text). Texts of 4 GiB or more
  // are scanned up to 4 GiB - 1 bytes (counted in truncated_scans()).
  void ScanText(std::string_view text, int layer);

  // Appends one RuleHit per rule whose condition holds on the union of everything scanned since
  // Reset(), in rule order. With `near_misses` (for `sbscan explain`), also one per rule that
  // had a pattern hit but whose condition failed (condition_held = false). First scans the
  // deferred patterns (CompileOptions::defer_guarded_patterns) of every rule whose guard hit, of
  // every guarded rule with `near_misses`, over the texts they were not yet scanned on; otherwise
  // does not change the block state (may be called again, with the same result).
  void Evaluate(std::vector<RuleHit>* out, bool near_misses = false);

  const RuleSet& rule_set() const { return *rules_; }

  // Scans that Hyperscan reported as failed (should stay 0) and texts cut at 4 GiB.
  uint64_t scan_errors() const { return scan_errors_; }
  uint64_t truncated_scans() const { return truncated_scans_; }
  // Tuning counters since construction (never reset): text/path scans in which at least one
  // atom hit; confirm scans run (one gated regex's own database over one text, or the database
  // of all gated regexes when more than CompileOptions::max_confirm_scans_per_text are possible);
  // the latter alone.
  uint64_t atom_scans() const { return atom_scans_; }
  uint64_t confirm_scans() const { return confirm_scans_; }
  uint64_t combined_confirm_scans() const { return combined_confirm_scans_; }
  // Deferred passes run: one guarded rule's database over the texts of a block that its patterns
  // were not yet scanned on.
  uint64_t deferred_scans() const { return deferred_scans_; }
  // Evaluate() calls in which each rule's guard had hit (index = rule; 0 for unguarded rules):
  // blocks, when each block is evaluated once.
  const std::vector<uint64_t>& guard_hits_per_rule() const { return guard_hits_per_rule_; }
  // Single-regex confirm scans per expression index (RuleSet::expressions()).
  const std::vector<uint64_t>& confirm_scans_per_expression() const {
    return confirm_scans_per_expression_;
  }

 private:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  struct Stored {
    uint32_t expr;
    int32_t layer;
    uint32_t next;  // next Stored of the same (expression, kind), or kNone
    bool begin_known;  // false for a Hyperscan regex match until ResolveBegin()
    size_t begin, end;
  };
  struct ExprState {
    uint32_t epoch = 0;
    uint32_t candidate_scan = 0;  // scan number when last seen as a prefilter candidate
    uint32_t head[2], tail[2];
    uint32_t stored[2];
    uint64_t total[2];
    uint32_t deferred_upto;  // DeferredUpTo()
  };

  static int OnMatch(unsigned int id, unsigned long long from, unsigned long long to,
                     unsigned int flags, void* context);
  ExprState& Touch(uint32_t expr);
  void Record(uint32_t expr, int kind, int layer, size_t begin, size_t end, bool begin_known);
  // The text scanned as `layer` in this block (empty when none was).
  std::string_view TextOf(int layer) const;
  // Sets a regex match's begin from its layer's text with RE2 (once).
  void ResolveBegin(Stored& st);
  void Scan(std::string_view text, int kind, int layer);
  // One database pass over `text` in the scan state BeginScan() set (kind, layer); prefilter
  // hits are collected in candidates_ and recorded by ConfirmCandidates() over the same text.
  void BeginScan(int kind, int layer);
  void RunDatabase(const hs_database* db, std::string_view text);
  void ConfirmCandidates(std::string_view text);
  // Texts of this block (texts_ indexes) a deferred expression was scanned on: [0, result).
  uint32_t DeferredUpTo(uint32_t expr) const;
  // True when every set of the guarded rule's guard has a hit in this block.
  bool GuardHit(uint32_t rule) const;
  // Scans the deferred patterns of the rules whose guard hit (of every guarded rule with `all`)
  // over the texts they were not yet scanned on, with each rule's own database.
  void ScanDeferred(bool all);
  // Scans `db` (of the deferred expressions `exprs`) over the texts from the first one some of
  // them were not scanned on; matches of an expression on a text it was scanned on are skipped.
  void ScanDeferred(absl::Span<const uint32_t> exprs, const hs_database* db);

  std::shared_ptr<const RuleSet> rules_;
  const internal::ExpressionHot* hot_ = nullptr;
  hs_scratch* scratch_ = nullptr;
  absl::Status status_;

  uint32_t epoch_ = 1;
  uint32_t scan_number_ = 0;
  int kind_ = 0;   // of the scan in progress: 0 text, 1 path
  int layer_ = 0;  // of the scan in progress
  int level_ = std::numeric_limits<int>::min();
  std::vector<ExprState> state_;
  std::vector<uint32_t> touched_;     // expressions touched in this block
  std::vector<uint32_t> candidates_;  // prefilter expressions hit in this scan
  std::vector<Stored> stored_;
  // The views scanned in this block, for ResolveBegin: (layer, text) in scan order, and the path.
  std::vector<std::pair<int, std::string_view>> texts_;
  // Deferral: the texts_ index of the deferred pass in progress (kNone outside one).
  uint32_t deferred_text_ = kNone;
  std::string_view path_;
  // Gating: atoms seen in the scan in progress (deduplicated by atom_scan_ stamps) and the
  // FilteredRE2 regex ids they make possible.
  std::vector<int> atoms_hit_;
  std::vector<uint32_t> atom_scan_;
  std::vector<int> potentials_;  // FilteredRE2 ids, then the expression indexes kept
  // Evaluate() scratch.
  std::vector<uint8_t> hits_;          // one slot per (rule, pattern)
  std::vector<uint8_t> rule_marked_;   // per rule
  std::vector<uint32_t> rule_list_;
  uint64_t scan_errors_ = 0;
  uint64_t truncated_scans_ = 0;
  uint64_t atom_scans_ = 0;
  uint64_t confirm_scans_ = 0;
  uint64_t combined_confirm_scans_ = 0;
  uint64_t deferred_scans_ = 0;
  std::vector<uint64_t> guard_hits_per_rule_;
  std::vector<uint64_t> confirm_scans_per_expression_;
};

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_MATCHER_H_
