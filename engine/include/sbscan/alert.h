// sbscan: an alert, one per (script block, rule).
#ifndef SBSCAN_ALERT_H_
#define SBSCAN_ALERT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sbscan/script_block.h"

namespace sbscan {

// The rule that fired. Views borrow from the compiled rule set, which outlives every alert.
struct RuleInfo {
  std::string_view id;
  std::string_view uuid;         // Sigma rules: their `id`; empty for native rules
  std::string_view title;
  std::string_view description;
  std::string_view level;        // "informational" ... "critical"
  std::string_view ruleset;      // "bundled", or the rule file for user rules
  std::string_view condition;    // as written (Sigma: the Sigma condition)
  std::span<const std::string> technique_ids;  // "T1003.001"
  std::span<const std::string> tactics;        // "credential-access"
  // Sigma metadata (empty for native rules unless they set it).
  std::string_view status;                      // "stable", "test", "experimental", ...
  std::string_view author;
  std::span<const std::string> references;
  std::span<const std::string> falsepositives;
  // The alert JSON members made of the fields above, rendered once per rule by the engine's
  // analyzer (AppendRuleJson): "rule" and "threat", then sbscan's "rule". The alert writer copies
  // them instead of escaping every field again; empty (an alert built elsewhere): the writer
  // renders the fields. Either way the same bytes (clear both when changing a field above).
  std::string_view json_rule;
  std::string_view json_sbscan_rule;
};

// One recorded match of one of the rule's patterns.
struct AlertMatch {
  std::string_view pattern;  // the pattern's name in the rule
  std::string_view field;    // "text" (block text or a decoded layer), "path" or "level"
  int layer = 0;             // 0 = the block text; >0 = a decoded layer (see decode_path);
                             // for "path" and "level" matches always 0
  size_t begin = 0;          // byte offsets in that layer's text
  size_t end = 0;
  int fragment = 0;          // fragment (MessageNumber) holding the match, or the decoded
                             // payload it came from; 0 when unknown
  std::string_view excerpt;  // the match with some context, cut on UTF-8 boundaries
};

// One decoded layer on the way from the block text to a match.
struct DecodeStep {
  int layer = 0;
  int parent = 0;
  std::string_view decoder;   // "base64", ...
  std::string_view encoding;  // "utf16le", "utf8", "binary"
  std::string_view note;      // decoder detail: "key=0x5a literal", "rot=13", "gzip", ...
  size_t parent_begin = 0;    // where the payload lay in the parent's text
  size_t parent_end = 0;
};

// Why the built-in obfuscation alert fired: the block's score and the features behind it.
struct ObfuscationFinding {
  double score = 0;
  double threshold = 0;
  uint64_t length = 0;
  double entropy = 0;
  double special_ratio = 0;
  double case_flip_ratio = 0;
  double backtick_density = 0;
  double concat_density = 0;
  double format_density = 0;
  double char_cast_density = 0;
  double number_list_density = 0;
  double string_ratio = 0;
  uint64_t longest_token = 0;
  uint64_t longest_special_run = 0;
};

// An alert as handed to the alert callback. Every view is valid only during the callback.
struct Alert {
  RuleInfo rule;
  const ScriptBlock* block = nullptr;
  std::span<const AlertMatch> matches;      // recorded matches, at most 8 per pattern
  uint64_t total_matches = 0;               // all matches, recorded or not
  std::span<const DecodeStep> decode_path;  // layers leading to the matches, by layer number
  const ObfuscationFinding* obfuscation = nullptr;  // set for the obfuscation alert only
  // Sigma rules: the selections of the detection that held on this block, in rule order.
  std::span<const std::string_view> selections;
  // False only for near misses (AnalysisOptions::report_near_misses): a pattern hit, the
  // condition did not hold. Never written as an alert.
  bool condition_held = true;
};

}  // namespace sbscan

#endif  // SBSCAN_ALERT_H_
