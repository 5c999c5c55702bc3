#include "tools/sbscan/external_baselines.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "signatures/string_view_compat.h"
#include "tools/sbscan/subprocess.h"

namespace sbscan::cli {
namespace {

bool WriteFile(const std::string& path, std::string_view data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  return std::fclose(f) == 0 && ok;
}

using signatures::Av;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

std::string FirstLine(std::string_view s) {
  s = Trim(s);
  return std::string(Trim(s.substr(0, s.find('\n'))));
}

// The most telling line of a tool's error output: the last one that starts with "error:"
// (without that prefix), else the first non-empty one.
std::string ErrorLine(std::string_view err) {
  std::string found;
  size_t start = 0;
  while (start < err.size()) {
    size_t nl = err.find('\n', start);
    std::string_view line =
        Trim(err.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (line.substr(0, 6) == "error:") found = std::string(Trim(line.substr(6)));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  if (found.empty()) found = FirstLine(err);
  return found.empty() ? "failed without a message" : found;
}

std::string CommandLine(const std::vector<std::string>& argv) {
  return absl::StrJoin(argv, " ", [](std::string* out, const std::string& a) {
    if (a.find_first_of(" \t'\"") == std::string::npos) {
      out->append(a);
    } else {
      absl::StrAppend(out, "'", a, "'");
    }
  });
}

std::vector<std::string> With(std::vector<std::string> argv,
                              std::initializer_list<std::string> more) {
  argv.insert(argv.end(), more);
  return argv;
}

// Runs argv `repeat` times (at least once); *best gets the shortest wall time. Returns the last
// run's result.
absl::StatusOr<ProcessResult> TimeBest(const std::vector<std::string>& argv, int repeat,
                                       double* best) {
  *best = 1e300;
  absl::StatusOr<ProcessResult> last;
  for (int r = 0; r < std::max(1, repeat); ++r) {
    last = RunProcess(argv);
    if (!last.ok()) return last;
    *best = std::min(*best, last->seconds);
  }
  return last;
}

}  // namespace

std::vector<std::string> RipgrepBaseArgs() {
  return {"rg", "--no-config", "--no-unicode", "-c", "-j1", "-a",
          "--regex-size-limit", "1G", "--dfa-size-limit", "1G"};
}

absl::Status PrepareRipgrepPatterns(PatternExport* patterns, const std::string& pattern_file,
                                    const std::string& empty_file) {
  const std::vector<std::string> base = RipgrepBaseArgs();
  if (!WriteFile(pattern_file, RipgrepPatternFile(*patterns))) {
    return absl::InternalError(absl::StrCat("cannot write ", pattern_file));
  }
  absl::StatusOr<ProcessResult> check = RunProcess(With(base, {"-f", pattern_file, empty_file}));
  if (check.ok() && check->exit_code == 2) {
    // Some pattern is rejected: find which, one by one (only on this slow path).
    for (size_t i = patterns->exported.size(); i-- > 0;) {
      absl::StatusOr<ProcessResult> one =
          RunProcess(With(base, {"-e", RipgrepPatternLine(*patterns, i), empty_file}));
      if (one.ok() && one->exit_code == 2) {
        patterns->LeaveOut(i, absl::StrCat("rejected by rg: ", ErrorLine(one->err)));
      }
    }
    if (!WriteFile(pattern_file, RipgrepPatternFile(*patterns))) {
      return absl::InternalError(absl::StrCat("cannot write ", pattern_file));
    }
    check = RunProcess(With(base, {"-f", pattern_file, empty_file}));
  }
  if (!check.ok()) return check.status();
  if (check->exit_code == 2) {
    return absl::InvalidArgumentError(absl::StrCat("rg: ", ErrorLine(check->err)));
  }
  return absl::OkStatus();
}

absl::Status PrepareYaraRules(PatternExport* patterns, const std::string& rule_file,
                              const std::string& compiled_file) {
  const std::string marker = absl::StrCat(rule_file, "(");
  while (true) {
    if (!WriteFile(rule_file, YaraRuleFile(*patterns))) {
      return absl::InternalError(absl::StrCat("cannot write ", rule_file));
    }
    absl::StatusOr<ProcessResult> c = RunProcess({"yarac", rule_file, compiled_file});
    if (!c.ok()) return c.status();
    if (c->exit_code == 0) return absl::OkStatus();
    const std::string message = ErrorLine(c->err);
    size_t at = message.find(marker);
    size_t line = 0;
    if (at != std::string::npos) {
      std::string_view rest = std::string_view(message).substr(at + marker.size());
      size_t close = rest.find(')');
      if (close == std::string_view::npos || !absl::SimpleAtoi(Av(rest.substr(0, close)), &line)) {
        line = 0;
      }
    }
    if (line == 0 || line > patterns->exported.size()) {
      return absl::InvalidArgumentError(absl::StrCat("yarac: ", message));
    }
    std::string_view why = message;
    if (size_t colon = why.find("): "); colon != std::string_view::npos) {
      why.remove_prefix(colon + 3);
    }
    patterns->LeaveOut(line - 1, absl::StrCat("rejected by yara: ", Av(why)));
  }
}

ExternalBaseline RunRipgrepBaseline(const std::vector<signatures::Rule>& rules,
                                    const std::string& corpus_file, const std::string& temp_dir,
                                    int repeat) {
  ExternalBaseline b;
  b.name = "ripgrep";
  b.note = "counts the lines (events) where any pattern matches; a line's first match is enough";
  if (FindOnPath("rg").empty()) {
    b.skipped = "rg not found";
    return b;
  }
  if (absl::StatusOr<ProcessResult> v = RunProcess({"rg", "--version"}); v.ok()) {
    b.version = FirstLine(v->out);
  }
  b.patterns = ExportPatterns(rules, PatternDialect::kRipgrep);
  const std::string pattern_file = temp_dir + "/patterns.rg";
  const std::string empty_file = temp_dir + "/empty";
  if (!WriteFile(empty_file, "")) {
    b.skipped = absl::StrCat("cannot write ", empty_file);
    return b;
  }
  if (absl::Status st = PrepareRipgrepPatterns(&b.patterns, pattern_file, empty_file); !st.ok()) {
    b.skipped = std::string(st.message());
    return b;
  }
  if (b.patterns.exported.empty()) {
    b.skipped = "no pattern ripgrep can express";
    return b;
  }
  const std::vector<std::string> base = RipgrepBaseArgs();
  const std::vector<std::string> argv = With(base, {"-f", pattern_file, corpus_file});
  b.command = CommandLine(argv);
  absl::StatusOr<ProcessResult> run = TimeBest(argv, repeat, &b.seconds);
  if (!run.ok() || run->exit_code > 1) {
    b.skipped = run.ok() ? absl::StrCat("rg: ", ErrorLine(run->err))
                         : std::string(run.status().message());
    return b;
  }
  uint64_t lines = 0;
  if (!absl::SimpleAtoi(FirstLine(run->out), &lines)) lines = 0;  // rc 1: no output, no match
  b.result = absl::StrCat(lines, " matching lines");
  if (!TimeBest(With(base, {"-f", pattern_file, empty_file}), repeat, &b.startup_seconds).ok()) {
    b.startup_seconds = 0;
  }
  return b;
}

ExternalBaseline RunYaraBaseline(const std::vector<signatures::Rule>& rules,
                                 const std::string& corpus_file, const std::string& temp_dir,
                                 int repeat) {
  ExternalBaseline b;
  b.name = "yara";
  b.note = "whole-file scan: YARA reports which rules match anywhere in the file, not per event";
  if (FindOnPath("yara").empty()) {
    b.skipped = "yara not found";
    return b;
  }
  if (FindOnPath("yarac").empty()) {
    b.skipped = "yarac not found";
    return b;
  }
  if (absl::StatusOr<ProcessResult> v = RunProcess({"yara", "--version"}); v.ok()) {
    b.version = absl::StrCat("yara ", FirstLine(v->out));
  }
  b.patterns = ExportPatterns(rules, PatternDialect::kYara);
  const std::string rule_file = temp_dir + "/patterns.yar";
  const std::string compiled = temp_dir + "/patterns.yarc";
  const std::string empty_file = temp_dir + "/empty";
  if (!WriteFile(empty_file, "")) {
    b.skipped = absl::StrCat("cannot write ", empty_file);
    return b;
  }
  if (b.patterns.exported.empty()) {
    b.skipped = "no pattern YARA can express";
    return b;
  }
  if (absl::Status st = PrepareYaraRules(&b.patterns, rule_file, compiled); !st.ok()) {
    b.skipped = std::string(st.message());
    return b;
  }
  if (b.patterns.exported.empty()) {
    b.skipped = "no pattern YARA can express";
    return b;
  }
  const std::vector<std::string> argv = {"yara", "-C", compiled, corpus_file};
  b.command = CommandLine(argv);
  absl::StatusOr<ProcessResult> run = TimeBest(argv, repeat, &b.seconds);
  if (!run.ok() || run->exit_code != 0) {
    b.skipped = run.ok() ? absl::StrCat("yara: ", ErrorLine(run->err))
                         : std::string(run.status().message());
    return b;
  }
  const size_t matched = static_cast<size_t>(std::count(run->out.begin(), run->out.end(), '\n'));
  b.result = absl::StrCat(matched, " of ", b.patterns.exported.size(),
                          " pattern rules match the file");
  if (!TimeBest({"yara", "-C", compiled, empty_file}, repeat, &b.startup_seconds).ok()) {
    b.startup_seconds = 0;
  }
  return b;
}

}  // namespace sbscan::cli
