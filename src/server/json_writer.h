// JsonWriter: builds JSON text by hand for API responses (simdjson only parses).
//
// Strings go through core's AppendJsonString, so the output is valid UTF-8 even when a
// stored event holds invalid bytes (each becomes U+FFFD); doubles through
// AppendJsonDouble (non-finite ones become null). The writer inserts commas itself:
//   JsonWriter w; w.BeginObject(); w.Key("n"); w.Int(1); w.EndObject(); w.str() == {"n":1}
// Thread-safety: none; one writer per response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"

namespace vigil {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // REQUIRES: inside an object, and the previous call was not Key().
  void Key(std::string_view k);
  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Double(double v);
  void Bool(bool v);
  void Null();
  // A Value as a JSON scalar (null for a null Value).
  void Scalar(const Value& v);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace vigil
