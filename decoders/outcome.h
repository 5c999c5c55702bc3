// Result codes shared by every decoder in sbscan::decoders.
#ifndef SBSCAN_DECODERS_OUTCOME_H_
#define SBSCAN_DECODERS_OUTCOME_H_

#include <cstdint>
#include <string_view>

namespace sbscan::decoders {

// What a decoder did with its input. Decoders never throw, print or abort;
// every anomaly is reported through this value and the caller decides.
//   kNotApplicable: the input is not for this decoder (e.g. empty); nothing
//                   was appended to the output.
//   kDecoded:       the whole input was decoded; the output is complete.
//   kLimitReached:  decoding stopped at the caller's output limit; the output
//                   holds a valid prefix of the full result.
//   kMalformed:     the input is not valid for this decoder; the output may
//                   hold a partial prefix that the caller should discard.
enum class Outcome : uint8_t {
  kNotApplicable,
  kDecoded,
  kLimitReached,
  kMalformed,
};

// Returns a stable lower-case name for `outcome` ("not_applicable",
// "decoded", "limit_reached", "malformed"), in static storage; "unknown" for
// a value outside the enum. Thread-safe.
std::string_view OutcomeName(Outcome outcome);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_OUTCOME_H_
