// Pattern export for the ripgrep and YARA baselines of `sbscan bench`: escaping, the regex
// rewrite, what is left out and why, the files written; and, where rg / yara are installed, a
// differential check that each exported pattern matches the bundled rules' example texts exactly
// where Hyperscan (the same pattern compiled by sbscan) does.
#include "tools/sbscan/pattern_export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sbscan/scanner.h"
#include "signatures/matcher.h"
#include "signatures/rule_set.h"
#include "tools/sbscan/external_baselines.h"
#include "tools/sbscan/subprocess.h"

namespace sbscan::cli {
namespace {

using signatures::Pattern;
using signatures::Rule;

Rule MakeRule(std::string id, std::vector<Pattern> patterns) {
  Rule r;
  r.id = std::move(id);
  r.title = r.id;
  r.condition = "1 of them";
  int n = 0;
  for (Pattern& p : patterns) p.name = "p" + std::to_string(n++);
  r.patterns = std::move(patterns);
  return r;
}

Pattern Literal(std::string value, bool cased = false) {
  Pattern p;
  p.kind = Pattern::Kind::kLiteral;
  p.value = std::move(value);
  p.cased = cased;
  return p;
}

Pattern Regex(std::string value, bool cased = false) {
  Pattern p = Literal(std::move(value), cased);
  p.kind = Pattern::Kind::kRegex;
  return p;
}

std::string Error(const absl::StatusOr<std::string>& s) {
  return s.ok() ? "(ok: " + *s + ")" : std::string(s.status().message());
}

TEST(PatternExportTest, RipgrepLiteralEscapesEveryNonWordByte) {
  EXPECT_EQ(RipgrepLiteral("Invoke-Mimikatz"), "Invoke\\x2dMimikatz");
  EXPECT_EQ(RipgrepLiteral("a.b*c(d)[e]{f}|g^h$i\\j?k+l"),
            "a\\x2eb\\x2ac\\x28d\\x29\\x5be\\x5d\\x7bf\\x7d\\x7cg\\x5eh\\x24i\\x5cj\\x3fk\\x2bl");
  EXPECT_EQ(RipgrepLiteral("snake_case 42"), "snake_case\\x2042");
  EXPECT_EQ(RipgrepLiteral("caf\xc3\xa9\n#"), "caf\\xc3\\xa9\\x0a\\x23");
}

TEST(PatternExportTest, YaraTextStringQuotesAndEscapes) {
  EXPECT_EQ(YaraTextString("Invoke-Mimikatz"), "\"Invoke-Mimikatz\"");
  EXPECT_EQ(YaraTextString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(YaraTextString("tab\there\xff"), "\"tab\\x09here\\xff\"");
}

TEST(PatternExportTest, RipgrepRegexRewritesPcreConstructs) {
  EXPECT_EQ(Error(RipgrepRegex(R"(\bInvoke-Mimikatz\b)")), "(ok: \\bInvoke\\x2dMimikatz\\b)");
  EXPECT_EQ(*RipgrepRegex(R"(sekurlsa::(logonpasswords|pth)\s+\d{2,3}?)"),
            R"(sekurlsa\x3a\x3a(logonpasswords|pth)\s+\d{2,3}?)");
  // Classes: escaped and special characters become bytes; '-' stays a range operator only
  // between two atoms; ']' first is a literal; '[' is a byte (a nested class in Rust).
  EXPECT_EQ(*RipgrepRegex(R"([^'"\r\n])"), R"([^\x27\x22\r\n])");
  EXPECT_EQ(*RipgrepRegex(R"([a-z-])"), R"([a-z\x2d])");
  EXPECT_EQ(*RipgrepRegex(R"([-a])"), R"([\x2da])");
  EXPECT_EQ(*RipgrepRegex(R"([]a[])"), R"([\x5da\x5b])");
  EXPECT_EQ(*RipgrepRegex(R"([\b])"), R"([\x08])");
  EXPECT_EQ(*RipgrepRegex(R"([[:alpha:]_])"), R"([[:alpha:]_])");
  // Escaped punctuation, hex forms, bell/escape/form feed.
  EXPECT_EQ(*RipgrepRegex(R"(\/\'\"\:\=)"), R"(\x2f\x27\x22\x3a\x3d)");
  EXPECT_EQ(*RipgrepRegex(R"(\x41\x{42}\x7)"), R"(\x41\x42\x07)");
  EXPECT_EQ(*RipgrepRegex(R"(\e\a\f)"), R"(\x1b\x07\x0c)");
  // Groups: named groups in Rust's spelling, comments dropped, inline flags kept.
  EXPECT_EQ(*RipgrepRegex(R"((?<word>ab)(?'x'c)(?P<y>d))"), R"((?P<word>ab)(?P<x>c)(?P<y>d))");
  EXPECT_EQ(*RipgrepRegex(R"(a(?#comment)b)"), "ab");
  EXPECT_EQ(*RipgrepRegex(R"((?i)abc(?-i:D)(?:e|f))"), R"((?i)abc(?-i:D)(?:e|f))");
  // \Q...\E quotes; a '{' that is no quantifier is a literal, as in PCRE.
  EXPECT_EQ(*RipgrepRegex(R"(\Qa.b*\Ec)"), R"(a\x2eb\x2ac)");
  EXPECT_EQ(*RipgrepRegex(R"(a{,3}b{2}c{1,}d{x})"), R"(a\x7b\x2c3\x7db{2}c{1,}d\x7bx\x7d)");
  EXPECT_EQ(*RipgrepRegex(R"(\Aab\z)"), R"(\Aab\z)");
}

TEST(PatternExportTest, RipgrepRegexRejectsWhatRustLacks) {
  const std::map<std::string, std::string> cases = {
      {"(?=a)b", "look-around"},
      {"a(?!b)", "look-around"},
      {"(?<=a)b", "look-around"},
      {"(?<!a)b", "look-around"},
      {"(a)\\1", "backreference"},
      {"(?<n>a)\\k<n>", "backreference"},
      {"(?>ab)", "atomic group"},
      {"a++", "possessive quantifier"},
      {"a*+", "possessive quantifier"},
      {"a{2,3}+", "possessive quantifier"},
      {"(?|a|b)", "branch reset group"},
      {"(?(1)a|b)", "conditional group"},
      {"(a)(?1)", "recursion or backreference"},
      {"(?R)", "recursion or backreference"},
      {"a\\hb", "\\h escape"},
      {"a\\Z", "\\Z escape"},
      {"\\pL", "Unicode property class"},
      {"\\cA", "\\c control escape"},
      {"\\012", "octal escape"},
      {"\\x{100}", "code point above \\xFF"},
      {"(?x)a b", "inline flag 'x'"},
      {"[a", "unterminated class"},
      {"a\\", "trailing backslash"},
  };
  for (const auto& [regex, reason] : cases) {
    EXPECT_EQ(Error(RipgrepRegex(regex)), reason) << regex;
  }
}

TEST(PatternExportTest, YaraRegexRewritesGroupsAndSlashes) {
  EXPECT_EQ(*YaraRegex(R"((?:ab|cd)/e)"), R"((ab|cd)\x2fe)");
  EXPECT_EQ(*YaraRegex(R"((?<name>a)b)"), "(a)b");
  EXPECT_EQ(*YaraRegex(R"(\bfoo\.ps1\b[^\r\n]{0,80})"), R"(\bfoo\x2eps1\b[^\r\n]{0,80})");
  EXPECT_EQ(Error(YaraRegex("(?i)a")), "inline flags");
  EXPECT_EQ(Error(YaraRegex("\\Aab")), "\\A anchor");
  EXPECT_EQ(Error(YaraRegex("ab\\z")), "\\z anchor");
  EXPECT_EQ(Error(YaraRegex("[[:digit:]]")), "POSIX class");
  EXPECT_EQ(Error(YaraRegex("(?=a)")), "look-around");
}

TEST(PatternExportTest, DistinctPatternsDeduplicatesLikeTheDatabase) {
  Pattern level;
  level.kind = Pattern::Kind::kLevel;
  level.level = 3;
  Pattern path = Literal("\\temp\\");
  path.field = signatures::Field::kPath;
  std::vector<Rule> rules = {
      MakeRule("r1", {Literal("IEX"), Regex("a+b"), level}),
      MakeRule("r2", {Literal("iex"), Literal("IEX", /*cased=*/true), Regex("a+b"), path}),
  };
  size_t levels = 0;
  std::vector<SourcePattern> p = DistinctPatterns(rules, &levels);
  EXPECT_EQ(levels, 1u);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].value, "IEX");
  EXPECT_EQ(p[0].origin, "r1/p0");
  EXPECT_FALSE(p[0].cased);
  EXPECT_TRUE(p[1].regex);
  EXPECT_EQ(p[2].value, "IEX");
  EXPECT_TRUE(p[2].cased);
  EXPECT_EQ(p[2].origin, "r2/p1");
  EXPECT_EQ(p[3].value, "\\temp\\");  // path patterns are in the database too
}

TEST(PatternExportTest, ExportCountsWhatIsLeftOutAndWhy) {
  std::vector<Rule> rules = {MakeRule(
      "r", {Literal("Invoke-Expression"), Regex("(?=x)y"), Regex("a(?!b)"), Regex("(?i)iex"),
            Regex("\\bcase\\b", /*cased=*/true)})};
  PatternExport rg = ExportPatterns(rules, PatternDialect::kRipgrep);
  ASSERT_EQ(rg.sources.size(), 5u);
  ASSERT_EQ(rg.exported.size(), 3u);
  ASSERT_EQ(rg.left_out.size(), 2u);
  EXPECT_EQ(rg.left_out[0].source, 1u);
  EXPECT_EQ(rg.left_out[0].reason, "look-around");
  EXPECT_EQ(rg.Summary(), "3 of 5 patterns; 2 left out: 2 look-around");
  EXPECT_EQ(RipgrepPatternFile(rg),
            "(?i:Invoke\\x2dExpression)\n(?i:(?i)iex)\n\\bcase\\b\n");

  PatternExport yara = ExportPatterns(rules, PatternDialect::kYara);
  EXPECT_EQ(yara.exported.size(), 2u);
  EXPECT_EQ(yara.Summary(), "2 of 5 patterns; 3 left out: 2 look-around, 1 inline flags");
  EXPECT_EQ(YaraRuleFile(yara),
            "rule p0 { strings: $p = \"Invoke-Expression\" nocase condition: $p }\n"
            "rule p1 { strings: $p = /\\bcase\\b/ condition: $p }\n");

  // A tool's own rejection moves the pattern to the left-out list; indexes shift down.
  yara.LeaveOut(0, "rejected by yara: too short");
  ASSERT_EQ(yara.exported.size(), 1u);
  EXPECT_EQ(yara.exported[0].source, 4u);
  EXPECT_EQ(yara.left_out.back().source, 0u);
  EXPECT_EQ(yara.ReasonCounts().front(), (std::pair<std::string, size_t>{"look-around", 2}));
  EXPECT_EQ(YaraRuleFile(yara), "rule p0 { strings: $p = /\\bcase\\b/ condition: $p }\n");
}

// The differential check below: example texts of the bundled rules, and for each distinct
// pattern, which texts Hyperscan matches (each pattern compiled as its own rule by sbscan).
class ExportDifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = LoadRuleSet(RuleSources{});
    ASSERT_TRUE(set.ok()) << set.status();
    rules_ = (*set)->rules();
    for (const Rule& r : rules_) {
      for (const signatures::Example& e : r.examples) {
        if (!e.text.empty()) texts_.insert(e.text);
      }
    }
    dir_ = ::testing::TempDir() + "/sbscan_export_" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
    empty_ = dir_ + "/empty";
    std::ofstream(empty_).close();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // For each source pattern of `e`, the indexes of the texts (in `texts`) it matches.
  std::vector<std::set<size_t>> HyperscanMatches(const PatternExport& e,
                                                 const std::vector<std::string>& texts) {
    std::vector<Rule> one_each;
    for (size_t i = 0; i < e.sources.size(); ++i) {
      const SourcePattern& s = e.sources[i];
      one_each.push_back(MakeRule("p" + std::to_string(i),
                                  {s.regex ? Regex(s.value, s.cased) : Literal(s.value, s.cased)}));
    }
    auto set = signatures::RuleSet::Compile(std::move(one_each));
    EXPECT_TRUE(set.ok()) << set.status();
    std::vector<std::set<size_t>> out(e.sources.size());
    if (!set.ok()) return out;
    signatures::Matcher matcher(*set);
    std::vector<signatures::RuleHit> hits;
    for (size_t t = 0; t < texts.size(); ++t) {
      matcher.Reset();
      matcher.ScanText(texts[t], 0);
      hits.clear();
      matcher.Evaluate(&hits);
      for (const auto& h : hits) out[std::stoul(h.rule->id.substr(1))].insert(t);
    }
    return out;
  }

