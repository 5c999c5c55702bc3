#include "engine/src/xml_event_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/src/xml_event_splitter.h"

namespace sbscan {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SharedFile(const std::string& name) {
  return ReadFile(std::string(SBSCAN_SHARED_DIR) + "/formats/" + name);
}

// A copy of every field, so that events outlive the parser's next call.
struct OwnedEvent {
  int32_t event_id, level, message_number, message_total;
  int64_t record_id, process_id;
  std::string provider, channel, computer, time_created, user_id, script_block_id,
      script_block_text, path, context_info, payload, user_data;
};

OwnedEvent Own(const Event& e) {
  return {e.event_id,
          e.level,
          e.message_number,
          e.message_total,
          e.record_id,
          e.process_id,
          std::string(e.provider),
          std::string(e.channel),
          std::string(e.computer),
          std::string(e.time_created),
          std::string(e.user_id),
          std::string(e.script_block_id),
          std::string(e.script_block_text),
          std::string(e.path),
          std::string(e.context_info),
          std::string(e.payload),
          std::string(e.user_data)};
}

TEST(XmlEventParserTest, SharedEventXmlGivesBothFragments) {
  std::string xml = SharedFile("event.xml");
  ASSERT_FALSE(xml.empty());
  XmlEventSplitter splitter;
  splitter.Feed(xml);
  splitter.Finish();
  XmlEventParser parser;
  std::vector<OwnedEvent> events;
  std::vector<uint64_t> offsets;
  std::string_view one;
  uint64_t offset;
  while (splitter.Next(&one, &offset)) {
    Event e;
    XmlParseResult r = parser.Parse(one, &e);
    ASSERT_TRUE(r.ok) << r.error << " at " << r.error_offset;
    events.push_back(Own(e));
    offsets.push_back(offset);
  }
  EXPECT_EQ(splitter.garbage_regions(), 0u);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(offsets[0], 0u);
  EXPECT_EQ(xml.substr(offsets[1], 6), "<Event");
  for (int i = 0; i < 2; ++i) {
    const OwnedEvent& e = events[i];
    EXPECT_EQ(e.event_id, 4104);
    EXPECT_EQ(e.provider, "Microsoft-Windows-PowerShell");
    EXPECT_EQ(e.channel, "Microsoft-Windows-PowerShell/Operational");
    EXPECT_EQ(e.computer, "WS01.corp.example.com");
    EXPECT_EQ(e.level, 3);
    EXPECT_EQ(e.record_id, 48211 + i);
    EXPECT_EQ(e.user_id, "S-1-5-21-1004336348-1177238915-682003330-1104");
    EXPECT_EQ(e.process_id, 6048);
    EXPECT_EQ(e.script_block_id, "4f1c2a9e-7b3d-4e8a-9c61-2d5b8e0f7a13");
    EXPECT_EQ(e.message_number, i + 1);
    EXPECT_EQ(e.message_total, 2);
    EXPECT_EQ(e.path, "C:\\Users\\analyst\\Documents\\sbscan-sample.ps1");
  }
  EXPECT_EQ(events[0].time_created, "2024-03-05T14:22:07.452187300Z");
  EXPECT_EQ(events[1].time_created, "2024-03-05T14:22:07.452811000Z");
  std::string joined = events[0].script_block_text + events[1].script_block_text;
  // 314 characters (U+00FC and U+00DF are two UTF-8 bytes each), CR LF kept.
  EXPECT_EQ(joined.size(), 316u);
  EXPECT_THAT(joined, ::testing::HasSubstr("Grüße\r\n# output goes to <stdout> & nowhere"));
  EXPECT_THAT(events[0].script_block_text, ::testing::EndsWith("V0cHV0ICJo"));
  EXPECT_THAT(events[1].script_block_text, ::testing::StartsWith("ZWxsbyBm"));

  // The same text as the JSON shapes (flat.jsonl keeps CR LF as \r\n).
  std::string flat = SharedFile("flat.jsonl");
  simdjson::ondemand::parser json;
  simdjson::padded_string padded(flat);
  std::string json_joined;
  simdjson::ondemand::document_stream docs;
  ASSERT_EQ(json.iterate_many(padded).get(docs), simdjson::SUCCESS);
  for (auto doc : docs) {
    std::string_view text;
    ASSERT_EQ(doc["ScriptBlockText"].get_string().get(text), simdjson::SUCCESS);
    json_joined.append(text);
  }
  EXPECT_EQ(joined, json_joined);
}

TEST(XmlEventParserTest, EntitiesAndCharacterReferences) {
  std::string xml =
      "<Event><System><EventID Qualifiers=\"0\">4104</EventID><Computer>a&amp;b</Computer>"
      "</System><EventData><Data Name=\"ScriptBlockText\">&lt;x&gt; &quot;q&quot; &apos;s&apos;"
      "&#xD;&#xA;&#13;&#10;&#x1F600;&#233;&#x20AC;</Data><Data Name='Path'/>"
      "<Data Name=\"ScriptBlockId\">id</Data></EventData></Event>";
  XmlEventParser parser;
  Event e;
  XmlParseResult r = parser.Parse(xml, &e);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(e.event_id, 4104);
  EXPECT_EQ(e.computer, "a&b");
  EXPECT_EQ(e.script_block_text, "<x> \"q\" 's'\r\n\r\n\xF0\x9F\x98\x80\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(e.path, "");
  EXPECT_EQ(e.script_block_id, "id");  // a view into the input
  EXPECT_GE(e.script_block_id.data(), xml.data());
  EXPECT_LT(e.script_block_id.data(), xml.data() + xml.size());
}

TEST(XmlEventParserTest, AttributeEntitiesAndQuotes) {
  XmlEventParser parser;
  Event e;
  std::string xml =
      "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
      "<Provider Name=\"A&amp;B\" Guid='{x}'/><TimeCreated SystemTime=\"2024-01-01T00:00:00Z\"/>"
      "<Execution ProcessID = '12' ThreadID='3'/><Security UserID=\"S-1-5-18\"/>"
      "<EventRecordID>77</EventRecordID><Level>5</Level></System></Event>";
  ASSERT_TRUE(parser.Parse(xml, &e).ok);
  EXPECT_EQ(e.provider, "A&B");
  EXPECT_EQ(e.time_created, "2024-01-01T00:00:00Z");
  EXPECT_EQ(e.process_id, 12);
  EXPECT_EQ(e.user_id, "S-1-5-18");
  EXPECT_EQ(e.record_id, 77);
  EXPECT_EQ(e.level, 5);
  EXPECT_EQ(e.event_id, -1);
}

TEST(XmlEventParserTest, EmptyDataForms) {
  XmlEventParser parser;
  Event e;
  ASSERT_TRUE(parser
                  .Parse("<Event><EventData><Data Name='Path'></Data><Data Name='ScriptBlockText'>"
                         "x</Data><Data Name='MessageNumber'>1</Data></EventData></Event>",
                         &e)
                  .ok);
  EXPECT_TRUE(e.path.empty());
  EXPECT_EQ(e.script_block_text, "x");
  EXPECT_EQ(e.message_number, 1);
  EXPECT_EQ(parser.data().size(), 3u);
}

TEST(XmlEventParserTest, PrettyPrintedWithRenderingInfo) {
  std::string xml =
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\r\n"
      "  <System>\r\n"
      "    <Provider Name='Microsoft-Windows-PowerShell' Guid='{a0c1853b-5c40-4b15-8766-3cf1c58f985a}'/>\r\n"
      "    <EventID>4104</EventID>\r\n"
      "    <Level>3</Level>\r\n"
      "    <Channel>Microsoft-Windows-PowerShell/Operational</Channel>\r\n"
      "    <Computer>WS01</Computer>\r\n"
      "  </System>\r\n"
      "  <EventData>\r\n"
      "    <Data Name='ScriptBlockText'>line1\r\nline2</Data>\r\n"
      "  </EventData>\r\n"
      "  <RenderingInfo Culture='en-US'><Message>Creating Scriptblock text (1 of 1):&#xD;\r\n"
      "line1</Message><Level>Warning</Level><Task>Execute a Remote Command</Task>"
      "<Opcode>On create calls</Opcode><Channel>Operational</Channel>"
      "<Provider>Microsoft-Windows-PowerShell</Provider><Keywords/></RenderingInfo>\r\n"
      "</Event>";
  XmlEventParser parser;
  Event e;
  XmlParseResult r = parser.Parse(xml, &e);
  ASSERT_TRUE(r.ok) << r.error << " at " << r.error_offset;
  EXPECT_EQ(e.level, 3);  // not RenderingInfo's "Warning"
  EXPECT_EQ(e.channel, "Microsoft-Windows-PowerShell/Operational");
  EXPECT_EQ(e.computer, "WS01");
  EXPECT_EQ(e.script_block_text, "line1\r\nline2");
}

TEST(XmlEventParserTest, ModuleLoggingAndClassicEvents) {
  XmlEventParser parser;
  Event e;
  ASSERT_TRUE(parser
                  .Parse("<Event><System><EventID>4103</EventID></System><EventData>"
                         "<Data Name='ContextInfo'>        Host Name = ServerRemoteHost&#xD;\n"
                         "</Data><Data Name='UserData'></Data><Data Name='Payload'>"
                         "CommandInvocation(Get-Date): &quot;Get-Date&quot;&#xD;\n</Data>"
                         "</EventData></Event>",
                         &e)
                  .ok);
  EXPECT_EQ(e.event_id, 4103);
  EXPECT_EQ(e.context_info, "        Host Name = ServerRemoteHost\r\n");
  EXPECT_EQ(e.payload, "CommandInvocation(Get-Date): \"Get-Date\"\r\n");
  EXPECT_TRUE(e.user_data.empty());

  std::string classic =
      "<Event><System><EventID Qualifiers='0'>800</EventID><Channel>Windows PowerShell</Channel>"
      "</System><EventData><Data>Get-Process</Data><Data>\tDetailSequence=1\r\n"
      "\tHostName=ServerRemoteHost\r\n\tHostApplication=C:\\Windows\\system32\\wsmprovhost.exe "
      "-Embedding\r\n</Data><Data>CommandInvocation(Get-Process): \"Get-Process\"\r\n</Data>"
      "</EventData></Event>";
  ASSERT_TRUE(parser.Parse(classic, &e).ok);
  EXPECT_EQ(e.event_id, 800);
  EXPECT_THAT(e.context_info, ::testing::HasSubstr("HostApplication=C:\\Windows"));
  EXPECT_EQ(e.payload, "CommandInvocation(Get-Process): \"Get-Process\"\r\n");
  ASSERT_EQ(parser.data().size(), 3u);
  EXPECT_EQ(parser.data()[0].value, "Get-Process");
  EXPECT_TRUE(parser.data()[0].name.empty());
}

TEST(XmlEventParserTest, MalformedIsReported) {
  const char* bad[] = {
      "<Event><System><EventID>4104</EventID></System>",              // unclosed
      "<Event><System><EventID>4104</EventID></Sys",                  // truncated end tag
      "<Event><EventData><Data Name='ScriptBlockText'>a &bogus; b</Data></EventData></Event>",
      "<Event><EventData><Data Name='ScriptBlockText'>a &#0; b</Data></EventData></Event>",
      "<Event><EventData><Data Name='ScriptBlockText'>a &#xD800; b</Data></EventData></Event>",
      "<Event><EventData><Data Name='ScriptBlockText'>a &#x110000; b</Data></EventData></Event>",
      "<Event><EventData><Data Name='ScriptBlockText'>a &amp b</Data></EventData></Event>",
      "<Event><System></Event>",                                     // mismatched
      "<Events><Event></Event></Events>",                            // wrong root
      "<Event><Data Name='x></Event>",                                // unterminated attribute
      "<Event><Data Name=x></Data></Event>",                          // unquoted attribute
      "<Event></Event>trailing",                                     // content after the root
      "",                                                            // nothing
      "<Event",                                                      // truncated start tag
  };
  XmlEventParser parser;
  for (const char* xml : bad) {
    Event e;
    XmlParseResult r = parser.Parse(xml, &e);
    EXPECT_FALSE(r.ok) << xml;
    EXPECT_NE(r.error, nullptr) << xml;
    EXPECT_LE(r.error_offset, std::string_view(xml).size()) << xml;
  }
}

TEST(XmlEventParserTest, EveryTruncationOfTheSampleFailsCleanly) {
  std::string xml = SharedFile("event.xml");
  size_t end = xml.find("</Event>") + 8;
  std::string one = xml.substr(0, end);
  XmlEventParser parser;
  Event e;
  ASSERT_TRUE(parser.Parse(one, &e).ok);
  for (size_t n = 0; n < one.size(); ++n) {
    XmlParseResult r = parser.Parse(std::string_view(one).substr(0, n), &e);
    EXPECT_FALSE(r.ok) << n;
  }
}

TEST(XmlEventParserTest, SourceIsKept) {
  XmlEventParser parser;
  Event e;
  e.source.file = "f.xml";
  e.source.offset = 9;
  e.event_id = 5;
  ASSERT_TRUE(parser.Parse("<?xml version='1.0'?><Event/>", &e).ok);
  EXPECT_EQ(e.source.file, "f.xml");
  EXPECT_EQ(e.source.offset, 9u);
  EXPECT_EQ(e.event_id, -1);
}

TEST(XmlEventParserTest, ByteMutationsNeverCrash) {
  std::string xml = SharedFile("event.xml");
  std::string one = xml.substr(0, xml.find("</Event>") + 8);
  XmlEventParser parser;
  const char kBytes[] = {'<', '>', '&', '/', '\'', '"', ';', '#', 'x', '\0', '\xff'};
  size_t ok = 0;
  for (size_t i = 0; i < one.size(); ++i) {
    for (char c : kBytes) {
      std::string m = one;
      m[i] = c;
      Event e;
      XmlParseResult r = parser.Parse(m, &e);
      if (r.ok) {
        ++ok;
        EXPECT_EQ(r.error, nullptr);
      } else {
        EXPECT_NE(r.error, nullptr);
        EXPECT_LE(r.error_offset, m.size());
      }
    }
  }
  EXPECT_GT(ok, 0u);
}

TEST(DecodeXmlTextTest, Cases) {
  std::string out;
  size_t err = 0;
  EXPECT_TRUE(DecodeXmlText("plain", &out, &err));
  EXPECT_EQ(out, "plain");
  out.clear();
  EXPECT_TRUE(DecodeXmlText("&#65;&#x42;&#X43;&#x0000044;", &out, &err));
  EXPECT_EQ(out, "ABCD");
  out.clear();
  EXPECT_FALSE(DecodeXmlText("ok &#xZZ; bad", &out, &err));
  EXPECT_EQ(err, 3u);
  out.clear();
  EXPECT_FALSE(DecodeXmlText("&", &out, &err));
  EXPECT_FALSE(DecodeXmlText("&lt", &out, &err));
  EXPECT_FALSE(DecodeXmlText("&#;", &out, &err));
}

}  // namespace
}  // namespace sbscan
