#include "signatures/rule_set.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <cstdlib>
#include <utility>

#include <hs/hs.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "signatures/re2_options.h"
#include "signatures/regex_relax.h"
#include "signatures/status_macros.h"

namespace sbscan::signatures {
namespace internal {

void HsDatabaseDeleter::operator()(hs_database* db) const { hs_free_database(db); }

Expression::Expression() = default;
Expression::~Expression() = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

std::string EscapeLiteral(std::string_view literal) {
  std::string out;
  out.reserve(literal.size() * 4);
  for (char c : literal) {
    if (absl::ascii_isalnum(c)) {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
    }
  }
  return out;
}

}  // namespace internal

namespace {

using internal::Expression;

// Tokens of everyday PowerShell (remoting, registry edits, the engine's own namespace), ASCII
// lower case: a guard that needs only one of them hits in a large share of benign blocks (on the
// generated corpus, Invoke-Command alone armed its rule on 828 of 2425 blocks).
constexpr std::string_view kCommonGuardTokens[] = {"invoke-command", "set-itemproperty",
                                                   "new-itemproperty",
                                                   "system.management.automation"};

// Whether a Hyperscan expression (a regex, or a literal escaped by EscapeLiteral) names one of
// kCommonGuardTokens: its text with \xHH and \<punctuation> escapes undone, case-folded.
bool NamesCommonToken(std::string_view expression) {
  std::string plain;
  plain.reserve(expression.size());
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (c == '\\' && i + 3 < expression.size() && expression[i + 1] == 'x' &&
        absl::ascii_isxdigit(expression[i + 2]) && absl::ascii_isxdigit(expression[i + 3])) {
      c = static_cast<char>(std::stoi(std::string(expression.substr(i + 2, 2)), nullptr, 16));
      i += 3;
    } else if (c == '\\' && i + 1 < expression.size() && !absl::ascii_isalnum(expression[i + 1])) {
      c = expression[++i];
    }
    plain.push_back(absl::ascii_tolower(c));
  }
  for (std::string_view token : kCommonGuardTokens) {
    if (plain.find(token) != std::string::npos) return true;
  }
  return false;
}

std::string PatternLocation(const Rule& rule, const Pattern& pattern) {
  return absl::StrCat(RuleLocation(rule, pattern.line), ": pattern '", pattern.name, "'");
}

// Result of checking one regex on its own.
struct RegexPlan {
  bool prefilter = false;
  uint32_t min_width = 0;
};

// Hyperscan's view of one expression: OK with its minimum width, or the compiler's message.
absl::StatusOr<uint32_t> HsInfo(const std::string& expr, unsigned flags) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_expression_info(expr.c_str(), flags, &info, &error) != HS_SUCCESS) {
    std::string msg = error && error->message ? error->message : "unknown error";
    hs_free_compile_error(error);
    return absl::InvalidArgumentError(msg);
  }
  uint32_t width = info->min_width;
  free(info);  // allocated with the default misc allocator (malloc)
  return width;
}

absl::StatusOr<RegexPlan> PlanRegex(const Rule& rule, const Pattern& pattern, unsigned flags,
                                    const CompileOptions& options) {
  RegexPlan plan;
  absl::StatusOr<uint32_t> exact = HsInfo(pattern.value, flags);
  if (exact.ok() && !options.force_prefilter) {
    if (*exact == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          PatternLocation(rule, pattern), ": regex '", pattern.value,
          "' can match the empty string; every pattern must consume at least one byte"));
    }
    plan.min_width = *exact;
    return plan;
  }
  // Not exactly supported by Hyperscan (or prefilter forced): it must be valid RE2.
  RE2 re(pattern.value, Re2Options(pattern.cased, options.re2_max_mem));
  if (!re.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        PatternLocation(rule, pattern), ": invalid regex '", pattern.value, "': ",
        exact.ok() ? "" : absl::StrCat("Hyperscan: ", exact.status().message(), "; "),
        "RE2: ", re.error()));
  }
  absl::StatusOr<uint32_t> pre = HsInfo(pattern.value, flags | HS_FLAG_PREFILTER);
  if (!pre.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        PatternLocation(rule, pattern), ": regex '", pattern.value,
        "' is valid RE2 but Hyperscan cannot compile it, even in prefilter mode: ",
        exact.ok() ? pre.status().message() : exact.status().message(),
        " (rewrite it without that construct)"));
  }
  if (*pre == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        PatternLocation(rule, pattern), ": regex '", pattern.value,
        "' can match the empty string; every pattern must consume at least one byte"));
  }
  plan.prefilter = true;
  plan.min_width = *pre;
  return plan;
}

