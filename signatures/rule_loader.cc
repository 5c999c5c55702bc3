#include "signatures/rule_loader.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "signatures/condition.h"
#include "signatures/status_macros.h"
#include "signatures/string_view_compat.h"
#include "signatures/yaml_load_all.h"

namespace sbscan::signatures {
namespace {

constexpr std::string_view kDefaultCondition = "1 of them";

int LineOf(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

// Builds error messages that carry file, line and (when known) the rule id.
class ErrorContext {
 public:
  ErrorContext(std::string_view source, int doc_index) : source_(source), doc_(doc_index) {}
  void set_id(std::string id) { id_ = std::move(id); }
  absl::Status Error(int line, const std::string& what) const {
    std::string msg(source_);
    if (line > 0) absl::StrAppend(&msg, ":", line);
    if (!id_.empty()) {
      absl::StrAppend(&msg, ": rule '", id_, "'");
    } else {
      absl::StrAppend(&msg, ": rule #", doc_ + 1, " (no id yet)");
    }
    absl::StrAppend(&msg, ": ", what);
    return absl::InvalidArgumentError(msg);
  }

 private:
  std::string_view source_;
  std::string id_;
  int doc_;
};

bool IsValidId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

absl::StatusOr<std::string> ScalarString(const YAML::Node& node, const std::string& key,
                                         const ErrorContext& ctx) {
  if (!node.IsScalar()) {
    return ctx.Error(LineOf(node), absl::StrCat("'", key, "' must be a string"));
  }
  return node.Scalar();
}

absl::StatusOr<bool> ScalarBool(const YAML::Node& node, const std::string& key,
                                const ErrorContext& ctx) {
  if (node.IsScalar()) {
    std::string v = absl::AsciiStrToLower(node.Scalar());
    if (v == "true" || v == "yes") return true;
    if (v == "false" || v == "no") return false;
  }
  return ctx.Error(LineOf(node), absl::StrCat("'", key, "' must be true or false"));
}

absl::StatusOr<int> ScalarInt(const YAML::Node& node, const std::string& key, int lo, int hi,
                              const ErrorContext& ctx) {
  int v = 0;
  if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &v) || v < lo || v > hi) {
    return ctx.Error(LineOf(node),
                     absl::StrCat("'", key, "' must be an integer in [", lo, ", ", hi, "]"));
  }
  return v;
}

absl::Status ParsePattern(const std::string& name, const YAML::Node& key_node,
                          const YAML::Node& value, const ErrorContext& ctx, Pattern* out) {
  const int line = LineOf(key_node);
  out->name = name;
  out->line = line;
  if (!IsValidPatternName(name)) {
    return ctx.Error(line, absl::StrCat("bad pattern name '", name,
                                        "': names are [A-Za-z0-9_]+, not all digits, and not "
                                        "one of and/or/not/of/them/all"));
  }
  if (value.IsScalar()) {
    out->kind = Pattern::Kind::kLiteral;
    out->value = value.Scalar();
  } else if (value.IsMap()) {
    int kinds = 0;
    bool has_cased = false, has_field = false;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!it->first.IsScalar()) return ctx.Error(LineOf(it->first), "pattern keys must be strings");
      const std::string key = it->first.Scalar();
      const YAML::Node v = it->second;
      if (key == "literal" || key == "regex") {
        ++kinds;
        out->kind = key == "literal" ? Pattern::Kind::kLiteral : Pattern::Kind::kRegex;
        SBSCAN_ASSIGN_OR_RETURN(out->value, ScalarString(v, key, ctx));
      } else if (key == "level") {
        ++kinds;
        out->kind = Pattern::Kind::kLevel;
        SBSCAN_ASSIGN_OR_RETURN(out->level, ScalarInt(v, key, 0, 255, ctx));
      } else if (key == "cased") {
        has_cased = true;
        SBSCAN_ASSIGN_OR_RETURN(out->cased, ScalarBool(v, key, ctx));
      } else if (key == "field") {
        has_field = true;
        SBSCAN_ASSIGN_OR_RETURN(std::string f, ScalarString(v, key, ctx));
        if (f == "text") {
          out->field = Field::kText;
        } else if (f == "path") {
          out->field = Field::kPath;
        } else {
          return ctx.Error(LineOf(v), absl::StrCat("pattern '", name, "': field must be 'text' "
                                                   "or 'path', not '", f, "'"));
        }
      } else {
        return ctx.Error(LineOf(it->first),
                         absl::StrCat("pattern '", name, "': unknown key '", key,
                                      "' (expected literal, regex, level, cased, field)"));
      }
    }
    if (kinds != 1) {
      return ctx.Error(line, absl::StrCat("pattern '", name, "' must have exactly one of "
                                          "'literal', 'regex' or 'level'"));
    }
    if (out->kind == Pattern::Kind::kLevel && (has_cased || has_field)) {
      return ctx.Error(line, absl::StrCat("pattern '", name,
                                          "': a level pattern takes no 'cased' or 'field'"));
    }
  } else {
    return ctx.Error(line, absl::StrCat("pattern '", name, "' must be a string (a literal) or "
                                        "a mapping with literal/regex/level"));
  }
  if (out->kind != Pattern::Kind::kLevel && out->value.empty()) {
    return ctx.Error(line, absl::StrCat("pattern '", name, "': empty ",
                                        out->kind == Pattern::Kind::kRegex ? "regex" : "literal"));
  }
  return absl::OkStatus();
}

