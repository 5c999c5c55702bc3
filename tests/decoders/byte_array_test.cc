#include "decoders/byte_array.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

// The start of a 64-bit Metasploit reverse_https stager.
const std::string kShellcode(
    "\xfc\x48\x83\xe4\xf0\xe8\xcc\x00\x00\x00\x41\x51\x41\x50\x52\x51\x56\x48"
    "\x31\xd2\x65\x48\x8b\x52\x60\x48\x8b\x52\x18\x48\x8b\x52\x20\x41\xba\x4c"
    "\x77\x26\x07\xff\xd5",
    41);

std::string HexList(std::string_view bytes, std::string_view sep) {
  std::string out;
  char buf[8];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += sep;
    std::snprintf(buf, sizeof(buf), "0x%02x", uint8_t(bytes[i]));
    out += buf;
  }
  return out;
}

std::string Hex(std::string_view bytes, std::string_view sep = "") {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += sep;
    std::snprintf(buf, sizeof(buf), "%02x", uint8_t(bytes[i]));
    out += buf;
  }
  return out;
}

std::string Decimal(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(uint8_t(bytes[i]));
  }
  return out;
}

std::vector<ByteArrayRegion> Find(std::string_view text, size_t min = 16) {
  std::vector<ByteArrayRegion> out;
  FindByteArrays(text, min, 64, &out);
  return out;
}

std::string Decode(std::string_view text, const ByteArrayRegion& r) {
  std::string out;
  EXPECT_EQ(DecodeByteArray(text.substr(r.begin, r.end - r.begin), r.format,
                            1 << 20, &out),
            Outcome::kDecoded);
  return out;
}

TEST(ByteArrayTest, MetasploitPsh) {
  // msfvenom -f ps1 / psh-reflection.
  const std::string text =
      "[Byte[]] $buf = " + HexList(kShellcode, ",") +
      "\n$size = $buf.Length\n[IntPtr]$addr = $VirtualAlloc.Invoke(0,$size,"
      "0x3000,0x40)";
  const auto regions = Find(text);
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_EQ(regions[0].format, ByteArrayFormat::kHexList);
  EXPECT_EQ(regions[0].count, kShellcode.size());
  const std::string bytes = Decode(text, regions[0]);
  EXPECT_EQ(bytes, kShellcode);
  std::vector<PayloadMarker> markers;
  DetectPayloadMarkers(bytes, &markers);
  ASSERT_EQ(markers.size(), 2u);
  EXPECT_EQ(markers[0].name, "shellcode_x64_prologue");
  EXPECT_EQ(markers[1].name, "block_api_hash");
  EXPECT_EQ(markers[1].offset, 35u);
}

TEST(ByteArrayTest, Formats) {
  const std::string payload = kShellcode.substr(0, 21);  // not a hash length
  struct Case {
    std::string text;
    ByteArrayFormat format;
  };
  const Case cases[] = {
      {"$h = '" + Hex(payload) + "'", ByteArrayFormat::kHexString},
      {"$h = \"" + Hex(payload, " ") + "\"", ByteArrayFormat::kHexString},
      {"$h = '" + Hex(payload, "-") + "'", ByteArrayFormat::kHexString},
      {"$h = '" + Hex(payload, ":") + "'", ByteArrayFormat::kHexString},
      {"$b = 0x" + Hex(payload.substr(0, 1)) + ", " +
           HexList(payload.substr(1), " ,\n  "),
       ByteArrayFormat::kHexList},
      {"$s = \"\\x" + Hex(payload, "\\x") + "\"", ByteArrayFormat::kHexList},
      {"[byte[]]$b = " + Decimal(payload), ByteArrayFormat::kDecimalList},
      {"$b = [Byte[]] (" + Decimal(payload) + ")",
       ByteArrayFormat::kDecimalList},
      {"$b = @(" + Decimal(payload) + ")", ByteArrayFormat::kDecimalList},
  };
  for (const Case& c : cases) {
    const auto regions = Find(c.text);
    ASSERT_EQ(regions.size(), 1u) << c.text;
    EXPECT_EQ(regions[0].format, c.format) << c.text;
    EXPECT_EQ(Decode(c.text, regions[0]), payload) << c.text;
  }
}