// Fills the RE2 objects an expression needs at scan time.
absl::Status AttachRe2(const std::string& regex, bool cased, const CompileOptions& options,
                       Expression* e) {
  if (e->prefilter) {
    e->confirm = std::make_unique<RE2>(regex, Re2Options(cased, options.re2_max_mem));
    if (!e->confirm->ok()) return absl::InvalidArgumentError(e->confirm->error());
    e->anchored_end.reset();
    e->relaxed_end.reset();
  } else {
    // Start offsets are best effort: a Hyperscan regex RE2 cannot parse gets end - min_width.
    auto re = std::make_unique<RE2>(absl::StrCat("(?:", regex, ")\\z"),
                                    Re2Options(cased, options.re2_max_mem));
    if (re->ok()) e->anchored_end = std::move(re);
    e->relaxed_end.reset();
    if (std::optional<std::string> relaxed = RelaxCountedRepeats(regex);
        relaxed.has_value() && e->anchored_end != nullptr) {
      auto loose = std::make_unique<RE2>(absl::StrCat("(?:", *relaxed, ")\\z"),
                                         Re2Options(cased, options.re2_max_mem));
      if (loose->ok()) e->relaxed_end = std::move(loose);
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOptions(const CompileOptions& o) {
  if (o.max_rules == 0 || o.max_patterns_per_rule == 0 || o.max_pattern_bytes == 0 ||
      o.max_expressions == 0 || o.max_condition_bytes == 0 || o.regex_begin_window == 0 ||
      o.re2_max_mem <= 0 || o.min_atom_length < 1 || o.max_atoms_per_gated_regex < 1 ||
      o.max_confirm_scans_per_text < 0 ||
      o.min_guard_factor_length < 1 || o.guard_sets_per_rule < 1) {
    return absl::InvalidArgumentError("CompileOptions: every limit must be positive");
  }
  return absl::OkStatus();
}

// Handles Hyperscan's failure to compile `e` (`msg`) in a database: a regex not yet in
// prefilter mode that RE2 accepts switches to prefilter mode (the caller retries); anything else
// is an error naming the pattern.
absl::Status FallBackToPrefilter(const std::vector<Rule>& all, const std::string& regex,
                                 bool cased, const std::string& msg,
                                 const CompileOptions& options, Expression* e) {
  if (!e->literal && !e->prefilter) {
    RE2 re(regex, Re2Options(cased, options.re2_max_mem));
    if (re.ok() && HsInfo(e->expression, e->flags | HS_FLAG_PREFILTER).ok()) {
      e->prefilter = true;
      e->flags |= HS_FLAG_PREFILTER;
      return AttachRe2(regex, cased, options, e);
    }
  }
  const internal::Target& t = !e->targets[0].empty() ? e->targets[0][0] : e->targets[1][0];
  const Rule& rule = all[t.rule];
  const Pattern& p = rule.patterns[t.pattern];
  const size_t users = e->targets[0].size() + e->targets[1].size();
  std::string who = absl::StrCat(
      PatternLocation(rule, p),
      users > 1 ? absl::StrCat(" (and ", users - 1, " other use(s))") : "");
  return absl::InvalidArgumentError(
      absl::StrCat(who, ": Hyperscan cannot compile '", p.value, "': ", msg));
}

// Compiles the expressions `ids` (Hyperscan id = expression index) and `atoms` (caseless,
// single-match literals, id = atom_ids[k]) into one block-mode database. A per-expression failure
// (e.g. "Pattern is too large") turns that regex into a prefilter one when RE2 accepts it, then
// retries. Null (OK) when there is nothing to compile.
absl::StatusOr<hs_database_t*> CompileDatabase(const std::vector<Rule>& all,
                                               const std::vector<uint32_t>& ids,
                                               const std::vector<std::string>& atoms,
                                               const std::vector<uint32_t>& atom_ids,
                                               const std::vector<std::string>& regex_source,
                                               const std::vector<bool>& regex_cased,
                                               const CompileOptions& options,
                                               std::vector<Expression>* expressions) {
  for (;;) {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, idents;
    for (uint32_t i : ids) {
      exprs.push_back((*expressions)[i].expression.c_str());
      flags.push_back((*expressions)[i].flags);
      idents.push_back(i);
    }
    for (size_t k = 0; k < atoms.size(); ++k) {
      exprs.push_back(atoms[k].c_str());
      // An atom only needs to be seen once per scan.
      flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
      idents.push_back(atom_ids[k]);
    }
    if (exprs.empty()) return nullptr;
    hs_compile_error_t* error = nullptr;
    hs_database_t* db = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), idents.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                         &error) == HS_SUCCESS) {
      return db;
    }
    std::string msg = error && error->message ? error->message : "unknown error";
    const int bad_pos = error ? error->expression : -1;
    hs_free_compile_error(error);
    if (bad_pos < 0 || static_cast<size_t>(bad_pos) >= ids.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Hyperscan could not compile the rule set (", all.size(), " rules, ", exprs.size(),
          " expressions): ", msg));
    }
    const uint32_t bad = ids[bad_pos];
    SBSCAN_RETURN_IF_ERROR(FallBackToPrefilter(all, regex_source[bad], regex_cased[bad], msg,
                                               options, &(*expressions)[bad]));
  }
}

}  // namespace

