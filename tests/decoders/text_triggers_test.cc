// TextTriggersWith (the fused vector pass) against TextTriggersScalar (the
// reference of independent substring searches): unit cases per flag, every
// placement across vector-chunk boundaries, random soups, and the raw lines
// of the shared corpus.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "decoders/text_triggers.h"
#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

namespace fs = std::filesystem;

std::vector<SimdPath> Paths() {
  std::vector<SimdPath> paths;
  for (SimdPath p : kSimdPaths) {
    if (SimdPathSupported(p)) paths.push_back(p);
  }
  return paths;
}

size_t g_checked = 0;

// Every path gives the reference's flags; returns them.
uint32_t Checked(std::string_view text) {
  const uint32_t want = TextTriggersScalar(text);
  for (SimdPath path : Paths()) {
    EXPECT_EQ(TextTriggersWith(path, text), want)
        << "path " << SimdPathName(path) << " size " << text.size() << ": " << text;
  }
  std::vector<Candidate> cands;
  uint32_t scanned = 0;
  ScanText(text, 32, 8, &cands, &scanned);
  EXPECT_EQ(scanned, want);
  ++g_checked;
  return want;
}

struct Case {
  const char* text;
  uint32_t flags;  // exactly these
};

const Case kCases[] = {
    {"Get-ChildItem -Path C:\\ | Sort-Object Name", 0},
    {"[char](($_ - 84) % 26 + 97)", kTriggerCharCodes | kTriggerRotationLoop},
    {"$n = 2 6", 0},
    {"$d = '2026-12-07'; $h = 0x26; $v = 1.26; $w = 260; $x = a26", kTriggerByteArray},
    {"(($c - 97 + 13)%26)", kTriggerRotationLoop},
    {"if ($c -gt 122) { $c -= 26 }", kTriggerRotationLoop},
    {"(26)", kTriggerRotationLoop},
    {"$s = [char]72 + [char]105", kTriggerCharCodes | kTriggerNormalize},
    {"[CHAR]72", kTriggerCharCodes},
    {"[cha", 0},
    {"$x = $b -bxor 0x5A", kTriggerXorKey | kTriggerByteArray},
    {"$x = $b -BXOR $k", kTriggerXorKey},
    {"76492d1116743f0423413b16050a5345", kTriggerSecureString | kTriggerByteArray},
    {"01000000d08c9ddf0115d1118c7a00c04fc297eb", kTriggerSecureString | kTriggerByteArray},
    {"76492d1116743f0", 0},
    {"-----BEGIN CMS-----", kTriggerCms},
    {"----BEGIN CMS", 0},
    {"$b = 0x4d", kTriggerByteArray},
    {"\"\\x4d\\x5a\"", kTriggerByteArray},
    {"0xg", 0},
    {"@(77, 90)", kTriggerByteArray},
    {"@( \n 77)", kTriggerByteArray},
    {"@($a)", 0},
    {"[Byte[]]$b", kTriggerByteArray},
    {"4d5a90000300000004000000ffff0000", kTriggerByteArray},
    {"4d5a90000300000004000000ffff000", 0},  // 31 hex-ish bytes
    {"('I'+'EX')", kTriggerNormalize},
    {"I`nv`oke-Expression", kTriggerNormalize},
    {"'{1}{0}' -f 'b','a'", kTriggerNormalize},
    {"('a','b') -join ''", kTriggerNormalize},
    {"'xAy' -replace 'A','B'", kTriggerNormalize},
    {"[array]::Reverse($c)", kTriggerNormalize},
    {"[regex]::Matches($s,'.','RightToLeft')", kTriggerNormalize},
    {"$s[-1..-($s.Length)]", kTriggerNormalize},
    {"$s[ \t-1 .. -3]", kTriggerNormalize},        // blanks after '[' (the prefix filter's
    {"'a' +\t'b'", kTriggerNormalize},              // blank sets: the script spaces)
    {"'a' +\v\f'b'", kTriggerNormalize},
    {"$s[\f-1..-2]", kTriggerNormalize},
    {"'a' +\x01'b'", 0},                            // not a script space
    {"'a' +\r\n  (\"b\")", kTriggerNormalize},
    {"\"{12}{3}\" -f 'a','b'", kTriggerNormalize},
    {"$a -join ','", 0},
    {"$i = $i + 1", 0},
    {"\"{0}: {1}\" -f $x, $y", 0},
};

