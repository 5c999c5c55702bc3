// Recursive static decoding of script text: Base64 payloads, their UTF-16LE
// or UTF-8 text, character codes, string construction (concatenation, -f,
// -replace, reversal, backticks), the payloads inside each result, and so on.
#ifndef SBSCAN_DECODERS_LAYERED_DECODER_H_
#define SBSCAN_DECODERS_LAYERED_DECODER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "decoders/base64_candidates.h"
#include "decoders/char_codes.h"
#include "decoders/text_encoding.h"
#include "decoders/xor.h"

namespace sbscan::decoders {

// Bounds of one LayeredDecoder::Run(). The defaults suit 4104 script blocks.
// LayeredDecoder clamps out-of-range values (see ValidateLimits) so that a
// decoder is always usable; validate user-supplied limits first to report
// them.
struct Limits {
  int max_depth = 8;                     // layers below the root, 0..64
  size_t max_decoded_bytes = 16u << 20;  // total decoded bytes per Run()
  size_t max_candidates = 256;           // candidates examined per Run()
  size_t min_base64_run = 32;            // shortest kBase64Run, >= 4
};

// A "normalize" layer holds the normalised text only around the constructs it resolved: this
// many bytes on each side (then out to the nearest line breaks), windows that touch merged, and
// the whole text when the windows would cover three quarters of it. Outside the windows the
// normalised text is a copy of its parent, already scanned. A signature match that spans a
// resolved construct and reaches further than this past it is not seen.
inline constexpr size_t kNormalizeWindowContext = 1024;

// A text longer than kNormalizeRegionMin is normalised only in the regions around its trigger
// positions (NormalizationRegions with kNormalizeReach): a large module with a few constructs
// is not tokenized whole. A construct that starts more than kNormalizeReach bytes (and whole
// lines) before its trigger is not resolved there.
inline constexpr size_t kNormalizeRegionMin = 16 << 10;
inline constexpr size_t kNormalizeReach = 4 << 10;

// Returns OK, or InvalidArgument naming the first bad field and its valid
// range: max_depth outside [0, 64], min_base64_run < 4. Thread-safe.
absl::Status ValidateLimits(const Limits& limits);

// The decoders the driver applies, for per-decoder counters.
enum class DecoderId : uint8_t {
  kBase64,     // "base64": Base64 payloads (decoders/base64_candidates.h)
  kCharCodes,  // "charcodes": [char]72+..., (72,101,...), delimited digits
  kNormalize,  // "normalize": concatenation, -f, -replace, reversal, ticks
  kDeflate,    // "deflate": gzip / zlib / raw deflate of a binary layer
  kByteArray,  // "byte_array": hex strings, 0x lists, [byte[]] decimal lists
  kXor,        // "xor": a -bxor key from the script, or a recovered key
  kRotation,   // "rotation": ROT13 / Caesar-rotated literals and layers
  kSecureString,  // "securestring": ConvertTo-SecureString with a -Key
  kCms,        // "cms": Protected Event Logging blob (encrypted, not read)
  kCount,
};
inline constexpr size_t kDecoderCount = static_cast<size_t>(DecoderId::kCount);

// Returns the decoder's name as used in Layer::decoder ("base64",
// "charcodes", "normalize", "deflate", "byte_array", "xor", "rotation",
// "securestring", "cms"; static storage; "unknown" otherwise).
// Thread-safe.
std::string_view DecoderIdName(DecoderId id);

// One decoded layer. The root text is layer 0 and is not represented.
struct Layer {
  int index;                 // 1-based, in the order produced
  int parent;                // index of the parent layer (0 = root)
  int depth;                 // 1 for children of the root
  std::string_view decoder;  // DecoderIdName(): "base64", "charcodes",
                             // "normalize" (static storage)
  TextEncoding encoding;     // how the decoded bytes were interpreted
  size_t parent_begin, parent_end;  // payload offsets in the parent's text
  // Decoded text: UTF-8 (UTF-16LE payloads are converted); for kBinary the
  // raw bytes. Owned by the LayeredDecoder, valid until the next Run() or
  // its destruction.
  std::string_view text;
  // Additions beyond the base contract:
  CandidateKind kind;   // how the payload was found in the parent (base64
                        // layers; kBase64Run for the others)
  size_t decoded_size;  // bytes the decoder produced (before UTF-16 -> UTF-8)
  bool truncated;       // decoding stopped at max_decoded_bytes
  // Decoder detail, "" when none: for charcodes the form and base
  // ("list base=16", "delimited base=2 xor=0x5d", "char_cast base=10"), for
  // normalize the transforms applied ("concat,format,replace"), for deflate
  // the format ("gzip"), for byte_array the format and payload markers
  // ("hex_list pe dotnet"), for xor the key and its source ("key=0x5a
  // literal", "key=0x1f2e recovered"), for rotation "rot=13", for
  // securestring "aes key=literal"; layers that cannot be read say
  // "encrypted" ("encrypted dpapi", "encrypted no_key", "encrypted
  // enveloped" for cms): they are binary and never searched further. Valid
  // as long as `text`.
  std::string_view note;
  DecoderId decoder_id;  // the decoder as an enum (same as `decoder`)
};

// Per-decoder activity, cumulative over Run() calls.
struct DecoderCounters {
  uint64_t candidates = 0;  // regions (or texts) the decoder examined
  uint64_t decoded = 0;     // layers it produced
  uint64_t malformed = 0;   // candidates that did not decode (or were junk,
                            // or duplicated an earlier layer of the run)
  uint64_t limit = 0;       // candidates cut or skipped by a limit
};

// Cumulative over all Run() calls of one LayeredDecoder. The *_limit_hits
// fields count Run() calls in which that limit stopped some decoding.
struct DecodeCounters {
  uint64_t runs = 0;        // Run() calls
  uint64_t layers = 0;      // layers produced
  uint64_t candidates = 0;  // candidates examined (decoded or rejected)
  uint64_t malformed = 0;   // candidates that are not valid Base64
  uint64_t depth_limit_hits = 0;      // a layer at max_depth had candidates
  uint64_t bytes_limit_hits = 0;      // max_decoded_bytes was reached
  uint64_t candidate_limit_hits = 0;  // max_candidates was reached
  uint64_t junk = 0;  // valid Base64 whose bytes are neither text nor a
                      // plausible binary payload (GUIDs, identifiers, hex)
  uint64_t duplicates = 0;  // layers dropped because an earlier layer of the
                            // same run has the same text
  // Indexed by DecoderId. The Base64-only fields above keep their meaning
  // (per_decoder[kBase64] repeats them per decoder).
  std::array<DecoderCounters, kDecoderCount> per_decoder{};
};

// Per-thread scratch for recursive static decoding of script text. Every
// text layer (the root included) is handed to each decoder in turn, each
// first running a cheap candidate check (no false negatives, false positives
// allowed) and decoding only on a hit:
//   1. base64: Base64 payloads; bytes classified UTF-16LE / UTF-8 / binary;
//   2. charcodes: DecodeCharCodes, one layer per run (UTF-8 text);
//   3. normalize: NormalizeStrings, one layer holding the whole text with
//      every resolvable string construction replaced by its value.
//   4. byte_array: hex strings / 0x lists / [byte[]] decimal lists of >= 16
//      bytes, classified like Base64 output (mostly binary; the note holds
//      the format and DetectPayloadMarkers names such as "pe",
//      "shellcode_x64_prologue");
//   5. securestring: ConvertTo-SecureString blobs; with a literal -Key the
//      plaintext is a text layer, DPAPI / keyless blobs are binary layers
//      noted "encrypted ..." and not searched;
//   6. rotation: DetectRotation on string literals >= 40 bytes (root and
//      every text layer) and on whole decoded text layers; note "rot=13".
// Protected Event Logging blobs (-----BEGIN CMS-----) are found first and
// recorded as binary "cms" layers noted "encrypted"; no other decoder looks
// inside them. All candidate checks come from one pass (ScanText in
// decoders/text_triggers.h) that yields the Base64 candidates and one flag
// per decoder. Text layers are searched again, down to max_depth. Binary
// layers are decompressed (DecompressAuto: gzip, zlib, raw deflate; note =
// the format; a raw-deflate result is kept only when it classifies as
// text); when that fails, a -bxor key written in the parent text within
// 1 KiB of the byte array is applied (FindXorKeys), else RecoverXorKey
// tries single and short repeating keys (note "key=0x5a recovered"); the
// result is classified and searched like any layer.
// Never executes anything. Not thread-safe: use one per thread. Buffers are kept
// and reused across runs, so a warmed-up decoder does not allocate for
// inputs no larger than those it has seen.
class LayeredDecoder {
 public:
  // Stores `limits`, clamped to valid ranges (see ValidateLimits).
  explicit LayeredDecoder(Limits limits = {});

