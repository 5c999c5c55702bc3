#include "signatures/matcher.h"

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace sbscan::signatures {
namespace {

std::shared_ptr<const RuleSet> MustCompile(const std::string& yaml,
                                           const CompileOptions& options = {}) {
  auto rules = ParseRules(yaml, "test.yml");
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  auto set = RuleSet::Compile(*std::move(rules), options);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *set : nullptr;
}

// Scans one block and returns the ids of the rules that fired.
struct Block {
  Block(std::string t = {}) : text(std::move(t)) {}  // NOLINT: implicit for brevity
  std::string text;
  std::string path;
  int level = 4;
  std::vector<std::string> layers;
};

std::vector<RuleHit> ScanBlock(Matcher& m, const Block& b) {
  m.Reset();
  m.SetLevel(b.level);
  if (!b.path.empty()) m.ScanPath(b.path);
  m.ScanText(b.text, 0);
  for (size_t i = 0; i < b.layers.size(); ++i) m.ScanText(b.layers[i], static_cast<int>(i + 1));
  std::vector<RuleHit> hits;
  m.Evaluate(&hits);
  return hits;
}

std::vector<std::string> Ids(const std::vector<RuleHit>& hits) {
  std::vector<std::string> ids;
  for (const RuleHit& h : hits) ids.push_back(h.rule->id);
  return ids;
}

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(MatcherTest, LiteralIsAsciiCaseInsensitive) {
  auto set = MustCompile(R"(
id: t.lit
title: t
level: high
patterns:
  a: Invoke-Mimikatz
  u: "Ünïcode"
condition: a or u
)");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  ASSERT_TRUE(m.status().ok());
  EXPECT_THAT(Ids(ScanBlock(m, {"x; iNVOKE-mimiKATZ -DumpCreds"})), ElementsAre("t.lit"));
  EXPECT_THAT(Ids(ScanBlock(m, {"Invoke_Mimikatz"})), IsEmpty());
  EXPECT_THAT(Ids(ScanBlock(m, {"ÜNÏCODE"})), IsEmpty());   // non-ASCII letters are not folded
  EXPECT_THAT(Ids(ScanBlock(m, {"üNïCODE"})), IsEmpty());
  EXPECT_THAT(Ids(ScanBlock(m, {"Ünïcode"})), ElementsAre("t.lit"));
  EXPECT_THAT(Ids(ScanBlock(m, {"ÜnÏcode"})), IsEmpty());
  EXPECT_THAT(Ids(ScanBlock(m, {"ÜNïCODE"})), ElementsAre("t.lit"));
}

TEST(MatcherTest, LiteralOffsets) {
  auto set = MustCompile("id: t\ntitle: t\nlevel: low\npatterns:\n  a: 'iex'\n");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  auto hits = ScanBlock(m, {"0123IEX789 iex"});
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 2u);
  EXPECT_EQ(hits[0].matches[0].begin, 4u);
  EXPECT_EQ(hits[0].matches[0].end, 7u);
  EXPECT_EQ(hits[0].matches[0].layer, 0);
  EXPECT_EQ(hits[0].matches[1].begin, 11u);
  EXPECT_EQ(hits[0].total_matches, 2u);
}

TEST(MatcherTest, CasedLiteralAndRegex) {
  auto set = MustCompile(R"(
id: t.cased
title: t
level: high
patterns:
  lit: {literal: "FromBase64String", cased: true}
  re: {regex: 'Net\.WebClient', cased: true}
)");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"frombase64string net.webclient"})), IsEmpty());
  EXPECT_THAT(Ids(ScanBlock(m, {"[Convert]::FromBase64String('')"})), ElementsAre("t.cased"));
  EXPECT_THAT(Ids(ScanBlock(m, {"New-Object Net.WebClient"})), ElementsAre("t.cased"));
}

TEST(MatcherTest, RegexBeginOffsets) {
  auto set = MustCompile(R"(
id: t.re
title: t
level: high
patterns:
  re: {regex: 'sekurlsa::(logonpasswords|pth)'}
  re2: {regex: 'a+b'}
)");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  auto hits = ScanBlock(m, {"xx SEKURLSA::pth yy caaab"});
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 2u);
  EXPECT_EQ(hits[0].matches[0].pattern, 0u);
  EXPECT_EQ(hits[0].matches[0].begin, 3u);
  EXPECT_EQ(hits[0].matches[0].end, 16u);
  EXPECT_EQ(hits[0].matches[1].pattern, 1u);
  EXPECT_EQ(hits[0].matches[1].begin, 21u);  // leftmost start of the match ending at 25
  EXPECT_EQ(hits[0].matches[1].end, 25u);
}

