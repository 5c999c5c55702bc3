// How sbscan configures RE2 for rule regexes, and the literal factors ("atoms") a regex needs.
#ifndef SBSCAN_SIGNATURES_RE2_OPTIONS_H_
#define SBSCAN_SIGNATURES_RE2_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

namespace sbscan::signatures {

// RE2 options matching Hyperscan without HS_FLAG_UTF8: bytes (Latin-1, '.' is one byte, \xHH a
// byte), ASCII case folding unless `cased`, no captures, `max_mem` bytes at most.
RE2::Options Re2Options(bool cased, int64_t max_mem);

// The literal factors (lowercase, at least `min_atom_length` bytes) of `regex` as
// re2::FilteredRE2 computes them. Returns std::nullopt when RE2 rejects the regex; an empty list
// when the regex is "unfiltered" (it can match without containing any such factor, so no
// literal prefilter can rule a text out).
std::optional<std::vector<std::string>> RegexAtoms(const std::string& regex, bool cased,
                                                   int min_atom_length, int64_t max_mem);

// The length of the literal factors every match of `regex` is known to contain: the largest L
// in [1, max_length] for which RegexAtoms(regex, L) still filters it (an AND of factors keeps
// its longest term, an OR is as weak as its shortest branch). 0 when RE2 rejects the regex or no
// factor is known. A cost hint only (the longer, the rarer its hits); never used for matching.
int LiteralFactorLength(const std::string& regex, bool cased, int max_length, int64_t max_mem);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_RE2_OPTIONS_H_
