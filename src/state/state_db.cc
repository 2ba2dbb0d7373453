#include "state/state_db.h"

#include <sys/stat.h>

namespace vigil {

namespace {

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status::IOError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (st_ != nullptr) sqlite3_finalize(st_);
    db_ = o.db_;
    st_ = o.st_;
    o.st_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (st_ != nullptr) sqlite3_finalize(st_);
}

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(st_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
  sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int i, std::optional<int64_t> v) {
  return v ? Bind(i, *v) : BindNull(i);
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, "sqlite step");
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) {
      Reset();
      return row.status();
    }
    if (!row.value()) break;
  }
  Reset();
  return Status::OK();
}

void Statement::Reset() { sqlite3_reset(st_); }

bool Statement::IsNull(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
int64_t Statement::Int(int col) const { return sqlite3_column_int64(st_, col); }
double Statement::Double(int col) const { return sqlite3_column_double(st_, col); }
std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
}
std::optional<int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::string StateDb::PathIn(const std::string& dir) { return dir + "/state.db"; }

Result<std::unique_ptr<StateDb>> StateDb::Open(const std::string& path, bool read_only) {
  if (read_only) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return Status::NotFound("no state database at " + path);
  }
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db, "open " + path);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<StateDb> out(new StateDb(db, read_only));
  sqlite3_busy_timeout(db, 10'000);
  if (!read_only) {
    // WAL: readers never block the writer; NORMAL: a commit survives a process crash
    // (the OS has the pages), only an OS crash may lose the last commits.
    RETURN_IF_ERROR(out->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  }
  return out;
}

StateDb::~StateDb() { sqlite3_close_v2(db_); }

Status StateDb::Error(std::string_view what) const { return SqliteError(db_, what); }

Status StateDb::Exec(std::string_view sql) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::string text(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError("sqlite: " + msg);
  }
  return Status::OK();
}

Result<Statement> StateDb::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK) {
    return Error("sqlite prepare '" + std::string(sql.substr(0, 60)) + "'");
  }
  return Statement(db_, st);
}

Result<bool> StateDb::HasTable(std::string_view name) {
  ASSIGN_OR_RETURN(Statement st, Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"));
  st.Bind(1, name);
  return st.Step();
}

int64_t StateDb::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int StateDb::Changes() const { return sqlite3_changes(db_); }

Status StateDb::Transaction(const std::function<Status()>& fn) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status s = fn();
  if (!s.ok()) {
    (void)Exec("ROLLBACK");
    return s;
  }
  if (Status c = Exec("COMMIT"); !c.ok()) {
    (void)Exec("ROLLBACK");
    return c;
  }
  return Status::OK();
}

Status StateDb::Locked(const std::function<Status()>& fn) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return fn();
}

}  // namespace vigil
