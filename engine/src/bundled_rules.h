// sbscan: the rule files of signatures/rules/, compiled into the library.
#ifndef SBSCAN_ENGINE_SRC_BUNDLED_RULES_H_
#define SBSCAN_ENGINE_SRC_BUNDLED_RULES_H_

#include <span>
#include <string_view>

namespace sbscan {

struct BundledRuleFile {
  std::string_view name;  // "signatures/rules/<file>.yml"
  std::string_view yaml;
};

// Every bundled rule file, sorted by name. Generated at build time (embed_rules.cmake).
std::span<const BundledRuleFile> BundledRuleFiles();

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_BUNDLED_RULES_H_