RuleSet::~RuleSet() {
  if (database_ != nullptr) hs_free_database(database_);
}

absl::Status RuleSet::PlanGates(const std::vector<std::string>& regex_source,
                                const std::vector<bool>& regex_cased) {
  auto filter = std::make_unique<re2::FilteredRE2>(options_.min_atom_length);
  std::vector<int32_t> filter_expr;
  for (size_t i = 0; i < expressions_.size(); ++i) {
    if (expressions_[i].literal) continue;
    int id = -1;
    // This regex's own atoms: RE2 rejects it (Hyperscan-only syntax), none (unfiltered) or
    // too many keep it in the shared database.
    std::optional<std::vector<std::string>> own_atoms = RegexAtoms(
        regex_source[i], regex_cased[i], options_.min_atom_length, options_.re2_max_mem);
    if (!own_atoms || own_atoms->empty() ||
        own_atoms->size() > static_cast<size_t>(options_.max_atoms_per_gated_regex)) {
      continue;
    }
    if (filter->Add(regex_source[i], Re2Options(regex_cased[i], options_.re2_max_mem), &id) !=
            RE2::NoError ||
        id != static_cast<int>(filter_expr.size())) {
      continue;
    }
    filter_expr.push_back(static_cast<int32_t>(i));
  }
  if (filter_expr.empty()) return absl::OkStatus();  // Compile() wants at least one regex
  std::vector<std::string> atoms;
  filter->Compile(&atoms);
  // With no atom seen, FilteredRE2 returns exactly the regexes it cannot filter.
  std::vector<int> unfiltered;
  filter->AllPotentials({}, &unfiltered);
  for (int id : unfiltered) {
    if (id >= 0 && static_cast<size_t>(id) < filter_expr.size()) filter_expr[id] = -1;
  }
  for (const std::string& atom : atoms) {
    if (atom.empty()) {  // cannot happen with min_atom_length >= 1; would make gating unsound
      return absl::InternalError("FilteredRE2 returned an empty atom");
    }
  }
  for (int32_t expr : filter_expr) {
    if (expr < 0) continue;
    expressions_[expr].gated = true;
    ++gated_count_;
  }
  if (gated_count_ == 0) return absl::OkStatus();
  filter_ = std::move(filter);
  filter_expr_ = std::move(filter_expr);
  atoms_ = std::move(atoms);
  return absl::OkStatus();
}

