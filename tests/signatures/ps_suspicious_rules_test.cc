// The sbscan.pssuspicious.* rules reproduce PowerShell's own suspicious-content check
// (ScriptBlock.SuspiciousContentChecker): 119 strings, matched as plain ASCII case-insensitive
// substrings. This test checks that the rules hold exactly those strings, group by group in the
// order of shared/reference/powershell_suspicious_tokens.txt, and that the compiled bundled rule
// set agrees with a naive reimplementation of the check on every ScriptBlockText of the corpus.

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "signatures/matcher.h"
#include "signatures/rule.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace sbscan::signatures {
namespace {

namespace fs = std::filesystem;

constexpr char kTokensFile[] = SBSCAN_SHARED_DIR "/reference/powershell_suspicious_tokens.txt";
constexpr char kRulesDir[] = SBSCAN_SOURCE_DIR "/signatures/rules";

// The groups of the reference README, in file order, with their sizes.
struct Group {
  const char* rule_id;
  size_t size;
};
constexpr Group kGroups[] = {
    {"sbscan.pssuspicious.add_type", 2},          // Add-Type
    {"sbscan.pssuspicious.dynamic_assembly", 16},  // dynamic assembly building, indirection
    {"sbscan.pssuspicious.reflection", 29},        // reflection members of Type
    {"sbscan.pssuspicious.interop", 7},            // InteropServices
    {"sbscan.pssuspicious.obfuscation", 8},        // general obfuscation
    {"sbscan.pssuspicious.win32_api", 38},         // Win32 APIs
    {"sbscan.pssuspicious.crypto", 11},            // crypto
    {"sbscan.pssuspicious.keylogging", 3},         // keylogging
    {"sbscan.pssuspicious.internal_types", 2},     // internal types
    {"sbscan.pssuspicious.logging_settings", 3},   // changes to logging settings
};

std::vector<std::string> ReadTokens() {
  std::ifstream in(kTokensFile);
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) tokens.push_back(line);
  }
  return tokens;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// PowerShell's check, naively: does `text` contain `token` ignoring ASCII case only?
bool ContainsAsciiCaseless(std::string_view text, std::string_view token) {
  if (token.empty() || token.size() > text.size()) return token.empty();
  for (size_t i = 0; i + token.size() <= text.size(); ++i) {
    size_t j = 0;
    while (j < token.size() && AsciiLower(text[i + j]) == AsciiLower(token[j])) ++j;
    if (j == token.size()) return true;
  }
  return false;
}

class PsSuspiciousRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tokens_ = new std::vector<std::string>(ReadTokens());
    auto rules = LoadRuleFiles({kRulesDir});
    ASSERT_TRUE(rules.ok()) << rules.status();
    auto set = RuleSet::Compile(*std::move(rules));
    ASSERT_TRUE(set.ok()) << set.status();
    set_ = new std::shared_ptr<const RuleSet>(*std::move(set));
  }
  static void TearDownTestSuite() {
    delete set_;
    delete tokens_;
    set_ = nullptr;
    tokens_ = nullptr;
  }

  static const Rule* FindRule(std::string_view id) {
    for (const Rule& rule : (*set_)->rules()) {
      if (rule.id == id) return &rule;
    }
    return nullptr;
  }

  // Group index -> tokens of that group, from the reference file.
  static std::vector<std::string> GroupTokens(size_t group) {
    size_t begin = 0;
    for (size_t g = 0; g < group; ++g) begin += kGroups[g].size;
    return std::vector<std::string>(tokens_->begin() + begin,
                                    tokens_->begin() + begin + kGroups[group].size);
  }

  // Runs the compiled set on `text` and returns the ids of the pssuspicious group rules that
  // fired.
  static std::set<std::string> CompiledGroups(Matcher& matcher, std::string_view text) {
    std::vector<RuleHit> hits;
    matcher.Reset();
    matcher.SetLevel(4);
    matcher.ScanText(text, 0);
    matcher.Evaluate(&hits);
    std::set<std::string> out;
    for (const RuleHit& hit : hits) {
      for (const Group& g : kGroups) {
        if (hit.rule->id == g.rule_id) out.insert(hit.rule->id);
      }
    }
    return out;
  }

  static std::set<std::string> NaiveGroups(std::string_view text) {
    std::set<std::string> out;
    for (size_t g = 0; g < std::size(kGroups); ++g) {
      for (const std::string& token : GroupTokens(g)) {
        if (ContainsAsciiCaseless(text, token)) {
          out.insert(kGroups[g].rule_id);
          break;
        }
      }
    }
    return out;
  }

  static std::vector<std::string>* tokens_;
  static std::shared_ptr<const RuleSet>* set_;
};

std::vector<std::string>* PsSuspiciousRulesTest::tokens_ = nullptr;
std::shared_ptr<const RuleSet>* PsSuspiciousRulesTest::set_ = nullptr;

TEST_F(PsSuspiciousRulesTest, ReferenceFileHas119Tokens) {
  ASSERT_EQ(tokens_->size(), 119u);
  size_t total = 0;
  for (const Group& g : kGroups) total += g.size;
  EXPECT_EQ(total, 119u);
  EXPECT_EQ(std::set<std::string>(tokens_->begin(), tokens_->end()).size(), 119u);
}

TEST_F(PsSuspiciousRulesTest, GroupsHoldExactlyTheReferenceTokensInOrder) {
  ASSERT_EQ(tokens_->size(), 119u);
  for (size_t g = 0; g < std::size(kGroups); ++g) {
    SCOPED_TRACE(kGroups[g].rule_id);
    const Rule* rule = FindRule(kGroups[g].rule_id);
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->level, Level::kLow);
    EXPECT_EQ(rule->condition, "1 of them");
    std::vector<std::string> literals;
    for (const Pattern& p : rule->patterns) {
      EXPECT_EQ(p.kind, Pattern::Kind::kLiteral) << p.name;
      EXPECT_FALSE(p.cased) << p.name;  // ASCII case-insensitive, like PowerShell
      EXPECT_EQ(p.field, Field::kText) << p.name;
      literals.push_back(p.value);
    }
    EXPECT_EQ(literals, GroupTokens(g));
  }
}

