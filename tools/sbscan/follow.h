// sbscan CLI: --follow, reading a growing file like `tail -F`.
#ifndef SBSCAN_TOOLS_SBSCAN_FOLLOW_H_
#define SBSCAN_TOOLS_SBSCAN_FOLLOW_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "engine/src/line_reader.h"
#include "sbscan/scanner.h"

namespace sbscan::cli {

struct FollowOptions {
  int poll_milliseconds = 200;  // how often an idle file is checked for growth or rotation
  int64_t idle_flush_seconds = 300;  // open blocks are analyzed as partial after this much quiet
};

// Reads `path` from its start and keeps reading as it grows, until `stop` becomes true (set it
// from a signal handler). Survives rotation (the name now points to another file: the old one is
// read to its end, then the new one from its start; a missing file is waited for) and truncation
// (read again from the start). `after_read` runs after each batch of lines (flush output there).
// Open blocks are analyzed as partial once the file has been idle for idle_flush_seconds. Ends
// with scanner.Finish().
absl::Status FollowJsonLinesFile(const std::string& path, const FollowOptions& options,
                                 LineReader& reader, Scanner& scanner,
                                 const std::atomic<bool>& stop,
                                 const std::function<void()>& after_read);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_FOLLOW_H_
