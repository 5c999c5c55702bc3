// Sigma loader: each modifier and condition form (examples from the Sigma specification), skip
// reasons, and the whole SigmaHQ ps_script corpus compiled with the bundled native rules.
#include "signatures/sigma_loader.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "signatures/matcher.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace sbscan::signatures {
namespace {

using ::testing::HasSubstr;

std::string Wrap(const std::string& detection) {
  return "title: Test rule\nid: 11111111-2222-3333-4444-555555555555\nstatus: test\n"
         "author: me\nreferences: [https://example.com]\nfalsepositives: [none]\n"
         "tags: [attack.execution, attack.t1059.001, attack.g0001]\nlevel: high\n"
         "logsource:\n  product: windows\n  category: ps_script\ndetection:\n" +
         detection;
}

// A compiled single Sigma rule; Fires() scans text (+ path) and reports whether it fired.
class OneRule {
 public:
  explicit OneRule(const std::string& detection) {
    absl::StatusOr<Rule> rule = ParseSigmaRule(Wrap(detection), "test.yml");
    EXPECT_TRUE(rule.ok()) << rule.status();
    if (!rule.ok()) return;
    rule_ = *rule;
    absl::StatusOr<std::shared_ptr<const RuleSet>> set = RuleSet::Compile({*rule});
    EXPECT_TRUE(set.ok()) << set.status();
    if (set.ok()) set_ = *set;
  }
  bool Fires(const std::string& text, const std::string& path = "") {
    if (!set_) return false;
    Matcher m(set_);
    m.Reset();
    m.ScanPath(path);
    m.ScanText(text, 0);
    std::vector<RuleHit> hits;
    m.Evaluate(&hits);
    return !hits.empty();
  }
  // "fired" or "missed", then the selections that held, e.g. "fired: sel" or "missed: sel,f".
  // "none" when no pattern hit and the condition failed.
  std::string Selections(const std::string& text) {
    if (!set_) return "no set";
    Matcher m(set_);
    m.Reset();
    m.ScanText(text, 0);
    std::vector<RuleHit> hits;
    m.Evaluate(&hits, /*near_misses=*/true);
    if (hits.empty()) return "none";
    std::string out = hits[0].condition_held ? "fired:" : "missed:";
    for (size_t i = 0; i < hits[0].selections.size(); ++i) {
      out += (i ? "," : " ") + set_->rules()[0].selections[hits[0].selections[i]].name;
    }
    return out;
  }
  const Rule& rule() const { return rule_; }

