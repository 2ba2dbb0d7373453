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
  const size_t n = refs.size();
  for (size_t i = 0; i < out_->columns.size(); ++i) {
    Column& dst = out_->columns[i];
    size_t base = dst.valid.size();
    dst.valid.resize(base + n);
    uint8_t* valid = dst.valid.data() + base;
    auto src_of = [&](const Ref& r) { return maps_[r.slot][i]; };
    switch (dst.type) {
      case Type::kBool:
      case Type::kInt: {
        dst.ints.resize(base + n);
        int64_t* out = dst.ints.data() + base;
        for (size_t k = 0; k < n; ++k) {
          const Column* src = src_of(refs[k]);
          valid[k] = src ? src->valid[refs[k].row] : 0;
          out[k] = src ? src->ints[refs[k].row] : 0;
        }
        break;
      }
      case Type::kFloat: {
        dst.floats.resize(base + n);
        double* out = dst.floats.data() + base;
        for (size_t k = 0; k < n; ++k) {
          const Column* src = src_of(refs[k]);
          valid[k] = src ? src->valid[refs[k].row] : 0;
          out[k] = src ? src->floats[refs[k].row] : 0;
        }
        break;
      }
      case Type::kString: {
        size_t bytes = 0;
        for (const Ref& r : refs)
          if (const Column* src = src_of(r)) bytes += src->strs[r.row].size();
        dst.strs.reserve(dst.strs.size() + n, dst.strs.bytes() + bytes);
        for (size_t k = 0; k < n; ++k) {
          const Column* src = src_of(refs[k]);
          valid[k] = src ? src->valid[refs[k].row] : 0;
          dst.strs.push_back(src ? src->strs[refs[k].row] : std::string_view());
        }
        break;
      }
      case Type::kNull: break;
    }
  }
  out_->rows += n;
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
