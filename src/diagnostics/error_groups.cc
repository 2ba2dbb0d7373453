#include "diagnostics/error_groups.h"

namespace vigil {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS error_groups(
  fingerprint TEXT PRIMARY KEY,
  tenant TEXT NOT NULL, class TEXT NOT NULL, message TEXT NOT NULL, sample TEXT NOT NULL,
  count INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  path TEXT NOT NULL, endpoint TEXT NOT NULL, request_id TEXT NOT NULL, trace_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'unresolved', resolved_at INTEGER, regressed_at INTEGER);
CREATE INDEX IF NOT EXISTS error_groups_by_last_seen ON error_groups(last_seen);
CREATE TABLE IF NOT EXISTS error_group_aliases(fingerprint TEXT PRIMARY KEY, into_fp TEXT NOT NULL);
)sql";

// The latest occurrence's fields win when they are set; a resolved group seen after its
// resolution regresses. In an UPDATE every column reference is the old value.
constexpr const char* kUpsert = R"sql(
INSERT INTO error_groups(fingerprint, tenant, class, message, sample, count, first_seen, last_seen,
                         path, endpoint, request_id, trace_id)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT(fingerprint) DO UPDATE SET
  count = count + excluded.count,
  first_seen = min(first_seen, excluded.first_seen),
  last_seen = max(last_seen, excluded.last_seen),
  path = CASE WHEN excluded.last_seen >= last_seen AND excluded.path != '' THEN excluded.path ELSE path END,
  endpoint = CASE WHEN excluded.last_seen >= last_seen AND excluded.endpoint != '' THEN excluded.endpoint ELSE endpoint END,
  request_id = CASE WHEN excluded.last_seen >= last_seen AND excluded.request_id != '' THEN excluded.request_id ELSE request_id END,
  trace_id = CASE WHEN excluded.last_seen >= last_seen AND excluded.trace_id != '' THEN excluded.trace_id ELSE trace_id END,
  regressed_at = CASE WHEN status = 'resolved' AND excluded.last_seen > resolved_at THEN excluded.last_seen ELSE regressed_at END,
  status = CASE WHEN status = 'resolved' AND excluded.last_seen > resolved_at THEN 'regressed' ELSE status END
)sql";

constexpr const char* kSelect =
    "SELECT fingerprint, tenant, class, message, sample, count, first_seen, last_seen, path, endpoint, "
    "request_id, trace_id, status, resolved_at, regressed_at FROM error_groups";

ErrorGroup ReadGroup(const Statement& st) {
  ErrorGroup g;
  g.fingerprint = st.Text(0);
  g.tenant = st.Text(1);
  g.error_class = st.Text(2);
  g.message = st.Text(3);
  g.sample = st.Text(4);
  g.count = st.Int(5);
  g.first_seen_ns = st.Int(6);
  g.last_seen_ns = st.Int(7);
  g.path = st.Text(8);
  g.endpoint = st.Text(9);
  g.request_id = st.Text(10);
  g.trace_id = st.Text(11);
  g.status = st.Text(12);
  g.resolved_at_ns = st.OptInt(13);
  g.regressed_at_ns = st.OptInt(14);
  return g;
}

}  // namespace

Result<std::unique_ptr<ErrorGroups>> ErrorGroups::Open(StateDb& db) {
  if (!db.read_only()) RETURN_IF_ERROR(db.Exec(kSchema));
  return std::unique_ptr<ErrorGroups>(new ErrorGroups(db));
}

Result<std::string> ErrorGroups::Resolve(const std::string& fp) const {
  ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT into_fp FROM error_group_aliases WHERE fingerprint = ?"));
  st.Bind(1, fp);
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Text(0) : fp;
}

