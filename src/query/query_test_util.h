// Test helpers for the query module: in-memory fake stores and a fixed event set.
// Header-only so that only the test binary compiles it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/timestamp.h"
#include "query/ast.h"
#include "query/query.h"
#include "store/store.h"

namespace vigil {
// Readable Values in test failure messages (found by argument-dependent lookup).
inline void PrintTo(const Value& v, std::ostream* os) { *os << query::LiteralToString(v); }
}  // namespace vigil

namespace vigil::query::test_util {

inline int64_t Iso(std::string_view text) { return ParseTimestampString(text).value(); }

// A Store over one in-memory Batch. Scan honors the time range and the column list
// (returning only the requested columns, as a real store may, so a query that forgets
// to ask for a column it needs sees it missing) and ignores the predicates, which are
// only hints. Rows come out in a scrambled order (not time order) in batches of
// `batch_rows`. Thread-safe for concurrent scans.
class FakeStore : public Store {
 public:
  explicit FakeStore(Batch events, size_t batch_rows = 3)
      : events_(std::move(events)), batch_rows_(batch_rows) {}

  Status Append(Batch&& batch) override {
    events_.Append(batch);
    return Status::OK();
  }

  Status Scan(const ScanSpec& spec, const ScanSink& sink, ScanStats* stats) override {
    ++scans_;
    const Column* ts = events_.Find(field::kTimestamp, Type::kInt);
    std::vector<uint32_t> rows;
    for (uint32_t r : ScrambledOrder()) {
      const int64_t t = ts->ints[r];
      if (t < spec.min_ts || t > spec.max_ts || !Keep(spec, r)) continue;
      rows.push_back(r);
    }
    for (size_t i = 0; i < rows.size(); i += batch_rows_) {
      std::vector<uint32_t> chunk(
          rows.begin() + static_cast<ptrdiff_t>(i),
          rows.begin() + static_cast<ptrdiff_t>(std::min(rows.size(), i + batch_rows_)));
      Batch out;
      out.AppendRows(Project(spec), chunk);
      ++batches_sent_;
      if (stats != nullptr) stats->rows_scanned += chunk.size();
      if (!sink(std::move(out))) break;
    }
    return Status::OK();
  }

  Status Flush() override { return Status::OK(); }
  Status CompactAll() override { return Status::OK(); }
  StoreStats Stats() override { return {}; }
  Status Close() override { return Status::OK(); }

  int scans() const { return scans_; }
  int batches_sent() const { return batches_sent_; }

 protected:
  // Whether row `r` is returned (besides the time range).
  virtual bool Keep(const ScanSpec&, uint32_t) const { return true; }
  const Batch& events() const { return events_; }

 private:
  // Odd rows backwards, then even rows forwards: far from time order.
  std::vector<uint32_t> ScrambledOrder() const {
    std::vector<uint32_t> order;
    for (size_t r = events_.rows; r-- > 0;)
      if (r % 2 == 1) order.push_back(static_cast<uint32_t>(r));
    for (size_t r = 0; r < events_.rows; r += 2) order.push_back(static_cast<uint32_t>(r));
    return order;
  }

  // The events with only the requested columns (all when the list is empty).
  Batch Project(const ScanSpec& spec) const {
    if (spec.columns.empty()) return events_;
    std::set<std::string, std::less<>> want(spec.columns.begin(), spec.columns.end());
    want.insert(std::string(field::kTimestamp));
    Batch out;
    out.rows = events_.rows;
    for (const Column& c : events_.columns)
      if (want.contains(c.name)) out.columns.push_back(c);
    return out;
  }

  Batch events_;
  size_t batch_rows_;
  std::atomic<int> scans_{0};
  std::atomic<int> batches_sent_{0};
};

// The strictest store the hint contract allows: it drops every row that fails a pushed
// predicate (judged by its own reading of the type rules: strings only with strings,
// numbers with numbers). Queries must return exactly what FakeStore returns; if the
// planner pushed a predicate some matching row fails, a result goes missing.
class PruningFakeStore : public FakeStore {
 public:
  using FakeStore::FakeStore;
  uint64_t rows_pruned() const { return rows_pruned_; }

 protected:
  bool Keep(const ScanSpec& spec, uint32_t r) const override {
    for (const PrunePredicate& p : spec.predicates) {
      if (!RowPasses(p, r)) {
        ++rows_pruned_;
        return false;
      }
    }
    return true;
  }

