#include "alert/rule_set.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace vigil::alert {
namespace {

class NoQueries : public QuerySource {
 public:
  Result<QueryResult> Run(const QueryRequest&) override { return QueryResult{}; }
};

AlertingConfig Config(const std::string& yaml) {
  Result<AlertingConfig> c = ParseAlertingConfig(YAML::Load(yaml)["alerting"], "127.0.0.1:7700");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? c.value() : AlertingConfig{};
}

const char* kFile = R"(
alerting:
  defaults: {logs_silent: false}
  rules:
    - {name: from_file, query: 'stats count(*) as value by bin(1m)', threshold: 1}
)";

std::vector<std::string> Names(const Evaluator& e) {
  std::vector<std::string> out;
  for (const Rule& r : e.Rules()) out.push_back(r.name + ":" + RuleOriginName(r.origin));
  return out;
}

class RuleSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("rule_set_test_" + std::to_string(getpid()) + ".db")).string();
    std::filesystem::remove(path_);
    Reopen();
  }
  void TearDown() override {
    set_.reset();
    evaluator_.reset();
    store_.reset();
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + "-wal");
    std::filesystem::remove(path_ + "-shm");
  }
  void Reopen() {
    set_.reset();
    evaluator_.reset();
    store_ = std::move(AlarmStore::Open(path_, false).value());
    EvaluatorDeps d;
    d.store = store_.get();
    d.queries = &queries_;
    evaluator_ = std::move(Evaluator::Create(d).value());
    set_ = std::make_unique<RuleSet>(*store_, *evaluator_, [] { return int64_t{1}; }, nullptr, &check_);
  }

  std::string path_;
  NoQueries queries_;
  QueryOptions check_;
  std::unique_ptr<AlarmStore> store_;
  std::unique_ptr<Evaluator> evaluator_;
  std::unique_ptr<RuleSet> set_;
};

TEST_F(RuleSetTest, ApiRulesLiveBesideConfigRulesAndPersist) {
  ASSERT_TRUE(set_->Start(Config(kFile)).ok());
  EXPECT_EQ(Names(*evaluator_), (std::vector<std::string>{"cron_failure_rate:default", "from_file:config",
                                                           "http_5xx_rate:default", "http_p95_latency:default"}));
  Result<Rule> r = set_->Put(R"j({"name": "mine", "query": "stats count(*) as value by bin(5m)", "threshold": 3})j",
                             "", true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->period_ns, 300'000'000'000);
  EXPECT_EQ(r->origin, RuleOrigin::kApi);
  EXPECT_EQ(set_->Put(R"j({"name": "mine", "query": "stats count(*) as value by bin(5m)", "threshold": 3})j", "", true)
                .status()
                .code(),
            Code::kAlreadyExists);
  // PUT with the name from the path; YAML bodies work too.
  r = set_->Put("query: 'stats count(*) as value by bin(5m)'\nthreshold: 9\n", "mine", false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->threshold, 9);
  EXPECT_EQ(set_->Put(R"j({"name": "other", "query": "x", "threshold": 1})j", "mine", false).status().code(),
            Code::kInvalidArgument);

  Reopen();
  ASSERT_TRUE(set_->Start(Config(kFile)).ok());
  std::optional<Rule> mine = evaluator_->FindRule("mine");
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(mine->threshold, 9);
  EXPECT_EQ(mine->origin, RuleOrigin::kApi);
  ASSERT_TRUE(set_->Delete("mine").ok());
  EXPECT_FALSE(evaluator_->FindRule("mine").has_value());
  EXPECT_EQ(set_->Delete("mine").code(), Code::kNotFound);
  Reopen();
  ASSERT_TRUE(set_->Start(Config(kFile)).ok());
  EXPECT_FALSE(evaluator_->FindRule("mine").has_value());
}

TEST_F(RuleSetTest, ConfigAndDefaultRulesCannotBeChangedThroughTheApi) {
  ASSERT_TRUE(set_->Start(Config(kFile)).ok());
  const std::string body = R"j({"query": "stats count(*) as value by bin(1m)", "threshold": 1})j";
  EXPECT_EQ(set_->Put(body, "from_file", false).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(set_->Put(body, "http_5xx_rate", false).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(set_->Delete("from_file").code(), Code::kAlreadyExists);
  // A default that is turned off is free for the API.
  EXPECT_TRUE(set_->Put(body, "logs_silent", false).ok());
  Result<Rule> bad = set_->Put(R"j({"name": "b", "query": "stats count(* as value", "period": "1m", "threshold": 1})j", "", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("rule \"b\": query: line 1"), std::string::npos) << bad.status().message();
  EXPECT_EQ(set_->Put("{not json", "", true).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(set_->Put("[1, 2]", "", true).status().message(), "rule: expected a map with name, query, threshold ...");
  EXPECT_EQ(set_->Put(std::string(100000, '['), "", true).status().message(), "rule body is nested too deeply");
}

TEST_F(RuleSetTest, AReloadThatClashesWithAnApiRuleChangesNothing) {
  ASSERT_TRUE(set_->Start(Config(kFile)).ok());
  ASSERT_TRUE(set_->Put(R"j({"name": "mine", "query": "stats count(*) as value by bin(1m)", "threshold": 1})j", "", true).ok());
  AlertingConfig clash = Config(R"(
alerting:
  defaults: false
  rules:
    - {name: mine, query: 'stats count(*) as value by bin(1m)', threshold: 2}
)");
  EXPECT_EQ(set_->Check(clash).code(), Code::kInvalidArgument);
  Status s = set_->Reload(clash);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rule \"mine\": name: defined in the config file and through the API"), std::string::npos)
      << s.message();
  EXPECT_TRUE(evaluator_->FindRule("from_file").has_value());
  EXPECT_EQ(evaluator_->FindRule("mine")->origin, RuleOrigin::kApi);
  // A good reload replaces the file's rules and keeps the API's.
  ASSERT_TRUE(set_->Reload(Config("alerting: {defaults: false}")).ok());
  EXPECT_EQ(Names(*evaluator_), (std::vector<std::string>{"mine:api"}));
}

}  // namespace
}  // namespace vigil::alert
