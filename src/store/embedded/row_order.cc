#include "store/embedded/row_order.h"

namespace vigil {

void RowAppender::SetSource(size_t slot, const Batch& src) {
  if (maps_.size() <= slot) maps_.resize(slot + 1);
  for (const Column& sc : src.columns) {
    if (out_->Find(sc.name, sc.type) != nullptr) continue;
    Column& c = out_->columns.emplace_back();
    c.name = sc.name;
    c.type = sc.type;
    for (size_t i = 0; i < out_->rows; ++i) c.AppendNull();
    for (auto& m : maps_) m.push_back(nullptr);
  }
  std::vector<const Column*>& map = maps_[slot];
  map.assign(out_->columns.size(), nullptr);
  for (size_t i = 0; i < out_->columns.size(); ++i)
    map[i] = src.Find(out_->columns[i].name, out_->columns[i].type);
}

void RowAppender::Append(size_t slot, size_t row) {
  const std::vector<const Column*>& map = maps_[slot];
  for (size_t i = 0; i < map.size(); ++i) {
    if (map[i]) {
      out_->columns[i].AppendFrom(*map[i], row);
    } else {
      out_->columns[i].AppendNull();
    }
  }
  ++out_->rows;
}

void RowAppender::AppendRefs(const std::vector<Ref>& refs) {
  for (size_t i = 0; i < out_->columns.size(); ++i) {
    Column& dst = out_->columns[i];
    dst.valid.reserve(dst.valid.size() + refs.size());
    for (const Ref& r : refs) {
      const Column* src = maps_[r.slot][i];
      if (src == nullptr) {
        dst.AppendNull();
      } else {
        dst.AppendFrom(*src, r.row);
      }
    }
  }
  out_->rows += refs.size();
}

void RowAppender::ClearRows() {
  for (Column& c : out_->columns) {
    c.valid.clear();
    c.ints.clear();
    c.floats.clear();
    c.strs.clear();
  }
  out_->rows = 0;
}

}  // namespace vigil
