// Loads every bundled rule file (signatures/rules/*.yml), compiles them into ONE rule set, and
// runs every embedded example through a Matcher: `match` examples must make their rule fire,
// `no_match` examples must not. Also checks coverage facts about the bundled set.

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "signatures/matcher.h"
#include "signatures/rule.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace sbscan::signatures {
namespace {

constexpr char kRulesDir[] = SBSCAN_SOURCE_DIR "/signatures/rules";

class BundledRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto rules = LoadRuleFiles({kRulesDir});
    ASSERT_TRUE(rules.ok()) << rules.status();
    auto set = RuleSet::Compile(*std::move(rules));
    ASSERT_TRUE(set.ok()) << set.status();
    set_ = new std::shared_ptr<const RuleSet>(*std::move(set));
  }
  static void TearDownTestSuite() {
    delete set_;
    set_ = nullptr;
  }
  static const RuleSet& rule_set() { return **set_; }

  static std::shared_ptr<const RuleSet>* set_;
};

std::shared_ptr<const RuleSet>* BundledRulesTest::set_ = nullptr;

bool HasTechniqueTag(const Rule& rule) {
  return std::any_of(rule.tags.begin(), rule.tags.end(), [](const std::string& tag) {
    return tag.size() > 8 && tag.compare(0, 8, "attack.t") == 0 && tag[8] >= '0' && tag[8] <= '9';
  });
}

bool HasLevelPattern(const Rule& rule) {
  return std::any_of(rule.patterns.begin(), rule.patterns.end(),
                     [](const Pattern& p) { return p.kind == Pattern::Kind::kLevel; });
}

TEST_F(BundledRulesTest, LoadsAndCompilesIntoOneSet) {
  EXPECT_GE(rule_set().rules().size(), 56u);
  EXPECT_GT(rule_set().pattern_count(), 0u);
  EXPECT_GT(rule_set().database_bytes(), 0u);
  RecordProperty("patterns", static_cast<int>(rule_set().pattern_count()));
  RecordProperty("prefilter_patterns", static_cast<int>(rule_set().prefilter_count()));
  RecordProperty("database_bytes", static_cast<int>(rule_set().database_bytes()));
  for (const auto& e : rule_set().expressions()) {
    // Informational: regexes Hyperscan could only prefilter are confirmed with RE2 (slower).
    if (e.prefilter) std::cout << "[ INFO     ] prefilter: " << e.expression << "\n";
  }
  for (const Rule& rule : rule_set().rules()) {
    EXPECT_FALSE(rule.description.empty()) << RuleLocation(rule) << ": no description";
    EXPECT_FALSE(rule.source_file.empty()) << rule.id;
    EXPECT_GT(rule.source_line, 0) << rule.id;
  }
}

TEST_F(BundledRulesTest, EveryExampleBehaves) {
  Matcher matcher(*set_);
  ASSERT_TRUE(matcher.status().ok()) << matcher.status();
  std::vector<RuleHit> hits;
  int checked = 0;
  for (const Rule& rule : rule_set().rules()) {
    for (const Example& example : rule.examples) {
      matcher.Reset();
      matcher.SetLevel(example.level);
      matcher.ScanPath(example.path);
      matcher.ScanText(example.text, 0);
      hits.clear();
      matcher.Evaluate(&hits);
      const bool fired = std::any_of(hits.begin(), hits.end(),
                                     [&](const RuleHit& h) { return h.rule == &rule; });
      EXPECT_EQ(fired, example.must_match)
          << rule.source_file << ":" << example.line << ": rule '" << rule.id << "': "
          << (example.must_match ? "match example did not fire" : "no_match example fired")
          << "\n  level=" << example.level << " path='" << example.path << "'\n  text: "
          << example.text;
      ++checked;
    }
  }
  EXPECT_EQ(matcher.scan_errors(), 0u);
  EXPECT_GT(checked, 4 * 45);
}

TEST_F(BundledRulesTest, EveryRuleHasMatchAndNoMatchExamples) {
  for (const Rule& rule : rule_set().rules()) {
    int match = 0, no_match = 0;
    for (const Example& e : rule.examples) (e.must_match ? match : no_match)++;
    EXPECT_GE(match, 1) << RuleLocation(rule) << ": no match example";
    EXPECT_GE(no_match, 1) << RuleLocation(rule) << ": no no_match example";
    if (HasLevelPattern(rule)) continue;  // a level rule's no_match is a differently levelled event
    if (HasTechniqueTag(rule)) {
      EXPECT_GE(match, 2) << RuleLocation(rule) << ": technique rules need 2+ match examples";
      EXPECT_GE(no_match, 2) << RuleLocation(rule) << ": technique rules need 2+ no_match examples";
    }
  }
}

TEST_F(BundledRulesTest, AtLeast45TechniqueRules) {
  int technique_rules = 0;
  for (const Rule& rule : rule_set().rules()) {
    if (!HasTechniqueTag(rule)) continue;
    ++technique_rules;
    EXPECT_FALSE(rule.technique_ids.empty()) << RuleLocation(rule);
    EXPECT_FALSE(rule.tactics.empty()) << RuleLocation(rule) << ": technique without tactic tag";
  }
  EXPECT_GE(technique_rules, 45);
}

TEST_F(BundledRulesTest, LevelRuleFiresOnWarningOnly) {
  const Rule* warned = nullptr;
  for (const Rule& rule : rule_set().rules()) {
    if (rule.id == "sbscan.pssuspicious.logged_warning") warned = &rule;
  }
  ASSERT_NE(warned, nullptr);
  ASSERT_TRUE(HasLevelPattern(*warned));
  Matcher matcher(*set_);
  std::vector<RuleHit> hits;
  for (int level : {0, 1, 2, 3, 4, 5}) {
    matcher.Reset();
    matcher.SetLevel(level);
    matcher.ScanText("Get-Date", 0);
    hits.clear();
    matcher.Evaluate(&hits);
    const bool fired = std::any_of(hits.begin(), hits.end(),
                                   [&](const RuleHit& h) { return h.rule == warned; });
    EXPECT_EQ(fired, level == 3) << "level " << level;
  }
}

TEST_F(BundledRulesTest, IdsFollowTheNamingScheme) {
  std::set<std::string> ids;
  for (const Rule& rule : rule_set().rules()) {
    EXPECT_TRUE(ids.insert(rule.id).second) << rule.id;
    EXPECT_EQ(rule.id.rfind("sbscan.", 0), 0u) << RuleLocation(rule);
  }
}

}  // namespace
}  // namespace sbscan::signatures