TEST_F(PsSuspiciousRulesTest, UnionOfLiteralsIsTheReferenceList) {
  std::vector<std::string> all;
  for (const Rule& rule : (*set_)->rules()) {
    if (rule.id.rfind("sbscan.pssuspicious.", 0) != 0) continue;
    for (const Pattern& p : rule.patterns) {
      if (p.kind == Pattern::Kind::kLiteral || p.kind == Pattern::Kind::kRegex) {
        EXPECT_EQ(p.kind, Pattern::Kind::kLiteral) << rule.id << " " << p.name;
        all.push_back(p.value);
      }
    }
  }
  EXPECT_EQ(all, *tokens_);  // same strings, same order, no extras, no duplicates
}

TEST_F(PsSuspiciousRulesTest, LevelRuleIsLevelThreeOnly) {
  const Rule* rule = FindRule("sbscan.pssuspicious.logged_warning");
  ASSERT_NE(rule, nullptr);
  ASSERT_EQ(rule->patterns.size(), 1u);
  EXPECT_EQ(rule->patterns[0].kind, Pattern::Kind::kLevel);
  EXPECT_EQ(rule->patterns[0].level, 3);
  EXPECT_EQ(rule->level, Level::kLow);
}

TEST_F(PsSuspiciousRulesTest, SemanticsOfTheBuiltInCheck) {
  Matcher matcher(*set_);
  ASSERT_TRUE(matcher.status().ok());
  struct Case {
    std::string text;
    std::set<std::string> groups;
  } cases[] = {
      // No word boundaries: "Properties" inside a longer word still counts.
      {"$x.ExtendedPropertiesList", {"sbscan.pssuspicious.dynamic_assembly"}},
      // ASCII case folding.
      {"aDd-TyPe -AssemblyName x", {"sbscan.pssuspicious.add_type"}},
      {"BYPASS", {"sbscan.pssuspicious.obfuscation"}},
      // Non-ASCII look-alikes are not folded: U+2010 hyphen, fullwidth letters.
      {"Add\xE2\x80\x90Type", {}},
      {"\xEF\xBC\xA2ypass", {}},
      // Several groups at once.
      {"[Reflection.BindingFlags]'NonPublic'; kernel32; GetAsyncKeyState",
       {"sbscan.pssuspicious.internal_types", "sbscan.pssuspicious.win32_api",
        "sbscan.pssuspicious.keylogging"}},
      {"Get-ChildItem C:\\ | Sort-Object Length", {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompiledGroups(matcher, c.text), c.groups) << c.text;
    EXPECT_EQ(NaiveGroups(c.text), c.groups) << c.text;
  }
  // Every token alone, in upper and lower case, fires its own group.
  for (size_t g = 0; g < std::size(kGroups); ++g) {
    for (std::string token : GroupTokens(g)) {
      std::string upper = token, lower = token;
      for (char& ch : upper) ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 32) : ch;
      for (char& ch : lower) ch = AsciiLower(ch);
      for (const std::string& text : {token, upper, lower, "x" + token + "x"}) {
        EXPECT_TRUE(CompiledGroups(matcher, text).count(kGroups[g].rule_id)) << text;
      }
    }
  }
}

// Every ScriptBlockText of the corpus (EVTX conversions and OTRF exports): the compiled rules
// and the naive check must agree group by group.
TEST_F(PsSuspiciousRulesTest, AgreesWithNaiveCheckOnCorpus) {
  Matcher matcher(*set_);
  ASSERT_TRUE(matcher.status().ok());
  simdjson::dom::parser parser;
  size_t texts = 0, flagged = 0, files = 0;
  std::map<std::string, size_t> per_group;
  for (const char* sub : {"/corpus/jsonl", "/corpus/otrf"}) {
    const fs::path root = fs::path(SBSCAN_SHARED_DIR) / (sub + 1);
    if (!fs::exists(root)) continue;
    std::vector<fs::path> paths;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().extension() == ".jsonl") {
        paths.push_back(entry.path());
      }
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& path : paths) {
      ++files;
      std::ifstream in(path, std::ios::binary);
      std::string line;
      int lineno = 0;
      while (std::getline(in, line)) {
        ++lineno;
        if (line.empty()) continue;
        simdjson::dom::element doc;
        auto error = parser.parse(line).get(doc);
        ASSERT_FALSE(error) << path << ":" << lineno << ": " << simdjson::error_message(error);
        std::string_view text;
        if (doc["ScriptBlockText"].get(text)) continue;  // 4103 lines: null / absent
        ++texts;
        const std::set<std::string> naive = NaiveGroups(text);
        const std::set<std::string> compiled = CompiledGroups(matcher, text);
        EXPECT_EQ(compiled, naive) << path << ":" << lineno;
        if (!naive.empty()) ++flagged;
        for (const std::string& g : naive) ++per_group[g];
      }
    }
  }
  ASSERT_GT(files, 0u) << "no corpus under " << SBSCAN_SHARED_DIR;
  EXPECT_GT(texts, 1000u);
  EXPECT_GT(flagged, 100u);
  EXPECT_EQ(matcher.scan_errors(), 0u);
  for (const auto& [group, n] : per_group) RecordProperty(group, static_cast<int>(n));
}

}  // namespace
}  // namespace sbscan::signatures
