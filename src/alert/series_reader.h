// Reads a rule query's result as series: one number per (period, group).
//
// The value is the column named `value`, else the last column. The bin is the first time
// column (binned rules; `bin()` results are times). Every other column that is not a
// time is a group key: its values (as text; null as "") are the instance's labels, and
// the instance id is `key=value` pairs joined by ",", in key order ("" without keys).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "query/query.h"

namespace vigil::alert {

struct SeriesRow {
  int64_t bin = 0;  // binned: the period's start; windowed: 0
  std::string instance;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct SeriesTable {
  bool grouped = false;  // the result has group-key columns
  std::vector<SeriesRow> rows;  // rows whose value is a number (others are missing data)
};

// InvalidArgument when a binned rule's result has no time column, or the value column is
// the time column.
Result<SeriesTable> ReadSeries(const QueryResult& result, bool binned);

// The instance id of `labels` (see above); ',', '=' and '\' inside are escaped with '\'.
std::string InstanceId(const std::map<std::string, std::string>& labels);

}  // namespace vigil::alert
