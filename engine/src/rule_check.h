// sbscan: runs the embedded examples of every rule through the full analysis (decoding
// included), as `sbscan rules check` and the tests do.
#ifndef SBSCAN_ENGINE_SRC_RULE_CHECK_H_
#define SBSCAN_ENGINE_SRC_RULE_CHECK_H_

#include <memory>
#include <string>
#include <vector>

#include "sbscan/options.h"
#include "signatures/rule_set.h"

namespace sbscan {

struct ExampleFailure {
  std::string file;
  int line = 0;
  std::string rule_id;
  std::string message;  // "should match but did not: <example>" / "should not match but did: ..."
};

// Checks every example of every rule in `rules`: a `match` example must make its rule fire, a
// `no_match` example must not. Each example is analyzed as a complete 1-of-1 block.
std::vector<ExampleFailure> CheckRuleExamples(std::shared_ptr<const signatures::RuleSet> rules,
                                              const AnalysisOptions& options = {});

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_RULE_CHECK_H_
