#include "state/state_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace vigil {
namespace {

std::string TempDir() {
  std::string tmpl = std::filesystem::temp_directory_path() / "statedb-XXXXXX";
  return mkdtemp(tmpl.data());
}

TEST(StateDbTest, TransactionCommitsOrRollsBack) {
  std::string dir = TempDir();
  auto db = StateDb::Open(StateDb::PathIn(dir)).value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, n INTEGER)").ok());
  ASSERT_TRUE(db->Transaction([&]() -> Status {
                  ASSIGN_OR_RETURN(Statement st, db->Prepare("INSERT INTO t VALUES(?, ?)"));
                  RETURN_IF_ERROR(st.Bind(1, "a").Bind(2, int64_t{1}).Run());
                  return st.Bind(1, "b").Bind(2, std::optional<int64_t>()).Run();
                }).ok());
  Status failed = db->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db->Prepare("INSERT INTO t VALUES('c', 3)"));
    RETURN_IF_ERROR(st.Run());
    return Status::InvalidArgument("changed my mind");
  });
  EXPECT_EQ(failed.code(), Code::kInvalidArgument);
  // A duplicate key is an error, not a crash.
  EXPECT_FALSE(db->Exec("INSERT INTO t VALUES('a', 9)").ok());

  auto ro = StateDb::Open(StateDb::PathIn(dir), /*read_only=*/true).value();
  auto st = ro->Prepare("SELECT k, n FROM t ORDER BY k").value();
  ASSERT_TRUE(st.Step().value());
  EXPECT_EQ(st.Text(0), "a");
  EXPECT_EQ(st.OptInt(1), 1);
  ASSERT_TRUE(st.Step().value());
  EXPECT_EQ(st.Text(0), "b");
  EXPECT_FALSE(st.OptInt(1).has_value());
  EXPECT_FALSE(st.Step().value());
  EXPECT_FALSE(ro->Exec("INSERT INTO t VALUES('z', 1)").ok());
  EXPECT_EQ(StateDb::Open(dir + "/missing.db", true).status().code(), Code::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil
