// sbscan: the multi-core pipeline over JSON lines held in memory (mapped files, a bench corpus).
#ifndef SBSCAN_ENGINE_SRC_PARALLEL_SCANNER_H_
#define SBSCAN_ENGINE_SRC_PARALLEL_SCANNER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sbscan/scanner.h"

namespace sbscan {

struct ParallelOptions {
  int threads = 1;
  size_t chunk_bytes = size_t{2} << 20;  // input is cut into chunks of about this size, on lines
  size_t max_line_bytes = size_t{256} << 20;
  // When set, input bytes are added here as chunks are accounted (a progress display reads it).
  std::atomic<uint64_t>* progress_bytes = nullptr;
};

// One input: its name (for diagnostics and alerts) and its bytes, which must stay valid for the
// whole scan.
struct InputBuffer {
  std::string name;
  std::string_view bytes;
};

// Scans JSON lines with `threads` workers and returns the merged counters. The input is cut into
// chunks on line boundaries; any worker parses any chunk (copying each event's fields once into
// the chunk's arena), and every worker then walks every chunk in input order, adding the
// fragments of its own shard (hash of Computer and ScriptBlockId) to its own Reassembler and
// Analyzer, and advancing its stream time with the others' fragments. Each shard therefore sees
// its events in input order, as one thread does: the same alerts come out, with each block's
// alerts together (the order between blocks of different shards varies). Memory caps
// (--max-open-bytes, --max-open-blocks, the recent-block memory) apply per shard.
//
// `make_alert_sink(worker)` is called once per worker, before the scan, and returns the callback
// that worker calls for its alerts (from its own thread). Diagnostics are reported in input order
// from one thread. Chunks in flight are bounded (a few per worker).
Stats ScanBuffersParallel(const std::vector<InputBuffer>& inputs,
                          std::shared_ptr<const signatures::RuleSet> rules,
                          const ScannerOptions& options, const ParallelOptions& parallel,
                          const std::function<Scanner::AlertCallback(int worker)>& make_alert_sink,
                          const Scanner::DiagnosticCallback& on_diagnostic);

// Maps a regular file read-only into memory for ScanBuffersParallel. Empty on error (errno set).
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Returns false (errno set) when the file cannot be opened or mapped.
  bool Open(const std::string& path);
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_PARALLEL_SCANNER_H_