 private:
  bool RowPasses(const PrunePredicate& p, uint32_t r) const {
    for (const Column* c : events().FindAll(p.column)) {
      if (!c->IsValid(r)) continue;
      const Value v = CellValue(*c, r);
      if (p.literal.type() == Type::kString && v.type() == Type::kString) {
        const std::string& s = std::get<std::string>(v.v);
        const std::string& lit = std::get<std::string>(p.literal.v);
        if (p.op == PrunePredicate::Op::kContains ? s.find(lit) != std::string::npos : s == lit)
          return true;
      } else if (p.literal.type() != Type::kString && v.type() != Type::kString) {
        if (Holds(p.op, AsDouble(v), AsDouble(p.literal))) return true;
      }
    }
    return false;
  }

  static double AsDouble(const Value& v) {
    switch (v.type()) {
      case Type::kBool:
        return std::get<bool>(v.v) ? 1 : 0;
      case Type::kInt:
        return static_cast<double>(std::get<int64_t>(v.v));
      case Type::kFloat:
        return std::get<double>(v.v);
      default:
        return 0;
    }
  }

  static bool Holds(PrunePredicate::Op op, double a, double b) {
    switch (op) {
      case PrunePredicate::Op::kEq:
        return a == b;
      case PrunePredicate::Op::kLt:
        return a < b;
      case PrunePredicate::Op::kLe:
        return a <= b;
      case PrunePredicate::Op::kGt:
        return a > b;
      case PrunePredicate::Op::kGe:
        return a >= b;
      case PrunePredicate::Op::kToken:
        return true;
      case PrunePredicate::Op::kContains:
        return false;  // only strings contain text
    }
    return true;
  }

  mutable std::atomic<uint64_t> rows_pruned_{0};
};

// "now" for the fixed event set: 2024-05-01T12:30:00Z.
inline int64_t SampleNow() { return Iso("2024-05-01T12:30:00Z"); }

// A small event set covering the type rules (docs/query.md). Times are minutes after
// 2024-05-01T12:00:00Z, plus two events a day older that only id lookups and explicit
// ranges see.
inline Batch SampleEvents() {
  const int64_t t0 = Iso("2024-05-01T12:00:00Z");
  const int64_t min = 60 * kNanosPerSecond;
  BatchBuilder b;
  auto row = [&](int64_t ts, auto&& fill) {
    b.BeginRow();
    b.AddInt(field::kTimestamp, ts);
    fill();
    b.EndRow();
  };
  row(t0 + 1 * min, [&] {
    b.AddString(field::kMessage, "GET /a 200");
    b.AddInt("status", 200);
    b.AddString("request_id", "r1");
    b.AddString("level", "INFO");
    b.AddFloat("duration_ms", 12.5);
  });
  row(t0 + 2 * min, [&] {
    b.AddInt("status", 500);
    b.AddString("request_id", "r1");
    b.AddString("level", "ERROR");
    b.AddInt("duration_ms", 250);
    b.AddString("endpoint", "/api/x");
  });
  row(t0 + 3 * min, [&] {
    b.AddString("status", "failure");
    b.AddString("request_id", "r2");
    b.AddString("level", "ERROR");
    b.AddBool("ok", false);
    b.AddString("endpoint", "/api/y");
  });
  row(t0 + 4 * min, [&] {
    b.AddInt("status", 404);
    b.AddString("request_id", "r2");
    b.AddString("level", "WARN");
    b.AddFloat("duration_ms", 99.5);
    b.AddBool("ok", true);
    b.AddString("endpoint", "/api/x");
  });
  row(t0 + 5 * min, [&] {
    b.AddString(field::kMessage, "plain line");
    b.AddString("request_id", "r3");
    b.AddString("level", "INFO");
  });
  row(t0 + 6 * min, [&] {
    b.AddFloat("status", 500.0);
    b.AddString("level", "ERROR");
    b.AddInt("http.status", 502);
    b.AddInt("duration_ms", 7);
    b.AddString("endpoint", "/api/y");
  });
  row(t0 + 7 * min, [&] {
    b.AddInt("status", 200);
    b.AddString("trace_id", "t-9");
    b.AddString("level", "info");
    b.AddFloat("duration_ms", 3.25);
    b.AddString("endpoint", "/api/x");
  });
  row(t0 + 8 * min, [&] {
    b.AddString("status", "500");
    b.AddString("level", "ERROR");
    b.AddBool("ok", true);
  });
  row(t0 - min * 24 * 60, [&] {
    b.AddInt("status", 500);
    b.AddString("request_id", "r1");
    b.AddString("level", "ERROR");
    b.AddString("endpoint", "/old");
  });
  row(t0 - min * 24 * 60 + min, [&] {
    b.AddString("trace_id", "t-9");
    b.AddString("level", "WARN");
  });
  return b.Finish();
}

}  // namespace vigil::query::test_util
