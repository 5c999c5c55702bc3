#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/src/bundled_rules.h"
#include "sbscan/scanner.h"
#include "signatures/rule_filter.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"
#include "signatures/sigma_loader.h"

namespace sbscan {
namespace {

namespace fs = std::filesystem;

bool IsRuleFile(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

// A Sigma rule has a top-level `detection:` section; native rules never do.
bool IsSigmaFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("detection:", 0) == 0) return true;
  }
  return false;
}

// Expands directories (recursive, sorted) and splits the files into native and Sigma ones.
absl::Status SplitRuleFiles(const std::vector<std::string>& paths,
                            std::vector<std::string>* native, std::vector<std::string>* sigma) {
  for (const std::string& path : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && IsRuleFile(it->path())) files.push_back(it->path().string());
      }
      std::sort(files.begin(), files.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      return absl::NotFoundError(absl::StrCat(path, ": no such rule file or directory"));
    }
    for (const std::string& f : files) (IsSigmaFile(f) ? sigma : native)->push_back(f);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const signatures::RuleSet>> LoadRuleSet(const RuleSources& sources) {
  std::vector<signatures::Rule> rules;
  if (sources.bundled) {
    for (const BundledRuleFile& file : BundledRuleFiles()) {
      absl::StatusOr<std::vector<signatures::Rule>> parsed =
          signatures::ParseRules(file.yaml, file.name);
      if (!parsed.ok()) return parsed.status();
      for (signatures::Rule& rule : *parsed) {
        rule.ruleset = "bundled";
        rules.push_back(std::move(rule));
      }
    }
  }
  std::vector<std::string> native, sigma;
  if (absl::Status s = SplitRuleFiles(sources.paths, &native, &sigma); !s.ok()) return s;
  if (!native.empty()) {
    absl::StatusOr<std::vector<signatures::Rule>> loaded = signatures::LoadRuleFiles(native);
    if (!loaded.ok()) return loaded.status();
    for (signatures::Rule& rule : *loaded) {
      rule.ruleset = rule.source_file;
      rules.push_back(std::move(rule));
    }
  }
  if (!sigma.empty()) {
    absl::StatusOr<signatures::SigmaLoadResult> loaded = signatures::LoadSigmaRules(sigma);
    if (!loaded.ok()) return loaded.status();
    for (signatures::Rule& rule : loaded->rules) rules.push_back(std::move(rule));
    if (sources.skipped != nullptr) {
      for (const signatures::SigmaSkip& skip : loaded->skipped) {
        sources.skipped->push_back(skip.file + ":" + std::to_string(skip.line) + ": " + skip.id +
                                   ": " + skip.reason);
      }
    }
  }
  signatures::RuleFilter filter;
  filter.include = sources.include;
  filter.exclude = sources.exclude;
  if (!sources.min_level.empty()) {
    filter.min_level = signatures::ParseLevel(sources.min_level);
    if (!filter.min_level) {
      return absl::InvalidArgumentError(
          absl::StrCat("--min-level: unknown level '", sources.min_level,
                       "' (informational, low, medium, high, critical)"));
    }
  }
  signatures::ApplyRuleFilter(filter, &rules);
  return signatures::RuleSet::Compile(std::move(rules));
}

}  // namespace sbscan
