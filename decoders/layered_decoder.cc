#include "decoders/layered_decoder.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "decoders/base64.h"
#include "decoders/byte_array.h"
#include "decoders/char_codes.h"
#include "decoders/cms.h"
#include "decoders/deflate.h"
#include "decoders/rotation.h"
#include "decoders/secure_string.h"
#include "decoders/string_construction.h"
#include "decoders/text_triggers.h"
#include "decoders/xor.h"

namespace sbscan::decoders {
namespace {

constexpr int kMaxDepthCeiling = 64;
constexpr size_t kMinBinaryBytes = 16;
constexpr int kMinClassChangePercent = 45;

bool HasKnownMagic(std::string_view b) {
  if (b.size() < 4) return false;
  const auto u = [&](size_t i) { return static_cast<uint8_t>(b[i]); };
  if (u(0) == 0x1F && u(1) == 0x8B) return true;  // gzip
  if (u(0) == 0x78 &&
      (u(1) == 0x01 || u(1) == 0x5E || u(1) == 0x9C || u(1) == 0xDA)) {
    return true;  // zlib
  }
  if (u(0) == 'M' && u(1) == 'Z') return true;  // PE
  if (u(0) == 'P' && u(1) == 'K' && u(2) == 3 && u(3) == 4) return true;
  return false;
}

int CharClass(char c) {
  if (c >= 'A' && c <= 'Z') return 0;
  if (c >= 'a' && c <= 'z') return 1;
  if (c >= '0' && c <= '9') return 2;
  return 3;
}

bool IsHexOrDash(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F') || c == '-';
}

// Whether Base64 text looks like encoded random bytes rather than a GUID, a
// hash in hex, an identifier or a char-code list ("101A114d118A..."). Rules,
// each measured against random Base64 (false rejections 5-9% at 32-40
// characters, under 1% from 100 on) and the identifiers of the corpus:
//  * not only hex digits and '-';
//  * the character class (upper, lower, digit, symbol) changes between at
//    least kMinClassChangePercent of adjacent characters (random: ~64%);
//  * at least min(32, count / 2) distinct characters;
//  * under kMaxWordPercent of the characters sit in runs of >= 5 letters of
//    one case (words; random: ~3%).
constexpr int kMaxWordPercent = 25;

bool LooksRandom(std::string_view encoded) {
  size_t count = 0, changes = 0, in_words = 0, word = 0;
  bool hex_only = true;
  int prev = -1;
  uint64_t seen[4] = {0, 0, 0, 0};
  for (char c : encoded) {
    if (c == '=' || c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    const auto u = static_cast<uint8_t>(c);
    seen[u >> 6] |= uint64_t{1} << (u & 63);
    hex_only = hex_only && IsHexOrDash(c);
    const int cls = CharClass(c);
    if (prev >= 0 && cls != prev) ++changes;
    if (cls <= 1 && cls == prev) {
      ++word;
    } else {
      if (word >= 5) in_words += word;
      word = cls <= 1 ? 1 : 0;
    }
    prev = cls;
    ++count;
  }
  if (word >= 5) in_words += word;
  if (hex_only || count < 2) return false;
  if (changes * 100 < (count - 1) * kMinClassChangePercent) return false;
  const size_t distinct = static_cast<size_t>(
      __builtin_popcountll(seen[0]) + __builtin_popcountll(seen[1]) +
      __builtin_popcountll(seen[2]) + __builtin_popcountll(seen[3]));
  if (distinct < std::min<size_t>(32, count / 2)) return false;
  return in_words * 100 < count * kMaxWordPercent;
}

bool PlausibleBinary(std::string_view bytes, std::string_view encoded,
                     CandidateKind kind) {
  if (bytes.size() < kMinBinaryBytes) return false;
  if (kind != CandidateKind::kBase64Run) return true;
  return HasKnownMagic(bytes) || LooksRandom(encoded);
}

Limits Clamp(Limits l) {
  l.max_depth = std::clamp(l.max_depth, 0, kMaxDepthCeiling);
  l.min_base64_run = std::max(l.min_base64_run, kMinBase64RunFloor);
  return l;
}

}  // namespace

absl::Status ValidateLimits(const Limits& limits) {
  if (limits.max_depth < 0 || limits.max_depth > kMaxDepthCeiling) {
    return absl::InvalidArgumentError(
        absl::StrCat("decode limit max_depth = ", limits.max_depth,
                     " is outside [0, ", kMaxDepthCeiling, "]"));
  }
  if (limits.min_base64_run < kMinBase64RunFloor) {
    return absl::InvalidArgumentError(
        absl::StrCat("decode limit min_base64_run = ", limits.min_base64_run,
                     " is below ", kMinBase64RunFloor));
  }
  return absl::OkStatus();
}

std::string_view DecoderIdName(DecoderId id) {
  switch (id) {
    case DecoderId::kBase64:
      return "base64";
    case DecoderId::kCharCodes:
      return "charcodes";
    case DecoderId::kNormalize:
      return "normalize";
    case DecoderId::kDeflate:
      return "deflate";
    case DecoderId::kByteArray:
      return "byte_array";
    case DecoderId::kXor:
      return "xor";
    case DecoderId::kRotation:
      return "rotation";
    case DecoderId::kSecureString:
      return "securestring";
    case DecoderId::kCms:
      return "cms";
    case DecoderId::kCount:
      break;
  }
  return "unknown";
}

struct LayeredDecoder::RunState {
  size_t bytes_left = 0;
  size_t candidates_left = 0;
  bool depth_hit = false;
  bool bytes_hit = false;
  bool candidate_hit = false;
  // A -bxor key from the script for the binary layer `xor_layer` (its
  // DecodeBinary applies it instead of recovering one).
  int xor_layer = -1;
  // Some text layer of this run has a -bxor operator: only then is a key recovered for XOR-ed
  // bytes (a script that XOR-decodes its payload has to say so).
  bool xor_operator_seen = false;
  std::string xor_key;
  XorKeySource xor_source = XorKeySource::kLiteral;
};

namespace {

// Hash of a layer text for duplicate suppression (8 bytes per step).
uint64_t HashText(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 29;
  }
  for (; i < s.size(); ++i) {
    h = (h ^ static_cast<unsigned char>(s[i])) * 0x100000001B3ull;
  }
  return h ^ (h >> 31);
}

DecoderCounters& Per(DecodeCounters& c, DecoderId id) {
  return c.per_decoder[static_cast<size_t>(id)];
}

}  // namespace

LayeredDecoder::LayeredDecoder(Limits limits)
    : limits_(Clamp(limits)),
      candidates_(static_cast<size_t>(limits_.max_depth) + 1),
      char_runs_(static_cast<size_t>(limits_.max_depth) + 1),
      xor_hits_(static_cast<size_t>(limits_.max_depth) + 1),
      cms_ranges_(static_cast<size_t>(limits_.max_depth) + 1) {}

std::string* LayeredDecoder::NewBuffer() {
  if (buffers_used_ == buffers_.size()) buffers_.emplace_back();
  std::string* buf = &buffers_[buffers_used_++];
  buf->clear();
  return buf;
}

void LayeredDecoder::ReleaseBuffer() { --buffers_used_; }

void LayeredDecoder::Run(std::string_view root,
                         absl::FunctionRef<void(const Layer&)> visit) {
  ++counters_.runs;
  layers_.clear();
  layer_hashes_.clear();
  buffers_used_ = 0;
  // Scratch keeps its capacity between runs, except large buffers: kept, every buffer slot
  // would end up holding the largest layer it ever saw, and the memory would creep up with the
  // length of the stream instead of being set by the limits.
  constexpr size_t kKeepCapacity = 64 << 10;
  for (std::string& buffer : buffers_) {
    if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
  }
  if (decoded_.capacity() > kKeepCapacity) std::string().swap(decoded_);
  RunState state;
  state.bytes_left = limits_.max_decoded_bytes;
  state.candidates_left = limits_.max_candidates;
  DecodeText(root, 0, 1, state, visit);
  counters_.depth_limit_hits += state.depth_hit;
  counters_.bytes_limit_hits += state.bytes_hit;
  counters_.candidate_limit_hits += state.candidate_hit;
}

bool LayeredDecoder::Emit(Layer layer, RunState& state,
                          absl::FunctionRef<void(const Layer&)> visit,
                          bool searchable) {
  const uint64_t h = HashText(layer.text);
  for (uint64_t seen : layer_hashes_) {
    if (seen == h) {
      ++counters_.duplicates;
      ++Per(counters_, layer.decoder_id).malformed;
      ReleaseBuffer();
      return false;
    }
  }
  layer_hashes_.push_back(h);
  layer.index = static_cast<int>(layers_.size()) + 1;
  layers_.push_back(layer);
  ++counters_.layers;
  ++Per(counters_, layer.decoder_id).decoded;
  visit(layer);
  if (!searchable) return true;
  if (layer.encoding != TextEncoding::kBinary) {
    DecodeText(layer.text, layer.index, layer.depth + 1, state, visit);
  } else {
    DecodeBinary(layer.text, layer.index, layer.depth + 1, state, visit);
  }
  return true;
}

bool LayeredDecoder::TakeCandidate(DecoderId id, RunState& state) {
  DecoderCounters& per = Per(counters_, id);
  if (state.candidates_left == 0) {
    state.candidate_hit = true;
    ++per.limit;
    return false;
  }
  if (state.bytes_left == 0) {
    state.bytes_hit = true;
    ++per.limit;
    return false;
  }
  --state.candidates_left;
  ++counters_.candidates;
  ++per.candidates;
  return true;
}

bool LayeredDecoder::EmitBytes(DecoderId id, std::string_view raw,
                               TextEncoding encoding, int parent, int depth,
                               size_t begin, size_t end, std::string_view note,
                               bool truncated, bool searchable,
                               RunState& state,
                               absl::FunctionRef<void(const Layer&)> visit) {
  state.bytes_left -= std::min(state.bytes_left, raw.size());
  std::string* buf = NewBuffer();
  if (encoding == TextEncoding::kUtf16le) {
    Utf16leToUtf8(raw, buf);
  } else {
    buf->assign(raw);
  }
  const size_t text_size = buf->size();
  buf->append(note);
  Layer layer;
  layer.index = 0;
  layer.parent = parent;
  layer.depth = depth;
  layer.decoder = DecoderIdName(id);
  layer.decoder_id = id;
  layer.encoding = encoding;
  layer.parent_begin = begin;
  layer.parent_end = end;
  layer.text = std::string_view(*buf).substr(0, text_size);
  layer.note = std::string_view(*buf).substr(text_size);
  layer.kind = CandidateKind::kBase64Run;
  layer.decoded_size = raw.size();
  layer.truncated = truncated;
  return Emit(layer, state, visit, searchable);
}

void LayeredDecoder::SetXorHint(const std::vector<XorKeyHit>& hits,
                                size_t begin, size_t end, RunState& state) {
  // The -bxor operator closest to the data, within 1 KiB of it.
  constexpr size_t kMaxDistance = 1024;
  const XorKeyHit* best = nullptr;
  size_t best_d = kMaxDistance + 1;
  for (const XorKeyHit& h : hits) {
    const size_t d = h.bxor_offset >= end ? h.bxor_offset - end
                     : h.bxor_offset < begin ? begin - h.bxor_offset
                                             : 0;
    if (d < best_d && !h.key.empty()) {
      best_d = d;
      best = &h;
    }
  }
  if (best == nullptr) return;
  state.xor_layer = static_cast<int>(layers_.size()) + 1;
  state.xor_key.assign(best->key);
  state.xor_source = best->source;
}

void LayeredDecoder::DecodeText(std::string_view text, int parent, int depth,
                                RunState& state,
                                absl::FunctionRef<void(const Layer&)> visit) {
  const size_t slot =
      static_cast<size_t>(std::min(depth, limits_.max_depth + 1) - 1);
  std::vector<Candidate>& cands = candidates_[slot];
  cands.clear();
  uint32_t trig = 0;
  if (depth > limits_.max_depth || state.candidates_left == 0) {
    ScanText(text, limits_.min_base64_run, 1, &cands, &trig);
    if (!cands.empty() || trig != 0) {
      (depth > limits_.max_depth ? state.depth_hit : state.candidate_hit) =
          true;
    }
    return;
  }
  const size_t want =
      std::min(state.candidates_left, std::numeric_limits<size_t>::max() - 1) +
      1;
  ScanText(text, limits_.min_base64_run, want, &cands, &trig);
  std::vector<XorKeyHit>& keys = xor_hits_[slot];
  keys.clear();
  if (trig & kTriggerXorKey) {
    state.xor_operator_seen = true;
    FindXorKeys(text, 64, &keys);
  }
  std::vector<std::pair<size_t, size_t>>& cms = cms_ranges_[slot];
  cms.clear();
  if (trig & kTriggerCms) {
    DecodeCmsLayers(text, parent, depth, state, visit);
    if (!cms.empty()) {  // nothing inside a CMS blob is read
      std::erase_if(cands, [&](const Candidate& c) {
        for (const auto& r : cms) {
          if (c.begin < r.second && c.end > r.first) return true;
        }
        return false;
      });
    }
  }
  DecodeBase64Layers(text, parent, depth, state, visit);
  if (trig & kTriggerCharCodes) {
    DecodeCharCodeLayers(text, parent, depth, state, visit);
  }
  if (trig & kTriggerNormalize) {
    DecodeNormalizeLayer(text, parent, depth, state, visit);
  }
  if (trig & kTriggerByteArray) {
    DecodeByteArrayLayers(text, parent, depth, state, visit);
  }
  if (trig & kTriggerSecureString) {
    DecodeSecureStringLayers(text, parent, depth, state, visit);
  }
  DecodeRotationLayers(text, parent, depth, (trig & kTriggerRotationLoop) != 0, state, visit);
}

void LayeredDecoder::DecodeCmsLayers(
    std::string_view text, int parent, int depth, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  std::vector<CmsBlob> blobs;
  FindCmsBlobs(text, state.candidates_left + 1, &blobs);
  std::vector<std::pair<size_t, size_t>>& cms =
      cms_ranges_[static_cast<size_t>(depth - 1)];
  for (const CmsBlob& b : blobs) {
    cms.emplace_back(b.begin, b.end);  // skipped even past the limits
  }
  for (const CmsBlob& b : blobs) {
    if (!TakeCandidate(DecoderId::kCms, state)) continue;
    std::string note = "encrypted";
    if (b.enveloped) note += " enveloped";
    if (!b.complete) note += " incomplete";
    const std::string_view body =
        text.substr(b.begin, std::min(b.end - b.begin, state.bytes_left));
    EmitBytes(DecoderId::kCms, body, TextEncoding::kBinary, parent, depth,
              b.begin, b.end, note, body.size() < b.end - b.begin,
              /*searchable=*/false, state, visit);
  }
}

void LayeredDecoder::DecodeByteArrayLayers(
    std::string_view text, int parent, int depth, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  std::vector<ByteArrayRegion> regions;
  FindByteArrays(text, kByteArrayMinBytes, state.candidates_left + 1,
                 &regions);
  const size_t slot = static_cast<size_t>(depth - 1);
  DecoderCounters& per = Per(counters_, DecoderId::kByteArray);
  std::vector<PayloadMarker> markers;
  std::string bytes, note;
  for (const ByteArrayRegion& r : regions) {
    bool in_cms = false;
    for (const auto& c : cms_ranges_[slot]) {
      in_cms |= r.begin < c.second && r.end > c.first;
    }
    if (in_cms || !TakeCandidate(DecoderId::kByteArray, state)) continue;
    bytes.clear();
    const Outcome outcome =
        DecodeByteArray(text.substr(r.begin, r.end - r.begin), r.format,
                        state.bytes_left, &bytes);
    const bool truncated = outcome == Outcome::kLimitReached;
    if ((outcome != Outcome::kDecoded && !truncated) || bytes.empty()) {
      ++per.malformed;
      continue;
    }
    if (truncated) {
      state.bytes_hit = true;
      ++per.limit;
    }
    TextEncoding encoding = ClassifyBytes(bytes);
    note.assign(ByteArrayFormatName(r.format));
    markers.clear();
    DetectPayloadMarkers(bytes, &markers);
    for (const PayloadMarker& m : markers) {
      note += ' ';
      note += m.name;
    }
    if (encoding == TextEncoding::kBinary) {
      SetXorHint(xor_hits_[slot], r.begin, r.end, state);
    }
    EmitBytes(DecoderId::kByteArray, bytes, encoding, parent, depth, r.begin,
              r.end, note, truncated, true, state, visit);
    state.xor_layer = -1;
  }
}

void LayeredDecoder::DecodeSecureStringLayers(
    std::string_view text, int parent, int depth, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  std::vector<SecureStringCandidate> blobs;
  FindSecureStrings(text, state.candidates_left + 1, &blobs);
  DecoderCounters& per = Per(counters_, DecoderId::kSecureString);
  std::string plain;
  for (const SecureStringCandidate& b : blobs) {
    if (!TakeCandidate(DecoderId::kSecureString, state)) continue;
    const std::string_view blob = text.substr(b.begin, b.end - b.begin);
    std::string_view why;
    if (b.kind == SecureStringKind::kDpapi) {
      why = "encrypted dpapi";
    } else if (b.key.empty()) {
      why = "encrypted no_key";
    } else {
      plain.clear();
      const Outcome outcome =
          DecryptSecureString(blob, b.key, state.bytes_left, &plain);
      const bool truncated = outcome == Outcome::kLimitReached;
      if (outcome == Outcome::kDecoded || truncated) {
        if (truncated) {
          state.bytes_hit = true;
          ++per.limit;
        }
        EmitBytes(DecoderId::kSecureString, plain, TextEncoding::kUtf8,
                  parent, depth, b.begin, b.end, "aes key=literal", truncated,
                  true, state, visit);
        continue;
      }
      why = "encrypted bad_key";
      ++per.malformed;
    }
    const std::string_view shown = blob.substr(0, state.bytes_left);
    EmitBytes(DecoderId::kSecureString, shown, TextEncoding::kBinary, parent,
              depth, b.begin, b.end, why, shown.size() < blob.size(),
              /*searchable=*/false, state, visit);
  }
}

namespace {

constexpr size_t kMinRotationLiteral = 40;

// "key=0x5a literal", "key=0x1f2e recovered".
std::string XorNote(std::string_view key, std::string_view source) {
  std::string note = "key=0x";
  for (char k : key) {
    absl::StrAppend(&note, absl::Hex(static_cast<uint8_t>(k), absl::kZeroPad2));
  }
  note += ' ';
  note.append(source);
  return note;
}

}  // namespace

void LayeredDecoder::DecodeRotationLayers(
    std::string_view text, int parent, int depth, bool has_26, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  if (text.size() < kMinRotationLiteral) return;
  const auto try_region = [&](size_t begin, size_t end, char quote = 0) {
    const std::string_view region = text.substr(begin, end - begin);
    RotationResult rr;
    const int n = DetectRotation(region, &rr);
    if (n == 0) return false;
    if (!TakeCandidate(DecoderId::kRotation, state)) return true;
    std::string rotated;
    RotateLetters(region.substr(0, state.bytes_left), n, &rotated);
    if (quote != 0) {  // the literal's value: '' -> '
      size_t w = 0;
      for (size_t r = 0; r < rotated.size(); ++r, ++w) {
        rotated[w] = rotated[r];
        if (rotated[r] == quote && r + 1 < rotated.size() &&
            rotated[r + 1] == quote) {
          ++r;
        }
      }
      rotated.resize(w);
    }
    EmitBytes(DecoderId::kRotation, rotated, TextEncoding::kUtf8, parent,
              depth, begin, end, absl::StrCat("rot=", n),
              region.size() > state.bytes_left, true, state, visit);
    return true;
  };
  // A decoded text layer (not itself a rotation) may be rotated as a whole.
  if (parent > 0 &&
      layers_[static_cast<size_t>(parent - 1)].decoder_id !=
          DecoderId::kRotation &&
      try_region(0, text.size())) {
    // and its literals too: a clear wrapper around a rotated literal can
    // read as rotated as a whole when the literal is long.
  }
  // String literals of >= kMinRotationLiteral bytes -- in the root only when
  // the script holds the number 26 of a rotation loop ((c - 84) % 26): scoring
  // every long literal of every block costs more than the whole driver.
  if (parent == 0 && !has_26) return;
  const char* s = text.data();
  const size_t n = text.size();
  size_t i = 0;
  // The next ' and " at or after s + i (nullptr: none left), each searched
  // again only once i has passed it: one memchr per literal, not one per
  // literal and quote kind over the rest of the text.
  const char* next[2] = {static_cast<const char*>(std::memchr(s, '\'', n)),
                         static_cast<const char*>(std::memchr(s, '"', n))};
  while (i < n) {
    for (int k = 0; k < 2; ++k) {
      if (next[k] != nullptr && next[k] < s + i) {
        next[k] = static_cast<const char*>(std::memchr(s + i, k == 0 ? '\'' : '"', n - i));
      }
    }
    const char* q = next[0] == nullptr   ? next[1]
                    : next[1] == nullptr ? next[0]
                                         : std::min(next[0], next[1]);
    if (q == nullptr) return;
    const size_t open = static_cast<size_t>(q - s);
    size_t end = open;
    for (;;) {  // a doubled quote ('' or "") is an escape, not the end
      const void* close = std::memchr(s + end + 1, *q, n - end - 1);
      if (close == nullptr) return;
      end = static_cast<size_t>(static_cast<const char*>(close) - s);
      if (end + 1 < n && s[end + 1] == *q) {
        ++end;
        continue;
      }
      break;
    }
    if (end - open - 1 >= kMinRotationLiteral) try_region(open + 1, end, *q);
    i = end + 1;
  }
}

void LayeredDecoder::DecodeBinary(
    std::string_view bytes, int parent, int depth, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  const bool hinted = state.xor_layer == parent;
  std::string key;
  XorKeySource source = XorKeySource::kLiteral;
  if (hinted) {
    key.swap(state.xor_key);
    source = state.xor_source;
    state.xor_layer = -1;
  }
  if (bytes.size() < 2) return;
  if (depth > limits_.max_depth) {
    if (LooksLikeGzip(bytes) || LooksLikeZlib(bytes) || hinted) {
      state.depth_hit = true;
    }
    return;
  }
  // 1. Decompression: a gzip / zlib header, or a first deflate block type
  // that is not the reserved one (checked inside DecompressAuto).
  if (!TakeCandidate(DecoderId::kDeflate, state)) return;
  DecoderCounters& per = Per(counters_, DecoderId::kDeflate);
  std::string raw;
  std::string_view format;
  const Outcome outcome =
      DecompressAuto(bytes, state.bytes_left, &raw, &format);
  const bool truncated = outcome == Outcome::kLimitReached;
  bool claimed = false;
  if ((outcome != Outcome::kDecoded && !truncated) || raw.empty()) {
    ++per.malformed;
  } else {
    const TextEncoding encoding = ClassifyBytes(raw);
    if (format == "deflate" && encoding == TextEncoding::kBinary) {
      ++per.malformed;  // headerless: only text is evidence of a real stream
    } else {
      if (truncated) {
        state.bytes_hit = true;
        ++per.limit;
      }
      EmitBytes(DecoderId::kDeflate, raw, encoding, parent, depth, 0,
                bytes.size(), format, truncated, true, state, visit);
      claimed = true;
    }
  }
  if (claimed) return;
  // 2. XOR: the script's own -bxor key, else recovery -- only for bytes no
  // other decoder claims (not compressed, no executable/archive magic).
  DecoderCounters& px = Per(counters_, DecoderId::kXor);
  std::string plain;
  if (!key.empty()) {
    // The script's key: kept when it yields text; else recovery is tried
    // (the operator may belong to other data).
    if (!TakeCandidate(DecoderId::kXor, state)) return;
    const Outcome xo = ApplyXor(bytes, key, state.bytes_left, &plain);
    const TextEncoding encoding = ClassifyBytes(plain);
    if (encoding != TextEncoding::kBinary) {
      const bool xtrunc = xo == Outcome::kLimitReached;
      if (xtrunc) {
        state.bytes_hit = true;
        ++px.limit;
      }
      EmitBytes(DecoderId::kXor, plain, encoding, parent, depth, 0,
                bytes.size(), XorNote(key, XorKeySourceName(source)), xtrunc,
                true, state, visit);
      return;
    }
    ++px.malformed;
    key.clear();
    plain.clear();
  }
  {
    if (!state.xor_operator_seen || bytes.size() < 24 || HasKnownMagic(bytes)) return;
    if (bytes.size() >= 4 && bytes[0] == 0x7F && bytes.substr(1, 3) == "ELF") {
      return;
    }
    if (!TakeCandidate(DecoderId::kXor, state)) return;
    XorRecovery rec;
    if (!RecoverXorKey(bytes, XorRecoveryOptions{}, &rec)) {
      ++px.malformed;
      return;
    }
    key = rec.key;
  }
  const Outcome xo = ApplyXor(bytes, key, state.bytes_left, &plain);
  const bool xtrunc = xo == Outcome::kLimitReached;
  if (xtrunc) {
    state.bytes_hit = true;
    ++px.limit;
  }
  const TextEncoding encoding = ClassifyBytes(plain);
  if (encoding == TextEncoding::kBinary) {
    ++px.malformed;
    return;
  }
  EmitBytes(DecoderId::kXor, plain, encoding, parent, depth, 0, bytes.size(),
            XorNote(key, "recovered"), xtrunc, true, state, visit);
}

void LayeredDecoder::DecodeBase64Layers(
    std::string_view text, int parent, int depth, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  // Filled by DecodeText (ScanText), CMS bodies removed.
  std::vector<Candidate>& cands = candidates_[static_cast<size_t>(depth - 1)];
  DecoderCounters& per = Per(counters_, DecoderId::kBase64);
  if (state.candidates_left == 0) return;
  if (cands.size() > state.candidates_left) {
    state.candidate_hit = true;
    per.limit += cands.size() - state.candidates_left;
    cands.resize(state.candidates_left);
  }
  // `cands` belongs to this depth; recursion uses the next one.
  for (size_t i = 0; i < cands.size(); ++i) {
    const Candidate c = cands[i];
    if (state.bytes_left == 0) {
      state.bytes_hit = true;
      per.limit += cands.size() - i;
      return;
    }
    if (state.candidates_left == 0) {  // spent by this layer's children
      state.candidate_hit = true;
      per.limit += cands.size() - i;
      return;
    }
    --state.candidates_left;
    ++counters_.candidates;
    ++per.candidates;
    const std::string_view payload = text.substr(c.begin, c.end - c.begin);
    decoded_.clear();
    const Outcome outcome = DecodeBase64(payload, state.bytes_left, &decoded_);
    if (outcome == Outcome::kMalformed ||
        outcome == Outcome::kNotApplicable) {
      ++counters_.malformed;
      ++per.malformed;
      continue;
    }
    const bool truncated = outcome == Outcome::kLimitReached;
    if (truncated) {
      state.bytes_hit = true;
      ++per.limit;
    }
    state.bytes_left -= decoded_.size();
    const TextEncoding encoding = ClassifyBytes(decoded_);
    if (encoding == TextEncoding::kBinary &&
        !PlausibleBinary(decoded_, payload, c.kind)) {
      ++counters_.junk;
      ++per.malformed;
      continue;
    }
    std::string* buf = NewBuffer();
    if (encoding == TextEncoding::kUtf16le) {
      Utf16leToUtf8(decoded_, buf);
    } else {
      buf->assign(decoded_);
    }
    Layer layer;
    layer.index = 0;
    layer.parent = parent;
    layer.depth = depth;
    layer.decoder = DecoderIdName(DecoderId::kBase64);
    layer.decoder_id = DecoderId::kBase64;
    layer.encoding = encoding;
    layer.parent_begin = c.begin;
    layer.parent_end = c.end;
    layer.text = *buf;
    layer.kind = c.kind;
    layer.decoded_size = decoded_.size();
    layer.truncated = truncated;
    layer.note = {};
    if (encoding == TextEncoding::kBinary) {
      SetXorHint(xor_hits_[static_cast<size_t>(depth - 1)], c.begin, c.end,
                 state);
    }
    Emit(layer, state, visit);
    state.xor_layer = -1;
  }
}

void LayeredDecoder::DecodeCharCodeLayers(
    std::string_view text, int parent, int depth, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  if (state.candidates_left == 0 || !MayContainCharCodes(text)) return;
  DecoderCounters& per = Per(counters_, DecoderId::kCharCodes);
  std::vector<CharCodeRun>& runs = char_runs_[static_cast<size_t>(depth - 1)];
  runs.clear();
  decoded_.clear();
  if (state.bytes_left == 0) {
    state.bytes_hit = true;
    ++per.limit;
    return;
  }
  const Outcome outcome = DecodeCharCodes(text, state.candidates_left,
                                          state.bytes_left, &runs, &decoded_);
  if (outcome == Outcome::kLimitReached) {
    ++per.limit;
    if (runs.size() >= state.candidates_left) {
      state.candidate_hit = true;
    } else {
      state.bytes_hit = true;
    }
  }
  // `runs` and decoded_ are reused by the recursion below: copy each run's
  // text out first.
  std::string* all = NewBuffer();
  all->swap(decoded_);
  const std::vector<CharCodeRun> local(runs.begin(), runs.end());
  for (size_t i = 0; i < local.size(); ++i) {
    const CharCodeRun& r = local[i];
    if (state.candidates_left == 0) {
      state.candidate_hit = true;
      per.limit += local.size() - i;
      break;
    }
    --state.candidates_left;
    ++counters_.candidates;
    ++per.candidates;
    const std::string_view out(all->data() + r.out_begin,
                               r.out_end - r.out_begin);
    if (out.size() > state.bytes_left) {
      state.bytes_hit = true;
      per.limit += local.size() - i;
      break;
    }
    state.bytes_left -= out.size();
    std::string* buf = NewBuffer();
    buf->assign(out);
    const size_t text_size = buf->size();
    buf->append(CharCodeFormName(r.form));
    absl::StrAppend(buf, " base=", static_cast<int>(r.base));
    if (r.xor_key >= 0) absl::StrAppend(buf, " xor=0x", absl::Hex(r.xor_key));
    Layer layer;
    layer.index = 0;
    layer.parent = parent;
    layer.depth = depth;
    layer.decoder = DecoderIdName(DecoderId::kCharCodes);
    layer.decoder_id = DecoderId::kCharCodes;
    layer.encoding = TextEncoding::kUtf8;
    layer.parent_begin = r.begin;
    layer.parent_end = r.end;
    layer.text = std::string_view(*buf).substr(0, text_size);
    layer.note = std::string_view(*buf).substr(text_size);
    layer.kind = CandidateKind::kBase64Run;
    layer.decoded_size = text_size;
    layer.truncated = false;
    Emit(layer, state, visit);
  }
}

void LayeredDecoder::DecodeNormalizeLayer(
    std::string_view text, int parent, int depth, RunState& state,
    absl::FunctionRef<void(const Layer&)> visit) {
  if (state.candidates_left == 0) return;  // the caller saw kTriggerNormalize
  DecoderCounters& per = Per(counters_, DecoderId::kNormalize);
  if (state.bytes_left == 0) {
    state.bytes_hit = true;
    ++per.limit;
    return;
  }
  --state.candidates_left;
  ++counters_.candidates;
  ++per.candidates;
  const std::vector<std::pair<size_t, size_t>> regions =
      text.size() > kNormalizeRegionMin
          ? NormalizationRegions(text, kNormalizeReach)
          : std::vector<std::pair<size_t, size_t>>{{0, text.size()}};
  bool changed = false;
  for (const auto& [begin, end] : regions) {
    if (state.bytes_left == 0) {
      state.bytes_hit = true;
      ++per.limit;
      break;
    }
    changed |= NormalizeRegion(text, begin, end, parent, depth, state, visit);
  }
  if (!changed) ++per.malformed;
}

bool LayeredDecoder::NormalizeRegion(std::string_view text, size_t begin, size_t end,
                                     int parent, int depth, RunState& state,
                                     absl::FunctionRef<void(const Layer&)> visit) {
  DecoderCounters& per = Per(counters_, DecoderId::kNormalize);
  const std::string_view region = text.substr(begin, end - begin);
  std::string* buf = NewBuffer();
  NormalizeInfo info;
  const Outcome outcome = NormalizeStrings(region, state.bytes_left, buf, &info);
  if (info.budget_hit) ++per.limit;
  if (outcome == Outcome::kNotApplicable || outcome == Outcome::kMalformed) {
    ReleaseBuffer();
    return false;
  }
  const bool truncated = outcome == Outcome::kLimitReached;
  if (truncated) {
    state.bytes_hit = true;
    ++per.limit;
  }
  state.bytes_left -= std::min(state.bytes_left, buf->size());
  Layer layer;
  layer.index = 0;
  layer.parent = parent;
  layer.depth = depth;
  layer.decoder = DecoderIdName(DecoderId::kNormalize);
  layer.decoder_id = DecoderId::kNormalize;
  layer.encoding = TextEncoding::kUtf8;
  layer.note = StringTransformNames(info.transforms);
  layer.kind = CandidateKind::kBase64Run;
  layer.truncated = truncated;
  // Only the windows around resolved constructs are new: the rest of the normalised text is a
  // copy of `text`, already scanned and decoded. A large script with a few constructs yields
  // a few small layers instead of a second copy of itself.
  const std::vector<ChangedWindow> windows =
      ChangedWindows(info, *buf, region.size(), kNormalizeWindowContext);
  if (windows.size() == 1 && windows[0].out_begin == 0 && windows[0].out_end == buf->size()) {
    layer.parent_begin = begin + windows[0].in_begin;
    layer.parent_end = begin + windows[0].in_end;
    layer.text = *buf;
    layer.decoded_size = buf->size();
    Emit(layer, state, visit);
    return true;
  }
  const std::string_view normalized = *buf;  // stays allocated under the windows' buffers
  for (const ChangedWindow& w : windows) {
    std::string* part = NewBuffer();
    part->assign(normalized.substr(w.out_begin, w.out_end - w.out_begin));
    layer.parent_begin = begin + w.in_begin;
    layer.parent_end = begin + w.in_end;
    layer.text = *part;
    layer.decoded_size = part->size();
    Emit(layer, state, visit);
  }
  return true;
}

}  // namespace sbscan::decoders
