// Differential test: the compiled Matcher (one Hyperscan database + RE2 confirm) against a naive
// reference that checks each rule on its own (ASCII-lowercased std::string::find for literals,
// RE2 for regexes, a direct interpreter for conditions), on randomized texts and on every
// ScriptBlockText of the shared corpus.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "decoders/utf8.h"
#include "signatures/matcher.h"
#include "tests/signatures/rule_hit_text.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace sbscan::signatures {
namespace {

constexpr char kRules[] = R"(
id: d.iex
title: t
level: high
patterns:
  iex: {regex: '\biex\b'}
  invoke: Invoke-Expression
---
id: d.download
title: t
level: high
patterns:
  wc: Net.WebClient
  ds: DownloadString
  df: DownloadFile
  iwr: {regex: '\b(iwr|Invoke-WebRequest|wget|curl)\b'}
condition: (wc and (ds or df)) or iwr
---
id: d.encoded
title: t
level: medium
patterns:
  flag: {regex: '\s-e(nc(odedcommand)?)?\s'}
  b64: {regex: '[A-Za-z0-9+/]{60,}={0,2}', cased: true}
  fb64: FromBase64String
condition: 1 of them
---
id: d.charcodes
title: t
level: medium
patterns:
  char: {regex: '\[char\]\s*\d{2,3}'}
  bxor: -bxor
condition: all of them
---
id: d.cased
title: t
level: low
patterns:
  a: {literal: 'Get-WmiObject', cased: true}
  b: {regex: 'Win32_[A-Z][a-z]+', cased: true}
condition: a or b
---
id: d.defender
title: t
level: high
patterns:
  sel_mp: Set-MpPreference
  sel_add: Add-MpPreference
  sel_dis: {regex: 'Disable(RealtimeMonitoring|BehaviorMonitoring|IOAVProtection)'}
  filter_get: Get-MpPreference
condition: 1 of sel_* and not filter_get
---
id: d.two_of
title: t
level: medium
patterns:
  s_hidden: {regex: '-w(indowstyle)?\s+h(idden)?\b'}
  s_bypass: bypass
  s_noprofile: -nop
  s_noni: -noni
condition: 2 of s_*
---
id: d.path
title: t
level: low
patterns:
  temp: {literal: '\temp\', field: path}
  ps1: {regex: '\.ps1$', field: path}
  text_ps1: .ps1
condition: temp or (ps1 and text_ps1)
---
id: d.level
title: t
level: informational
patterns:
  warned: {level: 3}
  verbose: {level: 5}
---
id: d.level_and_text
title: t
level: low
patterns:
  warned: {level: 3}
  func: function
condition: warned and not func
---
id: d.not_only
title: t
level: informational
patterns:
  write: Write-Host
condition: not write
---
id: d.registry
title: t
level: medium
patterns:
  hk: {regex: 'HK(LM|CU):\\'}
  run: \CurrentVersion\Run
  reg: {regex: 'New-ItemProperty|Set-ItemProperty'}
condition: hk and (run or reg)
---
id: d.amsi
title: t
level: critical
patterns:
  a: AmsiUtils
  b: amsiInitFailed
  c: {regex: 'System\.Management\.Automation\.[A-Za-z]+Utils'}
condition: a or b or c
---
id: d.reflection
title: t
level: high
patterns:
  load: {regex: '\[(System\.)?Reflection\.Assembly\]::Load'}
  va: VirtualAlloc
  gp: GetProcAddress
condition: load or (va and gp)
---
id: d.obf
title: t
level: medium
patterns:
  tick: {regex: '[a-z]`[a-z]`[a-z]'}
  fmt: {regex: '"\{\d\}\{\d\}'}
  rev: {regex: '-join\s*\(\s*\$?\w+\[-1\.\.'}
condition: 1 of them
---
id: d.sekurlsa
title: t
level: critical
patterns:
  mimi: Invoke-Mimikatz
  mod: {regex: 'sekurlsa::(logonpasswords|pth|tickets)'}
  lsass: lsass
condition: mimi or mod or lsass
---
id: d.all_them
title: t
level: low
patterns:
  gci: Get-ChildItem
  where: Where-Object
  sel: Select-Object
condition: all of them
---
id: d.dotall
title: t
level: low
patterns:
  span: {regex: '(?s)param\s*\(.{0,300}\)\s*begin'}
  dot: {regex: 'try\s*\{.{0,40}catch'}
---
id: d.nonascii
title: t
level: low
patterns:
  u: "Ärger"
  cased_u: {literal: "ß", cased: true}
---
id: d.nested
title: t
level: low
patterns:
  a: '$env:'
  b: Start-Process
  c: -Verb
  d: RunAs
  e: cmd.exe
condition: not (a and not b) and (c and d or e and not not b)
)";

// ---- The naive reference. ----

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct Event {
  std::string text;
  std::string path;
  int level = 4;
  std::vector<std::string> layers;  // decoded layers, scanned like the text
};

// Interprets a condition string directly (no shared code with Condition).
class RefCondition {
 public:
  RefCondition(const std::string& text, const Rule& rule, const std::vector<bool>& hit)
      : rule_(rule), hit_(hit) {
    std::string cur;
    for (char c : text) {
      if (c == '(' || c == ')' || c == ' ') {
        if (!cur.empty()) toks_.push_back(cur);
        cur.clear();
        if (c != ' ') toks_.push_back(std::string(1, c));
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) toks_.push_back(cur);
  }
  bool Eval() { return Or(); }

 private:
  bool Or() {
    bool v = And();
    while (pos_ < toks_.size() && toks_[pos_] == "or") {
      ++pos_;
      bool r = And();
      v = v || r;
    }
    return v;
  }
  bool And() {
    bool v = Unary();
    while (pos_ < toks_.size() && toks_[pos_] == "and") {
      ++pos_;
      bool r = Unary();
      v = v && r;
    }
    return v;
  }
  bool Unary() {
    const std::string t = toks_[pos_++];
    if (t == "not") return !Unary();
    if (t == "(") {
      bool v = Or();
      ++pos_;  // ')'
      return v;
    }
    if (pos_ < toks_.size() && toks_[pos_] == "of") {
      const std::string target = toks_[pos_ + 1];
      pos_ += 2;
      int selected = 0, hits = 0;
      for (size_t i = 0; i < rule_.patterns.size(); ++i) {
        const std::string& n = rule_.patterns[i].name;
        bool sel = target == "them" ||
                   (target.back() == '*' && n.rfind(target.substr(0, target.size() - 1), 0) == 0) ||
                   n == target;
        selected += sel;
        hits += sel && hit_[i];
      }
      int need = t == "all" ? selected : std::stoi(t);
      return hits >= need;
    }
    for (size_t i = 0; i < rule_.patterns.size(); ++i) {
      if (rule_.patterns[i].name == t) return hit_[i];
    }
    ADD_FAILURE() << "reference: unknown token " << t;
    return false;
  }
  const Rule& rule_;
  const std::vector<bool>& hit_;
  std::vector<std::string> toks_;
  size_t pos_ = 0;
};

class Reference {
 public:
  explicit Reference(const std::vector<Rule>& rules) : rules_(rules) {
    for (const Rule& r : rules) {
      std::vector<std::unique_ptr<RE2>> res;
      for (const Pattern& p : r.patterns) {
        if (p.kind != Pattern::Kind::kRegex) {
          res.push_back(nullptr);
          continue;
        }
        RE2::Options o;
        o.set_encoding(RE2::Options::EncodingLatin1);
        o.set_case_sensitive(p.cased);
        o.set_log_errors(false);
        res.push_back(std::make_unique<RE2>(p.value, o));
        EXPECT_TRUE(res.back()->ok()) << p.value;
      }
      regexes_.push_back(std::move(res));
    }
  }