// Regex starts are found at Evaluate(), each on the text of the layer (or path) it matched in,
// after later layers were scanned.
TEST(MatcherTest, RegexBeginOffsetsResolvedOnTheirOwnLayer) {
  auto set = MustCompile(R"(
id: t.layers
title: t
level: high
patterns:
  re: {regex: 'a+b'}
  p: {regex: 'x+y', field: path}
)");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  Block b("aab");
  b.path = "C:\\xxy.ps1";
  b.layers = {"......aaaab", "no match here", "b ab"};
  auto hits = ScanBlock(m, b);
  ASSERT_EQ(hits.size(), 1u);
  std::vector<std::tuple<uint32_t, int, size_t, size_t>> got;
  for (const PatternMatch& pm : hits[0].matches) got.emplace_back(pm.pattern, pm.layer, pm.begin, pm.end);
  EXPECT_THAT(got, ElementsAre(std::make_tuple(0u, 0, 0u, 3u), std::make_tuple(0u, 1, 6u, 11u),
                               std::make_tuple(0u, 3, 2u, 4u),
                               std::make_tuple(1u, kPathLayer, 3u, 6u)));
  // Evaluate again (explain does): the same, resolved once.
  std::vector<RuleHit> again;
  m.Evaluate(&again);
  ASSERT_EQ(again.size(), 1u);
  ASSERT_EQ(again[0].matches.size(), 4u);
  EXPECT_EQ(again[0].matches[1].begin, 6u);
}

TEST(MatcherTest, PathAndTextAreSeparate) {
  auto set = MustCompile(R"(
id: t.path
title: t
level: high
patterns:
  p: {literal: '\mimikatz', field: path}
---
id: t.text
title: t
level: high
patterns:
  t: {literal: '\mimikatz'}
)");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->pattern_count(), 1u);  // one expression, two targets
  Matcher m(set);
  Block b;
  b.text = "hello";
  b.path = "C:\\t\\Mimikatz.ps1";
  auto hits = ScanBlock(m, b);
  ASSERT_THAT(Ids(hits), ElementsAre("t.path"));
  EXPECT_EQ(hits[0].matches[0].layer, kPathLayer);
  EXPECT_EQ(hits[0].matches[0].begin, 4u);
  b.text = "C:\\t\\mimikatz";
  b.path = "";
  EXPECT_THAT(Ids(ScanBlock(m, b)), ElementsAre("t.text"));
}

TEST(MatcherTest, LevelPatterns) {
  auto set = MustCompile(R"(
id: t.level
title: t
level: low
patterns:
  warned: {level: 3}
---
id: t.level_and
title: t
level: low
patterns:
  warned: {level: 3}
  x: iex
condition: warned and x
)");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  Block b{"iex"};
  b.level = 4;
  EXPECT_THAT(Ids(ScanBlock(m, b)), IsEmpty());
  b.level = 3;
  auto hits = ScanBlock(m, b);
  EXPECT_THAT(Ids(hits), ElementsAre("t.level", "t.level_and"));
  EXPECT_EQ(hits[0].matches[0].layer, kLevelLayer);
  b.text = "nothing";
  EXPECT_THAT(Ids(ScanBlock(m, b)), ElementsAre("t.level"));
  // Reset forgets the level.
  m.Reset();
  m.ScanText("iex", 0);
  std::vector<RuleHit> out;
  m.Evaluate(&out);
  EXPECT_THAT(Ids(out), IsEmpty());
}

