// Runs tests/queries/*.test over tests/queries/events.jsonl. Those expectations are
// computed independently of this code by tests/queries/gen_expected.py (plain Python
// from the rules in docs/query.md), so this test never rewrites them: a difference is
// either a bug here or a disagreement with the documented semantics.
#include <charconv>
#include <cstring>

#include "query/golden_runner.h"

namespace vigil::query {
namespace {

const std::filesystem::path kDir =
    std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "tests" / "queries";

// A small JSON reader for the flat (or nested-object) event lines of events.jsonl:
// nested keys are joined with '.', numbers with '.' or 'e' are Float, null is absent.
class JsonLine {
 public:
  JsonLine(std::string_view text, BatchBuilder* b) : s_(text), b_(b) {}

  bool Parse() {
    b_->BeginRow();
    const bool ok = Object("") && (Skip(), i_ == s_.size());
    if (ok) b_->EndRow();
    return ok;
  }

 private:
  void Skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool Eat(char c) {
    Skip();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool Object(const std::string& prefix) {
    if (!Eat('{')) return false;
    if (Eat('}')) return true;
    do {
      std::string key;
      if ((Skip(), !String(&key)) || !Eat(':')) return false;
      if (!Value(prefix + key)) return false;
    } while (Eat(','));
    return Eat('}');
  }
  bool String(std::string* out) {
    if (i_ >= s_.size() || s_[i_] != '"') return false;
    for (++i_; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (c == '"') return ++i_, true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (++i_ >= s_.size()) return false;
      switch (s_[i_]) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'u': return false;  // not used by the event set
        default: out->push_back(s_[i_]);
      }
    }
    return false;
  }
  bool Value(const std::string& key) {
    Skip();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') return Object(key + ".");
    if (c == '"') {
      std::string v;
      if (!String(&v)) return false;
      if (key == field::kTimestamp) {
        b_->AddInt(key, ParseTimestampString(v).value());
      } else {
        b_->AddString(key, v);
      }
      return true;
    }
    for (auto [word, kind] : {std::pair{"true", 1}, {"false", 0}, {"null", 2}}) {
      if (s_.substr(i_, std::strlen(word)) != word) continue;
      i_ += std::strlen(word);
      if (kind != 2) b_->AddBool(key, kind == 1);
      return true;
    }
    return Number(key);
  }
  bool Number(const std::string& key) {
    size_t end = i_;
    while (end < s_.size() && std::string_view("+-0123456789.eE").find(s_[end]) != std::string_view::npos) ++end;
    const std::string_view num = s_.substr(i_, end - i_);
    if (num.find_first_of(".eE") != std::string_view::npos) {
      double d = 0;
      if (std::from_chars(num.data(), num.data() + num.size(), d).ec != std::errc()) return false;
      b_->AddFloat(key, d);
    } else {
      int64_t v = 0;
      if (std::from_chars(num.data(), num.data() + num.size(), v).ec != std::errc()) return false;
      b_->AddInt(key, v);
    }
    i_ = end;
    return !num.empty();
  }

  std::string_view s_;
  BatchBuilder* b_;
  size_t i_ = 0;
};

Batch LoadEvents() {
  std::ifstream in(kDir / "events.jsonl");
  BatchBuilder b;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    EXPECT_TRUE(JsonLine(line, &b).Parse()) << "events.jsonl:" << n;
  }
  return b.Finish();
}

TEST(GoldenJsonlTest, IndependentExpectations) {
  const Batch events = LoadEvents();
  ASSERT_EQ(events.rows, 60u);
  const int64_t now = test_util::Iso("2024-05-01T13:00:00Z");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    if (entry.path().extension() != ".test") continue;
    SCOPED_TRACE(entry.path().filename().string());
    golden::RunFile(entry.path(), events, now, /*may_update=*/false);
    ++files;
  }
  EXPECT_GE(files, 6);
}

}  // namespace
}  // namespace vigil::query