TEST(ByteArrayTest, PeFromHexString) {
  std::string pe(256, '\0');
  pe[0] = 'M';
  pe[1] = 'Z';
  pe[0x3C] = char(0x80);
  pe.replace(0x80, 4, std::string("PE\0\0", 4));
  pe.replace(0xA0, 4, "BSJB");
  const std::string text = "$pe = '" + Hex(pe) + "'; [Reflection.Assembly]::"
                           "Load([byte[]]($pe -split '(..)' | ? { $_ }))";
  const auto regions = Find(text);
  ASSERT_EQ(regions.size(), 1u);
  const std::string bytes = Decode(text, regions[0]);
  std::vector<PayloadMarker> markers;
  DetectPayloadMarkers(bytes, &markers);
  ASSERT_EQ(markers.size(), 2u);
  EXPECT_EQ(markers[0].name, "pe");
  EXPECT_EQ(markers[1].name, "dotnet");
  markers.clear();
  DetectPayloadMarkers(bytes.substr(0, 0x70), &markers);  // cut before PE
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].name, "mz");
}

TEST(ByteArrayTest, OtherMarkers) {
  const struct {
    std::string bytes;
    std::string_view name;
  } cases[] = {
      {std::string("\x7f" "ELF\x02\x01\x01", 7), "elf"},
      {std::string("\x1f\x8b\x08\x00\x00\x00", 6), "gzip"},
      {std::string("PK\x03\x04\x14\x00", 6), "zip"},
      {std::string("\xfc\xe8\x82\x00\x00\x00\x60\x89\xe5", 9),
       "shellcode_x86_prologue"},
      {std::string("\xfc\xe8\x89\x00\x00\x00\x60\x89\xe5", 9),
       "shellcode_x86_prologue"},
      {std::string("\x90\x90\x68\x58\xa4\x53\xe5\xff\xd5", 9),
       "block_api_hash"},
  };
  for (const auto& c : cases) {
    std::vector<PayloadMarker> markers;
    ASSERT_EQ(DetectPayloadMarkers(c.bytes, &markers), 1u) << c.name;
    EXPECT_EQ(markers[0].name, c.name);
  }
  std::vector<PayloadMarker> markers;
  EXPECT_EQ(DetectPayloadMarkers("plain text, no payload here at all", &markers),
            0u);
  EXPECT_EQ(DetectPayloadMarkers("", &markers), 0u);
}

TEST(ByteArrayTest, OrdinaryCodeHasNoArrays) {
  const char* texts[] = {
      // Hashes and GUIDs.
      "$expected = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
      "$md5 = 'd41d8cd98f00b204e9800998ecf8427e'; $sha1 = "
      "'da39a3ee5e6b4b0d3255bfef95601890afd80709'",
      "[guid]'6b29fc40-ca47-1067-b31d-00dd010662da'",
      "$id = '{F1A2B3C4-D5E6-F7A8-B9C0-D1E2F3A4B5C6}'",
      // Small arrays, numbers, char codes (left to the char-code decoder).
      "$ports = @(80, 443, 8080)",
      "[char[]](73,69,88,32,40,78,101,119,45,79,98,106,101,99,116) -join ''",
      "$v = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18",
      "Start-Sleep -Seconds 30; $x = 0x7fffffff; $deadbeef = 'cafe'",
      "function Add-Defaults { param($a, $b) $face = $a + $b; $decade = 10 }",
  };
  for (const char* t : texts) {
    EXPECT_TRUE(Find(t).empty()) << t;
  }
}

TEST(ByteArrayTest, DecodeErrorsAndLimits) {
  std::string out;
  EXPECT_EQ(DecodeByteArray("4d5a9", ByteArrayFormat::kHexString, 10, &out),
            Outcome::kMalformed);
  out.clear();
  EXPECT_EQ(DecodeByteArray("4d5g", ByteArrayFormat::kHexString, 10, &out),
            Outcome::kMalformed);
  out.clear();
  EXPECT_EQ(DecodeByteArray("1,2,256", ByteArrayFormat::kDecimalList, 10, &out),
            Outcome::kMalformed);
  out.clear();
  EXPECT_EQ(DecodeByteArray("0x1,0x234", ByteArrayFormat::kHexList, 10, &out),
            Outcome::kMalformed);
  out.clear();
  EXPECT_EQ(DecodeByteArray("0x41, 0x42, 0x43", ByteArrayFormat::kHexList, 2,
                            &out),
            Outcome::kLimitReached);
  EXPECT_EQ(out, "AB");
  out.clear();
  EXPECT_EQ(DecodeByteArray("65 , 66", ByteArrayFormat::kDecimalList, 10, &out),
            Outcome::kDecoded);
  EXPECT_EQ(out, "AB");
  EXPECT_EQ(DecodeByteArray("", ByteArrayFormat::kHexString, 10, &out),
            Outcome::kNotApplicable);
  EXPECT_EQ(ByteArrayFormatName(ByteArrayFormat::kHexList), "hex_list");
}

