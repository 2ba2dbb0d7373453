// libFuzzer target for the query front ends: lexer, both parsers, binder and planner.
// Any input must give a plan or an InvalidArgument with a position -- never a crash,
// a hang or a sanitizer report.
//
// Build (clang; not part of the default CMake build, which skips *_fuzz.cc):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     src/query/parser_fuzz.cc src/query/*.cc src/core/*.cc src/store/*.cc ... -lre2 -lxxhash
// Run:  ./parser_fuzz -max_total_time=600 corpus/   (seed the corpus with queries from
// src/query/testdata/*.test and tests/queries/*.test)
// query_tests runs the same checks on 100k deterministic random inputs
// (parser_random_test.cc).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/parser.h"
#include "query/planner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::Result<vigil::query::QueryAst> ast = vigil::query::ParseQuery(text);
  if (!ast.ok()) {
    if (ast.status().code() != vigil::Code::kInvalidArgument) std::abort();
    return 0;
  }
  vigil::QueryRequest req;
  req.text = std::string(text);
  auto plan = vigil::query::BuildPlan(std::move(ast).value(), req, 1'714'564'800'000'000'000,
                                      vigil::query::PlannerOptions{});
  if (!plan.ok() && plan.status().code() != vigil::Code::kInvalidArgument) std::abort();
  if (plan.ok()) (void)plan->ToString();
  return 0;
}
