#include "decoders/base64_candidates.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

using ::sbscan::decoders::testing::EncodeCommand;
using ::sbscan::decoders::testing::Wrap;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr CandidateKind kEnc = CandidateKind::kEncodedCommand;
constexpr CandidateKind kFrom = CandidateKind::kFromBase64String;
constexpr CandidateKind kRun = CandidateKind::kBase64Run;

// Runs both implementations, checks they agree, returns the result.
std::vector<Candidate> Find(std::string_view text, size_t min_run = 32,
                            size_t max = 256) {
  std::vector<Candidate> fast, scalar;
  FindBase64Candidates(text, min_run, max, &fast);
  FindBase64CandidatesScalar(text, min_run, max, &scalar);
  EXPECT_EQ(fast, scalar) << text;
  return fast;
}

std::string Payload(std::string_view text, const Candidate& c) {
  return std::string(text.substr(c.begin, c.end - c.begin));
}

const std::string kCmd = EncodeCommand("Write-Host hello");

TEST(Base64CandidatesTest, Names) {
  EXPECT_EQ(CandidateKindName(kEnc), "encoded_command");
  EXPECT_EQ(CandidateKindName(kFrom), "from_base64_string");
  EXPECT_EQ(CandidateKindName(kRun), "base64_run");
}

TEST(Base64CandidatesTest, EncodedCommandEveryAbbreviation) {
  const std::string full = "encodedcommand";
  std::vector<std::string> names = {"ec", "EC", "Ec", "EncodedCommand",
                                    "ENCODEDCOMMAND", "eNc"};
  for (size_t len = 1; len <= full.size(); ++len) {
    names.push_back(full.substr(0, len));
  }
  for (const std::string& name : names) {
    for (std::string dash : {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94",
                             "\xe2\x80\x95"}) {
      const std::string text =
          "powershell.exe -NoP -W Hidden " + dash + name + " " + kCmd;
      const auto c = Find(text);
      ASSERT_EQ(c.size(), 1u) << text;
      EXPECT_EQ(c[0].kind, kEnc) << text;
      EXPECT_EQ(Payload(text, c[0]), kCmd) << text;
      EXPECT_EQ(c[0].end, text.size());
    }
  }
}

TEST(Base64CandidatesTest, EncodedCommandShortPayloadAndSeparators) {
  // Short payloads are reported too: the context is strong evidence.
  std::string text = "powershell -e SQBFAFgA";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{14, 22, kEnc}));
  text = "powershell -enc 'SQBFAFgA' -nop";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{17, 25, kEnc}));
  text = "powershell -enc \"SQBFAFgA==\"";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{17, 27, kEnc}));
  text = "Start-Process powershell -ArgumentList '-ec','SQBFAFgA'";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{46, 54, kEnc}));
  text = "powershell -EncodedCommand:SQBFAFgA";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{27, 35, kEnc}));
  text = "powershell\t-e\r\n\tSQBFAFgA";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{16, 24, kEnc}));
  text = "-e SQBFAFgA";  // at the very start
  EXPECT_THAT(Find(text), ElementsAre(Candidate{3, 11, kEnc}));
}

TEST(Base64CandidatesTest, NotEncodedCommand) {
  for (const char* text : {
           "Get-Item x -ErrorAction Stop",       // not a prefix
           "if ($a -eq $b) { $c -ne 'x' }",      // operators
           "Write-Error 'oops'",                 // preceded by a letter
           "$x-enc SQBFAFgA",                     // preceded by a letter
           "a_-enc SQBFAFgA",                     // preceded by '_'
           "powershell -ea SQBFAFgA",            // -EncodedArguments
           "powershell -encodedcommandx SQBF",   // longer than the name
           "powershell -e2 SQBFAFgA",            // no separator
           "powershell -enc $payload",           // not a literal
           "powershell -enc",                    // nothing after
           "powershell -enc ''",                 // empty
       }) {
    EXPECT_THAT(Find(text), IsEmpty()) << text;
  }
}

