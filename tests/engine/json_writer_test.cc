#include "engine/src/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <vector>

namespace sbscan {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(JsonWriterTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Json("l1\r\nl2\t"), "\"l1\\r\\nl2\\t\"");
  EXPECT_EQ(Json(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(Json("Gr\xC3\xBC\xC3\x9F" "e"), "\"Gr\xC3\xBC\xC3\x9F" "e\"");
}

TEST(JsonWriterTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Json("a\xFF" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(Json("\xC3"), "\"\xEF\xBF\xBD\"");                  // truncated sequence
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  EXPECT_EQ(Json("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong
}

TEST(JsonWriterTest, OutputRoundTripsThroughAParser) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string json = "{\"s\":" + Json(all) + "}";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS);
  std::string_view s;
  ASSERT_EQ(doc["s"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s.substr(0, 128), std::string_view(all).substr(0, 128));
}

// The vector path (runs of 16 plain bytes) against the byte-at-a-time tail: a string built
// from tokens (plain bytes, bytes JSON escapes, valid UTF-8 sequences, bytes that are never
// valid UTF-8) is written whole, and token by token -- each token is shorter than 16 bytes, so
// it takes the tail only. Escaping is per character, so both must agree at every alignment.
TEST(JsonWriterTest, VectorPathAgreesWithByteAtATimeTail) {
  const std::vector<std::string> tokens = {
      "a", "Z", "0", " ", "~", "\x7f", "\"", "\\", "\n", "\r", "\t", std::string(1, '\0'),
      "\x1f", "\xC3\xBC", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xFF", "\x80", "\xC0\xAF",
      "\xED\xA0\x80"};
  std::mt19937 rng(7);
  for (int iter = 0; iter < 2000; ++iter) {
    const int count = static_cast<int>(rng() % 120);
    const bool mostly_plain = iter % 2 == 0;  // long plain runs reach the vector loop
    std::string whole, expected = "\"";
    for (int k = 0; k < count; ++k) {
      const std::string& t = tokens[mostly_plain && rng() % 8 != 0 ? rng() % 5 : rng() % tokens.size()];
      whole += t;
      const std::string one = Json(t);
      expected += one.substr(1, one.size() - 2);
    }
    expected += '"';
    ASSERT_EQ(Json(whole), expected) << "iteration " << iter;
  }
}

TEST(JsonWriterTest, Integers) {
  std::string out;
  AppendJsonInt(-42, &out);
  AppendJsonInt(1234567890123, &out);
  EXPECT_EQ(out, "-421234567890123");
}

}  // namespace
}  // namespace sbscan