TEST(TextTriggersTest, EachFlag) {
  for (const Case& c : kCases) {
    EXPECT_EQ(Checked(c.text), c.flags) << c.text;
  }
}

// Every case at every offset of a 70-byte filler (over two AVX2 chunks) and
// followed by fillers of every length, so that each prefix falls at each
// chunk position, straddles a chunk boundary, or lands in the scalar tail.
TEST(TextTriggersTest, EveryPlacement) {
  for (const Case& c : kCases) {
    for (size_t before = 0; before <= 70; ++before) {
      for (size_t after : {0, 1, 2, 3, 17, 40}) {
        const std::string text = std::string(before, 'q') + c.text + std::string(after, 'q');
        EXPECT_EQ(Checked(text), c.flags) << text;
        if (HasFailure()) return;
      }
    }
  }
}

// Hex-ish runs of every length around the threshold, at every offset.
TEST(TextTriggersTest, HexRunLengths) {
  for (size_t len = 28; len <= 36; ++len) {
    for (size_t before = 0; before <= 66; ++before) {
      const std::string text = std::string(before, 'q') + std::string(len, 'a') + "q";
      EXPECT_EQ(Checked(text) & kTriggerByteArray, len >= 2 * kByteArrayMinBytes ? kTriggerByteArray : 0u)
          << "len " << len << " at " << before;
      if (HasFailure()) return;
    }
  }
}

const char* const kPieces[] = {
    " ",      "\n",     "'",       "\"",        "(",      ")",      "+",      "`",
    "{",      "}",      "[",       "]",         "-",      ":",      ",",      "@",
    "\\",     "0",      "1",       "7",         "x",      "X",      "e",      "E",
    "b",      "[char",  "[Char]",  "bxor",      "-bXoR ", "0x",     "\\x",    "@(",
    "@( 1",   "e[]",    "byte[]",  "76492d11",  "16743f04", "01000000", "d08c9ddf",
    "-----",  "BEGIN",  " CMS",    "-BE",       "{0}",    "{1}{0}", "'a'+'b'", "-join",
    "-jo",    "join",   "replace", "-replace",  ".Replace(", "rep",  "::",     "::Reverse(",
    "reverse", "Right", "RightToLeft", "rig",   "[-1..",  "[ -1 ..", "deadbeef", "0123456789",
    "abcdef", "2", "26", "% 26", "2026", "0x26", "1.26", "Write-Host", "\xe2\x80\x98", "\xff", "\x80", "\x01", "I`nv",  "`n",
    "\t", "\v", "\f", "\r",
};

std::string RandomSoup(std::mt19937& rng, size_t pieces) {
  std::string s;
  for (size_t i = 0; i < pieces; ++i) {
    if (rng() % 12 == 0) {
      const size_t len = rng() % 50;
      for (size_t k = 0; k < len; ++k) s += "0123456789abcdefABCDEF :,-"[rng() % 26];
    } else {
      s += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
    }
  }
  return s;
}

TEST(TextTriggersTest, RandomSoupMatchesReference) {
  std::mt19937 rng(4104);
  for (int iter = 0; iter < 20000; ++iter) {
    Checked(RandomSoup(rng, rng() % 60));
    if (HasFailure()) return;
  }
}

// Every line of every corpus file, raw (JSON escapes and all): real script text
// in bulk, with payloads, GUIDs and hashes.
TEST(TextTriggersTest, CorpusLinesMatchReference) {
  const fs::path root = fs::path(SBSCAN_SHARED_DIR) / "corpus";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no corpus under " << root;
  size_t lines = 0, flagged = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".jsonl") continue;
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      flagged += Checked(line) != 0;
      ++lines;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(lines, 500u);
  EXPECT_GT(flagged, 0u);
  std::printf("checked %zu corpus lines, %zu with a trigger; %zu texts in all\n", lines,
              flagged, g_checked);
}

}  // namespace
}  // namespace sbscan::decoders
