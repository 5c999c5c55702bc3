#include "signatures/matcher.h"

#include <algorithm>
#include <utility>

#include <hs/hs.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include "absl/types/span.h"

namespace sbscan::signatures {

Matcher::Matcher(std::shared_ptr<const RuleSet> rules) : rules_(std::move(rules)) {
  const RuleSet& set = *rules_;
  const size_t n = set.expressions_.size();
  hot_ = set.hot_.data();
  if (set.database_ != nullptr) {
    hs_scratch_t* scratch = nullptr;
    bool ok = hs_alloc_scratch(set.database_, &scratch) == HS_SUCCESS;
    // One scratch for all: hs_alloc_scratch grows it to fit each gated regex's database too.
    for (const internal::Expression& e : set.expressions_) {
      if (!ok) break;
      if (e.gate_database != nullptr) {
        ok = hs_alloc_scratch(e.gate_database.get(), &scratch) == HS_SUCCESS;
      }
    }
    if (ok && set.gated_database_ != nullptr) {
      ok = hs_alloc_scratch(set.gated_database_.get(), &scratch) == HS_SUCCESS;
    }
    if (ok && set.path_database_ != nullptr) {
      ok = hs_alloc_scratch(set.path_database_.get(), &scratch) == HS_SUCCESS;
    }
    for (uint32_t r : set.guarded_rules_) {
      const hs_database_t* db = set.compiled_[r].deferred_database.get();
      if (ok && db != nullptr) ok = hs_alloc_scratch(db, &scratch) == HS_SUCCESS;
    }
    if (!ok) {
      if (scratch != nullptr) hs_free_scratch(scratch);
      status_ = absl::ResourceExhaustedError("cannot allocate a Hyperscan scratch space");
    } else {
      scratch_ = scratch;
    }
  }
  atoms_hit_.reserve(set.atoms_.size());
  atom_scan_.assign(set.atoms_.size(), 0);
  potentials_.reserve(set.filter_expr_.size());
  confirm_scans_per_expression_.assign(n, 0);
  state_.resize(n);
  touched_.reserve(n);
  candidates_.reserve(n);
  stored_.reserve(std::min<size_t>(n * 2 * kMaxMatchesPerPattern, 1 << 16));
  hits_.assign(set.hit_slots_, 0);
  rule_marked_.assign(set.rules_.size(), 0);
  rule_list_.reserve(set.rules_.size());
  guard_hits_per_rule_.assign(set.rules_.size(), 0);
}

Matcher::~Matcher() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

void Matcher::Reset() {
  touched_.clear();
  stored_.clear();
  texts_.clear();
  path_ = {};
  level_ = std::numeric_limits<int>::min();
  if (++epoch_ == 0) {  // wrapped: make every old stamp stale
    for (ExprState& s : state_) s.epoch = 0;
    epoch_ = 1;
  }
}

void Matcher::SetLevel(int level) { level_ = level; }

Matcher::ExprState& Matcher::Touch(uint32_t expr) {
  ExprState& s = state_[expr];
  if (s.epoch != epoch_) {
    s.epoch = epoch_;
    s.head[0] = s.head[1] = s.tail[0] = s.tail[1] = kNone;
    s.stored[0] = s.stored[1] = 0;
    s.total[0] = s.total[1] = 0;
    s.deferred_upto = 0;
    touched_.push_back(expr);
  }
  return s;
}

void Matcher::Record(uint32_t expr, int kind, int layer, size_t begin, size_t end,
                     bool begin_known) {
  ExprState& s = Touch(expr);
  ++s.total[kind];
  if (s.stored[kind] >= static_cast<uint32_t>(kMaxMatchesPerPattern)) return;
  ++s.stored[kind];
  const uint32_t index = static_cast<uint32_t>(stored_.size());
  stored_.push_back({expr, layer, kNone, begin_known, begin, end});
  if (s.tail[kind] == kNone) {
    s.head[kind] = index;
  } else {
    stored_[s.tail[kind]].next = index;
  }
  s.tail[kind] = index;
}

int Matcher::OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
                     unsigned int /*flags*/, void* context) {
  Matcher* m = static_cast<Matcher*>(context);
  if (m->deferred_text_ != kNone && m->DeferredUpTo(id) > m->deferred_text_) {
    return 0;  // a deferred pass over a text this expression was already scanned on
  }
  const internal::ExpressionHot& hot = m->hot_[id];
  if (hot.atom >= 0) {
    uint32_t& seen = m->atom_scan_[hot.atom];
    if (seen != m->scan_number_) {
      seen = m->scan_number_;
      m->atoms_hit_.push_back(hot.atom);
    }
  }
  if (!(hot.kinds & (1u << m->kind_))) return 0;  // no pattern of this field uses it
  if (hot.prefilter) {
    ExprState& s = m->state_[id];
    if (s.candidate_scan != m->scan_number_) {
      s.candidate_scan = m->scan_number_;
      m->candidates_.push_back(id);
    }
    return 0;
  }
  const size_t end = static_cast<size_t>(to);
  // A regex's start is found with RE2 only if the match is reported (ResolveBegin).
  const size_t begin = hot.literal ? end - hot.literal_length : end;
  m->Record(id, m->kind_, m->layer_, begin, end, /*begin_known=*/hot.literal);
  return 0;
}