Status ErrorGroups::Record(const std::vector<ErrorOccurrences>& occurrences) {
  if (occurrences.empty()) return Status::OK();
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement up, db_.Prepare(kUpsert));
    for (const ErrorOccurrences& o : occurrences) {
      ASSIGN_OR_RETURN(std::string fp, Resolve(o.fingerprint));
      up.Bind(1, fp).Bind(2, o.tenant).Bind(3, o.error_class).Bind(4, o.message).Bind(5, o.sample);
      up.Bind(6, o.count).Bind(7, o.first_ns).Bind(8, o.last_ns);
      up.Bind(9, o.path).Bind(10, o.endpoint).Bind(11, o.request_id).Bind(12, o.trace_id);
      RETURN_IF_ERROR(up.Run());
    }
    return Status::OK();
  });
}

Result<std::vector<ErrorGroup>> ErrorGroups::List(const ErrorGroupFilter& f) const {
  std::vector<ErrorGroup> out;
  Status s = db_.Locked([&]() -> Status {
    if (db_.read_only()) {
      ASSIGN_OR_RETURN(bool exists, db_.HasTable("error_groups"));
      if (!exists) return Status::OK();
    }
    std::string sql = std::string(kSelect) + " WHERE 1";
    if (!f.tenant.empty()) sql += " AND tenant = ?1";
    if (!f.error_class.empty()) sql += " AND class = ?2";
    if (!f.status.empty()) sql += " AND status = ?3";
    if (f.since_ns) sql += " AND last_seen >= ?4";
    if (f.until_ns) sql += " AND first_seen <= ?5";
    sql += " ORDER BY last_seen DESC, fingerprint";
    if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(sql));
    if (!f.tenant.empty()) st.Bind(1, f.tenant);
    if (!f.error_class.empty()) st.Bind(2, f.error_class);
    if (!f.status.empty()) st.Bind(3, f.status);
    if (f.since_ns) st.Bind(4, *f.since_ns);
    if (f.until_ns) st.Bind(5, *f.until_ns);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(ReadGroup(st));
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  return out;
}

Result<ErrorGroup> ErrorGroups::Get(const std::string& fingerprint) const {
  ErrorGroup g;
  Status s = db_.Locked([&]() -> Status {
    if (db_.read_only()) {
      ASSIGN_OR_RETURN(bool exists, db_.HasTable("error_groups"));
      if (!exists) return Status::NotFound("no error group " + fingerprint);
    }
    ASSIGN_OR_RETURN(std::string fp, Resolve(fingerprint));
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(std::string(kSelect) + " WHERE fingerprint = ?"));
    st.Bind(1, fp);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("no error group " + fingerprint);
    g = ReadGroup(st);
    ASSIGN_OR_RETURN(Statement al, db_.Prepare("SELECT fingerprint FROM error_group_aliases WHERE into_fp = ? ORDER BY 1"));
    al.Bind(1, fp);
    for (;;) {
      ASSIGN_OR_RETURN(bool more, al.Step());
      if (!more) break;
      g.merged.push_back(al.Text(0));
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  return g;
}

Status ErrorGroups::SetStatus(const std::string& fingerprint, const std::string& status, int64_t now_ns) {
  if (status != "resolved" && status != "ignored" && status != "unresolved") {
    return Status::InvalidArgument("status must be resolved, ignored or unresolved; got '" + status + "'");
  }
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::string fp, Resolve(fingerprint));
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "UPDATE error_groups SET status = ?1, resolved_at = CASE WHEN ?1 = 'resolved' THEN ?2 ELSE NULL END, "
        "regressed_at = NULL WHERE fingerprint = ?3"));
    st.Bind(1, status).Bind(2, now_ns).Bind(3, fp);
    RETURN_IF_ERROR(st.Run());
    if (db_.Changes() == 0) return Status::NotFound("no error group " + fingerprint);
    return Status::OK();
  });
}