  std::vector<std::string> Fired(const Event& e) const {
    std::vector<std::string> texts = {e.text};
    texts.insert(texts.end(), e.layers.begin(), e.layers.end());
    std::vector<std::string> lowered;
    for (const std::string& t : texts) lowered.push_back(AsciiLower(t));
    const std::string lpath = AsciiLower(e.path);
    std::vector<std::string> out;
    for (size_t r = 0; r < rules_.size(); ++r) {
      const Rule& rule = rules_[r];
      std::vector<bool> hit(rule.patterns.size());
      for (size_t i = 0; i < rule.patterns.size(); ++i) {
        const Pattern& p = rule.patterns[i];
        if (p.kind == Pattern::Kind::kLevel) {
          hit[i] = e.level == p.level;
          continue;
        }
        std::vector<const std::string*> hay;
        if (p.field == Field::kPath) {
          if (!e.path.empty()) hay.push_back(p.cased || p.kind == Pattern::Kind::kRegex ? &e.path : &lpath);
        } else {
          for (size_t k = 0; k < texts.size(); ++k) {
            hay.push_back(p.cased || p.kind == Pattern::Kind::kRegex ? &texts[k] : &lowered[k]);
          }
        }
        for (const std::string* h : hay) {
          if (p.kind == Pattern::Kind::kLiteral) {
            hit[i] = hit[i] || h->find(p.cased ? p.value : AsciiLower(p.value)) != std::string::npos;
          } else {
            hit[i] = hit[i] || RE2::PartialMatch(*h, *regexes_[r][i]);
          }
        }
      }
      RefCondition cond(rule.condition, rule, hit);
      if (cond.Eval()) out.push_back(rule.id);
    }
    return out;
  }

