// Golden checks: which real SigmaHQ ps_script rules fire on which real corpus blocks (each
// expectation verified by reading the block and the rule), scanned with the Sigma rules and the
// bundled native rules in ONE compiled set.
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "signatures/matcher.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"
#include "signatures/sigma_loader.h"
#include "simdjson.h"

namespace sbscan::signatures {
namespace {

class SigmaGoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<SigmaLoadResult> sigma =
        LoadSigmaRules({std::string(SBSCAN_SHARED_DIR) + "/corpus/sigma"});
    ASSERT_TRUE(sigma.ok()) << sigma.status();
    absl::StatusOr<std::vector<Rule>> native =
        LoadRuleFiles({std::string(SBSCAN_SOURCE_DIR) + "/signatures/rules"});
    ASSERT_TRUE(native.ok()) << native.status();
    std::vector<Rule> all = *native;
    all.insert(all.end(), sigma->rules.begin(), sigma->rules.end());
    absl::StatusOr<std::shared_ptr<const RuleSet>> set = RuleSet::Compile(std::move(all));
    ASSERT_TRUE(set.ok()) << set.status();
    set_ = new std::shared_ptr<const RuleSet>(*set);
  }

  // The first event of `file` (under corpus/jsonl) whose ScriptBlockText starts with `prefix`.
  static void FindBlock(const std::string& file, const std::string& prefix, std::string* text,
                        std::string* path) {
    std::ifstream in(std::string(SBSCAN_SHARED_DIR) + "/corpus/jsonl/" + file);
    ASSERT_TRUE(in) << file;
    simdjson::ondemand::parser parser;
    std::string line;
    while (std::getline(in, line)) {
      simdjson::padded_string padded(line);
      simdjson::ondemand::document doc;
      if (parser.iterate(padded).get(doc)) continue;
      std::string_view t, p;
      if (doc["ScriptBlockText"].get_string().get(t) || t.substr(0, prefix.size()) != prefix) {
        continue;
      }
      *text = std::string(t);
      if (!doc["Path"].get_string().get(p)) *path = std::string(p);
      return;
    }
    FAIL() << "no block starting with '" << prefix << "' in " << file;
  }

  // Sigma hits on the block, as rule id -> the selections that held (RuleHit::selections, what
  // alerts report as sbscan.selections).
  static std::map<std::string, std::set<std::string>> SigmaHits(const std::string& file,
                                                                const std::string& prefix) {
    std::string text, path;
    FindBlock(file, prefix, &text, &path);
    Matcher m(*set_);
    m.Reset();
    m.ScanPath(path);
    m.ScanText(text, 0);
    std::vector<RuleHit> hits;
    m.Evaluate(&hits);
    std::map<std::string, std::set<std::string>> out;
    for (const RuleHit& h : hits) {
      if (h.rule->ruleset != "sigma") continue;
      std::set<std::string>& sels = out[h.rule->id];
      for (uint32_t s : h.selections) sels.insert(h.rule->selections[s].name);
    }
    return out;
  }

  static std::set<std::string> Ids(const std::map<std::string, std::set<std::string>>& hits) {
    std::set<std::string> ids;
    for (const auto& [id, sels] : hits) ids.insert(id);
    return ids;
  }

  static const Rule* Find(const std::string& id) {
    for (const Rule& r : (*set_)->rules()) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }

  static std::shared_ptr<const RuleSet>* set_;
};

std::shared_ptr<const RuleSet>* SigmaGoldenTest::set_ = nullptr;

TEST_F(SigmaGoldenTest, ClearEventLog) {
  // "Clear-EventLog -LogName application, system -confirm": Suspicious Eventlog Clear
  // (first map of its selection list: contains 'Clear-EventLog ').
  auto hits = SigmaHits(
      "EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1070.001-Clear Windows event logs/"
      "ID800-4103-4104-Clear event log attempt.jsonl",
      "Clear-EventLog -LogName");
  EXPECT_THAT(Ids(hits), ::testing::ElementsAre("sigma.0f017df3-8f5a-414f-ad6b-24aff1128278"));
  const Rule* rule = Find("sigma.0f017df3-8f5a-414f-ad6b-24aff1128278");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->title, "Suspicious Eventlog Clear");
  EXPECT_EQ(rule->uuid, "0f017df3-8f5a-414f-ad6b-24aff1128278");
  EXPECT_THAT(rule->technique_ids, ::testing::Contains("T1685.005"));  // as tagged upstream
  EXPECT_THAT(rule->source_file, ::testing::EndsWith("posh_ps_susp_clear_eventlog.yml"));
}

