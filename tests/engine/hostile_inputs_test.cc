// Hostile inputs through the public Scanner API (and InputReader for whole files): each must
// finish in bounded time and memory, move the counter that says what happened, keep every
// record accounted for (tests/engine/accounting.h), and never crash.
// EVTX damage (cyclic and self-referencing templates, absurd template/name offsets, corrupt
// record sizes, damaged chunk headers, random mutations) is covered by evtx_damage_test.cc; the
// EVTX test here only checks that such a file, read through InputReader, is accounted for.
#include <fcntl.h>
#include <sys/stat.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "engine/src/file_input.h"
#include "sbscan/scanner.h"
#include "tests/engine/accounting.h"
#include "tests/engine/test_rules.h"

namespace sbscan {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Peak resident set of this process, bytes.
size_t PeakRss() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<size_t>(ru.ru_maxrss) * 1024;
}

std::string Gzip(std::string_view in, int level = 9) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

class HostileTest : public ::testing::Test {
 protected:
  std::unique_ptr<Scanner> Make(ScannerOptions options = {},
                                std::shared_ptr<const signatures::RuleSet> rules = nullptr) {
    return std::make_unique<Scanner>(
        rules ? rules : rules_, options,
        [this](const Alert& a) { alerts_.push_back(std::string(a.rule.id)); },
        [this](const Diagnostic& d) {
          if (diagnostics_.size() < 100) diagnostics_.push_back(std::string(d.reason));
          ++diagnostic_count_;
        });
  }
  void Json(Scanner& s, std::string_view line) {
    std::string padded(line);
    padded.append(simdjson::SIMDJSON_PADDING, ' ');
    s.AddJsonRecord(std::string_view(padded.data(), line.size()), padded.size(),
                    SourceLocation{"hostile.jsonl", 1, 0});
  }
  static Event Fragment(std::string_view id, int32_t n, int32_t total, std::string_view text) {
    Event e;
    e.event_id = 4104;
    e.provider = "Microsoft-Windows-PowerShell";
    e.computer = "WS01";
    e.time_created = "2024-03-05T14:22:07.4528110Z";
    e.script_block_id = id;
    e.message_number = n;
    e.message_total = total;
    e.script_block_text = text;
    return e;
  }
  // A temporary file, removed by TearDown.
  std::string TempFile(const std::string& name) {
    std::string path = ::testing::TempDir() + "/sbscan_hostile_" + std::to_string(getpid()) +
                       "_" + name;
    files_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& f : files_) std::remove(f.c_str());
  }

  std::shared_ptr<const signatures::RuleSet> rules_ = testing::CompileYaml(testing::kTestRules);
  std::vector<std::string> alerts_, diagnostics_, files_;
  size_t diagnostic_count_ = 0;
};

std::string FlatLine(std::string_view id, std::string_view n, std::string_view total,
                     std::string_view text_json) {
  std::string out = R"({"EventID":4104,"Computer":"WS01","ScriptBlockId":")";
  for (std::string_view part : {id, std::string_view(R"(","MessageNumber":)"), n,
                                std::string_view(R"(,"MessageTotal":)"), total,
                                std::string_view(R"(,"ScriptBlockText":")"), text_json,
                                std::string_view(R"("})")}) {
    out.append(part.data(), part.size());
  }
  return out;
}

