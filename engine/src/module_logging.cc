#include "engine/src/module_logging.h"

#include <array>

#include "engine/src/ascii.h"

namespace sbscan {
namespace {

using Field = std::string_view ModuleContext::*;

struct KeyAlias {
  std::string_view key;
  Field field;
};

// English keys as PowerShell writes them, and German ones (de-DE Windows). Compared
// case-insensitively.
constexpr KeyAlias kContextKeys[] = {
    {"Severity", &ModuleContext::severity},
    {"Host Name", &ModuleContext::host_name},
    {"Host Version", &ModuleContext::host_version},
    {"Host ID", &ModuleContext::host_id},
    {"Host Application", &ModuleContext::host_application},
    {"Engine Version", &ModuleContext::engine_version},
    {"Runspace ID", &ModuleContext::runspace_id},
    {"Pipeline ID", &ModuleContext::pipeline_id},
    {"Command Name", &ModuleContext::command_name},
    {"Command Type", &ModuleContext::command_type},
    {"Script Name", &ModuleContext::script_name},
    {"Command Path", &ModuleContext::command_path},
    {"Sequence Number", &ModuleContext::sequence_number},
    {"User", &ModuleContext::user},
    {"Connected User", &ModuleContext::connected_user},
    {"Shell ID", &ModuleContext::shell_id},
    // de-DE
    {"Schweregrad", &ModuleContext::severity},
    {"Hostname", &ModuleContext::host_name},
    {"Hostversion", &ModuleContext::host_version},
    {"Host-ID", &ModuleContext::host_id},
    {"Hostanwendung", &ModuleContext::host_application},
    {"Modulversion", &ModuleContext::engine_version},
    {"Runspace-ID", &ModuleContext::runspace_id},
    {"Pipeline-ID", &ModuleContext::pipeline_id},
    {"Befehlsname", &ModuleContext::command_name},
    {"Befehlstyp", &ModuleContext::command_type},
    {"Skriptname", &ModuleContext::script_name},
    {"Befehlspfad", &ModuleContext::command_path},
    {"Sequenznummer", &ModuleContext::sequence_number},
    {"Benutzer", &ModuleContext::user},
    {"Verbundener Benutzer", &ModuleContext::connected_user},
    {"Shell-ID", &ModuleContext::shell_id},
};

// The order PowerShell writes ContextInfo in (Connected User is absent in older versions).
constexpr std::array<Field, 16> kContextOrder = {
    &ModuleContext::severity,        &ModuleContext::host_name,
    &ModuleContext::host_version,    &ModuleContext::host_id,
    &ModuleContext::host_application, &ModuleContext::engine_version,
    &ModuleContext::runspace_id,     &ModuleContext::pipeline_id,
    &ModuleContext::command_name,    &ModuleContext::command_type,
    &ModuleContext::script_name,     &ModuleContext::command_path,
    &ModuleContext::sequence_number, &ModuleContext::user,
    &ModuleContext::connected_user,  &ModuleContext::shell_id,
};

constexpr KeyAlias kDetailKeys[] = {
    {"HostName", &ModuleContext::host_name},
    {"HostVersion", &ModuleContext::host_version},
    {"HostId", &ModuleContext::host_id},
    {"HostApplication", &ModuleContext::host_application},
    {"EngineVersion", &ModuleContext::engine_version},
    {"RunspaceId", &ModuleContext::runspace_id},
    {"PipelineId", &ModuleContext::pipeline_id},
    {"CommandName", &ModuleContext::command_name},
    {"CommandType", &ModuleContext::command_type},
    {"ScriptName", &ModuleContext::script_name},
    {"CommandPath", &ModuleContext::command_path},
    {"SequenceNumber", &ModuleContext::sequence_number},
    {"UserId", &ModuleContext::user},
};

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Calls fn(line) for each line (without "\n"; a trailing "\r" is left to the caller).
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    fn(text.substr(i, nl - i));
    i = nl + 1;
  }
}

