// NormalizeBatch (normalize.h). Level rules:
//   - the first of `level`, `severity`, `levelname` present on the event decides; when
//     its value cannot be mapped the event gets no @level (later fields are not tried,
//     so @level never disagrees with the field a reader sees first);
//   - names, case-insensitively: trace; debug; info, information, notice; warn,
//     warning; error, err; fatal, critical, crit, emergency, emerg, alert, panic;
//   - numbers are OpenTelemetry SeverityNumbers (1-4 TRACE, 5-8 DEBUG, 9-12 INFO,
//     13-16 WARN, 17-20 ERROR, 21-24 FATAL), except `severity` 0-7, which is read as
//     syslog (0-2 FATAL, 3 ERROR, 4 WARN, 5-6 INFO, 7 DEBUG): that is what a numeric
//     field of that name carries in syslog-derived events. Non-integral numbers map to
//     nothing.
// An event that already has a String @level, @tenant or @kind (e.g. set by an adapter)
// keeps it. Work is column-wise: one pass over the rows builds each new column.
#include "pipeline/normalize.h"

#include <array>
#include <cmath>
#include <string_view>

#include "pipeline/error_signature.h"

namespace vigil {

namespace {

constexpr std::array<std::string_view, 6> kLevelNames = {"TRACE", "DEBUG", "INFO",
                                                         "WARN",  "ERROR", "FATAL"};
enum Level : int { kNone = -1, kTrace, kDebug, kInfo, kWarn, kError, kFatal };

struct LevelAlias {
  std::string_view name;  // lower case
  Level level;
};
constexpr LevelAlias kAliases[] = {
    {"trace", kTrace},   {"debug", kDebug},       {"info", kInfo},  {"information", kInfo},
    {"notice", kInfo},   {"warn", kWarn},         {"warning", kWarn}, {"error", kError},
    {"err", kError},     {"fatal", kFatal},       {"critical", kFatal}, {"crit", kFatal},
    {"emergency", kFatal}, {"emerg", kFatal},     {"alert", kFatal}, {"panic", kFatal},
};

Level LevelFromName(std::string_view s) {
  char lower[16];
  if (s.size() > sizeof lower) return kNone;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view key(lower, s.size());
  for (const LevelAlias& a : kAliases)
    if (a.name == key) return a.level;
  return kNone;
}

Level LevelFromNumber(double v, bool syslog) {
  if (v != std::floor(v)) return kNone;
  if (syslog && v >= 0 && v <= 7) {
    static constexpr Level kSyslog[8] = {kFatal, kFatal, kFatal, kError,
                                         kWarn,  kInfo,  kInfo,  kDebug};
    return kSyslog[static_cast<int>(v)];
  }
  if (v >= 1 && v <= 24) return static_cast<Level>((static_cast<int>(v) - 1) / 4);
  return kNone;
}

// The typed columns of one source field, any of which may be absent.
struct FieldColumns {
  const Column* str = nullptr;
  const Column* integer = nullptr;
  const Column* real = nullptr;
  const Column* boolean = nullptr;
  bool syslog = false;

  static bool Has(const Column* c, size_t row) { return c != nullptr && c->IsValid(row); }
  bool Present(size_t row) const {
    return Has(str, row) || Has(integer, row) || Has(real, row) || Has(boolean, row);
  }
};

FieldColumns ColumnsOf(const Batch& b, std::string_view name) {
  FieldColumns f;
  f.str = b.Find(name, Type::kString);
  f.integer = b.Find(name, Type::kInt);
  f.real = b.Find(name, Type::kFloat);
  f.boolean = b.Find(name, Type::kBool);
  f.syslog = name == "severity";
  return f;
}

// Maps one present field; repeated level strings (the norm) skip the table scan.
class LevelMapper {
 public:
  Level Map(const FieldColumns& f, size_t row) {
    if (FieldColumns::Has(f.str, row)) {
      std::string_view s = f.str->strs[row];
      if (s != last_name_) {
        last_name_ = s;
        last_level_ = LevelFromName(s);
      }
      return last_level_;
    }
    if (FieldColumns::Has(f.integer, row))
      return LevelFromNumber(static_cast<double>(f.integer->ints[row]), f.syslog);
    if (FieldColumns::Has(f.real, row)) return LevelFromNumber(f.real->floats[row], f.syslog);
    return kNone;
  }