TEST(Base64CandidatesTest, FromBase64String) {
  const std::string b64 =
      "V3JpdGUtT3V0cHV0ICJoZWxsbyBmcm9tIGEgZGVjb2RlZCBibG9jayI=";
  std::string text =
      "[System.Text.Encoding]::UTF8.GetString([System.Convert]::"
      "FromBase64String('" + b64 + "'))";
  auto c = Find(text);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, kFrom);
  EXPECT_EQ(Payload(text, c[0]), b64);

  // Short, double quotes, odd case, spaces, here-string, smart quotes.
  for (const std::string& call : {
           std::string("[convert]::frombase64string(\"SQBFAFgA\")"),
           std::string("[Convert]::FROMBASE64STRING ( 'SQBFAFgA' )"),
           std::string("[Convert]::FromBase64String(\n  'SQBFAFgA'\n)"),
           std::string("[Convert]::FromBase64String(@'\nSQBFAFgA\n'@)"),
           std::string("[Convert]::FromBase64String(\xe2\x80\x98SQBFAFgA"
                       "\xe2\x80\x99)"),
           std::string("[Convert]::FromBase64String(\xe2\x80\x9cSQBFAFgA"
                       "\xe2\x80\x9d)"),
           std::string("[Convert]::FromBase64String('SQBFAFgA'+'AAAA')"),
       }) {
    c = Find(call);
    ASSERT_GE(c.size(), 1u) << call;
    EXPECT_EQ(c[0].kind, kFrom) << call;
    EXPECT_EQ(Payload(call, c[0]), "SQBFAFgA") << call;
  }
  EXPECT_THAT(Find("[Convert]::FromBase64String($b64)"), IsEmpty());
  EXPECT_THAT(Find("[Convert]::FromBase64String"), IsEmpty());
  EXPECT_THAT(Find("[Convert]::FromBase64String('')"), IsEmpty());
}

TEST(Base64CandidatesTest, FromBase64StringSpanningLines) {
  std::string data;
  for (int i = 0; i < 400; ++i) data += static_cast<char>('A' + i % 50);
  const std::string b64 = Wrap(EncodeCommand(data), 76);
  const std::string text =
      "$d = [Convert]::FromBase64String(\"\r\n" + b64 + "\r\n\")\r\n";
  const auto c = Find(text);
  ASSERT_EQ(c.size(), 1u);  // the lines are not reported again as runs
  EXPECT_EQ(c[0].kind, kFrom);
  EXPECT_EQ(Payload(text, c[0]), b64);
}

// A payload wrapped over lines outside FromBase64String (a here-string, a
// multi-line literal assigned to a variable) is one candidate: its lines are
// joined when they have one width (a multiple of 4) and the last one is
// complete.
TEST(Base64CandidatesTest, WrappedLinesAreOneRun) {
  std::string data;
  for (int i = 0; i < 400; ++i) data += static_cast<char>('A' + i % 50);
  const std::string b64 = EncodeCommand(data);  // 1068 characters, padded
  for (size_t width : {64, 76}) {
    for (const char* nl : {"\n", "\r\n"}) {
      const std::string wrapped = Wrap(b64, width, nl);
      for (const std::string& text :
           {"$b = @\"" + std::string(nl) + wrapped + nl + "\"@" + nl + "$x = 1",
            "$b = '" + wrapped + "'", wrapped}) {
        const auto c = Find(text);
        ASSERT_EQ(c.size(), 1u) << text;
        EXPECT_EQ(c[0].kind, kRun);
        EXPECT_EQ(Payload(text, c[0]), wrapped);
      }
    }
  }
  // Lines of another width, a padded first line, or a line that is not
  // only Base64 end the join.
  const std::string line(64, 'Q');
  EXPECT_THAT(Find(line + "\n" + std::string(68, 'R') + "\n"),
              ElementsAre(Candidate{0, 64, kRun}, Candidate{65, 133, kRun}));
  EXPECT_THAT(Find(std::string(62, 'Q') + "==\n" + line),
              ElementsAre(Candidate{0, 64, kRun}, Candidate{65, 129, kRun}));
  EXPECT_THAT(Find(line + "\n" + line + " | Out-Null\n" + line),
              ElementsAre(Candidate{0, 64, kRun}, Candidate{65, 129, kRun},
                          Candidate{141, 205, kRun}));
  // An incomplete last line (not padded, not a multiple of 4) is left out.
  EXPECT_THAT(Find(line + "\n" + line + "\nQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"),
              ElementsAre(Candidate{0, 129, kRun}, Candidate{130, 165, kRun}));
}

