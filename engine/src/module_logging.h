// sbscan: PowerShell module logging (Event 4103) and the classic log's engine details
// (400/403/800): ContextInfo, Payload, and the text to scan for such an event.
#ifndef SBSCAN_ENGINE_SRC_MODULE_LOGGING_H_
#define SBSCAN_ENGINE_SRC_MODULE_LOGGING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sbscan {

// A key/value line that is not one of the known keys (kept, e.g. for localized logs).
struct ContextField {
  std::string_view key;
  std::string_view value;
};

// The fields of a 4103 ContextInfo (lines "        Key = Value", CR LF or LF). Views borrow
// from the parsed text; absent fields are empty.
struct ModuleContext {
  std::string_view severity;
  std::string_view host_name;         // "ConsoleHost", "ServerRemoteHost" (remoting), ...
  std::string_view host_version;
  std::string_view host_id;
  std::string_view host_application;  // the host's command line
  std::string_view engine_version;
  std::string_view runspace_id;
  std::string_view pipeline_id;
  std::string_view command_name;
  std::string_view command_type;
  std::string_view script_name;
  std::string_view command_path;
  std::string_view sequence_number;
  std::string_view user;
  std::string_view connected_user;
  std::string_view shell_id;
  std::vector<ContextField> unknown;  // other keys, in order, at most kMaxUnknownFields
  size_t lines = 0;                   // key/value lines seen
  size_t known = 0;                   // of which had a known key (English or an alias)

  static constexpr size_t kMaxUnknownFields = 64;
};

// Parses a 4103 ContextInfo. Known keys are matched case-insensitively in English and in a
// few localized spellings (German); other keys land in `unknown`. When no key is known and
// the text has exactly 15 or 16 lines (the fixed order PowerShell writes, with or without
// "Connected User"), fields are assigned by position. Lines without " = " are ignored. Never
// fails; the result borrows from `context_info`. Thread-safe (no shared state).
ModuleContext ParseContextInfo(std::string_view context_info);
// Same, reusing *out's vector (cleared first).
void ParseContextInfo(std::string_view context_info, ModuleContext* out);

// Parses the engine-state details of the classic Windows PowerShell log (events 400, 403,
// 600, 800: lines "\tHostName=ConsoleHost", "\tHostApplication=…", "\tCommandLine=…") into
// the same fields (HostName, HostVersion, HostId, HostApplication, EngineVersion, RunspaceId,
// PipelineId, CommandName, CommandType, ScriptName, CommandPath, SequenceNumber, UserId →
// user); other keys (NewEngineState, CommandLine, …) land in `unknown`. Borrows from `details`.
void ParseEngineDetails(std::string_view details, ModuleContext* out);

// True when the context shows a PowerShell remoting session: Host Name ServerRemoteHost or a
// host application that is wsmprovhost.exe (case-insensitive).
bool IsRemoteSession(const ModuleContext& context);

// One line (entry) of a 4103 Payload.
enum class PayloadKind : uint8_t {
  kCommandInvocation,    // CommandInvocation(Name): "Name"
  kParameterBinding,     // ParameterBinding(Name): name="X"; value="Y"
  kTerminatingError,     // TerminatingError(Name): "message"
  kNonTerminatingError,  // NonTerminatingError(Name): "message"
  kOther,                // text that is none of these (e.g. a "Context:" block)
};
std::string_view PayloadKindName(PayloadKind kind);

struct PayloadItem {
  PayloadKind kind = PayloadKind::kOther;
  std::string_view command;  // the name in parentheses
  std::string_view name;     // parameter name (kParameterBinding)
  std::string_view value;    // parameter value, invoked name, or error message; unquoted
  size_t offset = 0;         // byte offset of the entry in the payload
};

// Splits a 4103 Payload into entries. An entry starts at the beginning of the text or of a
// line with one of the four "Kind(Name): " prefixes and runs to the next such line: values
// may span lines (CR LF inside a parameter value is kept) and contain quotes (the value runs
// to the last '"' of the entry). At most `max_items` entries are returned (the rest are
// counted in *dropped when non-null). A value that itself contains a line starting with such
// a prefix is split there: the text is still all covered by the items. Borrows from `payload`.
// Thread-safe.
std::vector<PayloadItem> ParsePayload(std::string_view payload);
void ParsePayload(std::string_view payload, std::vector<PayloadItem>* items,
                  size_t max_items = 4096, size_t* dropped = nullptr);

// One piece of the text built for scanning a 4103/800 event.
struct ScanPiece {
  enum class Source : uint8_t {
    kCommandName,      // ContextInfo Command Name, or a CommandInvocation name
    kParameterValue,   // a ParameterBinding value
    kHostApplication,  // ContextInfo Host Application (the host's command line)
    kScriptName,       // ContextInfo Script Name
  };
  Source source;
  size_t offset = 0;  // in ModuleScanText::text
  size_t length = 0;
  size_t payload_item = SIZE_MAX;  // index into the payload items, when from the payload
};
std::string_view ScanPieceSourceName(ScanPiece::Source source);

// The text to scan for a module-logging event: the command name, every invoked command name
// that differs from it, every parameter value, the script name and the Host Application
// command line, each on its own line ("\n"-joined, byte-exact otherwise). Error messages
// (TerminatingError) are not included: they echo text, they do not run it. `pieces` maps
// each part back to its source, so an alert can say which field matched.
struct ModuleScanText {
  std::string text;
  std::vector<ScanPiece> pieces;
};
// Builds it; *out is cleared first (its capacity reused). Thread-safe.
void BuildModuleScanText(const ModuleContext& context, const std::vector<PayloadItem>& payload,
                         ModuleScanText* out);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_MODULE_LOGGING_H_