TEST(MatcherTest, LayersAreRecordedAndConditionSpansLayers) {
  auto set = MustCompile(R"(
id: t.layers
title: t
level: high
patterns:
  a: downloadstring
  b: {regex: 'i(e)x\b'}
condition: a and b
)");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  Block b{"powershell -enc AAAA"};
  b.layers = {"junk", "IEX (New-Object Net.WebClient).DownloadString('x')"};
  auto hits = ScanBlock(m, b);
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 2u);
  EXPECT_EQ(hits[0].matches[0].layer, 2);
  EXPECT_EQ(hits[0].matches[0].begin, 31u);
  EXPECT_EQ(hits[0].matches[1].layer, 2);
  EXPECT_EQ(hits[0].matches[1].begin, 0u);
  EXPECT_EQ(hits[0].matches[1].end, 3u);
  b.layers = {"IEX"};
  EXPECT_THAT(Ids(ScanBlock(m, b)), IsEmpty());
}

TEST(MatcherTest, MatchCapCountsAll) {
  auto set = MustCompile("id: t\ntitle: t\nlevel: low\npatterns:\n  a: ab\n");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  std::string text;
  for (int i = 0; i < 100; ++i) text += "ab ";
  Block b{text};
  b.layers = {"ab"};
  auto hits = ScanBlock(m, b);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].matches.size(), static_cast<size_t>(kMaxMatchesPerPattern));
  EXPECT_EQ(hits[0].total_matches, 101u);
}

TEST(MatcherTest, ResetBetweenBlocks) {
  auto set = MustCompile("id: t\ntitle: t\nlevel: low\npatterns:\n  a: x1\n  b: y2\n"
                         "condition: a and b\n");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"x1"})), IsEmpty());
  EXPECT_THAT(Ids(ScanBlock(m, {"y2"})), IsEmpty());  // x1 from the previous block is forgotten
  EXPECT_THAT(Ids(ScanBlock(m, {"y2 x1"})), ElementsAre("t"));
  // Evaluate twice gives the same answer.
  std::vector<RuleHit> a, b2;
  m.Evaluate(&a);
  m.Evaluate(&b2);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b2.size(), 1u);
}

TEST(MatcherTest, NotConditionTrueOnEmptyBlock) {
  auto set = MustCompile(R"(
id: t.not
title: t
level: low
patterns:
  a: benign
condition: not a
)");
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"hello"})), ElementsAre("t.not"));
  EXPECT_THAT(Ids(ScanBlock(m, {"BENIGN"})), IsEmpty());
}

TEST(MatcherTest, RuleOrderAndSharedExpressions) {
  auto set = MustCompile(R"(
id: r1
title: t
level: low
patterns: {a: zzz}
---
id: r2
title: t
level: low
patterns: {a: iex}
---
id: r3
title: t
level: low
patterns: {b: IEX}
)");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->pattern_count(), 2u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"iex zzz"})), ElementsAre("r1", "r2", "r3"));
}

TEST(MatcherTest, PrefilterConfirmedByRe2) {
  CompileOptions options;
  options.force_prefilter = true;
  auto set = MustCompile(R"(
id: t.pre
title: t
level: low
patterns:
  re: {regex: 'abc\d{3}x'}
)",
                         options);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->prefilter_count(), 1u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"abc12x"})), IsEmpty());
  auto hits = ScanBlock(m, {"..ABC123x..abc999X"});
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 2u);
  EXPECT_EQ(hits[0].matches[0].begin, 2u);
  EXPECT_EQ(hits[0].matches[0].end, 9u);
  EXPECT_EQ(hits[0].matches[1].begin, 11u);
  EXPECT_EQ(hits[0].total_matches, 2u);
}

TEST(MatcherTest, EmptyRuleSet) {
  auto set = RuleSet::Compile({});
  ASSERT_TRUE(set.ok()) << set.status();
  Matcher m(*set);
  m.Reset();
  m.ScanText("anything", 0);
  std::vector<RuleHit> out;
  m.Evaluate(&out);
  EXPECT_TRUE(out.empty());
}