void RuleSet::PlanDeferral(const std::vector<std::string>& regex_source,
                           const std::vector<bool>& regex_cased) {
  constexpr uint32_t kMaxFactorLength = 16;
  constexpr size_t kMaxGuardSets = 64, kMaxGuardSize = 8;
  for (size_t i = 0; i < expressions_.size(); ++i) {
    Expression& e = expressions_[i];
    e.factor_length = e.literal ? std::min(e.literal_length, kMaxFactorLength)
                                : static_cast<uint32_t>(LiteralFactorLength(
                                      regex_source[i], regex_cased[i], kMaxFactorLength,
                                      options_.re2_max_mem));
  }
  // Per (rule, pattern) slot: the rule could do without this pattern until its guard hits.
  // Per expression: it names an everyday token (demote_common_guards).
  std::vector<uint8_t> common_token(expressions_.size(), 0);
  if (options_.demote_common_guards) {
    for (size_t i = 0; i < expressions_.size(); ++i) {
      common_token[i] = NamesCommonToken(expressions_[i].expression);
    }
  }
  std::vector<uint8_t> deferrable(hit_slots_, 0);
  for (uint32_t r = 0; r < rules_.size(); ++r) {
    const Rule& rule = rules_[r];
    internal::CompiledRule& cr = compiled_[r];
    // Candidates: the required sets whose every pattern has long enough literal factors,
    // strongest first (none naming an everyday token, then longest factors, then fewest
    // patterns).
    struct Candidate {
      const std::vector<uint32_t>* set;
      uint32_t length;
      bool common;
    };
    std::vector<Candidate> candidates;
    const auto sets = cr.condition.RequiredSets(kMaxGuardSets, kMaxGuardSize);
    for (const std::vector<uint32_t>& set : sets) {
      uint32_t length = kMaxFactorLength + 1;
      bool common = false;
      for (uint32_t p : set) {
        const int32_t expr = cr.pattern_expr[p];
        length = std::min(length, expr < 0 ? 0 : expressions_[expr].factor_length);
        common = common || (expr >= 0 && common_token[expr]);
      }
      if (length >= static_cast<uint32_t>(options_.min_guard_factor_length)) {
        candidates.push_back({&set, length, common});
      }
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                       if (a.common != b.common) return b.common;
                       return a.length != b.length ? a.length > b.length
                                                   : a.set->size() < b.set->size();
                     });
    // The guard: up to guard_sets_per_rule of them that share no pattern (a set overlapping a
    // chosen one adds little), all of which must hit.
    std::vector<uint8_t> chosen(rule.patterns.size(), 0);
    for (const Candidate& c : candidates) {
      if (static_cast<int>(cr.guard_ends.size()) >= options_.guard_sets_per_rule) break;
      bool overlaps = false, regex = false;
      for (uint32_t p : *c.set) {  // a candidate has no level pattern (its length would be 0)
        overlaps = overlaps || chosen[p];
        regex = regex || !expressions_[cr.pattern_expr[p]].literal;
      }
      if (overlaps || (regex && !cr.guard_ends.empty())) continue;
      for (uint32_t p : *c.set) {
        chosen[p] = 1;
        cr.guard.emplace_back(static_cast<uint32_t>(cr.pattern_expr[p]),
                              rule.patterns[p].field == Field::kPath ? 1 : 0);
      }
      cr.guard_ends.push_back(static_cast<uint32_t>(cr.guard.size()));
    }
    if (cr.guard.empty()) continue;
    // A pattern of the guard is not deferrable; nor, through its slot, is its expression.
    for (uint32_t i = 0; i < rule.patterns.size(); ++i) {
      if (cr.pattern_expr[i] < 0 || rule.patterns[i].field != Field::kText || chosen[i]) continue;
      deferrable[cr.hit_offset + i] = 1;
    }
  }
  for (size_t i = 0; i < expressions_.size(); ++i) {
    Expression& e = expressions_[i];
    if (e.gated || hot_[i].atom >= 0 || !e.targets[1].empty() || e.targets[0].empty()) continue;
    bool all = true;
    for (const internal::Target& t : e.targets[0]) {
      all = all && deferrable[compiled_[t.rule].hit_offset + t.pattern];
    }
    if (!all) continue;
    e.deferred = true;
    ++deferred_count_;
  }
  // Only a rule with a deferred pattern needs its guard checked.
  for (uint32_t r = 0; r < rules_.size(); ++r) {
    internal::CompiledRule& cr = compiled_[r];
    if (cr.guard.empty()) continue;
    for (int32_t expr : cr.pattern_expr) {
      if (expr >= 0 && expressions_[expr].deferred &&
          std::find(cr.deferred.begin(), cr.deferred.end(), expr) == cr.deferred.end()) {
        cr.deferred.push_back(static_cast<uint32_t>(expr));
      }
    }
    if (cr.deferred.empty()) {
      cr.guard.clear();
      cr.guard_ends.clear();
    } else {
      guarded_rules_.push_back(r);
    }
  }
}

