#include "engine/src/reassembler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbscan {
namespace {

using ::testing::ElementsAre;

// What a test keeps of each emitted block (views die with the callback).
struct Emitted {
  std::string host, id, text;
  int total = 0;
  std::vector<int32_t> numbers, missing;
  std::vector<int64_t> record_ids;
  PartialCause cause = PartialCause::kNone;
  const char* text_data = nullptr;
};

class ReassemblerTest : public ::testing::Test {
 protected:
  Event Fragment(std::string_view host, std::string_view id, int n, int total,
                 std::string_view text, std::string_view time = "2024-03-05T14:22:07.0000000Z") {
    Event e;
    e.event_id = 4104;
    e.computer = host;
    e.script_block_id = id;
    e.message_number = n;
    e.message_total = total;
    e.script_block_text = text;
    e.time_created = time;
    e.record_id = ++record_;
    return e;
  }
  bool Add(Reassembler& r, const Event& e) {
    return r.Add(e, [this](const ScriptBlock& b) { Keep(b); });
  }
  void Finish(Reassembler& r) {
    r.Finish([this](const ScriptBlock& b) { Keep(b); });
  }
  void Keep(const ScriptBlock& b) {
    Emitted e;
    e.host = b.host;
    e.id = b.script_block_id;
    e.text = b.text;
    e.text_data = b.text.data();
    e.total = b.fragments_total;
    for (const auto& f : b.fragments) {
      e.numbers.push_back(f.number);
      e.record_ids.push_back(f.record_id);
      EXPECT_LE(f.end, b.text.size());
    }
    e.missing.assign(b.missing.begin(), b.missing.end());
    e.cause = b.partial_cause;
    out_.push_back(e);
  }

  std::vector<Emitted> out_;
  int64_t record_ = 0;
};

TEST_F(ReassemblerTest, SingleFragmentBlockIsHandedOnWithoutCopy) {
  Reassembler r({});
  std::string text = "Write-Output 'hello'";
  Event e = Fragment("WS01", "id-1", 1, 1, text);
  ASSERT_TRUE(Add(r, e));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].text, text);
  EXPECT_EQ(out_[0].text_data, text.data());  // the event's own bytes: no copy
  EXPECT_EQ(out_[0].cause, PartialCause::kNone);
  EXPECT_EQ(r.stats().blocks_complete, 1u);
  EXPECT_EQ(r.open_blocks(), 0u);
}

TEST_F(ReassemblerTest, InOrderFragmentsEmitWhenComplete) {
  Reassembler r({});
  ASSERT_TRUE(Add(r, Fragment("WS01", "b", 1, 3, "aaa")));
  ASSERT_TRUE(Add(r, Fragment("WS01", "b", 2, 3, "bbb")));
  EXPECT_TRUE(out_.empty());
  ASSERT_TRUE(Add(r, Fragment("WS01", "b", 3, 3, "cc")));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].text, "aaabbbcc");
  EXPECT_THAT(out_[0].numbers, ElementsAre(1, 2, 3));
  EXPECT_THAT(out_[0].record_ids, ElementsAre(1, 2, 3));
  EXPECT_TRUE(out_[0].missing.empty());
  EXPECT_EQ(r.open_blocks(), 0u);
  EXPECT_EQ(r.open_bytes(), 0u);
}

