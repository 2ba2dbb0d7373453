#include "server/time_arg.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"

namespace vigil {
namespace {

constexpr int64_t kNow = 1767225600LL * kNanosPerSecond;  // 2026-01-01T00:00:00Z
constexpr int64_t kMinute = 60 * kNanosPerSecond;

TEST(TimeArgTest, Relative) {
  EXPECT_EQ(ParseTimeArg("now", kNow).value(), kNow);
  EXPECT_EQ(ParseTimeArg(" now ", kNow).value(), kNow);
  EXPECT_EQ(ParseTimeArg("-15m", kNow).value(), kNow - 15 * kMinute);
  EXPECT_EQ(ParseTimeArg("-2h", kNow).value(), kNow - 120 * kMinute);
  EXPECT_EQ(ParseTimeArg("-1d", kNow).value(), kNow - 1440 * kMinute);
  EXPECT_EQ(ParseTimeArg("-1w", kNow).value(), kNow - 7 * 1440 * kMinute);
  EXPECT_EQ(ParseTimeArg("-30s", kNow).value(), kNow - 30 * kNanosPerSecond);
  EXPECT_EQ(ParseTimeArg("-250ms", kNow).value(), kNow - 250'000'000);
  EXPECT_EQ(ParseTimeArg("+5m", kNow).value(), kNow + 5 * kMinute);
  EXPECT_EQ(ParseTimeArg("now-15m", kNow).value(), kNow - 15 * kMinute);
}

TEST(TimeArgTest, Absolute) {
  EXPECT_EQ(ParseTimeArg("2026-01-01T00:00:00Z", 0).value(), kNow);
  EXPECT_EQ(ParseTimeArg("2026-01-01T00:47:17.632Z", 0).value(),
            kNow + 47 * kMinute + 17'632'000'000);
  EXPECT_EQ(ParseTimeArg("2026-01-01", 0).value(), kNow);
}

TEST(TimeArgTest, Errors) {
  for (const char* bad :
       {"", "-15x", "-m", "yesterday", "now-", "nowish", "now-5", "-99999999999999d"}) {
    EXPECT_FALSE(ParseTimeArg(bad, kNow).ok()) << bad;
  }
  // A signed number without a unit is an epoch number, not an offset.
  EXPECT_EQ(ParseTimeArg("-15", kNow).value(), -15 * kNanosPerSecond);
  Result<int64_t> r = ParseTimeArg("-15x", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("-15m"), std::string::npos) << r.status().message();
}

TEST(TimeArgTest, EpochMillis) {
  EXPECT_EQ(EpochMillisToNs(1767225600000.0).value(), kNow);
  EXPECT_EQ(EpochMillisToNs(1.5).value(), 1'500'000);
  EXPECT_FALSE(EpochMillisToNs(1e300).ok());
}

}  // namespace
}  // namespace vigil