size_t RuleSet::prefilter_count() const {
  size_t n = 0;
  for (const Expression& e : expressions_) n += e.prefilter;
  return n;
}

absl::StatusOr<std::shared_ptr<const RuleSet>> RuleSet::Compile(std::vector<Rule> rules,
                                                                const CompileOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SBSCAN_RETURN_IF_ERROR(ValidateOptions(options));
  if (rules.size() > options.max_rules) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "rule set has ", rules.size(), " rules; the limit is ", options.max_rules));
  }
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->options_ = options;
  set->rules_ = std::move(rules);
  const std::vector<Rule>& all = set->rules_;

  absl::flat_hash_map<std::string_view, uint32_t> ids;
  absl::flat_hash_map<std::pair<std::string, unsigned>, uint32_t> dedupe;
  std::vector<std::string> regex_source;  // per expression: the regex as written ("" for literals)
  std::vector<bool> regex_cased;
  set->compiled_.resize(all.size());
  std::vector<uint8_t> empty_hits;
  for (uint32_t r = 0; r < all.size(); ++r) {
    const Rule& rule = all[r];
    if (rule.id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(RuleLocation(rule), ": missing rule id"));
    }
    auto [it, inserted] = ids.emplace(rule.id, r);
    if (!inserted) {
      const Rule& first = all[it->second];
      return absl::InvalidArgumentError(absl::StrCat(RuleLocation(rule),
                                                     ": duplicate rule id (first defined at ",
                                                     first.source_file, ":", first.source_line,
                                                     ", ruleset '", first.ruleset, "')"));
    }
    if (rule.patterns.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(RuleLocation(rule), ": no patterns"));
    }
    if (rule.patterns.size() > options.max_patterns_per_rule) {
      return absl::ResourceExhaustedError(absl::StrCat(
          RuleLocation(rule), ": ", rule.patterns.size(), " patterns; the limit is ",
          options.max_patterns_per_rule));
    }
    if (rule.condition.size() > options.max_condition_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          RuleLocation(rule), ": condition of ", rule.condition.size(),
          " bytes; the limit is ", options.max_condition_bytes));
    }
    internal::CompiledRule& cr = set->compiled_[r];
    std::vector<std::string> names;
    names.reserve(rule.patterns.size());
    for (const Pattern& p : rule.patterns) {
      if (!IsValidPatternName(p.name)) {
        return absl::InvalidArgumentError(
            absl::StrCat(PatternLocation(rule, p), ": bad pattern name"));
      }
      for (const std::string& n : names) {
        if (n == p.name) {
          return absl::InvalidArgumentError(
              absl::StrCat(PatternLocation(rule, p), ": duplicate pattern name"));
        }
      }
      names.push_back(p.name);
    }
    const std::string& cond_text = rule.condition.empty() ? "1 of them" : rule.condition;
    absl::StatusOr<Condition> cond = Condition::Parse(cond_text, names);
    if (!cond.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(RuleLocation(rule), ": ", cond.status().message()));
    }
    cr.condition = *std::move(cond);
    for (const Selection& sel : rule.selections) {
      absl::StatusOr<Condition> parsed = Condition::Parse(sel.condition, names);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(RuleLocation(rule), ": selection '",
                                                       sel.name, "': ", parsed.status().message()));
      }
      cr.selections.push_back(*std::move(parsed));
    }
    cr.hit_offset = static_cast<uint32_t>(set->hit_slots_);
    set->hit_slots_ += rule.patterns.size();
    cr.pattern_expr.assign(rule.patterns.size(), -1);

    for (uint32_t i = 0; i < rule.patterns.size(); ++i) {
      const Pattern& p = rule.patterns[i];
      if (p.kind == Pattern::Kind::kLevel) {
        cr.has_level_pattern = true;
        continue;
      }
      if (p.value.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(PatternLocation(rule, p), ": empty ",
                                                       p.kind == Pattern::Kind::kRegex
                                                           ? "regex" : "literal"));
      }
      if (p.value.size() > options.max_pattern_bytes) {
        return absl::ResourceExhaustedError(absl::StrCat(
            PatternLocation(rule, p), ": ", p.value.size(), " bytes; the limit is ",
            options.max_pattern_bytes));
      }
      unsigned flags = p.cased ? 0 : HS_FLAG_CASELESS;
      std::string expr;
      RegexPlan plan;
      if (p.kind == Pattern::Kind::kLiteral) {
        // Caseless literals are keyed in lowercase so that "IEX" and "iex" share one expression.
        expr = internal::EscapeLiteral(p.cased ? p.value : absl::AsciiStrToLower(p.value));
        plan.min_width = static_cast<uint32_t>(p.value.size());
      } else {
        SBSCAN_ASSIGN_OR_RETURN(plan, PlanRegex(rule, p, flags, options));
        expr = p.value;
        if (plan.prefilter) flags |= HS_FLAG_PREFILTER;
      }
      auto key = std::make_pair(expr, flags);
      auto found = dedupe.find(key);
      uint32_t index;
      if (found != dedupe.end()) {
        index = found->second;
      } else {
        if (set->expressions_.size() >= options.max_expressions) {
          return absl::ResourceExhaustedError(absl::StrCat(
              PatternLocation(rule, p), ": more than ", options.max_expressions,
              " distinct expressions in the rule set"));
        }
        index = static_cast<uint32_t>(set->expressions_.size());
        Expression e;
        e.expression = std::move(expr);
        e.flags = flags;
        e.literal = p.kind == Pattern::Kind::kLiteral;
        e.prefilter = plan.prefilter;
        e.literal_length = e.literal ? static_cast<uint32_t>(p.value.size()) : 0;
        e.min_width = plan.min_width;
        if (!e.literal) {
          absl::Status st = AttachRe2(p.value, p.cased, options, &e);
          if (!st.ok()) {
            return absl::InvalidArgumentError(absl::StrCat(
                PatternLocation(rule, p), ": invalid regex '", p.value, "': RE2: ", st.message()));
          }
        }
        set->expressions_.push_back(std::move(e));
        regex_source.push_back(p.kind == Pattern::Kind::kLiteral ? std::string() : p.value);
        regex_cased.push_back(p.cased);
        dedupe.emplace(std::move(key), index);
      }
      set->expressions_[index].targets[p.field == Field::kPath ? 1 : 0].push_back({r, i});
      cr.pattern_expr[i] = static_cast<int32_t>(index);
    }
    if (cr.has_level_pattern) set->level_rules_.push_back(r);
    empty_hits.assign(rule.patterns.size(), 0);
    if (cr.condition.Evaluate(empty_hits)) set->true_on_empty_.push_back(r);
  }

  const size_t n = set->expressions_.size();
  if (options.gate_regexes_with_atoms) {
    SBSCAN_RETURN_IF_ERROR(set->PlanGates(regex_source, regex_cased));
  }
  // Hyperscan ids of the shared database: ungated expressions (id = index), then atoms that no
  // caseless literal expression already reports (id = n + k).
  set->hot_.resize(n);
  std::vector<uint32_t> atom_only;  // atom index per id n + k
  for (uint32_t k = 0; k < set->atoms_.size(); ++k) {
    const std::string& atom = set->atoms_[k];
    auto found = dedupe.find(std::make_pair(internal::EscapeLiteral(atom),
                                            static_cast<unsigned>(HS_FLAG_CASELESS)));
    if (found != dedupe.end() && set->expressions_[found->second].literal &&
        !set->expressions_[found->second].gated) {
      set->hot_[found->second].atom = static_cast<int32_t>(k);
    } else {
      atom_only.push_back(k);
    }
  }
  if (options.defer_guarded_patterns) set->PlanDeferral(regex_source, regex_cased);
  std::vector<std::string> atom_exprs;
  atom_exprs.reserve(atom_only.size());
  for (uint32_t k : atom_only) atom_exprs.push_back(internal::EscapeLiteral(set->atoms_[k]));

  // One database for everything neither gated nor deferred, with the atoms; one per guarded
  // rule for its deferred expressions.
  std::vector<uint32_t> shared_ids, atom_ids;
  for (uint32_t i = 0; i < n; ++i) {
    const Expression& e = set->expressions_[i];
    if (!e.deferred && !e.gated) shared_ids.push_back(i);
  }
  for (size_t k = 0; k < atom_only.size(); ++k) atom_ids.push_back(static_cast<uint32_t>(n + k));
  SBSCAN_ASSIGN_OR_RETURN(set->database_,
                          CompileDatabase(all, shared_ids, atom_exprs, atom_ids, regex_source,
                                          regex_cased, options, &set->expressions_));
  for (uint32_t r : set->guarded_rules_) {
    internal::CompiledRule& cr = set->compiled_[r];
    SBSCAN_ASSIGN_OR_RETURN(hs_database_t* db,
                            CompileDatabase(all, cr.deferred, {}, {}, regex_source, regex_cased,
                                            options, &set->expressions_));
    cr.deferred_database.reset(db);
  }
  // The Path's own database: a Path is short, and a scan of the shared database costs a fixed
  // set-up that dwarfs it (callgrind, 8 MB end to end: 185.4M -> 184.1M instructions with the
  // bundled rules, which have no field:path pattern at all: no Path scan).
  std::vector<uint32_t> path_ids;
  bool gated_path = false;
  for (uint32_t i : shared_ids) {
    if (!set->expressions_[i].targets[1].empty()) path_ids.push_back(i);
  }
  for (uint32_t i = 0; i < n; ++i) {
    const Expression& e = set->expressions_[i];
    gated_path = gated_path || (e.gated && !e.targets[1].empty());
  }
  if (gated_path) {
    set->path_scan_database_ = set->database_;
  } else if (!path_ids.empty()) {
    SBSCAN_ASSIGN_OR_RETURN(hs_database_t* db,
                            CompileDatabase(all, path_ids, {}, {}, regex_source, regex_cased,
                                            options, &set->expressions_));
    set->path_database_.reset(db);
    set->path_scan_database_ = db;
  }
  // One small database per gated regex, with the same fallback.
  for (uint32_t i = 0; i < n; ++i) {
    if (!set->expressions_[i].gated) continue;
    SBSCAN_ASSIGN_OR_RETURN(hs_database_t* db,
                            CompileDatabase(all, {i}, {}, {}, regex_source, regex_cased, options,
                                            &set->expressions_));
    set->expressions_[i].gate_database.reset(db);
  }
  // All gated regexes together, for texts on which many of them are possible.
  if (set->gated_count_ > 0) {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, idents;
    for (size_t i = 0; i < n; ++i) {
      const Expression& e = set->expressions_[i];
      if (!e.gated) continue;
      exprs.push_back(e.expression.c_str());
      flags.push_back(e.flags);
      idents.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* error = nullptr;
    hs_database_t* db = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), idents.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                         &error) == HS_SUCCESS) {
      set->gated_database_.reset(db);
    } else {
      hs_free_compile_error(error);  // optional: the Matcher then always scans one by one
    }
  }
  size_t total_bytes = 0;
  auto add_size = [&total_bytes](const hs_database_t* db) {
    size_t bytes = 0;
    if (db != nullptr && hs_database_size(db, &bytes) == HS_SUCCESS) total_bytes += bytes;
  };
  add_size(set->database_);
  add_size(set->gated_database_.get());
  add_size(set->path_database_.get());
  for (const Expression& e : set->expressions_) add_size(e.gate_database.get());
  for (uint32_t r : set->guarded_rules_) add_size(set->compiled_[r].deferred_database.get());
  set->database_bytes_ = total_bytes;
  set->hot_.resize(n + atom_only.size());
  for (size_t i = 0; i < n; ++i) {
    const Expression& e = set->expressions_[i];
    internal::ExpressionHot& h = set->hot_[i];
    h.kinds = (e.targets[0].empty() ? 0 : 1) | (e.targets[1].empty() ? 0 : 2);
    h.prefilter = e.prefilter;
    h.literal = e.literal;
    h.literal_length = e.literal_length;
    if (!e.literal && !e.gated) ++set->unfiltered_count_;
  }
  for (size_t k = 0; k < atom_only.size(); ++k) {
    set->hot_[n + k].atom = static_cast<int32_t>(atom_only[k]);
  }
  set->compile_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::shared_ptr<const RuleSet>(std::move(set));
}

}  // namespace sbscan::signatures
