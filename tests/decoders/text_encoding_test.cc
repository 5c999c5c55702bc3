#include "decoders/text_encoding.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

using ::sbscan::decoders::testing::Utf16le;

std::string ToUtf8(std::string_view bytes) {
  std::string out;
  Utf16leToUtf8(bytes, &out);
  return out;
}

TEST(TextEncodingTest, Names) {
  EXPECT_EQ(TextEncodingName(TextEncoding::kUtf16le), "utf16le");
  EXPECT_EQ(TextEncodingName(TextEncoding::kUtf8), "utf8");
  EXPECT_EQ(TextEncodingName(TextEncoding::kBinary), "binary");
  EXPECT_EQ(TextEncodingName(static_cast<TextEncoding>(9)), "unknown");
}

TEST(TextEncodingTest, ClassifiesUtf16le) {
  const std::string script =
      "$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String('x'));\r\n"
      "\tIEX $s";
  EXPECT_EQ(ClassifyBytes(Utf16le(script)), TextEncoding::kUtf16le);
  EXPECT_EQ(ClassifyBytes("\xff\xfe" + Utf16le(script)),
            TextEncoding::kUtf16le);
  EXPECT_EQ(ClassifyBytes(Utf16le(script) + "x"), TextEncoding::kUtf16le);
  EXPECT_EQ(ClassifyBytes(Utf16le("A")), TextEncoding::kUtf16le);
  // Non-ASCII code points (é, U+1F600 as a surrogate pair) mixed with ASCII.
  std::string mixed = Utf16le("Write-Host 'caf");
  mixed += std::string("\xe9\x00", 2);
  mixed += std::string("\x3d\xd8\x00\xde", 4);
  mixed += Utf16le("'");
  EXPECT_EQ(ClassifyBytes(mixed), TextEncoding::kUtf16le);
}

TEST(TextEncodingTest, Utf16leThresholds) {
  // 10% of units are control characters: still text (90% printable).
  std::string text = Utf16le(std::string(90, 'a'));
  for (int i = 0; i < 10; ++i) text += std::string("\x01\x00", 2);
  EXPECT_EQ(ClassifyBytes(text), TextEncoding::kUtf16le);
  text += std::string("\x01\x00", 2);  // 11 of 101
  EXPECT_NE(ClassifyBytes(text), TextEncoding::kUtf16le);
  // CJK-only text has no ASCII units: below kUtf16MinAsciiPercent.
  std::string cjk;
  for (int i = 0; i < 40; ++i) cjk += "\x9e\x8a";  // U+8A9E
  EXPECT_EQ(ClassifyBytes(cjk), TextEncoding::kBinary);
  // With a quarter of ASCII it is text.
  for (int i = 0; i < 14; ++i) cjk += Utf16le(" ");
  EXPECT_EQ(ClassifyBytes(cjk), TextEncoding::kUtf16le);
}

TEST(TextEncodingTest, ClassifiesUtf8) {
  EXPECT_EQ(ClassifyBytes("Write-Output \"hello from a decoded block\""),
            TextEncoding::kUtf8);
  EXPECT_EQ(ClassifyBytes("line1\r\n\tline2\n"), TextEncoding::kUtf8);
  EXPECT_EQ(ClassifyBytes("caf\xc3\xa9 \xe2\x80\x93 \xf0\x9f\x98\x80 ok"),
            TextEncoding::kUtf8);
  // A sequence cut at the end (output limit) is tolerated.
  EXPECT_EQ(ClassifyBytes("Write-Host 'caf\xc3"), TextEncoding::kUtf8);
  EXPECT_EQ(ClassifyBytes("Write-Host '\xe2\x80"), TextEncoding::kUtf8);
  // Odd-length ASCII is not mistaken for UTF-16LE.
  EXPECT_EQ(ClassifyBytes("abc"), TextEncoding::kUtf8);
  EXPECT_EQ(ClassifyBytes("abcd"), TextEncoding::kUtf8);
}

TEST(TextEncodingTest, ClassifiesBinary) {
  EXPECT_EQ(ClassifyBytes(""), TextEncoding::kBinary);
  EXPECT_EQ(ClassifyBytes(std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8)),
            TextEncoding::kBinary);
  EXPECT_EQ(ClassifyBytes("bad \xc3\x28 utf8 sequence"),
            TextEncoding::kBinary);
  EXPECT_EQ(ClassifyBytes("overlong \xc0\xaf"), TextEncoding::kBinary);
  EXPECT_EQ(ClassifyBytes("surrogate \xed\xa0\x80"), TextEncoding::kBinary);
  EXPECT_EQ(ClassifyBytes(std::string(64, '\0')), TextEncoding::kBinary);
  // 7 control characters of 25: 72% printable, below 90%.
  EXPECT_EQ(ClassifyBytes("\x01\x02\x03\x04 mostly control \x05\x06\x07"),
            TextEncoding::kBinary);
}

TEST(TextEncodingTest, RandomBytesAreBinary) {
  std::mt19937 rng(7);
  int text = 0;
  for (int iter = 0; iter < 1000; ++iter) {
    std::string data(16 + rng() % 200, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    if (ClassifyBytes(data) != TextEncoding::kBinary) ++text;
  }
  EXPECT_EQ(text, 0);
}

TEST(TextEncodingTest, Utf16leToUtf8) {
  EXPECT_EQ(ToUtf8(Utf16le("IEX (New-Object Net.WebClient)")),
            "IEX (New-Object Net.WebClient)");
  EXPECT_EQ(ToUtf8("\xff\xfe" + Utf16le("ab")), "ab");        // BOM dropped
  EXPECT_EQ(ToUtf8(Utf16le("ab") + "\xff\xfe"), "ab\xef\xbb\xbf");
  EXPECT_EQ(ToUtf8(Utf16le("ab") + "c"), "ab");               // odd byte
  EXPECT_EQ(ToUtf8(std::string("\xe9\x00", 2)), "\xc3\xa9");  // é
  EXPECT_EQ(ToUtf8("\x13\x20"), "\xe2\x80\x93");              // en dash
  EXPECT_EQ(ToUtf8(std::string("\x3d\xd8\x00\xde", 4)), "\xf0\x9f\x98\x80");  // U+1F600
  EXPECT_EQ(ToUtf8(std::string("\x3d\xd8", 2) + Utf16le("a")),
            "\xef\xbf\xbd"
            "a");  // lone high surrogate
  EXPECT_EQ(ToUtf8(std::string("\x00\xde", 2)), "\xef\xbf\xbd");  // lone low surrogate
  EXPECT_EQ(ToUtf8("\x3d\xd8"), "\xef\xbf\xbd");  // high surrogate at end
  EXPECT_EQ(ToUtf8(std::string("\x00\x00", 2)), std::string("\0", 1));
  std::string out = "keep:";
  Utf16leToUtf8(Utf16le("x"), &out);
  EXPECT_EQ(out, "keep:x");
}

}  // namespace
}  // namespace sbscan::decoders