// ---- Regexes gated by their atoms (CompileOptions::gate_regexes_with_atoms). ----

CompileOptions GateAll() {
  CompileOptions o;
  o.gate_regexes_with_atoms = true;
  o.min_atom_length = 3;
  o.max_atoms_per_gated_regex = 1 << 20;
  return o;
}

TEST(MatcherGatingTest, AtomHitWithoutRegexMatchIsNoHit) {
  auto set = MustCompile("id: t\ntitle: t\nlevel: low\npatterns:\n  re: {regex: 'abcdef\\d{3}'}\n",
                         GateAll());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->gated_regex_count(), 1u);
  EXPECT_EQ(set->unfiltered_regex_count(), 0u);
  EXPECT_THAT(set->atoms(), ElementsAre("abcdef"));
  EXPECT_EQ(set->pattern_count(), 1u);  // atoms are not patterns
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"ABCDEFxyz abcdef12"})), IsEmpty());
  EXPECT_EQ(m.confirm_scans(), 1u);
  EXPECT_THAT(Ids(ScanBlock(m, {"nothing here"})), IsEmpty());
  EXPECT_EQ(m.confirm_scans(), 1u);  // no atom, no confirm scan
  auto hits = ScanBlock(m, {"..AbCdEf123.."});
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 1u);
  EXPECT_EQ(hits[0].matches[0].begin, 2u);
  EXPECT_EQ(hits[0].matches[0].end, 11u);
  EXPECT_EQ(m.confirm_scans(), 2u);
  EXPECT_EQ(m.confirm_scans_per_expression()[0], 2u);
}

TEST(MatcherGatingTest, AlternationOfAtoms) {
  auto set = MustCompile(
      "id: t\ntitle: t\nlevel: low\npatterns:\n  re: {regex: '(foobar|bazqux)\\s+\\d'}\n",
      GateAll());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->gated_regex_count(), 1u);
  EXPECT_EQ(set->atom_count(), 2u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"foobar x bazqux y"})), IsEmpty());
  auto hits = ScanBlock(m, {"xx BAZQUX  7 foobar 1"});
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 2u);
  EXPECT_EQ(hits[0].matches[0].begin, 3u);
  EXPECT_EQ(hits[0].matches[0].end, 12u);
  EXPECT_EQ(hits[0].matches[1].begin, 13u);
  EXPECT_EQ(hits[0].matches[1].end, 21u);
  EXPECT_EQ(hits[0].total_matches, 2u);
}

TEST(MatcherGatingTest, CasedRegexWithCaselessAtoms) {
  auto set = MustCompile(
      "id: t\ntitle: t\nlevel: low\npatterns:\n  re: {regex: 'Win32_[A-Z][a-z]+', cased: true}\n",
      GateAll());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->gated_regex_count(), 1u);
  EXPECT_THAT(set->atoms(), ElementsAre("win32_"));
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"win32_process WIN32_PROCESS"})), IsEmpty());
  EXPECT_EQ(m.confirm_scans(), 1u);  // the caseless atom hit; the cased regex did not
  EXPECT_THAT(Ids(ScanBlock(m, {"gwmi Win32_Process"})), ElementsAre("t"));
}

TEST(MatcherGatingTest, AtomSharedWithLiteralAndUnfilteredRegex) {
  auto set = MustCompile(R"(
id: t.a
title: t
level: low
patterns:
  lit: DownloadString
  re: {regex: 'downloadstring\s*\(\s*\d'}
condition: re
---
id: t.b
title: t
level: low
patterns:
  digits: {regex: '\d{3}-\d{4}'}
)",
                         GateAll());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->pattern_count(), 3u);
  EXPECT_EQ(set->gated_regex_count(), 1u);
  EXPECT_EQ(set->unfiltered_regex_count(), 1u);  // no literal factor: in the shared database
  EXPECT_THAT(set->atoms(), ElementsAre("downloadstring"));
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"x.DownloadString('a')"})), IsEmpty());
  EXPECT_THAT(Ids(ScanBlock(m, {"x.DOWNLOADSTRING( 5)"})), ElementsAre("t.a"));
  EXPECT_THAT(Ids(ScanBlock(m, {"call 555-1234"})), ElementsAre("t.b"));
  EXPECT_THAT(Ids(ScanBlock(m, {"call 555-12"})), IsEmpty());
}

