// Static evaluation of PowerShell string construction on literals:
// concatenation, the -f format operator, -replace / .Replace() with literal
// arguments, -join, reversal idioms and backtick escapes (Invoke-Obfuscation
// TOKEN and STRING families). The result is the block text with every
// resolvable construct replaced by its value, so that rules written on the
// clear text match it.
#ifndef SBSCAN_DECODERS_STRING_CONSTRUCTION_H_
#define SBSCAN_DECODERS_STRING_CONSTRUCTION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decoders/outcome.h"

namespace sbscan::decoders {

// Transforms NormalizeStrings applied, as bits of NormalizeInfo::transforms.
enum StringTransform : uint32_t {
  kTransformConcat = 1u << 0,    // 'Inv'+'oke'
  kTransformFormat = 1u << 1,    // '{1}{0}' -f 'b','a'
  kTransformReplace = 1u << 2,   // -replace / -creplace / .Replace()
  kTransformJoin = 1u << 3,      // -join ('a','b') / ('a','b') -join ''
  kTransformReverse = 1u << 4,   // $s[-1..-($s.Length)], [array]::Reverse,
                                 // [regex]::Matches($s,'.','RightToLeft')
  kTransformBacktick = 1u << 5,  // I`nv`oke (outside string literals)
  kTransformAll = (1u << 6) - 1,
};

// Comma-separated names of the bits set in `transforms`, in the order of
// the enum ("concat,format,replace,join,reverse,backtick"); "" for 0. Static
// storage. Thread-safe.
std::string_view StringTransformNames(uint32_t transforms);

// One resolved construct: text[in_begin, in_end) became output[out_begin, out_end)
// (output offsets count from where NormalizeStrings started appending).
struct TextEdit {
  size_t in_begin, in_end;
  size_t out_begin, out_end;
};

struct NormalizeInfo {
  uint32_t transforms = 0;  // StringTransform bits applied
  size_t constructs = 0;    // constructs replaced by their value
  bool budget_hit = false;  // the step budget stopped the evaluation early
  std::vector<TextEdit> edits;  // in text order, disjoint; those within the output
};

// A region of the normalised output around one or more edits, and where it came from.
struct ChangedWindow {
  size_t out_begin, out_end;  // in the normalised output
  size_t in_begin, in_end;    // the same region in the original text
};

// The regions of `normalized` (NormalizeStrings' output for a text, `info` its
// NormalizeInfo) that differ from the original, each widened by `context` bytes on both sides
// and then out to the nearest line breaks (at most `context` bytes further), merged where they
// touch, in order. Everything outside them is a byte-for-byte copy of the original text, so a
// match there is a match of the original too. Returns one window covering all of `normalized`
// (0 to `original_size` in the original) when the windows would cover at least three quarters
// of it (not worth splitting) or there are no edits. Thread-safe.
std::vector<ChangedWindow> ChangedWindows(const NormalizeInfo& info, std::string_view normalized,
                                          size_t original_size, size_t context);

// Cheap candidate check, true when `text` holds one of the shapes that
// obfuscators write and NormalizeStrings resolves: a backtick inside a word
// before a non-escape character (I`nv`oke), literal + literal ('a'+'b',
// [char]39+'x', (...)+'b'), adjacent format items ({1}{0}), -join / -replace
// / .Replace right after a literal (or -join followed by a literal list),
// and the reversal idioms ([-1.., ::Reverse(, 'RightToLeft'). The driver
// only normalises texts that pass; ordinary code ($a -join ',',
// "{0}: {1}" -f $x, $s -replace 'a','b', 'x' + $y) does not. One SSE2 pass
// plus a few byte comparisons per trigger byte; no allocation. Thread-safe.
bool MayNeedNormalization(std::string_view text);

// The first position >= `from` where NormalizationTriggerAt holds, npos when none: the same
// pass as MayNeedNormalization. Thread-safe.
size_t FindNormalizationTrigger(std::string_view text, size_t from);

// Where NormalizeStrings needs to look in a large text: around every trigger position, whole
// lines from at least `reach` bytes before it to at least `reach` bytes after it (a line is
// never cut, however long), regions that touch merged, in order; {0, size} when they would
// cover three quarters of the text; empty when there is no trigger. Text between regions holds
// no trigger, so a construct NormalizeStrings resolves lies in a region unless it starts more
// than `reach` bytes (and lines) before its trigger or is cut by a multi-line literal crossing a
// region's edge. Thread-safe.
std::vector<std::pair<size_t, size_t>> NormalizationRegions(std::string_view text, size_t reach);

// The check MayNeedNormalization makes at one position: true when text[i] is
// one of ` + { [ (or the first letter of jo, pl, rs, ig in any case) and the
// construct around it is one NormalizeStrings resolves. MayNeedNormalization
// is true exactly when this holds at some i; for fused trigger passes that
// find the trigger bytes themselves. Requires i < text.size(). Thread-safe.
bool NormalizationTriggerAt(std::string_view text, size_t i);

// Evaluates string construction in `text` and appends the normalised text to
// `*out` (existing contents are kept): the original text where every
// maximal expression made only of literals ('…', "…" with $() left
// unevaluated, here-strings, [char]N, numbers) and the operators +, -f,
// -replace/-ireplace/-creplace (pattern without regex metacharacters other
// than backslash escapes), .Replace(), .ToString(), .ToLower(), .ToUpper(),
// -join, [string] casts and parentheses, and that applies at least one of
// them, is replaced by its value written raw (without quotes); a bareword
// with backtick escapes loses them (`n `t `0 `a `b `e `f `r `u `v are
// escapes and kept); and where a reversal idiom appears, the longest
// literal value before it (since the previous idiom) is reversed. Nothing is
// executed; variables are never resolved.
//
// Work is bounded by a step budget proportional to the text size; when it
// runs out the rest of the text is copied unchanged and info->budget_hit is
// set. Returns kNotApplicable (nothing appended) when no construct was
// resolved, kDecoded when the output differs from `text`, kLimitReached
// when the output would exceed `max_out` (*out then holds a prefix of at
// most `max_out` bytes). info->edits lists the replaced spans. Thread-safe; `out` must not
// alias `text`.
Outcome NormalizeStrings(std::string_view text, size_t max_out,
                         std::string* out, NormalizeInfo* info);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_STRING_CONSTRUCTION_H_
