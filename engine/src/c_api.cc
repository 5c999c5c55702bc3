// The C API (sbscan.h) over the C++ API: handles own C++ objects; every entry point catches
// everything so that no exception crosses the boundary.
#include "sbscan/sbscan.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/src/alert_json.h"
#include "engine/src/bundled_rules.h"
#include "sbscan/options.h"
#include "sbscan/scanner.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

#ifndef SBSCAN_VERSION_STRING
#define SBSCAN_VERSION_STRING "0.1.0"
#endif

struct sbscan_rules {
  std::shared_ptr<const sbscan::signatures::RuleSet> set;
};

namespace {

using sbscan::Alert;
using sbscan::ScannerOptions;

// Copies `text` into a fixed char array, NUL-terminated, truncated on a UTF-8 boundary.
template <size_t N>
void CopyTo(char (&dst)[N], std::string_view text) {
  size_t n = std::min(text.size(), N - 1);
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  }
  std::memcpy(dst, text.data(), n);
  dst[n] = '\0';
}

// Fills `err` from a status message of the form "file:line: rule 'id': what" (the rule loader's
// and compiler's format); parts that are absent stay empty.
void FillError(const absl::Status& status, sbscan_compile_error* err) {
  if (err == nullptr) return;
  std::memset(err, 0, sizeof(*err));
  std::string_view msg(status.message().data(), status.message().size());
  CopyTo(err->message, msg);
  // File: up to the first ": " (the path may itself contain ':' only before a line number).
  size_t colon_space = msg.find(": ");
  std::string_view location = msg.substr(0, colon_space);
  size_t last_colon = location.rfind(':');
  if (last_colon != std::string_view::npos && last_colon + 1 < location.size() &&
      std::all_of(location.begin() + last_colon + 1, location.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    CopyTo(err->file, location.substr(0, last_colon));
    int line = 0;
    for (char c : location.substr(last_colon + 1)) {
      if (line > 100'000'000) break;
      line = line * 10 + (c - '0');
    }
    err->line = line;
  } else if (colon_space != std::string_view::npos) {
    CopyTo(err->file, location);
  }
  size_t rule = msg.find("rule '");
  if (rule != std::string_view::npos) {
    size_t begin = rule + 6;
    size_t end = msg.find('\'', begin);
    if (end != std::string_view::npos) CopyTo(err->rule_id, msg.substr(begin, end - begin));
  }
}

void FillPlainError(std::string_view message, sbscan_compile_error* err) {
  if (err == nullptr) return;
  std::memset(err, 0, sizeof(*err));
  CopyTo(err->message, message);
}

int StatusCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return SBSCAN_OK;
    case absl::StatusCode::kNotFound:
      return SBSCAN_ERR_NOT_FOUND;
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kInvalidArgument:
      return SBSCAN_ERR_COMPILE;
    default:
      return SBSCAN_ERR_INTERNAL;
  }
}

// Compiles `rules`, appending the bundled ones first when asked.
int CompileRules(std::vector<sbscan::signatures::Rule> user_rules, bool include_bundled,
                 sbscan_rules** out, sbscan_compile_error* err) {
  std::vector<sbscan::signatures::Rule> rules;
  if (include_bundled) {
    for (const sbscan::BundledRuleFile& file : sbscan::BundledRuleFiles()) {
      absl::StatusOr<std::vector<sbscan::signatures::Rule>> parsed =
          sbscan::signatures::ParseRules(file.yaml, file.name);
      if (!parsed.ok()) {
        FillError(parsed.status(), err);
        return StatusCode(parsed.status());
      }
      for (sbscan::signatures::Rule& rule : *parsed) {
        rule.ruleset = "bundled";
        rules.push_back(std::move(rule));
      }
    }
  }
  for (sbscan::signatures::Rule& rule : user_rules) rules.push_back(std::move(rule));
  absl::StatusOr<std::shared_ptr<const sbscan::signatures::RuleSet>> set =
      sbscan::signatures::RuleSet::Compile(std::move(rules));
  if (!set.ok()) {
    FillError(set.status(), err);
    return StatusCode(set.status());
  }
  auto handle = std::make_unique<sbscan_rules>();
  handle->set = std::move(*set);
  *out = handle.release();
  if (err != nullptr) std::memset(err, 0, sizeof(*err));
  return SBSCAN_OK;
}

