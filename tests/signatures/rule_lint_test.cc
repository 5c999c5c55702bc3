#include "signatures/rule_lint.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "signatures/rule_loader.h"

namespace sbscan::signatures {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Lint(const std::string& yaml, const CompileOptions& options = {}) {
  absl::StatusOr<std::vector<Rule>> rules = ParseRules(yaml, "lint.yml");
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return {};
  absl::StatusOr<std::shared_ptr<const RuleSet>> set = RuleSet::Compile(*rules, options);
  EXPECT_TRUE(set.ok()) << set.status();
  if (!set.ok()) return {};
  std::vector<std::string> out;
  for (const LintFinding& f : LintRuleSet(**set)) out.push_back(FormatLintFinding(f));
  return out;
}

const char kExamples[] = "examples:\n  match: [\"x\"]\n";

TEST(RuleLintTest, CleanRuleHasNoFindings) {
  EXPECT_THAT(Lint(std::string("id: t.ok\ntitle: T\nlevel: low\npatterns:\n  a: Invoke-Mimikatz\n"
                               "  b: {regex: 'sekurlsa::\\w+'}\n") +
                   "examples:\n  match: [\"Invoke-Mimikatz\"]\n"),
              ::testing::IsEmpty());
}

TEST(RuleLintTest, ShortLiteralWithFileAndLine) {
  auto f = Lint(std::string("id: t.short\ntitle: T\nlevel: low\npatterns:\n  a: iex\n") + kExamples);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0], HasSubstr("lint.yml:5: warning: rule 't.short': pattern 'a': literal of 3"));
}

TEST(RuleLintTest, RegexWithoutLiteralPrefilter) {
  auto f = Lint(std::string("id: t.re\ntitle: T\nlevel: low\npatterns:\n  a: {regex: '\\w+=\\d+'}\n") +
                kExamples);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0], HasSubstr("pattern 'a': regex without a literal of 3+ bytes"));
}

TEST(RuleLintTest, ConditionTrueOnNothing) {
  auto f = Lint(std::string("id: t.not\ntitle: T\nlevel: low\npatterns:\n  a: Invoke-Thing\n"
                            "condition: not a\n") +
                kExamples);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0], HasSubstr("lint.yml:1: warning: rule 't.not': the condition holds when no "
                              "pattern matches"));
}

TEST(RuleLintTest, PrefilterModeRegex) {
  // force_prefilter compiles every regex the way Hyperscan's fallback does (prefilter + RE2).
  CompileOptions options;
  options.force_prefilter = true;
  auto f = Lint(std::string("id: t.pf\ntitle: T\nlevel: low\npatterns:\n"
                            "  a: {regex: 'sekurlsa::\\w+'}\n") +
                    kExamples,
                options);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0], HasSubstr("lint.yml:5: warning: rule 't.pf': pattern 'a': Hyperscan cannot "
                              "compile this regex exactly"));
}

TEST(RuleLintTest, NativeRuleWithoutExamples) {
  auto f = Lint("id: t.noex\ntitle: T\nlevel: low\npatterns:\n  a: Invoke-Thing\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0], HasSubstr("no examples"));
}

}  // namespace
}  // namespace sbscan::signatures
