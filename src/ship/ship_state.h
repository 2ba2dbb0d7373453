// The shipper's state directory: what it has read, what it is sending, who it is.
//
//   <dir>/LOCK             flock'd by the running shipper (one per state directory)
//   <dir>/id               the shipper id sent as X-Vigil-Shipper (random, made once)
//   <dir>/checkpoint       Checkpoint, text (below), replaced atomically
//   <dir>/outbox-<seq>     Outbox: the batch in flight and the state right after it
//   <dir>/spool/           Spool segments
//   <dir>/status.json      the latest status report (for `vigil ship --status`)
//   <dir>/rejected-<seq>.ndjson  batches the server refused for good
//
// Protocol (docs/ship.md): a batch is made durable as outbox-<seq> *before* it is sent,
// together with the read positions just past it, in one atomic file write; so a restart
// resends exactly that batch with the same seq (the server drops it if it had committed
// it) and continues reading after it: nothing is sent twice or skipped. The checkpoint
// file is written while spooling, and when idle; the newer of the two wins at start.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ship/file_tailer.h"
#include "ship/spool.h"

namespace vigil {

// Text, one field per line:
//   vigil-ship-checkpoint 1
//   next_seq <n>            seq of the next batch to make
//   pending <n>             seq of the batch in flight (its outbox), 0 for none
//   spool_head <segment> <offset>
//   spool_tail <segment> <offset>
//   dropped <n>             spooled lines dropped because the spool was full, ever
//   file <dev> <ino> <offset> <path>     one per tailed file
struct Checkpoint {
  uint64_t next_seq = 1;
  uint64_t pending = 0;
  SpoolPos spool_head, spool_tail;
  uint64_t dropped_total = 0;
  std::vector<TailPosition> files;
};

// A batch made and not known to be committed:
//   vigil-ship-outbox 1
//   seq <n>
//   lines <n>
//   <the checkpoint's field lines: the state once this batch was made>
//   body <length>
//   <length bytes: NDJSON / plain-text lines, uncompressed>
struct Outbox {
  uint64_t seq = 0;
  uint64_t lines = 0;
  std::string body;
  Checkpoint state;
};

std::string EncodeCheckpoint(const Checkpoint& cp);
// Corruption for anything but a well-formed checkpoint (unknown fields included).
Result<Checkpoint> DecodeCheckpoint(std::string_view text);
std::string EncodeOutbox(const Outbox& o);
Result<Outbox> DecodeOutbox(std::string_view data);

class ShipState {
 public:
  // Creates `dir` if needed, takes its lock and reads or makes the shipper id.
  // Unavailable when another shipper holds the lock; IOError otherwise.
  static Result<std::unique_ptr<ShipState>> Open(const std::string& dir, bool sync);
  ~ShipState();

  const std::string& dir() const { return dir_; }
  const std::string& shipper_id() const { return id_; }
  std::string spool_dir() const { return dir_ + "/spool"; }

  // The state to resume from and the batch to resend first, if any. Damaged files are
  // reported in *notes and ignored (their batch is read again from the checkpoint).
  Status Load(Checkpoint* cp, std::optional<Outbox>* pending, std::vector<std::string>* notes);

  // Each replaces its file atomically (and durably when `sync`), then removes outboxes
  // it supersedes.
  Status WriteOutbox(const Outbox& o);
  Status WriteCheckpoint(const Checkpoint& cp);

  Status WriteStatus(std::string_view json);  // best effort, never synced
  // Keeps a refused batch for a human; returns the file's path.
  Result<std::string> SaveRejected(uint64_t seq, std::string_view body);

 private:
  ShipState(std::string dir, bool sync) : dir_(std::move(dir)), sync_(sync) {}
  Status WriteAtomic(const std::string& name, std::string_view data, bool sync);
  std::vector<uint64_t> OutboxSeqs() const;
  void RemoveOutboxes(uint64_t keep, uint64_t below);

  std::string dir_;
  bool sync_;
  std::string id_;
  int lock_fd_ = -1;
};

}  // namespace vigil
