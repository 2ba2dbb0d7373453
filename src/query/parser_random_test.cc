// The fuzz target's property (parser_fuzz.cc) on 100k deterministic inputs: random token
// soups, random bytes, and mutations of real queries. Every input must give a plan or
// an InvalidArgument "line L, column C: ..." error; deep nesting must be refused, not
// overflow the stack. The query is also executed when it plans, over the sample events.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "query/parser.h"
#include "query/planner.h"
#include "query/query.h"
#include "query/query_test_util.h"

namespace vigil::query {
namespace {

const std::vector<std::string> kPieces = {
    "filter", "fields", "display", "stats", "sort", "limit", "parse", "dedup", "source",
    "by", "as", "and", "or", "not", "in", "like", "asc", "desc", "true", "false", "null",
    "|", ",", "(", ")", "[", "]", "=", "!=", "<", "<=", ">", ">=", "=~", "+", "-", "*", "/",
    "%", "^", "count(*)", "sum(", "pct(", "bin(5m)", "status", "level", "@timestamp",
    "@message", "`a b`", "\"str\"", "'x'", "/re/", "/(?<g>\\d+)/", "500", "1.5", "-3", "5m",
    "#c\n", "\n", " ", "SELECT", "FROM", "WHERE", "GROUP", "ORDER", "HAVING", "events",
    "strlen(", "concat(", "round(", "isIpInSubnet(", "\"10.0.0.0/8\"", "*", "\"a*b\"", "`",
    "\"", "/", "\\", "é", "\x01", "99999999999999999999"};

const std::vector<std::string> kSeeds = {
    "filter status >= 500 | stats count(*) as n, pct(duration_ms, 95) by endpoint, bin(5m) "
    "| sort n desc | limit 5",
    "fields @timestamp, concat(level, ':', status) as x | filter x like /ERR/ | dedup x",
    "parse @message \"GET * *\" as path, code | stats count(*) by code",
    "SELECT level, count(*) AS n FROM events WHERE status IN (200, 404) GROUP BY level "
    "HAVING n > 1 ORDER BY n DESC LIMIT 3",
    "filter @message =~ /(?i)timeout/ and not status in [200, 201] | sort @timestamp asc"};

const std::vector<std::string> kFields = {"status", "level", "duration_ms", "endpoint", "ok",
                                          "@timestamp", "@message", "nope", "http.status"};
const std::vector<std::string> kLiterals = {"500", "1.5", "-2", "'ERROR'", "\"/api/x\"", "true",
                                            "null", "5m", "0"};
const std::vector<std::string> kFunctions = {"strlen", "toupper", "abs", "round", "coalesce",
                                             "concat", "ispresent", "isblank", "floor", "log",
                                             "substr", "bin", "greatest", "tomillis"};
const std::vector<std::string> kAggs = {"count", "sum", "avg", "min", "max", "stddev",
                                        "count_distinct", "earliest", "latest", "sortsFirst"};

// A random expression, mostly well-formed, of depth at most `depth`.
std::string RandomExpr(std::mt19937_64& rng, int depth) {
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  if (depth == 0 || rng() % 3 == 0) return rng() % 2 ? pick(kFields) : pick(kLiterals);
  switch (rng() % 6) {
    case 0:
      return RandomExpr(rng, depth - 1) + " " + pick({"+", "-", "*", "/", "%", "^"}) + " " +
             RandomExpr(rng, depth - 1);
    case 1:
      return RandomExpr(rng, depth - 1) + " " + pick({"=", "!=", "<", ">=", "like", "=~"}) + " " +
             (rng() % 3 == 0 ? "/a.c|^x/" : RandomExpr(rng, depth - 1));
    case 2:
      return RandomExpr(rng, depth - 1) + " " + pick({"and", "or"}) + " " + RandomExpr(rng, depth - 1);
    case 3:
      return pick(kFunctions) + "(" + RandomExpr(rng, depth - 1) +
             (rng() % 2 ? ", " + RandomExpr(rng, depth - 1) : "") + ")";
    case 4:
      return "not " + RandomExpr(rng, depth - 1);
    default:
      return RandomExpr(rng, depth - 1) + " in [" + pick(kLiterals) + ", " + pick(kLiterals) + "]";
  }
}

std::string RandomQuery(std::mt19937_64& rng) {
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  std::string q;
  const size_t n = 1 + rng() % 4;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) q += " | ";
    switch (rng() % 7) {
      case 0:
        q += "filter " + RandomExpr(rng, 3);
        break;
      case 1:
        q += "fields " + RandomExpr(rng, 2) + " as a" + std::to_string(i) + ", " + pick(kFields);
        break;
      case 2:
        q += "stats " + pick(kAggs) + "(" + RandomExpr(rng, 1) + ") as s, count(*) as n by " +
             RandomExpr(rng, 1);
        break;
      case 3:
        q += "sort " + pick(kFields) + (rng() % 2 ? " desc" : "") + ", n";
        break;
      case 4:
        q += "limit " + std::to_string(1 + rng() % 5);
        break;
      case 5:
        q += "dedup " + pick(kFields);
        break;
      default:
        q += "parse @message \"* *\" as p, q";
        break;
    }
  }
  return q;
}

