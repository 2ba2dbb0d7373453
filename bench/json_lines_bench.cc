// ParseJsonLines throughput on lines shaped like bench/gen_logs.py output (request,
// external-API and cron records). Reports bytes/s and lines/s per call of 10k lines.
#include <benchmark/benchmark.h>

#include <string>

#include "ingest/json_lines.h"
#include "pipeline/normalize.h"

namespace vigil {
namespace {

std::string RequestLine(int i) {
  return R"({"timestamp":)" + std::to_string(1767225600000LL + i * 37) +
         R"(,"level":"INFO","logger":"flaskapp","message":"GET /client/case_detail/)" +
         std::to_string(10000 + i % 50000) +
         R"( 200","request_id":"9d33a01c-353c-431c-9fd4-3f37120)" + std::to_string(10000 + i) +
         R"(","trace_id":"1-6955b900-4093f6dea268aa872607679d","endpoint":"client_views.case_detail",)"
         R"("method":"GET","path":"/client/case_detail","status":200,"duration_ms":)" +
         std::to_string(20 + i % 500) + R"(.5,"query_count":)" + std::to_string(i % 30) +
         R"(,"query_total_ms":12.25,"agency_db":"agency_datum_db","user_type":"client"})";
}

std::string OtherLine(int i) {
  if (i % 2)
    return R"({"timestamp":)" + std::to_string(1767225600000LL + i * 37) +
           R"(,"level":"WARNING","logger":"flaskapp","message":"stripe call slow","request_id":"r)" +
           std::to_string(i) +
           R"(","external_api":"stripe","host":"api.stripe.com","latency_ms":812.4,"status":200,)"
           R"("agency_db":"agency_nod_db"})";
  return R"({"timestamp":)" + std::to_string(1767225600000LL + i * 37) +
         R"(,"level":"ERROR","logger":"cron","message":"job sync_email failed","job_name":)"
         R"("sync_email","db_name":"agency_nod_db","status":"failure","duration_ms":1200.5})";
}

std::string Body(int lines) {
  std::string body;
  for (int i = 0; i < lines; ++i) body += (i % 16 ? RequestLine(i) : OtherLine(i)) + "\n";
  return body;
}

void BM_ParseJsonLines(benchmark::State& state) {
  const int lines = static_cast<int>(state.range(0));
  std::string body = Body(lines);
  JsonLinesOptions options;
  options.ingest_time_ns = 1767225600000000000LL;
  options.group = "app";
  for (auto _ : state) {
    auto result = ParseJsonLines(body, options);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * lines);
}
BENCHMARK(BM_ParseJsonLines)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_NormalizeBatch(benchmark::State& state) {
  const int lines = static_cast<int>(state.range(0));
  auto parsed = ParseJsonLines(Body(lines), JsonLinesOptions{});
  for (auto _ : state) {
    state.PauseTiming();
    Batch batch = parsed->batch;
    state.ResumeTiming();
    NormalizeBatch(batch, PipelineOptions{});
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * lines);
}
BENCHMARK(BM_NormalizeBatch)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil
