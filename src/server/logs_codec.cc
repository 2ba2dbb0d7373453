#include "server/logs_codec.h"

#include <strings.h>

#include <algorithm>
#include <array>

#include "server/json_writer.h"

namespace vigil {

namespace {

constexpr std::array<std::string_view, 5> kLogsContentTypes = {
    "application/x-ndjson", "application/jsonl", "application/json", "application/x-jsonlines",
    "text/plain"};

}  // namespace

Status CheckLogsContentType(std::optional<std::string_view> content_type) {
  if (!content_type) return Status::OK();
  std::string_view t = content_type->substr(0, content_type->find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty()) return Status::OK();
  for (std::string_view ok : kLogsContentTypes) {
    if (t.size() == ok.size() && strncasecmp(t.data(), ok.data(), t.size()) == 0) {
      return Status::OK();
    }
  }
  std::string accepted;
  for (std::string_view ok : kLogsContentTypes) {
    if (!accepted.empty()) accepted += ", ";
    accepted += ok;
  }
  return Status::Unsupported("unsupported Content-Type \"" + std::string(*content_type) +
                             "\"; send one of: " + accepted);
}

std::string RenderIngestResult(size_t accepted, const std::vector<LineRejection>& rejected) {
  JsonWriter w;
  w.BeginObject();
  w.Key("accepted");
  w.Uint(accepted);
  w.Key("rejected");
  w.BeginArray();
  const size_t listed = std::min(rejected.size(), kMaxListedRejections);
  for (size_t i = 0; i < listed; ++i) {
    w.BeginObject();
    w.Key("index");
    w.Uint(rejected[i].index);
    w.Key("reason");
    w.String(rejected[i].reason);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rejected_count");
  w.Uint(rejected.size());
  w.EndObject();
  return w.Take();
}

}  // namespace vigil