absl::Status ParseExamples(const YAML::Node& node, const ErrorContext& ctx,
                           std::vector<Example>* out) {
  if (!node.IsMap()) {
    return ctx.Error(LineOf(node), "'examples' must be a mapping with 'match' and/or 'no_match'");
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (key != "match" && key != "no_match") {
      return ctx.Error(LineOf(it->first), absl::StrCat("examples: unknown key '", key,
                                                       "' (expected match, no_match)"));
    }
    const bool must_match = key == "match";
    const YAML::Node list = it->second;
    if (list.IsNull()) continue;
    if (!list.IsSequence()) {
      return ctx.Error(LineOf(list), absl::StrCat("examples.", key, " must be a list"));
    }
    for (const YAML::Node& entry : list) {
      Example ex;
      ex.line = LineOf(entry);
      ex.must_match = must_match;
      if (entry.IsScalar()) {
        ex.text = entry.Scalar();
      } else if (entry.IsMap()) {
        for (auto e = entry.begin(); e != entry.end(); ++e) {
          const std::string k = e->first.IsScalar() ? e->first.Scalar() : "";
          if (k == "text") {
            SBSCAN_ASSIGN_OR_RETURN(ex.text, ScalarString(e->second, k, ctx));
          } else if (k == "path") {
            SBSCAN_ASSIGN_OR_RETURN(ex.path, ScalarString(e->second, k, ctx));
          } else if (k == "level") {
            SBSCAN_ASSIGN_OR_RETURN(ex.level, ScalarInt(e->second, k, 0, 255, ctx));
          } else {
            return ctx.Error(LineOf(e->first), absl::StrCat("examples.", key, ": unknown key '",
                                                            k, "' (expected text, path, level)"));
          }
        }
      } else {
        return ctx.Error(ex.line, absl::StrCat("examples.", key, ": an entry must be a string or "
                                               "a mapping {text, path, level}"));
      }
      out->push_back(std::move(ex));
    }
  }
  return absl::OkStatus();
}

void DeriveAttack(Rule* rule) {
  for (const std::string& tag : rule->tags) {
    std::string lower = absl::AsciiStrToLower(tag);
    if (lower.rfind("attack.", 0) != 0) continue;
    std::string_view rest = std::string_view(lower).substr(7);
    if (rest.empty()) continue;
    // Technique: t + 4 digits, optionally . + 3 digits.
    bool technique = rest.size() >= 5 && rest[0] == 't';
    if (technique) {
      for (size_t i = 1; i < 5; ++i) technique = technique && absl::ascii_isdigit(rest[i]);
      if (technique && rest.size() > 5) {
        technique = rest.size() == 9 && rest[5] == '.' && absl::ascii_isdigit(rest[6]) &&
                    absl::ascii_isdigit(rest[7]) && absl::ascii_isdigit(rest[8]);
      }
    }
    std::vector<std::string>* dest = technique ? &rule->technique_ids : &rule->tactics;
    std::string value(rest);
    if (technique) {
      value[0] = 'T';
    } else {
      std::replace(value.begin(), value.end(), '_', '-');
    }
    if (std::find(dest->begin(), dest->end(), value) == dest->end()) dest->push_back(value);
  }
}

