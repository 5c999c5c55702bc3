// Cost of the layered decode driver on benign script text: a whole
// LayeredDecoder::Run (all decoders), and each decoder's candidate check
// alone (what a block without payload pays), plus the obfuscation score.
// Text: the ScriptBlockText fields of a sbscan-gen JSONL file named by
// SBSCAN_BENCH_JSONL (e.g. `sbscan-gen --seed 1 --blocks 2000
// --malicious-ratio 0 > /tmp/gen.jsonl`), else built-in benign lines.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "decoders/base64_candidates.h"
#include "decoders/char_codes.h"
#include "decoders/layered_decoder.h"
#include "decoders/obfuscation_score.h"
#include "decoders/string_construction.h"

namespace sbscan::decoders {
namespace {

std::vector<std::string> LoadBlocks() {
  std::vector<std::string> blocks;
  if (const char* path = std::getenv("SBSCAN_BENCH_JSONL")) {
    std::ifstream in(path);
    std::string line;
    const std::string key = "\"ScriptBlockText\":\"";
    while (std::getline(in, line)) {
      const size_t at = line.find(key);
      if (at == std::string::npos) continue;
      std::string text;
      for (size_t i = at + key.size(); i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          const char e = line[++i];
          text += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
          if (e == 'u') i += 4;
          continue;
        }
        text += line[i];
      }
      blocks.push_back(std::move(text));
    }
  }
  if (!blocks.empty()) return blocks;
  const char* lines[] = {
      "function Get-InventoryItem {\n",
      "    [CmdletBinding()]\n    param([Parameter(Mandatory)][string]$ComputerName,\n",
      "    $ErrorActionPreference = 'Stop'\n",
      "    # Query the remote registry for installed software, then filter.\n",
      "    $items = Get-ChildItem -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall' -ErrorAction SilentlyContinue\n",
      "    foreach ($item in $items) { if ($item.DisplayName -eq $null -or $item.SystemComponent -eq 1) { continue } }\n",
      "    Write-Verbose \"Found $($result.Count) items on $ComputerName in $TimeoutSeconds s\"\n",
      "    $path = Join-Path -Path $env:ProgramData -ChildPath 'Contoso\\Inventory\\cache.json'\n",
      "    Set-Content -Path $path -Value ($result | ConvertTo-Json -Depth 4) -Encoding UTF8 -Force\n",
      "    $msg = 'Copied ' + $count + ' files to ' + $dest\n",
      "    Write-Host (\"{0} of {1} done\" -f $i, $total)\n",
      "}\n",
  };
  std::mt19937 rng(5);
  for (int b = 0; b < 256; ++b) {
    std::string s;
    while (s.size() < 4096) s += lines[rng() % (sizeof(lines) / sizeof(lines[0]))];
    blocks.push_back(std::move(s));
  }
  return blocks;
}

const std::vector<std::string>& Blocks() {
  static const auto* b = new std::vector<std::string>(LoadBlocks());
  return *b;
}

size_t TotalBytes() {
  size_t n = 0;
  for (const std::string& s : Blocks()) n += s.size();
  return n;
}

void BM_DriverRunAllDecoders(benchmark::State& state) {
  LayeredDecoder dec;
  size_t layers = 0;
  for (auto _ : state) {
    for (const std::string& s : Blocks()) {
      dec.Run(s, [&](const Layer&) { ++layers; });
    }
  }
  benchmark::DoNotOptimize(layers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
  state.counters["layers_per_run"] = static_cast<double>(dec.counters().layers) /
                                     static_cast<double>(dec.counters().runs);
}
BENCHMARK(BM_DriverRunAllDecoders);

// What the driver cost before char codes / normalisation were added, on text
// without payloads: the Base64 candidate search.
void BM_Base64CandidatesOnly(benchmark::State& state) {
  std::vector<Candidate> c;
  for (auto _ : state) {
    for (const std::string& s : Blocks()) {
      c.clear();
      FindBase64Candidates(s, 32, 257, &c);
      benchmark::DoNotOptimize(c.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_Base64CandidatesOnly);

void BM_MayContainCharCodes(benchmark::State& state) {
  size_t hits = 0;
  for (auto _ : state) {
    for (const std::string& s : Blocks()) hits += MayContainCharCodes(s);
  }
  benchmark::DoNotOptimize(hits);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_MayContainCharCodes);

void BM_MayNeedNormalization(benchmark::State& state) {
  size_t hits = 0;
  for (auto _ : state) {
    for (const std::string& s : Blocks()) hits += MayNeedNormalization(s);
  }
  benchmark::DoNotOptimize(hits);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
  state.counters["hit_fraction"] =
      static_cast<double>(hits) /
      static_cast<double>(state.iterations() * Blocks().size());
}
BENCHMARK(BM_MayNeedNormalization);

void BM_ObfuscationScore(benchmark::State& state) {
  double sum = 0;
  for (auto _ : state) {
    for (const std::string& s : Blocks()) sum += Score(ComputeObfuscationFeatures(s));
  }
  benchmark::DoNotOptimize(sum);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_ObfuscationScore);

}  // namespace
}  // namespace sbscan::decoders
