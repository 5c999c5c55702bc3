// Differential test: a naive Sigma evaluator written here, straight from the Sigma YAML (per
// rule, per selection, per field, per value; std::string and RE2), against the compiled engine
// (every Sigma rule in one RuleSet, Matcher over path + text), on every (block, rule) pair over
// the real corpus (../shared/corpus/jsonl and otrf) and over synthetic texts built from the
// rules' own values. They must agree exactly.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "re2/re2.h"
#include "signatures/matcher.h"
#include "tests/signatures/rule_hit_text.h"
#include "signatures/rule_set.h"
#include "signatures/sigma_loader.h"
#include "simdjson.h"
#include "yaml-cpp/yaml.h"

namespace sbscan::signatures {
namespace {

namespace fs = std::filesystem;

struct Block {
  std::string text, path, origin;
};

char Fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Glob over bytes: pattern tokens are (byte, 0) or wildcard kinds 1 = '*', 2 = '?'.
struct Tok {
  char c;
  int kind;
};

std::vector<Tok> SigmaTokens(const std::string& v) {
  std::vector<Tok> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
      out.push_back({v[++i], 0});
    } else if (v[i] == '*') {
      out.push_back({0, 1});
    } else if (v[i] == '?') {
      out.push_back({0, 2});
    } else {
      out.push_back({v[i], 0});
    }
  }
  return out;
}

// Whole-string glob match (classic backtracking on the last '*').
bool GlobMatch(const std::vector<Tok>& p, const std::string& s, bool cased) {
  size_t pi = 0, si = 0, star = std::string::npos, mark = 0;
  auto eq = [&](char a, char b) { return cased ? a == b : Fold(a) == Fold(b); };
  while (si < s.size()) {
    if (pi < p.size() && (p[pi].kind == 2 || (p[pi].kind == 0 && eq(p[pi].c, s[si])))) {
      ++pi, ++si;
    } else if (pi < p.size() && p[pi].kind == 1) {
      star = pi++, mark = si;
    } else if (star != std::string::npos) {
      pi = star + 1, si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi].kind == 1) ++pi;
  return pi == p.size();
}

// The naive evaluator of one Sigma rule.
class NaiveRule {
 public:
  std::string id;  // engine rule id
  bool Load(const YAML::Node& doc) {
    id = "sigma." + doc["id"].as<std::string>();
    std::transform(id.begin(), id.end(), id.begin(), Fold);
    const YAML::Node det = doc["detection"];
    for (auto it = det.begin(); it != det.end(); ++it) {
      std::string k = it->first.as<std::string>();
      if (k == "condition") {
        condition_ = it->second.as<std::string>();
      } else {
        order_.push_back(k);
        sel_[k] = it->second;
      }
    }
    return true;
  }

  bool Eval(const Block& b) {
    block_ = &b;
    toks_.clear();
    std::string t;
    for (char c : condition_) {
      if (c == ' ' || c == '(' || c == ')') {
        if (!t.empty()) toks_.push_back(t), t.clear();
        if (c != ' ') toks_.push_back(std::string(1, c));
      } else {
        t.push_back(c);
      }
    }
    if (!t.empty()) toks_.push_back(t);
    pos_ = 0;
    bool r = Or();
    EXPECT_EQ(pos_, toks_.size()) << id;
    return r;
  }

 private:
  bool Is(const char* s) { return pos_ < toks_.size() && toks_[pos_] == s; }
  bool Or() {
    bool r = And();
    while (Is("or")) ++pos_, r = And() || r;
    return r;
  }
  bool And() {
    bool r = Not();
    while (Is("and")) ++pos_, r = Not() && r;
    return r;
  }
  bool Not() {
    if (Is("not")) return ++pos_, !Not();
    return Primary();
  }
  bool Primary() {
    std::string t = toks_[pos_++];
    if (t == "(") {
      bool r = Or();
      ++pos_;  // ')'
      return r;
    }
    if (Is("of")) {
      ++pos_;
      std::string target = toks_[pos_++];
      bool all = t == "all", any = false, every = true;
      for (const std::string& name : order_) {
        bool take = target == "them" ? name[0] != '_'
                                     : GlobMatch(SigmaTokens(target), name, /*cased=*/true);
        if (!take) continue;
        bool v = Selection(sel_[name]);
        any = any || v;
        every = every && v;
      }
      return all ? every : any;
    }
    return Selection(sel_.at(t));
  }

  bool Selection(const YAML::Node& s) {
    if (s.IsMap()) return Map(s);
    for (const auto& item : s) {  // list: of maps or of keywords
      if (item.IsMap() ? Map(item) : Value(block_->text, {"contains"}, item.as<std::string>())) {
        return true;
      }
    }
    return false;
  }

