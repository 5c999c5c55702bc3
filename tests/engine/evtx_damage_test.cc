// Damaged EVTX files: truncation, flipped bytes, a zeroed template definition, a corrupt record
// size, absurd template and name offsets, a damaged chunk header, self-referencing templates,
// random mutations, and the corpus's robustness samples. The reader must not crash or hang,
// must read every undamaged record exactly as in the clean read, and must report the damage
// with file offsets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/src/evtx/byte_order.h"
#include "engine/src/evtx/crc32.h"
#include "engine/src/evtx/evtx_reader.h"

namespace sbscan::evtx {
namespace {

namespace fs = std::filesystem;

const fs::path kSamples = fs::path(SBSCAN_SHARED_DIR) / "corpus" / "evtx";
const fs::path kMany = kSamples / "DeepBlueCLI/evtx/Powershell-Invoke-Obfuscation-many.evtx";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Serialize(const Event& e) {
  std::string s;
  auto add = [&s](std::string_view v) {
    s.append(v);
    s.push_back('\x1f');
  };
  add(std::to_string(e.event_id));
  add(e.provider);
  add(e.channel);
  add(e.computer);
  add(e.time_created);
  add(std::to_string(e.level));
  add(std::to_string(e.record_id));
  add(e.user_id);
  add(std::to_string(e.process_id));
  add(e.script_block_id);
  add(std::to_string(e.message_number));
  add(std::to_string(e.message_total));
  add(e.script_block_text);
  add(e.path);
  add(e.context_info);
  add(e.payload);
  add(e.user_data);
  return s;
}

struct Result {
  std::map<uint64_t, std::string> events;  // record offset -> serialized event
  std::vector<std::pair<uint64_t, std::string>> errors;
  ReaderStats stats;
  bool ErrorAt(uint64_t lo, uint64_t hi) const {
    for (const auto& [offset, reason] : errors) {
      if (offset >= lo && offset < hi) return true;
    }
    return false;
  }
};

Result Read(const std::string& bytes) {
  static EvtxReader* reader = new EvtxReader();  // reused across files on purpose
  Result r;
  r.stats = reader->Read(
      bytes, "test.evtx", [&](const Event& e) { r.events[e.source.offset] = Serialize(e); },
      [&](uint64_t offset, std::string_view reason) {
        r.errors.emplace_back(offset, std::string(reason));
      },
      /*want_all=*/true);
  return r;
}

uint32_t RecordSize(const std::string& bytes, uint64_t offset) {
  return LoadLe32(reinterpret_cast<const uint8_t*>(bytes.data()) + offset + 4);
}

uint64_t ChunkOf(uint64_t offset) { return (offset - 4096) / 65536; }

class EvtxDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clean_bytes_ = ReadAll(kMany);
    ASSERT_GT(clean_bytes_.size(), 4096u + 3 * 65536u);
    clean_ = Read(clean_bytes_);
    ASSERT_EQ(clean_.events.size(), 302u);
    ASSERT_TRUE(clean_.errors.empty());
  }

  // Every clean record for which keep(offset) holds is read identically from `damaged`.
  template <typename Keep>
  void ExpectUndamagedRecordsRead(const Result& damaged, Keep keep) {
    size_t checked = 0;
    for (const auto& [offset, event] : clean_.events) {
      if (!keep(offset)) continue;
      auto it = damaged.events.find(offset);
      ASSERT_NE(it, damaged.events.end()) << "record at " << offset << " lost";
      EXPECT_EQ(it->second, event) << "record at " << offset << " differs";
      ++checked;
    }
    EXPECT_GT(checked, 0u);
  }

  // A record of chunk `chunk` (its index among the clean records of that chunk).
  uint64_t RecordInChunk(uint64_t chunk, size_t index) const {
    std::vector<uint64_t> in_chunk;
    for (const auto& [offset, event] : clean_.events) {
      if (ChunkOf(offset) == chunk) in_chunk.push_back(offset);
    }
    return in_chunk.at(std::min(index, in_chunk.size() - 1));
  }

  std::string clean_bytes_;
  Result clean_;
};

