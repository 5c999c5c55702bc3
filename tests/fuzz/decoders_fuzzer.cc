// libFuzzer target: every decoder entry point in decoders/*.h. The first byte picks the entry
// point, the rest is its input (for two-input calls, a length-prefixed first piece). Output
// limits are small so that the limit paths are exercised; every output must respect them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "decoders/base64.h"
#include "decoders/base64_candidates.h"
#include "decoders/byte_array.h"
#include "decoders/char_codes.h"
#include "decoders/cms.h"
#include "decoders/deflate.h"
#include "decoders/obfuscation_score.h"
#include "decoders/powershell_score.h"
#include "decoders/rotation.h"
#include "decoders/secure_string.h"
#include "decoders/string_construction.h"
#include "decoders/text_encoding.h"
#include "decoders/text_triggers.h"
#include "decoders/xor.h"
#include "tests/fuzz/fuzz_util.h"

namespace d = sbscan::decoders;

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

namespace {

void CheckRange(size_t begin, size_t end, size_t size) {
  FUZZ_CHECK(begin <= end && end <= size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbscan::fuzz::Cursor cur(data, size);
  const uint8_t which = cur.Byte();
  const size_t max_out = 1 + (size_t{cur.Byte()} << 6);  // 1 .. ~16 KiB
  std::string out;
  switch (which % 20) {
    case 0: {
      std::string_view in = cur.Rest();
      d::Outcome o = d::DecodeBase64(in, max_out, &out);
      FUZZ_CHECK(out.size() <= max_out);
      if (o == d::Outcome::kDecoded) FUZZ_CHECK(out.size() <= d::MaxDecodedBase64Size(in.size()));
      break;
    }
    case 1: {
      std::string text(cur.Rest());
      std::vector<d::Candidate> c;
      d::FindBase64Candidates(text, 4 + max_out % 64, 64, &c);
      FUZZ_CHECK(c.size() <= 64);
      for (const auto& x : c) CheckRange(x.begin, x.end, text.size());
      // Every SIMD path agrees with the scalar reference.
      for (d::SimdPath path : d::kSimdPaths) {
        if (!d::SimdPathSupported(path)) continue;
        std::vector<d::Candidate> p;
        d::FindBase64CandidatesWith(path, text, 4 + max_out % 64, 64, &p);
        FUZZ_CHECK(p == c);
      }
      break;
    }
    case 2: {
      std::string text(cur.Rest());
      std::vector<d::ByteArrayRegion> regions;
      d::FindByteArrays(text, 1 + max_out % 32, 16, &regions);
      FUZZ_CHECK(regions.size() <= 16);
      std::vector<d::ByteArrayRegion> reference;  // the span scan = the whole-text scan
      d::FindByteArraysScalar(text, 1 + max_out % 32, 16, &reference);
      FUZZ_CHECK(reference.size() == regions.size());
      for (size_t i = 0; i < regions.size(); ++i) {
        FUZZ_CHECK(regions[i].begin == reference[i].begin && regions[i].end == reference[i].end &&
                   regions[i].format == reference[i].format &&
                   regions[i].count == reference[i].count);
      }
      for (const auto& r : regions) {
        CheckRange(r.begin, r.end, text.size());
        std::string bytes;
        d::DecodeByteArray(std::string_view(text).substr(r.begin, r.end - r.begin), r.format,
                           max_out, &bytes);
        FUZZ_CHECK(bytes.size() <= max_out);
        std::vector<d::PayloadMarker> markers;
        d::DetectPayloadMarkers(bytes, &markers);
      }
      break;
    }
    case 3: {
      std::string text(cur.Rest());
      d::DecodeByteArray(text, (max_out & 1) ? d::ByteArrayFormat::kHexList
                                             : d::ByteArrayFormat::kDecimalList,
                         max_out, &out);
      FUZZ_CHECK(out.size() <= max_out);
      std::vector<d::PayloadMarker> markers;
      d::DetectPayloadMarkers(text, &markers);
      for (const auto& m : markers) FUZZ_CHECK(m.offset <= text.size());
      break;
    }
    case 4: {
      std::string text(cur.Rest());
      (void)d::MayContainCharCodes(text);
      std::vector<d::CharCodeRun> runs;
      d::DecodeCharCodes(text, 16, max_out, &runs, &out);
      FUZZ_CHECK(runs.size() <= 16 && out.size() <= max_out);
      for (const auto& r : runs) {
        CheckRange(r.begin, r.end, text.size());
        CheckRange(r.out_begin, r.out_end, out.size());
      }
      break;
    }
    case 5: {
      std::string text(cur.Rest());
      std::vector<d::CmsBlob> blobs;
      d::FindCmsBlobs(text, 8, &blobs);
      FUZZ_CHECK(blobs.size() <= 8);
      for (const auto& b : blobs) {
        CheckRange(b.begin, b.end, text.size());
        CheckRange(b.body_begin, b.body_end, text.size());
      }
      break;
    }
    case 6:
      d::InflateRaw(cur.Rest(), max_out, &out);
      FUZZ_CHECK(out.size() <= max_out);
      break;
    case 7:
      d::Gunzip(cur.Rest(), max_out, &out);
      FUZZ_CHECK(out.size() <= max_out);
      break;
    case 8:
      d::InflateZlib(cur.Rest(), max_out, &out);
      FUZZ_CHECK(out.size() <= max_out);
      break;
    case 9: {
      std::string_view format;
      std::string_view in = cur.Rest();
      (void)d::LooksLikeGzip(in);
      (void)d::LooksLikeZlib(in);
      d::DecompressAuto(in, max_out, &out, &format);
      FUZZ_CHECK(out.size() <= max_out);
      break;
    }
    case 10: {
      std::string text(cur.Rest());
      d::ObfuscationFeatures f = d::ComputeObfuscationFeatures(text);
      double s = d::Score(f);
      FUZZ_CHECK(s == s);  // not NaN
      // The analyzer's pass (no entropy) plus ByteEntropy is the full pass.
      d::ObfuscationFeatures g =
          d::ComputeObfuscationFeatures(text, d::EntropyPass::kWithoutEntropy);
      FUZZ_CHECK(g.entropy == 0);
      g.entropy = d::ByteEntropy(text);
      FUZZ_CHECK(g == f);
      break;
    }
    case 11: {
      std::string text(cur.Rest());
      d::PowerShellFeatures f;
      d::ComputePowerShellFeatures(text, &f);
      double s = d::PowerShellScore(text);
      FUZZ_CHECK(s >= 0 && s <= 1);
      (void)d::PowerShellVocabularySignal(f);
      (void)d::LookupPowerShellWord(text.substr(0, 32));
      break;
    }
    case 12: {
      std::string text(cur.Rest());
      d::RotateLetters(text, max_out % 26, &out);
      d::RotationResult rr;
      int n = d::DetectRotation(text, &rr);
      FUZZ_CHECK(n >= 0 && n <= 25);
      break;
    }
    case 13: {
      std::string text(cur.Rest());
      std::vector<d::SecureStringCandidate> c;
      d::FindSecureStrings(text, 8, &c);
      FUZZ_CHECK(c.size() <= 8);
      for (const auto& x : c) {
        CheckRange(x.begin, x.end, text.size());
        std::string plain;
        d::DecryptSecureString(std::string_view(text).substr(x.begin, x.end - x.begin), x.key,
                               max_out, &plain);
        FUZZ_CHECK(plain.size() <= max_out);
      }
      break;
    }
    case 14: {
      std::string key(cur.Piece(40));
      std::string blob(cur.Rest());
      d::DecryptSecureString(blob, key, max_out, &out);
      FUZZ_CHECK(out.size() <= max_out);
      break;
    }
    case 15: {
      std::string text(cur.Rest());
      (void)d::MayNeedNormalization(text);
      d::NormalizeInfo info;
      d::NormalizeStrings(text, max_out, &out, &info);
      FUZZ_CHECK(out.size() <= max_out);
      (void)d::StringTransformNames(info.transforms);
      // Windows and regions: ordered, disjoint, inside both texts.
      const size_t context = 1 + max_out % 97;
      size_t last = 0;
      for (const d::ChangedWindow& w : d::ChangedWindows(info, out, text.size(), context)) {
        FUZZ_CHECK(w.out_begin >= last && w.out_begin <= w.out_end && w.out_end <= out.size());
        CheckRange(w.in_begin, w.in_end, text.size());
        last = w.out_end;
      }
      last = 0;
      for (const auto& [b, e] : d::NormalizationRegions(text, context)) {
        FUZZ_CHECK(b >= last && b < e && e <= text.size());
        FUZZ_CHECK(d::FindNormalizationTrigger(text, b) < e);
        last = e;
      }
      break;
    }
    case 16: {
      std::string bytes(cur.Rest());
      (void)d::ClassifyBytes(bytes);
      d::Utf16leToUtf8(bytes, &out);
      FUZZ_CHECK(out.size() <= bytes.size() / 2 * 3 + 3);
      break;
    }
    case 17: {
      std::string text(cur.Rest());
      std::vector<d::Candidate> c;
      uint32_t triggers = 0;
      d::ScanText(text, 4 + max_out % 64, 32, &c, &triggers);
      for (const auto& x : c) CheckRange(x.begin, x.end, text.size());
      for (d::SimdPath path : d::kSimdPaths) {
        if (!d::SimdPathSupported(path)) continue;
        std::vector<d::Candidate> p;
        uint32_t t = 0;
        d::ScanTextWith(path, text, 4 + max_out % 64, 32, &p, &t);
        FUZZ_CHECK(p == c && t == triggers);
        FUZZ_CHECK(d::TextTriggersWith(path, text) == triggers);
      }
      FUZZ_CHECK(d::TextTriggersScalar(text) == triggers);  // the fused pass = the reference
      break;
    }
    case 18: {
      std::string text(cur.Rest());
      std::vector<d::XorKeyHit> hits;
      d::FindXorKeys(text, 8, &hits);
      FUZZ_CHECK(hits.size() <= 8);
      for (const auto& h : hits) {
        FUZZ_CHECK(!h.key.empty() && h.key.size() <= d::kMaxXorKeyBytes);
        std::string x;
        d::ApplyXor(text, h.key, max_out, &x);
        FUZZ_CHECK(x.size() <= max_out);
      }
      break;
    }
    case 19: {
      std::string key(cur.Piece(16));
      std::string bytes(cur.Rest());
      d::ApplyXor(bytes, key, max_out, &out);
      FUZZ_CHECK(out.size() <= max_out);
      d::XorRecoveryOptions options;
      options.max_key_length = 2 + max_out % 15;
      d::XorRecovery rec;
      if (d::RecoverXorKey(bytes, options, &rec)) FUZZ_CHECK(!rec.key.empty());
      break;
    }
  }
  return 0;
}
