// The golden-file runner shared by golden_test.cc (testdata/*.test over
// test_util::SampleEvents()) and golden_jsonl_test.cc (tests/queries/*.test over
// tests/queries/events.jsonl). Header-only; test code only.
//
// File format (cases separated by blank lines; '#' lines between cases are comments):
//   query: fields @timestamp, status      <- or `explain:` to check the plan instead
//   | filter status = 500                 <- further lines continue the query
//   range: <ISO start> <ISO end>          <- optional request range
//   max_rows: 3                           <- optional
//   ----
//   @timestamp | status                   <- column names, then one line per row; or
//   2024-05-01T12:06:00.000Z | 500.0      <- `error: <message>` for a failing query
//
// Times print as ISO 8601 (ms), strings as JSON strings, floats always with a point.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_render.h"
#include "core/timestamp.h"
#include "query/query.h"
#include "query/query_test_util.h"

namespace vigil::query::golden {

struct Case {
  std::vector<std::string> preamble;  // comments and blank lines before the case
  std::vector<std::string> header;    // query/explain/range/max_rows lines, verbatim
  std::vector<std::string> expected;
  int line = 0;  // of the first header line
};

inline bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

inline std::vector<Case> ReadCases(const std::filesystem::path& path, std::vector<std::string>* tail) {
  std::ifstream in(path);
  std::vector<Case> cases;
  Case cur;
  enum { kPreamble, kHeader, kExpected } state = kPreamble;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (state == kPreamble) {
      if (StartsWith(line, "query:") || StartsWith(line, "explain:")) {
        state = kHeader;
        cur.line = n;
        cur.header.push_back(line);
      } else {
        cur.preamble.push_back(line);
      }
    } else if (state == kHeader) {
      if (line == "----") {
        state = kExpected;
      } else {
        cur.header.push_back(line);
      }
    } else if (line.empty()) {
      cases.push_back(std::move(cur));
      cur = Case{};
      cur.preamble.push_back(line);
      state = kPreamble;
    } else {
      cur.expected.push_back(line);
    }
  }
  if (state != kPreamble) {
    cases.push_back(std::move(cur));
  } else {
    *tail = std::move(cur.preamble);
  }
  return cases;
}

inline std::string Render(const Value& v, bool is_time) {
  std::string out;
  switch (v.type()) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return std::get<bool>(v.v) ? "true" : "false";
    case Type::kInt:
      return is_time ? FormatIsoMillis(std::get<int64_t>(v.v))
                     : std::to_string(std::get<int64_t>(v.v));
    case Type::kFloat:
      AppendJsonDouble(std::get<double>(v.v), &out);
      return out;
    case Type::kString:
      AppendJsonString(std::get<std::string>(v.v), &out);
      return out;
  }
  return "?";
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Runs one case against `events` and returns its actual output lines.
inline std::vector<std::string> RunCase(const Case& c, const Batch& events, int64_t now_ns) {
  QueryRequest req;
  req.now_ns = now_ns;
  bool explain = false;
  for (const std::string& h : c.header) {
    if (StartsWith(h, "query:") || StartsWith(h, "explain:")) {
      explain = StartsWith(h, "explain:");
      req.text = h.substr(h.find(':') + 1);
      if (!req.text.empty() && req.text[0] == ' ') req.text.erase(0, 1);
    } else if (StartsWith(h, "range:")) {
      std::istringstream in(h.substr(6));
      std::string a, b;
      in >> a >> b;
      req.start_ns = test_util::Iso(a);
      req.end_ns = test_util::Iso(b);
    } else if (StartsWith(h, "max_rows:")) {
      req.max_rows = std::stoul(h.substr(9));
    } else {
      req.text += "\n" + h;
    }
  }
  if (explain) {
    auto plan = ExplainQuery(req);
    return plan.ok() ? Lines(plan.value())
                     : std::vector<std::string>{"error: " + plan.status().message()};
  }
  test_util::FakeStore store(events);
  auto r = RunQuery(store, req);
  if (!r.ok()) return {"error: " + r.status().message()};
  std::vector<std::string> out;
  std::string names;
  for (const ResultColumn& col : r->columns) names += (names.empty() ? "" : " | ") + col.name;
  out.push_back(names);
  for (const auto& row : r->rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += " | ";
      line += Render(row[i], r->columns[i].is_time);
    }
    out.push_back(line);
  }
  return out;
}

// Runs every case of the file at `path` and expects its output. With `may_update` and
// VIGIL_UPDATE_GOLDEN set, rewrites the file's expectations instead.
inline void RunFile(const std::filesystem::path& path, const Batch& events, int64_t now_ns,
                    bool may_update) {
  const std::string name = path.filename().string();
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  std::vector<std::string> tail;
  std::vector<Case> cases = ReadCases(path, &tail);
  ASSERT_FALSE(cases.empty());
  const bool update = may_update && std::getenv("VIGIL_UPDATE_GOLDEN") != nullptr;
  for (Case& c : cases) {
    std::vector<std::string> actual = RunCase(c, events, now_ns);
    if (update) {
      c.expected = actual;
      continue;
    }
    std::string want, got;
    for (const auto& l : c.expected) want += l + "\n";
    for (const auto& l : actual) got += l + "\n";
    EXPECT_EQ(got, want) << name << ":" << c.line << ": " << c.header[0];
  }
  if (!update) return;
  std::ofstream out(path);
  for (const Case& c : cases) {
    for (const auto& l : c.preamble) out << l << "\n";
    for (const auto& l : c.header) out << l << "\n";
    out << "----\n";
    for (const auto& l : c.expected) out << l << "\n";
  }
  for (const auto& l : tail) out << l << "\n";
}

}  // namespace vigil::query::golden
