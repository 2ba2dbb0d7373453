#include "alert/routing.h"

#include <gtest/gtest.h>

namespace vigil::alert {
namespace {

LabelMatcher M(std::string_view text) {
  Result<LabelMatcher> m = ParseMatcher(text);
  EXPECT_TRUE(m.ok()) << text << ": " << m.status().ToString();
  return m.ok() ? m.value() : LabelMatcher{};
}

TEST(MatcherTest, Operators) {
  const Labels l = {{"alertname", "http_5xx_rate"}, {"endpoint", "/api/orders"}, {"severity", "page"}};
  EXPECT_TRUE(M("severity=\"page\"").Matches(l));
  EXPECT_TRUE(M("severity = page").Matches(l));
  EXPECT_FALSE(M("severity=ticket").Matches(l));
  EXPECT_TRUE(M("severity!=ticket").Matches(l));
  EXPECT_FALSE(M("severity!=page").Matches(l));
  EXPECT_TRUE(M("endpoint=~\"/api/.*\"").Matches(l));
  EXPECT_FALSE(M("endpoint=~\"/api\"").Matches(l)) << "regexes are anchored";
  EXPECT_TRUE(M("endpoint!~\"/admin/.*\"").Matches(l));
  EXPECT_FALSE(M("endpoint!~\".*orders\"").Matches(l));
}

TEST(MatcherTest, MissingLabelIsEmpty) {
  const Labels l = {{"alertname", "x"}};
  EXPECT_TRUE(M("team=\"\"").Matches(l));
  EXPECT_FALSE(M("team=db").Matches(l));
  EXPECT_TRUE(M("team!=db").Matches(l));
  EXPECT_TRUE(M("team=~\"db|\"").Matches(l));
}

TEST(MatcherTest, QuotesAndRoundTrip) {
  LabelMatcher m = M(R"(msg="say \"hi\" \\ bye")");
  EXPECT_EQ(m.value, R"(say "hi" \ bye)");
  EXPECT_EQ(M(m.ToString()).value, m.value);
  EXPECT_EQ(M("a=~\"x+\"").ToString(), "a=~\"x+\"");
}

TEST(MatcherTest, Errors) {
  EXPECT_FALSE(ParseMatcher("severity").ok());
  EXPECT_FALSE(ParseMatcher("=page").ok());
  EXPECT_FALSE(ParseMatcher("1abc=x").ok());
  Result<LabelMatcher> bad = ParseMatcher("a=~\"(\"");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad regex"), std::string::npos) << bad.status().message();
}

RoutingTable Table(const std::string& yaml) {
  Result<RoutingTable> t = RoutingTable::Parse(YAML::Load(yaml), {"ops", "db", "pager", "all"});
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : RoutingTable();
}

std::vector<std::string> Receivers(const RoutingTable& t, const Labels& l) {
  std::vector<std::string> out;
  for (const Route* r : t.Match(l)) out.push_back(r->receiver);
  return out;
}

TEST(RoutingTest, FirstMatchContinueAndDefault) {
  RoutingTable t = Table(R"(
route: {receiver: ops, group_wait: 10s}
routes:
  - receiver: all
    continue: true
  - receiver: pager
    matchers: ['severity="page"']
  - receiver: db
    match: {team: db}
)");
  EXPECT_EQ(Receivers(t, {{"severity", "page"}, {"team", "db"}}), (std::vector<std::string>{"all", "pager"}));
  EXPECT_EQ(Receivers(t, {{"team", "db"}}), (std::vector<std::string>{"all", "db"}));
  EXPECT_EQ(Receivers(t, {{"team", "web"}}), (std::vector<std::string>{"all"}));
  EXPECT_EQ(t.routes()[1].group.group_wait_ns, 10'000'000'000) << "route inherits the default";
}

TEST(RoutingTest, DefaultOnlyWhenNothingMatched) {
  RoutingTable t = Table(R"(
route:
  receiver: ops
routes:
  - receiver: db
    matchers: ['team="db"']
    group_by: [alertname, endpoint]
    group_wait: 0s
    repeat_interval: 1h
)");
  EXPECT_EQ(Receivers(t, {{"team", "db"}}), (std::vector<std::string>{"db"}));
  EXPECT_EQ(Receivers(t, {{"team", "web"}}), (std::vector<std::string>{"ops"}));
  const Route& r = t.routes()[0];
  EXPECT_EQ(r.group.group_wait_ns, 0);
  EXPECT_EQ(r.group.repeat_interval_ns, 3600'000'000'000);
  EXPECT_EQ(r.group.group_interval_ns, 300'000'000'000) << "Alertmanager's default";
}

TEST(RoutingTest, NoRoutesNoDefaultMatchesNothing) {
  RoutingTable t = Table("receivers: []\n");
  EXPECT_TRUE(t.Match({{"a", "b"}}).empty());
}

TEST(RoutingTest, ConfigErrorsNameTheSetting) {
  auto err = [](const std::string& yaml) {
    Result<RoutingTable> t = RoutingTable::Parse(YAML::Load(yaml), {"ops"});
    EXPECT_FALSE(t.ok()) << yaml;
    return t.ok() ? std::string() : t.status().message();
  };
  EXPECT_NE(err("routes:\n  - receiver: nope\n").find("alerting.routes[0].receiver"), std::string::npos);
  EXPECT_NE(err("routes:\n  - receiver: ops\n    matchers: ['a=~\"(\"']\n").find("bad regex"), std::string::npos);
  EXPECT_NE(err("routes:\n  - receiver: ops\n    group_wait: soon\n").find("group_wait"), std::string::npos);
  EXPECT_NE(err("routes:\n  - receiver: ops\n    colour: red\n").find("unknown setting"), std::string::npos);
  EXPECT_NE(err("route: {receiver: pager}\n").find("alerting.route.receiver"), std::string::npos);
  EXPECT_NE(err("route: {receiver: ops, continue: true}\n").find("unknown setting"), std::string::npos);
}

TEST(GroupTest, GroupLabelsAndKey) {
  const Labels l = {{"alertname", "lat"}, {"endpoint", "/a"}, {"tenant", "t1"}};
  GroupSettings g;
  g.group_by = {"alertname", "endpoint", "absent"};
  EXPECT_EQ(GroupLabels(g, l), (Labels{{"alertname", "lat"}, {"endpoint", "/a"}}));
  EXPECT_EQ(GroupKey(GroupLabels(g, l)), "{alertname=\"lat\",endpoint=\"/a\"}");
  g.group_by = {"..."};
  EXPECT_EQ(GroupLabels(g, l), l);
  g.group_by = {};
  EXPECT_EQ(GroupKey(GroupLabels(g, l)), "{}");
}

}  // namespace
}  // namespace vigil::alert
