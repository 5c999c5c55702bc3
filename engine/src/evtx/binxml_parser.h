// Walks the BinXML of one event record: fragments, elements, attributes, text, CDATA,
// character and entity references, processing instructions, template instances (definition
// inline or by offset to an earlier one in the chunk), normal and optional substitutions, and
// nested BinXml values. Records written without a template (open-start-element tokens
// without the dependency id, values inline) are read as well.
#ifndef SBSCAN_ENGINE_SRC_EVTX_BINXML_PARSER_H_
#define SBSCAN_ENGINE_SRC_EVTX_BINXML_PARSER_H_

#include <cstdint>
#include <vector>

#include "engine/src/evtx/binxml_types.h"
#include "engine/src/evtx/event_fields.h"
#include "engine/src/evtx/name_table.h"
#include "engine/src/evtx/template_cache.h"

namespace sbscan::evtx {

// Limits against hostile input; a record that exceeds one is reported as bad.
struct BinXmlLimits {
  int max_nesting = 16;             // template instances and BinXml values inside each other
  uint32_t max_tokens = 1u << 20;   // tokens walked per record (templates are re-walked)
};

// Not thread-safe; one per reader. Every offset is chunk-relative and checked against the
// chunk (or the enclosing structure) before any load: never reads outside the chunk, never
// loops without consuming input, recursion bounded by max_nesting.
class BinXmlParser {
 public:
  explicit BinXmlParser(BinXmlLimits limits = {});

  // Starts a chunk: `chunk` holds `chunk_size` valid bytes (a truncated last chunk may be
  // shorter than 64 KiB) and must stay valid until the next StartChunk().
  void StartChunk(const uint8_t* chunk, uint32_t chunk_size);

  // Parses the BinXML at chunk offsets [begin, end) into `out` (after out->BeginRecord()).
  // Returns nullptr on success, else a static string saying what is wrong.
  const char* ParseRecord(uint32_t begin, uint32_t end, FieldCollector* out);

 private:
  struct Frame {
    uint32_t values_base = 0;
    uint32_t values_count = 0;
  };
  const char* ParseFragment(uint32_t pos, uint32_t end, int nesting, bool in_template,
                            Frame frame, FieldCollector* out);
  const char* ReadName(uint32_t field_pos, uint32_t end, NameId* id, uint32_t* next);

  BinXmlLimits limits_;
  const uint8_t* chunk_ = nullptr;
  uint32_t chunk_size_ = 0;
  uint32_t tokens_ = 0;
  NameTable names_;
  TemplateCache templates_;
  std::vector<ValueRef> values_;
};

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_BINXML_PARSER_H_
