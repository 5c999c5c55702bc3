// Differential test: every vector path of FindBase64Candidates must return
// exactly what the scalar reference returns.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "decoders/base64_candidates.h"
#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

using ::sbscan::decoders::testing::EncodeCommand;

std::vector<SimdPath> VectorPaths() {
  std::vector<SimdPath> paths;
  for (SimdPath p : kSimdPaths) {
    if (p != SimdPath::kScalar && SimdPathSupported(p)) paths.push_back(p);
  }
  return paths;
}

int g_checked = 0;

void ExpectSame(std::string_view text, size_t min_run, size_t max) {
  std::vector<Candidate> want;
  FindBase64CandidatesScalar(text, min_run, max, &want);
  for (SimdPath path : VectorPaths()) {
    std::vector<Candidate> got;
    FindBase64CandidatesWith(path, text, min_run, max, &got);
    ASSERT_EQ(got, want) << "path " << SimdPathName(path) << " min_run "
                         << min_run << " max " << max << " text size "
                         << text.size() << " text: " << text;
  }
  std::vector<Candidate> dispatched;
  FindBase64Candidates(text, min_run, max, &dispatched);
  ASSERT_EQ(dispatched, want);
  ++g_checked;
}

const char* const kPieces[] = {
    " ", "\n", "\r\n", "\t", "'", "\"", "(", ")", "=", "==", "-", "/", "+",
    "_", "e", "E", "f", "6", "4", "64", ":", ",", "`", "\\", "$x", "-e ",
    "-enc ", "/e ", "-ec ", "-EncodedCommand ", "-ea ", "-eq ", "\xe2\x80\x93",
    "\xe2\x80\x93" "enc ", "\xe2\x80\x94" "e ", "\xe2\x80\x95" "e ",
    "\xe2\x80\x98", "FromBase64String(", "frombase64string ('",
    "FROMBASE64STRING(\"", "FromBase64String(@'", "abcdefgh", "ABCDEFGHIJKLMNOP",
    "0123456789", "QUJD", "SQBFAFgA", "Write-Host", "Get-ChildItem",
    "\xc3\xa9", "\xff", "\x80", "\x93", "\x94" "e", "\x01"};

std::string RandomSoup(std::mt19937& rng, size_t pieces) {
  std::string s;
  const size_t n = sizeof(kPieces) / sizeof(kPieces[0]);
  for (size_t i = 0; i < pieces; ++i) {
    const int r = rng() % 10;
    if (r == 0) {
      s += std::string(rng() % 80, "AZaz09+/-_"[rng() % 10]);
    } else if (r == 1) {
      static const char kB64[] =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";
      const size_t len = rng() % 100;
      for (size_t k = 0; k < len; ++k) s += kB64[rng() % 66];
    } else {
      s += kPieces[rng() % n];
    }
  }
  return s;
}

TEST(Base64CandidatesDifferentialTest, RandomSoup) {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 4000; ++iter) {
    const std::string text = RandomSoup(rng, rng() % 120);
    const size_t min_run = std::vector<size_t>{
        4, 5, 8, 16, 31, 32, 33, 63, 64, 65, 100}[rng() % 11];
    const size_t max = std::vector<size_t>{1, 2, 3, 5, 256}[rng() % 5];
    ExpectSame(text, min_run, max);
    if (HasFatalFailure()) return;
  }
}

TEST(Base64CandidatesDifferentialTest, RandomBytes) {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string text(rng() % 400, '\0');
    // Bias towards the interesting bytes.
    static const char kHot[] = "-/eEfF64=' \"(A\x93\x94\x95\xe2\x80";
    for (char& c : text) {
      c = (rng() % 3 == 0) ? kHot[rng() % (sizeof(kHot) - 1)]
                           : static_cast<char>(rng());
    }
    ExpectSame(text, 4 + rng() % 40, 256);
    if (HasFatalFailure()) return;
  }
}

// Runs of lengths around the thresholds and around 16/32/64, at every
// alignment, including runs that end exactly at the end of the buffer.
TEST(Base64CandidatesDifferentialTest, RunsAtEveryAlignment) {
  const std::string filler = "; $a.b(c) {x}, [y] | z ";
  for (size_t min_run : {4u, 15u, 16u, 17u, 31u, 32u, 33u, 63u, 64u, 65u}) {
    for (size_t len : {min_run - 1, min_run, min_run + 1, size_t{15},
                       size_t{16}, size_t{17}, size_t{31}, size_t{32},
                       size_t{33}, size_t{63}, size_t{64}, size_t{65},
                       size_t{127}, size_t{128}, size_t{129}}) {
      for (size_t offset = 0; offset < 140; ++offset) {
        std::string text;
        while (text.size() < offset) text += filler;
        text.resize(offset);
        text += std::string(len, 'Q');
        ExpectSame(text, min_run, 256);           // run ends the buffer
        ExpectSame(text + "==", min_run, 256);    // padding at the end
        ExpectSame(text + " " + filler + filler + filler + filler, min_run,
                   256);
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Realistic script text with payloads inserted at every offset, and every
// prefix of it (buffer ends inside switches, literals and runs).
TEST(Base64CandidatesDifferentialTest, RealisticTextAtEveryOffset) {
  const std::string code =
      "function Invoke-Thing {\n  param([string]$Name = 'default')\n"
      "  Get-ChildItem -Path C:\\Windows -Filter *.dll -ErrorAction "
      "SilentlyContinue | Where-Object { $_.Length -gt 1024 -and $_.Name -eq "
      "$Name }\n}\n";
  const std::string enc = EncodeCommand("IEX (New-Object Net.WebClient)");
  const std::vector<std::string> payloads = {
      "powershell.exe -NoP -sta -NonI -W Hidden -Enc " + enc,
      "cmd /c powershell /e " + enc,
      "powershell \xe2\x80\x93" "enc '" + enc + "'",
      "[Convert]::FromBase64String('" + enc + "')",
      "[Convert]::FromBase64String(\n\"" + enc.substr(0, 40) + "\n" +
          enc.substr(40) + "\")",
      "$k = '" + enc + "'",
      "$g = '4f1c2a9e-16a9-4141-b5d2-f8238da645c2'",
  };
  for (const std::string& payload : payloads) {
    for (size_t offset = 0; offset <= code.size(); ++offset) {
      const std::string text =
          code.substr(0, offset) + payload + code.substr(offset);
      ExpectSame(text, 32, 256);
      ExpectSame(text, 32, 1);
      if (HasFatalFailure()) return;
    }
    const std::string text = code + payload + code;
    for (size_t len = 0; len <= text.size(); ++len) {
      ExpectSame(std::string_view(text).substr(0, len), 32, 256);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(Base64CandidatesDifferentialTest, Summary) {
  std::vector<std::string> names;
  for (auto p : VectorPaths()) names.emplace_back(SimdPathName(p));
  std::string joined;
  for (auto& n : names) joined += n + " ";
  RecordProperty("vector_paths", joined);
  std::printf("vector paths compared with scalar: %s(%d texts checked)\n",
              joined.c_str(), g_checked);
}

}  // namespace
}  // namespace sbscan::decoders
