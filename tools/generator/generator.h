// The sbscan-gen engine: schedules script blocks over several hosts,
// fragments them like PowerShell, interleaves, perturbs the transport
// (shuffle, duplicate, drop), adds non-4104 events, and writes Winlogbeat
// JSON lines plus an optional truth file (one JSON line per block).
//
// Same options (seed included) => byte-identical output and truth.
#ifndef SBSCAN_TOOLS_GENERATOR_GENERATOR_H_
#define SBSCAN_TOOLS_GENERATOR_GENERATOR_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/generator/script_corpus.h"

namespace sbscan::gen {

struct GeneratorOptions {
  uint64_t seed = 1;
  // Number of script blocks; ignored when `bytes` > 0.
  uint64_t blocks = 1000;
  // When > 0: stop opening new blocks once this many bytes were written
  // (open blocks are finished, so the output is slightly larger).
  uint64_t bytes = 0;
  int hosts = 4;
  // Fraction of blocks that carry technique snippets (spread evenly).
  double malicious_ratio = 0.05;
  // Per 4104 line: probability it is delayed by 1..8 lines in transport.
  double shuffle_rate = 0;
  // Per 4104 line: probability it is written a second time (exact copy)
  // 0..20 lines later.
  double duplicate_rate = 0;
  // Per fragment of a multi-fragment block: probability it is lost.
  double drop_rate = 0;
  // Fraction of output lines that are other PowerShell events (4103, 4105,
  // 4106, 40961, 40962, 53504, 400, 403, 600).
  double other_events_rate = 0;
  // Chance that a snippet of a multi-fragment malicious block is placed
  // across a fragment cut on purpose.
  double straddle_prob = 0.5;
  // Concurrently open blocks per host (interleaving depth), 1..16.
  int open_per_host = 3;

  // Empty string when valid, else a message naming the bad option.
  std::string Validate() const;
};

// What happened to one block, as written to the truth file.
struct BlockTruth {
  std::string host;
  std::string script_block_id;
  std::string path;
  BlockKind kind = BlockKind::kTiny;
  uint32_t fragments = 0;        // MessageTotal
  size_t utf16_length = 0;       // of the whole block text
  size_t piece_units = 0;        // PowerShell's random piece size
  bool warning = false;          // log.level
  bool malicious = false;
  std::vector<uint32_t> emitted;     // fragment numbers written at least once
  std::vector<uint32_t> dropped;     // never written
  std::vector<uint32_t> duplicated;  // written twice
  std::vector<uint32_t> delayed;     // held back 1..8 lines (shuffle)
  bool out_of_order = false;  // fragments appear out of MessageNumber order
  std::vector<TechniqueSpan> techniques;

  // One JSON line (with '\n').
  std::string ToJson() const;
};

struct GeneratorStats {
  uint64_t blocks = 0;
  uint64_t malicious_blocks = 0;
  uint64_t multi_fragment_blocks = 0;
  uint64_t fragments = 0;         // 4104 fragments generated
  uint64_t events_4104 = 0;       // 4104 lines written (with duplicates)
  uint64_t other_events = 0;
  uint64_t dropped = 0;
  uint64_t duplicated = 0;
  uint64_t delayed = 0;
  uint64_t bytes = 0;
};

// Receives output bytes. Write() gets large chunks (about 1 MiB).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Returns false on a write error (the generator then stops).
  virtual bool Write(std::string_view bytes) = 0;
};

class FileSink : public ByteSink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  bool Write(std::string_view bytes) override {
    return std::fwrite(bytes.data(), 1, bytes.size(), f_) == bytes.size();
  }

 private:
  std::FILE* f_;
};

class StringSink : public ByteSink {
 public:
  explicit StringSink(std::string* s) : s_(s) {}
  bool Write(std::string_view bytes) override {
    s_->append(bytes);
    return true;
  }

 private:
  std::string* s_;
};

// Called once per block when its truth is final, with the original
// (unfragmented) block text.
using BlockCallback =
    std::function<void(const BlockTruth& truth, std::string_view text)>;

class Generator {
 public:
  // `corpus` must outlive the generator. Options must be valid.
  Generator(const GeneratorOptions& options, const ScriptCorpus& corpus);
  ~Generator();

  // Generates the whole stream. `truth` and `on_block` may be null/empty.
  // Returns false when a sink reported a write error.
  bool Run(ByteSink& out, ByteSink* truth, const BlockCallback& on_block);

  const GeneratorStats& stats() const { return stats_; }

 private:
  struct Impl;
  GeneratorOptions options_;
  const ScriptCorpus& corpus_;
  GeneratorStats stats_;
};

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_GENERATOR_H_