 private:
  const std::vector<Rule>& rules_;
  std::vector<std::vector<std::unique_ptr<RE2>>> regexes_;
};

// ---- Harness. ----

class DifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = ParseRules(kRules, "differential.yml");
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = *rules;
    ASSERT_GE(rules_.size(), 20u);
    auto set = RuleSet::Compile(rules_);
    ASSERT_TRUE(set.ok()) << set.status();
    exact_ = *set;
    CompileOptions pre;
    pre.force_prefilter = true;
    auto pset = RuleSet::Compile(rules_, pre);
    ASSERT_TRUE(pset.ok()) << pset.status();
    prefilter_ = *pset;
    ASSERT_GT(prefilter_->prefilter_count(), 10u);
    // The default set defers the patterns of guarded rules: the differential covers that path.
    ASSERT_GE(exact_->deferred_count(), 5u);
    ASSERT_GE(exact_->guarded_rule_count(), 5u);
    reference_ = std::make_unique<Reference>(rules_);
    // The same rules with regex gating off (one database, every regex in it) and with every
    // regex that has atoms gated (short atoms, no limit on atoms per regex), each with and
    // without the combined confirm scan of all gated regexes.
    // Deferral off (every pattern in the shared database) and deferral behind any guard.
    for (int min_guard : {0, 1}) {
      CompileOptions o;
      o.defer_guarded_patterns = min_guard > 0;
      o.min_guard_factor_length = std::max(min_guard, 1);
      auto v = RuleSet::Compile(rules_, o);
      ASSERT_TRUE(v.ok()) << v.status();
      ASSERT_EQ((*v)->deferred_count() > 0, min_guard > 0);
      variants_.push_back(std::make_unique<Matcher>(*v));
      variant_names_.push_back(min_guard ? "defer behind any guard" : "no deferral");
    }
    for (bool force_prefilter : {false, true}) {
      for (int gating = 0; gating < 2; ++gating) {
        CompileOptions o;
        o.force_prefilter = force_prefilter;
        o.gate_regexes_with_atoms = gating == 1;
        o.min_atom_length = 2;
        o.max_atoms_per_gated_regex = 1 << 20;
        o.max_confirm_scans_per_text = force_prefilter ? 0 : 1 << 20;
        auto v = RuleSet::Compile(rules_, o);
        ASSERT_TRUE(v.ok()) << v.status();
        if (gating == 1) {
          ASSERT_GT((*v)->gated_regex_count(), 10u);
          ASSERT_GT((*v)->atom_count(), 10u);
        } else {
          ASSERT_EQ((*v)->gated_regex_count(), 0u);
        }
        variants_.push_back(std::make_unique<Matcher>(*v));
        variant_names_.push_back(std::string(gating ? "gate-all" : "ungated") +
                                 (force_prefilter ? " prefilter" : " exact"));
      }
    }
  }

  // Checks `e` with every variant matcher (gating off / gating everything); not counted.
  void CheckVariants(const Event& e, const std::string& what) {
    for (size_t i = 0; i < variants_.size(); ++i) {
      Check(*variants_[i], e, what + " " + variant_names_[i], /*count=*/false);
    }
  }

  // Compares both compiled matchers with the reference; checks recorded literal offsets.
  void Check(Matcher& m, const Event& e, const std::string& what, bool count = true) {
    m.Reset();
    m.SetLevel(e.level);
    if (!e.path.empty()) m.ScanPath(e.path);
    m.ScanText(e.text, 0);
    for (size_t i = 0; i < e.layers.size(); ++i) m.ScanText(e.layers[i], static_cast<int>(i + 1));
    std::vector<RuleHit> hits;
    m.Evaluate(&hits);
    std::vector<std::string> got;
    for (const RuleHit& h : hits) {
      got.push_back(h.rule->id);
      EXPECT_GE(h.total_matches, h.matches.size());
      for (const PatternMatch& pm : h.matches) {
        const Pattern& p = h.rule->patterns[pm.pattern];
        if (pm.layer == kLevelLayer) continue;
        const std::string& hay = pm.layer == kPathLayer ? e.path
                                 : pm.layer == 0       ? e.text
                                                       : e.layers[pm.layer - 1];
        ASSERT_LE(pm.end, hay.size());
        ASSERT_LT(pm.begin, pm.end);
        std::string_view s(hay.data() + pm.begin, pm.end - pm.begin);
        if (p.kind == Pattern::Kind::kLiteral) {
          EXPECT_EQ(p.cased ? std::string(s) : AsciiLower(s),
                    p.cased ? p.value : AsciiLower(p.value))
              << what;
        } else if (p.value.find("\\b") == std::string::npos &&
                   p.value.find('$') == std::string::npos) {
          RE2::Options o;
          o.set_encoding(RE2::Options::EncodingLatin1);
          o.set_case_sensitive(p.cased);
          RE2 re(p.value, o);
          EXPECT_TRUE(RE2::FullMatch(s, re)) << what << " pattern " << p.value << " got '" << s << "'";
        }
      }
    }
    std::vector<std::string> want = reference_->Fired(e);
    EXPECT_EQ(got, want) << what;
    if (count) ++checked_;
  }