void ParseKeyValueLines(std::string_view text, std::string_view separator,
                        const KeyAlias* keys, size_t num_keys, ModuleContext* out) {
  ForEachLine(text, [&](std::string_view line) {
    size_t sep = line.find(separator);
    if (sep == std::string_view::npos) return;
    std::string_view key = TrimSpaces(line.substr(0, sep));
    // Values keep inner spaces; only the line end and the separator's padding go.
    std::string_view value = line.substr(sep + separator.size());
    if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
    if (key.empty()) return;
    ++out->lines;
    for (size_t k = 0; k < num_keys; ++k) {
      if (EqualsIgnoreCaseAscii(key, keys[k].key)) {
        out->*(keys[k].field) = value;
        ++out->known;
        return;
      }
    }
    if (out->unknown.size() < ModuleContext::kMaxUnknownFields) {
      out->unknown.push_back({key, value});
    }
  });
}

void ClearContext(ModuleContext* out) {
  std::vector<ContextField> unknown = std::move(out->unknown);
  unknown.clear();
  *out = ModuleContext{};
  out->unknown = std::move(unknown);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

struct PayloadPrefix {
  std::string_view word;
  PayloadKind kind;
};
constexpr PayloadPrefix kPayloadPrefixes[] = {
    {"CommandInvocation(", PayloadKind::kCommandInvocation},
    {"ParameterBinding(", PayloadKind::kParameterBinding},
    {"TerminatingError(", PayloadKind::kTerminatingError},
    {"NonTerminatingError(", PayloadKind::kNonTerminatingError},
};

// If `text` at `pos` starts an entry "Kind(Name): ", returns true with its parts.
bool EntryAt(std::string_view text, size_t pos, PayloadKind* kind, std::string_view* command,
             size_t* body) {
  std::string_view rest = text.substr(pos);
  for (const PayloadPrefix& p : kPayloadPrefixes) {
    if (!StartsWith(rest, p.word)) continue;
    size_t close = rest.find("): ", p.word.size());
    size_t nl = rest.find('\n');
    if (close == std::string_view::npos || (nl != std::string_view::npos && close > nl)) {
      return false;
    }
    *kind = p.kind;
    *command = rest.substr(p.word.size(), close - p.word.size());
    *body = pos + close + 3;
    return true;
  }
  return false;
}

std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

ModuleContext ParseContextInfo(std::string_view context_info) {
  ModuleContext context;
  ParseContextInfo(context_info, &context);
  return context;
}

void ParseContextInfo(std::string_view context_info, ModuleContext* out) {
  ClearContext(out);
  ParseKeyValueLines(context_info, " = ", kContextKeys, std::size(kContextKeys), out);
  if (out->known == 0 && (out->lines == 15 || out->lines == 16) &&
      out->unknown.size() == out->lines) {
    // An unknown language: PowerShell writes the fields in a fixed order.
    size_t j = 0;
    for (size_t i = 0; i < kContextOrder.size() && j < out->unknown.size(); ++i) {
      if (out->lines == 15 && kContextOrder[i] == &ModuleContext::connected_user) continue;
      out->*(kContextOrder[i]) = out->unknown[j++].value;
    }
  }
}

void ParseEngineDetails(std::string_view details, ModuleContext* out) {
  ClearContext(out);
  ParseKeyValueLines(details, "=", kDetailKeys, std::size(kDetailKeys), out);
}

bool IsRemoteSession(const ModuleContext& context) {
  if (EqualsIgnoreCaseAscii(TrimSpaces(context.host_name), "ServerRemoteHost")) return true;
  return ContainsIgnoreCaseAscii(context.host_application, "wsmprovhost.exe");
}

std::string_view PayloadKindName(PayloadKind kind) {
  switch (kind) {
    case PayloadKind::kCommandInvocation:
      return "CommandInvocation";
    case PayloadKind::kParameterBinding:
      return "ParameterBinding";
    case PayloadKind::kTerminatingError:
      return "TerminatingError";
    case PayloadKind::kNonTerminatingError:
      return "NonTerminatingError";
    case PayloadKind::kOther:
      return "Other";
  }
  return "Other";
}

std::vector<PayloadItem> ParsePayload(std::string_view payload) {
  std::vector<PayloadItem> items;
  ParsePayload(payload, &items);
  return items;
}

void ParsePayload(std::string_view payload, std::vector<PayloadItem>* items, size_t max_items,
                  size_t* dropped) {
  items->clear();
  if (dropped != nullptr) *dropped = 0;
  // Entry starts: offset 0 and every line start with a known prefix.
  struct Start {
    size_t pos;
    PayloadKind kind;
    std::string_view command;
    size_t body;
  };
  auto emit = [&](PayloadItem item) {
    if (items->size() < max_items) {
      items->push_back(item);
    } else if (dropped != nullptr) {
      ++*dropped;
    }
  };
  auto finish = [&](const Start& s, size_t end) {
    // Entry text [s.body, end) without its line end.
    std::string_view body = payload.substr(s.body, end - s.body);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
    PayloadItem item;
    item.kind = s.kind;
    item.command = s.command;
    item.offset = s.pos;
    if (s.kind == PayloadKind::kParameterBinding) {
      // name="X"; value="Y"
      constexpr std::string_view kValue = "\"; value=\"";
      size_t v = body.find(kValue);
      if (StartsWith(body, "name=\"") && v != std::string_view::npos) {
        item.name = body.substr(6, v - 6);
        std::string_view value = body.substr(v + kValue.size());
        if (!value.empty() && value.back() == '"') value.remove_suffix(1);
        item.value = value;
      } else {
        item.value = body;
      }
    } else if (s.kind == PayloadKind::kOther) {
      item.value = body;
    } else {
      item.value = Unquote(body);
    }
    if (s.kind == PayloadKind::kOther && TrimSpaces(body).empty()) return;
    emit(item);
  };

  Start current{0, PayloadKind::kOther, {}, 0};
  bool have = false;
  size_t pos = 0;
  while (pos <= payload.size()) {
    PayloadKind kind;
    std::string_view command;
    size_t body;
    if (pos < payload.size() && EntryAt(payload, pos, &kind, &command, &body)) {
      if (have || pos > 0) finish(current, pos);
      current = {pos, kind, command, body};
      have = true;
    } else if (!have && pos == 0) {
      current = {0, PayloadKind::kOther, {}, 0};
      have = true;
    }
    size_t nl = payload.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (have) finish(current, payload.size());
}

std::string_view ScanPieceSourceName(ScanPiece::Source source) {
  switch (source) {
    case ScanPiece::Source::kCommandName:
      return "command_name";
    case ScanPiece::Source::kParameterValue:
      return "parameter_value";
    case ScanPiece::Source::kHostApplication:
      return "host_application";
    case ScanPiece::Source::kScriptName:
      return "script_name";
  }
  return "unknown";
}

void BuildModuleScanText(const ModuleContext& context, const std::vector<PayloadItem>& payload,
                         ModuleScanText* out) {
  out->text.clear();
  out->pieces.clear();
  auto add = [&](ScanPiece::Source source, std::string_view text, size_t item) {
    if (TrimSpaces(text).empty()) return;
    if (!out->text.empty()) out->text.push_back('\n');
    ScanPiece piece{source, out->text.size(), text.size(), item};
    out->text.append(text.data(), text.size());
    out->pieces.push_back(piece);
  };
  std::string_view command = TrimSpaces(context.command_name);
  add(ScanPiece::Source::kCommandName, command, SIZE_MAX);
  for (size_t i = 0; i < payload.size(); ++i) {
    const PayloadItem& item = payload[i];
    if (item.kind == PayloadKind::kCommandInvocation && item.command != command) {
      add(ScanPiece::Source::kCommandName, item.command, i);
    } else if (item.kind == PayloadKind::kParameterBinding) {
      add(ScanPiece::Source::kParameterValue, item.value, i);
    }
  }
  add(ScanPiece::Source::kScriptName, TrimSpaces(context.script_name), SIZE_MAX);
  add(ScanPiece::Source::kHostApplication, TrimSpaces(context.host_application), SIZE_MAX);
}

}  // namespace sbscan
