#include "engine/src/analyzer.h"

#include <algorithm>
#include <string>

#include "decoders/obfuscation_score.h"
#include "engine/src/alert_json.h"

namespace sbscan {
namespace {

decoders::Limits ToLimits(const DecodeOptions& o) {
  decoders::Limits limits;
  limits.max_depth = o.max_depth;
  limits.max_decoded_bytes = o.max_decoded_bytes;
  limits.max_candidates = o.max_candidates;
  limits.min_base64_run = o.min_base64_run;
  return limits;
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// text[begin-context, end+context), widened/narrowed so that no UTF-8 sequence is cut.
std::string_view Excerpt(std::string_view text, size_t begin, size_t end, size_t context) {
  size_t b = begin > context ? begin - context : 0;
  size_t e = std::min(text.size(), end + context);
  while (b > 0 && b < text.size() && IsContinuation(text[b])) --b;
  while (e < text.size() && IsContinuation(text[e])) ++e;
  return text.substr(b, e - b);
}

// The fragment number holding byte `offset` of the block text.
int FragmentAt(const ScriptBlock& block, size_t offset) {
  for (const FragmentSpan& f : block.fragments) {
    if (offset < f.end || (&f == &block.fragments.back())) return f.number;
  }
  return 0;
}

// The built-in rule behind the obfuscation alert.
const std::string kObfuscationTechniques[] = {"T1027"};
const std::string kObfuscationTactics[] = {"defense-evasion"};

RuleInfo ObfuscationRule() {
  RuleInfo r;
  r.id = "sbscan.obfuscation.score";
  r.title = "Obfuscated script block";
  r.description =
      "The block's character statistics (entropy, punctuation, case flips, backticks, "
      "concatenation, format operators, char casts, number lists, literal share) score at or "
      "above the obfuscation threshold.";
  r.level = "medium";
  r.ruleset = "builtin";
  r.technique_ids = kObfuscationTechniques;
  r.tactics = kObfuscationTactics;
  return r;
}

}  // namespace

Analyzer::Analyzer(std::shared_ptr<const signatures::RuleSet> rules,
                   const AnalysisOptions& options)
    : rules_(rules), options_(options), matcher_(std::make_unique<signatures::Matcher>(rules)), decoder_(ToLimits(options.decode)) {}

absl::Status Analyzer::SetRules(std::shared_ptr<const signatures::RuleSet> rules) {
  auto matcher = std::make_unique<signatures::Matcher>(rules);
  if (absl::Status s = matcher->status(); !s.ok()) return s;
  rules_ = std::move(rules);
  matcher_ = std::move(matcher);
  rule_json_.clear();
  return absl::OkStatus();
}

std::string_view Analyzer::LayerText(const ScriptBlock& block, int layer) const {
  if (layer == 0) return block.text;
  return decoder_.layers()[layer_slot_[layer]].text;
}

void Analyzer::Analyze(const ScriptBlock& block, OnAlert on_alert) {
  ++stats_.blocks;
  stats_.text_bytes += block.text.size();
  matcher_->Reset();
  matcher_->SetLevel(block.level);
  if (!block.path.empty()) matcher_->ScanPath(block.path);
  matcher_->ScanText(block.text, 0);

  layer_slot_.assign(1, 0);
  if (options_.decode.enabled) {
    decoder_.Run(block.text, [&](const decoders::Layer& layer) {
      ++stats_.layers_decoded;
      if (layer.encoding == decoders::TextEncoding::kBinary) return;
      stats_.decoded_bytes += layer.text.size();
      matcher_->ScanText(layer.text, layer.index);
    });
    // Map layer numbers to their place in the decoder's (now final) layer list.
    const auto& layers = decoder_.layers();
    layer_slot_.assign(layers.size() + 1, 0);
    for (size_t i = 0; i < layers.size(); ++i) layer_slot_[layers[i].index] = static_cast<int>(i);
    const decoders::DecodeCounters& c = decoder_.counters();
    stats_.decode_malformed = c.malformed;
    stats_.decode_depth_limit = c.depth_limit_hits;
    stats_.decode_bytes_limit = c.bytes_limit_hits;
    stats_.decode_candidate_limit = c.candidate_limit_hits;
  }

  hits_.clear();
  matcher_->Evaluate(&hits_, options_.report_near_misses);
  for (const signatures::RuleHit& hit : hits_) {
    Alert alert;
    BuildAlert(block, hit, &alert);
    if (hit.condition_held) ++stats_.alerts;
    on_alert(alert);
  }
  if (options_.obfuscation_score && block.text.size() >= decoders::kObfuscationMinLength) {
    ScoreObfuscation(block, on_alert);
  }
}

void Analyzer::ScoreObfuscation(const ScriptBlock& block, OnAlert on_alert) {
  ++stats_.obfuscation_scored;
  // Every block is scored; only one that reaches the threshold pays for its entropy (reported in
  // the finding, not part of the score).
  decoders::ObfuscationFeatures f = decoders::ComputeObfuscationFeatures(
      block.text, decoders::EntropyPass::kWithoutEntropy);
  double score = decoders::Score(f);
  if (score < options_.obfuscation_threshold) return;
  f.entropy = decoders::ByteEntropy(block.text);
  ++stats_.obfuscated;
  ObfuscationFinding finding{score,
                             options_.obfuscation_threshold,
                             f.length,
                             f.entropy,
                             f.special_ratio,
                             f.case_flip_ratio,
                             f.backtick_density,
                             f.concat_density,
                             f.format_density,
                             f.char_cast_density,
                             f.number_list_density,
                             f.string_ratio,
                             f.longest_token,
                             f.longest_special_run};
  Alert alert;
  alert.rule = ObfuscationRule();
  alert.block = &block;
  alert.obfuscation = &finding;
  ++stats_.alerts;
  on_alert(alert);
}

void Analyzer::BuildAlert(const ScriptBlock& block, const signatures::RuleHit& hit,
                          Alert* alert) {
  const signatures::Rule& rule = *hit.rule;
  alert->rule.id = rule.id;
  alert->rule.uuid = rule.uuid;
  alert->rule.title = rule.title;
  alert->rule.description = rule.description;
  alert->rule.level = signatures::LevelName(rule.level);
  alert->rule.ruleset = rule.ruleset;
  alert->rule.technique_ids = rule.technique_ids;
  alert->rule.tactics = rule.tactics;
  alert->rule.condition = rule.original_condition.empty() ? rule.condition
                                                         : rule.original_condition;
  alert->rule.status = rule.status;
  alert->rule.author = rule.author;
  alert->rule.references = rule.references;
  alert->rule.falsepositives = rule.falsepositives;
  const std::vector<signatures::Rule>& all = rules_->rules();
  if (!all.empty() && &rule >= all.data() && &rule < all.data() + all.size()) {
    if (rule_json_.size() != all.size()) rule_json_.resize(all.size());
    RuleJson& json = rule_json_[static_cast<size_t>(&rule - all.data())];
    if (json.rule.empty()) {
      AppendRuleJson(alert->rule, &json.rule);
      AppendSbscanRuleJson(alert->rule, &json.sbscan_rule);
    }
    alert->rule.json_rule = json.rule;
    alert->rule.json_sbscan_rule = json.sbscan_rule;
  }
  selections_.clear();
  for (uint32_t s : hit.selections) selections_.push_back(rule.selections[s].name);
  alert->selections = selections_;
  alert->condition_held = hit.condition_held;
  alert->block = &block;
  alert->total_matches = hit.total_matches;

  const auto& layers = decoder_.layers();
  matches_.clear();
  path_.clear();
  std::vector<bool> on_path(layer_slot_.size(), false);
  for (const signatures::PatternMatch& m : hit.matches) {
    const signatures::Pattern& pattern = rule.patterns[m.pattern];
    AlertMatch out;
    out.pattern = pattern.name;
    out.field = "text";
    out.begin = m.begin;
    out.end = m.end;
    if (pattern.kind == signatures::Pattern::Kind::kLevel) {
      out.field = "level";
    } else if (pattern.field == signatures::Field::kPath) {
      out.field = "path";
      out.excerpt = block.path;
    } else {
      out.layer = m.layer;
      std::string_view text = LayerText(block, m.layer);
      out.excerpt = Excerpt(text, m.begin, m.end, options_.excerpt_context);
      // Walk up to the block text to find the fragment and mark the decode path.
      int layer = m.layer;
      size_t offset = m.begin;
      while (layer > 0) {
        const decoders::Layer& l = layers[layer_slot_[layer]];
        on_path[layer] = true;
        offset = l.parent_begin;
        layer = l.parent;
      }
      out.fragment = FragmentAt(block, offset);
    }
    matches_.push_back(out);
  }
  for (size_t i = 1; i < on_path.size(); ++i) {
    if (!on_path[i]) continue;
    const decoders::Layer& l = layers[layer_slot_[i]];
    path_.push_back({l.index, l.parent, l.decoder, decoders::TextEncodingName(l.encoding),
                     l.note, l.parent_begin, l.parent_end});
  }
  alert->matches = matches_;
  alert->decode_path = path_;
}

}  // namespace sbscan
