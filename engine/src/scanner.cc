#include "sbscan/scanner.h"

#include <algorithm>
#include <iterator>

#include "engine/src/event_router.h"
#include "engine/src/json_event_parser.h"
#include "engine/src/xml_event_parser.h"

namespace sbscan {

struct Scanner::Impl {
  Impl(std::shared_ptr<const signatures::RuleSet> rules, const ScannerOptions& options,
       AlertCallback on_alert, DiagnosticCallback on_diagnostic)
      : router(std::move(rules), options, std::move(on_alert)),
        on_diagnostic(std::move(on_diagnostic)) {
    if (!options.json_fields.empty()) json.SetFieldMappings(options.json_fields);
  }

  void Diagnose(const SourceLocation& where, std::string_view reason) {
    if (on_diagnostic) on_diagnostic(Diagnostic{where, reason});
  }

  void AddEvent(const Event& event) {
    EventKind kind = ClassifyEvent(event);
    switch (kind) {
      case EventKind::kScriptBlock: ++stats.events_4104; break;
      case EventKind::kModuleLogging: ++stats.events_4103; break;
      case EventKind::kEngineSession: ++stats.events_session; break;
      case EventKind::kOther: ++stats.passed_by; return;
    }
    const char* reason = "";
    if (!router.Route(event, kind, /*own=*/true, &reason)) Diagnose(event.source, reason);
  }

  EventRouter router;
  JsonEventParser json;
  XmlEventParser xml;
  DiagnosticCallback on_diagnostic;
  Stats stats;
};

Scanner::Scanner(std::shared_ptr<const signatures::RuleSet> rules, const ScannerOptions& options,
                 AlertCallback on_alert, DiagnosticCallback on_diagnostic)
    : impl_(std::make_unique<Impl>(std::move(rules), options, std::move(on_alert),
                                   std::move(on_diagnostic))) {}

Scanner::~Scanner() = default;

void Scanner::AddEvent(const Event& event) {
  ++impl_->stats.records;
  impl_->AddEvent(event);
}

void Scanner::AddJsonRecord(std::string_view record, size_t capacity,
                            const SourceLocation& where) {
  ++impl_->stats.records;
  Event event;
  event.source = where;
  JsonParseResult result = impl_->json.Parse(record, capacity, &event);
  if (!result.ok) {
    ++impl_->stats.malformed;
    impl_->Diagnose(where, result.error);
    return;
  }
  impl_->AddEvent(event);
}

void Scanner::AddXmlRecord(std::string_view xml, const SourceLocation& where) {
  ++impl_->stats.records;
  Event event;
  event.source = where;
  XmlParseResult result = impl_->xml.Parse(xml, &event);
  if (!result.ok) {
    ++impl_->stats.malformed;
    impl_->Diagnose(where, result.error);
    return;
  }
  event.source = where;
  impl_->AddEvent(event);
}

void Scanner::AddTextRecord(const TextRecord& record) {
  ++impl_->stats.transcript_commands;
  impl_->router.AnalyzeText(record);
}

void Scanner::AddMalformed(const SourceLocation& where, std::string_view reason) {
  ++impl_->stats.records;
  ++impl_->stats.malformed;
  impl_->Diagnose(where, reason);
}

void Scanner::CountBytes(uint64_t bytes) { impl_->stats.bytes += bytes; }

void Scanner::Finish() { impl_->router.FlushAll(PartialCause::kEndOfInput); }

void Scanner::FlushIdle() { impl_->router.FlushAll(PartialCause::kEvictedWindow); }

absl::Status Scanner::SetRules(std::shared_ptr<const signatures::RuleSet> rules) {
  if (rules == nullptr) return absl::InvalidArgumentError("SetRules: null rule set");
  return impl_->router.SetRules(std::move(rules));
}

size_t Scanner::open_blocks() const { return impl_->router.reassembler().open_blocks(); }

Stats Scanner::stats() const {
  Stats s = impl_->stats;
  s.reassembly = impl_->router.reassembler().stats();
  s.analysis = impl_->router.analysis_stats();
  return s;
}

absl::Status ParseJsonFieldMapping(std::string_view spec, JsonFieldMapping* out) {
  static constexpr std::string_view kNames[] = {
      "EventID",      "Provider",       "Channel",       "Computer",      "TimeCreated",
      "Level",        "EventRecordID",  "UserID",        "ProcessID",     "ScriptBlockId",
      "MessageNumber", "MessageTotal",  "ScriptBlockText", "Path",        "ContextInfo",
      "Payload"};
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
    return absl::InvalidArgumentError("--field wants NAME=PATH, e.g. ScriptBlockText=data.sb.text");
  }
  std::string_view name = spec.substr(0, eq), path = spec.substr(eq + 1);
  if (std::find(std::begin(kNames), std::end(kNames), name) == std::end(kNames)) {
    return absl::InvalidArgumentError(
        "--field: unknown field '" + std::string(name) +
        "' (EventID, Provider, Channel, Computer, TimeCreated, Level, EventRecordID, UserID, "
        "ProcessID, ScriptBlockId, MessageNumber, MessageTotal, ScriptBlockText, Path, "
        "ContextInfo, Payload)");
  }
  out->name = std::string(name);
  if (path.front() == '/') {
    out->pointer = std::string(path);
  } else {  // dotted: a.b.c -> /a/b/c (JSON pointer escapes for '~' and '/')
    out->pointer = "/";
    for (char c : path) {
      if (c == '.') out->pointer += '/';
      else if (c == '~') out->pointer += "~0";
      else if (c == '/') out->pointer += "~1";
      else out->pointer += c;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOptions(const ScannerOptions& o) {
  const ReassemblyOptions& r = o.reassembly;
  if (r.window_seconds <= 0 || r.window_seconds > kMaxWindowSeconds) {
    return absl::InvalidArgumentError("--window must be between 1 second and 100 years");
  }
  if (r.max_open_bytes == 0) return absl::InvalidArgumentError("--max-open-bytes must be > 0");
  if (r.max_open_blocks == 0) return absl::InvalidArgumentError("--max-open-blocks must be > 0");
  if (r.max_message_total < 1) {
    return absl::InvalidArgumentError("max_message_total must be >= 1");
  }
  const DecodeOptions& d = o.analysis.decode;
  if (d.max_depth < 0 || d.max_depth > 64) {
    return absl::InvalidArgumentError("--max-decode-depth must be between 0 and 64");
  }
  if (d.min_base64_run < 4) return absl::InvalidArgumentError("min_base64_run must be >= 4");
  if (!(o.analysis.obfuscation_threshold >= 0 && o.analysis.obfuscation_threshold <= 1)) {
    return absl::InvalidArgumentError("--obfuscation-threshold must be between 0 and 1");
  }
  return absl::OkStatus();
}

}  // namespace sbscan
