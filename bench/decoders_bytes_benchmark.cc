// Throughput of the byte-level decoders: each candidate check on ~1 MiB of
// benign PowerShell (the cost every block pays), and each decode step.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "decoders/byte_array.h"
#include "decoders/cms.h"
#include "decoders/deflate.h"
#include "decoders/powershell_score.h"
#include "decoders/rotation.h"
#include "decoders/secure_string.h"
#include "decoders/xor.h"

namespace sbscan::decoders {
namespace {

// ~1 MiB of ordinary PowerShell: cmdlets, parameters, hashes, GUIDs, small
// arrays, numbers; no payload.
const std::string& BenignText() {
  static const std::string* text = [] {
    const char* lines[] = {
        "function Get-InventoryItem {\n",
        "    [CmdletBinding()]\n    param([Parameter(Mandatory)][string]$ComputerName,\n",
        "          [int]$TimeoutSeconds = 30, [switch]$Force)\n",
        "    $ErrorActionPreference = 'Stop'\n",
        "    # Query the remote registry for installed software, then filter.\n",
        "    $items = Get-ChildItem -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall' -ErrorAction SilentlyContinue\n",
        "    foreach ($item in $items) { if ($item.DisplayName -eq $null -or $item.SystemComponent -eq 1) { continue } }\n",
        "    $result = $items | Where-Object { $_.InstallDate -gt (Get-Date).AddDays(-30) } | Sort-Object -Property DisplayName\n",
        "    Write-Verbose \"Found $($result.Count) items on $ComputerName in $TimeoutSeconds s\"\n",
        "    $hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n",
        "    $id = [guid]'6b29fc40-ca47-1067-b31d-00dd010662da'; $ports = @(80, 443, 8080)\n",
        "    $mask = 0xFF -band $flags; $key = Get-Item -Path $path -ErrorAction SilentlyContinue\n",
        "    $path = Join-Path -Path $env:ProgramData -ChildPath 'Contoso\\Inventory\\cache.json'\n",
        "    Set-Content -Path $path -Value ($result | ConvertTo-Json -Depth 4) -Encoding UTF8 -Force\n",
        "    if (-not (Test-Path -LiteralPath $path)) { throw \"cache file missing: $path\" }\n",
        "    return [pscustomobject]@{ Name = $ComputerName; Count = $result.Count; Expires = (Get-Date).AddHours(1) }\n",
        "}\n",
        "$url = 'https://intranet.contoso.com/api/v2/inventory/upload?site=emea-01'\n",
        "Invoke-RestMethod -Uri $url -Method Post -Body $body -ContentType 'application/json' -UseDefaultCredentials\n",
    };
    auto* s = new std::string;
    std::mt19937 rng(5);
    while (s->size() < (1u << 20)) {
      *s += lines[rng() % (sizeof(lines) / sizeof(lines[0]))];
    }
    return s;
  }();
  return *text;
}

void SetBytes(benchmark::State& state, size_t n) {
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(n));
}

// ---- Candidate checks on benign text -------------------------------------

void BM_PowerShellScore(benchmark::State& state) {
  const std::string& text = BenignText();
  for (auto _ : state) benchmark::DoNotOptimize(PowerShellScore(text));
  SetBytes(state, text.size());
}
BENCHMARK(BM_PowerShellScore);

void BM_FindXorKeysBenign(benchmark::State& state) {
  const std::string& text = BenignText();
  std::vector<XorKeyHit> hits;
  for (auto _ : state) {
    hits.clear();
    FindXorKeys(text, 64, &hits);
    benchmark::DoNotOptimize(hits.data());
  }
  if (!hits.empty()) state.SkipWithError("benign text has xor keys");
  SetBytes(state, text.size());
}
BENCHMARK(BM_FindXorKeysBenign);

// Arg 0: FindByteArrays (long span-byte runs only, on AVX2); 1: the
// whole-text scalar reference, in the same run.
void BM_FindByteArraysBenign(benchmark::State& state) {
  const std::string& text = BenignText();
  const auto find = state.range(0) == 0 ? FindByteArrays : FindByteArraysScalar;
  std::vector<ByteArrayRegion> out;
  for (auto _ : state) {
    out.clear();
    find(text, 16, 64, &out);
    benchmark::DoNotOptimize(out.data());
  }
  if (!out.empty()) state.SkipWithError("benign text has byte arrays");
  SetBytes(state, text.size());
}
BENCHMARK(BM_FindByteArraysBenign)->ArgName("scalar")->Arg(0)->Arg(1);

void BM_FindSecureStringsBenign(benchmark::State& state) {
  const std::string& text = BenignText();
  std::vector<SecureStringCandidate> out;
  for (auto _ : state) {
    out.clear();
    FindSecureStrings(text, 16, &out);
    benchmark::DoNotOptimize(out.data());
  }
  SetBytes(state, text.size());
}
BENCHMARK(BM_FindSecureStringsBenign);

void BM_FindCmsBlobsBenign(benchmark::State& state) {
  const std::string& text = BenignText();
  std::vector<CmsBlob> out;
  for (auto _ : state) {
    out.clear();
    FindCmsBlobs(text, 16, &out);
    benchmark::DoNotOptimize(out.data());
  }
  SetBytes(state, text.size());
}
BENCHMARK(BM_FindCmsBlobsBenign);

void BM_DetectRotationBenign(benchmark::State& state) {
  const std::string& text = BenignText();
  for (auto _ : state) benchmark::DoNotOptimize(DetectRotation(text));
  if (DetectRotation(text) != 0) state.SkipWithError("benign text rotated");
  SetBytes(state, text.size());
}
BENCHMARK(BM_DetectRotationBenign);

void BM_DetectRotationRot13(benchmark::State& state) {
  std::string rotated;
  RotateLetters(BenignText(), 13, &rotated);
  if (DetectRotation(rotated) != 13) state.SkipWithError("not detected");
  for (auto _ : state) benchmark::DoNotOptimize(DetectRotation(rotated));
  SetBytes(state, rotated.size());
}
BENCHMARK(BM_DetectRotationRot13);

void BM_DecompressAutoRandom(benchmark::State& state) {
  // The cost of trying raw deflate on a binary layer that is not deflate.
  std::mt19937 rng(1);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  std::string out;
  std::string_view format;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(DecompressAuto(bytes, 1 << 20, &out, &format));
  }
  SetBytes(state, bytes.size());
}
BENCHMARK(BM_DecompressAutoRandom);

