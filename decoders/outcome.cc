#include "decoders/outcome.h"

namespace sbscan::decoders {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kNotApplicable:
      return "not_applicable";
    case Outcome::kDecoded:
      return "decoded";
    case Outcome::kLimitReached:
      return "limit_reached";
    case Outcome::kMalformed:
      return "malformed";
  }
  return "unknown";
}

}  // namespace sbscan::decoders
