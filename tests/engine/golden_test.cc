// Golden tests: JSON lines in -> the exact alert lines out, plus the counters that prove what
// happened to every record. Inputs are tests/golden/*.jsonl (hand-made: shuffled, duplicated and
// missing fragments, a signature cut by a fragment boundary, an encoded command) and the
// shared/formats samples; rules are tests/golden/rules.yml. Expected files are
// tests/golden/<name>.expected; run with SBSCAN_UPDATE_GOLDEN=1 to rewrite them, then review
// the diff by hand before committing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/src/alert_json.h"
#include "engine/src/file_input.h"
#include "sbscan/scanner.h"
#include "signatures/rule_set.h"

namespace sbscan {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Alerts, then one line of counters. Paths are relative to the source tree (the test runs from
// there) so that the file names inside alerts do not depend on where the checkout lies.
std::string Run(const std::string& input) {
  static std::shared_ptr<const signatures::RuleSet> rules = [] {
    RuleSources sources;
    sources.bundled = false;
    sources.paths = {"tests/golden/rules.yml"};
    auto r = LoadRuleSet(sources);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : nullptr;
  }();
  std::string out;
  Scanner scanner(rules, {}, [&out](const Alert& alert) { AppendAlertJson(alert, &out); });
  InputReader reader;
  EXPECT_TRUE(reader.ReadFile(input, scanner).ok());
  scanner.Finish();
  Stats s = scanner.stats();
  const ReassemblyStats& r = s.reassembly;
  std::ostringstream stats;
  stats << "# records=" << s.records << " 4104=" << s.events_4104 << " passed_by=" << s.passed_by
        << " malformed=" << s.malformed << " 4103=" << s.events_4103
        << " transcript=" << s.transcript_commands << " complete=" << r.blocks_complete
        << " partial=" << r.blocks_partial << " dup_exact=" << r.duplicates_exact
        << " dup_conflicting=" << r.duplicates_conflicting << " rejected="
        << r.rejected_no_id + r.rejected_bad_number << " layers=" << s.analysis.layers_decoded
        << " alerts=" << s.analysis.alerts << "\n";
  // Accounting identities: every record and every fragment is accounted for.
  EXPECT_EQ(s.records,
            s.events_4104 + s.events_4103 + s.events_session + s.passed_by + s.malformed);
  return out + stats.str();
}

void CheckGolden(const std::string& input, const std::string& name) {
  fs::current_path(SBSCAN_SOURCE_DIR);
  fs::path expected = fs::path("tests/golden") / (name + ".expected");
  std::string actual = Run(input);
  if (std::getenv("SBSCAN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected;
  }
  ASSERT_TRUE(fs::exists(expected)) << expected << " missing; run with SBSCAN_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, ReadFile(expected)) << "golden mismatch for " << name;
}

TEST(GoldenTest, HandMadeInputs) {
  fs::current_path(SBSCAN_SOURCE_DIR);
  int cases = 0;
  for (const auto& entry : fs::directory_iterator("tests/golden")) {
    std::string ext = entry.path().extension().string();
    if (ext != ".jsonl" && ext != ".txt") continue;
    SCOPED_TRACE(entry.path().string());
    CheckGolden(entry.path().string(), entry.path().stem().string());
    ++cases;
  }
  EXPECT_GE(cases, 6);
}

TEST(GoldenTest, SharedFormatSamples) {
  for (const char* file : {"winlogbeat.json", "elastic_agent.jsonl", "evtx_dump.jsonl",
                           "nxlog.json", "flat.jsonl", "event.xml"}) {
    SCOPED_TRACE(file);
    // Lexically: shared/ may be a symbolic link.
    fs::path shared = fs::path(SBSCAN_SHARED_DIR).lexically_normal().lexically_relative(
        fs::path(SBSCAN_SOURCE_DIR).lexically_normal());
    CheckGolden((shared / "formats" / file).string(),
                "formats_" + fs::path(file).stem().string());
  }
}

}  // namespace
}  // namespace sbscan