void BM_RecoverXorKeyRandom(benchmark::State& state) {
  std::mt19937 rng(2);
  std::string bytes(state.range(0), '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  XorRecovery r;
  for (auto _ : state) benchmark::DoNotOptimize(RecoverXorKey(bytes, {}, &r));
  SetBytes(state, bytes.size());
}
BENCHMARK(BM_RecoverXorKeyRandom)->Arg(256)->Arg(4096);

// ---- Decodes --------------------------------------------------------------

void BM_InflateRaw(benchmark::State& state) {
  const std::string& text = BenignText();
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string packed(deflateBound(&zs, text.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(packed.data());
  zs.avail_out = static_cast<uInt>(packed.size());
  deflate(&zs, Z_FINISH);
  packed.resize(zs.total_out);
  deflateEnd(&zs);
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(InflateRaw(packed, 4 << 20, &out));
  }
  if (out != text) state.SkipWithError("inflate mismatch");
  SetBytes(state, text.size());  // output bytes
}
BENCHMARK(BM_InflateRaw);

void BM_ApplyXor(benchmark::State& state) {
  const std::string& text = BenignText();
  const std::string key = std::string("k3y!s3cr").substr(0, state.range(0));
  std::string out;
  for (auto _ : state) {
    out.clear();
    ApplyXor(text, key, text.size(), &out);
    benchmark::DoNotOptimize(out.data());
  }
  SetBytes(state, text.size());
}
BENCHMARK(BM_ApplyXor)->Arg(1)->Arg(8);

void BM_RecoverXorKeyScript(benchmark::State& state) {
  const std::string key = std::string("\x5a\x13\x77\xc0").substr(0, state.range(0));
  std::string bytes;
  ApplyXor(BenignText().substr(0, 4096), key, 4096, &bytes);
  XorRecovery r;
  if (!RecoverXorKey(bytes, {}, &r)) state.SkipWithError("not recovered");
  for (auto _ : state) benchmark::DoNotOptimize(RecoverXorKey(bytes, {}, &r));
  SetBytes(state, bytes.size());
}
BENCHMARK(BM_RecoverXorKeyScript)->Arg(1)->Arg(4);

void BM_FindXorKeysBxor(benchmark::State& state) {
  // Invoke-Obfuscation BXOR output: one -bxor after a long char list.
  std::string text = "((";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i % 200) + " , ";
  text += "1)| ForEach-Object {[Char]($_ -BXOR 0x36)}) -Join '' | IEX";
  std::vector<XorKeyHit> hits;
  for (auto _ : state) {
    hits.clear();
    FindXorKeys(text, 64, &hits);
  }
  if (hits.size() != 1) state.SkipWithError("key not found");
  SetBytes(state, text.size());
}
BENCHMARK(BM_FindXorKeysBxor);

void BM_RotateLetters(benchmark::State& state) {
  const std::string& text = BenignText();
  std::string out;
  for (auto _ : state) {
    out.clear();
    RotateLetters(text, 13, &out);
    benchmark::DoNotOptimize(out.data());
  }
  SetBytes(state, text.size());
}
BENCHMARK(BM_RotateLetters);

void BM_ByteArrayHexString(benchmark::State& state) {
  std::mt19937 rng(3);
  std::string text = "$sc = '";
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < (1 << 19); ++i) {
    text += digits[rng() % 16];
    text += digits[rng() % 16];
  }
  text += "'";
  std::vector<ByteArrayRegion> regions;
  std::string out;
  for (auto _ : state) {
    regions.clear();
    out.clear();
    FindByteArrays(text, 16, 4, &regions);
    for (const ByteArrayRegion& r : regions) {
      DecodeByteArray(std::string_view(text).substr(r.begin, r.end - r.begin),
                      r.format, 1 << 20, &out);
    }
  }
  if (out.size() != (1u << 19)) state.SkipWithError("decode mismatch");
  SetBytes(state, text.size());
}
BENCHMARK(BM_ByteArrayHexString);

