#include "decoders/cms.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

// The start of a CMS EnvelopedData (ContentInfo: SEQUENCE, OID
// 1.2.840.113549.1.7.3, [0] EnvelopedData ...), as Protect-CmsMessage
// writes it, then filler standing in for the recipient info and ciphertext.
std::string EnvelopedDer() {
  std::string der("\x30\x82\x01\x2b\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07"
                  "\x03\xa0\x82\x01\x1c\x30\x82\x01\x18\x02\x01\x00",
                  26);
  for (int i = 0; i < 280; ++i) der += static_cast<char>(i * 37 + 11);
  return der;
}

std::string Pem(std::string_view der) {
  return std::string(kCmsBegin) + "\r\n" +
         testing::Wrap(testing::Base64Encode(der), 64) + "\r\n" +
         std::string(kCmsEnd);
}

TEST(CmsTest, ProtectedEventLoggingBlock) {
  // With Protected Event Logging on, the whole ScriptBlockText is the PEM.
  const std::string text = Pem(EnvelopedDer());
  std::vector<CmsBlob> blobs;
  ASSERT_EQ(FindCmsBlobs(text, 4, &blobs), 1u);
  EXPECT_EQ(blobs[0].begin, 0u);
  EXPECT_EQ(blobs[0].end, text.size());
  EXPECT_TRUE(blobs[0].complete);
  EXPECT_TRUE(blobs[0].enveloped);
  EXPECT_EQ(text.substr(blobs[0].body_begin, 2), "\r\n");
}

TEST(CmsTest, EmbeddedTruncatedAndSigned) {
  const std::string pem = Pem(EnvelopedDer());
  // A block whose last fragment is missing: no END marker.
  const std::string cut = pem.substr(0, pem.size() / 2);
  std::vector<CmsBlob> blobs;
  ASSERT_EQ(FindCmsBlobs("$m = @'\n" + pem + "\n'@\n" + cut, 4, &blobs), 2u);
  EXPECT_TRUE(blobs[0].complete);
  EXPECT_FALSE(blobs[1].complete);
  EXPECT_TRUE(blobs[1].enveloped);
  // A CMS that is not EnvelopedData (e.g. signed-data, 1.2.840.113549.1.7.2).
  std::string signed_der = EnvelopedDer();
  signed_der[14] = 0x02;
  blobs.clear();
  ASSERT_EQ(FindCmsBlobs(Pem(signed_der), 4, &blobs), 1u);
  EXPECT_FALSE(blobs[0].enveloped);
}

TEST(CmsTest, NoBlobs) {
  std::vector<CmsBlob> blobs;
  EXPECT_EQ(FindCmsBlobs("Unprotect-CmsMessage -Path .\\a.txt", 4, &blobs), 0u);
  EXPECT_EQ(FindCmsBlobs("-----BEGIN CERTIFICATE-----\nMIIB\n-----END "
                         "CERTIFICATE-----",
                         4, &blobs),
            0u);
  EXPECT_EQ(FindCmsBlobs("", 4, &blobs), 0u);
  const std::string pem = Pem(EnvelopedDer());
  EXPECT_EQ(FindCmsBlobs(pem + pem + pem, 2, &blobs), 2u);
}

}  // namespace
}  // namespace sbscan::decoders