void Matcher::BeginScan(int kind, int layer) {
  kind_ = kind;
  layer_ = layer;
  if (++scan_number_ == 0) {
    for (ExprState& s : state_) s.candidate_scan = 0;
    std::fill(atom_scan_.begin(), atom_scan_.end(), 0);
    scan_number_ = 1;
  }
  candidates_.clear();
  atoms_hit_.clear();
}

void Matcher::RunDatabase(const hs_database_t* db, std::string_view text) {
  if (hs_scan(db, text.data(), static_cast<unsigned int>(text.size()), 0, scratch_,
              &Matcher::OnMatch, this) != HS_SUCCESS) {
    ++scan_errors_;
  }
}

void Matcher::ConfirmCandidates(std::string_view text) {
  for (uint32_t id : candidates_) {
    const internal::Expression& e = rules_->expressions_[id];
    re2::StringPiece whole(text.data(), text.size());
    size_t pos = 0;
    re2::StringPiece m;
    while (pos <= whole.size() && e.confirm->Match(whole, pos, whole.size(), RE2::UNANCHORED, &m, 1)) {
      const size_t b = static_cast<size_t>(m.data() - whole.data());
      const size_t en = b + m.size();
      Record(id, kind_, layer_, b, en, /*begin_known=*/true);
      pos = en > b ? en : en + 1;
    }
  }
}

void Matcher::Scan(std::string_view text, int kind, int layer) {
  if (scratch_ == nullptr || text.empty()) return;
  const RuleSet& set = *rules_;
  if (text.size() >= std::numeric_limits<unsigned int>::max()) {
    ++truncated_scans_;
    text = text.substr(0, std::numeric_limits<unsigned int>::max() - 1);
  }
  if (kind == 1) {
    path_ = text;
  } else {
    texts_.emplace_back(layer, text);
  }
  BeginScan(kind, layer);
  const hs_database* db = kind == 1 ? set.path_scan_database_ : set.database_;
  if (db != nullptr) RunDatabase(db, text);
  // Gated regexes whose atom formula holds on this text: their own database over the same text,
  // recording through the same callback (their Hyperscan id is their expression index).
  if (!atoms_hit_.empty() && set.filter_ != nullptr) {
    ++atom_scans_;
    set.filter_->AllPotentials(atoms_hit_, &potentials_);
    // Keep the gated regexes of this field; then one scan each, or one combined scan.
    size_t keep = 0;
    for (int id : potentials_) {
      const int32_t expr = set.filter_expr_[id];
      if (expr >= 0 && (hot_[expr].kinds & (1u << kind))) potentials_[keep++] = expr;
    }
    potentials_.resize(keep);
    if (keep > static_cast<size_t>(set.options_.max_confirm_scans_per_text) &&
        set.gated_database_ != nullptr) {
      ++confirm_scans_;
      ++combined_confirm_scans_;
      RunDatabase(set.gated_database_.get(), text);
    } else {
      for (int expr : potentials_) {
        ++confirm_scans_;
        ++confirm_scans_per_expression_[expr];
        RunDatabase(set.expressions_[expr].gate_database.get(), text);
      }
    }
  }
  // Prefilter candidates: only RE2-confirmed matches count.
  ConfirmCandidates(text);
}