 private:
  Rule rule_;
  std::shared_ptr<const RuleSet> set_;
};

std::string SkipReason(const std::string& yaml) {
  absl::StatusOr<Rule> rule = ParseSigmaRule(yaml, "x.yml");
  return rule.ok() ? "" : std::string(rule.status().message());
}

TEST(SigmaLoaderTest, Metadata) {
  OneRule r("  sel:\n    ScriptBlockText|contains: abc\n  condition: sel\n");
  const Rule& rule = r.rule();
  EXPECT_EQ(rule.id, "sigma.11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(rule.uuid, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(rule.ruleset, "sigma");
  EXPECT_EQ(rule.level, Level::kHigh);
  EXPECT_EQ(rule.status, "test");
  EXPECT_EQ(rule.author, "me");
  EXPECT_THAT(rule.references, ::testing::ElementsAre("https://example.com"));
  EXPECT_THAT(rule.falsepositives, ::testing::ElementsAre("none"));
  EXPECT_THAT(rule.technique_ids, ::testing::ElementsAre("T1059.001"));
  EXPECT_THAT(rule.tactics, ::testing::ElementsAre("execution"));
  EXPECT_EQ(rule.original_condition, "sel");
  EXPECT_EQ(rule.source_line, 2);
  ASSERT_EQ(rule.patterns.size(), 1u);
  EXPECT_EQ(rule.patterns[0].name, "sel__0");
  EXPECT_EQ(SigmaSelectionOfPattern(rule.patterns[0].name), "sel");
  EXPECT_EQ(SigmaSelectionOfPattern("noselection"), "");
}

TEST(SigmaLoaderTest, ReportsTheSelectionsThatHeld) {
  OneRule r(
      "  sel:\n    ScriptBlockText|contains|all: [aaa, bbb]\n"
      "  other:\n    ScriptBlockText|contains: ccc\n"
      "  filter:\n    ScriptBlockText|contains: ddd\n"
      "  condition: (sel or other) and not filter\n");
  ASSERT_EQ(r.rule().selections.size(), 3u);
  EXPECT_EQ(r.rule().selections[0].name, "sel");
  EXPECT_EQ(r.Selections("aaa bbb"), "fired: sel");
  EXPECT_EQ(r.Selections("aaa bbb ccc"), "fired: sel,other");
  // A pattern of `sel` hit but `sel` (contains|all) did not hold: a near miss, no selection.
  EXPECT_EQ(r.Selections("aaa only"), "missed:");
  // The filter held: the rule does not fire; the near miss shows both selections.
  EXPECT_EQ(r.Selections("ccc ddd"), "missed: other,filter");
  EXPECT_EQ(r.Selections("nothing here"), "none");
}

TEST(SigmaLoaderTest, ContainsIsCaseInsensitiveSubstring) {
  OneRule r("  sel:\n    ScriptBlockText|contains: Invoke-Mimikatz\n  condition: sel\n");
  EXPECT_TRUE(r.Fires("x; invoke-mimikatz -dump"));
  EXPECT_FALSE(r.Fires("Invoke-Mimi"));
}

TEST(SigmaLoaderTest, ListIsOrAllIsAnd) {
  OneRule any("  sel:\n    ScriptBlockText|contains:\n      - aaa\n      - bbb\n  condition: sel\n");
  EXPECT_TRUE(any.Fires("xbbb"));
  OneRule all(
      "  sel:\n    ScriptBlockText|contains|all:\n      - aaa\n      - bbb\n  condition: sel\n");
  EXPECT_FALSE(all.Fires("xbbb"));
  EXPECT_TRUE(all.Fires("bbb aaa"));
}

TEST(SigmaLoaderTest, StartsEndsAndEquality) {
  OneRule starts("  sel:\n    Path|startswith: 'C:\\Windows\\'\n  condition: sel\n");
  EXPECT_TRUE(starts.Fires("", "c:\\windows\\a.ps1"));
  EXPECT_FALSE(starts.Fires("C:\\Windows\\a.ps1", "D:\\C:\\Windows\\"));
  OneRule ends("  sel:\n    ScriptBlockText|endswith: '.ps1'\n  condition: sel\n");
  EXPECT_TRUE(ends.Fires("run x.PS1"));
  EXPECT_FALSE(ends.Fires("run x.ps1\n"));
  OneRule equal("  sel:\n    ScriptBlockText: 'whoami'\n  condition: sel\n");
  EXPECT_TRUE(equal.Fires("WhoAmI"));
  EXPECT_FALSE(equal.Fires("whoami /all"));
  EXPECT_FALSE(equal.Fires(" whoami"));
}

TEST(SigmaLoaderTest, Cased) {
  OneRule r("  sel:\n    ScriptBlockText|contains|cased: IEX\n  condition: sel\n");
  EXPECT_TRUE(r.Fires("IEX(x)"));
  EXPECT_FALSE(r.Fires("iex(x)"));
}

TEST(SigmaLoaderTest, WildcardsAndEscapes) {
  // `*` any run, `?` one character; in equality the value is anchored at both ends.
  OneRule r("  sel:\n    ScriptBlockText: 'a*b?c'\n  condition: sel\n");
  EXPECT_TRUE(r.Fires("a\nxxbZc"));
  EXPECT_TRUE(r.Fires("AbXc"));
  EXPECT_FALSE(r.Fires("abc"));
  // Escaped wildcards are literal; `\\` is one backslash; any other backslash is literal.
  OneRule e("  sel:\n    ScriptBlockText|contains: 'x\\*y\\?z\\\\w\\q'\n  condition: sel\n");
  EXPECT_TRUE(e.Fires("x*y?z\\w\\q"));
  EXPECT_FALSE(e.Fires("xAy?z\\w\\q"));
  ASSERT_EQ(e.rule().patterns.size(), 1u);
  EXPECT_EQ(e.rule().patterns[0].kind, Pattern::Kind::kLiteral);
  EXPECT_EQ(e.rule().patterns[0].value, "x*y?z\\w\\q");
}


// A leading or trailing `*` frees that end of the value and is not scanned for (a trailing
// `[\s\S]*` would be reported at every byte after the literal): same matches, cheaper pattern.
TEST(SigmaLoaderTest, OuterStarsFreeTheEndsAndAreNotScanned) {
  struct Case {
    const char* detection;
    Pattern::Kind kind;
    const char* value;
    const char* fires;
    const char* silent;
  };
  const Case cases[] = {
      {"ScriptBlockText|contains: '-UserName *'", Pattern::Kind::kLiteral, "-UserName ",
       "x -username bob", "x -UserNameBob"},
      {"ScriptBlockText|contains: '**Invoke*'", Pattern::Kind::kLiteral, "Invoke", "xinvokex",
       "invok"},
      {"ScriptBlockText|startswith: 'Get-*'", Pattern::Kind::kRegex, "\\AGet\\x2d", "get-x",
       "xget-"},
      {"ScriptBlockText|endswith: '*.ps1'", Pattern::Kind::kRegex, "\\x2eps1\\z", "a.PS1",
       "a.ps1 "},
      {"ScriptBlockText: '*whoami'", Pattern::Kind::kRegex, "whoami\\z", "x whoami",
       "whoami x"},
      {"ScriptBlockText: 'whoami*'", Pattern::Kind::kRegex, "\\Awhoami", "whoami /all",
       "x whoami"},
      {"ScriptBlockText: '*who?mi*'", Pattern::Kind::kRegex, "who[\\s\\S]mi", "x whoAmi x",
       "whomi"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.detection);
    OneRule r(std::string("  sel:\n    ") + c.detection + "\n  condition: sel\n");
    ASSERT_EQ(r.rule().patterns.size(), 1u);
    EXPECT_EQ(r.rule().patterns[0].kind, c.kind);
    EXPECT_EQ(r.rule().patterns[0].value, c.value);
    EXPECT_TRUE(r.Fires(c.fires));
    EXPECT_FALSE(r.Fires(c.silent));
  }
}
TEST(SigmaLoaderTest, RegexIsCaseSensitiveUnlessI) {
  OneRule r("  sel:\n    ScriptBlockText|re: 'Get-[A-Z]+'\n  condition: sel\n");
  EXPECT_TRUE(r.Fires("Get-ABC"));
  EXPECT_FALSE(r.Fires("get-abc"));
  OneRule i("  sel:\n    ScriptBlockText|re|i: 'Get-[A-Z]+'\n  condition: sel\n");
  EXPECT_TRUE(i.Fires("get-abc"));
  OneRule m("  sel:\n    ScriptBlockText|re|m: '^b$'\n  condition: sel\n");
  EXPECT_TRUE(m.Fires("a\nb\nc"));
  OneRule nom("  sel:\n    ScriptBlockText|re: '^b'\n  condition: sel\n");
  EXPECT_FALSE(nom.Fires("a\nb\nc"));
  OneRule s("  sel:\n    ScriptBlockText|re|s: 'a.b'\n  condition: sel\n");
  EXPECT_TRUE(s.Fires("a\nb"));
  OneRule nos("  sel:\n    ScriptBlockText|re: 'a.b'\n  condition: sel\n");
  EXPECT_FALSE(nos.Fires("a\nb"));
}

TEST(SigmaLoaderTest, WindashSpecExample) {
  // Specification: `CommandLine|windash|contains: ' -s '` also matches ' /s ' and the unicode
  // dashes.
  OneRule r("  sel:\n    ScriptBlockText|windash|contains: ' -s '\n  condition: sel\n");
  EXPECT_EQ(r.rule().patterns.size(), 5u);
  EXPECT_TRUE(r.Fires("x -s y"));
  EXPECT_TRUE(r.Fires("x /s y"));
  EXPECT_TRUE(r.Fires("x \xe2\x80\x93s y"));
  EXPECT_TRUE(r.Fires("x \xe2\x80\x94s y"));
  EXPECT_TRUE(r.Fires("x \xe2\x80\x95s y"));
  EXPECT_FALSE(r.Fires("x +s y"));
}

TEST(SigmaLoaderTest, Base64AndBase64OffsetSpecExample) {
  OneRule b("  sel:\n    ScriptBlockText|base64|contains: 'ping'\n  condition: sel\n");
  ASSERT_EQ(b.rule().patterns.size(), 1u);
  EXPECT_EQ(b.rule().patterns[0].value, "cGluZw==");
  // Specification: /bin/bash -> L2Jpbi9iYXNo, 9iaW4vYmFza, vYmluL2Jhc2.
  OneRule o("  sel:\n    ScriptBlockText|base64offset|contains: '/bin/bash'\n  condition: sel\n");
  ASSERT_EQ(o.rule().patterns.size(), 3u);
  EXPECT_EQ(o.rule().patterns[0].value, "L2Jpbi9iYXNo");
  EXPECT_EQ(o.rule().patterns[1].value, "9iaW4vYmFza");
  EXPECT_EQ(o.rule().patterns[2].value, "vYmluL2Jhc2");
  EXPECT_TRUE(o.Fires("echo IC9iaW4vYmFzaA== | base64 -d"));
  EXPECT_FALSE(o.Fires("echo ic9iaw4vymfzaa=="));  // encodings are matched cased
  // wide + base64offset: UTF-16LE first ("Invoke" as it appears in -EncodedCommand payloads).
  OneRule w(
      "  sel:\n    ScriptBlockText|wide|base64offset|contains: 'Invoke'\n  condition: sel\n");
  ASSERT_EQ(w.rule().patterns.size(), 3u);
  EXPECT_EQ(w.rule().patterns[0].value, "SQBuAHYAbwBrAGUA");
  EXPECT_TRUE(w.Fires("powershell -enc SQBuAHYAbwBrAGUALQBFAHgAcAByAGUAcwBzAGkAbwBuAA=="));
}

TEST(SigmaLoaderTest, KeywordsAndListOfMaps) {
  OneRule k("  keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\n  condition: keywords\n");
  EXPECT_TRUE(k.Fires("run SEKURLSA::x"));
  EXPECT_FALSE(k.Fires("nothing"));
  OneRule l(
      "  sel:\n    - ScriptBlockText|contains: aaa\n      Path|endswith: '.ps1'\n"
      "    - ScriptBlockText|contains: bbb\n  condition: sel\n");
  EXPECT_TRUE(l.Fires("aaa", "x.ps1"));
  EXPECT_FALSE(l.Fires("aaa", "x.psm1"));
  EXPECT_TRUE(l.Fires("bbb", ""));
}

TEST(SigmaLoaderTest, Conditions) {
  const std::string sels =
      "  selection_a:\n    ScriptBlockText|contains: aaa\n"
      "  selection_b:\n    ScriptBlockText|contains: bbb\n"
      "  filter_x:\n    ScriptBlockText|contains: xxx\n"
      "  filter_y:\n    ScriptBlockText|contains: yyy\n";
  struct Case {
    std::string condition, text;
    bool fires;
  };
  const Case cases[] = {
      {"selection_a and not filter_x", "aaa", true},
      {"selection_a and not filter_x", "aaa xxx", false},
      {"selection_a or selection_b and filter_x", "aaa", true},  // and binds tighter
      {"(selection_a or selection_b) and filter_x", "aaa", false},
      {"not selection_a and selection_b", "bbb", true},
      {"not (selection_a and selection_b)", "aaa bbb", false},
      {"1 of selection_*", "bbb", true},
      {"all of selection_*", "bbb", false},
      {"all of selection_*", "aaa bbb", true},
      {"1 of selection_* and not 1 of filter_*", "aaa yyy", false},
      {"1 of selection_* and not 1 of filter_*", "aaa", true},
      {"all of selection* and not all of filter_*", "aaa bbb xxx", true},
      {"1 of them", "yyy", true},
      {"all of them", "aaa bbb xxx", false},
      {"all of them", "aaa bbb xxx yyy", true},
      {"1 of filter_? or selection_a", "aaa", true},
  };
  for (const Case& c : cases) {
    OneRule r(sels + "  condition: " + c.condition + "\n");
    EXPECT_EQ(r.Fires(c.text), c.fires) << c.condition << " on " << c.text << " -> "
                                        << r.rule().condition;
  }
  // A list of conditions is their OR.
  OneRule list(sels + "  condition:\n    - selection_a\n    - filter_y\n");
  EXPECT_TRUE(list.Fires("yyy"));
  EXPECT_FALSE(list.Fires("bbb"));
}

TEST(SigmaLoaderTest, SkipReasons) {
  auto wrap = [](const std::string& d) { return Wrap(d); };
  EXPECT_THAT(SkipReason(wrap("  sel:\n    ScriptBlockText|cidr: 10.0.0.0/8\n  condition: sel\n")),
              HasSubstr("unsupported modifier 'cidr'"));
  EXPECT_THAT(SkipReason(wrap("  sel:\n    EventID: 4104\n  condition: sel\n")),
              HasSubstr("x.yml:14: unsupported field 'EventID'"));
  EXPECT_THAT(SkipReason(wrap("  sel:\n    ScriptBlockText: a\n  condition: sel | count() > 5\n")),
              HasSubstr("aggregation"));
  EXPECT_THAT(SkipReason(wrap("  sel:\n    ScriptBlockText: a\n  condition: 2 of sel*\n")),
              HasSubstr("unsupported quantifier"));
  EXPECT_THAT(SkipReason(wrap("  sel:\n    ScriptBlockText: a\n  condition: nosuch\n")),
              HasSubstr("unknown selection 'nosuch'"));
  EXPECT_THAT(SkipReason(wrap("  sel:\n    ScriptBlockText: null\n  condition: sel\n")),
              HasSubstr("null value"));
  EXPECT_THAT(SkipReason(wrap("  sel:\n    ScriptBlockText|contains: '*'\n  condition: sel\n")),
              HasSubstr("matches every text"));
  EXPECT_THAT(SkipReason("title: t\nlogsource:\n  category: process_creation\n  product: windows\n"
                         "detection:\n  sel:\n    CommandLine: a\n  condition: sel\n"),
              HasSubstr("logsource category is not ps_script"));
  EXPECT_THAT(SkipReason("title: [unclosed\n"), HasSubstr("YAML error"));
  absl::StatusOr<Rule> r = ParseSigmaRule(wrap("  sel:\n    ScriptBlockText|gt: 1\n  condition: sel\n"), "x.yml");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnimplemented);
}

TEST(SigmaLoaderTest, WholeCorpusLoadsAndCompilesWithBundledRules) {
  absl::StatusOr<SigmaLoadResult> loaded =
      LoadSigmaRules({std::string(SBSCAN_SHARED_DIR) + "/corpus/sigma"});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const size_t total = loaded->rules.size() + loaded->skipped.size();
  EXPECT_EQ(total, 178u);
  EXPECT_EQ(loaded->files, 178);
  for (const SigmaSkip& s : loaded->skipped) {
    std::cout << "skipped " << s.file << ":" << s.line << " (" << s.id << "): " << s.reason
              << "\n";
  }
  std::cout << "sigma: loaded " << loaded->rules.size() << " of " << total << "\n";
  EXPECT_GE(loaded->rules.size() * 100, total * 95);
  absl::StatusOr<std::vector<Rule>> native =
      LoadRuleFiles({std::string(SBSCAN_SOURCE_DIR) + "/signatures/rules"});
  ASSERT_TRUE(native.ok()) << native.status();
  std::vector<Rule> all = *native;
  const size_t native_count = all.size();
  all.insert(all.end(), loaded->rules.begin(), loaded->rules.end());
  absl::StatusOr<std::shared_ptr<const RuleSet>> set = RuleSet::Compile(all);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->rules().size(), native_count + loaded->rules.size());
  std::cout << "one database: " << (*set)->rules().size() << " rules, "
            << (*set)->pattern_count() << " expressions, " << (*set)->prefilter_count()
            << " prefilter, " << (*set)->database_bytes() << " bytes, "
            << (*set)->compile_seconds() << " s\n";
}

TEST(SigmaLoaderTest, MissingPathIsNotFound) {
  EXPECT_EQ(LoadSigmaRules({"/nonexistent/sigma"}).status().code(), absl::StatusCode::kNotFound);
}

// Regression (found by tests/fuzz/sigma_loader_fuzzer): a Sigma rule preceded by a run of ","
// made yaml-cpp 0.7's LoadAll loop forever, growing memory without bound.
TEST(SigmaLoaderTest, StreamsThatStallYamlCppAreRejected) {
  for (const char* yaml : {",", ",,,,,,,,,,title: t\nlogsource:\n  category: ps_script\n"
                                "detection:\n  sel:\n    ScriptBlockText|contains: x\n"
                                "  condition: sel\n"}) {
    EXPECT_FALSE(ParseSigmaRule(yaml, "stall.yml").ok()) << yaml;
  }
}

}  // namespace
}  // namespace sbscan::signatures