TEST(ByteArrayTest, RegionLimit) {
  const std::string one = "'" + Hex(kShellcode) + "' ";
  std::vector<ByteArrayRegion> out;
  EXPECT_EQ(FindByteArrays(one + one + one, 16, 2, &out), 2u);
}

// FindByteArrays (only the long runs of span bytes token-scanned, on AVX2)
// against FindByteArraysScalar (the whole text): equal regions, for several
// min_bytes and region limits.
void ExpectSameAsScalar(std::string_view text) {
  for (size_t min : {4, 5, 16, 40}) {
    for (size_t max : {1, 3, 64}) {
      std::vector<ByteArrayRegion> got, want;
      const size_t n_got = FindByteArrays(text, min, max, &got);
      const size_t n_want = FindByteArraysScalar(text, min, max, &want);
      ASSERT_EQ(n_got, n_want) << "min " << min << " max " << max << ": " << text;
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].begin, want[i].begin) << text;
        EXPECT_EQ(got[i].end, want[i].end) << text;
        EXPECT_EQ(got[i].format, want[i].format) << text;
        EXPECT_EQ(got[i].count, want[i].count) << text;
      }
    }
  }
}

TEST(ByteArrayTest, SpansMatchScalarOnEveryPlacement) {
  const std::string arrays[] = {
      "[Byte[]] $b = " + Decimal(kShellcode.substr(0, 16)),
      "@(" + Decimal(std::string(16, '\x01')) + ")",
      HexList(kShellcode, ", "),
      "\"" + Hex(kShellcode) + "\"",
      "'" + Hex(kShellcode.substr(0, 20), ":") + "'",
      "$s = \"" + std::string("\\x4d\\x5a\\x90\\x00\\x03\\x00\\x00\\x00") + "\"",
      "config" + Hex(kShellcode),  // one word: no region
  };
  for (const std::string& a : arrays) {
    for (size_t before = 0; before <= 130; before += 3) {
      for (const char* pad : {" ", "x", "\n", "ab"}) {
        std::string text;
        while (text.size() < before) text += pad;
        text += a;
        ExpectSameAsScalar(text);
        ExpectSameAsScalar(text + "; Write-Host done");
      }
    }
  }
}

TEST(ByteArrayTest, SpansMatchScalarOnRandomSoups) {
  std::mt19937 rng(7);
  const char* pieces[] = {"0x",  "\\x", "4d", "5A", ",",   ", ",  " ",    "\n", "\t",  ":", "-",
                          "12",  "255", "@(", "[byte[]]", "$a", "abc", "x",   "ff",  "0",  "9",
                          "7,",  "a5 ", "beef", "'",  "\"",  "(",  ")",   "_",   "g",   "=", "\\"};
  size_t with_regions = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string text;
    const size_t k = rng() % 120;
    for (size_t i = 0; i < k; ++i) text += pieces[rng() % std::size(pieces)];
    ExpectSameAsScalar(text);
    std::vector<ByteArrayRegion> want;
    with_regions += FindByteArraysScalar(text, 4, 64, &want) > 0;
  }
  EXPECT_GT(with_regions, 1000u) << "the soups must hold byte arrays to compare";
}

TEST(ByteArrayTest, SpansMatchScalarOnCorpusLines) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(SBSCAN_SHARED_DIR) / "corpus";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no corpus under " << root;
  size_t lines = 0, with_regions = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.file_size() > (64u << 20)) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<ByteArrayRegion> want;
      if (FindByteArraysScalar(line, 16, 64, &want) > 0) ++with_regions;
      ExpectSameAsScalar(line);
      ++lines;
    }
  }
  std::printf("checked %zu corpus lines, %zu with byte arrays\n", lines, with_regions);
  EXPECT_GT(lines, 1000u);
}

}  // namespace
}  // namespace sbscan::decoders
