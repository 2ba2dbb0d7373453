// The shipper's loop. One thread: read → batch → send, with the breaker deciding
// whether lines go to the server or to the console and the spool.
//
// Order: the batch in flight (pending_) is always older than the spool, which is older
// than what is still unread in the files; so shipping pending_, then the spool, then
// live lines keeps every file's lines in order.
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <thread>

#include "core/timestamp.h"
#include "ship/circuit_breaker.h"
#include "ship/file_tailer.h"
#include "ship/http_transport.h"
#include "ship/ship.h"
#include "ship/ship_state.h"
#include "ship/spool.h"
#include "ship/stream_reader.h"

namespace vigil {

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double Since(Clock::time_point t, Clock::time_point now) {
  return std::chrono::duration<double>(now - t).count();
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

std::string Human(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The n-th line (0-based) of an NDJSON body, for messages.
std::string_view NthLine(std::string_view body, uint64_t n) {
  size_t start = 0;
  for (uint64_t i = 0; i < n && start < body.size(); ++i) {
    size_t nl = body.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t nl = body.find('\n', start);
  return body.substr(start, nl == std::string_view::npos ? body.size() - start : nl - start);
}

// One input: a tailed file or stdin.
struct Source {
  std::unique_ptr<FileTailer> file;
  std::unique_ptr<StreamReader> stream;
  bool at_end = false;  // the last read found nothing (file) or the input ended (stdin)
  bool finish_partial = false;  // --exit-at-eof: a last line without '\n' is complete

  Result<size_t> Read(std::string* out, size_t max_bytes) {
    Result<size_t> n = file ? file->Read(out, max_bytes) : stream->Read(out, max_bytes);
    if (n.ok() && file && *n == 0 && finish_partial) *n = file->FinishPartialLine(out);
    if (n.ok()) at_end = file ? *n == 0 && file->Lag() == 0 : stream->eof();
    return n;
  }
  uint64_t Lag() const { return file ? file->Lag() : 0; }
};

// What the server's answer means for a batch.
enum class Outcome { kCommitted, kRejected, kRefused, kFailed };

struct SendResult {
  Outcome outcome = Outcome::kFailed;
  uint64_t accepted = 0, rejected = 0;
  bool duplicate = false;
  std::string detail;  // failure or refusal reason
  std::vector<std::pair<uint64_t, std::string>> rejections;  // line index, reason
};

SendResult Classify(const Result<ShipReply>& reply) {
  SendResult r;
  if (!reply.ok()) {
    r.detail = reply.status().message();
    return r;
  }
  int st = reply->status;
  std::string snippet = reply->body.substr(0, 300);
  while (!snippet.empty() && (snippet.back() == '\n' || snippet.back() == '\r')) snippet.pop_back();
  r.detail = "HTTP " + std::to_string(st) + ": " + snippet;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool json = !parser.parse(reply->body).get(doc);
  uint64_t accepted = 0;
  bool has_accepted = json && !doc["accepted"].get(accepted);
  if ((st == 200 || st == 400) && has_accepted) {
    r.accepted = accepted;
    bool dup = false;
    r.duplicate = !doc["duplicate"].get(dup) && dup;
    uint64_t count = 0;
    simdjson::dom::array list;
    if (!doc["rejected"].get(list)) {
      for (auto e : list) {
        uint64_t index = 0;
        std::string_view reason;
        if (!e["index"].get(index) && !e["reason"].get(reason))
          r.rejections.emplace_back(index, std::string(reason));
      }
    }
    r.rejected = !doc["rejected_count"].get(count) ? count : r.rejections.size();
    r.outcome = st == 200 ? Outcome::kCommitted : Outcome::kRejected;
    return r;
  }
  // Worth retrying: the server is down, overloaded, not (yet) Vigil, or our key is
  // wrong (an operator can fix that without losing lines).
  if (st >= 500 || st == 408 || st == 429 || st == 401 || st == 403 || st == 404 || st == 405)
    return r;
  r.outcome = Outcome::kRefused;  // 400 without a per-line answer, 413, 415, ...
  return r;
}

class Shipper {
 public:
  Shipper(ShipOptions o, const std::atomic<bool>& stop) : opt_(std::move(o)), stop_(stop),
      breaker_(opt_.breaker_failures, Seconds(opt_.breaker_cooldown_seconds)) {}
  ~Shipper() {
    if (fallback_ != nullptr && fallback_ != stderr && fallback_ != stdout) std::fclose(fallback_);
  }

  Status Open();
  Status Run();

 private:
  Checkpoint Snapshot(uint64_t pending) const;
  Status MakeBatch(std::string&& body, uint64_t lines, std::optional<SpoolPos> spool_after);
  Status SendPending(Clock::time_point now);
  void OnCommitted(const SendResult& r, Clock::time_point now);
  Status OnRefused(const SendResult& r);
  void OnFailed(const SendResult& r, Clock::time_point now);
  Status LiveIntake(Clock::time_point now);
  Result<bool> SpoolIntake(Clock::time_point now);
  Result<size_t> ReadSources(std::string* out, size_t max_bytes);
  Status Shutdown();
  bool InputDone() const;
  void Note(const std::string& msg);
  void Report(Clock::time_point now, bool force);
  std::string StatusJson(Clock::time_point now) const;
  uint64_t LagBytes() const;
  void MarkUnshipped(Clock::time_point now) {
    if (!unshipped_since_) unshipped_since_ = now;
  }

  ShipOptions opt_;
  const std::atomic<bool>& stop_;
  CircuitBreaker breaker_;
  std::unique_ptr<ShipState> state_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<HttpTransport> transport_;
  std::vector<Source> sources_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string target_ = "/api/v1/logs?plain=1";
  std::FILE* fallback_ = stderr;
  std::string fallback_name_ = "stderr";

  uint64_t next_seq_ = 1;
  uint64_t dropped_total_ = 0;
  std::optional<Outbox> pending_;
  bool pending_printed_ = false;  // its lines went to the console when the breaker opened
  std::string batch_;             // live lines read but not yet made a batch
  uint64_t batch_lines_ = 0;
  Clock::time_point batch_started_{};
  Clock::time_point retry_at_{};
  bool checkpoint_dirty_ = false;
  Clock::time_point dirty_since_{};
  std::optional<Clock::time_point> unshipped_since_;

  // Counters for the status report (this run).
  uint64_t lines_shipped_ = 0, batches_shipped_ = 0, lines_spooled_ = 0, lines_rejected_ = 0;
  uint64_t duplicate_batches_ = 0, lines_to_console_ = 0, failures_ = 0;
  std::string last_error_;
  Clock::time_point last_report_ = Clock::now(), last_status_file_{};
  CircuitBreaker::State reported_state_ = CircuitBreaker::State::kClosed;
};

void Shipper::Note(const std::string& msg) {
  std::fprintf(stderr, "vigil ship: %s\n", msg.c_str());
  std::fflush(stderr);
}

Status Shipper::Open() {
  if (opt_.files.empty()) return Status::InvalidArgument("no FILE given (use - for stdin)");
  bool has_stdin = false;
  for (auto& f : opt_.files) {
    if (f == "-") {
      has_stdin = true;
      continue;
    }
    if (f.find('\n') != std::string::npos) return Status::InvalidArgument("file name with a newline");
    f = std::filesystem::absolute(f).lexically_normal().string();
  }
  if (has_stdin && opt_.files.size() > 1)
    return Status::InvalidArgument("- (stdin) cannot be combined with files");
  if (opt_.batch_bytes == 0 || opt_.breaker_failures < 1 || opt_.spool_max_bytes == 0)
    return Status::InvalidArgument("--batch-bytes, --breaker-failures and --spool-max must be > 0");
  // Before the defaults below: `vigil ship --status` with the same arguments finds it.
  if (opt_.state_dir.empty()) opt_.state_dir = DefaultShipStateDir(opt_);
  if (opt_.group.empty())
    opt_.group = has_stdin ? "stdin" : std::filesystem::path(opt_.files[0]).stem().string();
  if (opt_.stream.empty()) opt_.stream = HostName();
  auto transport = HttpTransport::Create(
      opt_.server, std::chrono::milliseconds(static_cast<int64_t>(opt_.timeout_seconds * 1000)));
  if (!transport.ok()) return transport.status();
  transport_ = std::move(transport).value();
  if (opt_.fallback_file == "-") {
    fallback_ = stdout;
    fallback_name_ = "stdout";
  } else if (!opt_.fallback_file.empty()) {
    fallback_ = std::fopen(opt_.fallback_file.c_str(), "ab");
    if (fallback_ == nullptr) return Status::FromErrno("open --fallback-file " + opt_.fallback_file);
    fallback_name_ = opt_.fallback_file;
  }

  ASSIGN_OR_RETURN(state_, ShipState::Open(opt_.state_dir, opt_.sync));
  Checkpoint cp;
  std::vector<std::string> notes;
  RETURN_IF_ERROR(state_->Load(&cp, &pending_, &notes));
  for (const auto& n : notes) Note(n);
  next_seq_ = cp.next_seq;
  dropped_total_ = cp.dropped_total;
  ASSIGN_OR_RETURN(spool_, Spool::Open(state_->spool_dir(), opt_.spool_max_bytes, cp.spool_head,
                                       cp.spool_tail));
  for (const auto& f : opt_.files) {
    Source s;
    if (f == "-") {
      s.stream = std::make_unique<StreamReader>(STDIN_FILENO);
    } else {
      TailPosition start{f, 0, 0, 0};
      for (const auto& p : cp.files)
        if (p.path == f) start = p;
      s.file = std::make_unique<FileTailer>(start);
      s.finish_partial = opt_.exit_at_eof;
    }
    sources_.push_back(std::move(s));
  }
  headers_ = {{"Content-Type", "application/x-ndjson"},
              {"X-Vigil-Group", opt_.group},
              {"X-Vigil-Stream", opt_.stream},
              {"X-Vigil-Shipper", state_->shipper_id()}};
  if (!opt_.key.empty()) headers_.emplace_back("Authorization", "Bearer " + opt_.key);
  Note("shipping " + std::to_string(opt_.files.size()) + " input(s) to " + opt_.server +
       " as group '" + opt_.group + "', stream '" + opt_.stream + "' (state: " + opt_.state_dir +
       ", shipper id " + state_->shipper_id() + ")");
  if (pending_) {
    Note("resending batch " + std::to_string(pending_->seq) + " (" +
         std::to_string(pending_->lines) + " lines) left in flight by the previous run");
    MarkUnshipped(Clock::now());
  }
  if (!spool_->empty()) {
    Note("spool holds " + Human(static_cast<double>(spool_->bytes())) + " from the previous run; "
         "it is shipped before new lines");
    MarkUnshipped(Clock::now());
  }
  return Status::OK();
}

Checkpoint Shipper::Snapshot(uint64_t pending) const {
  Checkpoint cp;
  cp.next_seq = next_seq_;
  cp.pending = pending;
  cp.spool_head = spool_->head();
  cp.spool_tail = spool_->tail();
  cp.dropped_total = dropped_total_;
  for (const auto& s : sources_)
    if (s.file) cp.files.push_back(s.file->position());
  return cp;
}

// Makes lines the batch in flight: durable (with the read positions just past them)
// before the first attempt to send them.
Status Shipper::MakeBatch(std::string&& body, uint64_t lines, std::optional<SpoolPos> spool_after) {
  Outbox o;
  o.seq = next_seq_++;
  o.lines = lines;
  o.body = std::move(body);
  o.state = Snapshot(o.seq);
  if (spool_after) o.state.spool_head = *spool_after;
  RETURN_IF_ERROR(state_->WriteOutbox(o));
  // Only now may the spool forget these lines: the outbox holds them.
  if (spool_after) RETURN_IF_ERROR(spool_->Consume(*spool_after));
  pending_ = std::move(o);
  pending_printed_ = spool_after.has_value();  // spooled lines were shown when spooled
  checkpoint_dirty_ = false;
  return Status::OK();
}

Status Shipper::SendPending(Clock::time_point now) {
  std::string body;
  auto encoding = Compress(opt_.compression, pending_->body, &body);
  if (!encoding.ok()) return encoding.status();
  auto headers = headers_;
  headers.emplace_back("X-Vigil-Seq", std::to_string(pending_->seq));
  if (!encoding->empty()) headers.emplace_back("Content-Encoding", *encoding);
  bool probe = breaker_.state() == CircuitBreaker::State::kHalfOpen;
  if (probe) Note("circuit breaker half-open: sending one probe batch");
  SendResult r = Classify(transport_->Post(target_, headers, std::move(body)));
  now = Clock::now();
  switch (r.outcome) {
    case Outcome::kCommitted:
    case Outcome::kRejected:
      OnCommitted(r, now);
      return Status::OK();
    case Outcome::kRefused:
      return OnRefused(r);
    case Outcome::kFailed:
      OnFailed(r, now);
      return Status::OK();
  }
  return Status::OK();
}

void Shipper::OnCommitted(const SendResult& r, Clock::time_point now) {
  bool was_open = breaker_.state() != CircuitBreaker::State::kClosed;
  breaker_.RecordSuccess();
  for (const auto& [index, reason] : r.rejections) {
    std::string line(NthLine(pending_->body, index).substr(0, 200));
    Note("server rejected a line: " + reason + ": " + line);
  }
  if (r.rejected > r.rejections.size())
    Note(std::to_string(r.rejected - r.rejections.size()) + " more lines rejected (not listed)");
  lines_rejected_ += r.rejected;
  if (r.duplicate) {
    ++duplicate_batches_;
    lines_shipped_ += pending_->lines;
  } else {
    lines_shipped_ += r.accepted;
  }
  ++batches_shipped_;
  pending_.reset();
  checkpoint_dirty_ = true;
  dirty_since_ = now;
  if (was_open)
    Note("circuit breaker closed: the server is back" +
         (spool_->empty() ? std::string()
                          : "; replaying " + Human(static_cast<double>(spool_->bytes())) +
                                " of spooled lines before new ones"));
}

// The server will never take this batch (e.g. 413): keep it for a human and go on.
Status Shipper::OnRefused(const SendResult& r) {
  breaker_.RecordSuccess();
  auto path = state_->SaveRejected(pending_->seq, pending_->body);
  if (!path.ok()) return path.status();
  Note("SERVER REFUSED batch " + std::to_string(pending_->seq) + " (" +
       std::to_string(pending_->lines) + " lines) for good: " + r.detail + "; saved to " + *path);
  lines_rejected_ += pending_->lines;
  pending_.reset();
  checkpoint_dirty_ = true;
  dirty_since_ = Clock::now();
  return Status::OK();
}

void Shipper::OnFailed(const SendResult& r, Clock::time_point now) {
  ++failures_;
  last_error_ = r.detail;
  bool was_closed = breaker_.state() == CircuitBreaker::State::kClosed;
  bool opened = breaker_.RecordFailure(now);
  retry_at_ = now + Seconds(opt_.retry_seconds);
  if (!opened) {
    Note("sending batch " + std::to_string(pending_->seq) + " failed (" +
         std::to_string(breaker_.consecutive_failures()) + " of " +
         std::to_string(opt_.breaker_failures) + " before the breaker opens): " + r.detail);
    return;
  }
  char cooldown[32];
  std::snprintf(cooldown, sizeof cooldown, "%gs", opt_.breaker_cooldown_seconds);
  if (was_closed) {
    Note("CIRCUIT BREAKER OPEN after " + std::to_string(breaker_.consecutive_failures()) +
         " consecutive failures (last: " + r.detail + "); for " + cooldown + " lines go to " +
         fallback_name_ + " and to the spool, and are shipped once the server is back");
  } else {
    Note("probe failed (" + r.detail + "); circuit breaker open for another " + cooldown);
  }
  if (!pending_printed_) {
    std::fwrite(pending_->body.data(), 1, pending_->body.size(), fallback_);
    std::fflush(fallback_);
    lines_to_console_ += pending_->lines;
    pending_printed_ = true;
  }
}

Result<size_t> Shipper::ReadSources(std::string* out, size_t max_bytes) {
  size_t lines = 0;
  for (auto& s : sources_) {
    if (out->size() >= max_bytes) break;
    ASSIGN_OR_RETURN(size_t n, s.Read(out, max_bytes));
    lines += n;
    if (s.file)
      for (const auto& note : s.file->TakeNotes()) Note(note);
  }
  return lines;
}

// Breaker closed, nothing in flight, spool empty: lines become batches.
Status Shipper::LiveIntake(Clock::time_point now) {
  ASSIGN_OR_RETURN(size_t n, ReadSources(&batch_, opt_.batch_bytes));
  if (n > 0 && batch_lines_ == 0) {
    batch_started_ = now;
    MarkUnshipped(now);
  }
  batch_lines_ += n;
  if (batch_lines_ == 0) return Status::OK();
  bool full = batch_.size() >= opt_.batch_bytes;
  bool old = Since(batch_started_, now) >= opt_.batch_seconds;
  if (full || old || InputDone() || stop_) {
    uint64_t lines = batch_lines_;
    batch_lines_ = 0;
    RETURN_IF_ERROR(MakeBatch(std::move(batch_), lines, std::nullopt));
    batch_.clear();
  }
  return Status::OK();
}

// Breaker open: lines go to the console and to the spool, durably, before the read
// positions move past them.
Result<bool> Shipper::SpoolIntake(Clock::time_point now) {
  std::string chunk;
  ASSIGN_OR_RETURN(size_t n, ReadSources(&chunk, 1u << 20));
  if (n == 0) return false;
  MarkUnshipped(now);
  std::fwrite(chunk.data(), 1, chunk.size(), fallback_);
  std::fflush(fallback_);
  lines_to_console_ += n;
  uint64_t dropped = 0;
  RETURN_IF_ERROR(spool_->Append(chunk, &dropped));
  lines_spooled_ += n;
  if (dropped > 0) {
    dropped_total_ += dropped;
    Note("SPOOL FULL (limit " + Human(static_cast<double>(opt_.spool_max_bytes)) + "): DROPPED " +
         std::to_string(dropped) + " oldest spooled lines (" + std::to_string(dropped_total_) +
         " dropped in total); they were shown on " + fallback_name_);
  }
  if (opt_.sync) RETURN_IF_ERROR(spool_->Sync());
  RETURN_IF_ERROR(state_->WriteCheckpoint(Snapshot(pending_ ? pending_->seq : 0)));
  return true;
}

bool Shipper::InputDone() const {
  bool stdin_only = sources_.size() == 1 && sources_[0].stream != nullptr;
  if (!stdin_only && !opt_.exit_at_eof) return false;
  for (const auto& s : sources_)
    if (!s.at_end) return false;
  return true;
}

Status Shipper::Run() {
  (void)state_->WriteStatus(StatusJson(Clock::now()));
  while (!stop_) {
    Clock::time_point now = Clock::now();
    bool busy = false;
    if (pending_ && now >= retry_at_ && breaker_.AllowRequest(now)) {
      RETURN_IF_ERROR(SendPending(now));
      busy = true;
      now = Clock::now();
    }
    bool closed = breaker_.state() == CircuitBreaker::State::kClosed;
    if (closed && !pending_ && !spool_->empty()) {
      std::string body;
      SpoolPos next;
      uint64_t lines = 0;
      RETURN_IF_ERROR(spool_->Peek(opt_.batch_bytes, &body, &next, &lines));
      RETURN_IF_ERROR(MakeBatch(std::move(body), lines, next));
      busy = true;
    } else if (!closed) {
      ASSIGN_OR_RETURN(bool read, SpoolIntake(now));
      busy |= read;
    } else if (!pending_) {
      // Reads stop at the batch budget or at the end of input: without a new batch to
      // send, there is nothing to do before the next poll.
      RETURN_IF_ERROR(LiveIntake(now));
      busy |= pending_.has_value();
    }
    bool idle = !pending_ && batch_.empty() && spool_->empty();
    if (idle) unshipped_since_.reset();
    if (idle && checkpoint_dirty_ && (Since(dirty_since_, now) >= 1 || InputDone())) {
      RETURN_IF_ERROR(state_->WriteCheckpoint(Snapshot(0)));
      checkpoint_dirty_ = false;
    }
    Report(now, false);
    if (idle && InputDone()) break;
    if (!busy) std::this_thread::sleep_for(Seconds(opt_.poll_seconds));
  }
  return Shutdown();
}

Status Shipper::Shutdown() {
  if (batch_lines_ > 0) {
    uint64_t lines = batch_lines_;
    batch_lines_ = 0;
    RETURN_IF_ERROR(MakeBatch(std::move(batch_), lines, std::nullopt));
    batch_.clear();
  }
  if (pending_ && breaker_.state() == CircuitBreaker::State::kClosed && Clock::now() >= retry_at_)
    RETURN_IF_ERROR(SendPending(Clock::now()));
  RETURN_IF_ERROR(state_->WriteCheckpoint(Snapshot(pending_ ? pending_->seq : 0)));
  Report(Clock::now(), true);
  if (pending_ || !spool_->empty())
    Note("stopped with unshipped lines saved in " + opt_.state_dir +
         "; they are shipped when `vigil ship` runs again with this state directory");
  return Status::OK();
}

uint64_t Shipper::LagBytes() const {
  uint64_t lag = batch_.size() + spool_->bytes() + (pending_ ? pending_->body.size() : 0);
  for (const auto& s : sources_) lag += s.Lag();
  return lag;
}

std::string Shipper::StatusJson(Clock::time_point now) const {
  auto num = [](uint64_t v) { return std::to_string(v); };
  char secs[32];
  double reopen = breaker_.state() == CircuitBreaker::State::kOpen
                      ? std::max(0.0, Since(now, breaker_.reopen_at()))
                      : 0.0;
  std::snprintf(secs, sizeof secs, "%.1f", reopen);
  char lag_s[32];
  std::snprintf(lag_s, sizeof lag_s, "%.1f", unshipped_since_ ? Since(*unshipped_since_, now) : 0.0);
  int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  return "{\"pid\": " + std::to_string(::getpid()) +
         ", \"updated\": " + JsonString(FormatIsoMillis(wall)) +
         ", \"server\": " + JsonString(opt_.server) +
         ", \"shipper_id\": " + JsonString(state_->shipper_id()) +
         ", \"breaker\": " + JsonString(BreakerStateName(breaker_.state())) +
         ", \"consecutive_failures\": " + std::to_string(breaker_.consecutive_failures()) +
         ", \"probe_in_s\": " + secs +
         ", \"lines_shipped\": " + num(lines_shipped_) +
         ", \"batches_shipped\": " + num(batches_shipped_) +
         ", \"duplicate_batches\": " + num(duplicate_batches_) +
         ", \"lines_spooled\": " + num(lines_spooled_) +
         ", \"lines_to_console\": " + num(lines_to_console_) +
         ", \"lines_dropped\": " + num(dropped_total_) +
         ", \"lines_rejected\": " + num(lines_rejected_) +
         ", \"send_failures\": " + num(failures_) +
         ", \"spool_bytes\": " + num(spool_->bytes()) +
         ", \"pending_lines\": " + num(pending_ ? pending_->lines : 0) +
         ", \"lag_bytes\": " + num(LagBytes()) +
         ", \"lag_s\": " + lag_s +
         ", \"last_error\": " + JsonString(last_error_) + "}\n";
}

void Shipper::Report(Clock::time_point now, bool force) {
  bool changed = breaker_.state() != reported_state_;
  if (force || changed || Since(last_status_file_, now) >= 1) {
    (void)state_->WriteStatus(StatusJson(now));  // best effort: it is only a report
    last_status_file_ = now;
  }
  bool due = opt_.status_seconds > 0 && Since(last_report_, now) >= opt_.status_seconds;
  if (!force && !changed && !due) return;
  reported_state_ = breaker_.state();
  last_report_ = now;
  char line[512];
  std::snprintf(line, sizeof line,
                "status: breaker %s, %llu lines shipped in %llu batches, %llu spooled, "
                "%llu dropped, %llu rejected, spool %s, lag %s / %.1fs",
                std::string(BreakerStateName(breaker_.state())).c_str(),
                static_cast<unsigned long long>(lines_shipped_),
                static_cast<unsigned long long>(batches_shipped_),
                static_cast<unsigned long long>(lines_spooled_),
                static_cast<unsigned long long>(dropped_total_),
                static_cast<unsigned long long>(lines_rejected_),
                Human(static_cast<double>(spool_->bytes())).c_str(),
                Human(static_cast<double>(LagBytes())).c_str(),
                unshipped_since_ ? Since(*unshipped_since_, now) : 0.0);
  Note(line);
}

}  // namespace

std::string DefaultShipStateDir(const ShipOptions& o) {
  std::string base;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) base = x;
  else if (const char* h = std::getenv("HOME"); h && *h) base = std::string(h) + "/.local/state";
  else base = "/tmp";
  std::string key = o.server + "\n" + o.group;
  for (const auto& f : o.files)
    key += "\n" + (f == "-" ? f : std::filesystem::absolute(f).lexically_normal().string());
  uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across runs and builds
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(h));
  return base + "/vigil/ship/" + name;
}

Status RunShipper(const ShipOptions& options, const std::atomic<bool>& stop) {
  Shipper s(options, stop);
  RETURN_IF_ERROR(s.Open());
  return s.Run();
}

}  // namespace vigil
