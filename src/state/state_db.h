// StateDb: the small relational state of a data directory (error-group status, cron
// monitors, alarms, silences, notification outbox ...) in one SQLite file,
// `<data dir>/state.db` (DESIGN.md section 3). Each module opens its own connection and
// creates its own tables; SQLite's WAL mode lets readers (`vigil query --data`) run
// beside the server.
//
//   ASSIGN_OR_RETURN(auto db, StateDb::Open(StateDb::PathIn(dir)));
//   RETURN_IF_ERROR(db->Exec("CREATE TABLE IF NOT EXISTS t(k TEXT PRIMARY KEY, n INTEGER)"));
//   RETURN_IF_ERROR(db->Transaction([&]() -> Status {
//     ASSIGN_OR_RETURN(Statement st, db->Prepare("INSERT INTO t VALUES(?, ?)"));
//     st.Bind(1, "a").Bind(2, int64_t{1});
//     return st.Run();
//   }));
//
// Thread-safety: a StateDb may be shared by threads; Transaction and Locked hold the
// connection's mutex, and every Prepare/Exec must happen inside one of them (or from a
// single thread).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  ~Statement();

  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, std::optional<int64_t> v);
  Statement& BindNull(int i);

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (an INSERT/UPDATE/DELETE), then resets for reuse.
  Status Run();
  // Resets to run again, keeping the bindings.
  void Reset();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  std::optional<int64_t> OptInt(int col) const;

 private:
  friend class StateDb;
  Statement(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
};

class StateDb {
 public:
  // `<dir>/state.db`.
  static std::string PathIn(const std::string& dir);

  // Opens (creating unless read_only) the database at `path` in WAL mode with a busy
  // timeout, so concurrent writers wait instead of failing. read_only never writes and
  // returns NotFound when the file does not exist.
  static Result<std::unique_ptr<StateDb>> Open(const std::string& path, bool read_only = false);
  ~StateDb();

  // Runs one or more statements with no results (schema, pragmas).
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // Whether the table exists: a read-only reader may open a state file that no server
  // with that module wrote yet. Errors: the database's.
  Result<bool> HasTable(std::string_view name);
  // The rowid of the last INSERT on this connection.
  int64_t LastInsertId() const;
  // Rows changed by the last statement.
  int Changes() const;

  // Runs `fn` under the mutex inside BEGIN IMMEDIATE ... COMMIT; rolls back when `fn`
  // fails and returns its status.
  Status Transaction(const std::function<Status()>& fn);
  // Runs `fn` under the mutex with no transaction (reads).
  Status Locked(const std::function<Status()>& fn);

  bool read_only() const { return read_only_; }
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

 private:
  StateDb(sqlite3* db, bool read_only) : db_(db), read_only_(read_only) {}
  Status Error(std::string_view what) const;

  sqlite3* db_;
  bool read_only_;
  std::recursive_mutex mu_;
};

}  // namespace vigil
