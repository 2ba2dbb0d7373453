#include "server/json_writer.h"

#include "core/json_render.h"

namespace vigil {

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;
  if (!first_.back()) out_.push_back(',');
  first_.back() = false;
}

void JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
  first_.push_back(true);
}

void JsonWriter::EndObject() {
  out_.push_back('}');
  first_.pop_back();
}

void JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
  first_.push_back(true);
}

void JsonWriter::EndArray() {
  out_.push_back(']');
  first_.pop_back();
}

void JsonWriter::Key(std::string_view k) {
  Separate();
  AppendJsonString(k, &out_);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  Separate();
  AppendJsonString(s, &out_);
}

void JsonWriter::Int(int64_t v) {
  Separate();
  out_.append(std::to_string(v));
}

void JsonWriter::Uint(uint64_t v) {
  Separate();
  out_.append(std::to_string(v));
}

void JsonWriter::Double(double v) {
  Separate();
  AppendJsonDouble(v, &out_);
}

void JsonWriter::Bool(bool v) {
  Separate();
  out_.append(v ? "true" : "false");
}

void JsonWriter::Null() {
  Separate();
  out_.append("null");
}

void JsonWriter::Scalar(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      Null();
      break;
    case Type::kBool:
      Bool(std::get<bool>(v.v));
      break;
    case Type::kInt:
      Int(std::get<int64_t>(v.v));
      break;
    case Type::kFloat:
      Double(std::get<double>(v.v));
      break;
    case Type::kString:
      String(std::get<std::string>(v.v));
      break;
  }
}

}  // namespace vigil