// The first fragment reserves room for the block's text (counted as open bytes), but at most
// four fragments' worth however large a MessageTotal the fragment claims.
TEST_F(ReassemblerTest, FirstFragmentReservesABoundedTextBuffer) {
  Reassembler r({});
  const std::string piece(1000, 'a');
  ASSERT_TRUE(Add(r, Fragment("WS01", "three", 1, 3, piece)));
  EXPECT_GE(r.open_bytes(), 3 * piece.size());
  const size_t three = r.open_bytes();
  ASSERT_TRUE(Add(r, Fragment("WS01", "huge", 1, 99'999, piece)));
  EXPECT_GE(r.open_bytes() - three, 4 * piece.size());
  EXPECT_LT(r.open_bytes() - three, 5 * piece.size());
  ASSERT_TRUE(Add(r, Fragment("WS01", "three", 2, 3, piece)));
  ASSERT_TRUE(Add(r, Fragment("WS01", "three", 3, 3, piece.substr(0, 10))));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].text, piece + piece + piece.substr(0, 10));
}

// A block of more fragments than the first one reserves for reserves the rest once, when the
// first fragment that does not fit arrives: no growth per fragment after that.
TEST_F(ReassemblerTest, LongBlockReservesTheRestOnce) {
  Reassembler r({});
  const std::string piece(1000, 'b');
  ASSERT_TRUE(Add(r, Fragment("WS01", "ten", 1, 10, piece)));
  for (int k = 2; k <= 5; ++k) ASSERT_TRUE(Add(r, Fragment("WS01", "ten", k, 10, piece)));
  const size_t reserved = r.open_bytes();
  EXPECT_GE(reserved, 10 * piece.size());
  EXPECT_LT(reserved, 12 * piece.size());
  for (int k = 6; k <= 9; ++k) {
    ASSERT_TRUE(Add(r, Fragment("WS01", "ten", k, 10, piece)));
    EXPECT_EQ(r.open_bytes(), reserved) << "fragment " << k;
  }
  ASSERT_TRUE(Add(r, Fragment("WS01", "ten", 10, 10, "end")));
  ASSERT_EQ(out_.size(), 1u);
  std::string want;
  for (int k = 1; k <= 9; ++k) want += piece;
  EXPECT_EQ(out_[0].text, want + "end");
  // A block claiming a huge total never holds more than 4 times the text it sent.
  for (int k = 1; k <= 5; ++k) ASSERT_TRUE(Add(r, Fragment("WS01", "huge", k, 99'999, piece)));
  EXPECT_GE(r.open_bytes(), 5 * piece.size());
  EXPECT_LE(r.open_bytes(), 4 * 5 * piece.size() + 1024);
}

TEST_F(ReassemblerTest, OutOfOrderAndInterleavedBlocks) {
  Reassembler r({});
  ASSERT_TRUE(Add(r, Fragment("WS01", "x", 3, 3, "3")));
  ASSERT_TRUE(Add(r, Fragment("WS02", "x", 2, 2, "B")));  // same id, other host: other block
  ASSERT_TRUE(Add(r, Fragment("WS01", "x", 1, 3, "1")));
  ASSERT_TRUE(Add(r, Fragment("WS02", "x", 1, 2, "A")));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].host, "WS02");
  EXPECT_EQ(out_[0].text, "AB");
  ASSERT_TRUE(Add(r, Fragment("WS01", "x", 2, 3, "2")));
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(out_[1].text, "123");
  EXPECT_THAT(out_[1].numbers, ElementsAre(1, 2, 3));
  EXPECT_THAT(out_[1].record_ids, ElementsAre(3, 5, 1));
}

TEST_F(ReassemblerTest, ExactDuplicatesDroppedConflictingCountedFirstWins) {
  Reassembler r({});
  ASSERT_TRUE(Add(r, Fragment("H", "d", 1, 2, "first")));
  ASSERT_TRUE(Add(r, Fragment("H", "d", 1, 2, "first")));
  ASSERT_TRUE(Add(r, Fragment("H", "d", 1, 2, "other")));
  ASSERT_TRUE(Add(r, Fragment("H", "d", 2, 2, "-second")));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].text, "first-second");
  EXPECT_EQ(r.stats().duplicates_exact, 1u);
  EXPECT_EQ(r.stats().duplicates_conflicting, 1u);
  // A repeat after the block was handed on is still recognised.
  ASSERT_TRUE(Add(r, Fragment("H", "d", 2, 2, "-second")));
  ASSERT_TRUE(Add(r, Fragment("H", "d", 1, 2, "changed")));
  EXPECT_EQ(out_.size(), 1u);
  EXPECT_EQ(r.stats().duplicates_exact, 2u);
  EXPECT_EQ(r.stats().duplicates_conflicting, 2u);
  // Also for 1-of-1 blocks.
  ASSERT_TRUE(Add(r, Fragment("H", "s", 1, 1, "one")));
  ASSERT_TRUE(Add(r, Fragment("H", "s", 1, 1, "one")));
  EXPECT_EQ(out_.size(), 2u);
  EXPECT_EQ(r.stats().duplicates_exact, 3u);
}

TEST_F(ReassemblerTest, EmptyLastFragment) {
  Reassembler r({});
  ASSERT_TRUE(Add(r, Fragment("H", "e", 1, 2, "exactly-a-multiple")));
  ASSERT_TRUE(Add(r, Fragment("H", "e", 2, 2, "")));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].text, "exactly-a-multiple");
  EXPECT_TRUE(out_[0].missing.empty());
  EXPECT_EQ(out_[0].cause, PartialCause::kNone);
}

TEST_F(ReassemblerTest, WindowEvictsPartialBlockWithMissingNumbers) {
  ReassemblyOptions options;
  options.window_seconds = 60;
  Reassembler r(options);
  ASSERT_TRUE(Add(r, Fragment("H", "w", 2, 4, "two", "2024-03-05T10:00:00Z")));
  ASSERT_TRUE(Add(r, Fragment("H", "other", 1, 1, "x", "2024-03-05T10:00:59Z")));
  EXPECT_EQ(out_.size(), 1u);  // still within the window
  ASSERT_TRUE(Add(r, Fragment("H", "other2", 1, 1, "y", "2024-03-05T10:01:01Z")));
  ASSERT_EQ(out_.size(), 3u);
  EXPECT_EQ(out_[2].id, "w");
  EXPECT_EQ(out_[2].cause, PartialCause::kEvictedWindow);
  EXPECT_EQ(out_[2].text, "two");
  EXPECT_THAT(out_[2].missing, ElementsAre(1, 3, 4));
  EXPECT_EQ(r.stats().partial_window, 1u);
  EXPECT_EQ(r.stats().blocks_partial, 1u);
  // Its missing fragment arriving now is late: it opens a new (partial) block, counted.
  ASSERT_TRUE(Add(r, Fragment("H", "w", 1, 4, "one", "2024-03-05T10:01:02Z")));
  EXPECT_EQ(r.stats().late_fragments, 1u);
  // And a repeat of the evicted fragment is a duplicate.
  ASSERT_TRUE(Add(r, Fragment("H", "w", 2, 4, "two", "2024-03-05T10:01:02Z")));
  EXPECT_EQ(r.stats().duplicates_exact, 1u);
}

