#include "server/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace vigil {
namespace {

TEST(ConfigTest, EmptyDocumentGivesDefaults) {
  Result<Config> c = ParseConfig("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen, "127.0.0.1:7700");
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->max_body_bytes, 64u << 20);
  EXPECT_EQ(c->max_line_bytes, 32u << 20);
  EXPECT_EQ(c->retention_days, 0);
  EXPECT_EQ(c->tenant_fields, (std::vector<std::string>{"agency_db", "db_name"}));
  EXPECT_EQ(c->id_fields, (std::vector<std::string>{"request_id", "trace_id"}));
  EXPECT_TRUE(c->api_keys.empty());
  EXPECT_EQ(c->query.max_rows, 10000u);
  EXPECT_EQ(c->query.timeout_ms, 30000);
}

TEST(ConfigTest, ReadsEveryKey) {
  Result<Config> c = ParseConfig(R"(
listen: 0.0.0.0:8080
data_dir: /var/lib/vigil
max_body_bytes: 16MiB
max_inflight_body_bytes: 256MiB
max_line_bytes: 1048576
retention_days: 30
tenant_fields: [tenant]
id_fields: [req, trace]
api_keys:
  - {key: k-ingest, role: ingest, name: shipper}
  - key: k-read
    role: read
  - {key: k-admin, role: admin, name: ops}
query:
  timeout_ms: 5000
  max_rows: 500
alerting:
  rules: [{name: x}]
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen, "0.0.0.0:8080");
  EXPECT_EQ(c->data_dir, "/var/lib/vigil");
  EXPECT_EQ(c->max_body_bytes, 16u << 20);
  EXPECT_EQ(c->max_inflight_body_bytes, 256u << 20);
  EXPECT_EQ(c->max_line_bytes, 1048576u);
  EXPECT_EQ(c->retention_days, 30);
  EXPECT_EQ(c->tenant_fields, std::vector<std::string>{"tenant"});
  EXPECT_EQ(c->id_fields, (std::vector<std::string>{"req", "trace"}));
  ASSERT_EQ(c->api_keys.size(), 3u);
  EXPECT_EQ(c->api_keys[0].key, "k-ingest");
  EXPECT_EQ(c->api_keys[0].role, Role::kIngest);
  EXPECT_EQ(c->api_keys[0].name, "shipper");
  EXPECT_EQ(c->api_keys[1].role, Role::kRead);
  EXPECT_EQ(c->api_keys[1].name, "key-1");
  EXPECT_EQ(c->api_keys[2].role, Role::kAdmin);
  EXPECT_EQ(c->query.timeout_ms, 5000);
  EXPECT_EQ(c->query.max_rows, 500u);
  // Sections owned by other modules stay readable.
  EXPECT_EQ(c->raw["alerting"]["rules"][0]["name"].as<std::string>(), "x");
}

TEST(ConfigTest, SizeUnits) {
  EXPECT_EQ(ParseConfig("max_body_bytes: 2KB")->max_body_bytes, 2000u);
  EXPECT_EQ(ParseConfig("max_body_bytes: 2KiB")->max_body_bytes, 2048u);
  EXPECT_EQ(ParseConfig("max_body_bytes: 1G")->max_body_bytes, 1u << 30);
  EXPECT_EQ(ParseConfig("max_body_bytes: 3 MB")->max_body_bytes, 3000000u);
}

// Each bad document fails with a message naming the key and the line.
struct BadCase {
  const char* yaml;
  const char* expect;  // substring of the error message
};

class ConfigErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrorTest, NamesTheKey) {
  Result<Config> c = ParseConfig(GetParam().yaml, "vigil.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find(GetParam().expect), std::string::npos)
      << c.status().message();
  EXPECT_NE(c.status().message().find("vigil.yaml"), std::string::npos) << c.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Bad, ConfigErrorTest,
    testing::Values(
        BadCase{"max_body_bytes: lots", "key 'max_body_bytes'"},
        BadCase{"max_body_bytes: 0", "key 'max_body_bytes': must be greater than 0"},
        BadCase{"max_line_bytes: 5 parsecs", "unknown unit"},
        BadCase{"retention_days: -1", "key 'retention_days': must be between 0"},
        BadCase{"retention_days: [1]", "key 'retention_days': expected an integer"},
        BadCase{"listen: 7700", "key 'listen'"},
        BadCase{"listen: \"127.0.0.1:99999\"", "port must be a number"},
        BadCase{"listen: {a: b}", "key 'listen': expected a string"},
        BadCase{"data_dir: \"\"", "key 'data_dir': must not be empty"},
        BadCase{"tenant_fields: agency_db", "key 'tenant_fields': expected a list"},
        BadCase{"id_fields: [a, [b]]", "key 'id_fields'"},
        BadCase{"api_keys: {key: x}", "key 'api_keys'"},
        BadCase{"api_keys: [{key: x, role: writer}]", "api_keys[0].role': expected one of"},
        BadCase{"api_keys: [{role: read}]", "api_keys[0].key': missing"},
        BadCase{"api_keys: [{key: x}]", "api_keys[0].role': missing"},
        BadCase{"api_keys: [{key: x, role: read, colour: red}]", "api_keys[0].colour': unknown"},
        BadCase{"api_keys: [{key: x, role: read}, {key: x, role: admin}]", "duplicate key"},
        BadCase{"query: {timeout_ms: soon}", "key 'query.timeout_ms'"},
        BadCase{"query: {max_rows: 0}", "key 'query.max_rows': must be between 1"},
        BadCase{"query: {max_rowz: 5}", "key 'query.max_rowz': unknown key"},
        BadCase{"- a\n- b", "must be a mapping"}, BadCase{"listen: [unclosed", "invalid YAML"}));

TEST(ConfigTest, ErrorCarriesLineNumber) {
  Result<Config> c = ParseConfig("listen: 127.0.0.1:1\n\nretention_days: soon\n", "f.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("f.yaml:3: key 'retention_days'"), std::string::npos)
      << c.status().message();
}

TEST(ConfigTest, UnknownTopLevelKeysAreAllowed) {
  Result<Config> c = ParseConfig("alerting: {x: 1}\nnotifiers: []\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
}

TEST(ConfigTest, LoadConfigReadsAFile) {
  std::string path = testing::TempDir() + "/vigil_config_test.yaml";
  {
    std::ofstream out(path);
    out << "data_dir: /tmp/x\n";
  }
  Result<Config> c = LoadConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir, "/tmp/x");
  std::remove(path.c_str());

  Result<Config> missing = LoadConfig(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kIOError);
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
}

TEST(HostPortTest, Parses) {
  Result<HostPort> a = ParseHostPort("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 0);
  Result<HostPort> b = ParseHostPort("[::1]:7700");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 7700);
  EXPECT_EQ(ParseHostPort("localhost:80")->host, "localhost");
  EXPECT_FALSE(ParseHostPort("::1:7700").ok());
  EXPECT_FALSE(ParseHostPort(":7700").ok());
  EXPECT_FALSE(ParseHostPort("host:").ok());
  EXPECT_FALSE(ParseHostPort("host:7x").ok());
  EXPECT_FALSE(ParseHostPort("host").ok());
}

TEST(ConfigTest, ErrorsDiagnosisAndFingerprintRules) {
  Result<Config> c = ParseConfig(R"(
tenant_fields: [org]
errors:
  class_field: kind_of_error
  levels: [ERROR]
fingerprint_rules:
  - match: 'Timeout after \d+ms'
    fingerprint: timeouts
diagnosis:
  n_plus_one_queries: 25
  python_db_share: 0.3
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pipeline.tenant_fields, std::vector<std::string>{"org"});
  EXPECT_EQ(c->pipeline.errors.class_field, "kind_of_error");
  ASSERT_EQ(c->pipeline.errors.rules.size(), 1u);
  EXPECT_NE(c->pipeline.errors.rules[0].re, nullptr);
  EXPECT_EQ(c->pipeline.diagnosis.n_plus_one_queries, 25);
  EXPECT_EQ(c->pipeline.diagnosis.python_db_share, 0.3);

  Result<Config> kinds = ParseConfig("cron:\n  fields:\n    job: task\nhealth:\n  external_apis:\n    api_field: vendor\n");
  ASSERT_TRUE(kinds.ok());
  EXPECT_EQ(kinds->pipeline.cron_job_field, "task");
  EXPECT_EQ(kinds->pipeline.external_api_field, "vendor");

  auto bad = [](const char* yaml) {
    Result<Config> r = ParseConfig(yaml);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_THAT(bad("fingerprint_rules:\n  - match: '(x'\n    fingerprint: a\n"),
              ::testing::HasSubstr("fingerprint_rules[0].match"));
  EXPECT_THAT(bad("fingerprint_rules:\n  - match: x\n"), ::testing::HasSubstr("fingerprint"));
  EXPECT_THAT(bad("diagnosis:\n  python_db_share: 2\n"), ::testing::HasSubstr("between 0 and 1"));
  EXPECT_THAT(bad("diagnosis:\n  n_plus_one: 3\n"), ::testing::HasSubstr("unknown key"));
  EXPECT_THAT(bad("errors:\n  enabled: maybe\n"), ::testing::HasSubstr("true or false"));
}

}  // namespace
}  // namespace vigil
