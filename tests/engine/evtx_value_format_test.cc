// Unit tests: CRC32, UTF-16LE conversion, value formatting (FILETIME, SYSTEMTIME, SID, GUID,
// numbers, arrays) and ISO fraction normalisation of the native EVTX reader.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/src/evtx/crc32.h"
#include "engine/src/evtx/utf16.h"
#include "engine/src/evtx/value_format.h"

namespace sbscan::evtx {
namespace {

std::vector<uint8_t> Utf16(const std::u16string& s) {
  std::vector<uint8_t> out;
  for (char16_t c : s) {
    out.push_back(static_cast<uint8_t>(c & 0xFF));
    out.push_back(static_cast<uint8_t>(c >> 8));
  }
  return out;
}

std::string Format(uint8_t type, const std::vector<uint8_t>& bytes) {
  std::string out;
  AppendValue({bytes.data(), static_cast<uint32_t>(bytes.size()), type}, &out);
  return out;
}

template <typename T>
std::vector<uint8_t> Le(T v) {
  std::vector<uint8_t> b(sizeof(T));
  std::memcpy(b.data(), &v, sizeof(T));
  return b;
}

TEST(EvtxCrc32Test, KnownValues) {
  EXPECT_EQ(Crc32(0, "", 0), 0u);
  EXPECT_EQ(Crc32(0, "123456789", 9), 0xCBF43926u);
  EXPECT_EQ(Crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
  // Continuation equals one pass, for every split point (slice-by-8 and tail paths).
  const std::string text = "ElfChnk\0 some chunk bytes with an odd length!";
  const uint32_t whole = Crc32(0, text.data(), text.size());
  for (size_t split = 0; split <= text.size(); ++split) {
    EXPECT_EQ(Crc32(Crc32(0, text.data(), split), text.data() + split, text.size() - split),
              whole);
  }
}

TEST(EvtxUtf16Test, ConvertsAndKeepsControlCharacters) {
  std::string out;
  auto b = Utf16(u"a\r\nb\t\x01 caf\u00e9 \u20ac \u2400");
  AppendUtf16LeAsUtf8(b.data(), b.size() / 2, &out);
  EXPECT_EQ(out, "a\r\nb\t\x01 caf\xC3\xA9 \xE2\x82\xAC \xE2\x90\x80");
}

TEST(EvtxUtf16Test, SurrogatesPairsAndLoneOnes) {
  std::string out;
  auto pair = Utf16(u"x\U0001F600y");
  AppendUtf16LeAsUtf8(pair.data(), pair.size() / 2, &out);
  EXPECT_EQ(out, "x\xF0\x9F\x98\x80y");
  out.clear();
  std::u16string lone = u"a";
  lone.push_back(static_cast<char16_t>(0xD83D));  // high surrogate split off at a fragment end
  auto b = Utf16(lone);
  AppendUtf16LeAsUtf8(b.data(), b.size() / 2, &out);
  EXPECT_EQ(out, "a\xEF\xBF\xBD");
  out.clear();
  std::u16string low;
  low.push_back(static_cast<char16_t>(0xDE00));
  low += u"bcdefgh";  // lone low surrogate, then the ASCII fast path
  b = Utf16(low);
  AppendUtf16LeAsUtf8(b.data(), b.size() / 2, &out);
  EXPECT_EQ(out, "\xEF\xBF\xBD" "bcdefgh");
}

TEST(EvtxUtf16Test, TrailingNulsDroppedEmbeddedKept) {
  std::u16string s = u"ab";
  s.push_back(0);
  s += u"c";
  s.push_back(0);
  s.push_back(0);
  auto b = Utf16(s);
  EXPECT_EQ(TrimTrailingNuls(b.data(), b.size() / 2), 4u);
  EXPECT_EQ(Format(0x01, b), std::string("ab\0c", 4));
}

TEST(EvtxValueFormatTest, FileTime) {
  std::string out;
  AppendFileTime(131485843098768395ull, &out);  // from the corpus
  EXPECT_EQ(out, "2017-08-30T16:31:49.8768395Z");
  out.clear();
  AppendFileTime(0, &out);
  EXPECT_EQ(out, "1601-01-01T00:00:00.0000000Z");
  out.clear();
  AppendFileTime(116444736000000000ull, &out);
  EXPECT_EQ(out, "1970-01-01T00:00:00.0000000Z");
  out.clear();
  AppendFileTime(125962560000000001ull, &out);  // leap day
  EXPECT_EQ(out, "2000-02-29T00:00:00.0000001Z");
}

TEST(EvtxValueFormatTest, SystemTime) {
  std::vector<uint8_t> st;
  for (uint16_t v : {2021, 6, 4, 3, 13, 5, 20, 242}) {
    auto b = Le(v);
    st.insert(st.end(), b.begin(), b.end());
  }
  EXPECT_EQ(Format(0x12, st), "2021-06-03T13:05:20.2420000Z");
}

TEST(EvtxValueFormatTest, Sid) {
  const std::vector<uint8_t> sid = {1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x32, 0x5F, 0x90, 0x5C,
                                    0xB9, 0x54, 0x94, 0xE4, 0x55, 0x8F, 0x31, 0xFA, 0xE9, 3, 0, 0};
  EXPECT_EQ(Format(0x13, sid), "S-1-5-21-1552965426-3834926265-4197551957-1001");
  EXPECT_EQ(Format(0x13, {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}), "S-1-5-18");
  EXPECT_EQ(Format(0x13, {1, 3, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}), "");  // truncated
}

TEST(EvtxValueFormatTest, Guid) {
  const std::vector<uint8_t> g = {0x8A, 0x55, 0xF1, 0xE6, 0xAD, 0x49, 0xB6, 0x4F,
                                  0x9E, 0x4B, 0x54, 0x60, 0xF3, 0x90, 0x87, 0x3F};
  EXPECT_EQ(Format(0x0F, g), "{E6F1558A-49AD-4FB6-9E4B-5460F390873F}");
}

TEST(EvtxValueFormatTest, NumbersAndOthers) {
  EXPECT_EQ(Format(0x03, {0xFF}), "-1");
  EXPECT_EQ(Format(0x04, {0xFF}), "255");
  EXPECT_EQ(Format(0x06, Le<uint16_t>(4104)), "4104");
  EXPECT_EQ(Format(0x07, Le<int32_t>(-5)), "-5");
  EXPECT_EQ(Format(0x0A, Le<uint64_t>(18446744073709551615ull)), "18446744073709551615");
  EXPECT_EQ(Format(0x15, Le<uint64_t>(0x8000000000000000ull)), "0x8000000000000000");
  EXPECT_EQ(Format(0x14, Le<uint32_t>(0x1F)), "0x0000001F");
  EXPECT_EQ(Format(0x10, Le<uint64_t>(0x10)), "0x0000000000000010");
  EXPECT_EQ(Format(0x0D, Le<uint32_t>(0)), "false");
  EXPECT_EQ(Format(0x0D, Le<uint32_t>(0x100)), "true");  // irregular boolean
  EXPECT_EQ(Format(0x0C, Le<double>(1.5)), "1.5");
  EXPECT_EQ(Format(0x0E, {0x0A, 0xFF}), "0AFF");
  EXPECT_EQ(Format(0x02, {'h', 'i', 0}), "hi");
  EXPECT_EQ(Format(0x00, {}), "");
  EXPECT_EQ(Format(0x08, {1, 2}), "");  // too short: nothing, no over-read
  auto arr = Utf16(u"one");
  arr.push_back(0);
  arr.push_back(0);
  auto two = Utf16(u"two");
  arr.insert(arr.end(), two.begin(), two.end());
  EXPECT_EQ(Format(0x81, arr), "one, two");
  std::vector<uint8_t> ints = Le<uint32_t>(1);
  auto b = Le<uint32_t>(2);
  ints.insert(ints.end(), b.begin(), b.end());
  EXPECT_EQ(Format(0x88, ints), "1, 2");
}

TEST(EvtxValueFormatTest, IntegersFromValues) {
  int64_t v = 0;
  auto s = Utf16(u"4104");
  EXPECT_TRUE(ValueToInt64({s.data(), static_cast<uint32_t>(s.size()), 0x01}, &v));
  EXPECT_EQ(v, 4104);
  auto h = Utf16(u"0x10");
  EXPECT_TRUE(ValueToInt64({h.data(), static_cast<uint32_t>(h.size()), 0x01}, &v));
  EXPECT_EQ(v, 16);
  auto bad = Utf16(u"12a");
  EXPECT_FALSE(ValueToInt64({bad.data(), static_cast<uint32_t>(bad.size()), 0x01}, &v));
  auto u16 = Le<uint16_t>(800);
  EXPECT_TRUE(ValueToInt64({u16.data(), 2, 0x06}, &v));
  EXPECT_EQ(v, 800);
}

TEST(EvtxValueFormatTest, NormalizeIsoFraction) {
  std::string t = "2021-06-03T13:05:20.242837300Z";
  NormalizeIsoFraction(&t);
  EXPECT_EQ(t, "2021-06-03T13:05:20.2428373Z");
  t = "2021-06-03T13:05:20.5Z";
  NormalizeIsoFraction(&t);
  EXPECT_EQ(t, "2021-06-03T13:05:20.5000000Z");
  t = "2021-06-03T13:05:20Z";
  NormalizeIsoFraction(&t);
  EXPECT_EQ(t, "2021-06-03T13:05:20.0000000Z");
  t = "not a time";
  NormalizeIsoFraction(&t);
  EXPECT_EQ(t, "not a time");
}

}  // namespace
}  // namespace sbscan::evtx
