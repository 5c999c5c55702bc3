// sbscan: one JSON object (one line of JSON lines input) to an Event, shape detected per line.
#ifndef SBSCAN_ENGINE_SRC_JSON_EVENT_PARSER_H_
#define SBSCAN_ENGINE_SRC_JSON_EVENT_PARSER_H_

#include <memory>
#include <string_view>
#include <vector>

#include "sbscan/event.h"
#include "sbscan/options.h"

namespace sbscan {

// The JSON shapes recognised, detected from the keys of each object (no flag needed).
enum class JsonShape : uint8_t {
  kUnknown,
  kFlat,        // flat export / NXLog im_msvistalog: System and EventData names at top level
  kWinlogbeat,  // Winlogbeat raw: winlog.event_data.*
  kElasticEcs,  // Elastic Agent / Winlogbeat after its ingest pipeline: powershell.file.*
  kEvtxDump,    // evtx_dump -o jsonl: Event.System / Event.EventData
};
std::string_view JsonShapeName(JsonShape shape);

// Result of parsing one line.
struct JsonParseResult {
  bool ok = false;
  JsonShape shape = JsonShape::kUnknown;
  const char* error = nullptr;  // static string, set when !ok
};

// Parses JSON objects into Events with simdjson On-Demand, walking each object once and
// picking the fields of every supported shape. The walker is compiled for AVX2 (haswell) and
// for any x86-64 (fallback); the constructor picks the best one this CPU runs, or the one named
// by the environment variable SBSCAN_JSON_BACKEND. Not thread-safe: one per thread. The Event's
// views point into the input line or into this parser's string buffer and stay valid until the
// next Parse() call.
class JsonEventParser {
 public:
  class Backend {
   public:
    virtual ~Backend() = default;
    virtual JsonParseResult Parse(std::string_view line, size_t capacity, Event* event) = 0;
    virtual std::string_view name() const = 0;
    // --field mappings: looked up in every record, overriding shape detection.
    virtual void SetFieldMappings(const std::vector<JsonFieldMapping>& mappings) = 0;
  };

  JsonEventParser();
  // A specific backend ("haswell" or "fallback"); the best one if `name` is unknown or the CPU
  // cannot run it.
  explicit JsonEventParser(std::string_view name);
  ~JsonEventParser();
  JsonEventParser(const JsonEventParser&) = delete;
  JsonEventParser& operator=(const JsonEventParser&) = delete;

  // `line` must be followed by at least 64 (simdjson::SIMDJSON_PADDING) readable bytes (they
  // need not be zero): `capacity` is line.size() plus the readable bytes after it. On success
  // *event holds the fields found (absent ones keep their defaults).
  JsonParseResult Parse(std::string_view line, size_t capacity, Event* event) {
    return backend_->Parse(line, capacity, event);
  }
  std::string_view backend_name() const { return backend_->name(); }
  void SetFieldMappings(const std::vector<JsonFieldMapping>& mappings) {
    backend_->SetFieldMappings(mappings);
  }

 private:
  std::unique_ptr<Backend> backend_;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_JSON_EVENT_PARSER_H_
