// sbscan: feeds a JSON-lines file (or stdin) to a Scanner.
#ifndef SBSCAN_ENGINE_SRC_FILE_INPUT_H_
#define SBSCAN_ENGINE_SRC_FILE_INPUT_H_

#include <string>

#include "absl/status/status.h"
#include "engine/src/line_reader.h"
#include "sbscan/scanner.h"

namespace sbscan {

// Reads `path` ("-" = stdin) line by line into scanner.AddJsonRecord, with file:line locations.
// Over-long lines are reported to the scanner as malformed records. Returns an error only when
// the file cannot be opened or read; record-level problems are the scanner's diagnostics.
absl::Status ScanJsonLinesFile(const std::string& path, LineReader& reader, Scanner& scanner);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_FILE_INPUT_H_
