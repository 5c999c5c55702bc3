#include "signatures/rule_set.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hs/hs.h>

#include "signatures/rule_loader.h"

namespace sbscan::signatures {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<std::shared_ptr<const RuleSet>> CompileYaml(const std::string& yaml,
                                                           const CompileOptions& options = {}) {
  auto rules = ParseRules(yaml, "set.yml");
  if (!rules.ok()) return rules.status();
  return RuleSet::Compile(*std::move(rules), options);
}

std::string ErrorOf(const std::string& yaml, const CompileOptions& options = {}) {
  auto set = CompileYaml(yaml, options);
  return set.ok() ? "OK" : std::string(set.status().message());
}

TEST(RuleSetTest, OneDatabaseWithDistinctExpressions) {
  auto set = CompileYaml(R"(
id: a
title: A
level: low
patterns:
  x: Invoke-Expression
  y: {regex: 'iex\s*\('}
  z: {literal: 'Invoke-Expression', cased: true}
  w: {literal: '\evil.ps1', field: path}
  l: {level: 3}
---
id: b
title: B
level: low
patterns:
  x: INVOKE-EXPRESSION
  y: {regex: 'iex\s*\('}
  y2: {regex: 'iex\s*\(', cased: true}
  w: {literal: '\EVIL.ps1'}
)");
  ASSERT_TRUE(set.ok()) << set.status();
  // invoke-expression (caseless), invoke-expression (cased), iex regex caseless, iex cased,
  // \evil.ps1 (shared by a path pattern and a text pattern).
  EXPECT_EQ((*set)->pattern_count(), 5u);
  EXPECT_GT((*set)->database_bytes(), 0u);
  EXPECT_GT((*set)->compile_seconds(), 0.0);
  EXPECT_EQ((*set)->prefilter_count(), 0u);
  const auto& exprs = (*set)->expressions();
  size_t fanned = 0;
  for (const auto& e : exprs) fanned += e.targets[0].size() + e.targets[1].size();
  EXPECT_EQ(fanned, 8u);  // every text/path pattern of every rule
  EXPECT_EQ(exprs[0].expression, "invoke\\x2dexpression");
  EXPECT_EQ(exprs[0].flags, static_cast<unsigned>(HS_FLAG_CASELESS));
}

TEST(RuleSetTest, EscapeLiteral) {
  EXPECT_EQ(internal::EscapeLiteral("a.b*c\\d"), "a\\x2eb\\x2ac\\x5cd");
  EXPECT_EQ(internal::EscapeLiteral(std::string("\0\xff", 2)), "\\x00\\xff");
}

TEST(RuleSetTest, ForcedPrefilterUsesRe2) {
  CompileOptions options;
  options.force_prefilter = true;
  auto set = CompileYaml("id: a\ntitle: A\nlevel: low\npatterns:\n  r: {regex: 'a+b'}\n  "
                         "l: lit\n", options);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->prefilter_count(), 1u);
  EXPECT_TRUE((*set)->expressions()[0].flags & HS_FLAG_PREFILTER);
  EXPECT_NE((*set)->expressions()[0].confirm, nullptr);
}

TEST(RuleSetTest, RegexErrorsNamePattern) {
  // Hyperscan prefilter mode accepts a backreference, RE2 does not: an error, not a fallback.
  EXPECT_THAT(ErrorOf("id: r.a\ntitle: A\nlevel: low\npatterns:\n  x: foo\n  bad: {regex: "
                      "'(a)\\1'}\n"),
              HasSubstr("set.yml:6: rule 'r.a': pattern 'bad': invalid regex '(a)\\1': "
                        "Hyperscan: Back-references are unsupported"));
  // Valid RE2, but Hyperscan supports it in neither mode.
  EXPECT_THAT(ErrorOf("id: r.a\ntitle: A\nlevel: low\npatterns:\n  bad: {regex: 'a(?:$)?b'}\n"),
              HasSubstr("set.yml:5: rule 'r.a': pattern 'bad': regex 'a(?:$)?b' is valid RE2 "
                        "but Hyperscan cannot compile it"));
  EXPECT_THAT(ErrorOf("id: r.a\ntitle: A\nlevel: low\npatterns:\n  e: {regex: 'x*'}\n"),
              HasSubstr("set.yml:5: rule 'r.a': pattern 'e': regex 'x*' can match the empty"));
  EXPECT_THAT(ErrorOf("id: r.a\ntitle: A\nlevel: low\npatterns:\n  e: {regex: '(unclosed'}\n"),
              HasSubstr("set.yml:5: rule 'r.a': pattern 'e': invalid regex '(unclosed'"));
}

