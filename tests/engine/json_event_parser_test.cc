#include "engine/src/json_event_parser.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace sbscan {
namespace {

std::string Padded(std::string_view line) {
  std::string s(line);
  s.append(simdjson::SIMDJSON_PADDING, ' ');
  return s;
}

JsonParseResult ParseLine(JsonEventParser& parser, const std::string& padded, size_t len,
                          Event* e) {
  return parser.Parse(std::string_view(padded.data(), len), padded.size(), e);
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

struct ShapeCase {
  const char* file;
  JsonShape shape;
  bool has_record_ids;
};

class FormatsTest : public ::testing::TestWithParam<ShapeCase> {};

// Every JSON shape in shared/formats carries the same 2-fragment block: each must give the same
// fields and, joined, the same 314-character script.
TEST_P(FormatsTest, ReadsTheSampleBlock) {
  const ShapeCase& c = GetParam();
  std::ifstream in(std::string(SBSCAN_SHARED_DIR) + "/formats/" + c.file);
  ASSERT_TRUE(in) << c.file;
  JsonEventParser parser;
  std::map<int, std::string> texts;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::string padded = Padded(line);
    Event e;
    JsonParseResult r = ParseLine(parser, padded, line.size(), &e);
    ASSERT_TRUE(r.ok) << c.file << ": " << r.error;
    EXPECT_EQ(r.shape, c.shape) << c.file;
    EXPECT_EQ(e.event_id, 4104);
    EXPECT_EQ(e.computer, "WS01.corp.example.com");
    EXPECT_EQ(e.script_block_id, "4f1c2a9e-7b3d-4e8a-9c61-2d5b8e0f7a13");
    EXPECT_EQ(e.message_total, 2);
    EXPECT_EQ(e.path, "C:\\Users\\analyst\\Documents\\sbscan-sample.ps1");
    EXPECT_EQ(e.provider, "Microsoft-Windows-PowerShell");
    EXPECT_EQ(e.level, 3);
    EXPECT_FALSE(e.time_created.empty());
    if (c.has_record_ids) EXPECT_EQ(e.record_id, 48210 + e.message_number);
    texts[e.message_number] = std::string(e.script_block_text);
  }
  ASSERT_EQ(texts.size(), 2u);
  std::string joined = texts[1] + texts[2];
  EXPECT_EQ(CodePoints(joined), 314u);
  EXPECT_TRUE(joined.ends_with("Write-Output $decoded"));
  EXPECT_TRUE(texts[1].ends_with("V0cHV0ICJo"));
  EXPECT_TRUE(texts[2].starts_with("ZWxsbyBm"));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, FormatsTest,
    ::testing::Values(ShapeCase{"winlogbeat.json", JsonShape::kWinlogbeat, true},
                      ShapeCase{"elastic_agent.jsonl", JsonShape::kElasticEcs, true},
                      ShapeCase{"evtx_dump.jsonl", JsonShape::kEvtxDump, true},
                      ShapeCase{"nxlog.json", JsonShape::kFlat, true},
                      ShapeCase{"flat.jsonl", JsonShape::kFlat, false}));

TEST(JsonEventParserTest, MalformedLinesGiveAReason) {
  JsonEventParser parser;
  for (std::string bad : {"not json", "[1,2,3]", "{\"EventID\": 4104, \"ScriptBlockText\": ",
                          "{\"EventID\": \"4104\", }",
                          "\"just a string\"", "{\"winlog\": 5}"}) {
    std::string padded = Padded(bad);
    Event e;
    JsonParseResult r = ParseLine(parser, padded, bad.size(), &e);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_NE(r.error, nullptr) << bad;
  }
}

TEST(JsonEventParserTest, TypesVaryPerShape) {
  JsonEventParser parser;
  std::string line =
      R"({"EventID":"4104","MessageNumber":"3","MessageTotal":7,"Level":"Warning",)"
      R"("ScriptBlockId":"abc","ScriptBlockText":"a\r\nb\u0041\"","Computer":"H"})";
  std::string padded = Padded(line);
  Event e;
  ASSERT_TRUE(ParseLine(parser, padded, line.size(), &e).ok);
  EXPECT_EQ(e.event_id, 4104);
  EXPECT_EQ(e.message_number, 3);
  EXPECT_EQ(e.message_total, 7);
  EXPECT_EQ(e.level, 3);
  EXPECT_EQ(e.script_block_text, "a\r\nbA\"");
}

TEST(JsonEventParserTest, NonScriptBlockEventsParseWithTheirId) {
  JsonEventParser parser;
  std::string line = R"({"winlog":{"event_id":"4103","computer_name":"H"},"event":{"code":"4103"}})";
  std::string padded = Padded(line);
  Event e;
  ASSERT_TRUE(ParseLine(parser, padded, line.size(), &e).ok);
  EXPECT_EQ(e.event_id, 4103);
  EXPECT_TRUE(e.script_block_id.empty());
}

TEST(JsonEventParserTest, FieldMappingsOverrideAndFill) {
  for (const char* backend : {"haswell", "fallback"}) {
    JsonEventParser parser(backend);
    std::vector<JsonFieldMapping> mappings(3);
    ASSERT_TRUE(ParseJsonFieldMapping("ScriptBlockText=data.sb.text", &mappings[0]).ok());
    ASSERT_TRUE(ParseJsonFieldMapping("MessageTotal=/data/sb/of", &mappings[1]).ok());
    ASSERT_TRUE(ParseJsonFieldMapping("Computer=data.host", &mappings[2]).ok());
    EXPECT_EQ(mappings[0].pointer, "/data/sb/text");
    parser.SetFieldMappings(mappings);
    std::string line =
        R"({"EventID":4104,"Computer":"ignored","data":{"host":"H\u00e9","sb":{"of":"3","text":"a\nb"}}})";
    std::string padded = Padded(line);
    Event e;
    JsonParseResult r = ParseLine(parser, padded, line.size(), &e);
    ASSERT_TRUE(r.ok) << backend << ": " << (r.error ? r.error : "");
    EXPECT_EQ(e.event_id, 4104);
    EXPECT_EQ(e.computer, "H\xC3\xA9");
    EXPECT_EQ(e.message_total, 3);
    EXPECT_EQ(e.script_block_text, "a\nb");
  }
  JsonFieldMapping m;
  EXPECT_FALSE(ParseJsonFieldMapping("NoEquals", &m).ok());
  EXPECT_FALSE(ParseJsonFieldMapping("Unknown=a.b", &m).ok());
  EXPECT_FALSE(ParseJsonFieldMapping("Path=", &m).ok());
}

}  // namespace
}  // namespace sbscan