TEST_F(EvtxDamageTest, Truncation) {
  const size_t size = clean_bytes_.size();
  for (size_t cut : {size_t{0}, size_t{7}, size_t{100}, size_t{4096}, size_t{4096 + 300},
                     size_t{4096 + 65536 + 20000}, size_t{4096 + 2 * 65536 + 511},
                     size_t{4096 + 2 * 65536 + 40001}, size - 65536 / 2, size - 1}) {
    SCOPED_TRACE(cut);
    const std::string bytes = clean_bytes_.substr(0, cut);
    const Result r = Read(bytes);
    for (const auto& [offset, event] : clean_.events) {
      const bool whole = offset + RecordSize(clean_bytes_, offset) <= cut;
      auto it = r.events.find(offset);
      if (whole) {
        ASSERT_NE(it, r.events.end()) << "record at " << offset << " lost";
        EXPECT_EQ(it->second, event);
      }
    }
    for (const auto& [offset, event] : r.events) EXPECT_TRUE(clean_.events.count(offset));
    const size_t block = cut > 4096 ? 4096 + (cut - 4096) / 65536 * 65536 : 0;
    if (cut > 4096 && cut > block && clean_bytes_.compare(block, 8, "ElfChnk\0", 8) == 0) {
      EXPECT_FALSE(r.errors.empty()) << "truncation not reported";
    }
  }
}

TEST_F(EvtxDamageTest, FlippedBytesInRecordData) {
  const uint64_t victim = RecordInChunk(2, 3);
  const uint32_t size = RecordSize(clean_bytes_, victim);
  std::string bytes = clean_bytes_;
  // Flip bytes near the end of the record: its substitution values, not shared structure.
  for (uint32_t i = size - 40; i < size - 8; i += 3) bytes[victim + i] ^= 0x5A;
  const Result r = Read(bytes);
  ExpectUndamagedRecordsRead(r, [&](uint64_t offset) { return offset != victim; });
  const uint64_t chunk_start = 4096 + 2 * 65536;
  EXPECT_TRUE(r.ErrorAt(chunk_start, chunk_start + 1)) << "data CRC mismatch not reported";
}

TEST_F(EvtxDamageTest, ZeroedTemplateDefinition) {
  // The first record of chunk 1 carries the template definition inline: zero its body.
  const uint64_t first = RecordInChunk(1, 0);
  const auto* p = reinterpret_cast<const uint8_t*>(clean_bytes_.data()) + first + 24;
  ASSERT_EQ(p[4], 0x0C);  // fragment header, then template instance
  const uint32_t def = LoadLe32(p + 10);
  const uint64_t def_file = 4096 + 65536 + def;
  const uint32_t def_size = LoadLe32(reinterpret_cast<const uint8_t*>(clean_bytes_.data()) +
                                     def_file + 20);
  std::string bytes = clean_bytes_;
  std::memset(bytes.data() + def_file, 0, 24 + def_size);
  const Result r = Read(bytes);
  ExpectUndamagedRecordsRead(r, [&](uint64_t offset) { return ChunkOf(offset) != 1; });
  // Records of chunk 1 that used the template are reported, not emitted with garbage.
  EXPECT_TRUE(r.ErrorAt(4096 + 65536, 4096 + 2 * 65536));
  for (const auto& [offset, event] : r.events) {
    if (ChunkOf(offset) == 1) EXPECT_EQ(event, clean_.events.at(offset));
  }
}

TEST_F(EvtxDamageTest, CorruptRecordSize) {
  const uint64_t victim = RecordInChunk(1, 2);
  for (uint32_t bad_size : {0u, 7u, 0xFFFFFFF0u, 65536u, 1000u}) {
    SCOPED_TRACE(bad_size);
    std::string bytes = clean_bytes_;
    std::memcpy(bytes.data() + victim + 4, &bad_size, 4);
    const Result r = Read(bytes);
    ExpectUndamagedRecordsRead(r, [&](uint64_t offset) { return offset != victim; });
    EXPECT_TRUE(r.ErrorAt(victim, victim + 1)) << "bad size not reported at its offset";
    EXPECT_FALSE(r.events.count(victim));
  }
}

TEST_F(EvtxDamageTest, AbsurdTemplateAndNameOffsets) {
  const uint64_t victim = RecordInChunk(2, 5);
  const uint64_t binxml = victim + 24;
  const auto* p = reinterpret_cast<const uint8_t*>(clean_bytes_.data()) + binxml;
  ASSERT_EQ(p[4], 0x0C);
  for (uint32_t bad : {0u, 100u, 0xFFFFFFFFu, 65535u, 65536u - 10}) {
    SCOPED_TRACE(bad);
    std::string bytes = clean_bytes_;
    std::memcpy(bytes.data() + binxml + 10, &bad, 4);  // template definition offset
    const Result r = Read(bytes);
    ExpectUndamagedRecordsRead(r, [&](uint64_t offset) { return offset != victim; });
    EXPECT_TRUE(r.ErrorAt(victim, victim + 1));
  }
  // Name offsets inside the first template definition of chunk 2 (element names).
  const uint64_t first = RecordInChunk(2, 0);
  const auto* f = reinterpret_cast<const uint8_t*>(clean_bytes_.data()) + first + 24;
  const uint32_t def = LoadLe32(f + 10);
  const uint64_t body = 4096 + 2 * 65536 + def + 24;
  // Body: fragment header (4), then <Event ...>: token, dependency id (2), size (4), name (4).
  ASSERT_EQ(static_cast<uint8_t>(clean_bytes_[body + 4]) & 0xBF, 0x01);
  for (uint32_t bad : {0u, 0xFFFFFFFFu, 65530u}) {
    std::string bytes = clean_bytes_;
    std::memcpy(bytes.data() + body + 4 + 7, &bad, 4);
    const Result r = Read(bytes);
    ExpectUndamagedRecordsRead(r, [&](uint64_t offset) { return ChunkOf(offset) != 2; });
    EXPECT_TRUE(r.ErrorAt(4096 + 2 * 65536, 4096 + 3 * 65536));
  }
}

