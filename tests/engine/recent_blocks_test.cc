#include "engine/src/recent_blocks.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

namespace sbscan {
namespace {

TEST(RecentBlocksTest, RemembersFingerprintsPerFragment) {
  RecentBlocks recent(4, 16);
  EXPECT_TRUE(recent.empty());
  EXPECT_EQ(recent.Find(7), nullptr);
  std::vector<uint64_t> fp = {11, 0, 33};
  recent.Remember(7, fp);
  const RecentBlocks::Entry* e = recent.Find(7);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->total, 3);
  EXPECT_EQ(recent.Fingerprint(*e, 1), 11u);
  EXPECT_EQ(recent.Fingerprint(*e, 2), 0u);
  EXPECT_EQ(recent.Fingerprint(*e, 3), 33u);
  recent.Remember(0, std::vector<uint64_t>{5});  // key 0 is usable (it shares key 1's entry)
  ASSERT_NE(recent.Find(0), nullptr);
  EXPECT_EQ(recent.Fingerprint(*recent.Find(0), 1), 5u);
}

TEST(RecentBlocksTest, OldestBlockForgottenFirstAndRememberAgainKeepsAge) {
  RecentBlocks recent(3, 64);
  for (uint64_t k = 1; k <= 3; ++k) recent.Remember(k, std::vector<uint64_t>{k});
  recent.Remember(1, std::vector<uint64_t>{100, 101});  // replaced, still the oldest
  recent.Remember(4, std::vector<uint64_t>{4});
  EXPECT_EQ(recent.Find(1), nullptr);
  ASSERT_NE(recent.Find(2), nullptr);
  ASSERT_NE(recent.Find(4), nullptr);
  EXPECT_EQ(recent.size(), 3u);
}

TEST(RecentBlocksTest, OverwrittenFingerprintsForgetTheBlock) {
  RecentBlocks recent(100, 8);
  recent.Remember(1, std::vector<uint64_t>{1, 2, 3});
  recent.Remember(2, std::vector<uint64_t>{4, 5, 6, 7, 8});
  ASSERT_NE(recent.Find(1), nullptr);  // 8 fingerprints written, all fit
  recent.Remember(3, std::vector<uint64_t>{9});
  EXPECT_EQ(recent.Find(1), nullptr);  // its first fingerprint was overwritten
  ASSERT_NE(recent.Find(2), nullptr);
  EXPECT_EQ(recent.Fingerprint(*recent.Find(2), 5), 8u);
  recent.Remember(2, std::vector<uint64_t>(9, 1));  // larger than the ring: forgotten
  EXPECT_EQ(recent.Find(2), nullptr);
}

// Against a reference model (map + FIFO), with many collisions and deletions in the table.
TEST(RecentBlocksTest, MatchesAReferenceModel) {
  const size_t kCapacity = 64;
  RecentBlocks recent(kCapacity, 1 << 20);
  std::map<uint64_t, std::vector<uint64_t>> model;
  std::vector<uint64_t> order;
  std::mt19937_64 rng(5);
  for (int step = 0; step < 200000; ++step) {
    uint64_t key = 1 + rng() % 200;  // keys repeat: re-remembering is common
    std::vector<uint64_t> fp(1 + rng() % 3);
    for (auto& f : fp) f = rng() | 1;
    recent.Remember(key, fp);
    if (model.count(key) == 0) {
      if (order.size() == kCapacity) {
        model.erase(order.front());
        order.erase(order.begin());
      }
      order.push_back(key);
    }
    model[key] = fp;
    uint64_t probe = 1 + rng() % 200;
    const RecentBlocks::Entry* e = recent.Find(probe);
    auto it = model.find(probe);
    ASSERT_EQ(e != nullptr, it != model.end()) << "step " << step << " key " << probe;
    if (e != nullptr) {
      ASSERT_EQ(static_cast<size_t>(e->total), it->second.size());
      for (int32_t n = 1; n <= e->total; ++n) {
        ASSERT_EQ(recent.Fingerprint(*e, n), it->second[n - 1]);
      }
    }
  }
}

}  // namespace
}  // namespace sbscan
