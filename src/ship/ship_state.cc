#include "ship/ship_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <random>

#include "ship/ship.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCheckpointHeader = "vigil-ship-checkpoint 1\n";
constexpr std::string_view kOutboxHeader = "vigil-ship-outbox 1\n";

std::string U(uint64_t v) { return std::to_string(v); }

void EncodeFields(const Checkpoint& cp, std::string* out) {
  *out += "next_seq " + U(cp.next_seq) + "\npending " + U(cp.pending) + "\n";
  *out += "spool_head " + U(cp.spool_head.segment) + " " + U(cp.spool_head.offset) + "\n";
  *out += "spool_tail " + U(cp.spool_tail.segment) + " " + U(cp.spool_tail.offset) + "\n";
  *out += "dropped " + U(cp.dropped_total) + "\n";
  for (const auto& f : cp.files)
    *out += "file " + U(f.dev) + " " + U(f.ino) + " " + U(f.offset) + " " + f.path + "\n";
}

// Reads `count` space-separated numbers from the front of *s.
bool Numbers(std::string_view* s, uint64_t* v, int count) {
  for (int i = 0; i < count; ++i) {
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v[i]);
    if (ec != std::errc()) return false;
    s->remove_prefix(static_cast<size_t>(end - s->data()));
    if (i + 1 < count || !s->empty()) {
      if (s->empty() || s->front() != ' ') return false;
      s->remove_prefix(1);
    }
  }
  return true;
}

// One "key value..." line into *cp; false when it is not a checkpoint field.
bool DecodeField(std::string_view line, Checkpoint* cp) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  std::string_view key = line.substr(0, sp), rest = line.substr(sp + 1);
  uint64_t v[3];
  if (key == "next_seq" && Numbers(&rest, v, 1)) return cp->next_seq = v[0], true;
  if (key == "pending" && Numbers(&rest, v, 1)) return cp->pending = v[0], true;
  if (key == "dropped" && Numbers(&rest, v, 1)) return cp->dropped_total = v[0], true;
  if (key == "spool_head" && Numbers(&rest, v, 2)) return cp->spool_head = {v[0], v[1]}, true;
  if (key == "spool_tail" && Numbers(&rest, v, 2)) return cp->spool_tail = {v[0], v[1]}, true;
  if (key == "file") {
    // "<dev> <ino> <offset> <path>": the path is the rest of the line, spaces and all.
    TailPosition f;
    for (uint64_t* field : {&f.dev, &f.ino, &f.offset}) {
      auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), *field);
      if (ec != std::errc() || end == rest.data() + rest.size() || *end != ' ') return false;
      rest.remove_prefix(static_cast<size_t>(end - rest.data()) + 1);
    }
    if (rest.empty()) return false;
    f.path = std::string(rest);
    cp->files.push_back(std::move(f));
    return true;
  }
  return false;
}

// Splits off the next '\n'-terminated line; false at the end or on a torn line.
bool NextLine(std::string_view* s, std::string_view* line) {
  size_t nl = s->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = s->substr(0, nl);
  s->remove_prefix(nl + 1);
  return true;
}

Status FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path);
  int rc = (flags & O_DIRECTORY) ? ::fsync(fd) : ::fdatasync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::FromErrno("fsync " + path);
}

Result<std::string> ReadAll(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return Status::NotFound(path);
    return Status::FromErrno("open " + path);
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) return Status::IOError("read " + path);
  return out;
}

std::string RandomId() {
  std::random_device rd;
  char buf[33];
  for (int i = 0; i < 4; ++i) std::snprintf(buf + 8 * i, 9, "%08x", rd());
  return buf;
}

}  // namespace

std::string EncodeCheckpoint(const Checkpoint& cp) {
  std::string out(kCheckpointHeader);
  EncodeFields(cp, &out);
  return out;
}

Result<Checkpoint> DecodeCheckpoint(std::string_view text) {
  if (!text.starts_with(kCheckpointHeader)) return Status::Corruption("checkpoint: bad header");
  text.remove_prefix(kCheckpointHeader.size());
  Checkpoint cp;
  std::string_view line;
  while (NextLine(&text, &line)) {
    if (!DecodeField(line, &cp)) return Status::Corruption("checkpoint: bad line '" + std::string(line) + "'");
  }
  if (!text.empty()) return Status::Corruption("checkpoint: torn last line");
  if (cp.next_seq == 0 || cp.spool_tail < cp.spool_head)
    return Status::Corruption("checkpoint: inconsistent values");
  return cp;
}

std::string EncodeOutbox(const Outbox& o) {
  std::string out(kOutboxHeader);
  out += "seq " + U(o.seq) + "\nlines " + U(o.lines) + "\n";
  EncodeFields(o.state, &out);
  out += "body " + U(o.body.size()) + "\n";
  out += o.body;
  return out;
}

Result<Outbox> DecodeOutbox(std::string_view data) {
  if (!data.starts_with(kOutboxHeader)) return Status::Corruption("outbox: bad header");
  data.remove_prefix(kOutboxHeader.size());
  Outbox o;
  std::string_view line;
  while (NextLine(&data, &line)) {
    uint64_t v;
    std::string_view rest = line.substr(std::min(line.size(), line.find(' ') + 1));
    if (line.starts_with("seq ") && Numbers(&rest, &v, 1)) {
      o.seq = v;
    } else if (line.starts_with("lines ") && Numbers(&rest, &v, 1)) {
      o.lines = v;
    } else if (line.starts_with("body ") && Numbers(&rest, &v, 1)) {
      if (data.size() != v) return Status::Corruption("outbox: body length mismatch");
      o.body = std::string(data);
      if (o.seq == 0 || o.state.pending != o.seq) return Status::Corruption("outbox: bad seq");
      return o;
    } else if (!DecodeField(line, &o.state)) {
      return Status::Corruption("outbox: bad line '" + std::string(line) + "'");
    }
  }
  return Status::Corruption("outbox: no body");
}

