// The C++ API end to end: records in, alerts and diagnostics out, every record accounted for.
#include "sbscan/scanner.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "tests/engine/test_rules.h"

namespace sbscan {
namespace {

class ScannerTest : public ::testing::Test {
 protected:
  void Feed(Scanner& scanner, const std::string& line, uint64_t number) {
    std::string padded = line + std::string(simdjson::SIMDJSON_PADDING, ' ');
    scanner.AddJsonRecord(std::string_view(padded.data(), line.size()), padded.size(),
                          SourceLocation{"in.jsonl", number, 0});
  }
  std::unique_ptr<Scanner> Make(ScannerOptions options = {}) {
    return std::make_unique<Scanner>(
        rules_, options,
        [this](const Alert& a) {
          alerts_.emplace_back(a.rule.id);
          complete_.push_back(a.block->complete());
        },
        [this](const Diagnostic& d) {
          diagnostics_.push_back(std::string(d.where.file) + ":" + std::to_string(d.where.line) +
                                 ": " + std::string(d.reason));
        });
  }
  static std::string Flat(const std::string& id, int n, int total, const std::string& text) {
    return R"({"EventID":4104,"Computer":"H","ScriptBlockId":")" + id +
           R"(","MessageNumber":)" + std::to_string(n) + R"(,"MessageTotal":)" +
           std::to_string(total) + R"(,"ScriptBlockText":")" + text + R"("})";
  }

  std::shared_ptr<const signatures::RuleSet> rules_ = testing::CompileYaml(testing::kTestRules);
  std::vector<std::string> alerts_, diagnostics_;
  std::vector<bool> complete_;
};

TEST_F(ScannerTest, RecordsInAlertsOutEverythingCounted) {
  auto scanner = Make();
  Feed(*scanner, Flat("a", 1, 2, "Invoke-Mimi"), 1);
  Feed(*scanner, "{broken", 2);
  Feed(*scanner, R"({"EventID":4104,"Provider":"Other-Provider","Computer":"H"})", 3);
  Feed(*scanner, Flat("a", 2, 2, "katz"), 4);
  Feed(*scanner, Flat("", 1, 1, "no id"), 5);
  Feed(*scanner, Flat("b", 2, 3, "Invoke-Mimikatz"), 6);
  EXPECT_EQ(alerts_, std::vector<std::string>{"t.mimikatz"});
  scanner->Finish();
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(complete_, (std::vector<bool>{true, false}));
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_TRUE(diagnostics_[0].starts_with("in.jsonl:2: ")) << diagnostics_[0];
  EXPECT_EQ(diagnostics_[1], "in.jsonl:5: 4104 event without ScriptBlockId");

  Stats s = scanner->stats();
  EXPECT_EQ(s.records, 6u);
  EXPECT_EQ(s.malformed, 1u);
  EXPECT_EQ(s.passed_by, 1u);
  EXPECT_EQ(s.events_4104, 4u);
  EXPECT_EQ(s.records,
            s.events_4104 + s.events_4103 + s.events_session + s.passed_by + s.malformed);
  const ReassemblyStats& r = s.reassembly;
  EXPECT_EQ(r.fragments, 4u);
  EXPECT_EQ(r.blocks_complete, 1u);
  EXPECT_EQ(r.blocks_partial, 1u);
  EXPECT_EQ(r.partial_end_of_input, 1u);
  EXPECT_EQ(r.rejected_no_id, 1u);
  EXPECT_EQ(s.analysis.blocks, 2u);
  EXPECT_EQ(s.analysis.alerts, 2u);
}

TEST_F(ScannerTest, ModuleLoggingIsAnalyzedAndMarksRemoteSessions) {
  auto scanner = Make();
  Event e;
  e.event_id = 4103;
  e.provider = "Microsoft-Windows-PowerShell";
  e.computer = "SRV";
  e.process_id = 42;
  e.context_info =
      "        Host Name = ServerRemoteHost\r\n"
      "        Host Application = C:\\Windows\\system32\\wsmprovhost.exe -Embedding\r\n"
      "        Command Name = Invoke-Mimikatz\r\n";
  e.payload = "CommandInvocation(Invoke-Mimikatz): \"Invoke-Mimikatz\"\r\n";
  scanner->AddEvent(e);
  ASSERT_EQ(alerts_, std::vector<std::string>{"t.mimikatz"});
  Stats s = scanner->stats();
  EXPECT_EQ(s.events_4103, 1u);
  EXPECT_EQ(s.analysis.blocks, 1u);
}

