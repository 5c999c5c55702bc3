// EvtxReader throughput on the shared corpus (all 39 EVTX files, held in memory): bytes/s of
// file read and items/s of records decoded, for the PowerShell filter and for every record.
// Compare with libevtx's evtxexport in the same run (see engine/src/evtx/README.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/src/evtx/evtx_reader.h"

namespace {

namespace fs = std::filesystem;

struct Corpus {
  std::vector<std::string> files;
  size_t bytes = 0;
};

const Corpus& LoadCorpus(bool powershell_only) {
  static Corpus all, ps;
  Corpus& c = powershell_only ? ps : all;
  if (!c.files.empty()) return c;
  const fs::path root = fs::path(SBSCAN_SOURCE_DIR) / ".." / "shared" / "corpus" / "evtx";
  std::vector<fs::path> paths;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".evtx") paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& p : paths) {
    if (powershell_only && p.string().find("omerbenamram") != std::string::npos) continue;
    std::ifstream in(p, std::ios::binary);
    c.files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    c.bytes += c.files.back().size();
  }
  return c;
}

void Run(benchmark::State& state, bool powershell_only, bool want_all) {
  const Corpus& corpus = LoadCorpus(powershell_only);
  sbscan::evtx::EvtxReader reader;
  uint64_t records = 0, text_bytes = 0;
  for (auto _ : state) {
    for (const std::string& file : corpus.files) {
      const auto stats = reader.Read(
          file, "bench.evtx",
          [&](const sbscan::Event& e) { text_bytes += e.script_block_text.size(); },
          [](uint64_t, std::string_view) {}, want_all);
      records += stats.records;
    }
  }
  benchmark::DoNotOptimize(text_bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.counters["files"] = static_cast<double>(corpus.files.size());
}

// Every corpus file, events of every record decoded (what evtxexport does).
void BM_EvtxReadAllRecords(benchmark::State& state) { Run(state, false, true); }
// Every corpus file, only PowerShell events (4104/4103/400/403/600/800) converted to text.
void BM_EvtxReadPowerShellFilter(benchmark::State& state) { Run(state, false, false); }
// The 29 PowerShell files only, PowerShell events only.
void BM_EvtxReadPowerShellFiles(benchmark::State& state) { Run(state, true, false); }

BENCHMARK(BM_EvtxReadAllRecords)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvtxReadPowerShellFilter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvtxReadPowerShellFiles)->Unit(benchmark::kMillisecond);

}  // namespace
