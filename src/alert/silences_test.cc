#include "alert/silences.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/timestamp.h"

namespace vigil::alert {
namespace {

int64_t T(std::string_view iso) {
  Result<int64_t> t = ParseTimestampString(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : 0;
}

Recurrence Window(std::vector<std::string> days, std::string_view start, std::string_view end, std::string tz) {
  Result<Recurrence> r = MakeRecurrence(days, start, end, std::move(tz));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Recurrence{};
}

TEST(RecurringTest, NightlyWindowInUtc) {
  const Recurrence r = Window({}, "02:00", "03:00", "UTC");
  EXPECT_FALSE(InRecurringWindow(r, T("2026-06-01T01:59:59Z")));
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-01T02:00:00Z")));
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-01T02:59:59Z")));
  EXPECT_FALSE(InRecurringWindow(r, T("2026-06-01T03:00:00Z")));
}

TEST(RecurringTest, SummerTimeInBerlin) {
  // 2026-06-01 is CEST (UTC+2): 02:00-03:00 local is 00:00-01:00 UTC.
  const Recurrence r = Window({}, "02:00", "03:00", "Europe/Berlin");
  EXPECT_FALSE(InRecurringWindow(r, T("2026-06-01T02:30:00Z")));
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-01T00:00:00Z")));
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-01T00:59:00Z")));
  EXPECT_FALSE(InRecurringWindow(r, T("2026-06-01T01:00:00Z")));
}

TEST(RecurringTest, SpringForwardSkipsTheWindow) {
  // 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST at 01:00 UTC, so local 02:00-03:00
  // does not exist that night; the day before it is 01:00-02:00 UTC (CET).
  const Recurrence r = Window({}, "02:00", "03:00", "Europe/Berlin");
  EXPECT_TRUE(InRecurringWindow(r, T("2026-03-28T01:30:00Z")));
  for (const char* t : {"2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"}) {
    EXPECT_FALSE(InRecurringWindow(r, T(t))) << t;
  }
  // A window around the gap keeps its real length: 01:00 CET (00:00Z) to 04:00 CEST (02:00Z).
  const Recurrence wide = Window({}, "01:00", "04:00", "Europe/Berlin");
  EXPECT_FALSE(InRecurringWindow(wide, T("2026-03-28T23:59:00Z")));
  EXPECT_TRUE(InRecurringWindow(wide, T("2026-03-29T00:00:00Z")));
  EXPECT_TRUE(InRecurringWindow(wide, T("2026-03-29T01:59:00Z")));
  EXPECT_FALSE(InRecurringWindow(wide, T("2026-03-29T02:00:00Z")));
}

TEST(RecurringTest, FallBackRunsThroughBothOccurrences) {
  // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; local 02:00 first happens at
  // 00:00 UTC and 03:00 CET is 02:00 UTC: the window lasts two hours.
  const Recurrence r = Window({}, "02:00", "03:00", "Europe/Berlin");
  EXPECT_FALSE(InRecurringWindow(r, T("2026-10-24T23:59:00Z")));
  EXPECT_TRUE(InRecurringWindow(r, T("2026-10-25T00:00:00Z")));
  EXPECT_TRUE(InRecurringWindow(r, T("2026-10-25T01:30:00Z")));
  EXPECT_FALSE(InRecurringWindow(r, T("2026-10-25T02:00:00Z")));
}

TEST(RecurringTest, WeekdaysAndMidnight) {
  // 2026-06-05 is a Friday. 22:00-06:00 on weekdays: Friday night runs into Saturday.
  const Recurrence r = Window({"mon", "tue", "wed", "thu", "fri"}, "22:00", "06:00", "UTC");
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-05T23:00:00Z")));
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-06T05:59:00Z"))) << "Saturday morning belongs to Friday's window";
  EXPECT_FALSE(InRecurringWindow(r, T("2026-06-06T23:00:00Z"))) << "Saturday night is off";
  EXPECT_FALSE(InRecurringWindow(r, T("2026-06-07T03:00:00Z"))) << "Sunday morning is Saturday's window";
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-08T03:00:00Z")) == false);
  EXPECT_TRUE(InRecurringWindow(r, T("2026-06-08T22:00:00Z")));
}

TEST(RecurringTest, BadParts) {
  EXPECT_FALSE(MakeRecurrence({}, "2:00", "03:00", "UTC").ok());
  EXPECT_FALSE(MakeRecurrence({}, "02:00", "25:00", "UTC").ok());
  EXPECT_FALSE(MakeRecurrence({"funday"}, "02:00", "03:00", "UTC").ok());
  Result<Recurrence> tz = MakeRecurrence({}, "02:00", "03:00", "Mars/Olympus");
  ASSERT_FALSE(tz.ok());
  EXPECT_NE(tz.status().message().find("Mars/Olympus"), std::string::npos);
  EXPECT_EQ(ParseWeekday("Sunday").value(), 0);
  EXPECT_EQ(ParseWeekday("sat").value(), 6);
}

TEST(SilenceTest, ActiveBetweenStartAndEnd) {
  Silence s;
  s.starts_at_ns = 100;
  s.ends_at_ns = 200;
  EXPECT_STREQ(s.StateAt(99), "pending");
  EXPECT_STREQ(s.StateAt(100), "active");
  EXPECT_STREQ(s.StateAt(200), "expired");
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vigil_silences_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<StateDb> OpenDb() {
    Result<std::unique_ptr<StateDb>> db = StateDb::Open(StateDb::PathIn(dir_.string()));
    EXPECT_TRUE(db.ok());
    return std::move(db).value();
  }
  std::filesystem::path dir_;
};

TEST_F(StoreTest, SilencesAndAcksSurviveReopen) {
  const Labels firing = {{"alertname", "lat"}, {"endpoint", "/a"}};
  const int64_t now = T("2026-06-01T12:00:00Z");
  std::string id;
  {
    auto db = OpenDb();
    auto store = std::move(SilenceStore::Open(*db)).value();
    Silence s;
    s.matchers = {ParseMatcher("endpoint=~\"/a|/b\"").value()};
    s.starts_at_ns = now;
    s.ends_at_ns = now + 3600 * kNanosPerSecond;
    s.author = "alice";
    s.comment = "deploy";
    s.recurring = Window({"mon"}, "11:00", "13:00", "UTC");
    id = store->Add(s).value();
    ASSERT_TRUE(store->AddAck({"lat/a", "lat", {{"alertname", "lat"}, {"endpoint", "/b"}}, "bob", "", now}).ok());
  }
  auto db = OpenDb();
  auto store = std::move(SilenceStore::Open(*db)).value();
  std::string why;
  EXPECT_TRUE(store->Muted(firing, now, false, &why));
  EXPECT_EQ(why, "silence " + id + ": deploy");
  EXPECT_FALSE(store->Muted({{"endpoint", "/c"}}, now, true, &why));
  EXPECT_TRUE(store->Muted({{"alertname", "lat"}, {"endpoint", "/b"}}, now + 2 * 3600 * kNanosPerSecond, true, &why));
  EXPECT_EQ(why, "acked by bob");
  EXPECT_FALSE(store->Muted({{"alertname", "lat"}, {"endpoint", "/b"}}, now + 2 * 3600 * kNanosPerSecond, false, &why));
  ASSERT_EQ(store->List().size(), 1u);
  EXPECT_EQ(store->List()[0].recurring->time_zone, "UTC");

  EXPECT_EQ(store->Expire("nope", now).code(), Code::kNotFound);
  ASSERT_TRUE(store->Expire(id, now + 1).ok());
  ASSERT_TRUE(store->ClearAck("lat/a").ok());
  auto db2 = OpenDb();
  auto reopened = std::move(SilenceStore::Open(*db2)).value();
  EXPECT_FALSE(reopened->Muted(firing, now + 2, true, nullptr));
  EXPECT_FALSE(reopened->Muted({{"alertname", "lat"}, {"endpoint", "/b"}}, now + 2, true, nullptr));
  EXPECT_STREQ(reopened->List()[0].StateAt(now + 2), "expired");
}

TEST(ConfigSilenceTest, Parse) {
  Result<std::vector<Silence>> s = ParseConfigSilences(YAML::Load(R"(
silences:
  - matchers: ['alertname="logs_silent"']
    comment: nightly backup
    recurring: {days: [mon, tue], start: "02:00", end: "03:00", time_zone: Europe/Berlin}
)"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].id, "config:0");
  EXPECT_EQ((*s)[0].recurring->weekdays, (1 << 1) | (1 << 2));
  Result<std::vector<Silence>> bad = ParseConfigSilences(YAML::Load("silences:\n  - matchers: ['a=b']\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("needs ends_at"), std::string::npos);
}

}  // namespace
}  // namespace vigil::alert
