// Pipeline step applied to every ingested batch before it is stored.
#pragma once

#include <string>
#include <vector>

#include "core/batch.h"

namespace vigil {

struct PipelineOptions {
  // @tenant is copied from the first of these fields present on the event.
  std::vector<std::string> tenant_fields = {"agency_db", "db_name"};
};

// Adds @level (TRACE DEBUG INFO WARN ERROR FATAL, from level/severity/levelname, string
// names or syslog/OTel numbers), @tenant and @kind ("log" unless already set).
// Never changes the user's own fields. Thread-safe.
void NormalizeBatch(Batch& batch, const PipelineOptions& options);

}  // namespace vigil