TEST(MatcherGatingTest, LayersAndPathField) {
  auto set = MustCompile(R"(
id: t.path
title: t
level: low
patterns:
  p: {regex: '\\temp\\[a-z]+\.ps1$', field: path}
---
id: t.text
title: t
level: low
patterns:
  t: {regex: 'invoke-\w+mimikatz'}
)",
                         GateAll());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->gated_regex_count(), 2u);
  Matcher m(set);
  Block b{"nothing"};
  b.path = "C:\\Temp\\run.ps1";
  auto hits = ScanBlock(m, b);
  ASSERT_THAT(Ids(hits), ElementsAre("t.path"));
  EXPECT_EQ(hits[0].matches[0].layer, kPathLayer);
  EXPECT_EQ(hits[0].matches[0].begin, 2u);
  EXPECT_EQ(hits[0].matches[0].end, 15u);
  // The path regex's atoms in the text do not make it match, and vice versa.
  b.text = "C:\\Temp\\run.ps1";
  b.path = "C:\\x\\Invoke-MyMimikatz.ps1";
  EXPECT_THAT(Ids(ScanBlock(m, b)), IsEmpty());
  b.text = "junk";
  b.path.clear();
  b.layers = {"nope", "IEX; Invoke-SuperMimikatz"};
  hits = ScanBlock(m, b);
  ASSERT_THAT(Ids(hits), ElementsAre("t.text"));
  EXPECT_EQ(hits[0].matches[0].layer, 2);
  EXPECT_EQ(hits[0].matches[0].begin, 5u);
  EXPECT_EQ(hits[0].matches[0].end, 25u);
}

TEST(MatcherGatingTest, MatchCapCountsAll) {
  auto set =
      MustCompile("id: t\ntitle: t\nlevel: low\npatterns:\n  a: {regex: 'abcdx+e\\d'}\n", GateAll());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->gated_regex_count(), 1u);
  Matcher m(set);
  std::string text;
  for (int i = 0; i < 100; ++i) text += "abcdxe1 ";
  Block b{text};
  b.layers = {"abcdxxe2"};
  auto hits = ScanBlock(m, b);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].matches.size(), static_cast<size_t>(kMaxMatchesPerPattern));
  EXPECT_EQ(hits[0].total_matches, 101u);
  EXPECT_EQ(hits[0].matches[1].begin, 8u);
  EXPECT_EQ(hits[0].matches[1].end, 15u);
}

TEST(MatcherGatingTest, GatedPrefilterRegexConfirmedByRe2) {
  CompileOptions o = GateAll();
  o.force_prefilter = true;
  auto set = MustCompile("id: t\ntitle: t\nlevel: low\npatterns:\n  re: {regex: 'abc\\d{3}x'}\n", o);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->gated_regex_count(), 1u);
  EXPECT_EQ(set->prefilter_count(), 1u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"abc12x"})), IsEmpty());
  auto hits = ScanBlock(m, {"..ABC123x..abc999X"});
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 2u);
  EXPECT_EQ(hits[0].matches[0].begin, 2u);
  EXPECT_EQ(hits[0].matches[0].end, 9u);
  EXPECT_EQ(hits[0].total_matches, 2u);
}

TEST(MatcherGatingTest, GatingOffKeepsOneDatabase) {
  CompileOptions o;
  o.gate_regexes_with_atoms = false;
  auto set = MustCompile("id: t\ntitle: t\nlevel: low\npatterns:\n  re: {regex: 'abcdef\\d'}\n", o);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->gated_regex_count(), 0u);
  EXPECT_EQ(set->unfiltered_regex_count(), 1u);
  EXPECT_EQ(set->atom_count(), 0u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"abcdef1"})), ElementsAre("t"));
  EXPECT_EQ(m.confirm_scans(), 0u);
}


