// sbscan: an Alert as one JSON line (ECS names where ECS has them, the rest under sbscan.*).
#ifndef SBSCAN_ENGINE_SRC_ALERT_JSON_H_
#define SBSCAN_ENGINE_SRC_ALERT_JSON_H_

#include <string>

#include "sbscan/alert.h"

namespace sbscan {

// Appends the alert as one JSON object and a '\n'. The shape is the one in DESIGN.md.
void AppendAlertJson(const Alert& alert, std::string* out);

// The parts of that object that depend on the rule only, for RuleInfo::json_rule and
// RuleInfo::json_sbscan_rule: what AppendAlertJson writes for `rule` when those are empty.
void AppendRuleJson(const RuleInfo& rule, std::string* out);
void AppendSbscanRuleJson(const RuleInfo& rule, std::string* out);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_ALERT_JSON_H_
