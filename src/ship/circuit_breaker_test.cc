#include "ship/circuit_breaker.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

using State = CircuitBreaker::State;
using std::chrono::seconds;

TEST(CircuitBreaker, OpensAfterExactlyNConsecutiveFailures) {
  CircuitBreaker b(3, seconds(60));
  auto t = CircuitBreaker::Clock::time_point{} + seconds(1000);
  EXPECT_TRUE(b.AllowRequest(t));
  EXPECT_FALSE(b.RecordFailure(t));
  EXPECT_FALSE(b.RecordFailure(t));
  EXPECT_EQ(b.state(), State::kClosed);
  EXPECT_TRUE(b.AllowRequest(t));
  EXPECT_TRUE(b.RecordFailure(t));
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_EQ(b.reopen_at(), t + seconds(60));
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
  CircuitBreaker b(3, seconds(60));
  auto t = CircuitBreaker::Clock::time_point{};
  b.RecordFailure(t);
  b.RecordFailure(t);
  b.RecordSuccess();
  EXPECT_FALSE(b.RecordFailure(t));
  EXPECT_FALSE(b.RecordFailure(t));
  EXPECT_EQ(b.state(), State::kClosed);
}

TEST(CircuitBreaker, StaysOpenForTheCooldownThenAllowsOneProbe) {
  CircuitBreaker b(3, seconds(60));
  auto t = CircuitBreaker::Clock::time_point{} + seconds(5);
  for (int i = 0; i < 3; ++i) b.RecordFailure(t);
  EXPECT_FALSE(b.AllowRequest(t));
  EXPECT_FALSE(b.AllowRequest(t + seconds(59)));
  EXPECT_TRUE(b.AllowRequest(t + seconds(60)));
  EXPECT_EQ(b.state(), State::kHalfOpen);
  EXPECT_FALSE(b.AllowRequest(t + seconds(61))) << "only one probe in flight";
  b.RecordSuccess();
  EXPECT_EQ(b.state(), State::kClosed);
  EXPECT_TRUE(b.AllowRequest(t + seconds(61)));
}

TEST(CircuitBreaker, AFailedProbeReopensForAnotherCooldown) {
  CircuitBreaker b(3, seconds(60));
  auto t = CircuitBreaker::Clock::time_point{};
  for (int i = 0; i < 3; ++i) b.RecordFailure(t);
  ASSERT_TRUE(b.AllowRequest(t + seconds(60)));
  EXPECT_TRUE(b.RecordFailure(t + seconds(61)));
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_FALSE(b.AllowRequest(t + seconds(120)));
  EXPECT_TRUE(b.AllowRequest(t + seconds(121)));
}

TEST(CircuitBreaker, OneFailureToOpenAndZeroCooldown) {
  CircuitBreaker b(1, seconds(0));
  auto t = CircuitBreaker::Clock::time_point{};
  EXPECT_TRUE(b.RecordFailure(t));
  EXPECT_TRUE(b.AllowRequest(t));
  EXPECT_EQ(BreakerStateName(b.state()), "half-open");
}

}  // namespace
}  // namespace vigil
