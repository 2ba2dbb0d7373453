#include "health/health_config.h"

#include <gtest/gtest.h>

namespace vigil::health {
namespace {

constexpr int64_t kSec = 1'000'000'000;

Result<HealthConfig> Parse(const std::string& yaml) { return ParseHealthConfig(YAML::Load(yaml)); }

TEST(HealthConfigTest, DefaultsWithoutSections) {
  auto c = Parse("listen: 127.0.0.1:1\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().external.api_field, "external_api");
  EXPECT_EQ(c.value().status.IntervalFor("x"), 3600 * kSec);
  EXPECT_TRUE(c.value().analytics.project_keys.empty());
}

TEST(HealthConfigTest, Sections) {
  auto c = Parse(R"(
health:
  external_apis: {api_field: vendor, url_fields: [target], max_rows: 10, kinds: [], latency_fields: [ms]}
  status:
    default_interval: 2h
    checks: {email_sync: {interval: 15m}, crm: {}}
    fields: {check: integration}
analytics: {project_keys: [phc_a, phc_b]}
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c.value().external.api_field, "vendor");
  EXPECT_EQ(c.value().external.url_fields, std::vector<std::string>{"target"});
  EXPECT_EQ(c.value().external.max_rows, 10u);
  EXPECT_TRUE(c.value().external.kinds.empty());
  EXPECT_EQ(c.value().external.latency_fields, std::vector<std::string>{"ms"});
  EXPECT_EQ(c.value().status.IntervalFor("email_sync"), 900 * kSec);
  EXPECT_EQ(c.value().status.IntervalFor("crm"), 7200 * kSec);
  EXPECT_EQ(c.value().status.IntervalFor("other"), 7200 * kSec);
  EXPECT_EQ(c.value().status.fields.check, "integration");
  EXPECT_EQ(c.value().analytics.project_keys.size(), 2u);
}

TEST(HealthConfigTest, ErrorsNameTheKey) {
  auto c = Parse("health: {status: {default_interval: soon}}");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("health.status.default_interval"), std::string::npos);
  c = Parse("health: {external_apis: {api_feild: x}}");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("health.external_apis.api_feild"), std::string::npos);
  c = Parse("analytics: {project_keys: phc}");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("analytics.project_keys"), std::string::npos);
}

TEST(HealthConfigTest, Intervals) {
  EXPECT_EQ(ParseInterval("500ms").value(), kSec / 2);
  EXPECT_EQ(ParseInterval("90").value(), 90 * kSec);
  EXPECT_EQ(ParseInterval("3s").value(), 3 * kSec);
  EXPECT_EQ(ParseInterval("1d").value(), 86400 * kSec);
  EXPECT_FALSE(ParseInterval("0s").ok());
  EXPECT_FALSE(ParseInterval("-1m").ok());
  EXPECT_FALSE(ParseInterval("m").ok());
  EXPECT_FALSE(ParseInterval("1.5h").ok());
}

}  // namespace
}  // namespace vigil::health
