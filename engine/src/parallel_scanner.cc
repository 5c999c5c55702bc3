#include "engine/src/parallel_scanner.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "absl/hash/hash.h"
#include "engine/src/event_router.h"
#include "engine/src/json_event_parser.h"
#include "engine/src/reassembler.h"

namespace sbscan {
namespace {

constexpr size_t kPadding = 64;  // simdjson::SIMDJSON_PADDING

struct ChunkSpan {
  size_t input;
  size_t begin, end;  // byte range in the input, on line boundaries
};

// Cuts every input into chunks of about `chunk_bytes` that end after a '\n' (or at the end).
std::vector<ChunkSpan> PlanChunks(const std::vector<InputBuffer>& inputs, size_t chunk_bytes) {
  std::vector<ChunkSpan> chunks;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string_view bytes = inputs[i].bytes;
    size_t pos = 0;
    while (pos < bytes.size()) {
      size_t end = std::min(bytes.size(), pos + chunk_bytes);
      if (end < bytes.size()) {
        const void* nl = std::memchr(bytes.data() + end - 1, '\n', bytes.size() - end + 1);
        end = nl == nullptr ? bytes.size() : static_cast<const char*>(nl) - bytes.data() + 1;
      }
      chunks.push_back({i, pos, end});
      pos = end;
    }
  }
  return chunks;
}

// Append-only storage whose strings never move.
class Arena {
 public:
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    if (blocks_.empty() || used_ + s.size() > block_size_) {
      block_size_ = std::max<size_t>(size_t{1} << 16, s.size());
      blocks_.push_back(std::make_unique<char[]>(block_size_));
      used_ = 0;
    }
    char* p = blocks_.back().get() + used_;
    std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return {p, s.size()};
  }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_size_ = 0, used_ = 0;
};

struct ParsedEvent {
  Event event;  // views into the chunk's arena
  uint32_t shard = 0;
  EventKind kind = EventKind::kOther;
};

struct ChunkDiagnostic {
  uint64_t line;  // 1-based within the chunk
  uint64_t offset;
  const char* reason;
};

struct ParsedChunk {
  size_t input = 0;
  Arena arena;
  std::vector<ParsedEvent> events;
  std::vector<ChunkDiagnostic> diagnostics;
  uint64_t lines = 0;
  uint64_t records = 0, malformed = 0, passed_by = 0, events_4104 = 0, events_4103 = 0,
           events_session = 0, bytes = 0;
};

Event CopyEvent(const Event& e, Arena& arena) {
  Event c = e;
  for (std::string_view Event::*field :
       {&Event::provider, &Event::channel, &Event::computer, &Event::time_created,
        &Event::user_id, &Event::script_block_id, &Event::script_block_text, &Event::path,
        &Event::context_info, &Event::payload, &Event::user_data}) {
    c.*field = arena.Copy(e.*field);
  }
  return c;
}

void ParseChunk(const InputBuffer& input, const ChunkSpan& span, const ScannerOptions& options,
                const ParallelOptions& parallel, uint32_t shards, JsonEventParser& parser,
                std::string& padded, ParsedChunk* out) {
  out->input = span.input;
  out->bytes = span.end - span.begin;
  std::string_view all = input.bytes;
  size_t pos = span.begin;
  while (pos < span.end) {
    const void* nl = std::memchr(all.data() + pos, '\n', span.end - pos);
    size_t stop = nl == nullptr ? span.end : static_cast<const char*>(nl) - all.data();
    uint64_t line_number = ++out->lines;
    std::string_view line = all.substr(pos, stop - pos);
    size_t offset = pos;
    pos = stop + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++out->records;
    if (line.size() > parallel.max_line_bytes) {
      ++out->malformed;
      out->diagnostics.push_back({line_number, offset, "line longer than --max-line-bytes"});
      continue;
    }
    size_t capacity = all.size() - offset;
    if (capacity < line.size() + kPadding) {  // too near the end of the mapping: copy
      padded.assign(line);
      padded.append(kPadding, ' ');
      line = std::string_view(padded.data(), line.size());
      capacity = padded.size();
    }
    Event event;
    JsonParseResult result = parser.Parse(line, capacity, &event);
    if (!result.ok) {
      ++out->malformed;
      out->diagnostics.push_back({line_number, offset, result.error});
      continue;
    }
    ParsedEvent parsed;
    parsed.kind = ClassifyEvent(event);
    switch (parsed.kind) {
      case EventKind::kOther:
        ++out->passed_by;
        continue;
      case EventKind::kScriptBlock: {
        ++out->events_4104;
        const char* reason = nullptr;
        if (!Reassembler::IsUsableFragment(event, options.reassembly, &reason)) {
          out->diagnostics.push_back({line_number, offset, reason});
        }
        parsed.shard = static_cast<uint32_t>(
            absl::HashOf(event.computer, event.script_block_id) % shards);
        break;
      }
      case EventKind::kModuleLogging:
        ++out->events_4103;
        parsed.shard = 0;  // worker 0 walks chunks in order and knows their line numbers
        break;
      case EventKind::kEngineSession:
        ++out->events_session;
        break;
    }
    parsed.event = CopyEvent(event, out->arena);
    parsed.event.source = SourceLocation{input.name, line_number, offset};
    out->events.push_back(std::move(parsed));
  }
}