// ---- Deferred patterns (CompileOptions::defer_guarded_patterns). ----

constexpr char kGuarded[] = R"(
id: t.guarded
title: t
level: high
patterns:
  tool: Invoke-Mimikatz
  short: iex
condition: tool and short
)";

// Guards of one required set: kGuarded's two literals are then guard and deferred pattern
// (with the default two sets, both would guard and nothing would be deferred).
CompileOptions OneGuardSet() {
  CompileOptions o;
  o.guard_sets_per_rule = 1;
  return o;
}

std::string Describe(const std::vector<RuleHit>& hits) {
  std::string out;
  for (const RuleHit& h : hits) {
    out += h.rule->id + (h.condition_held ? "" : "(miss)") + " total " +
           std::to_string(h.total_matches) + ":";
    for (const PatternMatch& m : h.matches) {
      out += " p" + std::to_string(m.pattern) + "@" + std::to_string(m.layer) + "[" +
             std::to_string(m.begin) + "," + std::to_string(m.end) + ")";
    }
    out += ";";
  }
  return out;
}

TEST(MatcherDeferralTest, DeferredPatternScannedOnlyWhenTheGuardHits) {
  auto set = MustCompile(kGuarded, OneGuardSet());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->deferred_count(), 1u);  // iex; the guard is the longer literal
  EXPECT_EQ(set->guarded_rule_count(), 1u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"iex iex"})), IsEmpty());
  EXPECT_EQ(m.deferred_scans(), 0u);  // no guard hit: iex never scanned
  EXPECT_THAT(Ids(ScanBlock(m, {"Invoke-Mimikatz"})), IsEmpty());
  EXPECT_EQ(m.deferred_scans(), 1u);
  Block b{"Invoke-Mimikatz"};
  b.layers = {"x iex IEX"};  // the deferred pattern in another layer than the guard
  auto hits = ScanBlock(m, b);
  EXPECT_EQ(Describe(hits), "t.guarded total 3: p0@0[0,15) p1@1[2,5) p1@1[6,9);");
  EXPECT_EQ(m.deferred_scans(), 2u);
  EXPECT_EQ(m.guard_hits_per_rule()[0], 2u);
}

// A required set naming an everyday token (here Invoke-Command, the longer literal) guards only
// when nothing else can: the rarer literal guards and Invoke-Command waits behind it, so a block
// with Invoke-Command alone arms no deferred scan. Same hits either way.
TEST(MatcherDeferralTest, EverydayTokensGuardLast) {
  constexpr char kRemote[] = R"(
id: t.remote
title: t
level: high
patterns:
  cmdlet: Invoke-Command
  rare: {regex: 'Mimi[kK]atz'}
condition: cmdlet and rare
)";
  CompileOptions demote = OneGuardSet();
  CompileOptions plain = OneGuardSet();
  plain.demote_common_guards = false;
  auto demoted = MustCompile(kRemote, demote);
  auto longest = MustCompile(kRemote, plain);
  ASSERT_NE(demoted, nullptr);
  ASSERT_NE(longest, nullptr);
  EXPECT_EQ(demoted->deferred_count(), 1u);
  EXPECT_EQ(longest->deferred_count(), 1u);
  Matcher d(demoted), l(longest);
  EXPECT_THAT(Ids(ScanBlock(d, {"Invoke-Command -ScriptBlock { hostname }"})), IsEmpty());
  EXPECT_THAT(Ids(ScanBlock(l, {"Invoke-Command -ScriptBlock { hostname }"})), IsEmpty());
  EXPECT_EQ(d.deferred_scans(), 0u);  // the guard is the rare regex: not armed
  EXPECT_EQ(l.deferred_scans(), 1u);  // the guard is Invoke-Command: armed
  const Block both{"Invoke-Command { Invoke-Mimikatz }"};
  EXPECT_EQ(Describe(ScanBlock(d, both)), Describe(ScanBlock(l, both)));
  EXPECT_THAT(Ids(ScanBlock(d, both)), ElementsAre("t.remote"));
}