ScannerOptions ToOptions(const sbscan_options& o) {
  ScannerOptions options;
  options.reassembly.window_seconds = o.window_seconds;
  options.reassembly.max_open_bytes = o.max_open_bytes;
  options.reassembly.max_open_blocks = o.max_open_blocks;
  options.analysis.decode.enabled = o.decode != 0;
  options.analysis.decode.max_depth = o.max_decode_depth;
  options.analysis.decode.max_decoded_bytes = o.max_decoded_bytes;
  options.analysis.decode.max_candidates = o.max_decode_candidates;
  return options;
}

absl::Status CheckOptions(const sbscan_options& o) {
  if (o.decode != 0 && o.decode != 1) {
    return absl::InvalidArgumentError("decode must be 0 or 1");
  }
  return sbscan::ValidateOptions(ToOptions(o));
}

std::string_view View(sbscan_string s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}

bool ValidString(sbscan_string s) { return s.data != nullptr || s.len == 0; }

sbscan_string Str(std::string_view v) { return sbscan_string{v.data(), v.size()}; }

}  // namespace

struct sbscan_scanner {
  std::shared_ptr<const sbscan::signatures::RuleSet> rules;
  sbscan_alert_cb cb = nullptr;
  void* user = nullptr;
  std::unique_ptr<sbscan::Scanner> scanner;
  // Per-call state: set when the callback returned non-zero during the current call.
  bool stopped = false;
  uint64_t suppressed = 0;
  uint64_t records = 0;
  // Scratch reused across alerts and records.
  std::string json;
  std::vector<sbscan_string> techniques;
  std::vector<sbscan_string> tactics;
  std::vector<char> padded;

  void OnAlert(const Alert& alert) {
    if (cb == nullptr) return;
    if (stopped) {
      ++suppressed;
      return;
    }
    json.clear();
    sbscan::AppendAlertJson(alert, &json);
    if (!json.empty() && json.back() == '\n') json.pop_back();
    techniques.clear();
    for (const std::string& t : alert.rule.technique_ids) techniques.push_back(Str(t));
    tactics.clear();
    for (const std::string& t : alert.rule.tactics) tactics.push_back(Str(t));
    sbscan_alert a;
    std::memset(&a, 0, sizeof(a));
    a.rule_id = Str(alert.rule.id);
    a.rule_uuid = Str(alert.rule.uuid);
    a.rule_title = Str(alert.rule.title);
    a.rule_level = Str(alert.rule.level);
    a.ruleset = Str(alert.rule.ruleset);
    a.techniques = techniques.data();
    a.technique_count = techniques.size();
    a.tactics = tactics.data();
    a.tactic_count = tactics.size();
    if (const sbscan::ScriptBlock* b = alert.block; b != nullptr) {
      a.host = Str(b->host);
      a.script_block_id = Str(b->script_block_id);
      a.time_created = Str(b->time_created);
      a.user_id = Str(b->user_id);
      a.path = Str(b->path);
      a.complete = b->complete() ? 1 : 0;
      a.fragments_seen = static_cast<int32_t>(b->fragments.size());
      a.fragments_total = b->fragments_total;
      a.missing = b->missing.data();
      a.missing_count = b->missing.size();
    }
    a.total_matches = alert.total_matches;
    a.json = json.c_str();
    a.json_len = json.size();
    if (cb(&a, user) != 0) stopped = true;
  }

  sbscan::SourceLocation Next() {
    sbscan::SourceLocation where;
    where.file = "<api>";
    where.line = ++records;
    return where;
  }
};

namespace {

// Runs `body` with the per-call stop flag reset, mapping exceptions to codes.
template <typename F>
int Call(sbscan_scanner* s, F&& body) {
  try {
    s->stopped = false;
    body();
    int rc = s->stopped ? SBSCAN_STOPPED : SBSCAN_OK;
    s->stopped = false;
    return rc;
  } catch (const std::bad_alloc&) {
    s->stopped = false;
    return SBSCAN_ERR_NO_MEMORY;
  } catch (...) {
    s->stopped = false;
    return SBSCAN_ERR_INTERNAL;
  }
}

}  // namespace