absl::Status ParseRule(const YAML::Node& doc, std::string_view source, int doc_index,
                       Rule* rule) {
  ErrorContext ctx(source, doc_index);
  rule->source_file = std::string(source);
  rule->condition.clear();
  if (!doc.IsMap()) return ctx.Error(LineOf(doc), "a rule must be a YAML mapping");
  // First pass: the id, so that every later error names the rule.
  absl::flat_hash_set<std::string> seen;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!it->first.IsScalar()) return ctx.Error(LineOf(it->first), "keys must be strings");
    if (it->first.Scalar() == "id") {
      rule->source_line = LineOf(it->first);
      SBSCAN_ASSIGN_OR_RETURN(rule->id, ScalarString(it->second, "id", ctx));
      if (!IsValidId(rule->id)) {
        return ctx.Error(rule->source_line, absl::StrCat("bad id '", rule->id,
                                                         "': ids are [a-z0-9._-]+"));
      }
      ctx.set_id(rule->id);
    }
  }
  bool has_title = false, has_level = false, has_patterns = false;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string key = it->first.Scalar();
    const int line = LineOf(it->first);
    const YAML::Node value = it->second;
    if (!seen.insert(key).second) {
      return ctx.Error(line, absl::StrCat("duplicate key '", key, "'"));
    }
    if (key == "id") {
      continue;
    } else if (key == "title") {
      SBSCAN_ASSIGN_OR_RETURN(rule->title, ScalarString(value, key, ctx));
      if (rule->title.empty() || rule->title.find('\n') != std::string::npos) {
        return ctx.Error(line, "'title' must be one non-empty line");
      }
      has_title = true;
    } else if (key == "description") {
      SBSCAN_ASSIGN_OR_RETURN(rule->description, ScalarString(value, key, ctx));
    } else if (key == "level") {
      SBSCAN_ASSIGN_OR_RETURN(std::string level, ScalarString(value, key, ctx));
      std::optional<Level> parsed = ParseLevel(level);
      if (!parsed) {
        return ctx.Error(line, absl::StrCat("bad level '", level, "' (expected informational, "
                                            "low, medium, high or critical)"));
      }
      rule->level = *parsed;
      has_level = true;
    } else if (key == "author" || key == "status") {
      SBSCAN_ASSIGN_OR_RETURN(std::string text, ScalarString(value, key, ctx));
      (key == "author" ? rule->author : rule->status) = std::move(text);
    } else if (key == "tags" || key == "references" || key == "falsepositives") {
      if (value.IsNull()) continue;
      if (!value.IsSequence()) {
        return ctx.Error(line, absl::StrCat("'", key, "' must be a list of strings"));
      }
      std::vector<std::string>& list = key == "tags"         ? rule->tags
                                       : key == "references" ? rule->references
                                                             : rule->falsepositives;
      for (const YAML::Node& item : value) {
        SBSCAN_ASSIGN_OR_RETURN(std::string t, ScalarString(item, key, ctx));
        list.push_back(std::move(t));
      }
    } else if (key == "patterns") {
      if (!value.IsMap() || value.size() == 0) {
        return ctx.Error(line, "'patterns' must be a non-empty mapping of name: pattern");
      }
      absl::flat_hash_set<std::string> names;
      for (auto p = value.begin(); p != value.end(); ++p) {
        SBSCAN_ASSIGN_OR_RETURN(std::string name, ScalarString(p->first, "pattern name", ctx));
        if (!names.insert(name).second) {
          return ctx.Error(LineOf(p->first), absl::StrCat("duplicate pattern name '", name, "'"));
        }
        Pattern pattern;
        SBSCAN_RETURN_IF_ERROR(ParsePattern(name, p->first, p->second, ctx, &pattern));
        rule->patterns.push_back(std::move(pattern));
      }
      has_patterns = true;
    } else if (key == "condition") {
      SBSCAN_ASSIGN_OR_RETURN(rule->condition, ScalarString(value, key, ctx));
      if (rule->condition.empty()) return ctx.Error(line, "'condition' is empty");
    } else if (key == "examples") {
      SBSCAN_RETURN_IF_ERROR(ParseExamples(value, ctx, &rule->examples));
    } else {
      return ctx.Error(line, absl::StrCat("unknown key '", key, "' (expected id, title, "
                                          "description, level, status, author, tags, "
                                          "references, falsepositives, patterns, condition, "
                                          "examples)"));
    }
  }
  const int line = rule->source_line > 0 ? rule->source_line : LineOf(doc);
  if (rule->id.empty()) return ctx.Error(line, "missing required key 'id'");
  if (!has_title) return ctx.Error(line, "missing required key 'title'");
  if (!has_level) return ctx.Error(line, "missing required key 'level'");
  if (!has_patterns) return ctx.Error(line, "missing required key 'patterns'");
  if (rule->condition.empty()) rule->condition = std::string(kDefaultCondition);
  DeriveAttack(rule);
  return absl::OkStatus();
}

