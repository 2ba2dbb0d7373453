#include "cli/query_command.h"

#include <chrono>
#include <cstdio>
#include <simdjson.h>

#include "cli/http_client.h"
#include "cli/modules.h"
#include "core/json_render.h"
#include "server/time_arg.h"
#include "store/store.h"

namespace vigil {

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<ResultTable> FromServer(const QueryCommandOptions& o) {
  ASSIGN_OR_RETURN(auto client, HttpClient::Create(o.server));
  std::string body = "{\"query\":";
  AppendJsonString(o.query, &body);
  if (!o.start.empty()) {
    body += ",\"start\":";
    AppendJsonString(o.start, &body);
  }
  if (!o.end.empty()) {
    body += ",\"end\":";
    AppendJsonString(o.end, &body);
  }
  if (o.limit) body += ",\"limit\":" + std::to_string(*o.limit);
  body += "}";
  std::vector<std::pair<std::string, std::string>> headers;
  if (!o.key.empty()) headers.emplace_back("Authorization", "Bearer " + o.key);
  ASSIGN_OR_RETURN(HttpReply reply, client->Post("/api/v1/query", "application/json", body, headers));
  if (reply.status != 200) {
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    std::string_view msg = reply.body;
    std::string_view m;
    if (!p.parse(reply.body).get(doc) && !doc["error"]["message"].get(m)) msg = m;
    return Status::InvalidArgument(std::string(msg));
  }
  return TableFromJson(reply.body);
}

Result<ResultTable> FromDataDir(const QueryCommandOptions& o) {
  int64_t now = NowNs();
  QueryRequest req;
  req.text = o.query;
  req.now_ns = now;
  if (o.limit) req.max_rows = *o.limit;
  if (!o.start.empty()) {
    ASSIGN_OR_RETURN(req.start_ns, ParseTimeArg(o.start, now));
  }
  if (!o.end.empty()) {
    ASSIGN_OR_RETURN(req.end_ns, ParseTimeArg(o.end, now));
  }
  EmbeddedOptions eo;
  eo.dir = o.data_dir;
  eo.read_only = true;
  eo.background = false;
  auto store = OpenEmbeddedStore(eo);
  if (!store.ok()) return Status::Unavailable(store.status().message());
  query::ViewRegistry views;
  ASSIGN_OR_RETURN(auto modules, BuildOfflineModules(**store, o.data_dir, views));
  QueryOptions qo;
  qo.views = &views;
  ASSIGN_OR_RETURN(QueryResult r, RunQuery(**store, req, qo));
  return TableFromResult(r);
}

}  // namespace

// The plan is the same whichever way the query would run, so it is built locally.
int Explain(const QueryCommandOptions& o) {
  int64_t now = NowNs();
  QueryRequest req;
  req.text = o.query;
  req.now_ns = now;
  if (o.limit) req.max_rows = *o.limit;
  for (auto [text, field] : {std::pair{&o.start, &req.start_ns}, std::pair{&o.end, &req.end_ns}}) {
    if (text->empty()) continue;
    auto t = ParseTimeArg(*text, now);
    if (!t.ok()) {
      std::fprintf(stderr, "query: %s\n", t.status().message().c_str());
      return 1;
    }
    *field = *t;
  }
  auto plan = ExplainQuery(req);
  if (!plan.ok()) {
    std::fprintf(stderr, "query: %s\n", plan.status().message().c_str());
    return 1;
  }
  std::printf("%s\n", plan->c_str());
  return 0;
}

int RunQueryCommand(const QueryCommandOptions& o) {
  if (o.explain) return Explain(o);
  auto t = o.data_dir.empty() ? FromServer(o) : FromDataDir(o);
  if (!t.ok()) {
    std::fprintf(stderr, "query: %s\n", t.status().message().c_str());
    return t.status().code() == Code::kInvalidArgument ? 1 : 2;
  }
  PrintResultTable(*t, o.format, stdout);
  if (!o.quiet && !t->summary.empty()) std::fprintf(stderr, "%s\n", t->summary.c_str());
  return 0;
}

}  // namespace vigil