// A single 1 GiB line (four times the default --max-line-bytes of 256 MiB), streamed through a
// FIFO by a writer thread so that nothing touches the disk: skipped without being buffered whole,
// counted malformed, and the next line still analyzed.
TEST_F(HostileTest, SingleHugeLineIsSkippedAndCounted) {
  std::string path = TempFile("huge.fifo");
  ::unlink(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
  constexpr size_t kLineMiB = 1024;
  std::thread writer([&] {
    FILE* f = std::fopen(path.c_str(), "wb");  // blocks until the reader opens the FIFO
    if (f == nullptr) return;
    std::string head = R"({"EventID":4104,"Computer":"WS01","ScriptBlockId":"big","MessageNumber":1,"MessageTotal":1,"ScriptBlockText":")";
    std::fwrite(head.data(), 1, head.size(), f);
    std::string chunk(size_t{1} << 20, 'A');
    for (size_t i = 0; i < kLineMiB; ++i) std::fwrite(chunk.data(), 1, chunk.size(), f);
    std::string tail = "\"}\n" + FlatLine("small", "1", "1", "Invoke-Mimikatz") + "\n";
    std::fwrite(tail.data(), 1, tail.size(), f);
    std::fclose(f);
  });
  auto scanner = Make();
  InputReader reader;
  size_t rss_before = PeakRss();
  auto t = Clock::now();
  const absl::Status read = reader.ReadFile(path, *scanner);
  writer.join();
  ::unlink(path.c_str());
  ASSERT_TRUE(read.ok()) << read;
  scanner->Finish();
  EXPECT_LT(SecondsSince(t), 120.0);
  // Memory is bounded by the option, not by the line: the reader buffers up to the limit before
  // it knows the line is too long (its buffer grows by doubling: about twice the limit at peak).
  EXPECT_LT(PeakRss() - rss_before, 2 * InputOptions{}.lines.max_line_bytes + (size_t{96} << 20));
  Stats s = scanner->stats();
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.malformed, 1u);
  EXPECT_EQ(s.events_4104, 1u);
  EXPECT_GT(s.bytes, uint64_t{kLineMiB} << 20);
  EXPECT_EQ(alerts_, std::vector<std::string>{"t.mimikatz"});
  ASSERT_FALSE(diagnostics_.empty());
  EXPECT_EQ(diagnostics_[0], "line longer than --max-line-bytes");
  testing::ExpectAccounted(s);
}

// --max-line-bytes on a small limit: the long line is dropped, shorter ones on both sides kept.
TEST_F(HostileTest, MaxLineBytesOnASmallLimit) {
  std::string path = TempFile("limit.jsonl");
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string body = FlatLine("a", "1", "1", std::string(60000, 'x') + " Invoke-Mimikatz") + "\n" +
                       FlatLine("b", "1", "1", std::string(3 << 20, 'y') + " Invoke-Mimikatz") +
                       "\n" + FlatLine("c", "1", "1", "Invoke-Mimikatz") + "\n";
    std::fwrite(body.data(), 1, body.size(), f);
    std::fclose(f);
  }
  auto scanner = Make();
  InputOptions options;
  options.lines.max_line_bytes = 64 << 10;
  options.lines.read_size = 16 << 10;
  InputReader reader(options);
  ASSERT_TRUE(reader.ReadFile(path, *scanner).ok());
  scanner->Finish();
  Stats s = scanner->stats();
  EXPECT_EQ(s.records, 3u);
  EXPECT_EQ(s.malformed, 1u);
  EXPECT_EQ(s.events_4104, 2u);
  EXPECT_EQ(alerts_.size(), 2u);
  testing::ExpectAccounted(s);
}

// 100,000 levels of nesting, alone and inside a 4104 event: malformed, no stack overflow.
TEST_F(HostileTest, DeeplyNestedJson) {
  auto scanner = Make();
  const int depth = 100000;
  std::string objects;
  for (int i = 0; i < depth; ++i) objects += R"({"a":)";
  objects += "1" + std::string(depth, '}');
  std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  auto t = Clock::now();
  Json(*scanner, objects);
  Json(*scanner, R"({"EventID":4104,"Computer":"WS01","ScriptBlockId":"n","MessageNumber":1,)"
                 R"("MessageTotal":1,"ScriptBlockText":"Invoke-Mimikatz","Deep":)" + arrays + "}");
  Json(*scanner, std::string(depth, '['));  // never closed
  scanner->Finish();
  EXPECT_LT(SecondsSince(t), 10.0);
  Stats s = scanner->stats();
  EXPECT_EQ(s.records, 3u);
  // simdjson On-Demand refuses what it must walk through (too deep, unclosed); a deep value in a
  // field the reader never visits does not stop the event.
  EXPECT_EQ(s.malformed + s.passed_by + s.events_4104, 3u);
  EXPECT_GE(s.malformed, 1u);
  testing::ExpectAccounted(s);
}