  LayeredDecoder(const LayeredDecoder&) = delete;
  LayeredDecoder& operator=(const LayeredDecoder&) = delete;

  // Decodes `root` recursively, calling `visit(layer)` for each decoded layer
  // as soon as it exists, parents before children (depth first; a layer's
  // children come decoder by decoder in the order above, each decoder's in
  // text order). A layer whose text equals an earlier layer's of the same
  // run is dropped (counted in `duplicates`): a normalised text still holds
  // the payloads its parent held. A candidate that is not valid Base64, or whose bytes are
  // junk, produces no layer and is counted (malformed / junk). Bytes are
  // junk unless they classify as UTF-16LE or UTF-8 text, or are a plausible
  // binary payload: >= 16 bytes and either found by context
  // (-EncodedCommand, FromBase64String), or starting with a known magic
  // (gzip, zlib, PE "MZ", ZIP "PK"), or encoded by a run that looks random
  // (not hex-only, frequent changes between upper case, lower case, digits
  // and symbols -- unlike GUIDs, hashes and identifiers). Binary layers are
  // visited but not searched further. A payload cut by max_decoded_bytes
  // still yields a layer (marked truncated) and stops further decoding.
  // Every layer (of any decoder) takes one candidate from max_candidates and
  // its size from max_decoded_bytes.
  // `root` and the layer views passed to `visit` are only valid during the
  // call for `root`, until the next Run() for layers; `visit` must not call
  // Run() on this decoder.
  void Run(std::string_view root, absl::FunctionRef<void(const Layer&)> visit);

