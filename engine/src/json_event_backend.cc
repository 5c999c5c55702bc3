// The JSON walker, compiled once per instruction set (SBSCAN_SIMD_NS = haswell or fallback:
// simdjson On-Demand is specialised at compile time) and picked at run time by
// json_event_parser.cc. Keep this file's includes minimal: it may be built with -mavx2.
#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/src/json_event_parser.h"

#include "engine/src/ascii.h"

namespace sbscan::SBSCAN_SIMD_NS {
namespace {

namespace od = simdjson::ondemand;
#define SBSCAN_STRINGIFY2(x) #x
#define SBSCAN_STRINGIFY(x) SBSCAN_STRINGIFY2(x)
using simdjson::error_code;

// The key as written between its quotes (no unescaping: the names we look for have no escapes,
// so an escaped key simply matches nothing).
std::string_view RawKey(od::field& field) {
  const char* begin = field.key().raw();
  const char* end = begin;
  while (*end != '"') end += (*end == '\\') ? 2 : 1;
  return std::string_view(begin, end - begin);
}

// A string value, or empty for null. Other types are an error.
error_code GetString(od::value value, std::string_view* out) {
  od::json_type type;
  if (auto err = value.type().get(type)) return err;
  if (type == od::json_type::null) {
    *out = {};
    return simdjson::SUCCESS;
  }
  return value.get_string().get(*out);
}

// An integer written as a JSON number or as a decimal string ("4104"); null leaves *out alone.
// An object {"#text": N} (evtx_dump with attributes) is looked into.
error_code GetInt(od::value value, int64_t* out) {
  od::json_type type;
  if (auto err = value.type().get(type)) return err;
  switch (type) {
    case od::json_type::number: {
      int64_t n;
      if (auto err = value.get_int64().get(n)) return err;
      *out = n;
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto err = value.get_string().get(s)) return err;
      int64_t n;
      if (ParseDecimal(s, &n)) *out = n;
      return simdjson::SUCCESS;
    }
    case od::json_type::object: {
      od::object object;
      if (auto err = value.get_object().get(object)) return err;
      for (auto field_result : object) {
        od::field field;
        if (auto err = std::move(field_result).get(field)) return err;
        if (RawKey(field) == "#text") return GetInt(field.value(), out);
      }
      return simdjson::SUCCESS;
    }
    default:
      return simdjson::SUCCESS;
  }
}

error_code GetInt32(od::value value, int32_t* out) {
  int64_t n = *out;
  if (auto err = GetInt(value, &n)) return err;
  if (n >= INT32_MIN && n <= INT32_MAX) *out = static_cast<int32_t>(n);
  return simdjson::SUCCESS;
}

// Level as a number, a decimal string, or a rendered name ("warning", "WARNING", "Verbose").
error_code GetLevel(od::value value, int32_t* out) {
  od::json_type type;
  if (auto err = value.type().get(type)) return err;
  if (type != od::json_type::string) return GetInt32(value, out);
  std::string_view s;
  if (auto err = value.get_string().get(s)) return err;
  int32_t n;
  if (ParseDecimal(s, &n)) {
    *out = n;
  } else if (EqualsIgnoreCaseAscii(s, "critical")) {
    *out = 1;
  } else if (EqualsIgnoreCaseAscii(s, "error")) {
    *out = 2;
  } else if (EqualsIgnoreCaseAscii(s, "warning")) {
    *out = 3;
  } else if (EqualsIgnoreCaseAscii(s, "information") || EqualsIgnoreCaseAscii(s, "info")) {
    *out = 4;
  } else if (EqualsIgnoreCaseAscii(s, "verbose")) {
    *out = 5;
  }
  return simdjson::SUCCESS;
}

#define SBSCAN_JSON_TRY(expr)            \
  do {                                   \
    if (error_code err_ = (expr)) return err_; \
  } while (0)

// Calls visit(key, value) for each member of an object value.
template <typename Visit>
error_code ForEachField(od::value value, Visit&& visit) {
  od::object object;
  SBSCAN_JSON_TRY(value.get_object().get(object));
  for (auto field_result : object) {
    od::field field;
    SBSCAN_JSON_TRY(std::move(field_result).get(field));
    SBSCAN_JSON_TRY(visit(RawKey(field), field.value()));
  }
  return simdjson::SUCCESS;
}

// Same, for the value found under `key` of an object: `{"#attributes": {...}}` helpers.
template <typename Visit>
error_code ForEachFieldOf(od::value value, std::string_view key, Visit&& visit) {
  return ForEachField(value, [&](std::string_view k, od::value v) -> error_code {
    return k == key ? ForEachField(v, visit) : simdjson::SUCCESS;
  });
}

// The EventData names, shared by the flat, NXLog, Winlogbeat and evtx_dump shapes.
// Returns true when `key` was one of them.
bool EventDataField(std::string_view key, od::value value, Event* e, error_code* err) {
  if (key == "ScriptBlockText") {
    *err = GetString(value, &e->script_block_text);
  } else if (key == "ScriptBlockId") {
    *err = GetString(value, &e->script_block_id);
  } else if (key == "MessageNumber") {
    *err = GetInt32(value, &e->message_number);
  } else if (key == "MessageTotal") {
    *err = GetInt32(value, &e->message_total);
  } else if (key == "Path") {
    *err = GetString(value, &e->path);
  } else if (key == "ContextInfo") {
    *err = GetString(value, &e->context_info);
  } else if (key == "Payload") {
    *err = GetString(value, &e->payload);
  } else if (key == "UserData") {
    *err = GetString(value, &e->user_data);
  } else {
    return false;
  }
  return true;
}

error_code WalkEventData(od::value value, Event* e) {
  return ForEachField(value, [e](std::string_view key, od::value v) -> error_code {
    error_code err = simdjson::SUCCESS;
    EventDataField(key, v, e, &err);
    return err;
  });
}

error_code WalkWinlog(od::value value, Event* e) {
  return ForEachField(value, [e](std::string_view key, od::value v) -> error_code {
    if (key == "event_data") return WalkEventData(v, e);
    if (key == "channel") return GetString(v, &e->channel);
    if (key == "computer_name") return GetString(v, &e->computer);
    if (key == "event_id") return GetInt32(v, &e->event_id);
    if (key == "record_id") return GetInt(v, &e->record_id);
    if (key == "provider_name") return GetString(v, &e->provider);
    if (key == "process") {
      return ForEachField(v, [e](std::string_view k, od::value pv) -> error_code {
        return k == "pid" ? GetInt(pv, &e->process_id) : simdjson::SUCCESS;
      });
    }
    if (key == "user") {
      return ForEachField(v, [e](std::string_view k, od::value uv) -> error_code {
        return k == "identifier" ? GetString(uv, &e->user_id) : simdjson::SUCCESS;
      });
    }
    return simdjson::SUCCESS;
  });
}

error_code WalkPowershell(od::value value, Event* e) {
  return ForEachField(value, [e](std::string_view key, od::value v) -> error_code {
    if (key == "sequence") return GetInt32(v, &e->message_number);
    if (key == "total") return GetInt32(v, &e->message_total);
    if (key == "file") {
      return ForEachField(v, [e](std::string_view k, od::value fv) -> error_code {
        if (k == "script_block_text") return GetString(fv, &e->script_block_text);
        if (k == "script_block_id") return GetString(fv, &e->script_block_id);
        return simdjson::SUCCESS;
      });
    }
    return simdjson::SUCCESS;
  });
}

error_code WalkEvtxSystem(od::value value, Event* e) {
  return ForEachField(value, [e](std::string_view key, od::value v) -> error_code {
    if (key == "EventID") return GetInt32(v, &e->event_id);
    if (key == "Channel") return GetString(v, &e->channel);
    if (key == "Computer") return GetString(v, &e->computer);
    if (key == "Level") return GetLevel(v, &e->level);
    if (key == "EventRecordID") return GetInt(v, &e->record_id);
    if (key == "TimeCreated") {
      return ForEachFieldOf(v, "#attributes", [e](std::string_view k, od::value a) {
        return k == "SystemTime" ? GetString(a, &e->time_created) : simdjson::SUCCESS;
      });
    }
    if (key == "Provider") {
      return ForEachFieldOf(v, "#attributes", [e](std::string_view k, od::value a) {
        return k == "Name" ? GetString(a, &e->provider) : simdjson::SUCCESS;
      });
    }
    if (key == "Execution") {
      return ForEachFieldOf(v, "#attributes", [e](std::string_view k, od::value a) {
        return k == "ProcessID" ? GetInt(a, &e->process_id) : simdjson::SUCCESS;
      });
    }
    if (key == "Security") {
      return ForEachFieldOf(v, "#attributes", [e](std::string_view k, od::value a) {
        return k == "UserID" ? GetString(a, &e->user_id) : simdjson::SUCCESS;
      });
    }
    return simdjson::SUCCESS;
  });
}

error_code WalkEvtxEvent(od::value value, Event* e) {
  return ForEachField(value, [e](std::string_view key, od::value v) -> error_code {
    if (key == "System") return WalkEvtxSystem(v, e);
    if (key == "EventData") return WalkEventData(v, e);
    return simdjson::SUCCESS;
  });
}

class Backend final : public JsonEventParser::Backend {
 public:
  JsonParseResult Parse(std::string_view line, size_t capacity, Event* event) override;
  std::string_view name() const override { return SBSCAN_STRINGIFY(SBSCAN_SIMD_NS); }
  void SetFieldMappings(const std::vector<JsonFieldMapping>& mappings) override {
    mappings_ = mappings;
    values_.assign(mappings.size(), std::string());
    found_.assign(mappings.size(), false);
  }

