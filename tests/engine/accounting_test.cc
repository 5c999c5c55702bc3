// Accounting: on every corpus file (../shared/corpus/jsonl, otrf, evtx, read through
// InputReader) and on the golden inputs, every record read is analyzed, passed by or counted
// malformed, and every 4104 fragment ends in a block or is counted as a duplicate or rejected
// (tests/engine/accounting.h). The hostile inputs check the same identities in
// hostile_inputs_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/src/file_input.h"
#include "sbscan/scanner.h"
#include "tests/engine/accounting.h"

namespace sbscan {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Files(const fs::path& root, std::initializer_list<const char*> exts) {
  std::vector<std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    for (const char* ext : exts) {
      if (e.path().extension() == ext) out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The bundled rule set, compiled once for all files.
std::shared_ptr<const signatures::RuleSet> Rules() {
  static auto* rules = [] {
    auto set = LoadRuleSet(RuleSources{});
    EXPECT_TRUE(set.ok()) << set.status();
    return new std::shared_ptr<const signatures::RuleSet>(set.ok() ? *set : nullptr);
  }();
  return *rules;
}

// One file, one scanner: the identities hold for the file alone.
void CheckFile(const std::string& path, const ScannerOptions& options, Stats* total) {
  SCOPED_TRACE(path);
  uint64_t alerts = 0;
  Scanner scanner(Rules(), options, [&](const Alert&) { ++alerts; });
  InputReader reader;
  absl::Status st = reader.ReadFile(path, scanner);
  ASSERT_TRUE(st.ok()) << st;
  scanner.Finish();
  EXPECT_EQ(scanner.open_blocks(), 0u);
  Stats s = scanner.stats();
  EXPECT_EQ(s.analysis.alerts, alerts);
  testing::ExpectAccounted(s, path.c_str());
  total->records += s.records;
  total->events_4104 += s.events_4104;
  total->malformed += s.malformed;
  total->reassembly.blocks_partial += s.reassembly.blocks_partial;
  total->reassembly.fragments_in_blocks += s.reassembly.fragments_in_blocks;
}

TEST(AccountingTest, EveryCorpusFile) {
  const fs::path corpus = fs::path(SBSCAN_SHARED_DIR) / "corpus";
  if (!fs::exists(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  for (const char* sub : {"jsonl", "otrf", "evtx"}) {
    std::vector<std::string> files = Files(corpus / sub, {".jsonl", ".json", ".evtx"});
    EXPECT_FALSE(files.empty()) << sub;
    Stats total;
    for (const auto& f : files) CheckFile(f, ScannerOptions{}, &total);
    EXPECT_GT(total.records, 0u) << sub;
    if (std::string(sub) != "otrf") EXPECT_GT(total.events_4104, 0u) << sub;
  }
}

// The same files with limits small enough that blocks are evicted (memory and window) and
// late fragments arrive: the identities still hold.
TEST(AccountingTest, EveryCorpusFileUnderTightLimits) {
  const fs::path corpus = fs::path(SBSCAN_SHARED_DIR) / "corpus";
  if (!fs::exists(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  ScannerOptions options;
  options.reassembly.max_open_blocks = 1;
  options.reassembly.max_open_bytes = 4096;
  options.reassembly.window_seconds = 0;
  options.reassembly.recent_blocks = 4;
  options.analysis.decode.max_decoded_bytes = 4096;
  options.analysis.decode.max_candidates = 2;
  Stats total;
  for (const char* sub : {"jsonl", "evtx"}) {
    for (const auto& f : Files(corpus / sub, {".jsonl", ".evtx"})) CheckFile(f, options, &total);
  }
  EXPECT_GT(total.reassembly.blocks_partial, 0u);
}

TEST(AccountingTest, GoldenInputsAndFormats) {
  Stats total;
  for (const auto& f : Files(fs::path(SBSCAN_SOURCE_DIR) / "tests" / "golden", {".jsonl", ".xml", ".txt"})) {
    CheckFile(f, ScannerOptions{}, &total);
  }
  for (const auto& f : Files(fs::path(SBSCAN_SHARED_DIR) / "formats", {".jsonl", ".json", ".xml"})) {
    CheckFile(f, ScannerOptions{}, &total);
  }
  EXPECT_GT(total.records, 0u);
}

}  // namespace
}  // namespace sbscan
