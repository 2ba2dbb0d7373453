#include "diagnostics/error_groups.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "diagnostics/slow_endpoints.h"

namespace vigil {
namespace {

class ErrorGroupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = std::filesystem::temp_directory_path() / "groups-XXXXXX";
    dir_ = mkdtemp(tmpl.data());
    Reopen();
  }
  void TearDown() override {
    groups_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    groups_.reset();
    db_ = StateDb::Open(StateDb::PathIn(dir_)).value();
    groups_ = ErrorGroups::Open(*db_).value();
  }
  static ErrorOccurrences Occ(const std::string& fp, int64_t count, int64_t first, int64_t last,
                              const std::string& path = "") {
    ErrorOccurrences o;
    o.fingerprint = fp;
    o.tenant = "t1";
    o.error_class = "Errors";
    o.message = "m {n}";
    o.sample = "m 1";
    o.count = count;
    o.first_ns = first;
    o.last_ns = last;
    o.path = path;
    return o;
  }

  std::string dir_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<ErrorGroups> groups_;
};

TEST_F(ErrorGroupsTest, CountsAddUpAndLatestFieldsWin) {
  ASSERT_TRUE(groups_->Record({Occ("a", 2, 100, 200, "/x"), Occ("b", 1, 50, 50)}).ok());
  ASSERT_TRUE(groups_->Record({Occ("a", 3, 10, 150, "/older")}).ok());
  ASSERT_TRUE(groups_->Record({Occ("a", 1, 300, 300, "")}).ok());  // no path: keep the last one
  ErrorGroup a = groups_->Get("a").value();
  EXPECT_EQ(a.count, 6);
  EXPECT_EQ(a.first_seen_ns, 10);
  EXPECT_EQ(a.last_seen_ns, 300);
  EXPECT_EQ(a.path, "/x");
  EXPECT_EQ(a.status, "unresolved");
  auto list = groups_->List({}).value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].fingerprint, "a");  // most recent first
  ErrorGroupFilter since;
  since.since_ns = 100;
  EXPECT_EQ(groups_->List(since).value().size(), 1u);
  EXPECT_EQ(groups_->Get("zz").status().code(), Code::kNotFound);
}

TEST_F(ErrorGroupsTest, ResolvedGroupRegressesOnANewOccurrenceAndStateSurvivesReopen) {
  ASSERT_TRUE(groups_->Record({Occ("a", 1, 100, 100)}).ok());
  ASSERT_TRUE(groups_->SetStatus("a", "resolved", 500).ok());
  ASSERT_TRUE(groups_->Record({Occ("a", 1, 400, 400)}).ok());  // older than the resolution
  EXPECT_EQ(groups_->Get("a")->status, "resolved");
  ASSERT_TRUE(groups_->Record({Occ("a", 1, 600, 600)}).ok());
  Reopen();
  ErrorGroup a = groups_->Get("a").value();
  EXPECT_EQ(a.status, "regressed");
  EXPECT_EQ(a.regressed_at_ns, 600);
  EXPECT_EQ(a.count, 3);
  ASSERT_TRUE(groups_->SetStatus("a", "ignored", 700).ok());
  ASSERT_TRUE(groups_->Record({Occ("a", 1, 800, 800)}).ok());
  EXPECT_EQ(groups_->Get("a")->status, "ignored");
  EXPECT_EQ(groups_->SetStatus("a", "bogus", 1).code(), Code::kInvalidArgument);
  EXPECT_EQ(groups_->SetStatus("nope", "resolved", 1).code(), Code::kNotFound);
}

TEST_F(ErrorGroupsTest, MergeMovesCountsAndRedirectsLaterOccurrences) {
  ASSERT_TRUE(groups_->Record({Occ("a", 2, 100, 200), Occ("b", 5, 50, 300, "/b"), Occ("c", 1, 1, 1)}).ok());
  ASSERT_TRUE(groups_->Merge("a", "b").ok());
  ASSERT_TRUE(groups_->Record({Occ("b", 1, 400, 400)}).ok());
  ASSERT_TRUE(groups_->Merge("c", "a").ok());  // chains: b -> a -> c
  ASSERT_TRUE(groups_->Record({Occ("b", 1, 500, 500)}).ok());
  ErrorGroup c = groups_->Get("b").value();  // found through the alias
  EXPECT_EQ(c.fingerprint, "c");
  EXPECT_EQ(c.count, 1 + 2 + 5 + 1 + 1);
  EXPECT_EQ(c.first_seen_ns, 1);
  EXPECT_EQ(c.last_seen_ns, 500);
  EXPECT_EQ(c.merged, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(groups_->List({}).value().size(), 1u);
  EXPECT_EQ(groups_->Merge("c", "b").code(), Code::kInvalidArgument);
  EXPECT_EQ(groups_->Merge("c", "zz").code(), Code::kNotFound);
}

TEST_F(ErrorGroupsTest, ConcurrentRecordsAreExact) {
  constexpr int kThreads = 4, kBatches = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBatches; ++i) {
        ASSERT_TRUE(groups_->Record({Occ("a", 1, i, i + t), Occ("b", 2, i, i)}).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(groups_->Get("a")->count, kThreads * kBatches);
  EXPECT_EQ(groups_->Get("b")->count, 2 * kThreads * kBatches);
}

TEST_F(ErrorGroupsTest, ReadOnlyOpenSeesTheGroupsAndBatchHasTheViewColumns) {
  ASSERT_TRUE(groups_->Record({Occ("a", 2, 100, 200, "/x")}).ok());
  auto ro = StateDb::Open(StateDb::PathIn(dir_), true).value();
  auto groups = ErrorGroups::Open(*ro).value();
  auto list = groups->List({}).value();
  ASSERT_EQ(list.size(), 1u);
  Batch b = ErrorGroups::ToBatch(list);
  EXPECT_EQ(b.rows, 1u);
  for (const char* c : {"tenant", "class", "fingerprint", "message", "sample", "status"}) {
    EXPECT_NE(b.Find(c, Type::kString), nullptr) << c;
  }
  EXPECT_NE(b.Find("count", Type::kInt), nullptr);
  EXPECT_EQ(b.Find("endpoint", Type::kString), nullptr);  // unknown stays absent
}

TEST(SlowEndpointsTest, EndpointDiagnosis) {
  DiagnosisOptions o;
  SlowEndpointStats n1;
  n1.p95_query_count = 40;
  EXPECT_STREQ(DiagnoseEndpoint(n1, o), "n_plus_one");
  SlowEndpointStats sq;
  sq.p95_query_count = 20;
  sq.mean_query_total_ms = 800;
  sq.p95 = 3000;
  sq.db_share = 0.9;
  EXPECT_STREQ(DiagnoseEndpoint(sq, o), "slow_queries");
  SlowEndpointStats py;
  py.p95 = 4000;
  py.mean_query_total_ms = 30;
  py.db_share = 0.02;
  EXPECT_STREQ(DiagnoseEndpoint(py, o), "python_bound");
  py.db_share = 0.6;  // slow, but in the database: not Python's fault
  EXPECT_STREQ(DiagnoseEndpoint(py, o), "ok");
  SlowEndpointStats fine;
  fine.p95 = 200;
  EXPECT_STREQ(DiagnoseEndpoint(fine, o), "ok");
}

}  // namespace
}  // namespace vigil
