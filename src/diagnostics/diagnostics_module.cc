#include "diagnostics/diagnostics_module.h"

#include <simdjson.h>

#include <unordered_map>

#include "core/timestamp.h"
#include "diagnostics/error_groups.h"
#include "diagnostics/slow_endpoints.h"
#include "pipeline/error_signature.h"
#include "server/json_writer.h"
#include "server/query_codec.h"
#include "server/time_arg.h"
#include "state/state_db.h"

namespace vigil {

namespace {

constexpr std::string_view kErrorsPrefix = "/api/v1/errors/";

// Aggregates one batch's error events by fingerprint.
std::vector<ErrorOccurrences> CollectOccurrences(const Batch& batch, const PipelineOptions& pipeline) {
  std::vector<ErrorOccurrences> out;
  const Column* fp = batch.Find(field::kFingerprint, Type::kString);
  const Column* ts = batch.Find(field::kTimestamp, Type::kInt);
  if (fp == nullptr || ts == nullptr) return out;
  const Column* latest[4] = {batch.Find("path", Type::kString), batch.Find("endpoint", Type::kString),
                             batch.Find("request_id", Type::kString), batch.Find("trace_id", Type::kString)};
  std::unordered_map<std::string_view, size_t> index;
  std::unique_ptr<ErrorClassifier> classifier;
  for (size_t row = 0; row < batch.rows; ++row) {
    if (!fp->IsValid(row) || !ts->IsValid(row)) continue;
    const int64_t t = ts->ints[row];
    auto [it, added] = index.emplace(fp->strs[row], out.size());
    if (added) {
      if (!classifier) classifier = std::make_unique<ErrorClassifier>(batch, pipeline);
      std::optional<ErrorSignature> sig = classifier->SignatureOf(row);
      ErrorOccurrences o;
      o.fingerprint = std::string(fp->strs[row]);
      if (sig) {
        o.tenant = std::move(sig->tenant);
        o.error_class = std::move(sig->error_class);
        o.message = std::move(sig->template_text);
        o.sample = std::move(sig->sample);
      }
      o.first_ns = o.last_ns = t;
      out.push_back(std::move(o));
    }
    ErrorOccurrences& o = out[it->second];
    ++o.count;
    o.first_ns = std::min(o.first_ns, t);
    if (t < o.last_ns) continue;
    o.last_ns = t;
    std::string* fields[4] = {&o.path, &o.endpoint, &o.request_id, &o.trace_id};
    for (int k = 0; k < 4; ++k) {
      if (latest[k] != nullptr && latest[k]->IsValid(row)) *fields[k] = std::string(latest[k]->strs[row]);
    }
  }
  return out;
}

void WriteGroup(JsonWriter& w, const ErrorGroup& g) {
  w.BeginObject();
  for (auto [k, v] : {std::pair{"fingerprint", &g.fingerprint}, {"tenant", &g.tenant}, {"class", &g.error_class},
                      {"message", &g.message}, {"sample", &g.sample}, {"status", &g.status},
                      {"path", &g.path}, {"endpoint", &g.endpoint}, {"request_id", &g.request_id},
                      {"trace_id", &g.trace_id}}) {
    w.Key(k);
    w.String(*v);
  }
  w.Key("count");
  w.Int(g.count);
  w.Key("first_seen_at");
  w.String(FormatIsoMillis(g.first_seen_ns));
  w.Key("last_seen_at");
  w.String(FormatIsoMillis(g.last_seen_ns));
  for (auto [k, v] : {std::pair{"resolved_at", &g.resolved_at_ns}, {"regressed_at", &g.regressed_at_ns}}) {
    w.Key(k);
    if (*v) {
      w.String(FormatIsoMillis(**v));
    } else {
      w.Null();
    }
  }
  w.Key("merged");
  w.BeginArray();
  for (const std::string& m : g.merged) w.String(m);
  w.EndArray();
  w.EndObject();
}

// `filter @fingerprint in [...]` over the group's fingerprints: its occurrences.
std::string OccurrencesQuery(const ErrorGroup& g) {
  std::string q = "filter @fingerprint in [\"" + g.fingerprint + "\"";
  for (const std::string& m : g.merged) q += ", \"" + m + "\"";
  return q + "]";
}

// The rows of the error-group views: groups of `error_class` ("" = all); with an
// explicit time range, the groups seen in it.
query::TableFn GroupsTable(const ErrorGroups* groups, std::string error_class) {
  return [groups, error_class](const query::TableRequest& r) -> Result<Batch> {
    if (groups == nullptr) return Batch{};
    ErrorGroupFilter f;
    f.error_class = error_class;
    if (r.explicit_range) {
      f.since_ns = r.min_ts;
      f.until_ns = r.max_ts;
    }
    ASSIGN_OR_RETURN(std::vector<ErrorGroup> list, groups->List(f));
    return ErrorGroups::ToBatch(list);
  };
}

class DiagnosticsModule : public ServerModule {
 public:
  DiagnosticsModule(ModuleContext& ctx, std::unique_ptr<StateDb> db, std::unique_ptr<ErrorGroups> groups)
      : ctx_(ctx), pipeline_(ctx.config.pipeline), db_(std::move(db)), groups_(std::move(groups)) {
    pipeline_.tenant_fields = ctx.config.tenant_fields;
    RegisterViews();
  }

