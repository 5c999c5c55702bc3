#include "decoders/cms.h"

#include <string>

#include "decoders/base64.h"

namespace sbscan::decoders {
namespace {

// DER of OID 1.2.840.113549.1.7.3 (pkcs7-envelopedData).
constexpr std::string_view kEnvelopedOid(
    "\x06\x09\x2A\x86\x48\x86\xF7\x0D\x01\x07\x03", 11);

bool IsEnveloped(std::string_view body) {
  // 4 KiB of DER come from ~5.5 KiB of Base64; stop at a quantum boundary.
  size_t take = 0, chars = 0;
  while (take < body.size() && chars < 5460) {
    const char c = body[take];
    if (c != ' ' && c != '\r' && c != '\n' && c != '\t') ++chars;
    ++take;
  }
  std::string der;
  const Outcome o = DecodeBase64(body.substr(0, take), 4096, &der);
  if (o == Outcome::kNotApplicable) return false;
  return der.find(kEnvelopedOid) != std::string::npos;
}

}  // namespace

size_t FindCmsBlobs(std::string_view text, size_t max_blobs,
                    std::vector<CmsBlob>* out) {
  size_t added = 0;
  size_t pos = 0;
  while (added < max_blobs) {
    const size_t b = text.find(kCmsBegin, pos);
    if (b == std::string_view::npos) break;
    const size_t body_begin = b + kCmsBegin.size();
    const size_t e = text.find(kCmsEnd, body_begin);
    CmsBlob blob{};
    blob.begin = b;
    blob.body_begin = body_begin;
    blob.complete = e != std::string_view::npos;
    blob.body_end = blob.complete ? e : text.size();
    blob.end = blob.complete ? e + kCmsEnd.size() : text.size();
    blob.enveloped =
        IsEnveloped(text.substr(body_begin, blob.body_end - body_begin));
    out->push_back(blob);
    ++added;
    pos = blob.end;
  }
  return added;
}

}  // namespace sbscan::decoders