  // Layers of the last Run(), in production order (layers()[i].index ==
  // i + 1). Views valid until the next Run().
  const std::vector<Layer>& layers() const { return layers_; }
  const DecodeCounters& counters() const { return counters_; }
  const Limits& limits() const { return limits_; }

 private:
  struct RunState;
  void DecodeText(std::string_view text, int parent, int depth,
                  RunState& state,
                  absl::FunctionRef<void(const Layer&)> visit);
  void DecodeBase64Layers(std::string_view text, int parent, int depth,
                          RunState& state,
                          absl::FunctionRef<void(const Layer&)> visit);
  void DecodeCharCodeLayers(std::string_view text, int parent, int depth,
                            RunState& state,
                            absl::FunctionRef<void(const Layer&)> visit);
  void DecodeNormalizeLayer(std::string_view text, int parent, int depth,
                            RunState& state,
                            absl::FunctionRef<void(const Layer&)> visit);
  // Normalises text[begin, end) and emits its changed windows; false when nothing changed.
  bool NormalizeRegion(std::string_view text, size_t begin, size_t end, int parent, int depth,
                       RunState& state, absl::FunctionRef<void(const Layer&)> visit);
  void DecodeByteArrayLayers(std::string_view text, int parent, int depth,
                             RunState& state,
                             absl::FunctionRef<void(const Layer&)> visit);
  void DecodeSecureStringLayers(std::string_view text, int parent, int depth,
                                RunState& state,
                                absl::FunctionRef<void(const Layer&)> visit);
  // Records CMS blobs as encrypted layers; returns how many (their ranges
  // are in cms_ranges_ so other decoders skip them).
  void DecodeCmsLayers(std::string_view text, int parent, int depth,
                       RunState& state,
                       absl::FunctionRef<void(const Layer&)> visit);
  // `has_26`: the text holds "26" (kTriggerRotationLoop), which the root
  // needs before its literals are scored.
  void DecodeRotationLayers(std::string_view text, int parent, int depth, bool has_26,
                            RunState& state,
                            absl::FunctionRef<void(const Layer&)> visit);
  void SetXorHint(const std::vector<XorKeyHit>& hits, size_t begin,
                  size_t end, RunState& state);
  // Takes one candidate and, when some is left, true; else counts the limit.
  bool TakeCandidate(DecoderId id, RunState& state);
  // Emits a text or binary layer from raw bytes (UTF-16LE converted).
  bool EmitBytes(DecoderId id, std::string_view raw, TextEncoding encoding,
                 int parent, int depth, size_t begin, size_t end,
                 std::string_view note, bool truncated, bool searchable,
                 RunState& state,
                 absl::FunctionRef<void(const Layer&)> visit);
  // Binary layers: decompression, then a -bxor key from the script
  // (state.xor_hint), then single/short-key XOR recovery.
  void DecodeBinary(std::string_view bytes, int parent, int depth,
                    RunState& state,
                    absl::FunctionRef<void(const Layer&)> visit);
  // Records `layer` (its text already in a buffer from NewBuffer()), visits
  // it and recurses. Returns false when it duplicates an earlier layer.
  // A layer that is not `searchable` (encrypted) is visited but not decoded
  // further.
  bool Emit(Layer layer, RunState& state,
            absl::FunctionRef<void(const Layer&)> visit,
            bool searchable = true);
  std::string* NewBuffer();
  void ReleaseBuffer();  // gives back the last NewBuffer()

  Limits limits_;
  DecodeCounters counters_;
  std::vector<Layer> layers_;
  std::deque<std::string> buffers_;  // stable storage for layer texts
  size_t buffers_used_ = 0;
  std::string decoded_;              // scratch for raw decoded bytes
  std::vector<std::vector<Candidate>> candidates_;  // one per depth
  std::vector<std::vector<CharCodeRun>> char_runs_;  // one per depth
  std::vector<uint64_t> layer_hashes_;  // hash of every layer text of a run
  std::vector<std::vector<XorKeyHit>> xor_hits_;  // one per depth
  std::vector<std::vector<std::pair<size_t, size_t>>> cms_ranges_;
};

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_LAYERED_DECODER_H_