TEST_F(EvtxDamageTest, DamagedChunkHeader) {
  std::string bytes = clean_bytes_;
  const uint64_t chunk = 4096 + 65536;
  bytes[chunk + 48] = 0x7F;  // free-space offset -> far beyond the chunk
  bytes[chunk + 49] = 0x7F;
  bytes[chunk + 50] = 0x01;
  Result r = Read(bytes);
  ExpectUndamagedRecordsRead(r, [&](uint64_t offset) { return ChunkOf(offset) != 1; });
  EXPECT_TRUE(r.ErrorAt(chunk, chunk + 1));
  EXPECT_EQ(r.stats.bad_chunks, 1u);

  bytes = clean_bytes_;
  std::memset(bytes.data() + chunk, 0xEE, 8);  // signature gone
  r = Read(bytes);
  ExpectUndamagedRecordsRead(r, [&](uint64_t offset) { return ChunkOf(offset) != 1; });
  EXPECT_TRUE(r.ErrorAt(chunk, chunk + 1));

  bytes = clean_bytes_;
  bytes[chunk + 20] ^= 1;  // a record number: CRC mismatch only, records still read
  r = Read(bytes);
  ExpectUndamagedRecordsRead(r, [](uint64_t) { return true; });
  EXPECT_TRUE(r.ErrorAt(chunk, chunk + 1));

  bytes = clean_bytes_;
  bytes[10] ^= 1;  // file header CRC
  r = Read(bytes);
  ExpectUndamagedRecordsRead(r, [](uint64_t) { return true; });
  EXPECT_TRUE(r.ErrorAt(0, 1));
}

// A hand-made file: one chunk, one record whose template body instantiates itself.
std::string SelfReferencingTemplateFile(bool via_binxml_value) {
  std::string file(4096 + 65536, '\0');
  auto* f = reinterpret_cast<uint8_t*>(file.data());
  std::memcpy(f, "ElfFile", 8);
  uint32_t v32 = 128;
  std::memcpy(f + 32, &v32, 4);
  const uint32_t crc = Crc32(0, f, 120);
  std::memcpy(f + 124, &crc, 4);
  uint8_t* c = f + 4096;
  std::memcpy(c, "ElfChnk", 8);
  const uint64_t one = 1;
  for (int off : {8, 16, 24, 32}) std::memcpy(c + off, &one, 8);
  std::memcpy(c + 40, &v32, 4);
  // Record at 512: header (24), BinXML, size copy (4).
  std::vector<uint8_t> x = {0x0F, 0x01, 0x01, 0x00, 0x0C, 0x01, 0, 0, 0, 0};
  const uint32_t def_offset = 512 + 24 + static_cast<uint32_t>(x.size());
  for (int i = 0; i < 4; ++i) x.push_back(static_cast<uint8_t>(def_offset >> (8 * i)));
  // Definition: next (4), GUID (16), size (4), body.
  std::vector<uint8_t> body = {0x0F, 0x01, 0x01, 0x00};
  if (via_binxml_value) {
    body.insert(body.end(), {0x0D, 0x00, 0x00, 0x21, 0x00});  // substitution 0 (BinXml)
  } else {
    body.insert(body.end(), {0x0C, 0x01, 0, 0, 0, 0});  // instance of this very template
    for (int i = 0; i < 4; ++i) body.push_back(static_cast<uint8_t>(def_offset >> (8 * i)));
    body.insert(body.end(), {0, 0, 0, 0, 0x00});  // no values, end of stream
  }
  x.insert(x.end(), 20, 0);
  for (int i = 0; i < 4; ++i) x.push_back(static_cast<uint8_t>(body.size() >> (8 * i)));
  x.insert(x.end(), body.begin(), body.end());
  // Values: one BinXml value that is the record's own BinXML (a cycle through values).
  const uint32_t record_binxml = 512 + 24;
  (void)record_binxml;
  x.insert(x.end(), {1, 0, 0, 0});
  const size_t desc = x.size();
  x.insert(x.end(), {0, 0, 0x21, 0});
  const uint16_t value_size = static_cast<uint16_t>(x.size() + 0);
  std::memcpy(&x[desc], &value_size, 2);
  // The value repeats the whole BinXML so far (fragment + instance referencing the template).
  std::vector<uint8_t> value(x.begin(), x.begin() + 14);
  value.insert(value.end(), {1, 0, 0, 0, 14 + 8, 0, 0x21, 0});
  x.insert(x.end(), value.begin(), value.end());
  x.push_back(0x00);
  const uint32_t size = static_cast<uint32_t>(24 + x.size() + 4);
  uint8_t* r = c + 512;
  r[0] = r[1] = 0x2a;
  std::memcpy(r + 4, &size, 4);
  std::memcpy(r + 8, &one, 8);
  std::memcpy(r + 24, x.data(), x.size());
  std::memcpy(r + size - 4, &size, 4);
  const uint32_t free_space = 512 + size;
  std::memcpy(c + 48, &free_space, 4);
  uint32_t data_crc = Crc32(0, c + 512, free_space - 512);
  std::memcpy(c + 52, &data_crc, 4);
  uint32_t header_crc = Crc32(Crc32(0, c, 120), c + 128, 384);
  std::memcpy(c + 124, &header_crc, 4);
  return file;
}

