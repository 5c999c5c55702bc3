// libFuzzer target: 4103 module logging fields (ContextInfo, Payload, engine details) through the
// parsers in engine/src/module_logging.h and BuildModuleScanText.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/src/module_logging.h"
#include "tests/fuzz/fuzz_util.h"

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbscan::fuzz::Cursor cur(data, size);
  std::string context(cur.Piece(8192));
  std::string payload(cur.Rest());
  sbscan::ModuleContext ctx = sbscan::ParseContextInfo(context);
  sbscan::ParseEngineDetails(context, &ctx);
  FUZZ_CHECK(ctx.unknown.size() <= sbscan::ModuleContext::kMaxUnknownFields);
  (void)sbscan::IsRemoteSession(ctx);
  std::vector<sbscan::PayloadItem> items;
  size_t dropped = 0;
  sbscan::ParsePayload(payload, &items, 64, &dropped);
  FUZZ_CHECK(items.size() <= 64);
  for (const auto& it : items) FUZZ_CHECK(it.offset <= payload.size());
  sbscan::ModuleScanText scan;
  sbscan::BuildModuleScanText(ctx, items, &scan);
  for (const auto& p : scan.pieces) FUZZ_CHECK(p.offset + p.length <= scan.text.size());
  return 0;
}
