// Throughput of the obfuscation score features (ComputeObfuscationFeatures)
// on benign PowerShell: every ScriptBlockText of a sbscan-gen JSONL file
// ($SBSCAN_OBF_BENCH_JSONL, default /tmp/benign.jsonl, made by
// `sbscan-gen --seed 1 --blocks 2000 --malicious-ratio 0 -o /tmp/benign.jsonl`)
// or, without one, built-in benign script text. Dispatching entry point vs
// the scalar reference; per block and on one large text; with the entropy and
// without it (what the analyzer pays for a block under the threshold).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "decoders/obfuscation_score.h"

namespace sbscan::decoders {
namespace {

std::vector<std::string> LoadBlocks() {
  std::vector<std::string> blocks;
  const char* env = std::getenv("SBSCAN_OBF_BENCH_JSONL");
  std::ifstream in(env ? env : "/tmp/benign.jsonl", std::ios::binary);
  std::string line;
  const std::string key = "\"ScriptBlockText\":\"";
  while (std::getline(in, line)) {
    const size_t at = line.find(key);
    if (at == std::string::npos) continue;
    std::string text;
    for (size_t i = at + key.size(); i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        const char e = line[++i];
        if (e == 'u' && i + 4 < line.size()) {
          text += static_cast<char>(std::strtol(line.substr(i + 1, 4).c_str(), nullptr, 16));
          i += 4;
          continue;
        }
        text += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
        continue;
      }
      text += line[i];
    }
    blocks.push_back(std::move(text));
  }
  if (blocks.empty()) {
    const char* lines[] = {
        "function Get-InventoryItem {\n",
        "    [CmdletBinding()]\n    param([Parameter(Mandatory)][string]$ComputerName,\n",
        "          [int]$TimeoutSeconds = 30, [switch]$Force)\n",
        "    $ErrorActionPreference = 'Stop'\n",
        "    # Query the remote registry for installed software, then filter.\n",
        "    $items = Get-ChildItem -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall' -ErrorAction SilentlyContinue\n",
        "    foreach ($item in $items) { if ($item.DisplayName -eq $null) { continue } }\n",
        "    Write-Verbose \"Found $($items.Count) items on $ComputerName in {0} s\" -f $TimeoutSeconds\n",
        "}\n",
    };
    for (int b = 0; b < 2000; ++b) {
      std::string t;
      for (int k = 0; k < 1 + b % 7; ++k) for (const char* l : lines) t += l;
      blocks.push_back(std::move(t));
    }
  }
  return blocks;
}

const std::vector<std::string>& Blocks() {
  static const std::vector<std::string> blocks = [] {
    auto b = LoadBlocks();
    // Check before timing: the vector path agrees with the reference.
    for (const std::string& t : b) {
      const ObfuscationFeatures x = ComputeObfuscationFeatures(t);
      const ObfuscationFeatures y = ComputeObfuscationFeaturesScalar(t);
      ObfuscationFeatures z = ComputeObfuscationFeatures(t, EntropyPass::kWithoutEntropy);
      z.entropy = ByteEntropy(t);
      if (!(x == y) || !(x == z)) {
        std::fprintf(stderr, "feature mismatch on a block of %zu bytes\n", t.size());
        std::abort();
      }
    }
    return b;
  }();
  return blocks;
}

const std::string& Joined() {
  static const std::string joined = [] {
    std::string j;
    for (const std::string& t : Blocks()) j += t;
    return j;
  }();
  return joined;
}

using FeaturesFn = ObfuscationFeatures (*)(std::string_view, EntropyPass);
constexpr EntropyPass kWith = EntropyPass::kWithEntropy;
constexpr EntropyPass kWithout = EntropyPass::kWithoutEntropy;

template <FeaturesFn F, EntropyPass P>
void BM_Blocks(benchmark::State& state) {
  const auto& blocks = Blocks();
  size_t bytes = 0, hits = 0;
  for (const std::string& t : blocks) {
    bytes += t.size();
    hits += Score(F(t, P)) >= kObfuscationThreshold;
  }
  for (auto _ : state) {
    for (const std::string& t : blocks) {
      ObfuscationFeatures f = F(t, P);
      benchmark::DoNotOptimize(f);
    }
  }
  state.counters["blocks"] = static_cast<double>(blocks.size());
  state.counters["flagged"] = static_cast<double>(hits);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
}
BENCHMARK(BM_Blocks<ComputeObfuscationFeatures, kWith>)->Name("BM_FeaturesPerBlock");
BENCHMARK(BM_Blocks<ComputeObfuscationFeatures, kWithout>)->Name("BM_FeaturesPerBlockNoEntropy");
BENCHMARK(BM_Blocks<ComputeObfuscationFeaturesScalar, kWith>)->Name("BM_FeaturesPerBlockScalar");

void BM_ScorePerBlock(benchmark::State& state) {
  const auto& blocks = Blocks();
  size_t bytes = 0;
  for (const std::string& t : blocks) bytes += t.size();
  for (auto _ : state) {
    for (const std::string& t : blocks) {
      double s = Score(ComputeObfuscationFeatures(t, kWithout));
      benchmark::DoNotOptimize(s);
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
}
BENCHMARK(BM_ScorePerBlock);

template <FeaturesFn F, EntropyPass P>
void BM_Joined(benchmark::State& state) {
  const std::string& t = Joined();
  for (auto _ : state) {
    ObfuscationFeatures f = F(t, P);
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(t.size()));
}
BENCHMARK(BM_Joined<ComputeObfuscationFeatures, kWith>)->Name("BM_FeaturesJoined");
BENCHMARK(BM_Joined<ComputeObfuscationFeatures, kWithout>)->Name("BM_FeaturesJoinedNoEntropy");
BENCHMARK(BM_Joined<ComputeObfuscationFeaturesScalar, kWith>)->Name("BM_FeaturesJoinedScalar");

}  // namespace
}  // namespace sbscan::decoders
