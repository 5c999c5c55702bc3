// Protected Event Logging: with it on, Windows writes script block text
// encrypted to a certificate as a PEM "-----BEGIN CMS-----" block. Without
// the recipient's private key it cannot be read; sbscan reports it as an
// encrypted layer and never scans it as script.
#ifndef SBSCAN_DECODERS_CMS_H_
#define SBSCAN_DECODERS_CMS_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace sbscan::decoders {

inline constexpr std::string_view kCmsBegin = "-----BEGIN CMS-----";
inline constexpr std::string_view kCmsEnd = "-----END CMS-----";

// One CMS block in a text. Offsets are byte offsets into the text.
struct CmsBlob {
  size_t begin;       // at "-----BEGIN CMS-----"
  size_t end;         // past "-----END CMS-----", or the text end
  size_t body_begin;  // the Base64 body between the markers
  size_t body_end;
  bool complete;      // the END marker was found
  // The body's DER, Base64-decoded (first 4 KiB), holds the OID of CMS
  // EnvelopedData (1.2.840.113549.1.7.3), i.e. the content is encrypted.
  bool enveloped;
};

// Finds CMS blocks in `text` (markers matched exactly, as Windows writes
// them), appending at most `max_blobs` to `*out` in text order and
// returning how many. A BEGIN without END extends to the end of the text
// (complete = false: a fragment of the block may be missing). A text
// without "-----BEGIN CMS" costs one substring search. The driver should
// record each as a layer marked encrypted (decoder "cms") and not decode or
// scan its body. Thread-safe.
size_t FindCmsBlobs(std::string_view text, size_t max_blobs,
                    std::vector<CmsBlob>* out);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_CMS_H_