void BM_ByteArrayHexList(benchmark::State& state) {
  std::mt19937 rng(3);
  std::string text = "[Byte[]] $buf = ";
  char buf[8];
  for (int i = 0; i < (1 << 18); ++i) {
    std::snprintf(buf, sizeof(buf), "0x%02x,", unsigned(rng() % 256));
    text += buf;
  }
  text += "0x00";
  std::vector<ByteArrayRegion> regions;
  std::string out;
  for (auto _ : state) {
    regions.clear();
    out.clear();
    FindByteArrays(text, 16, 4, &regions);
    for (const ByteArrayRegion& r : regions) {
      DecodeByteArray(std::string_view(text).substr(r.begin, r.end - r.begin),
                      r.format, 1 << 20, &out);
    }
  }
  if (out.size() != (1u << 18) + 1) state.SkipWithError("decode mismatch");
  SetBytes(state, text.size());
}
BENCHMARK(BM_ByteArrayHexList);

void BM_DetectPayloadMarkers(benchmark::State& state) {
  std::mt19937 rng(4);
  std::string bytes(64 << 10, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  std::vector<PayloadMarker> markers;
  for (auto _ : state) {
    markers.clear();
    DetectPayloadMarkers(bytes, &markers);
    benchmark::DoNotOptimize(markers.data());
  }
  SetBytes(state, bytes.size());
}
BENCHMARK(BM_DetectPayloadMarkers);

void BM_DecryptSecureString(benchmark::State& state) {
  // The real Invoke-Obfuscation blob shape: 16-byte IV, AES-192.
  const std::string key(24, '\x2a');
  const std::string iv(16, '\x01');
  std::string plain;
  for (char c : BenignText().substr(0, 8192)) plain += {c, '\0'};
  std::string ct(plain.size() + 32, '\0');
  int n1 = 0, n2 = 0;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_192_cbc(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(ct.data()), &n1,
                    reinterpret_cast<const unsigned char*>(plain.data()),
                    int(plain.size()));
  EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(ct.data()) + n1,
                      &n2);
  EVP_CIPHER_CTX_free(ctx);
  ct.resize(n1 + n2);
  static const char kA[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto b64 = [](std::string_view d) {
    std::string out;
    size_t i = 0;
    auto b = [&](size_t k) { return uint32_t(uint8_t(d[k])); };
    for (; i + 3 <= d.size(); i += 3) {
      const uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
      out += {kA[v >> 18], kA[(v >> 12) & 63], kA[(v >> 6) & 63], kA[v & 63]};
    }
    if (d.size() - i == 1) {
      const uint32_t v = b(i) << 16;
      out += {kA[v >> 18], kA[(v >> 12) & 63], '=', '='};
    } else if (d.size() - i == 2) {
      const uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
      out += {kA[v >> 18], kA[(v >> 12) & 63], kA[(v >> 6) & 63], '='};
    }
    return out;
  };
  std::string hex;
  char buf[4];
  for (char c : ct) {
    std::snprintf(buf, sizeof(buf), "%02x", uint8_t(c));
    hex += buf;
  }
  std::string fields16;
  for (char c : "2|" + b64(iv) + "|" + hex) fields16 += {c, '\0'};
  const std::string blob = std::string(kSecureStringKeyHeader) + b64(fields16);
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(DecryptSecureString(blob, key, 1 << 20, &out));
  }
  if (out != BenignText().substr(0, 8192)) state.SkipWithError("mismatch");
  SetBytes(state, blob.size());
}
BENCHMARK(BM_DecryptSecureString);

}  // namespace
}  // namespace sbscan::decoders