std::string TokenSoup(std::mt19937_64& rng) {
  std::string out;
  const size_t n = rng() % 24;
  for (size_t i = 0; i < n; ++i) {
    out += kPieces[rng() % kPieces.size()];
    if (rng() % 2) out += ' ';
  }
  return out;
}

std::string RandomBytes(std::mt19937_64& rng) {
  std::string out(rng() % 40, '\0');
  for (char& c : out) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 32 + rng() % 95);
  return out;
}

std::string Mutate(std::mt19937_64& rng) {
  std::string s = kSeeds[rng() % kSeeds.size()];
  const size_t edits = 1 + rng() % 2;
  for (size_t i = 0; i < edits && !s.empty(); ++i) {
    const size_t at = rng() % s.size();
    switch (rng() % 5) {
      case 0:
        s.erase(at, 1 + rng() % 6);
        break;
      case 1:
        s.insert(at, kPieces[rng() % kPieces.size()]);
        break;
      case 2:
        s[at] = static_cast<char>(rng() % 128);
        break;
      case 3:
        s = s.substr(0, at);
        break;
      default: {  // swap two characters
        const size_t other = rng() % s.size();
        std::swap(s[at], s[other]);
        break;
      }
    }
  }
  return s;
}

// Parses, plans and (when it plans) runs `text`; fails the test on anything but success
// or a positioned InvalidArgument.
void Check(const std::string& text, test_util::FakeStore& store, bool run) {
  Result<QueryAst> ast = ParseQuery(text);
  if (!ast.ok()) {
    ASSERT_EQ(ast.status().code(), Code::kInvalidArgument) << text;
    ASSERT_EQ(ast.status().message().rfind("line ", 0), 0u) << text;
    return;
  }
  QueryRequest req;
  req.text = text;
  req.now_ns = test_util::SampleNow();
  auto plan = BuildPlan(std::move(ast).value(), req, req.now_ns, PlannerOptions{});
  if (!plan.ok()) {
    ASSERT_EQ(plan.status().code(), Code::kInvalidArgument) << text;
    ASSERT_EQ(plan.status().message().rfind("line ", 0), 0u) << text;
    return;
  }
  (void)plan->ToString();
  if (run) {
    auto r = RunQuery(store, req);
    ASSERT_TRUE(r.ok() || r.status().code() == Code::kInvalidArgument) << text;
  }
}

TEST(ParserRandomTest, HundredThousandInputsNeverCrash) {
  std::mt19937_64 rng(20240501);
  test_util::FakeStore store(test_util::SampleEvents(), 4);
  for (int i = 0; i < 100000; ++i) {
    const int kind = i % 4;
    const std::string text = kind == 0   ? TokenSoup(rng)
                             : kind == 1 ? RandomBytes(rng)
                             : kind == 2 ? Mutate(rng)
                                         : RandomQuery(rng);
    ASSERT_NO_FATAL_FAILURE(Check(text, store, /*run=*/kind == 3 || i % 10 == 2));
  }
}

TEST(ParserRandomTest, DeepNestingIsRefused) {
  test_util::FakeStore store(test_util::SampleEvents());
  for (std::string_view open : {"(", "not ", "-", "abs("}) {
    std::string deep = "filter ";
    for (int i = 0; i < 100000; ++i) deep += open;
    deep += "x";
    auto r = ParseQuery(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos)
        << r.status().message();
  }
  std::string chain = "filter a = 1";
  for (int i = 0; i < 100000; ++i) chain += " or a = 1";
  auto r = ParseQuery(chain);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too deeply nested or too long"), std::string::npos);
  std::string ok = "filter a = 1";
  for (int i = 0; i < 300; ++i) ok += " or a = " + std::to_string(i);
  Check(ok, store, true);
}

}  // namespace
}  // namespace vigil::query
