#include "signatures/rule.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sbscan::signatures {

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kInformational:
      return "informational";
    case Level::kLow:
      return "low";
    case Level::kMedium:
      return "medium";
    case Level::kHigh:
      return "high";
    case Level::kCritical:
      return "critical";
  }
  return "medium";
}

std::optional<Level> ParseLevel(std::string_view name) {
  for (Level level : {Level::kInformational, Level::kLow, Level::kMedium, Level::kHigh,
                      Level::kCritical}) {
    if (absl::EqualsIgnoreCase(absl::string_view(name.data(), name.size()),
                               absl::string_view(LevelName(level).data()))) {
      return level;
    }
  }
  return std::nullopt;
}

std::string_view FieldName(Field field) { return field == Field::kPath ? "path" : "text"; }

std::string RuleLocation(const Rule& rule, int line) {
  std::string out = rule.source_file.empty() ? "<rules>" : rule.source_file;
  int l = line > 0 ? line : rule.source_line;
  if (l > 0) absl::StrAppend(&out, ":", l);
  absl::StrAppend(&out, ": rule '", rule.id, "'");
  return out;
}

}  // namespace sbscan::signatures
