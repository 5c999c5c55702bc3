// sbscan: counters. Everything read is accounted for: records = events_4104 + events_4103 +
// events_session + passed_by + malformed (transcript commands are counted apart); fragments =
// fragments_in_blocks + duplicates_exact + duplicates_conflicting + rejected_no_id +
// rejected_bad_number (once every open block has been handed on, e.g. after Finish()).
#ifndef SBSCAN_STATS_H_
#define SBSCAN_STATS_H_

#include <cstdint>

namespace sbscan {

struct ReassemblyStats {
  uint64_t fragments = 0;               // 4104 events offered to the reassembler
  uint64_t fragments_in_blocks = 0;     // fragments handed on inside a block (complete or partial)
  uint64_t blocks_complete = 0;
  uint64_t blocks_partial = 0;          // = partial_window + partial_memory + partial_end_of_input
  uint64_t partial_window = 0;
  uint64_t partial_memory = 0;
  uint64_t partial_end_of_input = 0;
  uint64_t duplicates_exact = 0;        // dropped
  uint64_t duplicates_conflicting = 0;  // same number, other text: dropped, first one wins
  uint64_t late_fragments = 0;          // arrived after their block was handed on as partial
  uint64_t rejected_no_id = 0;          // no ScriptBlockId
  uint64_t rejected_bad_number = 0;     // MessageNumber/MessageTotal missing or out of range
  uint64_t open_blocks_peak = 0;
  uint64_t open_bytes_peak = 0;
};

struct AnalysisStats {
  uint64_t blocks = 0;
  uint64_t text_bytes = 0;        // block text scanned (layer 0)
  uint64_t layers_decoded = 0;
  uint64_t decoded_bytes = 0;     // decoded layer text scanned
  uint64_t decode_malformed = 0;
  uint64_t decode_depth_limit = 0;
  uint64_t decode_bytes_limit = 0;
  uint64_t decode_candidate_limit = 0;
  uint64_t obfuscation_scored = 0;   // blocks given an obfuscation score
  uint64_t obfuscated = 0;           // blocks at or above the threshold
  uint64_t alerts = 0;
};

struct Stats {
  uint64_t records = 0;     // input records (lines, XML events, EVTX records)
  uint64_t bytes = 0;       // input bytes
  uint64_t events_4104 = 0;
  uint64_t events_4103 = 0;           // module logging events, each analyzed on its own
  uint64_t events_session = 0;        // 400/403/800 engine events (remote session evidence)
  uint64_t transcript_commands = 0;   // commands read from transcript files
  uint64_t passed_by = 0;   // well-formed records of no interest (other event ids)
  uint64_t malformed = 0;   // records that could not be parsed
  ReassemblyStats reassembly;
  AnalysisStats analysis;
};

}  // namespace sbscan

#endif  // SBSCAN_STATS_H_
