// libFuzzer target: the input as a whole EVTX file through EvtxReader (every record, want_all).
// Seeds are real EVTX files cut to their file header and first chunk (build_seed_corpus.sh); a
// CRC mismatch is only reported by the reader, so mutated chunks are still parsed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/src/evtx/evtx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sbscan::evtx::EvtxReader* reader = new sbscan::evtx::EvtxReader();
  std::string bytes(reinterpret_cast<const char*>(data), size);
  uint64_t n = 0;
  reader->Read(
      bytes, "fuzz.evtx",
      [&](const sbscan::Event& e) {
        n += e.script_block_text.size() + e.computer.size() + e.user_data.size() +
             e.payload.size() + e.context_info.size();
        for (char c : e.script_block_text) n += static_cast<unsigned char>(c);
      },
      [&](uint64_t, std::string_view reason) { n += reason.size(); }, /*want_all=*/true);
  (void)sbscan::evtx::EvtxReader::LooksLikeEvtx(bytes);
  return 0;
}