TEST(Base64CandidatesTest, Runs) {
  const std::string run(40, 'A');
  std::string text = "$a = '" + run + "'; $b = 'short'";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{6, 46, kRun}));
  EXPECT_THAT(Find(text, 41), IsEmpty());
  EXPECT_THAT(Find(text, 40), ElementsAre(Candidate{6, 46, kRun}));
  // Padding is included, at most two '='.
  text = run + "===";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{0, 42, kRun}));
  // URL-safe characters belong to runs.
  text = "x " + std::string(20, 'a') + "-_" + std::string(20, 'b') + " y";
  EXPECT_THAT(Find(text), ElementsAre(Candidate{2, 44, kRun}));
  // A run at the very end.
  text = "x=" + run;
  EXPECT_THAT(Find(text), ElementsAre(Candidate{2, 42, kRun}));
  // min_run below the floor is raised to it.
  EXPECT_THAT(Find("ab abc abcd", 0), ElementsAre(Candidate{7, 11, kRun}));
}

TEST(Base64CandidatesTest, RegionsAreNeverReportedTwice) {
  const std::string text = "powershell -enc " + kCmd + " ; $x = '" +
                           std::string(40, 'Q') + "'";
  const auto c = Find(text);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].kind, kEnc);
  EXPECT_EQ(Payload(text, c[0]), kCmd);
  EXPECT_EQ(c[1].kind, kRun);
  // An -e inside a FromBase64String literal (after whitespace) is part of
  // the literal, not a new match.
  const std::string lit =
      "[Convert]::FromBase64String('AAAA /e AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      "AAAA')";
  const auto d = Find(lit);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, kFrom);
}

TEST(Base64CandidatesTest, MaxCandidatesKeepsTheFirstInTextOrder) {
  std::string text;
  for (int i = 0; i < 10; ++i) {
    text += "powershell -e " + kCmd + "\n$v = '" + std::string(33, 'Z') +
            "'\n";
  }
  const auto all = Find(text, 32, 1000);
  ASSERT_EQ(all.size(), 20u);
  for (size_t max : {0u, 1u, 2u, 3u, 7u, 19u, 20u, 21u}) {
    const auto some = Find(text, 32, max);
    ASSERT_EQ(some.size(), std::min<size_t>(max, 20));
    for (size_t i = 0; i < some.size(); ++i) EXPECT_EQ(some[i], all[i]);
  }
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    EXPECT_LE(all[i].end, all[i + 1].begin);
  }
}

TEST(Base64CandidatesTest, AppendsAndKeepsExisting) {
  std::vector<Candidate> out = {{1, 2, kRun}};
  FindBase64Candidates("powershell -e " + kCmd, 32, 10, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (Candidate{1, 2, kRun}));
  EXPECT_EQ(out[1].kind, kEnc);
}

TEST(Base64CandidatesTest, BenignCodeHasNoCandidates) {
  const std::string code =
      "function Get-Thing {\n  param([string]$Name = 'default')\n"
      "  Get-ChildItem -Path C:\\Windows\\System32 -Filter *.dll -ErrorAction "
      "SilentlyContinue | Where-Object { $_.Length -gt 1024 -and $_.Name -eq "
      "$Name } | Select-Object -ExpandProperty FullName\n}\n";
  EXPECT_THAT(Find(code), IsEmpty());
}

TEST(Base64CandidatesTest, ScanPaths) {
  EXPECT_TRUE(SimdPathSupported(SimdPath::kScalar));
  EXPECT_TRUE(SimdPathSupported(ActiveSimdPath()));
  for (SimdPath path : kSimdPaths) {
    // Every path up to the active one runs; none above it.
    EXPECT_EQ(SimdPathSupported(path), path <= ActiveSimdPath()) << SimdPathName(path);
    std::vector<Candidate> out;
    FindBase64CandidatesWith(path, "-e " + kCmd, 32, 4, &out);
    EXPECT_EQ(out.size(), 1u) << SimdPathName(path);
  }
}

}  // namespace
}  // namespace sbscan::decoders
