// sbscan CLI: runs an external program (ripgrep, YARA) and captures its output, for the
// baselines of `sbscan bench`.
#ifndef SBSCAN_TOOLS_SBSCAN_SUBPROCESS_H_
#define SBSCAN_TOOLS_SBSCAN_SUBPROCESS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sbscan::cli {

// The full path of the executable `name` found on $PATH (or `name` itself when it contains a
// '/' and is executable); empty when there is none.
std::string FindOnPath(std::string_view name);

struct ProcessResult {
  int exit_code = -1;     // the exit status; 128 + signal number when killed by a signal
  std::string out, err;   // stdout and stderr, each cut at the capture limit
  double seconds = 0;     // wall time from spawn to exit
};

// Runs argv (argv[0] searched on $PATH) with stdin from /dev/null, waits for it and returns its
// exit status, output and wall time. Stdout and stderr are read while it runs (it never blocks
// on a full pipe); beyond `max_capture` bytes each is read and dropped. Errors: the program
// could not be started (not found, spawn failed). Thread-compatible; blocks the calling thread.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         size_t max_capture = size_t{1} << 20);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_SUBPROCESS_H_
