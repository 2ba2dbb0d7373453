// Data-driven query tests: testdata/*.test hold queries over test_util::SampleEvents()
// and their exact expected output, error or plan (format: golden_runner.h).
// Run with VIGIL_UPDATE_GOLDEN=1 to rewrite the expectations from the actual output
// (then read the diff before committing it).
#include "query/golden_runner.h"

namespace vigil::query {
namespace {

void RunSample(const std::string& name) {
  golden::RunFile(std::filesystem::path(__FILE__).parent_path() / "testdata" / name,
                  test_util::SampleEvents(), test_util::SampleNow(), /*may_update=*/true);
}

TEST(GoldenTest, Queries) { RunSample("queries.test"); }
TEST(GoldenTest, Errors) { RunSample("errors.test"); }
TEST(GoldenTest, Plans) { RunSample("plans.test"); }
TEST(GoldenTest, Stats) { RunSample("stats.test"); }
TEST(GoldenTest, Functions) { RunSample("functions.test"); }
TEST(GoldenTest, Commands) { RunSample("commands.test"); }
TEST(GoldenTest, Sql) { RunSample("sql.test"); }

}  // namespace
}  // namespace vigil::query
