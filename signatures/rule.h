// The in-memory form of a native sbscan rule (see signatures/README.md for the YAML format).
#ifndef SBSCAN_SIGNATURES_RULE_H_
#define SBSCAN_SIGNATURES_RULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbscan::signatures {

// Severity of a rule, ordered from least to most severe (comparisons are meaningful).
enum class Level : uint8_t { kInformational, kLow, kMedium, kHigh, kCritical };

// Returns the lowercase YAML spelling of `level` ("informational", "low", "medium", "high",
// "critical"). The view points to static storage and never dangles.
std::string_view LevelName(Level level);

// Parses a level name as written in a rule file (ASCII case-insensitive; surrounding whitespace
// is not accepted). Returns std::nullopt for anything that is not one of the five names.
std::optional<Level> ParseLevel(std::string_view name);

// What a text pattern is matched against: the script block text and each decoded layer of it
// (kText), or the event's script Path (kPath).
enum class Field : uint8_t { kText, kPath };

// Returns "text" or "path".
std::string_view FieldName(Field field);

// One named pattern of a rule. kLiteral: `value` is a byte string matched as a substring
// (ASCII case-insensitive unless `cased`). kRegex: `value` is a Hyperscan/PCRE regex
// (case-insensitive unless `cased`). kLevel: true when the event's Level equals `level`
// (`value`, `cased` and `field` are unused). `line` is the 1-based line of the pattern's name in
// its source file (0 when not loaded from a file).
struct Pattern {
  enum class Kind : uint8_t { kLiteral, kRegex, kLevel };
  std::string name;
  Kind kind = Kind::kLiteral;
  std::string value;
  bool cased = false;
  Field field = Field::kText;
  int level = 0;
  int line = 0;
};

// One embedded test case of a rule: an event with this text, path and Level must (or must not,
// when `must_match` is false) make the rule fire. `line` is the 1-based line in the source file.
struct Example {
  std::string text;
  std::string path;
  int level = 4;
  int line = 0;
  bool must_match = true;
};

// A named sub-condition of a rule, reported in alerts when it held: a Sigma selection and its
// translation over the rule's pattern names (same language as Rule::condition).
struct Selection {
  std::string name;
  std::string condition;
};

// A rule as loaded from a file. Plain data: copyable, no invariants beyond those checked by
// ParseRules() and RuleSet::Compile(). `source_line` is the 1-based line of the rule's `id:`.
struct Rule {
  std::string id, title, description;
  Level level = Level::kMedium;
  std::vector<std::string> tags;           // as written, e.g. "attack.t1003.001"
  std::vector<std::string> technique_ids;  // derived: "T1003.001"
  std::vector<std::string> tactics;        // derived: "credential-access"
  std::vector<Pattern> patterns;
  std::string condition;  // as written ("1 of them" when absent)
  std::vector<Example> examples;
  std::string source_file;
  int source_line = 0;
  std::string ruleset = "bundled";  // set by the caller
  // Metadata of rules translated from another format (the Sigma loader fills these; native rules
  // leave them empty). `uuid`: the Sigma rule's `id`; `original_condition`: the Sigma condition
  // as written (`condition` above holds its translation over pattern names).
  std::string uuid, status, author, original_condition;
  std::vector<std::string> references, falsepositives;
  std::vector<Selection> selections;  // Sigma: every selection of the detection, in file order
};

// Returns "file:line: rule 'id'" (or the parts that are known) for error messages.
std::string RuleLocation(const Rule& rule, int line = 0);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_RULE_H_
