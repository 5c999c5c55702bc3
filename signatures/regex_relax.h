// A looser form of a regex for finding where its matches start, cheaply.
//
// RE2 finds the start of a match that ends at a known offset by running the regex reversed,
// longest match, from that offset. A large counted repetition such as [^\r\n]{0,300} makes that
// reversed DFA track every subset of counter positions: it runs out of memory and RE2 falls back
// to its NFA, hundreds of microseconds per call. The same regex with the count dropped
// ([^\r\n]*) keeps the DFA small. Its language is a superset, so the leftmost start it finds is
// at or before the true one; when the exact regex matches from there (a forward, anchored check
// that is cheap), it is the true leftmost start.
#ifndef SBSCAN_SIGNATURES_REGEX_RELAX_H_
#define SBSCAN_SIGNATURES_REGEX_RELAX_H_

#include <optional>
#include <string>
#include <string_view>

namespace sbscan::signatures {

// Counted repetitions with a bound above this are relaxed.
inline constexpr int kRelaxRepeatAbove = 8;

// `regex` (RE2 syntax) with every repetition {m,n}, {m,} or {m} whose m or n is above
// kRelaxRepeatAbove ({2,} stays: unbounded with a small m is cheap already) replaced by * (m = 0) or + (m > 0), keeping a lazy `?` suffix. Escapes,
// character classes and braces that are not a quantifier are left as they are. Every string the
// regex matches, the result matches too. nullopt when there is nothing to relax.
std::optional<std::string> RelaxCountedRepeats(std::string_view regex);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_REGEX_RELAX_H_