extern "C" {

const char* sbscan_version(void) { return SBSCAN_VERSION_STRING; }

const char* sbscan_status_string(int status) {
  switch (status) {
    case SBSCAN_OK:
      return "ok";
    case SBSCAN_STOPPED:
      return "stopped by the alert callback";
    case SBSCAN_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case SBSCAN_ERR_COMPILE:
      return "rule compile error";
    case SBSCAN_ERR_NOT_FOUND:
      return "not found";
    case SBSCAN_ERR_NO_MEMORY:
      return "out of memory";
    case SBSCAN_ERR_INTERNAL:
      return "internal error";
    default:
      return "unknown status";
  }
}

int sbscan_rules_compile_files(const char* const* paths, size_t n, int include_bundled,
                               sbscan_rules** out, sbscan_compile_error* err) {
  if (out == nullptr) {
    FillPlainError("out must not be NULL", err);
    return SBSCAN_ERR_INVALID_ARGUMENT;
  }
  *out = nullptr;
  if (n > 0 && paths == nullptr) {
    FillPlainError("paths is NULL but n > 0", err);
    return SBSCAN_ERR_INVALID_ARGUMENT;
  }
  if (n == 0 && include_bundled == 0) {
    FillPlainError("nothing to compile: no rule files and include_bundled is 0", err);
    return SBSCAN_ERR_INVALID_ARGUMENT;
  }
  try {
    std::vector<std::string> files;
    for (size_t i = 0; i < n; ++i) {
      if (paths[i] == nullptr) {
        FillPlainError("paths[" + std::to_string(i) + "] is NULL", err);
        return SBSCAN_ERR_INVALID_ARGUMENT;
      }
      files.emplace_back(paths[i]);
    }
    std::vector<sbscan::signatures::Rule> rules;
    if (!files.empty()) {
      absl::StatusOr<std::vector<sbscan::signatures::Rule>> loaded =
          sbscan::signatures::LoadRuleFiles(files);
      if (!loaded.ok()) {
        FillError(loaded.status(), err);
        return StatusCode(loaded.status());
      }
      rules = std::move(*loaded);
      for (sbscan::signatures::Rule& rule : rules) rule.ruleset = rule.source_file;
    }
    return CompileRules(std::move(rules), include_bundled != 0, out, err);
  } catch (const std::bad_alloc&) {
    FillPlainError("out of memory", err);
    return SBSCAN_ERR_NO_MEMORY;
  } catch (...) {
    FillPlainError("internal error", err);
    return SBSCAN_ERR_INTERNAL;
  }
}

int sbscan_rules_compile_string(const char* yaml, const char* name, int include_bundled,
                                sbscan_rules** out, sbscan_compile_error* err) {
  if (out == nullptr || yaml == nullptr) {
    if (out != nullptr) *out = nullptr;
    FillPlainError(out == nullptr ? "out must not be NULL" : "yaml must not be NULL", err);
    return SBSCAN_ERR_INVALID_ARGUMENT;
  }
  *out = nullptr;
  try {
    std::string source = name != nullptr ? name : "<string>";
    absl::StatusOr<std::vector<sbscan::signatures::Rule>> parsed =
        sbscan::signatures::ParseRules(yaml, source);
    if (!parsed.ok()) {
      FillError(parsed.status(), err);
      return StatusCode(parsed.status());
    }
    for (sbscan::signatures::Rule& rule : *parsed) rule.ruleset = source;
    return CompileRules(std::move(*parsed), include_bundled != 0, out, err);
  } catch (const std::bad_alloc&) {
    FillPlainError("out of memory", err);
    return SBSCAN_ERR_NO_MEMORY;
  } catch (...) {
    FillPlainError("internal error", err);
    return SBSCAN_ERR_INTERNAL;
  }
}

size_t sbscan_rules_count(const sbscan_rules* rules) {
  return rules == nullptr || rules->set == nullptr ? 0 : rules->set->rules().size();
}

void sbscan_rules_free(sbscan_rules* rules) { delete rules; }

void sbscan_options_init(sbscan_options* options) {
  if (options == nullptr) return;
  ScannerOptions d;
  options->window_seconds = d.reassembly.window_seconds;
  options->max_open_bytes = d.reassembly.max_open_bytes;
  options->max_open_blocks = d.reassembly.max_open_blocks;
  options->decode = d.analysis.decode.enabled ? 1 : 0;
  options->max_decode_depth = d.analysis.decode.max_depth;
  options->max_decoded_bytes = d.analysis.decode.max_decoded_bytes;
  options->max_decode_candidates = d.analysis.decode.max_candidates;
}

int sbscan_options_validate(const sbscan_options* options, char* message, size_t capacity) {
  auto write = [&](std::string_view text) {
    if (message == nullptr || capacity == 0) return;
    size_t n = std::min(text.size(), capacity - 1);
    std::memcpy(message, text.data(), n);
    message[n] = '\0';
  };
  if (options == nullptr) {
    write("options must not be NULL");
    return SBSCAN_ERR_INVALID_ARGUMENT;
  }
  try {
    absl::Status s = CheckOptions(*options);
    if (!s.ok()) {
      write(std::string_view(s.message().data(), s.message().size()));
      return SBSCAN_ERR_INVALID_ARGUMENT;
    }
    write("");
    return SBSCAN_OK;
  } catch (...) {
    write("internal error");
    return SBSCAN_ERR_INTERNAL;
  }
}

sbscan_scanner* sbscan_scanner_new(const sbscan_rules* rules, const sbscan_options* options,
                                   sbscan_alert_cb cb, void* user) {
  if (rules == nullptr || rules->set == nullptr) return nullptr;
  try {
    sbscan_options o;
    sbscan_options_init(&o);
    if (options != nullptr) o = *options;
    if (!CheckOptions(o).ok()) return nullptr;
    auto s = std::make_unique<sbscan_scanner>();
    s->rules = rules->set;
    s->cb = cb;
    s->user = user;
    sbscan_scanner* raw = s.get();
    s->scanner = std::make_unique<sbscan::Scanner>(
        rules->set, ToOptions(o), [raw](const Alert& alert) { raw->OnAlert(alert); });
    return s.release();
  } catch (...) {
    return nullptr;
  }
}

int sbscan_scanner_feed_json(sbscan_scanner* s, const char* record, size_t len) {
  if (s == nullptr || (record == nullptr && len > 0)) return SBSCAN_ERR_INVALID_ARGUMENT;
  return Call(s, [&] {
    // simdjson reads up to 64 bytes past the record: copy into a zero-padded buffer.
    constexpr size_t kPadding = 64;
    if (s->padded.size() < len + kPadding) s->padded.resize(len + kPadding);
    if (len > 0) std::memcpy(s->padded.data(), record, len);
    std::memset(s->padded.data() + len, 0, kPadding);
    s->scanner->CountBytes(len);
    s->scanner->AddJsonRecord(std::string_view(s->padded.data(), len), s->padded.size(),
                              s->Next());
  });
}

int sbscan_scanner_feed_xml(sbscan_scanner* s, const char* record, size_t len) {
  if (s == nullptr || (record == nullptr && len > 0)) return SBSCAN_ERR_INVALID_ARGUMENT;
  return Call(s, [&] {
    s->scanner->CountBytes(len);
    s->scanner->AddXmlRecord(std::string_view(record == nullptr ? "" : record, len), s->Next());
  });
}

void sbscan_event_init(sbscan_event* event) {
  if (event == nullptr) return;
  std::memset(event, 0, sizeof(*event));
  event->event_id = -1;
  event->level = -1;
  event->record_id = -1;
  event->process_id = -1;
  event->message_number = -1;
  event->message_total = -1;
}

int sbscan_scanner_feed_event(sbscan_scanner* s, const sbscan_event* e) {
  if (s == nullptr || e == nullptr) return SBSCAN_ERR_INVALID_ARGUMENT;
  for (sbscan_string str : {e->provider, e->channel, e->computer, e->time_created, e->user_id,
                            e->script_block_id, e->script_block_text, e->path, e->context_info,
                            e->payload, e->user_data}) {
    if (!ValidString(str)) return SBSCAN_ERR_INVALID_ARGUMENT;
  }
  return Call(s, [&] {
    sbscan::Event event;
    event.event_id = e->event_id;
    event.provider = View(e->provider);
    event.channel = View(e->channel);
    event.computer = View(e->computer);
    event.time_created = View(e->time_created);
    event.level = e->level;
    event.record_id = e->record_id;
    event.user_id = View(e->user_id);
    event.process_id = e->process_id;
    event.script_block_id = View(e->script_block_id);
    event.message_number = e->message_number;
    event.message_total = e->message_total;
    event.script_block_text = View(e->script_block_text);
    event.path = View(e->path);
    event.context_info = View(e->context_info);
    event.payload = View(e->payload);
    event.user_data = View(e->user_data);
    event.source = s->Next();
    s->scanner->AddEvent(event);
  });
}

int sbscan_scanner_flush(sbscan_scanner* s) {
  if (s == nullptr) return SBSCAN_ERR_INVALID_ARGUMENT;
  return Call(s, [&] { s->scanner->Finish(); });
}

int sbscan_scanner_flush_idle(sbscan_scanner* s) {
  if (s == nullptr) return SBSCAN_ERR_INVALID_ARGUMENT;
  return Call(s, [&] { s->scanner->FlushIdle(); });
}

size_t sbscan_scanner_open_blocks(const sbscan_scanner* s) {
  return s == nullptr ? 0 : s->scanner->open_blocks();
}

// Every counter of sbscan::Stats is copied below; adding one there must add it to sbscan_stats.
static_assert(sizeof(sbscan::Stats) == 33 * sizeof(uint64_t),
              "sbscan::Stats changed: update sbscan_stats and sbscan_scanner_stats");
static_assert(sizeof(sbscan_stats) == 34 * sizeof(uint64_t), "sbscan_stats layout");

int sbscan_scanner_stats(const sbscan_scanner* s, sbscan_stats* out) {
  if (s == nullptr || out == nullptr) return SBSCAN_ERR_INVALID_ARGUMENT;
  try {
    sbscan::Stats st = s->scanner->stats();
    std::memset(out, 0, sizeof(*out));
    out->records = st.records;
    out->bytes = st.bytes;
    out->events_4104 = st.events_4104;
    out->events_4103 = st.events_4103;
    out->events_session = st.events_session;
    out->transcript_commands = st.transcript_commands;
    out->passed_by = st.passed_by;
    out->malformed = st.malformed;
    const sbscan::ReassemblyStats& r = st.reassembly;
    out->fragments = r.fragments;
    out->fragments_in_blocks = r.fragments_in_blocks;
    out->blocks_complete = r.blocks_complete;
    out->blocks_partial = r.blocks_partial;
    out->partial_window = r.partial_window;
    out->partial_memory = r.partial_memory;
    out->partial_end_of_input = r.partial_end_of_input;
    out->duplicates_exact = r.duplicates_exact;
    out->duplicates_conflicting = r.duplicates_conflicting;
    out->late_fragments = r.late_fragments;
    out->rejected_no_id = r.rejected_no_id;
    out->rejected_bad_number = r.rejected_bad_number;
    out->open_blocks_peak = r.open_blocks_peak;
    out->open_bytes_peak = r.open_bytes_peak;
    const sbscan::AnalysisStats& a = st.analysis;
    out->blocks_analyzed = a.blocks;
    out->text_bytes = a.text_bytes;
    out->layers_decoded = a.layers_decoded;
    out->decoded_bytes = a.decoded_bytes;
    out->decode_malformed = a.decode_malformed;
    out->decode_depth_limit = a.decode_depth_limit;
    out->decode_bytes_limit = a.decode_bytes_limit;
    out->decode_candidate_limit = a.decode_candidate_limit;
    out->obfuscation_scored = a.obfuscation_scored;
    out->obfuscated = a.obfuscated;
    out->alerts = a.alerts;
    out->alerts_suppressed = s->suppressed;
    return SBSCAN_OK;
  } catch (...) {
    return SBSCAN_ERR_INTERNAL;
  }
}

void sbscan_scanner_free(sbscan_scanner* s) {
  try {
    delete s;
  } catch (...) {
  }
}

}  // extern "C"
