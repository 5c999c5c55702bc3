// sbscan: expands command-line inputs (files, directories, "-") into the files to read.
#ifndef SBSCAN_ENGINE_SRC_INPUT_PATHS_H_
#define SBSCAN_ENGINE_SRC_INPUT_PATHS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sbscan {

// Files stay as given, "-" (stdin) stays "-", directories are searched recursively and their
// regular files added in sorted path order (hidden entries, starting with '.', skipped).
// NotFound naming the path when one does not exist.
absl::StatusOr<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_INPUT_PATHS_H_