void AddStats(const ReassemblyStats& a, ReassemblyStats* sum) {
  sum->fragments += a.fragments;
  sum->fragments_in_blocks += a.fragments_in_blocks;
  sum->blocks_complete += a.blocks_complete;
  sum->blocks_partial += a.blocks_partial;
  sum->partial_window += a.partial_window;
  sum->partial_memory += a.partial_memory;
  sum->partial_end_of_input += a.partial_end_of_input;
  sum->duplicates_exact += a.duplicates_exact;
  sum->duplicates_conflicting += a.duplicates_conflicting;
  sum->late_fragments += a.late_fragments;
  sum->rejected_no_id += a.rejected_no_id;
  sum->rejected_bad_number += a.rejected_bad_number;
  sum->open_blocks_peak += a.open_blocks_peak;
  sum->open_bytes_peak += a.open_bytes_peak;
}

void AddStats(const AnalysisStats& a, AnalysisStats* sum) {
  sum->blocks += a.blocks;
  sum->text_bytes += a.text_bytes;
  sum->layers_decoded += a.layers_decoded;
  sum->decoded_bytes += a.decoded_bytes;
  sum->decode_malformed += a.decode_malformed;
  sum->decode_depth_limit += a.decode_depth_limit;
  sum->decode_bytes_limit += a.decode_bytes_limit;
  sum->decode_candidate_limit += a.decode_candidate_limit;
  sum->obfuscation_scored += a.obfuscation_scored;
  sum->obfuscated += a.obfuscated;
  sum->alerts += a.alerts;
}

// Shared state of one ScanBuffersParallel call.
class Pipeline {
 public:
  Pipeline(const std::vector<InputBuffer>& inputs, std::shared_ptr<const signatures::RuleSet> rules,
           const ScannerOptions& options, const ParallelOptions& parallel,
           const Scanner::DiagnosticCallback& on_diagnostic)
      : inputs_(inputs),
        rules_(std::move(rules)),
        options_(options),
        parallel_(parallel),
        on_diagnostic_(on_diagnostic),
        threads_(std::max(1, parallel.threads)),
        chunks_(PlanChunks(inputs, std::max<size_t>(parallel.chunk_bytes, 4096))),
        slots_(chunks_.size()),
        progress_(threads_, 0),
        line_base_(inputs.size(), 0) {
    for (Slot& slot : slots_) slot.remaining = threads_;
  }

  int threads() const { return threads_; }

  void Work(int worker, const Scanner::AlertCallback& sink) {
    JsonEventParser parser;
    if (!options_.json_fields.empty()) parser.SetFieldMappings(options_.json_fields);
    std::string padded;
    EventRouter router(rules_, options_, sink);
    const size_t n = chunks_.size();
    const size_t ahead = 2 * static_cast<size_t>(threads_);
    for (size_t k = 0; k < n; ++k) {
      WaitForStragglers(k);
      for (size_t j = k; j < std::min(n, k + ahead); ++j) TryParse(j, parser, padded);
      ParsedChunk& chunk = WaitReady(k);
      uint64_t base = worker == 0 ? Account(chunk) : 0;
      for (const ParsedEvent& e : chunk.events) {
        const char* reason = nullptr;
        if (e.kind == EventKind::kModuleLogging && e.shard == static_cast<uint32_t>(worker)) {
          Event located = e.event;  // 4103 alerts point at their line
          located.source.line += base;
          router.Route(located, e.kind, /*own=*/true, &reason);
          continue;
        }
        router.Route(e.event, e.kind, e.shard == static_cast<uint32_t>(worker), &reason);
      }
      Release(k, worker);
    }
    router.FlushAll(PartialCause::kEndOfInput);
    std::lock_guard<std::mutex> lock(mu_);
    AddStats(router.reassembler().stats(), &stats_.reassembly);
    AddStats(router.analysis_stats(), &stats_.analysis);
  }

