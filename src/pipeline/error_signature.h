// Error-like events, their class and their fingerprint (DESIGN.md section 5).
//
// An event is error-like when it carries an explicit class (ErrorOptions::class_field) or
// its @level is one of ErrorOptions::levels. Its class is the explicit one, or else
// derived: an Int `status` 400-499 -> Err400; an external-API call -> ErrAPI; otherwise
// Errors. Its template is the stack signature when a stack trace is present, else the
// message's template (message_template.h), unless a fingerprint rule matches the raw
// message. The fingerprint is 16 hex digits of a hash of (tenant, class, template).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/batch.h"
#include "pipeline/normalize.h"

namespace vigil {

struct ErrorSignature {
  std::string error_class;
  std::string tenant;       // "" when the event has none
  std::string template_text;
  std::string sample;       // the raw message (or the stack's exception line)
  std::string fingerprint;
};

// Reads the fields ErrorOf needs from one batch, once.
class ErrorClassifier {
 public:
  // REQUIRES: `batch` has been normalized (@level, @tenant, @kind); `batch` and `options`
  // outlive the classifier. Rules not compiled (CompileFingerprintRules) are skipped.
  ErrorClassifier(const Batch& batch, const PipelineOptions& options);
  ~ErrorClassifier();

  // Only the class (cheap); nullopt for an event that is not error-like.
  std::optional<std::string_view> ClassOf(size_t row) const;
  // The whole signature; nullopt for an event that is not error-like.
  std::optional<ErrorSignature> SignatureOf(size_t row) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The fingerprint of a (tenant, class, template) triple.
std::string Fingerprint(std::string_view tenant, std::string_view error_class,
                        std::string_view template_text);

}  // namespace vigil