  std::vector<Rule> rules_;
  std::set<std::string> texts_;
  std::string dir_, empty_;
};

// rg, one pattern at a time, over the one-line example texts (rg matches per line), in bytes
// mode: the lines it counts are exactly those Hyperscan matches.
TEST_F(ExportDifferentialTest, RipgrepMatchesWhereHyperscanDoes) {
  if (FindOnPath("rg").empty()) GTEST_SKIP() << "rg not found";
  std::vector<std::string> texts;
  for (const std::string& t : texts_) {
    if (t.find_first_of("\r\n") == std::string::npos) texts.push_back(t);
  }
  ASSERT_GT(texts.size(), 100u);
  PatternExport e = ExportPatterns(rules_, PatternDialect::kRipgrep);
  ASSERT_TRUE(PrepareRipgrepPatterns(&e, dir_ + "/patterns.rg", empty_).ok());
  EXPECT_GT(e.exported.size(), e.sources.size() * 9 / 10) << e.Summary();
  const std::string file = dir_ + "/texts";
  {
    std::ofstream out(file, std::ios::binary);
    for (const std::string& t : texts) out << t << '\n';
  }
  std::vector<std::set<size_t>> expected = HyperscanMatches(e, texts);
  size_t compared = 0;
  for (size_t i = 0; i < e.exported.size(); ++i) {
    std::vector<std::string> argv = RipgrepBaseArgs();
    for (const char* a : {"-n", "--no-filename"}) argv.push_back(a);  // line numbers, not counts
    argv.erase(std::find(argv.begin(), argv.end(), "-c"));
    argv.insert(argv.end(), {"-e", RipgrepPatternLine(e, i), file});
    absl::StatusOr<ProcessResult> r = RunProcess(argv);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_LT(r->exit_code, 2) << argv[argv.size() - 2] << ": " << r->err;
    std::set<size_t> got;
    size_t start = 0;
    while (start < r->out.size()) {
      size_t nl = r->out.find('\n', start);
      got.insert(std::stoul(r->out.substr(start, r->out.find(':', start) - start)) - 1);
      start = nl == std::string::npos ? r->out.size() : nl + 1;
    }
    const size_t source = e.exported[i].source;
    EXPECT_EQ(got, expected[source]) << e.sources[source].origin << ": "
                                     << e.sources[source].value << " as "
                                     << RipgrepPatternLine(e, i);
    compared += !expected[source].empty();
  }
  EXPECT_GT(compared, e.exported.size() / 2);  // most patterns match some example
}