Result<std::unique_ptr<ShipState>> ShipState::Open(const std::string& dir, bool sync) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("create state directory " + dir + ": " + ec.message());
  std::unique_ptr<ShipState> s(new ShipState(dir, sync));
  std::string lock = dir + "/LOCK";
  s->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->lock_fd_ < 0) return Status::FromErrno("open " + lock);
  if (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Status::Unavailable("state directory " + dir + " is in use by another `vigil ship`");
  auto id = ReadAll(dir + "/id");
  if (id.ok()) {
    s->id_ = *id;
    while (!s->id_.empty() && (s->id_.back() == '\n' || s->id_.back() == ' ')) s->id_.pop_back();
  } else if (id.status().code() != Code::kNotFound) {
    return id.status();
  }
  if (s->id_.empty()) {
    s->id_ = RandomId();
    RETURN_IF_ERROR(s->WriteAtomic("id", s->id_ + "\n", true));
  }
  return s;
}

ShipState::~ShipState() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status ShipState::WriteAtomic(const std::string& name, std::string_view data, bool sync) {
  std::string path = dir_ + "/" + name, tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("open " + tmp);
  Status s;
  for (std::string_view rest = data; s.ok() && !rest.empty();) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = Status::FromErrno("write " + tmp);
    else rest.remove_prefix(static_cast<size_t>(n));
  }
  if (s.ok() && sync && ::fdatasync(fd) != 0) s = Status::FromErrno("fdatasync " + tmp);
  ::close(fd);
  RETURN_IF_ERROR(s);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno("rename " + tmp);
  return sync ? FsyncPath(dir_, O_RDONLY | O_DIRECTORY) : Status::OK();
}

std::vector<uint64_t> ShipState::OutboxSeqs() const {
  std::vector<uint64_t> seqs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("outbox-", 0) != 0 || name.ends_with(".tmp")) continue;
    uint64_t seq = 0;
    auto [end, err] = std::from_chars(name.data() + 7, name.data() + name.size(), seq);
    if (err == std::errc() && end == name.data() + name.size()) seqs.push_back(seq);
  }
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

void ShipState::RemoveOutboxes(uint64_t keep, uint64_t below) {
  for (uint64_t seq : OutboxSeqs())
    if (seq != keep && seq < below) ::unlink((dir_ + "/outbox-" + U(seq)).c_str());
}

Status ShipState::Load(Checkpoint* cp, std::optional<Outbox>* pending,
                       std::vector<std::string>* notes) {
  *cp = Checkpoint{};
  pending->reset();
  auto text = ReadAll(dir_ + "/checkpoint");
  if (text.ok()) {
    auto c = DecodeCheckpoint(*text);
    if (!c.ok()) return Status::Corruption(dir_ + "/checkpoint: " + c.status().message());
    *cp = std::move(c).value();
  } else if (text.status().code() != Code::kNotFound) {
    return text.status();
  }
  std::vector<uint64_t> seqs = OutboxSeqs();
  // The newest outbox is newer than the checkpoint when the checkpoint was written
  // before it was made; else the checkpoint names the one still pending, if any.
  uint64_t want = 0;
  if (!seqs.empty() && seqs.back() >= cp->next_seq) want = seqs.back();
  else if (cp->pending != 0) want = cp->pending;
  if (want != 0) {
    std::string path = dir_ + "/outbox-" + U(want);
    auto data = ReadAll(path);
    Result<Outbox> o = data.ok() ? DecodeOutbox(*data) : Result<Outbox>(data.status());
    if (o.ok() && o->seq == want) {
      if (want >= cp->next_seq) *cp = o->state;
      *pending = std::move(o).value();
    } else {
      notes->push_back("ignoring damaged or missing " + path + " (" +
                       (o.ok() ? std::string("wrong seq") : o.status().message()) +
                       "); its lines are read again from the checkpoint");
      cp->next_seq = std::max(cp->next_seq, want + 1);
      cp->pending = 0;
    }
  }
  RemoveOutboxes(*pending ? (*pending)->seq : 0, UINT64_MAX);
  return Status::OK();
}

Status ShipState::WriteOutbox(const Outbox& o) {
  RETURN_IF_ERROR(WriteAtomic("outbox-" + U(o.seq), EncodeOutbox(o), sync_));
  RemoveOutboxes(o.seq, o.seq);
  return Status::OK();
}

Status ShipState::WriteCheckpoint(const Checkpoint& cp) {
  RETURN_IF_ERROR(WriteAtomic("checkpoint", EncodeCheckpoint(cp), sync_));
  RemoveOutboxes(cp.pending, cp.next_seq);
  return Status::OK();
}

Status ShipState::WriteStatus(std::string_view json) { return WriteAtomic("status.json", json, false); }

Result<std::string> ShipState::SaveRejected(uint64_t seq, std::string_view body) {
  std::string name = "rejected-" + U(seq) + ".ndjson";
  RETURN_IF_ERROR(WriteAtomic(name, body, sync_));
  return dir_ + "/" + name;
}

Result<std::string> ReadShipStatus(const std::string& dir, bool* running) {
  *running = false;
  int fd = ::open((dir + "/LOCK").c_str(), O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) *running = true;
    ::close(fd);
  }
  return ReadAll(dir + "/status.json");
}

}  // namespace vigil
