// Recursive static decoding of script text: Base64 payloads, their UTF-16LE
// or UTF-8 text, the payloads inside that text, and so on.
#ifndef SBSCAN_DECODERS_LAYERED_DECODER_H_
#define SBSCAN_DECODERS_LAYERED_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "decoders/base64_candidates.h"
#include "decoders/text_encoding.h"

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

// Returns OK, or InvalidArgument naming the first bad field and its valid
// range: max_depth outside [0, 64], min_base64_run < 4. Thread-safe.
absl::Status ValidateLimits(const Limits& limits);

// One decoded layer. The root text is layer 0 and is not represented.
struct Layer {
  int index;                 // 1-based, in the order produced
  int parent;                // index of the parent layer (0 = root)
  int depth;                 // 1 for children of the root
  std::string_view decoder;  // "base64" (static storage)
  TextEncoding encoding;     // how the decoded bytes were interpreted
  size_t parent_begin, parent_end;  // payload offsets in the parent's text
  // Decoded text: UTF-8 (UTF-16LE payloads are converted); for kBinary the
  // raw bytes. Owned by the LayeredDecoder, valid until the next Run() or
  // its destruction.
  std::string_view text;
  // Additions beyond the base contract:
  CandidateKind kind;   // how the payload was found in the parent
  size_t decoded_size;  // bytes the decoder produced (before UTF-16 -> UTF-8)
  bool truncated;       // decoding stopped at max_decoded_bytes
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
};

// Per-thread scratch for recursive static decoding of script text: finds
// Base64 payloads, decodes them, classifies the bytes (UTF-16LE, UTF-8 or
// binary), and searches each decoded text again, down to max_depth. Never
// executes anything. Not thread-safe: use one per thread. Buffers are kept
// and reused across runs, so a warmed-up decoder does not allocate for
// inputs no larger than those it has seen.
class LayeredDecoder {
 public:
  // Stores `limits`, clamped to valid ranges (see ValidateLimits).
  explicit LayeredDecoder(Limits limits = {});

  LayeredDecoder(const LayeredDecoder&) = delete;
  LayeredDecoder& operator=(const LayeredDecoder&) = delete;

  // Decodes `root` recursively, calling `visit(layer)` for each decoded layer
  // as soon as it exists, parents before children (depth first, children in
  // text order). A candidate that is not valid Base64, or whose bytes are
  // junk, produces no layer and is counted (malformed / junk). Bytes are
  // junk unless they classify as UTF-16LE or UTF-8 text, or are a plausible
  // binary payload: >= 16 bytes and either found by context
  // (-EncodedCommand, FromBase64String), or starting with a known magic
  // (gzip, zlib, PE "MZ", ZIP "PK"), or encoded by a run that looks random
  // (not hex-only, frequent changes between upper case, lower case, digits
  // and symbols -- unlike GUIDs, hashes and identifiers). Binary layers are
  // visited but not searched further. A payload cut by max_decoded_bytes
  // still yields a layer (marked truncated) and stops further decoding.
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
  std::string* NewBuffer();

  Limits limits_;
  DecodeCounters counters_;
  std::vector<Layer> layers_;
  std::deque<std::string> buffers_;  // stable storage for layer texts
  size_t buffers_used_ = 0;
  std::string decoded_;              // scratch for raw decoded bytes
  std::vector<std::vector<Candidate>> candidates_;  // one per depth
};

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_LAYERED_DECODER_H_