// YARA, all patterns at once (one rule per pattern), one file per example text: the (rule, file)
// pairs it reports are exactly those Hyperscan matches.
TEST_F(ExportDifferentialTest, YaraMatchesWhereHyperscanDoes) {
  if (FindOnPath("yara").empty() || FindOnPath("yarac").empty()) GTEST_SKIP() << "yara not found";
  std::vector<std::string> texts(texts_.begin(), texts_.end());
  PatternExport e = ExportPatterns(rules_, PatternDialect::kYara);
  const std::string compiled = dir_ + "/patterns.yarc";
  absl::Status prepared = PrepareYaraRules(&e, dir_ + "/patterns.yar", compiled);
  ASSERT_TRUE(prepared.ok()) << prepared;
  EXPECT_GT(e.exported.size(), e.sources.size() * 9 / 10) << e.Summary();
  const std::string text_dir = dir_ + "/texts";
  std::filesystem::create_directories(text_dir);
  for (size_t t = 0; t < texts.size(); ++t) {
    std::ofstream(text_dir + "/" + std::to_string(t), std::ios::binary) << texts[t];
  }
  absl::StatusOr<ProcessResult> r = RunProcess({"yara", "-r", "-C", compiled, text_dir});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exit_code, 0) << r->err;
  std::vector<std::set<size_t>> got(e.exported.size());
  size_t start = 0;
  while (start < r->out.size()) {
    size_t nl = r->out.find('\n', start);
    std::string line = r->out.substr(start, nl - start);
    size_t space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << line;
    size_t rule = std::stoul(line.substr(1, space - 1));
    size_t text = std::stoul(line.substr(line.rfind('/') + 1));
    ASSERT_LT(rule, got.size());
    got[rule].insert(text);
    start = nl == std::string::npos ? r->out.size() : nl + 1;
  }
  std::vector<std::set<size_t>> expected = HyperscanMatches(e, texts);
  for (size_t i = 0; i < e.exported.size(); ++i) {
    const size_t source = e.exported[i].source;
    EXPECT_EQ(got[i], expected[source]) << e.sources[source].origin << ": "
                                        << e.sources[source].value << " as "
                                        << e.exported[i].text;
  }
}

}  // namespace
}  // namespace sbscan::cli