TEST(RuleSetTest, CombinedCompileErrorMapsToRule) {
  // Too large for Hyperscan in both modes; alone it passes hs_expression_info, so the error
  // comes from the combined hs_compile_multi and is mapped back by expression index.
  EXPECT_THAT(ErrorOf("id: r.ok\ntitle: A\nlevel: low\npatterns:\n  x: foo\n---\n"
                      "id: r.big\ntitle: B\nlevel: low\npatterns:\n  y: bar\n"
                      "  big: {regex: '(?:\\w\\W){1000}(?:\\d\\D){200}'}\n"),
              HasSubstr("set.yml:12: rule 'r.big': pattern 'big': Hyperscan cannot compile "
                        "'(?:\\w\\W){1000}(?:\\d\\D){200}': Pattern is too large"));
}

TEST(RuleSetTest, ConditionErrorsNameRule) {
  EXPECT_THAT(ErrorOf("id: r.c\ntitle: A\nlevel: low\npatterns: {x: foo}\ncondition: x and y\n"),
              HasSubstr("set.yml:1: rule 'r.c': condition 'x and y': unknown pattern name 'y'"));
  EXPECT_THAT(ErrorOf("id: r.c\ntitle: A\nlevel: low\npatterns: {x: foo}\ncondition: 1 of s*\n"),
              HasSubstr("set.yml:1: rule 'r.c': condition '1 of s*': quantifier selects no"));
}

TEST(RuleSetTest, DuplicateIdsAcrossSources) {
  auto a = ParseRules("id: dup\ntitle: A\nlevel: low\npatterns: {x: foo}\n", "a.yml");
  auto b = ParseRules("\nid: dup\ntitle: B\nlevel: low\npatterns: {x: foo}\n", "b.yml");
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<Rule> rules = *a;
  rules.push_back((*b)[0]);
  rules.back().ruleset = "sigma";
  auto set = RuleSet::Compile(rules);
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(std::string(set.status().message()),
              HasSubstr("b.yml:2: rule 'dup': duplicate rule id (first defined at a.yml:1"));
}

TEST(RuleSetTest, Limits) {
  CompileOptions options;
  options.max_pattern_bytes = 4;
  EXPECT_THAT(ErrorOf("id: r\ntitle: A\nlevel: low\npatterns:\n  x: abcdef\n", options),
              HasSubstr("set.yml:5: rule 'r': pattern 'x': 6 bytes; the limit is 4"));
  options = {};
  options.max_patterns_per_rule = 1;
  EXPECT_THAT(ErrorOf("id: r\ntitle: A\nlevel: low\npatterns: {x: a1, y: b2}\n", options),
              HasSubstr("set.yml:1: rule 'r': 2 patterns; the limit is 1"));
  options = {};
  options.max_rules = 1;
  EXPECT_THAT(ErrorOf("id: r\ntitle: A\nlevel: low\npatterns: {x: a1}\n---\n"
                      "id: s\ntitle: A\nlevel: low\npatterns: {x: a1}\n",
                      options),
              HasSubstr("2 rules; the limit is 1"));
  options = {};
  options.max_rules = 0;
  EXPECT_THAT(ErrorOf("id: r\ntitle: A\nlevel: low\npatterns: {x: a1}\n", options),
              HasSubstr("every limit must be positive"));
  // The default pattern-length limit accepts 8 KiB literals and compiles them.
  std::string big(8192, 'q');
  EXPECT_EQ(ErrorOf("id: r\ntitle: A\nlevel: low\npatterns:\n  x: " + big + "\n"), "OK");
  EXPECT_THAT(ErrorOf("id: r\ntitle: A\nlevel: low\npatterns:\n  x: " + big + "q\n"),
              HasSubstr("8193 bytes; the limit is 8192"));
}

TEST(RuleSetTest, EmptySetAndLevelOnlySet) {
  auto empty = RuleSet::Compile({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->pattern_count(), 0u);
  EXPECT_EQ((*empty)->database_bytes(), 0u);
  auto level = CompileYaml("id: r\ntitle: A\nlevel: low\npatterns: {w: {level: 3}}\n");
  ASSERT_TRUE(level.ok()) << level.status();
  EXPECT_EQ((*level)->pattern_count(), 0u);
}

}  // namespace
}  // namespace sbscan::signatures
