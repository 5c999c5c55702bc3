#include "signatures/rule_filter.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbscan::signatures {
namespace {

Rule MakeRule(std::string id, Level level, std::vector<std::string> tags,
              std::vector<std::string> techniques, std::string uuid = "") {
  Rule r;
  r.id = std::move(id);
  r.level = level;
  r.tags = std::move(tags);
  r.technique_ids = std::move(techniques);
  r.uuid = std::move(uuid);
  return r;
}

std::vector<std::string> Kept(const RuleFilter& filter) {
  std::vector<Rule> rules = {
      MakeRule("sbscan.cred.mimikatz", Level::kHigh, {"attack.t1003.001"}, {"T1003.001"}),
      MakeRule("sbscan.exec.iex", Level::kMedium, {"attack.execution", "attack.t1059.001"},
               {"T1059.001"}),
      MakeRule("sigma.0f017df3", Level::kLow, {"attack.t1070.001"}, {"T1070.001"}, "0f017df3"),
  };
  ApplyRuleFilter(filter, &rules);
  std::vector<std::string> ids;
  for (const Rule& r : rules) ids.push_back(r.id);
  return ids;
}

using ::testing::ElementsAre;

TEST(RuleFilterTest, EmptyKeepsAll) { EXPECT_EQ(Kept({}).size(), 3u); }

TEST(RuleFilterTest, MinLevel) {
  RuleFilter f;
  f.min_level = Level::kMedium;
  EXPECT_THAT(Kept(f), ElementsAre("sbscan.cred.mimikatz", "sbscan.exec.iex"));
}

TEST(RuleFilterTest, IncludeByIdTagTechniqueOrUuid) {
  RuleFilter by_id;
  by_id.include = {"sbscan.cred.*"};
  EXPECT_THAT(Kept(by_id), ElementsAre("sbscan.cred.mimikatz"));
  RuleFilter by_tag;
  by_tag.include = {"attack.execution"};
  EXPECT_THAT(Kept(by_tag), ElementsAre("sbscan.exec.iex"));
  RuleFilter by_technique;
  by_technique.include = {"t1070*"};  // case-insensitive
  EXPECT_THAT(Kept(by_technique), ElementsAre("sigma.0f017df3"));
  RuleFilter by_uuid;
  by_uuid.include = {"0F017DF3"};
  EXPECT_THAT(Kept(by_uuid), ElementsAre("sigma.0f017df3"));
  RuleFilter two;
  two.include = {"T1003.001", "sigma.*"};
  EXPECT_THAT(Kept(two), ElementsAre("sbscan.cred.mimikatz", "sigma.0f017df3"));
}

TEST(RuleFilterTest, ExcludeAppliesAfterInclude) {
  RuleFilter f;
  f.include = {"sbscan.*"};
  f.exclude = {"attack.t1059*"};
  EXPECT_THAT(Kept(f), ElementsAre("sbscan.cred.mimikatz"));
  RuleFilter only_exclude;
  only_exclude.exclude = {"*mimikatz"};
  EXPECT_THAT(Kept(only_exclude), ElementsAre("sbscan.exec.iex", "sigma.0f017df3"));
}

}  // namespace
}  // namespace sbscan::signatures