TEST_F(ScannerTest, AddEventWithFields) {
  auto scanner = Make();
  Event e;
  e.event_id = 4104;
  e.provider = "Microsoft-Windows-PowerShell";
  e.computer = "H";
  e.script_block_id = "x";
  e.message_number = 1;
  e.message_total = 1;
  e.script_block_text = "Invoke-Mimikatz";
  scanner->AddEvent(e);
  e.provider = "Some-Other-Provider";  // a 4104 of another provider is not a script block
  e.script_block_id = "y";
  scanner->AddEvent(e);
  EXPECT_EQ(alerts_.size(), 1u);
  EXPECT_EQ(scanner->stats().passed_by, 1u);
}

TEST_F(ScannerTest, OptionsAreValidated) {
  ScannerOptions o;
  EXPECT_TRUE(ValidateOptions(o).ok());
  o.reassembly.window_seconds = 0;
  EXPECT_FALSE(ValidateOptions(o).ok());
  o = {};
  o.reassembly.window_seconds = kMaxWindowSeconds + 1;
  EXPECT_FALSE(ValidateOptions(o).ok());
  o = {};
  o.reassembly.max_open_bytes = 0;
  EXPECT_FALSE(ValidateOptions(o).ok());
  o = {};
  o.analysis.decode.max_depth = 65;
  EXPECT_FALSE(ValidateOptions(o).ok());
}

TEST(LoadRuleSetTest, BundledRulesCompileAndUserErrorsNameTheFile) {
  auto bundled = LoadRuleSet({});
  ASSERT_TRUE(bundled.ok()) << bundled.status();
  EXPECT_GE((*bundled)->rules().size(), 50u);
  for (const auto& rule : (*bundled)->rules()) {
    EXPECT_EQ(rule.ruleset, "bundled");
    EXPECT_TRUE(rule.source_file.starts_with("signatures/rules/")) << rule.source_file;
  }
  RuleSources missing;
  missing.bundled = false;
  missing.paths = {"/nonexistent/rules.yml"};
  auto r = LoadRuleSet(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("/nonexistent/rules.yml"), std::string::npos);
}

TEST_F(ScannerTest, SetRulesSwapsBetweenRecordsAndKeepsOpenBlocks) {
  auto scanner = Make();
  Feed(*scanner, Flat("a", 1, 1, "Invoke-Mimikatz AlphaMarker"), 1);
  Feed(*scanner, Flat("b", 1, 2, "AlphaMarker "), 2);  // open across the swap
  std::shared_ptr<const signatures::RuleSet> fresh = testing::CompileYaml(
      "id: t.alpha\ntitle: Alpha\nlevel: low\npatterns: {a: AlphaMarker}\n");
  ASSERT_NE(fresh, nullptr);
  ASSERT_TRUE(scanner->SetRules(fresh).ok());
  Feed(*scanner, Flat("b", 2, 2, "Invoke-Mimikatz"), 3);
  Feed(*scanner, Flat("c", 1, 1, "Invoke-Mimikatz AlphaMarker"), 4);
  EXPECT_EQ(alerts_, (std::vector<std::string>{"t.mimikatz", "t.alpha", "t.alpha"}));
  EXPECT_FALSE(scanner->SetRules(nullptr).ok());
  Feed(*scanner, Flat("d", 1, 1, "AlphaMarker"), 5);  // still the new rules
  EXPECT_EQ(alerts_.back(), "t.alpha");
  EXPECT_EQ(scanner->stats().analysis.alerts, 4u);
}

TEST_F(ScannerTest, NearMissesReportedOnlyWhenAskedAndNotCounted) {
  rules_ = testing::CompileYaml(
      "id: t.both\ntitle: Both\nlevel: low\npatterns: {a: AlphaMarker, b: BetaMarker}\n"
      "condition: a and b\n");
  ScannerOptions options;
  options.analysis.report_near_misses = true;
  options.analysis.obfuscation_score = false;
  std::vector<bool> held;
  Scanner scanner(rules_, options, [&](const Alert& a) { held.push_back(a.condition_held); });
  Feed(scanner, Flat("a", 1, 1, "AlphaMarker only"), 1);
  Feed(scanner, Flat("b", 1, 1, "AlphaMarker BetaMarker"), 2);
  Feed(scanner, Flat("c", 1, 1, "nothing"), 3);
  EXPECT_EQ(held, (std::vector<bool>{false, true}));
  EXPECT_EQ(scanner.stats().analysis.alerts, 1u);
}

}  // namespace
}  // namespace sbscan
