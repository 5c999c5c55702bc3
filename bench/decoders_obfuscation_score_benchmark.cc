// Throughput of the obfuscation score features (ComputeObfuscationFeatures)
// on benign PowerShell: every ScriptBlockText of a sbscan-gen JSONL file
// ($SBSCAN_OBF_BENCH_JSONL, default /tmp/benign.jsonl, made by
// `sbscan-gen --seed 1 --blocks 2000 --malicious-ratio 0 -o /tmp/benign.jsonl`)
// or, without one, built-in benign script text. Each SIMD path (the one the
// analyzer runs is ActiveSimdPath()) against the scalar reference in the same
// run; per block and on one large text; with the entropy and without it (what
// the analyzer pays for a block under the threshold).
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
    // Check before timing: every vector path agrees with the reference.
    for (const std::string& t : b) {
      const ObfuscationFeatures y = ComputeObfuscationFeaturesScalar(t);
      for (SimdPath path : kSimdPaths) {
        const ObfuscationFeatures x = ComputeObfuscationFeaturesWith(path, t);
        ObfuscationFeatures z =
            ComputeObfuscationFeaturesWith(path, t, EntropyPass::kWithoutEntropy);
        z.entropy = ByteEntropy(t);
        if (!(x == y) || !(x == z)) {
          std::fprintf(stderr, "feature mismatch (%s) on a block of %zu bytes\n",
                       std::string(SimdPathName(path)).c_str(), t.size());
          std::abort();
        }
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

constexpr EntropyPass kWith = EntropyPass::kWithEntropy;
constexpr EntropyPass kWithout = EntropyPass::kWithoutEntropy;

// Arguments: the SimdPath, then 1 = with the entropy, 0 = without.
SimdPath PathArg(benchmark::State& state) { return static_cast<SimdPath>(state.range(0)); }
EntropyPass PassArg(benchmark::State& state) { return state.range(1) ? kWith : kWithout; }

void PathArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"path(0=scalar,2=avx2,3=avx512)", "entropy"});
  for (SimdPath p : {SimdPath::kScalar, SimdPath::kAvx2, SimdPath::kAvx512}) {
    for (int e : {1, 0}) b->Args({static_cast<int>(p), e});
  }
}

void BM_FeaturesPerBlock(benchmark::State& state) {
  if (!SimdPathSupported(PathArg(state))) return state.SkipWithError("path not on this CPU");
  const auto& blocks = Blocks();
  size_t bytes = 0, hits = 0;
  for (const std::string& t : blocks) {
    bytes += t.size();
    hits += Score(ComputeObfuscationFeatures(t)) >= kObfuscationThreshold;
  }
  for (auto _ : state) {
    for (const std::string& t : blocks) {
      ObfuscationFeatures f = ComputeObfuscationFeaturesWith(PathArg(state), t, PassArg(state));
      benchmark::DoNotOptimize(f);
    }
  }
  state.counters["blocks"] = static_cast<double>(blocks.size());
  state.counters["flagged"] = static_cast<double>(hits);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
}
BENCHMARK(BM_FeaturesPerBlock)->Apply(PathArgs);

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

void BM_FeaturesJoined(benchmark::State& state) {
  if (!SimdPathSupported(PathArg(state))) return state.SkipWithError("path not on this CPU");
  const std::string& t = Joined();
  for (auto _ : state) {
    ObfuscationFeatures f = ComputeObfuscationFeaturesWith(PathArg(state), t, PassArg(state));
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(t.size()));
}
BENCHMARK(BM_FeaturesJoined)->Apply(PathArgs);

}  // namespace
}  // namespace sbscan::decoders