Status ErrorGroups::Merge(const std::string& into, const std::string& from) {
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::string a, Resolve(into));
    ASSIGN_OR_RETURN(std::string b, Resolve(from));
    if (a == b) return Status::InvalidArgument("both fingerprints name the same group " + a);
    for (const std::string* fp : {&a, &b}) {
      ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT 1 FROM error_groups WHERE fingerprint = ?"));
      st.Bind(1, *fp);
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::NotFound("no error group " + *fp);
    }
    // Fold b's row into a through the same upsert the ingest path uses.
    ASSIGN_OR_RETURN(Statement fold, db_.Prepare(
        "INSERT INTO error_groups(fingerprint, tenant, class, message, sample, count, first_seen, last_seen, "
        "path, endpoint, request_id, trace_id) SELECT ?1, tenant, class, message, sample, count, first_seen, "
        "last_seen, path, endpoint, request_id, trace_id FROM error_groups WHERE fingerprint = ?2 "
        "ON CONFLICT(fingerprint) DO UPDATE SET count = count + excluded.count, "
        "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen), "
        "path = CASE WHEN excluded.last_seen > last_seen THEN excluded.path ELSE path END, "
        "endpoint = CASE WHEN excluded.last_seen > last_seen THEN excluded.endpoint ELSE endpoint END, "
        "request_id = CASE WHEN excluded.last_seen > last_seen THEN excluded.request_id ELSE request_id END, "
        "trace_id = CASE WHEN excluded.last_seen > last_seen THEN excluded.trace_id ELSE trace_id END"));
    fold.Bind(1, a).Bind(2, b);
    RETURN_IF_ERROR(fold.Run());
    ASSIGN_OR_RETURN(Statement del, db_.Prepare("DELETE FROM error_groups WHERE fingerprint = ?"));
    RETURN_IF_ERROR(del.Bind(1, b).Run());
    ASSIGN_OR_RETURN(Statement repoint, db_.Prepare("UPDATE error_group_aliases SET into_fp = ?1 WHERE into_fp = ?2"));
    RETURN_IF_ERROR(repoint.Bind(1, a).Bind(2, b).Run());
    ASSIGN_OR_RETURN(Statement alias, db_.Prepare(
        "INSERT INTO error_group_aliases(fingerprint, into_fp) VALUES(?1, ?2) "
        "ON CONFLICT(fingerprint) DO UPDATE SET into_fp = excluded.into_fp"));
    return alias.Bind(1, b).Bind(2, a).Run();
  });
}

const std::vector<std::string>& ErrorGroups::ColumnNames() {
  static const std::vector<std::string> kNames = {
      "tenant",       "class",    "fingerprint", "message",  "sample",   "count",  "first_seen_at",
      "last_seen_at", "path",     "endpoint",    "request_id", "trace_id", "status"};
  return kNames;
}

const std::vector<std::string>& ErrorGroups::TimeColumns() {
  static const std::vector<std::string> kNames = {"first_seen_at", "last_seen_at", "resolved_at",
                                                  "regressed_at"};
  return kNames;
}

Batch ErrorGroups::ToBatch(const std::vector<ErrorGroup>& groups) {
  BatchBuilder b;
  for (const ErrorGroup& g : groups) {
    b.BeginRow();
    b.AddString("tenant", g.tenant);
    b.AddString("class", g.error_class);
    b.AddString("fingerprint", g.fingerprint);
    b.AddString("message", g.message);
    b.AddString("sample", g.sample);
    b.AddInt("count", g.count);
    b.AddInt("first_seen_at", g.first_seen_ns);
    b.AddInt("last_seen_at", g.last_seen_ns);
    // Absent rather than "" so that ispresent(path) means something.
    for (auto [name, v] : {std::pair{"path", &g.path}, {"endpoint", &g.endpoint},
                           {"request_id", &g.request_id}, {"trace_id", &g.trace_id}}) {
      if (!v->empty()) b.AddString(name, *v);
    }
    b.AddString("status", g.status);
    if (g.resolved_at_ns) b.AddInt("resolved_at", *g.resolved_at_ns);
    if (g.regressed_at_ns) b.AddInt("regressed_at", *g.regressed_at_ns);
    b.EndRow();
  }
  return b.Finish();
}

}  // namespace vigil
