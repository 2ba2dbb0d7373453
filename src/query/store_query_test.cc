// Queries over the embedded store where the store does part of the query's work: the
// answers must be those of the query alone.
//
// `@message like "text"`: the store finds candidate rows in every String field without
// rendering events (an event search); the answer must be the rows whose rendered JSON
// contains the text, for parts and the memtable alike.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/json_render.h"
#include "query/query.h"
#include "store/store.h"

namespace vigil::query {
namespace {

constexpr int64_t kBase = 1767225600LL * 1000000000LL;  // 2026-01-01T00:00:00Z

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vigil-store-query-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

EmbeddedOptions Options(const TempDir& dir) {
  EmbeddedOptions opt;
  opt.dir = dir.path();
  opt.background = false;  // parts only when the test flushes
  opt.sync = EmbeddedOptions::Sync::kNone;
  return opt;
}

// Events of many shapes: low-cardinality fields (dictionary chunks), unique messages
// (plain chunks), UUIDs, control bytes and quotes, arrays, `@@` user keys, keys that
// hold searched words, plain-text lines (a stored @message) and Vigil's own fields that
// must never match.
Batch MakeEvents(int first, int n) {
  const std::vector<std::string> levels = {"INFO", "WARNING", "ERROR"};
  const std::vector<std::string> notes = {"ok", "line one\nfoo bar", "say \"Timeout\"", "tab\there",
                                          "bell\x0b" "done", "Timeout after 5s"};
  std::mt19937 rng(static_cast<unsigned>(first));
  BatchBuilder b;
  for (int i = first; i < first + n; ++i) {
    b.BeginRow();
    b.AddInt(field::kTimestamp, kBase + int64_t{i} * 1'000'000);
    b.AddString(field::kLevel, levels[i % 3]);  // Vigil's own: not rendered
    if (i % 17 == 0) {  // a plain-text line
      b.AddString(field::kMessage, "plain Timeout after " + std::to_string(i) + " ms");
      b.EndRow();
      continue;
    }
    b.AddString("level", levels[i % 3]);
    // Unique values (a plain chunk); "GET" starts a value, "Timeout after" is inside one.
    b.AddString("message", (i % 5 == 0 ? "Request Timeout after " : "GET /page/") +
                               std::to_string(rng() % 1000) + " #" + std::to_string(i));
    b.AddString("method", i % 4 == 0 ? "POST" : "GET");  // a dictionary chunk
    if (i % 2 == 0) b.AddString("note", notes[rng() % notes.size()]);
    if (i % 3 == 0) {
      char uuid[37];
      std::snprintf(uuid, sizeof uuid, "%08x-dead-beef-%04x-%012x", i, i % 65536, i * 7);
      b.AddString("request_id", uuid);
    }
    if (i % 7 == 0) b.AddString("tags[]", "[\"Mixed Case\",\"x\"]");
    if (i % 11 == 0) b.AddString("@@origin", "agent Smith");
    if (i % 13 == 0) b.AddInt("Timeout_count", i);
    b.AddFloat("duration_ms", (i % 100) / 4.0);
    b.EndRow();
  }
  return b.Finish();
}

size_t BruteForce(const std::vector<Batch>& batches, const std::string& text) {
  size_t n = 0;
  std::string json;
  for (const Batch& b : batches) {
    for (size_t r = 0; r < b.rows; ++r) {
      const Column* stored = b.Find(field::kMessage, Type::kString);
      json.clear();
      if (stored != nullptr && stored->valid[r]) {
        json = std::string(stored->strs[r]);
      } else {
        RenderRowJson(b, r, &json);
      }
      n += json.find(text) != std::string::npos;
    }
  }
  return n;
}

TEST(StoreQueryTest, EventSearchEqualsSearchingTheRenderedEvents) {
  TempDir dir;
  auto store = OpenEmbeddedStore(Options(dir));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<Batch> batches = {MakeEvents(0, 20000), MakeEvents(20000, 3000)};
  ASSERT_TRUE((*store)->Append(Batch(batches[0])).ok());
  ASSERT_TRUE((*store)->Flush().ok());  // parts: 3 blocks
  ASSERT_TRUE((*store)->Append(Batch(batches[1])).ok());  // stays in the memtable
  const std::vector<std::string> needles = {
      "Timeout after",  // message (dictionary and plain), note, plain-text lines
      "Timeout",        // also a key (Timeout_count) and a quoted word
      "imeout_c",       // only the key
      "nfoo",           // only across the escape of "\nfoo"
      "u000b",          // only inside the escape of a control byte
      "there",          // "tab\there": the escape gives "\there"
      "Mixed Case",     // inside an array's JSON text
      "Smith",          // a `@@` user field
      "origin",         // its rendered key
      "dead-beef",      // UUIDs
      "WARNING",        // level (and @level, which is not rendered)
      "GET /page/9",
      "GET",
      "#19",            // ends a value
      "nothing like this",
  };
  for (const std::string& text : needles) {
    const size_t want = BruteForce(batches, text);
    QueryRequest req;
    req.text = "filter @message like \"" + text + "\" | stats count(*) as n";
    req.start_ns = kBase;
    req.end_ns = kBase + int64_t{3600} * 1'000'000'000;
    auto r = RunQuery(**store, req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rows.size(), 1u);
    EXPECT_EQ(r->rows[0][0], Value(static_cast<int64_t>(want))) << text;
    // The regex form without regex syntax takes the same path.
    if (text.find('/') != std::string::npos) continue;
    req.text = "filter @message like /" + text + "/ | stats count(*) as n";
    r = RunQuery(**store, req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->rows[0][0], Value(static_cast<int64_t>(want))) << "/" << text << "/";
  }
  EXPECT_GT(BruteForce(batches, "nfoo"), 0u);
  EXPECT_GT(BruteForce(batches, "u000b"), 0u);
  EXPECT_EQ(BruteForce(batches, "imeout_c"), BruteForce(batches, "Timeout_count"));
}

// A field compared only with numbers leaves its String column unread in the store; the
// answers over mixed-type data (status 500 on requests, "failure" on cron runs) stay
// those the types give.
TEST(StoreQueryTest, NumericOnlyFieldsOverMixedTypes) {
  TempDir dir;
  auto store = OpenEmbeddedStore(Options(dir));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  BatchBuilder b;
  int64_t errors = 0, failures = 0;
  for (int i = 0; i < 20000; ++i) {
    b.BeginRow();
    b.AddInt(field::kTimestamp, kBase + int64_t{i} * 1'000'000);
    if (i % 4 == 0) {
      b.AddString("status", i % 8 == 0 ? "failure" : "success");
      failures += i % 8 == 0;
    } else {
      b.AddInt("status", i % 10 == 1 ? 503 : 200);
      errors += i % 10 == 1;
    }
    b.EndRow();
  }
  ASSERT_TRUE((*store)->Append(b.Finish()).ok());
  ASSERT_TRUE((*store)->Flush().ok());
  auto run = [&](const std::string& text) {
    QueryRequest req;
    req.text = text;
    req.start_ns = kBase;
    req.end_ns = kBase + int64_t{3600} * 1'000'000'000;
    auto r = RunQuery(**store, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows.size() == 1 ? r->rows[0] : std::vector<Value>{};
  };
  EXPECT_EQ(run("stats sum(status >= 500) as e, count(*) as n"),
            (std::vector<Value>{Value(errors), Value(int64_t{20000})}));
  EXPECT_EQ(run("stats sum(status >= 500) as e, count(status) as n"),
            (std::vector<Value>{Value(errors), Value(int64_t{20000})}));
  EXPECT_EQ(run("stats sum(status = 'failure') as f, sum(status >= 500) as e"),
            (std::vector<Value>{Value(failures), Value(errors)}));
}

}  // namespace
}  // namespace vigil::query