 private:
  // Looks up every --field mapping, copying the values (the walk that follows reuses the
  // parser's string buffer).
  error_code LookUpMappings(od::document& doc);
  void ApplyMappings(Event* e);

  od::parser parser_;
  std::vector<JsonFieldMapping> mappings_;
  std::vector<std::string> values_;
  std::vector<bool> found_;
};

error_code Backend::LookUpMappings(od::document& doc) {
  for (size_t i = 0; i < mappings_.size(); ++i) {
    found_[i] = false;
    od::value v;
    if (doc.at_pointer(mappings_[i].pointer).get(v) != simdjson::SUCCESS) continue;
    od::json_type type;
    if (v.type().get(type)) continue;
    if (type == od::json_type::string) {
      std::string_view s;
      if (v.get_string().get(s)) continue;
      values_[i].assign(s);
    } else if (type == od::json_type::number) {
      int64_t n;
      if (v.get_int64().get(n)) continue;
      values_[i] = std::to_string(n);
    } else {
      continue;
    }
    found_[i] = true;
  }
  doc.rewind();
  return simdjson::SUCCESS;
}

void Backend::ApplyMappings(Event* e) {
  for (size_t i = 0; i < mappings_.size(); ++i) {
    if (!found_[i]) continue;
    const std::string& name = mappings_[i].name;
    std::string_view v = values_[i];
    auto set_int = [&](auto* field) {
      auto n = *field;
      if (ParseDecimal(v, &n)) *field = n;
    };
    if (name == "EventID") set_int(&e->event_id);
    else if (name == "Provider") e->provider = v;
    else if (name == "Channel") e->channel = v;
    else if (name == "Computer") e->computer = v;
    else if (name == "TimeCreated") e->time_created = v;
    else if (name == "Level") set_int(&e->level);
    else if (name == "EventRecordID") set_int(&e->record_id);
    else if (name == "UserID") e->user_id = v;
    else if (name == "ProcessID") set_int(&e->process_id);
    else if (name == "ScriptBlockId") e->script_block_id = v;
    else if (name == "MessageNumber") set_int(&e->message_number);
    else if (name == "MessageTotal") set_int(&e->message_total);
    else if (name == "ScriptBlockText") e->script_block_text = v;
    else if (name == "Path") e->path = v;
    else if (name == "ContextInfo") e->context_info = v;
    else if (name == "Payload") e->payload = v;
  }
}

}  // namespace

