#include "core/string_search.h"

#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {

const char* FindSubstring(const char* begin, const char* end, std::string_view needle) {
  const size_t n = needle.size();
  if (n == 0) return begin;
  if (static_cast<size_t>(end - begin) < n) return nullptr;
#if defined(__SSE2__)
  if (n >= 2) {
    const __m128i first = _mm_set1_epi8(needle[0]);
    const __m128i last = _mm_set1_epi8(needle[n - 1]);
    const char* p = begin;
    // Positions p .. p+15 are candidates while p + 15 + n <= end (the last load ends there).
    for (; end - p >= static_cast<std::ptrdiff_t>(n + 15); p += 16) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 1));
      unsigned mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
      while (mask != 0) {
        const int k = __builtin_ctz(mask);
        if (std::memcmp(p + k + 1, needle.data() + 1, n - 2) == 0) return p + k;
        mask &= mask - 1;
      }
    }
    const void* hit = memmem(p, static_cast<size_t>(end - p), needle.data(), n);
    return static_cast<const char*>(hit);
  }
#endif
  const void* hit = memmem(begin, static_cast<size_t>(end - begin), needle.data(), n);
  return static_cast<const char*>(hit);
}

namespace {

bool Contains(std::string_view s, std::string_view needle) {
  return FindSubstring(s.data(), s.data() + s.size(), needle) != nullptr;
}

void SearchBuffer(const Column& c, const std::vector<uint32_t>& in, std::string_view needle,
                  std::vector<uint32_t>* out) {
  const char* end = c.strs.ContiguousData().data() + c.strs.ContiguousData().size();
  const char* from = c.strs.ContiguousData().data();
  size_t k = 0;
  while (k < in.size()) {
    const char* h = FindSubstring(from, end, needle);
    if (h == nullptr) return;
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
  if (!needle.empty() && c.strs.ordered() && rows.size() * 4 >= c.strs.size())
    return SearchBuffer(c, rows, needle, out);
  for (uint32_t r : rows)
    if (c.valid[r] && Contains(c.strs[r], needle)) out->push_back(r);
}

}  // namespace vigil