uint32_t Matcher::DeferredUpTo(uint32_t expr) const {
  const ExprState& s = state_[expr];
  return s.epoch == epoch_ ? s.deferred_upto : 0;
}

bool Matcher::GuardHit(uint32_t rule) const {
  const internal::CompiledRule& cr = rules_->compiled_[rule];
  uint32_t i = 0;
  for (const uint32_t end : cr.guard_ends) {
    bool any = false;
    for (; i < end; ++i) {
      const auto& [expr, kind] = cr.guard[i];
      const ExprState& s = state_[expr];
      if (s.epoch == epoch_ && s.total[kind] > 0) any = true;
    }
    if (!any) return false;
  }
  return true;
}

void Matcher::ScanDeferred(absl::Span<const uint32_t> exprs, const hs_database* db) {
  const uint32_t end = static_cast<uint32_t>(texts_.size());
  uint32_t from = end;
  for (uint32_t expr : exprs) from = std::min(from, DeferredUpTo(expr));
  if (from == end) return;
  ++deferred_scans_;
  for (uint32_t i = from; i < end; ++i) {
    const auto& [layer, text] = texts_[i];
    deferred_text_ = i;
    BeginScan(/*kind=*/0, layer);
    RunDatabase(db, text);
    ConfirmCandidates(text);
  }
  deferred_text_ = kNone;
  for (uint32_t expr : exprs) Touch(expr).deferred_upto = end;
}

void Matcher::ScanDeferred(bool all) {
  const RuleSet& set = *rules_;
  for (uint32_t r : set.guarded_rules_) {
    if (!GuardHit(r)) {
      if (!all) continue;
    } else {
      ++guard_hits_per_rule_[r];
    }
    const internal::CompiledRule& cr = set.compiled_[r];
    ScanDeferred(cr.deferred, cr.deferred_database.get());
  }
}

std::string_view Matcher::TextOf(int layer) const {
  if (layer == kPathLayer) return path_;
  for (size_t i = texts_.size(); i-- > 0;) {  // the last scan of that layer
    if (texts_[i].first == layer) return texts_[i].second;
  }
  return {};
}

void Matcher::ResolveBegin(Stored& st) {
  if (st.begin_known) return;
  st.begin_known = true;
  const internal::Expression& e = rules_->expressions_[st.expr];
  const std::string_view text = TextOf(st.layer);
  const size_t window = rules_->options_.regex_begin_window;
  const size_t start = st.end > window ? st.end - window : 0;
  re2::StringPiece m;
  if (e.anchored_end != nullptr && st.end <= text.size()) {
    re2::StringPiece sub(text.data() + start, st.end - start);
    // The relaxed regex's leftmost start is at or before the exact one: when the exact regex
    // matches from it, that is the answer (two DFA passes); else the exact reverse search, which
    // may fall back to RE2's much slower NFA.
    if (e.relaxed_end != nullptr &&
        e.relaxed_end->Match(sub, 0, sub.size(), RE2::UNANCHORED, &m, 1)) {
      const size_t s = static_cast<size_t>(m.data() - sub.data());
      if (e.anchored_end->Match(sub, s, sub.size(), RE2::ANCHOR_BOTH, nullptr, 0)) {
        st.begin = start + s;
        return;
      }
    }
    if (e.anchored_end->Match(sub, 0, sub.size(), RE2::UNANCHORED, &m, 1)) {
      st.begin = start + static_cast<size_t>(m.data() - sub.data());
      return;
    }
  }
  st.begin = st.end >= e.min_width ? st.end - e.min_width : 0;
}