  std::function<void()> OnIngest(const Batch& batch) override {
    if (!groups_) return {};
    std::vector<ErrorOccurrences> occ = CollectOccurrences(batch, pipeline_);
    if (occ.empty()) return {};
    return [this, occ = std::move(occ)] {
      if (Status s = groups_->Record(occ); !s.ok()) ctx_.log("error groups not updated: " + s.ToString());
    };
  }

  void RegisterRoutes(Router& router) override {
    if (ctx_.read_only) return;
    const Authenticator& auth = ctx_.auth;
    router.Add("GET", "/api/v1/errors", Guard(auth, Access::kRead, [this](const HttpRequest& r) { return List(r); }));
    router.AddPrefix("GET", std::string(kErrorsPrefix),
                     Guard(auth, Access::kRead, [this](const HttpRequest& r) { return Show(r); }));
    router.AddPrefix("POST", std::string(kErrorsPrefix),
                     Guard(auth, Access::kAdmin, [this](const HttpRequest& r) { return Change(r); }));
    router.Add("POST", "/api/v1/errors/merge",
               Guard(auth, Access::kAdmin, [this](const HttpRequest& r) { return MergeGroups(r); }));
  }

 private:
  void RegisterViews() {
    query::ViewRegistry& views = ctx_.views;
    const ErrorGroups* groups = groups_.get();
    // One table per class, filtered in SQL rather than after reading every group.
    for (auto [name, cls, what] : {std::tuple{"errors", "", "error groups of every class (count, first/last seen, status)"},
                                   {"err_api", "ErrAPI", "error groups: failed calls to third-party APIs"},
                                   {"err_400", "Err400", "error groups: 4xx responses"},
                                   {"errors_general", "Errors", "error groups: general errors"}}) {
      views.Register(query::ViewDef{name, what, "", GroupsTable(groups, cls), ErrorGroups::ColumnNames(),
                                    ErrorGroups::TimeColumns()});
    }
    for (bool by_tenant : {false, true}) {
      views.Register(query::ViewDef{
          by_tenant ? "slow_endpoints_by_tenant" : "slow_endpoints",
          by_tenant ? "slow-page diagnosis per endpoint and tenant" : "slow-page diagnosis per endpoint", "",
          [this, by_tenant](const query::TableRequest& r) {
            return SlowEndpoints(ctx_.store, ctx_.query_options, pipeline_.diagnosis, r, by_tenant);
          },
          SlowEndpointColumns(by_tenant), {}});
    }
  }

  HttpResponse List(const HttpRequest& req) {
    ErrorGroupFilter f;
    for (auto [param, out] : {std::pair{"tenant", &f.tenant}, {"class", &f.error_class}, {"status", &f.status}}) {
      if (auto v = req.Query(param)) *out = std::string(*v);
    }
    const int64_t now = ctx_.now_ns();
    for (auto [param, out] : {std::pair{"since", &f.since_ns}, {"until", &f.until_ns}}) {
      if (auto v = req.Query(param)) {
        Result<int64_t> t = ParseTimeArg(*v, now);
        if (!t.ok()) return HttpResponse::Error(Status::InvalidArgument(std::string(param) + ": " + t.status().message()));
        *out = t.value();
      }
    }
    if (auto v = req.Query("limit")) {
      f.limit = static_cast<size_t>(std::strtoull(std::string(*v).c_str(), nullptr, 10));
      if (f.limit == 0) return HttpResponse::Error(Status::InvalidArgument("limit must be a positive integer"));
    }
    Result<std::vector<ErrorGroup>> list = groups_->List(f);
    if (!list.ok()) return HttpResponse::Error(list.status());
    JsonWriter w;
    w.BeginObject();
    w.Key("groups");
    w.BeginArray();
    for (const ErrorGroup& g : list.value()) WriteGroup(w, g);
    w.EndArray();
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }

  // GET /api/v1/errors/<fp>: the group, its template, and its latest occurrences.
  HttpResponse Show(const HttpRequest& req) {
    std::string fp = req.path.substr(kErrorsPrefix.size());
    if (fp.empty() || fp.find('/') != std::string::npos) {
      return HttpResponse::Error(Status::NotFound("expected /api/v1/errors/<fingerprint>"));
    }
    Result<ErrorGroup> g = groups_->Get(fp);
    if (!g.ok()) return HttpResponse::Error(g.status());
    QueryRequest q;
    q.text = OccurrencesQuery(g.value()) + " | sort @timestamp desc | limit 20";
    q.start_ns = g->first_seen_ns;
    q.end_ns = g->last_seen_ns;
    q.now_ns = ctx_.now_ns();
    Result<QueryResult> occ = RunQuery(ctx_.store, q, ctx_.query_options);
    if (!occ.ok()) return HttpResponse::Error(occ.status());
    JsonWriter w;
    w.BeginObject();
    w.Key("group");
    WriteGroup(w, g.value());
    w.Key("logs_query");
    w.String(OccurrencesQuery(g.value()));
    w.EndObject();
    std::string body = w.Take();
    body.pop_back();  // splice the occurrences (a rendered query result) into the object
    body += ",\"occurrences\":" + RenderQueryResult(occ.value()) + "}";
    return HttpResponse::Json(200, std::move(body));
  }

  // POST /api/v1/errors/<fp>/resolve|ignore|reopen
  HttpResponse Change(const HttpRequest& req) {
    std::string rest = req.path.substr(kErrorsPrefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string::npos) {
      return HttpResponse::Error(Status::NotFound("expected /api/v1/errors/<fingerprint>/resolve|ignore|reopen"));
    }
    std::string fp = rest.substr(0, slash), action = rest.substr(slash + 1);
    std::string status = action == "resolve" ? "resolved" : action == "ignore" ? "ignored"
                         : action == "reopen" ? "unresolved" : "";
    if (status.empty()) {
      return HttpResponse::Error(Status::NotFound("unknown action '" + action + "' (resolve, ignore, reopen)"));
    }
    if (Status s = groups_->SetStatus(fp, status, ctx_.now_ns()); !s.ok()) return HttpResponse::Error(s);
    return GroupResponse(fp);
  }

  // POST /api/v1/errors/merge {"into": fp, "from": fp}
  HttpResponse MergeGroups(const HttpRequest& req) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view into, from;
    if (parser.parse(req.body).get(doc) != simdjson::SUCCESS || doc["into"].get(into) != simdjson::SUCCESS ||
        doc["from"].get(from) != simdjson::SUCCESS) {
      return HttpResponse::Error(Status::InvalidArgument("expected a JSON body {\"into\": \"<fingerprint>\", \"from\": \"<fingerprint>\"}"));
    }
    const std::string target(into);
    if (Status s = groups_->Merge(target, std::string(from)); !s.ok()) return HttpResponse::Error(s);
    return GroupResponse(target);
  }

  HttpResponse GroupResponse(const std::string& fp) {
    Result<ErrorGroup> g = groups_->Get(fp);
    if (!g.ok()) return HttpResponse::Error(g.status());
    JsonWriter w;
    WriteGroup(w, g.value());
    return HttpResponse::Json(200, w.Take());
  }

  ModuleContext& ctx_;
  PipelineOptions pipeline_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<ErrorGroups> groups_;  // null: read-only over a directory without state
};

}  // namespace

Result<std::unique_ptr<ServerModule>> MakeDiagnosticsModule(ModuleContext& ctx) {
  Result<std::unique_ptr<StateDb>> db = StateDb::Open(ctx.state_path, ctx.read_only);
  if (!db.ok() && !(ctx.read_only && db.status().code() == Code::kNotFound)) return db.status();
  std::unique_ptr<ErrorGroups> groups;
  if (db.ok()) {
    ASSIGN_OR_RETURN(groups, ErrorGroups::Open(*db.value()));
  }
  return std::unique_ptr<ServerModule>(new DiagnosticsModule(
      ctx, db.ok() ? std::move(db.value()) : nullptr, std::move(groups)));
}

}  // namespace vigil
