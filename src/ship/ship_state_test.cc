#include "ship/ship_state.h"

#include <gtest/gtest.h>

#include "ship/test_util.h"

namespace vigil {
namespace {

using ship_test::TempDir;

Checkpoint Sample() {
  Checkpoint cp;
  cp.next_seq = 8;
  cp.pending = 7;
  cp.spool_head = {2, 10};
  cp.spool_tail = {3, 99};
  cp.dropped_total = 5;
  cp.files.push_back({"/var/log/app with space.log", 65024, 123, 456});
  return cp;
}

TEST(ShipState, CheckpointAndOutboxRoundTrip) {
  auto cp = DecodeCheckpoint(EncodeCheckpoint(Sample()));
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(EncodeCheckpoint(*cp), EncodeCheckpoint(Sample()));
  Outbox o{7, 2, "{\"a\":1}\nplain\n", Sample()};
  auto back = DecodeOutbox(EncodeOutbox(o));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->body, o.body);
  EXPECT_EQ(back->lines, 2u);
  EXPECT_EQ(EncodeCheckpoint(back->state), EncodeCheckpoint(o.state));
}

TEST(ShipState, DamageIsCorruption) {
  std::string cp = EncodeCheckpoint(Sample());
  EXPECT_FALSE(DecodeCheckpoint(cp.substr(0, cp.size() - 1)).ok());
  EXPECT_FALSE(DecodeCheckpoint(cp + "bogus 1\n").ok());
  EXPECT_FALSE(DecodeCheckpoint("vigil-ship-checkpoint 2\n").ok());
  std::string o = EncodeOutbox({7, 1, "x\n", Sample()});
  EXPECT_FALSE(DecodeOutbox(o.substr(0, o.size() - 1)).ok());
  EXPECT_FALSE(DecodeOutbox(o + "y").ok());
}

TEST(ShipState, LockIdAndTheNewerOfCheckpointAndOutboxWins) {
  TempDir d;
  std::string id;
  {
    auto s = ShipState::Open(d.path(), false);
    ASSERT_TRUE(s.ok());
    id = (*s)->shipper_id();
    EXPECT_EQ(ShipState::Open(d.path(), false).status().code(), Code::kUnavailable);
    Checkpoint cp = Sample();
    cp.pending = 0;
    ASSERT_TRUE((*s)->WriteCheckpoint(cp).ok());  // next_seq 8
    Outbox o{8, 1, "x\n", Sample()};
    o.state.pending = 8;
    o.state.next_seq = 9;
    o.state.files[0].offset = 999;
    ASSERT_TRUE((*s)->WriteOutbox(o).ok());  // made after the checkpoint: it wins
  }
  auto s = ShipState::Open(d.path(), false);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->shipper_id(), id);
  Checkpoint cp;
  std::optional<Outbox> pending;
  std::vector<std::string> notes;
  ASSERT_TRUE((*s)->Load(&cp, &pending, &notes).ok());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->seq, 8u);
  EXPECT_EQ(cp.next_seq, 9u);
  EXPECT_EQ(cp.files[0].offset, 999u);
  // A checkpoint written after it (spooling while 8 is in flight) wins, keeping 8.
  cp.spool_tail = {4, 1};
  ASSERT_TRUE((*s)->WriteCheckpoint(cp).ok());
  ASSERT_TRUE((*s)->Load(&cp, &pending, &notes).ok());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(cp.spool_tail.segment, 4u);
  // Once committed (pending 0), the outbox is gone.
  cp.pending = 0;
  ASSERT_TRUE((*s)->WriteCheckpoint(cp).ok());
  ASSERT_TRUE((*s)->Load(&cp, &pending, &notes).ok());
  EXPECT_FALSE(pending.has_value());
  EXPECT_TRUE(notes.empty());
}

}  // namespace
}  // namespace vigil