TEST(EvtxHostileTest, SelfReferencingTemplatesTerminate) {
  for (bool via_value : {false, true}) {
    SCOPED_TRACE(via_value);
    const std::string bytes = SelfReferencingTemplateFile(via_value);
    const Result r = Read(bytes);
    EXPECT_EQ(r.events.size(), 0u);
    EXPECT_EQ(r.stats.bad_records, 1u);
    EXPECT_TRUE(r.ErrorAt(4096 + 512, 4096 + 513));
  }
}

TEST_F(EvtxDamageTest, RandomMutationsNeverCrash) {
  // Small file (one chunk, 4 records), many random mutations: no crash, no hang, and records
  // that survive are well-formed (checked by ASan/UBSan builds).
  const std::string base = ReadAll(
      kSamples / "EVTX-ATTACK-SAMPLES/Credential Access/Powershell_4104_MiniDumpWriteDump_Lsass.evtx");
  ASSERT_FALSE(base.empty());
  std::mt19937 rng(4104);
  size_t emitted = 0, reported = 0;
  for (int round = 0; round < 400; ++round) {
    std::string bytes = base;
    const int flips = 1 + static_cast<int>(rng() % 32);
    for (int i = 0; i < flips; ++i) {
      const size_t at = 4096 + rng() % (bytes.size() - 4096);
      bytes[at] = static_cast<char>(rng());
    }
    const Result r = Read(bytes);
    emitted += r.events.size();
    reported += r.errors.size();
  }
  EXPECT_GT(emitted, 0u);
  EXPECT_GT(reported, 0u);
}

TEST(EvtxRobustnessSamplesTest, OddFilesReadWithTheirQuirks) {
  const fs::path dir = kSamples / "omerbenamram-evtx/samples";
  struct Expect {
    const char* file;
    uint64_t bad_chunks;
    bool errors;
    uint64_t bad_records = 0;
  };
  for (const Expect& e : std::initializer_list<Expect>{
           {"sysmon.evtx", 8, true},  // 1 chunk in header, 9 used; 7 slack blocks + last partial
           {"sample_with_a_bad_chunk_magic.evtx", 2, true, 3},  // 3 half-zeroed records
           {"Application_no_crc32.evtx", 0, false},  // flag 0x4: no CRC checks, no errors
           {"MSExchange_Management_wec.evtx", 0, false},  // template-less, null-typed value
           {"Security_with_size_t.evtx", 0, false},
           {"sample-with-irregular-bool-values.evtx", 0, false},
           {"E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx", 0,
            false},
           {"security_bad_string_cache.evtx", 0, true},  // chunk header CRC mismatch reported
       }) {
    SCOPED_TRACE(e.file);
    const Result r = Read(ReadAll(dir / e.file));
    EXPECT_EQ(r.stats.bad_chunks, e.bad_chunks);
    EXPECT_EQ(!r.errors.empty(), e.errors);
    EXPECT_EQ(r.stats.bad_records, e.bad_records);
    EXPECT_GT(r.stats.records, 0u);
  }
}

}  // namespace
}  // namespace sbscan::evtx