// Invalid UTF-8, lone surrogates (escaped and raw WTF-8), overlong forms, NUL as U+2400: each
// record is either analyzed or counted malformed; the signature after the junk still matches
// when the record is analyzed.
TEST_F(HostileTest, InvalidUtf8AndLoneSurrogates) {
  auto scanner = Make();
  const std::vector<std::string> texts = {
      "\xff\xfe\xc0\xaf Invoke-Mimikatz",          // invalid bytes, overlong '/'
      R"(\ud800 Invoke-Mimikatz)",                 // lone high surrogate (escaped)
      R"(\udc00\ud800\ud800 Invoke-Mimikatz)",     // lone low, two highs
      "\xed\xa0\x80 Invoke-Mimikatz",              // raw surrogate (CESU/WTF-8)
      "\xf4\x90\x80\x80 Invoke-Mimikatz",          // above U+10FFFF
      "\xe2\x90\x80 Invoke-Mimikatz \\u0000",      // U+2400 and an escaped NUL
  };
  int i = 0;
  for (const auto& t : texts) Json(*scanner, FlatLine("u" + std::to_string(i++), "1", "1", t));
  // The same through the XML reader: bad character references and raw invalid bytes.
  for (const char* body : {"&#xD800; Invoke-Mimikatz", "&#x110000; Invoke-Mimikatz",
                           "&#0; Invoke-Mimikatz", "\xff\xfe Invoke-Mimikatz"}) {
    std::string xml = absl::StrCat(
        R"(<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>)"
        R"(<Provider Name="Microsoft-Windows-PowerShell"/><EventID>4104</EventID>)"
        R"(<Computer>WS01</Computer></System><EventData><Data Name="MessageNumber">1</Data>)"
        R"(<Data Name="MessageTotal">1</Data><Data Name="ScriptBlockText">)", body,
        R"(</Data><Data Name="ScriptBlockId">x)", i++, R"(</Data></EventData></Event>)");
    scanner->AddXmlRecord(xml, SourceLocation{"hostile.xml", 0, 0});
  }
  // And as an Event straight from a forwarder (the C++ API does not validate text).
  std::string raw = "\x80\x80\xff" + std::string(1, '\0') + " Invoke-Mimikatz \xf0\x9f";
  scanner->AddEvent(Fragment("raw", 1, 1, raw));
  scanner->Finish();
  Stats s = scanner->stats();
  EXPECT_EQ(s.records, 11u);
  EXPECT_EQ(s.events_4104 + s.malformed, 11u);
  EXPECT_EQ(s.analysis.alerts, s.events_4104);  // every analyzed record still matched
  EXPECT_GE(s.events_4104, 1u);
  testing::ExpectAccounted(s);
}

// A surrogate pair cut between two fragments (PowerShell cuts on UTF-16 units): the block is
// complete, and the signature around the cut still matches.
TEST_F(HostileTest, SurrogatePairSplitAcrossFragments) {
  auto scanner = Make();
  Json(*scanner, FlatLine("sp", "1", "2", R"(Write-Host 'Invoke-Mimi\ud83d)"));
  Json(*scanner, FlatLine("sp", "2", "2", R"(\ude00katz'; Invoke-Mimikatz)"));
  // Raw bytes: the 4-byte UTF-8 form of U+1F600 cut after 2 bytes.
  scanner->AddEvent(Fragment("sp-raw", 1, 2, "Invoke-Mimikatz \xf0\x9f"));
  scanner->AddEvent(Fragment("sp-raw", 2, 2, "\x98\x80 done"));
  scanner->Finish();
  Stats s = scanner->stats();
  EXPECT_EQ(s.records, 4u);
  EXPECT_EQ(s.reassembly.blocks_complete + s.reassembly.blocks_partial + s.malformed / 2, 2u);
  EXPECT_EQ(s.reassembly.blocks_partial, 0u);
  EXPECT_EQ(alerts_.size(), s.reassembly.blocks_complete);
  testing::ExpectAccounted(s);
}

