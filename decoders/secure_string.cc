#include "decoders/secure_string.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "decoders/ascii.h"
#include "decoders/base64.h"
#include "decoders/text_encoding.h"

namespace sbscan::decoders {
namespace {

inline bool IsBase64Char(char c) {
  return IsWordChar(c) && c != '_' ? true : (c == '+' || c == '/' || c == '=');
}
size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}
bool StartsWithNoCase(std::string_view s, size_t i, std::string_view lower) {
  if (i + lower.size() > s.size()) return false;
  for (size_t k = 0; k < lower.size(); ++k) {
    if (Lower(s[i + k]) != lower[k]) return false;
  }
  return true;
}

// Skips whitespace, '(' , '@(' and [casts]. Returns the new position.
size_t SkipWrappers(std::string_view s, size_t i) {
  for (int rounds = 0; rounds < 8; ++rounds) {
    i = SkipSpace(s, i);
    if (i >= s.size()) return i;
    if (s[i] == '(') {
      ++i;
    } else if (s[i] == '@' && i + 1 < s.size() && s[i + 1] == '(') {
      i += 2;
    } else if (s[i] == '[') {
      size_t depth = 0;
      size_t j = i;
      for (; j < s.size() && j < i + 96; ++j) {
        if (s[j] == '[') ++depth;
        if (s[j] == ']' && --depth == 0) break;
      }
      if (j >= s.size() || depth != 0) return i;
      i = j + 1;
    } else {
      return i;
    }
  }
  return i;
}

// A comma-separated list of byte values (decimal or 0x) at `i`.
bool ParseByteList(std::string_view s, size_t i, std::string* key,
                   size_t* end) {
  key->clear();
  size_t j = i;
  for (;;) {
    j = SkipSpace(s, j);
    size_t k = j;
    unsigned v = 0;
    if (k + 1 < s.size() && s[k] == '0' && Lower(s[k + 1]) == 'x') {
      k += 2;
      const size_t start = k;
      while (k < s.size() && HexValue(s[k]) >= 0 && k - start < 3) {
        v = v * 16 + HexValue(s[k]);
        ++k;
      }
      if (k == start) break;
    } else {
      const size_t start = k;
      while (k < s.size() && s[k] >= '0' && s[k] <= '9' && k - start < 4) {
        v = v * 10 + (s[k] - '0');
        ++k;
      }
      if (k == start) break;
    }
    if (v > 255 || (k < s.size() && IsWordChar(s[k]))) break;
    key->push_back(static_cast<char>(v));
    *end = k;
    if (key->size() > 64) return false;
    j = SkipSpace(s, k);
    if (j < s.size() && s[j] == ',') {
      ++j;
      continue;
    }
    break;
  }
  return !key->empty();
}

// A key value at `i`: a byte list or [Text.Encoding]::X.GetBytes('...').
bool ParseKeyValue(std::string_view s, size_t i, std::string* key,
                   size_t* begin, size_t* end) {
  const size_t v = SkipWrappers(s, i);
  if (ParseByteList(s, v, key, end)) {
    *begin = v;
    return true;
  }
  const size_t limit = std::min(s.size(), i + 96);
  for (size_t k = i; k + 9 <= limit; ++k) {
    if (StartsWithNoCase(s, k, "getbytes(")) {
      const size_t q = SkipSpace(s, k + 9);
      if (q >= s.size() || (s[q] != '\'' && s[q] != '"')) return false;
      const size_t close = s.find(s[q], q + 1);
      if (close == std::string_view::npos || close - q - 1 > 64) return false;
      key->assign(s.substr(q + 1, close - q - 1));
      *begin = q + 1;
      *end = close;
      return !key->empty();
    }
  }
  return false;
}

// Resolves $name to the value of its closest assignment before `before`
// (else the first after).
bool ResolveVariable(std::string_view s, std::string_view name, size_t before,
                     std::string* key, size_t* kb, size_t* ke) {
  bool found = false;
  size_t pos = 0;
  std::string value;
  while (pos < s.size()) {
    const size_t d = s.find('$', pos);
    if (d == std::string_view::npos) break;
    pos = d + 1;
    if (!StartsWithNoCase(s, d + 1, name)) continue;
    size_t j = d + 1 + name.size();
    if (j < s.size() && IsWordChar(s[j])) continue;
    j = SkipSpace(s, j);
    if (j >= s.size() || s[j] != '=' || (j + 1 < s.size() && s[j + 1] == '=')) {
      continue;
    }
    size_t b, e;
    if (!ParseKeyValue(s, j + 1, &value, &b, &e)) continue;
    if (d < before || !found) {
      *key = value;
      *kb = b;
      *ke = e;
      found = true;
    }
    if (d >= before) break;
  }
  return found;
}

// The key of the statement around [begin, end): the "-k[ey]" parameter
// closest to the blob within 1024 bytes.
void FindKey(std::string_view s, size_t begin, size_t end,
             SecureStringCandidate* c) {
  const size_t from = begin >= 1024 ? begin - 1024 : 0;
  const size_t to = std::min(s.size(), end + 1024);
  size_t best_distance = SIZE_MAX;
  for (size_t i = from; i + 2 <= to; ++i) {
    if (s[i] != '-' || Lower(s[i + 1]) != 'k') continue;
    if (i > 0 && IsWordChar(s[i - 1])) continue;
    size_t j = i + 2;
    if (j < s.size() && Lower(s[j]) == 'e') ++j;
    if (j < s.size() && Lower(s[j]) == 'y' && j == i + 3) ++j;
    if (j < s.size() && (IsWordChar(s[j]) || s[j] == '-')) continue;
    if (i >= begin && i < end) continue;
    const size_t distance = i < begin ? begin - i : i - end;
    if (distance >= best_distance) continue;
    std::string key;
    size_t kb = 0, ke = 0;
    const size_t v = SkipWrappers(s, j);
    bool ok = false;
    if (v < s.size() && s[v] == '$') {
      size_t n = v + 1;
      while (n < s.size() && IsWordChar(s[n])) ++n;
      if (n > v + 1) {
        ok = ResolveVariable(s, s.substr(v + 1, n - v - 1), i, &key, &kb, &ke);
      }
    } else {
      ok = ParseKeyValue(s, j, &key, &kb, &ke);
    }
    if (ok) {
      best_distance = distance;
      c->key = std::move(key);
      c->key_begin = kb;
      c->key_end = ke;
    }
  }
}

}  // namespace