std::unique_ptr<JsonEventParser::Backend> MakeJsonBackend() { return std::make_unique<Backend>(); }

JsonParseResult Backend::Parse(std::string_view line, size_t capacity, Event* event) {
  JsonParseResult result;
  od::document doc;
  if (auto err = parser_.iterate(line.data(), line.size(), capacity).get(doc)) {
    result.error = simdjson::error_message(err);
    return result;
  }
  if (!mappings_.empty()) LookUpMappings(doc);
  od::object top;
  if (auto err = doc.get_object().get(top)) {
    result.error = err == simdjson::INCORRECT_TYPE ? "not a JSON object"
                                                   : simdjson::error_message(err);
    return result;
  }
  Event& e = *event;
  std::string_view host_name;       // ECS host.name: a fallback for the computer name
  std::string_view event_provider;  // ECS event.provider
  int32_t event_code = -1;          // ECS event.code
  bool flat_fields = false;
  for (auto field_result : top) {
    od::field field;
    error_code err = std::move(field_result).get(field);
    if (!err) {
      std::string_view key = RawKey(field);
      od::value v = field.value();
      if (key == "winlog") {
        result.shape = result.shape == JsonShape::kUnknown ? JsonShape::kWinlogbeat : result.shape;
        err = WalkWinlog(v, &e);
      } else if (key == "powershell") {
        result.shape = JsonShape::kElasticEcs;
        err = WalkPowershell(v, &e);
      } else if (key == "Event") {
        result.shape = JsonShape::kEvtxDump;
        err = WalkEvtxEvent(v, &e);
      } else if (key == "@timestamp") {
        if (e.time_created.empty()) err = GetString(v, &e.time_created);
      } else if (key == "file") {
        err = ForEachField(v, [&e](std::string_view k, od::value fv) -> error_code {
          return k == "path" ? GetString(fv, &e.path) : simdjson::SUCCESS;
        });
      } else if (key == "log") {
        err = ForEachField(v, [&e](std::string_view k, od::value lv) -> error_code {
          return k == "level" ? GetLevel(lv, &e.level) : simdjson::SUCCESS;
        });
      } else if (key == "event") {
        err = ForEachField(v, [&](std::string_view k, od::value ev) -> error_code {
          if (k == "code") return GetInt32(ev, &event_code);
          if (k == "provider") return GetString(ev, &event_provider);
          return simdjson::SUCCESS;
        });
      } else if (key == "host") {
        od::json_type type;
        err = v.type().get(type);
        if (!err && type == od::json_type::object) {
          err = ForEachField(v, [&](std::string_view k, od::value hv) -> error_code {
            return k == "name" ? GetString(hv, &host_name) : simdjson::SUCCESS;
          });
        }
      } else if (EventDataField(key, v, &e, &err)) {
        flat_fields = true;
      } else if (key == "EventID") {
        flat_fields = true;
        err = GetInt32(v, &e.event_id);
      } else if (key == "Computer" || key == "Hostname") {
        err = GetString(v, &e.computer);
      } else if (key == "Channel") {
        err = GetString(v, &e.channel);
      } else if (key == "Provider" || key == "SourceName" || key == "ProviderName") {
        err = GetString(v, &e.provider);
      } else if (key == "TimeCreated" || key == "EventTime") {
        err = GetString(v, &e.time_created);
      } else if (key == "Level" || key == "EventType") {
        err = GetLevel(v, &e.level);
      } else if (key == "EventRecordID" || key == "RecordNumber") {
        err = GetInt(v, &e.record_id);
      } else if (key == "ProcessID") {
        err = GetInt(v, &e.process_id);
      } else if (key == "UserID") {
        err = GetString(v, &e.user_id);
      }
    }
    if (err) {
      result.error = simdjson::error_message(err);
      return result;
    }
  }
  if (result.shape == JsonShape::kUnknown && flat_fields) result.shape = JsonShape::kFlat;
  if (e.event_id < 0) e.event_id = event_code;
  if (e.provider.empty()) e.provider = event_provider;
  if (e.computer.empty()) e.computer = host_name;
  if (!mappings_.empty()) ApplyMappings(&e);
  result.ok = true;
  return result;
}

}  // namespace sbscan::SBSCAN_SIMD_NS