// MessageTotal 0, 10^9, negative; MessageNumber 0, negative, above MessageTotal; numbers out
// of int32 range: each rejected and counted as a bad number, none opens a block.
TEST_F(HostileTest, AbsurdMessageNumbers) {
  auto scanner = Make();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1", "0"},          {"1", "1000000000"}, {"1", "-1"},         {"-3", "2"},
      {"5", "3"},          {"0", "3"},          {"-1", "3"},         {"2147483648", "1"},
      {"1", "99999999999999999999"},            {"1", "\"two\""},
      {"100001", "100001"}};
  int i = 0;
  for (const auto& [n, total] : cases) {
    Json(*scanner, FlatLine("m" + std::to_string(i++), n, total, "Invoke-Mimikatz"));
  }
  EXPECT_EQ(scanner->open_blocks(), 0u);
  scanner->Finish();
  Stats s = scanner->stats();
  EXPECT_EQ(s.records, cases.size());
  // Numbers that are not numbers may be refused by the JSON reader instead.
  EXPECT_EQ(s.reassembly.rejected_bad_number + s.malformed, cases.size());
  EXPECT_GE(s.reassembly.rejected_bad_number, 8u);
  EXPECT_EQ(s.reassembly.blocks_complete + s.reassembly.blocks_partial, 0u);
  EXPECT_TRUE(alerts_.empty());
  testing::ExpectAccounted(s);
}

// 10^6 distinct block ids, each one fragment of two: open blocks and their bytes stay under the
// limits, the oldest are evicted as partial (counted), and every one is analyzed once.
TEST_F(HostileTest, MillionOpenBlockIds) {
  ScannerOptions options;
  options.reassembly.max_open_blocks = 10000;
  options.reassembly.max_open_bytes = size_t{4} << 20;
  auto scanner = Make(options);
  const int n = 1000000;
  char id[32];
  auto t = Clock::now();
  size_t max_open = 0;
  for (int i = 0; i < n; ++i) {
    std::snprintf(id, sizeof(id), "id-%08d", i);
    scanner->AddEvent(Fragment(id, 1, 2, "Get-Date"));
    if (i % 4096 == 0) max_open = std::max(max_open, scanner->open_blocks());
  }
  EXPECT_LE(max_open, options.reassembly.max_open_blocks);
  scanner->Finish();
  EXPECT_LT(SecondsSince(t), 120.0);
  Stats s = scanner->stats();
  const ReassemblyStats& r = s.reassembly;
  EXPECT_LE(r.open_blocks_peak, options.reassembly.max_open_blocks + 1);
  EXPECT_LE(r.open_bytes_peak, options.reassembly.max_open_bytes + 4096);
  EXPECT_EQ(r.blocks_partial, static_cast<uint64_t>(n));
  EXPECT_GE(r.partial_memory, static_cast<uint64_t>(n) - options.reassembly.max_open_blocks);
  EXPECT_EQ(r.partial_memory + r.partial_end_of_input, static_cast<uint64_t>(n));
  EXPECT_EQ(s.analysis.blocks, static_cast<uint64_t>(n));
  testing::ExpectAccounted(s);
}

// A gzip bomb (1 GiB of zeros, ~1 MiB compressed) inside Base64 in a script: decoding stops at
// the per-block decode byte limit, counted, in bounded time and memory.
TEST_F(HostileTest, DeflateBombInsideBase64StopsAtTheDecodeLimit) {
  std::string bomb;
  {
    z_stream z{};
    ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    std::string zeros(size_t{1} << 20, '\0');
    std::string buf(size_t{1} << 16, '\0');
    for (int i = 0; i < 1024; ++i) {
      z.next_in = reinterpret_cast<Bytef*>(zeros.data());
      z.avail_in = static_cast<uInt>(zeros.size());
      int flush = i == 1023 ? Z_FINISH : Z_NO_FLUSH;
      do {
        z.next_out = reinterpret_cast<Bytef*>(buf.data());
        z.avail_out = static_cast<uInt>(buf.size());
        deflate(&z, flush);
        bomb.append(buf.data(), buf.size() - z.avail_out);
      } while (z.avail_out == 0);
    }
    deflateEnd(&z);
  }
  ASSERT_LT(bomb.size(), size_t{2} << 20);  // ~1 MiB in, 1 GiB out
  std::string script = "$d = [IO.Compression.GzipStream]::new([IO.MemoryStream]::new("
                       "[Convert]::FromBase64String('" + absl::Base64Escape(bomb) +
                       "')), [IO.Compression.CompressionMode]::Decompress)";
  ScannerOptions options;
  auto scanner = Make(options);
  size_t rss_before = PeakRss();
  auto t = Clock::now();
  scanner->AddEvent(Fragment("bomb", 1, 1, script));
  scanner->Finish();
  EXPECT_LT(SecondsSince(t), 60.0);
  EXPECT_LT(PeakRss() - rss_before, size_t{512} << 20);
  Stats s = scanner->stats();
  EXPECT_GE(s.analysis.decode_bytes_limit, 1u);
  EXPECT_LE(s.analysis.decoded_bytes, options.analysis.decode.max_decoded_bytes * 2);
  testing::ExpectAccounted(s);
}

