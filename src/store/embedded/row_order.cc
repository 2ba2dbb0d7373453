#include "store/embedded/row_order.h"

namespace vigil {

void RowAppender::SetSource(const Batch& src) {
  for (const Column& sc : src.columns) {
    if (out_->Find(sc.name, sc.type) != nullptr) continue;
    Column& c = out_->columns.emplace_back();
    c.name = sc.name;
    c.type = sc.type;
    for (size_t i = 0; i < out_->rows; ++i) c.AppendNull();
  }
  map_.assign(out_->columns.size(), nullptr);
  for (size_t i = 0; i < out_->columns.size(); ++i)
    map_[i] = src.Find(out_->columns[i].name, out_->columns[i].type);
}

void RowAppender::Append(size_t row) {
  for (size_t i = 0; i < map_.size(); ++i) {
    if (map_[i])
      out_->columns[i].AppendFrom(*map_[i], row);
    else
      out_->columns[i].AppendNull();
  }
  ++out_->rows;
}

}  // namespace vigil
