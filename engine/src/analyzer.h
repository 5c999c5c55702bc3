// sbscan: analyzes one script block: scan, decode and rescan each layer, evaluate rules.
#ifndef SBSCAN_ENGINE_SRC_ANALYZER_H_
#define SBSCAN_ENGINE_SRC_ANALYZER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "decoders/layered_decoder.h"
#include "sbscan/alert.h"
#include "sbscan/options.h"
#include "sbscan/script_block.h"
#include "sbscan/stats.h"
#include "signatures/matcher.h"
#include "signatures/rule_set.h"

namespace sbscan {

// Scans a block's text with the single compiled database, decodes its hidden payloads layer by
// layer (each layer scanned with the same database, within the decode limits), evaluates every
// rule once on all that hit, and raises one Alert per (block, rule). Never executes anything.
// Not thread-safe: one per thread; the rule set is shared and immutable.
class Analyzer {
 public:
  using OnAlert = absl::FunctionRef<void(const Alert&)>;

  Analyzer(std::shared_ptr<const signatures::RuleSet> rules, const AnalysisOptions& options);

  void Analyze(const ScriptBlock& block, OnAlert on_alert);
  // Analyzes the next blocks with `rules` (a reload); counters go on. On error (the scratch
  // could not be allocated) the current rules stay.
  absl::Status SetRules(std::shared_ptr<const signatures::RuleSet> rules);

  const AnalysisStats& stats() const { return stats_; }

 private:
  std::string_view LayerText(const ScriptBlock& block, int layer) const;
  void BuildAlert(const ScriptBlock& block, const signatures::RuleHit& hit, Alert* alert);
  void ScoreObfuscation(const ScriptBlock& block, OnAlert on_alert);

  std::shared_ptr<const signatures::RuleSet> rules_;
  AnalysisOptions options_;
  std::unique_ptr<signatures::Matcher> matcher_;
  decoders::LayeredDecoder decoder_;
  AnalysisStats stats_;
  // Scratch reused across blocks.
  std::vector<signatures::RuleHit> hits_;
  std::vector<AlertMatch> matches_;
  std::vector<DecodeStep> path_;
  std::vector<std::string_view> selections_;
  std::vector<int> layer_slot_;  // layer index -> position in decoder_.layers()
  // Per rule of rules_ (by index), its RuleInfo::json_rule / json_sbscan_rule, rendered at the
  // rule's first alert; bounded by the rule count, dropped with the rules by SetRules.
  struct RuleJson {
    std::string rule, sbscan_rule;  // rule is never empty once rendered
  };
  std::vector<RuleJson> rule_json_;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_ANALYZER_H_