  bool Map(const YAML::Node& m) {
    for (auto it = m.begin(); it != m.end(); ++it) {
      std::string key = it->first.as<std::string>();
      std::vector<std::string> mods;
      std::stringstream ss(key);
      std::string part, field;
      std::getline(ss, field, '|');
      while (std::getline(ss, part, '|')) mods.push_back(part);
      const std::string& value = field == "Path" ? block_->path : block_->text;
      EXPECT_TRUE(field == "Path" || field == "ScriptBlockText") << id << " " << field;
      bool all = std::find(mods.begin(), mods.end(), "all") != mods.end();
      std::vector<std::string> values;
      if (it->second.IsSequence()) {
        const YAML::Node list = it->second;  // a named copy: the proxy is a temporary
        for (const auto& v : list) values.push_back(v.as<std::string>());
      } else {
        values.push_back(it->second.as<std::string>());
      }
      bool item = all;
      for (const std::string& v : values) {
        bool r = Value(value, mods, v);
        item = all ? (item && r) : (item || r);
      }
      if (!item) return false;
    }
    return true;
  }

  bool Value(const std::string& field, const std::vector<std::string>& mods, const std::string& v) {
    auto has = [&](const char* m) { return std::find(mods.begin(), mods.end(), m) != mods.end(); };
    if (has("re")) {
      RE2::Options o;
      o.set_encoding(RE2::Options::EncodingLatin1);
      o.set_case_sensitive(!has("i"));
      o.set_log_errors(false);
      std::string re = std::string(has("m") ? "(?m)" : "") + (has("s") ? "(?s)" : "") + v;
      std::unique_ptr<RE2>& r = regex_cache_[re + (has("i") ? "\x01i" : "")];
      if (!r) r = std::make_unique<RE2>(re, o);
      EXPECT_TRUE(r->ok()) << id << " " << re;
      return RE2::PartialMatch(field, *r);
    }
    for (const std::string& m : mods) {
      EXPECT_TRUE(m == "contains" || m == "startswith" || m == "endswith" || m == "all" ||
                  m == "cased")
          << id << " uses " << m << ": extend the naive evaluator";
    }
    std::vector<Tok> p = SigmaTokens(v);
    if (has("contains") || has("endswith")) p.insert(p.begin(), Tok{0, 1});
    if (has("contains") || has("startswith")) p.push_back(Tok{0, 1});
    return GlobMatch(p, field, has("cased"));
  }

  std::string condition_;
  std::map<std::string, std::unique_ptr<RE2>> regex_cache_;
  std::vector<std::string> order_;
  std::map<std::string, YAML::Node> sel_;
  const Block* block_ = nullptr;
  std::vector<std::string> toks_;
  size_t pos_ = 0;
};

void ReadJsonl(const fs::path& file, std::vector<Block>* out) {
  simdjson::ondemand::parser parser;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) continue;
    std::string_view text, path;
    Block b;
    if (!doc["ScriptBlockText"].get_string().get(text)) b.text = std::string(text);
    else continue;
    if (!doc["Path"].get_string().get(path)) b.path = std::string(path);
    b.origin = file.string();
    out->push_back(std::move(b));
  }
}

// Synthetic blocks from the rule's own (non-regex) values: each value alone, every value of a
// selection together, every value of the rule together; wildcards filled with "x"; both as
// written and upper-cased.
void Synthesize(const YAML::Node& detection, std::vector<Block>* out) {
  std::string rule_text, rule_path;
  for (auto it = detection.begin(); it != detection.end(); ++it) {
    if (it->first.as<std::string>() == "condition") continue;
    std::string sel_text, sel_path;
    auto add_value = [&](const std::string& field, const std::string& v) {
      std::string filled;
      for (const Tok& t : SigmaTokens(v)) filled.push_back(t.kind == 0 ? t.c : 'x');
      if (field == "Path") {
        out->push_back({"", filled, "synthetic"});
        sel_path = filled;
      } else {
        out->push_back({filled, "", "synthetic"});
        sel_text += filled + " ";
      }
    };
    std::vector<YAML::Node> maps;
    const YAML::Node selection = it->second;  // a named copy: the proxy is a temporary
    if (selection.IsMap()) maps.push_back(selection);
    else for (const auto& n : selection) {
      if (n.IsMap()) maps.push_back(n);
      else add_value("ScriptBlockText", n.as<std::string>());
    }
    for (const YAML::Node& m : maps) {
      for (auto f = m.begin(); f != m.end(); ++f) {
        std::string key = f->first.as<std::string>();
        if (key.find("|re") != std::string::npos) continue;
        std::string field = key.substr(0, key.find('|'));
        if (f->second.IsSequence()) {
          const YAML::Node values = f->second;  // a named copy: the proxy is a temporary
          for (const auto& v : values) add_value(field, v.as<std::string>());
        } else {
          add_value(field, f->second.as<std::string>());
        }
      }
    }
    out->push_back({sel_text, sel_path, "synthetic"});
    rule_text += sel_text;
    if (!sel_path.empty()) rule_path = sel_path;
  }
  out->push_back({rule_text, rule_path, "synthetic"});
  out->push_back({rule_text, "", "synthetic"});
}

