#include "tools/generator/winlogbeat_writer.h"

namespace sbscan::gen {
namespace {

// Days since 1970-01-01 to civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

inline char* Digits(char* p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + n;
}

constexpr std::string_view kProviderGuid = "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}";
constexpr std::string_view kProvider = "Microsoft-Windows-PowerShell";
constexpr std::string_view kChannel = "Microsoft-Windows-PowerShell/Operational";

void AppendEnvelopeStart(ByteBuffer& out, const BeatHost& h, Ticks time,
                         Ticks created, std::string_view action,
                         std::string_view code, std::string_view provider) {
  out.Append("{\"@timestamp\":\"");
  AppendTimestamp(out, time, false);
  out.Append(
      "\",\"@metadata\":{\"beat\":\"winlogbeat\",\"type\":\"_doc\","
      "\"version\":\"8.13.4\"},\"agent\":{\"ephemeral_id\":\"");
  out.Append(h.ephemeral_id);
  out.Append("\",\"id\":\"");
  out.Append(h.agent_id);
  out.Append("\",\"name\":\"");
  out.Append(h.agent_name);
  out.Append(
      "\",\"type\":\"winlogbeat\",\"version\":\"8.13.4\"},\"ecs\":{"
      "\"version\":\"8.0.0\"},\"event\":{\"action\":\"");
  out.Append(action);
  out.Append("\",\"code\":\"");
  out.Append(code);
  out.Append("\",\"created\":\"");
  AppendTimestamp(out, created, true);
  out.Append("\",\"kind\":\"event\",\"provider\":\"");
  out.Append(provider);
  out.Append("\"},\"host\":{\"name\":\"");
  out.Append(h.fqdn);
  out.Append("\"},\"log\":{\"level\":\"");
}

void AppendProcessAndTail(ByteBuffer& out, uint32_t pid, uint32_t tid,
                          bool with_guid, std::string_view provider,
                          uint64_t record_id, std::string_view task,
                          std::string_view user_sid, int version) {
  out.Append(",\"process\":{\"pid\":");
  out.AppendUint(pid);
  out.Append(",\"thread\":{\"id\":");
  out.AppendUint(tid);
  out.Append("}}");
  if (with_guid) {
    out.Append(",\"provider_guid\":\"");
    out.Append(kProviderGuid);
    out.Push('"');
  }
  out.Append(",\"provider_name\":\"");
  out.Append(provider);
  out.Append("\",\"record_id\":");
  out.AppendUint(record_id);
  out.Append(",\"task\":\"");
  out.Append(task);
  out.Push('"');
  if (!user_sid.empty()) {
    out.Append(",\"user\":{\"identifier\":\"");
    out.Append(user_sid);
    out.Append("\"}");
  }
  out.Append(",\"version\":");
  out.AppendUint(static_cast<uint64_t>(version));
  out.Append("}}\n");
}

}  // namespace

void AppendTimestamp(ByteBuffer& out, Ticks t, bool millis) {
  const int64_t secs = t / kTicksPerSecond;
  const int64_t frac = t % kTicksPerSecond;
  const int64_t days = secs / 86400;
  const int64_t sod = secs % 86400;
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  out.Reserve(32);
  char* p = out.Tail();
  char* const start = p;
  p = Digits(p, static_cast<uint64_t>(y), 4);
  *p++ = '-';
  p = Digits(p, m, 2);
  *p++ = '-';
  p = Digits(p, d, 2);
  *p++ = 'T';
  p = Digits(p, static_cast<uint64_t>(sod / 3600), 2);
  *p++ = ':';
  p = Digits(p, static_cast<uint64_t>(sod / 60 % 60), 2);
  *p++ = ':';
  p = Digits(p, static_cast<uint64_t>(sod % 60), 2);
  *p++ = '.';
  if (millis) {
    p = Digits(p, static_cast<uint64_t>(frac / 10000), 3);
  } else {
    p = Digits(p, static_cast<uint64_t>(frac), 7);
  }
  *p++ = 'Z';
  out.Advance(static_cast<size_t>(p - start));
}

void WriteScriptBlockEvent(ByteBuffer& out, const ScriptBlockEvent& e) {
  // Worst case: text escaped twice at 6x plus the envelope.
  out.Reserve(e.text.size() * 12 + e.path.size() * 12 + 2048);
  AppendEnvelopeStart(out, *e.host, e.time, e.created,
                      "Execute a Remote Command", "4104", kProvider);
  out.Append(e.warning ? std::string_view("warning")
                       : std::string_view("verbose"));
  out.Append("\"},\"message\":\"Creating Scriptblock text (");
  out.AppendUint(e.number);
  out.Append(" of ");
  out.AppendUint(e.total);
  out.Append("):\\n");
  AppendJsonEscaped(out, e.text, /*drop_cr=*/true);
  out.Append("\\n\\nScriptBlock ID: ");
  out.Append(e.script_block_id);
  out.Append("\\nPath: ");
  AppendJsonEscaped(out, e.path, /*drop_cr=*/true);
  out.Append("\",\"winlog\":{\"activity_id\":\"{");
  out.Append(e.activity_id);
  out.Append("}\",\"api\":\"wineventlog\",\"channel\":\"");
  out.Append(kChannel);
  out.Append("\",\"computer_name\":\"");
  out.Append(e.host->fqdn);
  out.Append("\",\"event_data\":{\"MessageNumber\":\"");
  out.AppendUint(e.number);
  out.Append("\",\"MessageTotal\":\"");
  out.AppendUint(e.total);
  out.Push('"');
  if (!e.path.empty()) {
    out.Append(",\"Path\":\"");
    AppendJsonEscaped(out, e.path, false);
    out.Push('"');
  }
  out.Append(",\"ScriptBlockId\":\"");
  out.Append(e.script_block_id);
  out.Push('"');
  if (!e.text.empty()) {
    out.Append(",\"ScriptBlockText\":\"");
    AppendJsonEscaped(out, e.text, false);
    out.Push('"');
  }
  out.Append("},\"event_id\":\"4104\",\"opcode\":\"On create calls\"");
  AppendProcessAndTail(out, e.pid, e.tid, true, kProvider, e.record_id,
                       "Execute a Remote Command", e.user_sid, 1);
}

void WriteOtherEvent(ByteBuffer& out, const OtherEvent& e) {
  std::string_view action, task, opcode, level = "information";
  std::string_view channel = kChannel, provider = kProvider;
  bool classic = false;
  int version = 1;
  switch (e.event_id) {
    case 4103:
      action = task = "Executing Pipeline";
      opcode = "To be used when operation is just executing a method";
      break;
    case 4105:
      action = task = "Starting Command";
      opcode = "On create calls";
      level = "verbose";
      break;
    case 4106:
      action = task = "Stopping Command";
      opcode = "On create calls";
      level = "verbose";
      break;
    case 40961:
      action = task = "PowerShell Console Startup";
      opcode = "Open (async)";
      break;
    case 40962:
      action = task = "PowerShell Console Startup";
      opcode = "Close (Async)";
      break;
    case 53504:
      action = task = "PowerShell Named Pipe IPC";
      opcode = "Open (async)";
      break;
    case 400:
    case 403:
      action = task = "Engine Lifecycle";
      opcode = "Info";
      classic = true;
      version = 0;
      break;
    default:  // 600
      action = task = "Provider Lifecycle";
      opcode = "Info";
      classic = true;
      version = 0;
      break;
  }
  if (classic) {
    channel = "Windows PowerShell";
    provider = "PowerShell";
  }
  size_t data_size = e.message.size();
  for (int i = 0; i < e.data_pairs * 2; ++i) data_size += e.data[i].size();
  out.Reserve(data_size * 6 + 2048);
  char code[12];
  char* p = Digits(code, static_cast<uint64_t>(e.event_id),
                   e.event_id >= 10000 ? 5 : (e.event_id >= 1000 ? 4 : 3));
  const std::string_view code_sv(code, static_cast<size_t>(p - code));
  AppendEnvelopeStart(out, *e.host, e.time, e.created, action, code_sv,
                      provider);
  out.Append(level);
  out.Append("\"},\"message\":\"");
  AppendJsonEscaped(out, e.message, /*drop_cr=*/true);
  out.Append("\",\"winlog\":{");
  if (!e.activity_id.empty()) {
    out.Append("\"activity_id\":\"{");
    out.Append(e.activity_id);
    out.Append("}\",");
  }
  out.Append("\"api\":\"wineventlog\",\"channel\":\"");
  out.Append(channel);
  out.Append("\",\"computer_name\":\"");
  out.Append(e.host->fqdn);
  out.Push('"');
  bool any = false;
  for (int i = 0; i < e.data_pairs; ++i) {
    if (e.data[2 * i + 1].empty()) continue;
    out.Append(any ? std::string_view(",\"") : std::string_view(",\"event_data\":{\""));
    any = true;
    out.Append(e.data[2 * i]);
    out.Append("\":\"");
    AppendJsonEscaped(out, e.data[2 * i + 1], false);
    out.Push('"');
  }
  if (any) out.Push('}');
  out.Append(",\"event_id\":\"");
  out.Append(code_sv);
  out.Append("\",\"opcode\":\"");
  out.Append(opcode);
  out.Push('"');
  AppendProcessAndTail(out, e.pid, e.tid, !classic, provider, e.record_id,
                       task, e.user_sid, version);
}

}  // namespace sbscan::gen