TEST(MatcherDeferralTest, EvaluateAgainScansOnlyNewTexts) {
  auto set = MustCompile(kGuarded, OneGuardSet());
  ASSERT_NE(set, nullptr);
  Matcher m(set);
  Block b{"Invoke-Mimikatz iex"};
  auto first = ScanBlock(m, b);
  std::vector<RuleHit> again;
  m.Evaluate(&again);
  EXPECT_EQ(Describe(again), Describe(first));  // no match recorded twice
  EXPECT_EQ(m.deferred_scans(), 1u);
  const std::string layer = "iex";
  m.ScanText(layer, 1);
  std::vector<RuleHit> more;
  m.Evaluate(&more);
  EXPECT_EQ(Describe(more), "t.guarded total 3: p0@0[0,15) p1@0[16,19) p1@1[0,3);");
  EXPECT_EQ(m.deferred_scans(), 2u);
}

TEST(MatcherDeferralTest, SharedDeferredExpressionIsRecordedOnce) {
  auto set = MustCompile(std::string(kGuarded) + R"(
---
id: t.other
title: t
level: low
patterns:
  tool: DownloadString
  short: IEX
condition: tool and short
)",
                         OneGuardSet());
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->deferred_count(), 1u);  // iex, shared by both rules
  EXPECT_EQ(set->guarded_rule_count(), 2u);
  Matcher m(set);
  auto hits = ScanBlock(m, {"Invoke-Mimikatz; iex (x.DownloadString('u')); iex"});
  EXPECT_EQ(Describe(hits),
            "t.guarded total 3: p0@0[0,15) p1@0[17,20) p1@0[46,49);"
            "t.other total 3: p0@0[24,38) p1@0[17,20) p1@0[46,49);");
  EXPECT_EQ(m.deferred_scans(), 1u);  // the second armed rule finds iex already scanned
}

// Every rule's matches and near misses are the same with deferral on and off.
TEST(MatcherDeferralTest, SameResultsAsWithoutDeferral) {
  const std::string rules = std::string(kGuarded) + R"(
---
id: t.filtered
title: t
level: low
patterns:
  cmd: Set-MpPreference
  off: {regex: '-Disable\w+\s+\$?(true|1)'}
  filter: '# benign'
  path: {field: path, literal: 'C:\Tools\'}
condition: cmd and off and not filter and not path
---
id: t.quant
title: t
level: low
patterns:
  a: {regex: 'VirtualAlloc(Ex)?'}
  b: WriteProcessMemory
  c: CreateRemoteThread
condition: all of them
)";
  CompileOptions off;
  off.defer_guarded_patterns = false;
  auto off_set = MustCompile(rules, off);
  ASSERT_NE(off_set, nullptr);
  EXPECT_EQ(off_set->deferred_count(), 0u);
  for (int sets : {1, 2}) {
    CompileOptions o;
    o.guard_sets_per_rule = sets;
    auto on_set = MustCompile(rules, o);
    ASSERT_NE(on_set, nullptr);
    // One set: iex, off, filter, two of the three APIs. Two sets: Invoke-Mimikatz and iex both
    // guard, two API literals guard and the regex API waits, off and filter wait.
    EXPECT_GE(on_set->deferred_count(), sets == 1 ? 5u : 3u);
    Matcher on(on_set), plain(off_set);
    std::vector<Block> blocks = {
        {"Invoke-Mimikatz iex"},
        {"Set-MpPreference -DisableRealtimeMonitoring $true"},
        {"Set-MpPreference -DisableRealtimeMonitoring $true # benign"},
        {"VirtualAllocEx WriteProcessMemory CreateRemoteThread"},
        {"WriteProcessMemory CreateRemoteThread"},
        {"-DisableIOAV 1 iex # benign"},
    };
    Block with_path{"Set-MpPreference -DisableIOAV 1"};
    with_path.path = "C:\\Tools\\a.ps1";
    blocks.push_back(with_path);
    Block layered{"powershell -enc x"};
    layered.layers = {"Set-MpPreference", "-DisableIOAV 1; VirtualAlloc WriteProcessMemory"};
    blocks.push_back(layered);
    for (bool near_misses : {false, true}) {
      for (const Block& b : blocks) {
        for (Matcher* m : {&on, &plain}) {
          m->Reset();
          if (!b.path.empty()) m->ScanPath(b.path);
          m->ScanText(b.text, 0);
          for (size_t i = 0; i < b.layers.size(); ++i) m->ScanText(b.layers[i], int(i + 1));
        }
        std::vector<RuleHit> a, c;
        on.Evaluate(&a, near_misses);
        plain.Evaluate(&c, near_misses);
        EXPECT_EQ(Describe(a), Describe(c))
            << b.text << " near_misses " << near_misses << " guard sets " << sets;
      }
    }
    EXPECT_GT(on.deferred_scans(), 0u);
  }
}