TEST_F(ReassemblerTest, MemoryCapEvictsOldestFirst) {
  ReassemblyOptions options;
  options.max_open_bytes = 4096;
  Reassembler r(options);
  std::string big(1500, 'a');
  ASSERT_TRUE(Add(r, Fragment("H", "m1", 1, 2, big)));
  ASSERT_TRUE(Add(r, Fragment("H", "m2", 1, 2, big)));
  ASSERT_TRUE(Add(r, Fragment("H", "m3", 1, 2, big)));
  ASSERT_FALSE(out_.empty());
  EXPECT_EQ(out_[0].id, "m1");
  EXPECT_EQ(out_[0].cause, PartialCause::kEvictedMemory);
  EXPECT_THAT(out_[0].missing, ElementsAre(2));
  EXPECT_LE(r.open_bytes(), options.max_open_bytes);
  EXPECT_GE(r.stats().partial_memory, 1u);
}

TEST_F(ReassemblerTest, BlockCountCapHoldsUnderManyOpenBlocks) {
  ReassemblyOptions options;
  options.max_open_blocks = 100;
  Reassembler r(options);
  std::vector<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back("id" + std::to_string(i));
  for (const auto& id : ids) ASSERT_TRUE(Add(r, Fragment("H", id, 1, 2, "text")));
  EXPECT_LE(r.open_blocks(), 100u);
  EXPECT_EQ(r.stats().partial_memory, 10000u - r.open_blocks());
  EXPECT_LE(r.stats().open_blocks_peak, 101u);
}

TEST_F(ReassemblerTest, ArrivalQueueStaysBoundedBehindAnOldOpenBlock) {
  // One block that never completes (within the window) ahead of 200,000 blocks that do: the
  // queue of arrivals must not keep an entry for every completed block.
  Reassembler r(ReassemblyOptions{});
  ASSERT_TRUE(Add(r, Fragment("H", "never", 1, 2, "first half")));
  size_t peak = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string id = "b" + std::to_string(i);
    ASSERT_TRUE(Add(r, Fragment("H", id, 1, 2, "a")));
    ASSERT_TRUE(Add(r, Fragment("H", id, 2, 2, "b")));
    peak = std::max(peak, r.arrival_queue_size());
  }
  EXPECT_EQ(r.open_blocks(), 1u);
  EXPECT_LE(peak, 2 * 2 + 1024u + 1);
  EXPECT_EQ(out_.size(), 200000u);
  Finish(r);
  ASSERT_EQ(out_.size(), 200001u);
  EXPECT_EQ(out_.back().id, "never");
  EXPECT_EQ(out_.back().cause, PartialCause::kEndOfInput);
}

TEST_F(ReassemblerTest, FinishHandsOnOpenBlocksAsPartial) {
  Reassembler r({});
  ASSERT_TRUE(Add(r, Fragment("H", "f", 3, 3, "c")));
  ASSERT_TRUE(Add(r, Fragment("H", "f", 1, 3, "a")));
  Finish(r);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].cause, PartialCause::kEndOfInput);
  EXPECT_EQ(out_[0].text, "ac");
  EXPECT_THAT(out_[0].missing, ElementsAre(2));
  EXPECT_EQ(r.open_blocks(), 0u);
}

TEST_F(ReassemblerTest, InvalidFragmentsRejectedAndCounted) {
  Reassembler r({});
  EXPECT_FALSE(Add(r, Fragment("H", "", 1, 1, "no id")));
  EXPECT_FALSE(Add(r, Fragment("H", "a", 0, 1, "zero")));
  EXPECT_FALSE(Add(r, Fragment("H", "a", 3, 2, "above total")));
  EXPECT_FALSE(Add(r, Fragment("H", "a", 1, 0, "total zero")));
  EXPECT_FALSE(Add(r, Fragment("H", "a", 1, 1'000'000'000, "huge total")));
  EXPECT_FALSE(Add(r, Fragment("H", "a", -5, 2, "negative")));
  EXPECT_EQ(r.stats().rejected_no_id, 1u);
  EXPECT_EQ(r.stats().rejected_bad_number, 5u);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(r.open_blocks(), 0u);
}

TEST_F(ReassemblerTest, DifferentTotalForSameBlockIsConflicting) {
  Reassembler r({});
  ASSERT_TRUE(Add(r, Fragment("H", "t", 1, 3, "a")));
  ASSERT_TRUE(Add(r, Fragment("H", "t", 2, 2, "b")));
  EXPECT_EQ(r.stats().duplicates_conflicting, 1u);
  EXPECT_TRUE(out_.empty());
}

}  // namespace
}  // namespace sbscan
