// Throughput of XmlEventSplitter + XmlEventParser on a generated ~100 MB stream of realistic
// 4104 events (Get-WinEvent .ToXml() one per line, and one in four pretty-printed with
// RenderingInfo as Windows Event Forwarding writes it).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "engine/src/xml_event_parser.h"
#include "engine/src/xml_event_splitter.h"

namespace sbscan {
namespace {

constexpr size_t kStreamBytes = size_t{100} << 20;

struct Lcg {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint32_t Next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(s >> 33);
  }
  uint32_t Below(uint32_t n) { return Next() % n; }
};

// Script text, escaped as the Event Log API renders it: CR LF kept, < > & " ' as entities.
std::string ScriptText(Lcg* rng, size_t target) {
  static const char* kLines[] = {
      "$ErrorActionPreference = 'SilentlyContinue'",
      "function Get-Inventory { param([string]$ComputerName = $env:COMPUTERNAME)",
      "  Get-CimInstance -ClassName Win32_OperatingSystem -ComputerName $ComputerName |",
      "    Select-Object Caption, Version, LastBootUpTime",
      "if ($PSVersionTable.PSVersion.Major -lt 5) { Write-Warning \"old host\" }",
      "$items = Get-ChildItem -Path \"C:\\ProgramData\\Vendor\" -Recurse -Filter *.log",
      "foreach ($i in $items) { if ($i.Length -gt 10MB -and $i.LastWriteTime -lt (Get-Date).AddDays(-7)) { Remove-Item $i.FullName } }",
      "$wc = New-Object System.Net.WebClient; $wc.Headers.Add('User-Agent', 'Mozilla/5.0')",
      "$bytes = [System.Convert]::FromBase64String('SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA')",
      "Write-Output \"Grüße & <done>\" | Out-File -FilePath $log -Append -Encoding UTF8",
      "}",
      "# comment: nothing to see here",
  };
  std::string raw;
  while (raw.size() < target) {
    raw += kLines[rng->Below(std::size(kLines))];
    raw += "\r\n";
  }
  std::string out;
  out.reserve(raw.size() + raw.size() / 8);
  for (char c : raw) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void AppendEvent(Lcg* rng, uint64_t record, bool pretty, std::string* out) {
  // Sizes: mostly small blocks, some large (PowerShell cuts at 10,000–19,999 characters).
  uint32_t r = rng->Below(100);
  size_t size = r < 60 ? 200 + rng->Below(1500) : r < 90 ? 2000 + rng->Below(8000)
                                                          : 10000 + rng->Below(10000);
  std::string text = ScriptText(rng, size);
  const char* nl = pretty ? "\r\n  " : "";
  *out += "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>";
  *out += nl;
  *out += "<System><Provider Name='Microsoft-Windows-PowerShell' "
          "Guid='{a0c1853b-5c40-4b15-8766-3cf1c58f985a}'/><EventID>4104</EventID>"
          "<Version>1</Version><Level>";
  *out += (r % 3 == 0) ? "3" : "5";
  *out += "</Level><Task>2</Task><Opcode>15</Opcode><Keywords>0x0</Keywords>"
          "<TimeCreated SystemTime='2024-03-05T14:22:07.452187300Z'/><EventRecordID>";
  *out += std::to_string(record);
  *out += "</EventRecordID><Correlation ActivityID='{6c1a5e2b-0f3d-0004-1b7e-c46a0f3dda01}'/>"
          "<Execution ProcessID='6048' ThreadID='7312'/>"
          "<Channel>Microsoft-Windows-PowerShell/Operational</Channel>"
          "<Computer>WS01.corp.example.com</Computer>"
          "<Security UserID='S-1-5-21-1004336348-1177238915-682003330-1104'/></System>";
  *out += nl;
  *out += "<EventData><Data Name='MessageNumber'>1</Data><Data Name='MessageTotal'>1</Data>"
          "<Data Name='ScriptBlockText'>";
  *out += text;
  *out += "</Data><Data Name='ScriptBlockId'>4f1c2a9e-7b3d-4e8a-9c61-";
  char id[16];
  std::snprintf(id, sizeof(id), "%012llx", static_cast<unsigned long long>(record));
  *out += id;
  *out += "</Data><Data Name='Path'>";
  if (r % 2 == 0) *out += "C:\\Users\\analyst\\Documents\\inventory.ps1";
  *out += "</Data></EventData>";
  if (pretty) {
    *out += "\r\n  <RenderingInfo Culture='en-US'><Message>Creating Scriptblock text (1 of 1):&#xD;\r\n";
    *out += text.substr(0, 200);
    *out += "</Message><Level>Verbose</Level><Task>Execute a Remote Command</Task>"
            "<Opcode>On create calls</Opcode><Channel>Operational</Channel>"
            "<Provider>Microsoft-Windows-PowerShell</Provider><Keywords/></RenderingInfo>\r\n";
  }
  *out += "</Event>\r\n";
}

const std::string& Stream() {
  static const std::string* stream = [] {
    auto* s = new std::string;
    s->reserve(kStreamBytes + (64 << 10));
    *s += "<?xml version='1.0' encoding='utf-8'?>\r\n<Events>\r\n";
    Lcg rng;
    uint64_t record = 1;
    while (s->size() < kStreamBytes) AppendEvent(&rng, record++, rng.Below(4) == 0, s);
    *s += "</Events>\r\n";
    return s;
  }();
  return *stream;
}

void BM_SplitAndParse(benchmark::State& state) {
  const std::string& stream = Stream();
  const size_t chunk = static_cast<size_t>(state.range(0));
  XmlEventSplitter splitter;
  XmlEventParser parser;
  uint64_t events = 0, text_bytes = 0;
  for (auto _ : state) {
    splitter.Reset();
    for (size_t pos = 0; pos < stream.size(); pos += chunk) {
      splitter.Feed(std::string_view(stream).substr(pos, chunk));
      std::string_view xml;
      uint64_t offset;
      while (splitter.Next(&xml, &offset)) {
        Event e;
        if (!parser.Parse(xml, &e).ok) state.SkipWithError("parse failed");
        text_bytes += e.script_block_text.size();
        ++events;
      }
    }
    splitter.Finish();
  }
  benchmark::DoNotOptimize(text_bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SplitAndParse)->Arg(1 << 20)->Arg(64 << 10)->Unit(benchmark::kMillisecond);

void BM_SplitOnly(benchmark::State& state) {
  const std::string& stream = Stream();
  XmlEventSplitter splitter;
  uint64_t events = 0;
  for (auto _ : state) {
    splitter.Reset();
    for (size_t pos = 0; pos < stream.size(); pos += (1 << 20)) {
      splitter.Feed(std::string_view(stream).substr(pos, 1 << 20));
      std::string_view xml;
      uint64_t offset;
      while (splitter.Next(&xml, &offset)) ++events;
    }
  }
  benchmark::DoNotOptimize(events);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_SplitOnly)->Unit(benchmark::kMillisecond);

void BM_ParseOnly(benchmark::State& state) {
  const std::string& stream = Stream();
  std::vector<std::string_view> events;
  {
    static XmlEventSplitter splitter;  // views must outlive the loop: keep the buffer
    splitter.Reset();
    splitter.Feed(stream);
    splitter.Finish();
    std::string_view xml;
    uint64_t offset;
    while (splitter.Next(&xml, &offset)) events.push_back(xml);
  }
  XmlEventParser parser;
  size_t bytes = 0;
  for (std::string_view e : events) bytes += e.size();
  for (auto _ : state) {
    for (std::string_view xml : events) {
      Event e;
      benchmark::DoNotOptimize(parser.Parse(xml, &e).ok);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["events/s"] = benchmark::Counter(
      static_cast<double>(events.size() * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sbscan