  Stats stats() const { return stats_; }

 private:
  struct Slot {
    std::atomic<int> state{0};  // 0 unclaimed, 1 parsing, 2 ready
    std::unique_ptr<ParsedChunk> chunk;
    std::atomic<int> remaining{0};
  };

  void TryParse(size_t j, JsonEventParser& parser, std::string& padded) {
    int expected = 0;
    if (!slots_[j].state.compare_exchange_strong(expected, 1)) return;
    auto chunk = std::make_unique<ParsedChunk>();
    const ChunkSpan& span = chunks_[j];
    ParseChunk(inputs_[span.input], span, options_, parallel_, threads_, parser, padded,
               chunk.get());
    {
      std::lock_guard<std::mutex> lock(mu_);
      slots_[j].chunk = std::move(chunk);
      slots_[j].state = 2;
    }
    cv_.notify_all();
  }

  ParsedChunk& WaitReady(size_t k) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return slots_[k].state == 2; });
    return *slots_[k].chunk;
  }

  // Keeps the chunks in flight bounded: no worker runs more than a few chunks ahead of the
  // slowest one.
  void WaitForStragglers(size_t k) {
    const size_t max_lag = 4 * static_cast<size_t>(threads_);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return k < *std::min_element(progress_.begin(), progress_.end()) + max_lag; });
  }

  void Release(size_t k, int worker) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      progress_[worker] = k + 1;
      if (--slots_[k].remaining == 0) slots_[k].chunk.reset();
    }
    cv_.notify_all();
  }

  // Counters and diagnostics of a chunk, by worker 0, in input order. Returns the number of
  // lines of this input before the chunk.
  uint64_t Account(const ParsedChunk& chunk) {
    stats_.records += chunk.records;
    stats_.malformed += chunk.malformed;
    stats_.passed_by += chunk.passed_by;
    stats_.events_4104 += chunk.events_4104;
    stats_.events_4103 += chunk.events_4103;
    stats_.events_session += chunk.events_session;
    stats_.bytes += chunk.bytes;
    if (parallel_.progress_bytes != nullptr) *parallel_.progress_bytes += chunk.bytes;
    uint64_t base = line_base_[chunk.input];
    line_base_[chunk.input] += chunk.lines;
    if (!on_diagnostic_) return base;
    for (const ChunkDiagnostic& d : chunk.diagnostics) {
      on_diagnostic_(Diagnostic{
          SourceLocation{inputs_[chunk.input].name, base + d.line, d.offset}, d.reason});
    }
    return base;
  }

  const std::vector<InputBuffer>& inputs_;
  std::shared_ptr<const signatures::RuleSet> rules_;
  const ScannerOptions& options_;
  const ParallelOptions& parallel_;
  const Scanner::DiagnosticCallback& on_diagnostic_;
  const int threads_;
  std::vector<ChunkSpan> chunks_;
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<size_t> progress_;
  std::vector<uint64_t> line_base_;  // worker 0 only
  Stats stats_;
};

}  // namespace

Stats ScanBuffersParallel(const std::vector<InputBuffer>& inputs,
                          std::shared_ptr<const signatures::RuleSet> rules,
                          const ScannerOptions& options, const ParallelOptions& parallel,
                          const std::function<Scanner::AlertCallback(int worker)>& make_alert_sink,
                          const Scanner::DiagnosticCallback& on_diagnostic) {
  Pipeline pipeline(inputs, std::move(rules), options, parallel, on_diagnostic);
  std::vector<Scanner::AlertCallback> sinks;
  for (int w = 0; w < pipeline.threads(); ++w) sinks.push_back(make_alert_sink(w));
  std::vector<std::thread> threads;
  for (int w = 1; w < pipeline.threads(); ++w) {
    threads.emplace_back([&pipeline, &sinks, w] { pipeline.Work(w, sinks[w]); });
  }
  pipeline.Work(0, sinks[0]);
  for (std::thread& t : threads) t.join();
  return pipeline.stats();
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

bool MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      size_ = 0;
      return false;
    }
    data_ = p;
    ::madvise(data_, size_, MADV_SEQUENTIAL);
  }
  ::close(fd);
  return true;
}

}  // namespace sbscan
