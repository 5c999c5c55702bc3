// Translates Sigma rules for PowerShell script blocks (logsource category ps_script, Event 4104)
// into native Rules, so that they compile into the same single Hyperscan database as the native
// rules (RuleSet::Compile) and run in the same scan.
//
// Translation (exact; a rule with anything that cannot be expressed exactly is skipped with a
// reason, never loaded approximately):
//  - Fields: ScriptBlockText -> field:text patterns, Path -> field:path patterns; keyword
//    (field-less) lists -> field:text substring patterns. Any other field: skipped.
//  - Values are case-insensitive (ASCII letters only: Hyperscan and RE2 fold ASCII only, so
//    e.g. 'É' and 'é' differ) unless `cased`. `re` regexes are case-sensitive unless `re|i`
//    (Sigma specification); `re|m` / `re|s` prefix (?m) / (?s). base64 / base64offset encodings
//    are matched case-sensitively (an encoding is not case-foldable).
//  - contains -> literal (or a regex when the value has wildcards); startswith -> \A...,
//    endswith -> ...\z, no modifier -> whole-value \A...\z. Wildcards `*` -> [\s\S]*, `?` -> one
//    byte; escapes `\*`, `\?`, `\\`; any other backslash is literal (pySigma's rules).
//  - windash: every '-' or '/' that starts a word (regex \B[-/]\b) takes each of - / – — ―,
//    all combinations as alternatives. wide/utf16le/utf16be/utf16 re-encode the value (after
//    windash, before base64); base64 encodes it whole, base64offset as the three offset
//    encodings defined by Sigma (pySigma's algorithm).
//  - Lists are OR, `|all` is AND, a selection map is the AND of its items, a list of maps the
//    OR of the maps.
//  - Each selection S becomes patterns named "S__<n>" and a sub-expression over them; the Sigma
//    condition (and, or, not, parentheses, `1 of X*`, `all of X*`, `1 of them`, `all of them`,
//    a list of conditions = OR) is expanded into the native condition language over those
//    pattern names, so the translation is exact. SigmaSelectionOfPattern() maps a pattern name
//    back to its selection (for alerts and `explain`).
// Note: the engine scans a block's text AND its decoded layers with field:text patterns, so a
// Sigma rule also fires on a decoded layer (a selection holds when its patterns hit anywhere in
// the block: text or any layer), which is a superset of Sigma's single-field semantics.
#ifndef SBSCAN_SIGNATURES_SIGMA_LOADER_H_
#define SBSCAN_SIGNATURES_SIGMA_LOADER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "signatures/rule.h"

namespace sbscan::signatures {

// A Sigma rule that was not loaded: where and why.
struct SigmaSkip {
  std::string file;
  int line = 0;        // 1-based line of the offending construct (0 when unknown)
  std::string id;      // the Sigma id (or title) when known
  std::string reason;  // e.g. "unsupported modifier 'cidr'", "logsource category is not ps_script"
};

struct SigmaLoadResult {
  std::vector<Rule> rules;  // ruleset "sigma", in sorted file order
  std::vector<SigmaSkip> skipped;
  int files = 0;  // *.yml / *.yaml files read
};

struct SigmaLoadOptions {
  // Compile each translated rule alone (RuleSet::Compile) and skip those that fail (a regex
  // neither Hyperscan nor RE2 accepts, a pattern too large): the loaded rules then compile
  // together. Costs one small Hyperscan compile per rule.
  bool validate_compile = true;
};

// Translates one Sigma rule (`yaml` is the whole file; exactly one YAML document).
// `source_name` goes into Rule::source_file and messages. The rule gets ruleset "sigma", id
// "sigma.<sigma id>" (lowercase; "sigma.<title slug>" without an id), uuid = the Sigma id,
// level (default medium), status, author, references, falsepositives, tags with technique_ids
// (attack.tNNNN[.NNN] -> TNNNN[.NNN]) and tactics (other attack.* tags except groups/software
// attack.gNNNN / attack.sNNNN), description, original_condition, source_line = line of `id:`
// (or of `title:`). Does not compile the rule. A rule that cannot be translated exactly fails
// with Unimplemented (unsupported feature) or InvalidArgument (malformed Sigma), with message
// "source_name:line: reason". Never throws.
absl::StatusOr<Rule> ParseSigmaRule(std::string_view yaml, std::string_view source_name);

// Loads Sigma rules from files and directories (searched recursively for *.yml and *.yaml, in
// sorted path order). A file that does not translate is listed in `skipped` (with file, line
// and reason) and does not fail the load; so is a rule whose id is already loaded. Fails with
// NotFound for a missing path and Internal for an unreadable file. Never throws.
absl::StatusOr<SigmaLoadResult> LoadSigmaRules(const std::vector<std::string>& paths,
                                               const SigmaLoadOptions& options = {});

// Returns the Sigma selection a translated rule's pattern belongs to ("sel_x" for "sel_x__3"),
// or an empty view for a name without the "__<n>" suffix. The view borrows `pattern_name`.
std::string_view SigmaSelectionOfPattern(std::string_view pattern_name);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_SIGMA_LOADER_H_