TEST(SigmaDifferentialTest, EngineAgreesWithNaiveEvaluator) {
  const std::string shared = SBSCAN_SHARED_DIR;
  absl::StatusOr<SigmaLoadResult> loaded = LoadSigmaRules({shared + "/corpus/sigma"});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  absl::StatusOr<std::shared_ptr<const RuleSet>> set = RuleSet::Compile(loaded->rules);
  ASSERT_TRUE(set.ok()) << set.status();

  std::vector<NaiveRule> naive;
  std::vector<Block> corpus, synthetic;
  std::set<std::string> loaded_ids;
  for (const Rule& r : loaded->rules) loaded_ids.insert(r.id);
  for (const Rule& r : loaded->rules) {
    YAML::Node doc = YAML::LoadFile(r.source_file);
    NaiveRule n;
    n.Load(doc);
    ASSERT_EQ(n.id, r.id);
    naive.push_back(std::move(n));
    Synthesize(doc["detection"], &synthetic);
  }
  for (const char* dir : {"/corpus/jsonl", "/corpus/otrf"}) {
    for (const auto& e : fs::recursive_directory_iterator(shared + dir)) {
      if (e.is_regular_file() && e.path().extension() == ".jsonl") ReadJsonl(e.path(), &corpus);
    }
  }
  ASSERT_GT(corpus.size(), 1000u);
  const size_t synthetic_plain = synthetic.size();
  for (size_t i = 0; i < synthetic_plain; ++i) {
    Block up = synthetic[i];
    for (char& c : up.text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (char& c : up.path) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    synthetic.push_back(std::move(up));
  }

  Matcher matcher(*set);
  ASSERT_TRUE(matcher.status().ok());
  std::vector<RuleHit> hits;
  std::vector<uint8_t> fired(naive.size());
  std::map<const Rule*, size_t> index;
  for (size_t i = 0; i < (*set)->rules().size(); ++i) index[&(*set)->rules()[i]] = i;
  size_t pairs = 0, corpus_fired = 0, synthetic_fired = 0, mismatches = 0;
  std::set<size_t> rules_fired;
  auto run = [&](const std::vector<Block>& blocks, size_t* fired_pairs) {
    for (const Block& b : blocks) {
      matcher.Reset();
      matcher.ScanPath(b.path);
      matcher.ScanText(b.text, 0);
      hits.clear();
      matcher.Evaluate(&hits);
      std::fill(fired.begin(), fired.end(), 0);
      for (const RuleHit& h : hits) fired[index.at(h.rule)] = 1;
      for (size_t r = 0; r < naive.size(); ++r) {
        ++pairs;
        bool expected = naive[r].Eval(b);
        if (expected) ++*fired_pairs, rules_fired.insert(r);
        if (expected != static_cast<bool>(fired[r]) && ++mismatches <= 20) {
          ADD_FAILURE() << naive[r].id << " naive=" << expected << " engine=" << int(fired[r])
                        << " on " << b.origin << " path='" << b.path << "' text='"
                        << b.text.substr(0, 300) << "'";
        }
      }
    }
  };
  run(corpus, &corpus_fired);
  run(synthetic, &synthetic_fired);
  EXPECT_EQ(mismatches, 0u);
  std::cout << "blocks: " << corpus.size() << " corpus, " << synthetic.size()
            << " synthetic; (block, rule) pairs: " << pairs << "; fired: " << corpus_fired
            << " corpus pairs, " << synthetic_fired << " synthetic pairs; rules that fired: "
            << rules_fired.size() << " of " << naive.size() << "\n";
  EXPECT_GT(synthetic_fired, naive.size());

  // Deferral (on by default) changes no result: every hit, match, count and selection, near
  // misses included, equals that of the same rules with every pattern in the shared database.
  ASSERT_GT((*set)->deferred_count(), 100u);
  CompileOptions no_deferral;
  no_deferral.defer_guarded_patterns = false;
  absl::StatusOr<std::shared_ptr<const RuleSet>> plain_set =
      RuleSet::Compile(loaded->rules, no_deferral);
  ASSERT_TRUE(plain_set.ok()) << plain_set.status();
  Matcher plain(*plain_set);
  size_t compared = 0, differing = 0;
  for (const std::vector<Block>* blocks : {&corpus, &synthetic}) {
    for (const Block& b : *blocks) {
      for (bool near_misses : {false, true}) {
        std::vector<RuleHit> a, c;
        for (auto [m, out] : {std::pair{&matcher, &a}, std::pair{&plain, &c}}) {
          m->Reset();
          m->ScanPath(b.path);
          m->ScanText(b.text, 0);
          m->Evaluate(out, near_misses);
        }
        ++compared;
        if (RuleHitText(a) != RuleHitText(c) && ++differing <= 5) {
          ADD_FAILURE() << "deferral changed the result on " << b.origin << " near_misses "
                        << near_misses << ":\n  on : " << RuleHitText(a) << "\n  off: "
                        << RuleHitText(c);
        }
      }
    }
  }
  EXPECT_EQ(differing, 0u);
  EXPECT_GT(matcher.deferred_scans(), 0u);
  std::cout << "deferral: " << (*set)->deferred_count() << " expressions behind the guards of "
            << (*set)->guarded_rule_count() << " rules; " << compared
            << " results compared with deferral off\n";
}

}  // namespace
}  // namespace sbscan::signatures