// Base64(gzip(...)) nested 100 deep (gzip keeps each layer about the size of the one inside):
// decoding stops at --max-decode-depth, counted; a shallow nesting still decodes to the end.
TEST_F(HostileTest, Base64Nested100Deep) {
  auto nest = [](int levels) {
    std::string text = "Invoke-Mimikatz -DumpCreds";
    for (int i = 0; i < levels; ++i) {
      text = "$s=[IO.Compression.GzipStream]::new([IO.MemoryStream]::new([Convert]::"
             "FromBase64String('" + absl::Base64Escape(Gzip(text)) + "')),0); IEX $s";
    }
    return text;
  };
  std::string deep = nest(100);
  EXPECT_LT(deep.size(), size_t{64} << 10);
  {
    auto scanner = Make();
    auto t = Clock::now();
    scanner->AddEvent(Fragment("deep", 1, 1, deep));
    scanner->Finish();
    EXPECT_LT(SecondsSince(t), 30.0);
    Stats s = scanner->stats();
    const AnalysisStats& a = s.analysis;
    EXPECT_GE(a.decode_depth_limit + a.decode_bytes_limit + a.decode_candidate_limit, 1u)
        << "layers " << a.layers_decoded << " depth " << a.decode_depth_limit << " bytes "
        << a.decode_bytes_limit << " candidates " << a.decode_candidate_limit;
    EXPECT_LE(a.layers_decoded, 2u * 8);  // base64 + gzip per level, 8 levels at most
    EXPECT_EQ(std::count(alerts_.begin(), alerts_.end(), "t.mimikatz"), 0);
    testing::ExpectAccounted(s);
  }
  alerts_.clear();
  {
    auto scanner = Make();
    scanner->AddEvent(Fragment("shallow", 1, 1, nest(3)));
    scanner->Finish();
    Stats s = scanner->stats();
    EXPECT_EQ(s.analysis.decode_depth_limit, 0u);
    EXPECT_EQ(std::count(alerts_.begin(), alerts_.end(), "t.mimikatz"), 1);
  }
}