 private:
  std::string_view last_name_;
  Level last_level_ = kNone;
};

Column NewStringColumn(std::string_view name, size_t rows) {
  Column c;
  c.name = std::string(name);
  c.type = Type::kString;
  c.valid.reserve(rows);
  c.strs.reserve(rows, rows * 8);
  return c;
}

bool AnyValid(const Column& c) {
  for (uint8_t v : c.valid)
    if (v) return true;
  return false;
}

Column BuildLevel(const Batch& b, const Column* existing) {
  std::array<FieldColumns, 3> sources = {ColumnsOf(b, "level"), ColumnsOf(b, "severity"),
                                         ColumnsOf(b, "levelname")};
  LevelMapper mapper;
  Column out = NewStringColumn(field::kLevel, b.rows);
  for (size_t row = 0; row < b.rows; ++row) {
    if (FieldColumns::Has(existing, row)) {
      out.AppendString(existing->strs[row]);
      continue;
    }
    Level level = kNone;
    for (const FieldColumns& f : sources) {
      if (!f.Present(row)) continue;
      level = mapper.Map(f, row);
      break;
    }
    if (level == kNone) {
      out.AppendNull();
    } else {
      out.AppendString(kLevelNames[level]);
    }
  }
  return out;
}

Column BuildTenant(const Batch& b, const Column* existing, const PipelineOptions& options) {
  std::vector<const Column*> sources;
  for (const std::string& name : options.tenant_fields)
    if (const Column* c = b.Find(name, Type::kString)) sources.push_back(c);
  Column out = NewStringColumn(field::kTenant, b.rows);
  for (size_t row = 0; row < b.rows; ++row) {
    const Column* from = FieldColumns::Has(existing, row) ? existing : nullptr;
    for (size_t i = 0; from == nullptr && i < sources.size(); ++i)
      if (sources[i]->IsValid(row)) from = sources[i];
    if (from == nullptr) {
      out.AppendNull();
    } else {
      out.AppendString(from->strs[row]);
    }
  }
  return out;
}

Column BuildKind(const Batch& b, const Column* existing, const PipelineOptions& options) {
  const Column* cron = b.Find(options.cron_job_field, Type::kString);
  const Column* external = b.Find(options.external_api_field, Type::kString);
  Column out = NewStringColumn(field::kKind, b.rows);
  for (size_t row = 0; row < b.rows; ++row) {
    if (FieldColumns::Has(existing, row)) {
      out.AppendString(existing->strs[row]);
    } else if (FieldColumns::Has(cron, row)) {
      out.AppendString("cron");
    } else if (FieldColumns::Has(external, row)) {
      out.AppendString("external");
    } else {
      out.AppendString("log");
    }
  }
  return out;
}

// @error_class and @fingerprint of error-like events (error_signature.h).
void BuildErrorColumns(const Batch& b, const PipelineOptions& options, Column* cls, Column* fp) {
  *cls = NewStringColumn(field::kErrorClass, b.rows);
  *fp = NewStringColumn(field::kFingerprint, b.rows);
  if (!options.errors.enabled) return;
  ErrorClassifier classifier(b, options);
  for (size_t row = 0; row < b.rows; ++row) {
    std::optional<ErrorSignature> sig = classifier.SignatureOf(row);
    if (!sig) {
      cls->AppendNull();
      fp->AppendNull();
      continue;
    }
    cls->AppendString(sig->error_class);
    fp->AppendString(sig->fingerprint);
  }
}

// A numeric field of one row, Int or Float; NaN when absent.
struct Numeric {
  const Column* i;
  const Column* f;
  Numeric(const Batch& b, std::string_view name)
      : i(b.Find(name, Type::kInt)), f(b.Find(name, Type::kFloat)) {}
  double At(size_t row) const {
    if (i != nullptr && i->IsValid(row)) return static_cast<double>(i->ints[row]);
    if (f != nullptr && f->IsValid(row)) return f->floats[row];
    return std::nan("");
  }
  bool Exists() const { return i != nullptr || f != nullptr; }
};

const char* Diagnose(double duration, double queries, double query_ms, const DiagnosisOptions& o) {
  if (queries >= o.n_plus_one_queries) return "n_plus_one";
  if (query_ms >= o.slow_query_total_ms) return "slow_queries";
  const double share = duration > 0 ? query_ms / duration : 0;
  if (duration >= o.slow_duration_ms && share < o.python_db_share) return "python_bound";
  return "ok";
}

Column BuildDiagnosis(const Batch& b, const DiagnosisOptions& options) {
  Column out = NewStringColumn(field::kDiagnosis, b.rows);
  Numeric duration(b, "duration_ms"), queries(b, "query_count"), query_ms(b, "query_total_ms");
  const bool possible = options.enabled && duration.Exists() && queries.Exists() && query_ms.Exists();
  for (size_t row = 0; row < b.rows; ++row) {
    const double d = possible ? duration.At(row) : std::nan("");
    const double q = possible ? queries.At(row) : std::nan("");
    const double qm = possible ? query_ms.At(row) : std::nan("");
    if (std::isnan(d) || std::isnan(q) || std::isnan(qm)) {
      out.AppendNull();
    } else {
      out.AppendString(Diagnose(d, q, qm, options));
    }
  }
  return out;
}

// Replaces the column of the same name and type, or adds `c` if it has any value.
void Install(Batch& b, Column&& c) {
  for (Column& old : b.columns) {
    if (old.type == c.type && old.name == c.name) {
      old = std::move(c);
      return;
    }
  }
  if (AnyValid(c)) b.columns.push_back(std::move(c));
}

}  // namespace

void NormalizeBatch(Batch& batch, const PipelineOptions& options) {
  // Build everything first: Install may grow batch.columns and move the sources.
  Column level = BuildLevel(batch, batch.Find(field::kLevel, Type::kString));
  Column tenant = BuildTenant(batch, batch.Find(field::kTenant, Type::kString), options);
  Column kind = BuildKind(batch, batch.Find(field::kKind, Type::kString), options);
  Install(batch, std::move(level));
  Install(batch, std::move(tenant));
  Install(batch, std::move(kind));
  // Derived from the normalized fields above.
  Column cls, fp;
  BuildErrorColumns(batch, options, &cls, &fp);
  Column diagnosis = BuildDiagnosis(batch, options.diagnosis);
  Install(batch, std::move(cls));
  Install(batch, std::move(fp));
  Install(batch, std::move(diagnosis));
}

}  // namespace vigil