// With two guard sets (the default) a rule's deferred scan needs a hit in both: the two longest
// literals guard, the regex and the short literal wait; a regex never joins as a second set.
TEST(MatcherDeferralTest, TwoGuardSetsMustBothHit) {
  auto set = MustCompile(R"(
id: t.three
title: t
level: high
patterns:
  tool: Invoke-Mimikatz
  verb: DumpCreds
  short: iex
  re: {regex: 'sekurlsa::\w+'}
condition: tool and verb and short and re
)");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->deferred_count(), 2u);  // iex and the regex
  EXPECT_EQ(set->guarded_rule_count(), 1u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"Invoke-Mimikatz iex sekurlsa::x"})), IsEmpty());
  EXPECT_EQ(m.deferred_scans(), 0u);  // one set hit: not armed
  EXPECT_THAT(Ids(ScanBlock(m, {"DumpCreds iex sekurlsa::x"})), IsEmpty());
  EXPECT_EQ(m.deferred_scans(), 0u);
  EXPECT_THAT(Ids(ScanBlock(m, {"Invoke-Mimikatz -DumpCreds iex sekurlsa::x"})),
              ElementsAre("t.three"));
  EXPECT_EQ(m.deferred_scans(), 1u);
  EXPECT_EQ(m.guard_hits_per_rule()[0], 1u);
  // The regex may be the strongest set, but only a literal set joins it.
  auto regex_first = MustCompile(R"(
id: t.regex
title: t
level: high
patterns:
  re: {regex: 'Invoke-Mimikatz\s+-\w+'}
  verb: DumpCreds
  other: {regex: 'sekurlsa::logonpasswords\w*'}
condition: all of them
)");
  ASSERT_NE(regex_first, nullptr);
  EXPECT_EQ(regex_first->guarded_rule_count(), 1u);
  EXPECT_EQ(regex_first->deferred_count(), 1u);  // the regex 'other' stays out of the guard
}

TEST(MatcherDeferralTest, WeakGuardsDeferNothing) {
  CompileOptions o;
  o.min_guard_factor_length = 16;  // longer than Invoke-Mimikatz
  auto set = MustCompile(kGuarded, o);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->deferred_count(), 0u);
  EXPECT_EQ(set->guarded_rule_count(), 0u);
  Matcher m(set);
  EXPECT_THAT(Ids(ScanBlock(m, {"Invoke-Mimikatz iex"})), ElementsAre("t.guarded"));
  EXPECT_EQ(m.deferred_scans(), 0u);
}

TEST(MatcherDeferralTest, PathPatternsAndOrConditionsStayShared) {
  auto set = MustCompile(R"(
id: t.path
title: t
level: low
patterns:
  tool: Invoke-Mimikatz
  where: {field: path, literal: temp}
condition: tool and where
---
id: t.either
title: t
level: low
patterns:
  a: Invoke-Mimikatz
  b: iex
condition: a or b
)");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->deferred_count(), 0u);  // a path pattern; an OR needs both sides
  EXPECT_EQ(set->guarded_rule_count(), 0u);
}

}  // namespace
}  // namespace sbscan::signatures
