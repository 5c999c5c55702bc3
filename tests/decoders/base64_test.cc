#include "decoders/base64.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

using ::sbscan::decoders::testing::Base64Encode;
using ::sbscan::decoders::testing::Wrap;

constexpr size_t kNoLimit = 1u << 30;

std::string Decode(std::string_view in, Outcome expected,
                   size_t max_out = kNoLimit) {
  std::string out;
  EXPECT_EQ(DecodeBase64(in, max_out, &out), expected) << in;
  return out;
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Decode("Zg==", Outcome::kDecoded), "f");
  EXPECT_EQ(Decode("Zm8=", Outcome::kDecoded), "fo");
  EXPECT_EQ(Decode("Zm9v", Outcome::kDecoded), "foo");
  EXPECT_EQ(Decode("Zm9vYg==", Outcome::kDecoded), "foob");
  EXPECT_EQ(Decode("Zm9vYmE=", Outcome::kDecoded), "fooba");
  EXPECT_EQ(Decode("Zm9vYmFy", Outcome::kDecoded), "foobar");
}

TEST(Base64Test, MissingPadding) {
  EXPECT_EQ(Decode("Zg", Outcome::kDecoded), "f");
  EXPECT_EQ(Decode("Zm8", Outcome::kDecoded), "fo");
  EXPECT_EQ(Decode("Zm9vYg=", Outcome::kDecoded), "foob");  // partial pad
}

TEST(Base64Test, UrlSafeAndMixedAlphabets) {
  const std::string bytes("\xfb\xff\xbf\xfe\x3e", 5);
  EXPECT_EQ(Base64Encode(bytes), "+/+//j4=");
  EXPECT_EQ(Decode("-_-__j4=", Outcome::kDecoded), bytes);
  EXPECT_EQ(Decode("-_-__j4", Outcome::kDecoded), bytes);
  EXPECT_EQ(Decode("+_-//j4", Outcome::kDecoded), bytes);
}

TEST(Base64Test, WhitespaceAnywhere) {
  EXPECT_EQ(Decode(" Zm9v\r\nYmFy \t", Outcome::kDecoded), "foobar");
  EXPECT_EQ(Decode("Z m 9 v Y g = =", Outcome::kDecoded), "foob");
  EXPECT_EQ(Decode("Zm9vYg==\r\n", Outcome::kDecoded), "foob");
  std::string text;
  for (int i = 0; i < 300; ++i) text += static_cast<char>('a' + i % 26);
  const std::string wrapped = Wrap(Base64Encode(text), 76);
  ASSERT_NE(wrapped.find("\r\n"), std::string::npos);
  EXPECT_EQ(Decode(wrapped, Outcome::kDecoded), text);
  EXPECT_EQ(Decode(Wrap(Base64Encode(text), 64, "\n"), Outcome::kDecoded),
            text);
}

TEST(Base64Test, NotApplicable) {
  EXPECT_EQ(Decode("", Outcome::kNotApplicable), "");
  EXPECT_EQ(Decode(" \r\n\t", Outcome::kNotApplicable), "");
}

TEST(Base64Test, Malformed) {
  Decode("Zm9v!mFy", Outcome::kMalformed);
  Decode("Zm9vY", Outcome::kMalformed);        // one leftover character
  Decode("Z", Outcome::kMalformed);
  Decode("Zg==Zg==", Outcome::kMalformed);     // data after padding
  Decode("Zg===", Outcome::kMalformed);        // too much padding
  Decode("Zm9v=", Outcome::kMalformed);        // padding a full quantum
  Decode("==", Outcome::kMalformed);
  Decode("Zm9v.YmFy", Outcome::kMalformed);
  Decode("Zm9v\vYmFy", Outcome::kMalformed);   // \v is not skipped
  Decode(std::string("Zm9v\0YmFy", 9), Outcome::kMalformed);
  Decode("Zm9v\xc3\xa9", Outcome::kMalformed);
}

TEST(Base64Test, AppendsToExistingOutput) {
  std::string out = "prefix:";
  EXPECT_EQ(DecodeBase64("Zm9v", kNoLimit, &out), Outcome::kDecoded);
  EXPECT_EQ(out, "prefix:foo");
}

TEST(Base64Test, LimitKeepsExactPrefix) {
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  for (bool pad : {true, false}) {
    const std::string enc = Base64Encode(text, false, pad);
    for (size_t limit = 0; limit <= text.size() + 2; ++limit) {
      std::string out = "x";
      const Outcome o = DecodeBase64(enc, limit, &out);
      if (limit < text.size()) {
        EXPECT_EQ(o, Outcome::kLimitReached) << limit;
        EXPECT_EQ(out, "x" + text.substr(0, limit)) << limit;
      } else {
        EXPECT_EQ(o, Outcome::kDecoded) << limit;
        EXPECT_EQ(out, "x" + text) << limit;
      }
    }
  }
}

TEST(Base64Test, RandomRoundTrip) {
  std::mt19937 rng(42);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string data(rng() % 200, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    const bool url = rng() & 1, pad = rng() & 1;
    std::string enc = Base64Encode(data, url, pad);
    if (rng() % 4 == 0) enc = Wrap(enc, 1 + rng() % 80, "\n");
    std::string out;
    const Outcome o = DecodeBase64(enc, kNoLimit, &out);
    ASSERT_EQ(o, data.empty() ? Outcome::kNotApplicable : Outcome::kDecoded);
    ASSERT_EQ(out, data);
  }
}

TEST(Base64Test, MaxDecodedSizeIsAnUpperBound) {
  for (size_t n = 0; n < 64; ++n) {
    std::string data(n, 'x');
    EXPECT_GE(MaxDecodedBase64Size(Base64Encode(data, false, false).size()),
              n);
  }
}

}  // namespace
}  // namespace sbscan::decoders
