// InputReader on whole files: regressions for inputs that reached past the readers' results.
#include "engine/src/file_input.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/engine/test_rules.h"

namespace sbscan {
namespace {

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  std::string path = ::testing::TempDir() + "/sbscan_file_input_" + std::to_string(getpid()) +
                     "_" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return path;
}

std::string Utf16leWithBom(std::string_view ascii) {
  std::string out = "\xFF\xFE";
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

// Regression (found by tests/fuzz/transcript_parser_fuzzer's seeds): a UTF-16 transcript with
// prompt lines but no start banner gives commands of session 0 and no sessions at all;
// InputReader indexed sessions()[0] of the empty vector.
TEST(InputReaderTest, TranscriptCommandsWithoutAnySession) {
  std::string path = WriteTemp(
      "noheader.txt",
      Utf16leWithBom("**********************\r\nWindows PowerShell transcript end\r\n"
                     "**********************\r\nPS C:\\> Invoke-Mimikatz -DumpCreds\r\nout\r\n"));
  auto rules = testing::CompileYaml(testing::kTestRules);
  std::vector<std::string> alerts;
  Scanner scanner(rules, ScannerOptions{},
                  [&](const Alert& a) { alerts.push_back(std::string(a.rule.id)); });
  InputReader reader;
  ASSERT_TRUE(reader.ReadFile(path, scanner).ok());
  scanner.Finish();
  std::remove(path.c_str());
  EXPECT_EQ(reader.last_format(), InputFormat::kTranscript);
  EXPECT_EQ(scanner.stats().transcript_commands, 1u);
  EXPECT_EQ(alerts, std::vector<std::string>{"t.mimikatz"});
}

}  // namespace
}  // namespace sbscan
