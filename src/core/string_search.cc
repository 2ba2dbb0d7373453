#include "core/string_search.h"

#include <cstring>

namespace vigil {
namespace {

bool Contains(std::string_view s, std::string_view needle) {
  return memmem(s.data(), s.size(), needle.data(), needle.size()) != nullptr;
}

void SearchBuffer(const Column& c, const std::vector<uint32_t>& in, std::string_view needle,
                  std::vector<uint32_t>* out) {
  const char* end = c.strs.ContiguousData().data() + c.strs.ContiguousData().size();
  const char* from = c.strs.ContiguousData().data();
  size_t k = 0;
  while (k < in.size()) {
    const void* hit = memmem(from, static_cast<size_t>(end - from), needle.data(), needle.size());
    if (hit == nullptr) return;
    const char* h = static_cast<const char*>(hit);
    // Skip the selected rows that end before the hit could.
    while (k < in.size()) {
      const std::string_view s = c.strs[in[k]];
      if (s.data() + s.size() >= h + needle.size() || s.data() > h) break;
      ++k;
    }
    if (k == in.size()) return;
    const std::string_view s = c.strs[in[k]];
    if (s.data() > h) {  // the hit is in a row not selected: search on from this row
      from = s.data();
      continue;
    }
    if (c.valid[in[k]] && h + needle.size() <= s.data() + s.size()) out->push_back(in[k]);
    // Either this row matched, or the hit starting in it runs past its end (then no
    // later hit fits in it either): go on with the next selected row.
    from = s.data() + s.size();
    ++k;
  }
}

}  // namespace

void SelectContaining(const Column& c, const std::vector<uint32_t>& rows, std::string_view needle,
                      std::vector<uint32_t>* out) {
  if (c.type != Type::kString) return;
  if (const uint32_t* codes = c.strs.codes()) {  // test each dictionary entry once
    std::vector<uint8_t> hit(c.strs.dict_size());
    for (size_t k = 0; k < hit.size(); ++k) hit[k] = Contains(c.strs.dict_entry(k), needle);
    for (uint32_t r : rows)
      if (c.valid[r] && codes[r] != StringVec::kNoCode && hit[codes[r]]) out->push_back(r);
    return;
  }
  if (!needle.empty() && c.strs.contiguous() && rows.size() * 4 >= c.strs.size())
    return SearchBuffer(c, rows, needle, out);
  for (uint32_t r : rows)
    if (c.valid[r] && Contains(c.strs[r], needle)) out->push_back(r);
}

}  // namespace vigil