size_t FindSecureStrings(std::string_view text, size_t max_blobs,
                         std::vector<SecureStringCandidate>* out) {
  struct Header {
    std::string_view magic;
    SecureStringKind kind;
  };
  const Header headers[] = {
      {kSecureStringKeyHeader, SecureStringKind::kAesKey},
      {kSecureStringDpapiHeader, SecureStringKind::kDpapi},
  };
  const size_t first = out->size();
  for (const Header& h : headers) {
    size_t pos = 0;
    while (out->size() - first < max_blobs) {
      const size_t at = text.find(h.magic, pos);
      if (at == std::string_view::npos) break;
      size_t e = at + h.magic.size();
      if (h.kind == SecureStringKind::kAesKey) {
        while (e < text.size() && IsBase64Char(text[e])) ++e;
      } else {
        while (e < text.size() && HexValue(text[e]) >= 0) ++e;
      }
      pos = e;
      if (e - at - h.magic.size() < 16) continue;
      SecureStringCandidate c{at, e, h.kind, {}, 0, 0};
      if (h.kind == SecureStringKind::kAesKey) FindKey(text, at, e, &c);
      out->push_back(std::move(c));
    }
  }
  std::sort(out->begin() + first, out->end(),
            [](const SecureStringCandidate& a, const SecureStringCandidate& b) {
              return a.begin < b.begin;
            });
  return out->size() - first;
}

Outcome DecryptSecureString(std::string_view blob, std::string_view key,
                            size_t max_out, std::string* out) {
  if (key.empty() || blob.substr(0, kSecureStringKeyHeader.size()) !=
                         kSecureStringKeyHeader) {
    return Outcome::kNotApplicable;
  }
  const EVP_CIPHER* cipher = nullptr;
  switch (key.size()) {
    case 16:
      cipher = EVP_aes_128_cbc();
      break;
    case 24:
      cipher = EVP_aes_192_cbc();
      break;
    case 32:
      cipher = EVP_aes_256_cbc();
      break;
    default:
      return Outcome::kMalformed;
  }
  const std::string_view b64 = blob.substr(kSecureStringKeyHeader.size());
  std::string utf16;
  if (DecodeBase64(b64, MaxDecodedBase64Size(b64.size()), &utf16) !=
      Outcome::kDecoded) {
    return Outcome::kMalformed;
  }
  std::string fields;
  Utf16leToUtf8(utf16, &fields);
  // "2|<IV Base64>|<ciphertext hex>": the last two fields.
  const size_t bar2 = fields.rfind('|');
  if (bar2 == std::string::npos || bar2 == 0) return Outcome::kMalformed;
  const size_t bar1 = fields.rfind('|', bar2 - 1);
  const std::string_view iv_b64 =
      std::string_view(fields).substr(bar1 == std::string::npos ? 0 : bar1 + 1,
                                      bar2 - (bar1 == std::string::npos ? 0 : bar1 + 1));
  const std::string_view hex = std::string_view(fields).substr(bar2 + 1);
  std::string iv;
  if (DecodeBase64(iv_b64, 64, &iv) != Outcome::kDecoded || iv.size() != 16) {
    return Outcome::kMalformed;
  }
  if (hex.empty() || hex.size() % 32 != 0) return Outcome::kMalformed;
  std::string ct(hex.size() / 2, '\0');
  for (size_t i = 0; i < ct.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Outcome::kMalformed;
    ct[i] = static_cast<char>(hi << 4 | lo);
  }
  std::string plain(ct.size() + 16, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return Outcome::kMalformed;
  int len1 = 0, len2 = 0;
  const bool ok =
      EVP_DecryptInit_ex(ctx, cipher, nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(iv.data())) ==
          1 &&
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()),
                        &len1,
                        reinterpret_cast<const unsigned char*>(ct.data()),
                        static_cast<int>(ct.size())) == 1 &&
      EVP_DecryptFinal_ex(
          ctx, reinterpret_cast<unsigned char*>(plain.data()) + len1, &len2) ==
          1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return Outcome::kMalformed;
  plain.resize(static_cast<size_t>(len1 + len2));
  const bool cut = plain.size() > max_out;
  if (cut) plain.resize(max_out & ~size_t{1});
  Utf16leToUtf8(plain, out);
  return cut ? Outcome::kLimitReached : Outcome::kDecoded;
}

}  // namespace sbscan::decoders
