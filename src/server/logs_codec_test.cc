#include "server/logs_codec.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(LogsContentTypeTest, Accepted) {
  EXPECT_TRUE(CheckLogsContentType(std::nullopt).ok());
  for (const char* t : {"application/x-ndjson", "application/jsonl", "application/json",
                        "application/x-jsonlines", "text/plain", "Application/JSON",
                        "application/json; charset=utf-8", " text/plain ;charset=x", ""}) {
    EXPECT_TRUE(CheckLogsContentType(std::string_view(t)).ok()) << t;
  }
}

TEST(LogsContentTypeTest, RejectedNamesTheAcceptedTypes) {
  for (const char* t :
       {"application/xml", "multipart/form-data; boundary=x", "text/csv", "application/jsonx"}) {
    Status st = CheckLogsContentType(std::string_view(t));
    EXPECT_EQ(st.code(), Code::kUnsupported) << t;
    EXPECT_NE(st.message().find("application/x-ndjson"), std::string::npos) << st.message();
  }
}

TEST(RenderIngestResultTest, Shape) {
  EXPECT_EQ(RenderIngestResult(3, {}), R"({"accepted":3,"rejected":[],"rejected_count":0})");
  EXPECT_EQ(RenderIngestResult(1, {{2, "invalid JSON at byte 3: \"x\""}}),
            R"({"accepted":1,"rejected":[{"index":2,"reason":"invalid JSON at byte 3: \"x\""}],)"
            R"("rejected_count":1})");
}

TEST(RenderIngestResultTest, ListIsCapped) {
  std::vector<LineRejection> many(kMaxListedRejections + 5, LineRejection{0, "r"});
  const std::string json = RenderIngestResult(0, many);
  size_t listed = 0;
  for (size_t pos = 0; (pos = json.find("\"index\"", pos)) != std::string::npos; ++pos) ++listed;
  EXPECT_EQ(listed, kMaxListedRejections);
  EXPECT_NE(json.find("\"rejected_count\":1005"), std::string::npos);
}

}  // namespace
}  // namespace vigil
