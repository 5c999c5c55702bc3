// Shared by accounting_test and hostile_inputs_test: the identities that prove nothing read was
// lost (see engine/include/sbscan/stats.h). Call after Scanner::Finish().
#ifndef SBSCAN_TESTS_ENGINE_ACCOUNTING_H_
#define SBSCAN_TESTS_ENGINE_ACCOUNTING_H_

#include <gtest/gtest.h>

#include "sbscan/stats.h"

namespace sbscan::testing {

// Every record is analyzed (4104 fragment, 4103, session event), passed by or malformed; every
// fragment ends in a block, or is a duplicate, or is rejected; every block is complete or partial
// by one cause; every analyzed block is a reassembled block, a 4103 event or a transcript command.
inline void ExpectAccounted(const Stats& s, const char* what = "") {
  SCOPED_TRACE(what);
  EXPECT_EQ(s.records, s.events_4104 + s.events_4103 + s.events_session + s.passed_by + s.malformed);
  const ReassemblyStats& r = s.reassembly;
  EXPECT_EQ(r.fragments, s.events_4104);
  EXPECT_EQ(r.fragments, r.fragments_in_blocks + r.duplicates_exact + r.duplicates_conflicting +
                             r.rejected_no_id + r.rejected_bad_number);
  EXPECT_LE(r.late_fragments, r.fragments_in_blocks);  // late ones start a new (partial) block
  EXPECT_EQ(r.blocks_partial, r.partial_window + r.partial_memory + r.partial_end_of_input);
  EXPECT_LE(r.blocks_complete + r.blocks_partial, r.fragments_in_blocks);
  EXPECT_EQ(s.analysis.blocks,
            r.blocks_complete + r.blocks_partial + s.events_4103 + s.transcript_commands);
}

}  // namespace sbscan::testing

#endif  // SBSCAN_TESTS_ENGINE_ACCOUNTING_H_