absl::Status ParseRulesImpl(std::string_view yaml, std::string_view source_name,
                            std::vector<Rule>* rules) {
  std::vector<YAML::Node> docs = LoadAllYaml(yaml);
  absl::flat_hash_map<std::string, int> ids;
  int index = 0;
  for (const YAML::Node& doc : docs) {
    if (doc.IsNull()) continue;  // empty document, e.g. a trailing '---'
    Rule rule;
    SBSCAN_RETURN_IF_ERROR(ParseRule(doc, source_name, index, &rule));
    auto [it, inserted] = ids.emplace(rule.id, rule.source_line);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(Av(source_name), ":", rule.source_line, ": rule '", rule.id,
                       "': duplicate rule id (first defined at line ", it->second, ")"));
    }
    rules->push_back(std::move(rule));
    ++index;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Rule>> ParseRules(std::string_view yaml,
                                             std::string_view source_name) {
  std::vector<Rule> rules;
  try {
    SBSCAN_RETURN_IF_ERROR(ParseRulesImpl(yaml, source_name, &rules));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(Av(source_name), ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": YAML error: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(Av(source_name), ": ", e.what()));
  }
  return rules;
}

absl::StatusOr<std::vector<Rule>> LoadRuleFiles(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      return absl::NotFoundError(absl::StrCat(path, ": no such rule file or directory"));
    }
    if (fs::is_directory(st)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(path, fs::directory_options::follow_directory_symlink,
                                          ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path& p = it->path();
        std::string ext = p.extension().string();
        std::error_code ec2;
        if ((ext == ".yml" || ext == ".yaml") && fs::is_regular_file(p, ec2)) {
          found.push_back(p.string());
        }
      }
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": cannot list directory: ", ec.message()));
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  std::vector<Rule> all;
  absl::flat_hash_map<std::string, std::pair<std::string, int>> ids;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(file, ": cannot open rule file"));
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) return absl::InvalidArgumentError(absl::StrCat(file, ": read error"));
    SBSCAN_ASSIGN_OR_RETURN(std::vector<Rule> rules, ParseRules(buf.str(), file));
    for (Rule& rule : rules) {
      auto [it, inserted] = ids.emplace(rule.id, std::make_pair(file, rule.source_line));
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, ":", rule.source_line, ": rule '", rule.id, "': duplicate rule id (first "
            "defined at ", it->second.first, ":", it->second.second, ")"));
      }
      all.push_back(std::move(rule));
    }
  }
  return all;
}

}  // namespace sbscan::signatures
