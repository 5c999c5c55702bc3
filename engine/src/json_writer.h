// sbscan: minimal, fast JSON output helpers.
#ifndef SBSCAN_ENGINE_SRC_JSON_WRITER_H_
#define SBSCAN_ENGINE_SRC_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sbscan {

// Appends `text` as a JSON string literal (with quotes). Control characters, quotes and
// backslashes are escaped; valid UTF-8 passes through; each byte of invalid UTF-8 becomes
// U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string_view text, std::string* out);
void AppendJsonInt(int64_t value, std::string* out);
// A finite double with up to 4 significant decimals ("0.7312"); non-finite values as null.
void AppendJsonDouble(double value, std::string* out);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_JSON_WRITER_H_