// Texts built to make regexes and decoders work hard, against the bundled rule set: long runs of
// one character, many near-matches of literals and of the decoders' triggers.
TEST_F(HostileTest, PathologicalTextsForTheRegexes) {
  auto bundled = LoadRuleSet(RuleSources{});
  ASSERT_TRUE(bundled.ok()) << bundled.status();
  auto scanner = Make({}, *bundled);
  auto repeat = [](std::string_view unit, size_t bytes) {
    std::string s;
    s.reserve(bytes + unit.size());
    while (s.size() < bytes) s.append(unit);
    return s;
  };
  const size_t kSize = size_t{2} << 20;
  const std::vector<std::string> texts = {
      std::string(kSize, 'a'),          std::string(kSize, ' '),
      std::string(kSize, '\\'),         std::string(kSize, '$'),
      std::string(kSize, '`'),          std::string(kSize, '('),
      repeat("Invoke-", kSize),         repeat("Invoke-Mimikat", kSize),
      repeat("-bxor ", kSize),          repeat("[char]", kSize),
      repeat("[char]7+", kSize),        repeat("0x4", kSize),
      repeat("0x41,", kSize),           repeat("'+'", kSize),
      repeat("\"{0}\" -f ", kSize),     repeat("FromBase64String(", kSize),
      repeat("-enc ", kSize),           repeat("http://", kSize),
      repeat("-----BEGIN CMS-----", kSize), repeat("76492d1116743f0423413b16050a5345", kSize),
      repeat("AAAA=", kSize),           repeat("Net.WebClient).Download", kSize),
  };
  for (size_t i = 0; i < texts.size(); ++i) {
    auto t = Clock::now();
    scanner->AddEvent(Fragment("p" + std::to_string(i), 1, 1, texts[i]));
    EXPECT_LT(SecondsSince(t), 30.0) << "text " << i;
  }
  scanner->Finish();
  Stats s = scanner->stats();
  EXPECT_EQ(s.analysis.blocks, texts.size());
  EXPECT_GE(s.analysis.text_bytes, texts.size() * kSize);
  testing::ExpectAccounted(s);
}

// An EVTX file whose header and chunk claim absurd sizes and offsets (a cyclic template
// reference among them), read through InputReader: no events, errors counted as malformed.
// The reader's own damage tests are in evtx_damage_test.cc.
TEST_F(HostileTest, EvtxWithAbsurdSizesIsAccounted) {
  std::string file(4096 + 65536, '\0');
  std::memcpy(file.data(), "ElfFile\0", 8);
  auto put32 = [&](size_t at, uint32_t v) { std::memcpy(file.data() + at, &v, 4); };
  auto put64 = [&](size_t at, uint64_t v) { std::memcpy(file.data() + at, &v, 8); };
  put64(8, 0);             // first chunk
  put64(16, ~0ull);        // last chunk: absurd
  put64(24, ~0ull);        // next record id
  put32(32, 128);          // header size
  file[36] = 1; file[38] = 3;  // version 3.1
  put32(40, 4096);         // header block size
  file[42] = '\xff'; file[43] = '\xff';  // chunk count 65535
  size_t c = 4096;
  std::memcpy(file.data() + c, "ElfChnk\0", 8);
  put64(c + 8, 1); put64(c + 16, ~0ull); put64(c + 24, 1); put64(c + 32, ~0ull);
  put32(c + 40, 128);
  put32(c + 44, 0xfffffff0);  // last record offset
  put32(c + 48, 0xfffffff0);  // free space offset
  // Records: a record header claiming 4 GiB, then one whose template points at itself.
  size_t r = c + 512;
  std::memcpy(file.data() + r, "\x2a\x2a\x00\x00", 4);
  put32(r + 4, 0xffffff00);
  size_t r2 = r + 64;
  std::memcpy(file.data() + r2, "\x2a\x2a\x00\x00", 4);
  put32(r2 + 4, 128);
  put64(r2 + 8, 2);
  // BinXML: fragment header, template instance (0x0c) whose definition offset is the record.
  size_t b = r2 + 24;
  const unsigned char binxml[] = {0x0f, 0x01, 0x01, 0x00, 0x0c, 0x01, 0, 0, 0, 0};
  std::memcpy(file.data() + b, binxml, sizeof(binxml));
  put32(b + 6, static_cast<uint32_t>(b - c));  // definition at the instance itself
  put32(r2 + 128 - 4, 128);
  std::string path = TempFile("absurd.evtx");
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(file.data(), 1, file.size(), f);
    std::fclose(f);
  }
  auto scanner = Make();
  InputReader reader;
  auto t = Clock::now();
  ASSERT_TRUE(reader.ReadFile(path, *scanner).ok());
  scanner->Finish();
  EXPECT_LT(SecondsSince(t), 10.0);
  EXPECT_EQ(reader.last_format(), InputFormat::kEvtx);
  Stats s = scanner->stats();
  EXPECT_GE(s.malformed, 1u);
  EXPECT_EQ(s.events_4104, 0u);
  testing::ExpectAccounted(s);
}

}  // namespace
}  // namespace sbscan
