#include "health/status_tracker.h"

#include "core/timestamp.h"

namespace vigil::health {

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS health_status("
    " check_name TEXT NOT NULL, entity TEXT NOT NULL, tenant TEXT NOT NULL,"
    " status TEXT NOT NULL, reason TEXT NOT NULL,"
    " last_report INTEGER NOT NULL, last_ok INTEGER, changed_at INTEGER NOT NULL,"
    " reports INTEGER NOT NULL,"
    " PRIMARY KEY(check_name, entity, tenant))";

void AddOptionalTime(BatchBuilder& b, std::string_view name, std::optional<int64_t> ns) {
  if (ns) b.AddInt(name, *ns);
}

}  // namespace

Result<std::unique_ptr<StatusTracker>> StatusTracker::Open(const std::string& path, bool read_only) {
  Result<std::unique_ptr<StateDb>> db = StateDb::Open(path, read_only);
  if (!db.ok()) {
    if (read_only && db.status().code() == Code::kNotFound) {
      return std::unique_ptr<StatusTracker>(new StatusTracker(nullptr));
    }
    return db.status();
  }
  if (!read_only) RETURN_IF_ERROR(db.value()->Exec(kSchema));
  return std::unique_ptr<StatusTracker>(new StatusTracker(std::move(db.value())));
}

Status StatusTracker::Apply(const std::vector<StatusReport>& reports) {
  if (db_ == nullptr || db_->read_only()) return Status::Unavailable("status state is read-only");
  return db_->Transaction([&]() -> Status {
    for (const StatusReport& r : reports) RETURN_IF_ERROR(ApplyOne(r));
    return Status::OK();
  });
}

Status StatusTracker::ApplyOne(const StatusReport& r) {
  ASSIGN_OR_RETURN(Statement get, db_->Prepare("SELECT last_report, last_ok FROM health_status"
                                               " WHERE check_name = ? AND entity = ? AND tenant = ?"));
  get.Bind(1, r.check).Bind(2, r.entity).Bind(3, r.tenant);
  ASSIGN_OR_RETURN(bool found, get.Step());
  const bool ok = r.status == "ok";
  if (!found) {
    ASSIGN_OR_RETURN(Statement ins, db_->Prepare("INSERT INTO health_status VALUES(?, ?, ?, ?, ?, ?, ?, ?, 1)"));
    ins.Bind(1, r.check).Bind(2, r.entity).Bind(3, r.tenant).Bind(4, r.status).Bind(5, r.reason);
    ins.Bind(6, r.at_ns).Bind(7, ok ? std::optional<int64_t>(r.at_ns) : std::nullopt).Bind(8, r.at_ns);
    return ins.Run();
  }
  const int64_t last_report = get.Int(0);
  std::optional<int64_t> last_ok = get.OptInt(1);
  if (ok && (!last_ok || *last_ok < r.at_ns)) last_ok = r.at_ns;
  const bool newer = r.at_ns >= last_report;
  ASSIGN_OR_RETURN(Statement up,
                   db_->Prepare(newer ? "UPDATE health_status SET last_ok = ?, reports = reports + 1,"
                                        " status = ?, reason = ?, last_report = ?,"
                                        " changed_at = CASE WHEN status = ? THEN changed_at ELSE ? END"
                                        " WHERE check_name = ? AND entity = ? AND tenant = ?"
                                      : "UPDATE health_status SET last_ok = ?, reports = reports + 1"
                                        " WHERE check_name = ? AND entity = ? AND tenant = ?"));
  up.Bind(1, last_ok);
  if (newer) {
    up.Bind(2, r.status).Bind(3, r.reason).Bind(4, r.at_ns).Bind(5, r.status).Bind(6, r.at_ns);
    up.Bind(7, r.check).Bind(8, r.entity).Bind(9, r.tenant);
  } else {
    up.Bind(2, r.check).Bind(3, r.entity).Bind(4, r.tenant);
  }
  return up.Run();
}

Result<Batch> StatusTracker::Table(int64_t now_ns, const StatusConfig& config) const {
  BatchBuilder b;
  if (db_ == nullptr) return b.Finish();
  Status st = db_->Locked([&]() -> Status {
    ASSIGN_OR_RETURN(bool has_table, db_->HasTable("health_status"));
    if (!has_table) return Status::OK();
    ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT check_name, entity, tenant, status, reason, last_report,"
                                               " last_ok, changed_at, reports FROM health_status"
                                               " ORDER BY check_name, entity, tenant"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      const std::string check = q.Text(0);
      const int64_t last_report = q.Int(5);
      const int64_t interval = config.IntervalFor(check);
      b.BeginRow();
      b.AddInt(field::kTimestamp, last_report);
      b.AddString("check", check);
      if (std::string e = q.Text(1); !e.empty()) b.AddString("entity", e);
      if (std::string t = q.Text(2); !t.empty()) {
        b.AddString("tenant", t);
        b.AddString(field::kTenant, t);
      }
      b.AddString("status", q.Text(3));
      if (std::string reason = q.Text(4); !reason.empty()) b.AddString("reason", reason);
      b.AddInt("last_report", last_report);
      AddOptionalTime(b, "last_ok", q.OptInt(6));
      b.AddInt("changed_at", q.Int(7));
      b.AddInt("reports", q.Int(8));
      b.AddInt("expected_interval_s", interval / kNanosPerSecond);
      b.AddFloat("age_s", static_cast<double>(now_ns - last_report) / kNanosPerSecond);
      b.AddBool("stale", now_ns - last_report > interval);
      b.EndRow();
    }
    return Status::OK();
  });
  RETURN_IF_ERROR(st);
  return b.Finish();
}

}  // namespace vigil::health
