#include "pipeline/error_signature.h"

#include <re2/re2.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "pipeline/message_template.h"

namespace vigil {

Status CompileFingerprintRules(std::vector<FingerprintRule>& rules) {
  for (size_t i = 0; i < rules.size(); ++i) {
    FingerprintRule& r = rules[i];
    if (r.fingerprint.empty()) {
      return Status::InvalidArgument("fingerprint_rules[" + std::to_string(i) + "]: 'fingerprint' is empty");
    }
    auto re = std::make_shared<re2::RE2>(r.match, re2::RE2::Quiet);
    if (!re->ok()) {
      return Status::InvalidArgument("fingerprint_rules[" + std::to_string(i) + "]: bad pattern '" + r.match +
                                     "': " + re->error());
    }
    r.re = std::move(re);
  }
  return Status::OK();
}

std::string Fingerprint(std::string_view tenant, std::string_view error_class,
                        std::string_view template_text) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  const char zero = 0;
  for (std::string_view part : {tenant, error_class, template_text}) {
    XXH3_64bits_update(st, part.data(), part.size());
    XXH3_64bits_update(st, &zero, 1);
  }
  const uint64_t h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

struct ErrorClassifier::Impl {
  const PipelineOptions& options;
  const Column* explicit_class = nullptr;
  const Column* level = nullptr;
  const Column* tenant = nullptr;
  const Column* kind = nullptr;
  const Column* status = nullptr;
  const Column* external = nullptr;
  std::vector<const Column*> messages;
  std::vector<const Column*> stacks;

  static bool Has(const Column* c, size_t row) { return c != nullptr && c->IsValid(row); }

  static std::string_view FirstOf(const std::vector<const Column*>& cols, size_t row) {
    for (const Column* c : cols)
      if (c->IsValid(row) && !c->strs[row].empty()) return c->strs[row];
    return {};
  }

  bool LevelIsError(size_t row) const {
    if (!Has(level, row)) return false;
    std::string_view l = level->strs[row];
    const auto& levels = options.errors.levels;
    return std::find(levels.begin(), levels.end(), l) != levels.end();
  }

  bool IsExternal(size_t row) const {
    return Has(external, row) || (Has(kind, row) && kind->strs[row] == "external");
  }
};

ErrorClassifier::ErrorClassifier(const Batch& b, const PipelineOptions& options)
    : impl_(new Impl{options}) {
  Impl& m = *impl_;
  m.explicit_class = b.Find(options.errors.class_field, Type::kString);
  m.level = b.Find(field::kLevel, Type::kString);
  m.tenant = b.Find(field::kTenant, Type::kString);
  m.kind = b.Find(field::kKind, Type::kString);
  m.status = b.Find("status", Type::kInt);
  m.external = b.Find(options.external_api_field, Type::kString);
  for (const std::string& f : options.errors.message_fields)
    if (const Column* c = b.Find(f, Type::kString)) m.messages.push_back(c);
  for (const std::string& f : options.errors.stack_fields)
    if (const Column* c = b.Find(f, Type::kString)) m.stacks.push_back(c);
}

ErrorClassifier::~ErrorClassifier() = default;

std::optional<std::string_view> ErrorClassifier::ClassOf(size_t row) const {
  const Impl& m = *impl_;
  if (!m.options.errors.enabled) return std::nullopt;
  if (Impl::Has(m.explicit_class, row) && !m.explicit_class->strs[row].empty()) {
    return m.explicit_class->strs[row];
  }
  if (!m.LevelIsError(row)) return std::nullopt;
  if (m.IsExternal(row)) return std::string_view("ErrAPI");
  if (Impl::Has(m.status, row) && m.status->ints[row] >= 400 && m.status->ints[row] < 500) {
    return std::string_view("Err400");
  }
  return std::string_view("Errors");
}

std::optional<ErrorSignature> ErrorClassifier::SignatureOf(size_t row) const {
  std::optional<std::string_view> cls = ClassOf(row);
  if (!cls) return std::nullopt;
  const Impl& m = *impl_;
  ErrorSignature sig;
  sig.error_class = std::string(*cls);
  if (Impl::Has(m.tenant, row)) sig.tenant = std::string(m.tenant->strs[row]);
  std::string_view message = Impl::FirstOf(m.messages, row);
  std::string_view stack = Impl::FirstOf(m.stacks, row);
  sig.sample = std::string(message.empty() ? stack.substr(0, 2048) : message.substr(0, 2048));
  for (const FingerprintRule& r : m.options.errors.rules) {
    if (r.re && re2::RE2::PartialMatch(re2::StringPiece(message.data(), message.size()), *r.re)) {
      sig.template_text = r.fingerprint;
      break;
    }
  }
  if (sig.template_text.empty()) {
    if (!stack.empty()) sig.template_text = StackSignature(stack);
    if (sig.template_text.empty() && HasPythonTraceback(message)) sig.template_text = StackSignature(message);
    if (sig.template_text.empty()) sig.template_text = MessageTemplate(message);
  }
  sig.fingerprint = Fingerprint(sig.tenant, sig.error_class, sig.template_text);
  return sig;
}

}  // namespace vigil
