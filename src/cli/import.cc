#include "cli/import.h"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <simdjson.h>
#include <sys/stat.h>
#include <thread>

#include "cli/http_client.h"
#include "ingest/json_lines.h"
#include "pipeline/normalize.h"
#include "store/store.h"

namespace vigil {

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A slice of input ending on a line boundary.
struct Chunk {
  std::string body;
  size_t first_line = 0;  // line number (0-based) of the body's first line in its file
  std::string file;
  size_t lines = 0;
};

// Totals shared by the workers and the progress reporter.
struct Progress {
  std::atomic<uint64_t> bytes{0}, lines{0}, accepted{0}, rejected{0};
  uint64_t total_bytes = 0;
  Clock::time_point start = Clock::now();
  std::mutex err_mu;
  bool failed = false;
  std::string error;

  void Fail(const std::string& e) {
    std::lock_guard l(err_mu);
    if (!failed) error = e;
    failed = true;
  }
  bool Failed() {
    std::lock_guard l(err_mu);
    return failed;
  }
};

std::string Human(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

void Report(Progress& p, bool tty, bool final) {
  double secs = std::chrono::duration<double>(Clock::now() - p.start).count();
  double lps = secs > 0 ? static_cast<double>(p.lines) / secs : 0;
  double bps = secs > 0 ? static_cast<double>(p.bytes) / secs : 0;
  std::string eta = "?";
  if (p.total_bytes > 0 && bps > 0) {
    double left = static_cast<double>(p.total_bytes - std::min<uint64_t>(p.bytes, p.total_bytes));
    eta = std::to_string(static_cast<int>(left / bps)) + "s";
  }
  char line[256];
  if (tty && p.total_bytes > 0) {
    int pct = static_cast<int>(100.0 * static_cast<double>(p.bytes) / static_cast<double>(p.total_bytes));
    int filled = pct / 5;
    std::snprintf(line, sizeof line, "\r[%-20s] %3d%% %s / %s  %.0f lines/s  ETA %s   ",
                  std::string(static_cast<size_t>(filled), '#').c_str(), pct,
                  Human(static_cast<double>(p.bytes)).c_str(),
                  Human(static_cast<double>(p.total_bytes)).c_str(), lps, eta.c_str());
  } else {
    std::snprintf(line, sizeof line, "import: %s, %llu lines, %.0f lines/s, ETA %s%s",
                  Human(static_cast<double>(p.bytes)).c_str(),
                  static_cast<unsigned long long>(p.lines.load()), lps, eta.c_str(),
                  tty ? "   \r" : "\n");
  }
  std::fputs(line, stderr);
  if (final) {
    if (tty) std::fputc('\n', stderr);
    std::fprintf(stderr, "import: %llu accepted, %llu rejected in %.1fs (%.0f lines/s)\n",
                 static_cast<unsigned long long>(p.accepted.load()),
                 static_cast<unsigned long long>(p.rejected.load()), secs, lps);
  }
}

void PrintRejection(const std::string& file, size_t line, const std::string& reason) {
  std::fprintf(stderr, "%s:%zu: rejected: %s\n", file.c_str(), line + 1, reason.c_str());
}

size_t CountLines(const std::string& s) {
  size_t n = 0;
  for (const char* p = s.data(); (p = static_cast<const char*>(
                                      std::memchr(p, '\n', s.data() + s.size() - p)));
       ++p)
    ++n;
  return n + (!s.empty() && s.back() != '\n');
}

// Reads files in chunks of about batch_bytes, each ending at a newline.
class ChunkReader {
 public:
  explicit ChunkReader(const ImportOptions& o) : o_(o) {}
  std::optional<Chunk> Next(std::string* error) {
    while (true) {
      if (!in_) {
        if (next_file_ >= o_.files.size()) return std::nullopt;
        file_ = o_.files[next_file_++];
        if (file_ == "-") {
          in_ = stdin;
        } else {
          in_ = std::fopen(file_.c_str(), "rb");
          if (!in_) {
            *error = "cannot open " + file_;
            return std::nullopt;
          }
        }
        line_ = 0;
        carry_.clear();
      }
      std::string buf = std::move(carry_);
      carry_.clear();
      buf.resize(buf.size() + o_.batch_bytes);
      size_t have = buf.size() - o_.batch_bytes;
      size_t n = std::fread(buf.data() + have, 1, o_.batch_bytes, in_);
      buf.resize(have + n);
      bool eof = n < o_.batch_bytes;
      if (!eof) {
        size_t nl = buf.rfind('\n');
        if (nl == std::string::npos) {
          carry_ = std::move(buf);  // a line longer than a batch: keep reading
          continue;
        }
        carry_ = buf.substr(nl + 1);
        buf.resize(nl + 1);
      } else {
        if (in_ != stdin) std::fclose(in_);
        in_ = nullptr;
      }
      if (buf.empty()) continue;
      Chunk c{std::move(buf), line_, file_, 0};
      c.lines = CountLines(c.body);
      line_ += c.lines;
      return c;
    }
  }

 private:
  const ImportOptions& o_;
  size_t next_file_ = 0;
  std::FILE* in_ = nullptr;
  std::string file_;
  std::string carry_;
  size_t line_ = 0;
};

// The next chunk for a worker, or nullopt at the end of input or after any failure.
std::optional<Chunk> NextChunk(Progress& p, std::mutex& mu, ChunkReader& reader) {
  if (p.Failed()) return std::nullopt;
  std::lock_guard l(mu);
  std::string err;
  std::optional<Chunk> c = reader.Next(&err);
  if (!err.empty()) p.Fail(err);
  return c;
}

// Sends chunks to a server and accounts the answers.
void SendChunks(const ImportOptions& o, Progress& p, std::mutex& mu, ChunkReader& reader) {
  auto client = HttpClient::Create(o.server);
  if (!client.ok()) return p.Fail(client.status().message());
  std::string path = "/api/v1/logs";
  std::vector<std::pair<std::string, std::string>> headers;
  if (!o.key.empty()) headers.emplace_back("Authorization", "Bearer " + o.key);
  if (!o.group.empty()) headers.emplace_back("X-Vigil-Group", o.group);
  if (!o.stream.empty()) headers.emplace_back("X-Vigil-Stream", o.stream);
  simdjson::dom::parser parser;
  for (std::optional<Chunk> c; (c = NextChunk(p, mu, reader));) {
    auto reply = (*client)->Post(path, "application/x-ndjson", c->body, headers);
    if (!reply.ok()) return p.Fail(reply.status().message());
    simdjson::dom::element doc;
    if (parser.parse(reply->body).get(doc))
      return p.Fail("server answered " + std::to_string(reply->status) + ": " + reply->body);
    uint64_t accepted = 0;
    if (doc["accepted"].get(accepted) && reply->status != 400)
      return p.Fail("server answered " + std::to_string(reply->status) + ": " + reply->body);
    p.accepted += accepted;
    simdjson::dom::array rejected;
    uint64_t listed = 0, rejected_count = 0;
    if (!doc["rejected"].get(rejected)) {
      for (auto r : rejected) {
        uint64_t idx = 0;
        std::string_view reason;
        if (r["index"].get(idx) || r["reason"].get(reason)) reason = "(unreadable rejection)";
        PrintRejection(c->file, c->first_line + idx, std::string(reason));
        ++listed;
      }
    }
    // The server lists a bounded number of rejections; the count covers them all.
    if (doc["rejected_count"].get(rejected_count)) rejected_count = listed;
    if (rejected_count > listed)
      std::fprintf(stderr, "%s:%zu-%zu: %llu more rejected lines not listed by the server\n",
                   c->file.c_str(), c->first_line + 1, c->first_line + c->lines,
                   static_cast<unsigned long long>(rejected_count - listed));
    p.rejected += rejected_count;
    p.bytes += c->body.size();
    p.lines += c->lines;
  }
}

// Parses and appends chunks straight into a store.
void StoreChunks(const ImportOptions& o, Progress& p, std::mutex& mu, ChunkReader& reader,
                 Store& store) {
  JsonLinesOptions jo;
  jo.group = o.group;
  jo.stream = o.stream;
  jo.max_line_bytes = 32u << 20;
  PipelineOptions po;
  for (std::optional<Chunk> c; (c = NextChunk(p, mu, reader));) {
    jo.ingest_time_ns = NowNs();
    auto parsed = ParseJsonLines(c->body, jo);
    if (!parsed.ok()) return p.Fail(c->file + ": " + parsed.status().message());
    for (const auto& r : parsed->rejected) PrintRejection(c->file, c->first_line + r.index, r.reason);
    p.rejected += parsed->rejected.size();
    NormalizeBatch(parsed->batch, po);
    size_t n = parsed->accepted;
    Status s = store.Append(std::move(parsed->batch));
    if (!s.ok()) return p.Fail(s.ToString());
    p.accepted += n;
    p.bytes += c->body.size();
    p.lines += c->lines;
  }
}

}  // namespace

int RunImport(const ImportOptions& o) {
  Progress p;
  for (const auto& f : o.files) {
    struct stat st;
    if (f != "-" && ::stat(f.c_str(), &st) == 0) p.total_bytes += static_cast<uint64_t>(st.st_size);
  }
  std::unique_ptr<Store> store;
  if (!o.data_dir.empty()) {
    EmbeddedOptions eo;
    eo.dir = o.data_dir;
    auto s = OpenEmbeddedStore(eo);
    if (!s.ok()) {
      std::fprintf(stderr, "import: %s\n", s.status().ToString().c_str());
      return 2;
    }
    store = std::move(s).value();
  }
  ChunkReader reader(o);
  std::mutex mu;
  bool tty = ::isatty(STDERR_FILENO);
  std::atomic<bool> done{false};
  std::thread reporter([&] {
    auto last = Clock::now();
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (o.progress && Clock::now() - last >= std::chrono::seconds(tty ? 0 : 5)) {
        Report(p, tty, false);
        last = Clock::now();
      }
    }
  });
  std::vector<std::thread> workers;
  int n = std::max(1, o.parallel);
  for (int i = 0; i < n; ++i)
    workers.emplace_back([&] {
      if (store) StoreChunks(o, p, mu, reader, *store);
      else SendChunks(o, p, mu, reader);
    });
  for (auto& w : workers) w.join();
  done = true;
  reporter.join();
  if (store) {
    Status s = store->Close();
    if (!s.ok()) p.Fail(s.ToString());
  }
  if (o.progress) Report(p, tty, true);
  if (p.Failed()) {
    std::fprintf(stderr, "import: %s\n", p.error.c_str());
    return 2;
  }
  return p.rejected > 0 ? 1 : 0;
}

}  // namespace vigil