void Matcher::ScanPath(std::string_view path) { Scan(path, 1, kPathLayer); }

void Matcher::ScanText(std::string_view text, int layer) { Scan(text, 0, layer); }

void Matcher::Evaluate(std::vector<RuleHit>* out, bool near_misses) {
  const RuleSet& set = *rules_;
  // Deferred patterns first (their hits are part of the union the conditions see); near misses
  // want every pattern's matches, so they scan them whether a guard hit or not.
  ScanDeferred(/*all=*/near_misses);
  rule_list_.clear();
  auto mark = [this](uint32_t rule) {
    if (!rule_marked_[rule]) {
      rule_marked_[rule] = 1;
      rule_list_.push_back(rule);
    }
  };
  for (uint32_t expr : touched_) {
    const ExprState& s = state_[expr];
    const internal::Expression& e = set.expressions_[expr];
    for (int kind = 0; kind < 2; ++kind) {
      if (s.total[kind] == 0) continue;
      for (const internal::Target& t : e.targets[kind]) {
        hits_[set.compiled_[t.rule].hit_offset + t.pattern] = 1;
        mark(t.rule);
      }
    }
  }
  for (uint32_t r : set.level_rules_) {
    const Rule& rule = set.rules_[r];
    for (uint32_t i = 0; i < rule.patterns.size(); ++i) {
      const Pattern& p = rule.patterns[i];
      if (p.kind == Pattern::Kind::kLevel && p.level == level_) {
        hits_[set.compiled_[r].hit_offset + i] = 1;
        mark(r);
      }
    }
  }
  for (uint32_t r : set.true_on_empty_) mark(r);
  std::sort(rule_list_.begin(), rule_list_.end());

  for (uint32_t r : rule_list_) {
    const internal::CompiledRule& cr = set.compiled_[r];
    const Rule& rule = set.rules_[r];
    absl::Span<const uint8_t> hits(hits_.data() + cr.hit_offset, rule.patterns.size());
    const bool held = cr.condition.Evaluate(hits);
    if (held || near_misses) {
      RuleHit hit{&rule, {}, 0, {}, held};
      for (uint32_t i = 0; i < cr.selections.size(); ++i) {
        if (cr.selections[i].Evaluate(hits)) hit.selections.push_back(i);
      }
      for (uint32_t i = 0; i < rule.patterns.size(); ++i) {
        if (!hits[i]) continue;
        const Pattern& p = rule.patterns[i];
        if (p.kind == Pattern::Kind::kLevel) {
          hit.matches.push_back({i, kLevelLayer, 0, 0});
          ++hit.total_matches;
          continue;
        }
        const int kind = p.field == Field::kPath ? 1 : 0;
        const ExprState& s = state_[cr.pattern_expr[i]];
        if (s.epoch != epoch_) continue;
        hit.total_matches += s.total[kind];
        for (uint32_t j = s.head[kind]; j != kNone; j = stored_[j].next) {
          ResolveBegin(stored_[j]);
          hit.matches.push_back({i, stored_[j].layer, stored_[j].begin, stored_[j].end});
        }
      }
      if (held || !hit.matches.empty()) out->push_back(std::move(hit));
    }
    std::fill(hits_.begin() + cr.hit_offset,
              hits_.begin() + cr.hit_offset + rule.patterns.size(), 0);
    rule_marked_[r] = 0;
  }
}

}  // namespace sbscan::signatures