  std::vector<Rule> rules_;
  std::shared_ptr<const RuleSet> exact_, prefilter_;
  std::unique_ptr<Reference> reference_;
  std::vector<std::unique_ptr<Matcher>> variants_;
  std::vector<std::string> variant_names_;
  size_t checked_ = 0;
};

TEST_F(DifferentialTest, RandomizedFragments) {
  std::vector<std::string> frags;
  for (const Rule& r : rules_) {
    for (const Pattern& p : r.patterns) {
      if (p.kind == Pattern::Kind::kLiteral) {
        frags.push_back(p.value);
        frags.push_back(p.value.substr(0, p.value.size() / 2));
      }
    }
  }
  const std::vector<std::string> extra = {
      "iex", "IEX(", "msiexec", " -enc ", " -EncodedCommand ", "[char]65", "[CHAR] 101",
      "Win32_Process", "win32_process", "DisableRealtimeMonitoring", " -w hidden ", " -W H ",
      "HKLM:\\", "hkcu:\\", "[Reflection.Assembly]::Load", "[System.Reflection.Assembly]::LoadFile",
      "a`b`c", "\"{0}{1}\"", "-join ($s[-1..", "sekurlsa::pth", "SEKURLSA::Tickets",
      "param(\n$a\n) begin", "try { x } catch", "try {\n} catch", "Ärger", "äRGER", "ärger", "ß",
      "SS", "curl", "wget", "Invoke-WebRequest", "\n", " ", "\t", "x", "_", "$", ".", ".ps1",
      "System.Management.Automation.AmsiUtils", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=="};
  frags.insert(frags.end(), extra.begin(), extra.end());
  std::mt19937 rng(12345);
  auto flip_case = [&](std::string s) {
    for (char& c : s) {
      if (rng() % 3 == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      else if (rng() % 3 == 0 && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return s;
  };
  auto make_text = [&](int max_frags) {
    std::string t;
    int n = static_cast<int>(rng() % max_frags);
    for (int i = 0; i < n; ++i) {
      t += rng() % 2 ? flip_case(frags[rng() % frags.size()]) : frags[rng() % frags.size()];
      if (rng() % 3 == 0) t += " ";
    }
    return t;
  };
  const std::vector<std::string> paths = {"", "C:\\Temp\\a.ps1", "C:\\temp\\x.txt",
                                          "C:\\Users\\a\\run.PS1", "C:\\t\\b.ps1x"};
  Matcher exact(exact_), pre(prefilter_);
  for (int i = 0; i < 3000; ++i) {
    Event e;
    e.text = make_text(40);
    e.path = paths[rng() % paths.size()];
    e.level = static_cast<int>(rng() % 6);
    int layers = static_cast<int>(rng() % 3);
    for (int l = 0; l < layers; ++l) e.layers.push_back(make_text(10));
    Check(exact, e, "random #" + std::to_string(i) + " exact");
    Check(pre, e, "random #" + std::to_string(i) + " prefilter");
    CheckVariants(e, "random #" + std::to_string(i));
    if (HasFailure()) break;
  }
  EXPECT_EQ(checked_, 6000u);
}

// Extracts and unescapes the JSON string value of "key" in one flat JSON line.
bool JsonString(const std::string& line, const std::string& key, std::string* out) {
  const std::string needle = "\"" + key + "\":";
  size_t pos = line.find(needle);
  if (pos == std::string::npos) return false;
  pos += needle.size();
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos >= line.size() || line[pos] != '"') return false;
  out->clear();
  auto put_utf8 = [out](uint32_t cp) { decoders::AppendUtf8(cp, out); };
  for (size_t i = pos + 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') return true;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    char n = line[++i];
    switch (n) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'u': {
        uint32_t cp = std::stoul(line.substr(i + 1, 4), nullptr, 16);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && line.compare(i + 1, 2, "\\u") == 0) {
          uint32_t lo = std::stoul(line.substr(i + 3, 4), nullptr, 16);
          if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        put_utf8(cp);
        break;
      }
      default: out->push_back(n);
    }
  }
  return false;
}

TEST_F(DifferentialTest, SharedCorpus) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(SBSCAN_SHARED_DIR) / "corpus";
  if (!fs::exists(root)) GTEST_SKIP() << "no corpus at " << root;
  Matcher exact(exact_), pre(prefilter_);
  size_t events = 0, fired = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      Event e;
      if (!JsonString(line, "ScriptBlockText", &e.text)) continue;
      JsonString(line, "Path", &e.path);
      size_t lv = line.find("\"Level\":");
      if (lv != std::string::npos) e.level = std::atoi(line.c_str() + lv + 8);
      const std::string what = entry.path().string() + ":" + std::to_string(n);
      Check(exact, e, what + " exact");
      Check(pre, e, what + " prefilter");
      CheckVariants(e, what);
      fired += !reference_->Fired(e).empty();
      ++events;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(events, 1000u);
  EXPECT_GT(fired, 100u);  // the rule set is not vacuous on this data
  RecordProperty("events", static_cast<int>(events));
}

// Everything a Matcher reports for one block, for exact comparison between configurations.
std::string Describe(Matcher& m, const std::string& text, const std::string& path) {
  m.Reset();
  if (!path.empty()) m.ScanPath(path);
  m.ScanText(text, 0);
  std::vector<RuleHit> hits;
  m.Evaluate(&hits);
  return RuleHitText(hits);
}

// The bundled rules: gating on (default atom limits, and gate-everything) reports exactly what the single
// database reports, recorded offsets and counts included, on every rule example, on mixtures of
// them, and on the shared corpus.
TEST(GatingDifferentialTest, BundledRulesSameMatchesWithAndWithoutGating) {
  auto rules = LoadRuleFiles({std::string(SBSCAN_SOURCE_DIR) + "/signatures/rules"});
  ASSERT_TRUE(rules.ok()) << rules.status();
  CompileOptions off;
  off.gate_regexes_with_atoms = false;
  CompileOptions on;
  on.gate_regexes_with_atoms = true;
  CompileOptions all = on;
  all.min_atom_length = 2;
  all.max_atoms_per_gated_regex = 1 << 20;
  auto set_off = RuleSet::Compile(*rules, off);
  auto set_on = RuleSet::Compile(*rules, on);
  auto set_all = RuleSet::Compile(*rules, all);
  ASSERT_TRUE(set_off.ok() && set_on.ok() && set_all.ok());
  EXPECT_EQ((*set_off)->gated_regex_count(), 0u);
  EXPECT_GT((*set_on)->gated_regex_count(), 0u);
  EXPECT_GT((*set_all)->gated_regex_count(), (*set_on)->gated_regex_count());
  Matcher m_off(*set_off), m_on(*set_on), m_all(*set_all);
  std::vector<std::pair<std::string, std::string>> blocks;  // text, path
  std::vector<std::string> texts;
  for (const Rule& r : *rules) {
    for (const Example& ex : r.examples) {
      blocks.push_back({ex.text, ex.path});
      texts.push_back(ex.text);
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 500 && !texts.empty(); ++i) {
    std::string t;
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) {
      t += texts[rng() % texts.size()];
      t += rng() % 2 ? "\n" : " ";
    }
    blocks.push_back({t, ""});
  }
  namespace fs = std::filesystem;
  const fs::path root = fs::path(SBSCAN_SHARED_DIR) / "corpus";
  if (fs::exists(root)) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.path().extension() != ".jsonl") continue;
      std::ifstream in(entry.path());
      std::string line, text, path;
      while (std::getline(in, line)) {
        if (!JsonString(line, "ScriptBlockText", &text)) continue;
        path.clear();
        JsonString(line, "Path", &path);
        blocks.push_back({text, path});
      }
    }
  }
  size_t fired = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const std::string want = Describe(m_off, blocks[i].first, blocks[i].second);
    ASSERT_EQ(Describe(m_on, blocks[i].first, blocks[i].second), want) << "block " << i;
    ASSERT_EQ(Describe(m_all, blocks[i].first, blocks[i].second), want) << "block " << i;
    fired += !want.empty();
  }
  EXPECT_GT(fired, 100u);
  EXPECT_GT(m_on.confirm_scans(), 0u);
  EXPECT_EQ(m_off.confirm_scans(), 0u);
}

}  // namespace
}  // namespace sbscan::signatures