TEST_F(SigmaGoldenTest, PhishingCredentialPrompt) {
  // function Invoke-LoginPrompt{ $Host.ui.PromptForCredential(..."$env:username"...);
  // Add-Type -assemblyname System.DirectoryServices.AccountManagement ...}
  auto hits = SigmaHits(
      "EVTX-ATTACK-SAMPLES/Credential Access/"
      "phish_windows_credentials_powershell_scriptblockLog_4104.jsonl",
      "function Invoke-LoginPrompt");
  EXPECT_THAT(Ids(hits),
              ::testing::ElementsAre(
                  "sigma.4096a49c-7de4-4da0-a230-c66ccd56ea5a",    // Get Current User ($env:UserName)
                  "sigma.b29a93fb-087c-4b5b-a84d-ee3309e69d08",    // DirectoryServices.AccountManagement
                  "sigma.ca8b77a9-d499-4095-b793-5d5f330d450e"));  // PromptForCredential
}

TEST_F(SigmaGoldenTest, GzipFromBase64) {
  // &([scriptblock]::create((New-Object System.IO.StreamReader(New-Object
  // System.IO.Compression.GzipStream((New-Object System.IO.MemoryStream(,
  // [System.Convert]::FromBase64String('H4sI...: FromBase64String + MemoryStream + H4sI (all).
  auto hits = SigmaHits(
      "EVTX-ATTACK-SAMPLES/Credential Access/"
      "phish_windows_credentials_powershell_scriptblockLog_4104.jsonl",
      "&([scriptblock]::create(");
  EXPECT_THAT(Ids(hits), ::testing::ElementsAre("sigma.df69cb1d-b891-4cd9-90c7-d617d90100ce"));
}

TEST(SigmaGoldenOtrfTest, EmpireFodhelperAllOfSelections) {
  // "$x=$((gp HKCU:Software\Microsoft\Windows Update).Update); powershell -NoP -NonI -W Hidden
  // -enc $x": Suspicious PowerShell Invocations - Generic needs all of selection_encoded
  // (' -enc '), selection_hidden (' -W Hidden ', case-insensitive) and selection_noninteractive
  // (' -NonI ').
  absl::StatusOr<SigmaLoadResult> sigma =
      LoadSigmaRules({std::string(SBSCAN_SHARED_DIR) + "/corpus/sigma"});
  ASSERT_TRUE(sigma.ok());
  absl::StatusOr<std::shared_ptr<const RuleSet>> set = RuleSet::Compile(sigma->rules);
  ASSERT_TRUE(set.ok());
  std::ifstream in(std::string(SBSCAN_SHARED_DIR) +
                   "/corpus/otrf/atomic/windows/privilege_escalation/host/"
                   "empire_uac_shellapi_fodhelper.jsonl");
  ASSERT_TRUE(in);
  simdjson::ondemand::parser parser;
  std::string line;
  std::map<std::string, std::set<std::string>> fired;
  int blocks = 0;
  while (std::getline(in, line)) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    std::string_view text;
    if (parser.iterate(padded).get(doc) || doc["ScriptBlockText"].get_string().get(text) ||
        text.substr(0, 8) != "$x=$((gp") {
      continue;
    }
    ++blocks;
    Matcher m(*set);
    m.Reset();
    m.ScanText(text, 0);
    std::vector<RuleHit> hits;
    m.Evaluate(&hits);
    for (const RuleHit& h : hits) {
      for (const PatternMatch& pm : h.matches) {
        fired[h.rule->id].insert(
            std::string(SigmaSelectionOfPattern(h.rule->patterns[pm.pattern].name)));
      }
    }
  }
  EXPECT_EQ(blocks, 1);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired.begin()->first, "sigma.ed965133-513f-41d9-a441-e38076a0798f");
  EXPECT_THAT(fired.begin()->second,
              ::testing::ElementsAre("selection_encoded", "selection_hidden",
                                     "selection_noninteractive"));
}

}  // namespace
}  // namespace sbscan::signatures
