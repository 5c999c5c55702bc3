#include "tools/generator/script_corpus.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "tools/generator/fragmenter.h"
#include "tools/generator/material.h"
#include "tools/generator/text_util.h"

namespace sbscan::gen {

std::string_view BlockKindName(BlockKind kind) {
  switch (kind) {
    case BlockKind::kTiny: return "tiny";
    case BlockKind::kOneLiner: return "one_liner";
    case BlockKind::kProfile: return "profile";
    case BlockKind::kCompleter: return "completer";
    case BlockKind::kLookalike: return "lookalike";
    case BlockKind::kDsc: return "dsc";
    case BlockKind::kScript: return "script";
    case BlockKind::kPester: return "pester";
    case BlockKind::kModule: return "module";
  }
  return "unknown";
}

struct ScriptCorpus::Insert {
  std::string text;
  size_t units = 0;
  std::string_view name;
  size_t offset = 0;
  bool straddle = false;
};

namespace {

constexpr std::string_view kFunctionOpen =
    "function <<fn>> {\n    [CmdletBinding(SupportsShouldProcess = $true)]\n"
    "    param(\n";
constexpr std::string_view kFunctionOpenSimple = "function <<fn>> {\n    param(\n";
constexpr std::string_view kDescribeOpen =
    "#Requires -Modules Pester\nBeforeAll {\n"
    "    . $PSCommandPath.Replace('.Tests.ps1', '.ps1')\n"
    "    $script:Sample = Join-Path $PSScriptRoot 'data\\<<file>>'\n}\n\n"
    "Describe '<<FN>>' -Tag '<<word>>' {\n";
constexpr std::string_view kContextOpen =
    "Context 'when <<word>> is configured' {\n    BeforeEach {\n"
    "        Mock Get-CimInstance { [pscustomobject]@{ <<prop>> = <<num>> } }\n"
    "    }\n\n";
constexpr std::string_view kDscOpen =
    "Configuration <<NOUN>>Baseline\n{\n    param([string[]]$NodeName = "
    "'<<srv>>')\n\n    Import-DscResource -ModuleName "
    "PSDesiredStateConfiguration\n\n    Node $NodeName\n    {\n";

constexpr std::string_view kDscClose =
    "    }\n}\n\n<<NOUN>>Baseline -OutputPath '<<dir>>\\Mof'\n"
    "Start-DscConfiguration -Path '<<dir>>\\Mof' -Wait -Verbose -Force\n";

constexpr std::string_view kC2Hosts[] = {
    "185.220.101.47", "45.142.212.61", "update-cdn.example.net",
    "10.10.14.7:8080", "raw.githubusercontent.example.org/r3d/tools/main",
    "192.0.2.15", "198.51.100.23:8443", "203.0.113.9", "bit.example.io",
    "cdn.msft-telemetry.example.com", "pastebin.example.com/raw"};
constexpr std::string_view kC2Paths[] = {
    "/a.ps1", "/Invoke-Mimikatz.ps1", "/payload.txt", "/news.php", "/s",
    "/PowerView.ps1", "/update/check", "/images/logo.png", "/x",
    "/Invoke-PowerShellTcp.ps1", "/stage2", "/jquery-3.3.1.min.js"};
constexpr std::string_view kC2Ips[] = {
    "10.10.14.7", "192.0.2.15", "198.51.100.23", "203.0.113.9",
    "185.220.101.47", "45.142.212.61", "172.16.50.12"};
constexpr std::string_view kC2Ports[] = {"4444", "443", "8080", "53",
                                         "1337", "8443", "9001", "80"};
constexpr std::string_view kPorts[] = {"80", "443", "5985", "5986", "1433",
                                       "3389", "8080", "445", "22", "389"};
constexpr std::string_view kDrops[] = {
    "svchost32", "WindowsUpdate", "msupdate", "chrome_update", "OneDriveSvc",
    "adobe_sync", "tmp4f2a", "perfmon64", "SecurityHealth", "rtkaudio",
    "diag", "wsus_helper"};

void AppendHex(std::string& out, uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(v >> (4 * i)) & 15]);
}

std::string RandomBytes(Rng& rng, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(rng.Next() >> 56);
  return s;
}

}  // namespace

ScriptCorpus::ScriptCorpus() {
  for (const material::NamedList& list : material::WordLists()) {
    engine_.AddList(list.name, list.values);
  }
  for (std::string_view name : material::DynamicNames()) {
    engine_.AddDynamic(name);
  }
  list_verb_ = engine_.FindList("verb");
  list_noun_ = engine_.FindList("noun");
  engine_.SetDynamicProvider([this](std::string_view name, Rng& rng, bool crlf,
                                    std::string& out) {
    Dynamic(name, rng, crlf, out);
  });
  tiny_ = engine_.CompileAll(material::TinyBlocks());
  one_liners_ = engine_.CompileAll(material::OneLiners());
  statements_ = engine_.CompileAll(material::Statements());
  params_ = engine_.CompileAll(material::ParamDecls());
  help_ = engine_.CompileAll(material::HelpBlocks());
  headers_ = engine_.CompileAll(material::ScriptHeaders());
  mod_pre_ = engine_.CompileAll(material::ModulePreambles());
  mod_post_ = engine_.CompileAll(material::ModuleFooters());
  pester_its_ = engine_.CompileAll(material::PesterIts());
  dsc_ = engine_.CompileAll(material::DscResources());
  profile_ = engine_.CompileAll(material::ProfileParts());
  completers_ = engine_.CompileAll(material::Completers());
  lookalikes_ = engine_.CompileAll(material::Lookalikes());
  fillers_ = engine_.CompileAll(material::FillerLines());
  inner_ = engine_.CompileAll(material::InnerPayloads());
  fn_open_ = engine_.Compile(kFunctionOpen);
  fn_open_simple_ = engine_.Compile(kFunctionOpenSimple);
  describe_open_ = engine_.Compile(kDescribeOpen);
  context_open_ = engine_.Compile(kContextOpen);
  dsc_open_ = engine_.Compile(kDscOpen);
  dsc_close_ = engine_.Compile(kDscClose);
  for (const material::Technique& t : material::Techniques()) {
    techniques_.push_back({t.name, engine_.CompileAll(t.variants)});
  }
}

size_t ScriptCorpus::technique_variant_count() const {
  size_t n = 0;
  for (const auto& t : techniques_) n += t.variants.size();
  return n;
}

std::vector<std::string_view> ScriptCorpus::technique_names() const {
  std::vector<std::string_view> names;
  for (const auto& t : techniques_) names.push_back(t.name);
  return names;
}

void ScriptCorpus::Dynamic(std::string_view name, Rng& rng, bool crlf,
                           std::string& out) const {
  auto pick = [&rng](std::span<const std::string_view> items) {
    return items[rng.Below(items.size())];
  };
  auto inner = [&]() {
    TemplateEngine::Context ctx(engine_, rng, false);
    std::string s;
    engine_.ExpandTo(inner_[rng.Below(inner_.size())], ctx, s);
    return s;
  };
  if (name == "fn") {
    out.append(pick(engine_.list(list_verb_)));
    out.push_back('-');
    out.append(pick(engine_.list(list_noun_)));
  } else if (name == "guid") {
    char buf[36];
    FormatGuid(rng.Next(), rng.Next(), false, buf);
    out.append(buf, 36);
  } else if (name == "int") {
    out.append(std::to_string(rng.Range(100, 99999)));
  } else if (name == "port") {
    out.append(pick(kPorts));
  } else if (name == "ip") {
    out.append("10." + std::to_string(rng.Range(0, 40)) + "." +
               std::to_string(rng.Range(0, 255)) + "." +
               std::to_string(rng.Range(2, 254)));
  } else if (name == "ntlm") {
    AppendHex(out, rng.Next(), 16);
    AppendHex(out, rng.Next(), 16);
  } else if (name == "certbase") {
    // DER SEQUENCE header + random body, wrapped at 64 like PEM.
    const size_t body = static_cast<size_t>(rng.Range(700, 1400));
    std::string der = "\x30\x82";
    der.push_back(static_cast<char>(body >> 8));
    der.push_back(static_cast<char>(body & 0xFF));
    der.append("\x30\x82\x03\x0b\xa0\x03\x02\x01\x02\x02\x10", 11);
    der += RandomBytes(rng, body - 11);
    const std::string b64 = Base64Encode(der);
    for (size_t i = 0; i < b64.size(); i += 64) {
      if (i) out.append(crlf ? "\r\n" : "\n");
      out.append(b64, i, 64);
    }
  } else if (name == "enccradle") {
    out.append(Base64Encode(Utf8ToUtf16Le(inner())));
  } else if (name == "base64utf") {
    out.append(Base64Encode(inner()));
  } else if (name == "deflatebase") {
    out.append(Base64Encode(DeflateRawFixed(inner())));
  } else if (name == "charcodes") {
    const std::string code = inner();
    for (size_t i = 0; i < code.size(); ++i) {
      if (i) out.push_back(',');
      out.append(std::to_string(static_cast<unsigned char>(code[i])));
    }
  } else if (name == "xorpayload") {
    const int key = static_cast<int>(rng.Range(1, 255));
    std::string code = inner();
    for (char& c : code) c = static_cast<char>(c ^ key);
    const std::string_view eol = crlf ? "\r\n" : "\n";
    char keybuf[8];
    std::snprintf(keybuf, sizeof(keybuf), "0x%02X", key);
    out.append("$k = ").append(keybuf).append(eol);
    out.append("$b = [System.Convert]::FromBase64String('")
        .append(Base64Encode(code))
        .append("')")
        .append(eol);
    out.append("$d = for ($i = 0; $i -lt $b.Length; $i++) { $b[$i] -bxor $k }")
        .append(eol);
    out.append("iex ([System.Text.Encoding]::UTF8.GetString([byte[]]$d))");
  } else if (name == "shellcode") {
    const size_t n = static_cast<size_t>(rng.Range(180, 460));
    std::string bytes = "\xfc\xe8\x82\x00\x00\x00\x60\x89\xe5\x31\xc0";
    bytes += RandomBytes(rng, n);
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (i) out.push_back(',');
      out.append("0x");
      AppendHex(out, static_cast<unsigned char>(bytes[i]), 2);
    }
  } else if (name == "year") {
    out.append(std::to_string(rng.Range(2019, 2024)));
  } else if (name == "pid") {
    out.append(std::to_string(rng.Range(100, 3000) * 4));
  } else if (name == "c2url") {
    out.append(rng.Chance(0.6) ? "http://" : "https://");
    out.append(pick(kC2Hosts));
    out.append(pick(kC2Paths));
  } else if (name == "c2exe") {
    out.append("http://");
    out.append(pick(kC2Hosts));
    out.append("/");
    out.append(pick(kDrops));
    out.append(".exe");
  } else if (name == "c2ip") {
    out.append(pick(kC2Ips));
  } else if (name == "c2port") {
    out.append(pick(kC2Ports));
  } else if (name == "rand") {
    const int n = static_cast<int>(rng.Range(4, 8));
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('a' + rng.Below(26)));
  } else if (name == "drop") {
    out.append(pick(kDrops));
  }
}

void ScriptCorpus::AppendStatements(TemplateEngine::Context& ctx, int indent,
                                    int count, TextBuilder& out) const {
  for (int i = 0; i < count; ++i) {
    engine_.Expand(statements_[ctx.rng().Below(statements_.size())], ctx,
                   indent, out);
  }
}

void ScriptCorpus::AppendFunction(TemplateEngine::Context& ctx,
                                  TextBuilder& out) const {
  Rng& rng = ctx.rng();
  ctx.NewUnit();
  const std::string_view eol = ctx.eol();
  if (rng.Chance(0.7)) {
    engine_.Expand(help_[rng.Below(help_.size())], ctx, 0, out);
  }
  engine_.Expand(rng.Chance(0.75) ? fn_open_ : fn_open_simple_, ctx, 0, out);
  const int nparams = static_cast<int>(rng.Range(1, 5));
  for (int i = 0; i < nparams; ++i) {
    engine_.Expand(params_[rng.Below(params_.size())], ctx, 2, out);
    out.Append(i + 1 < nparams ? "," : "");
    out.Append(eol);
    if (i + 1 < nparams) out.Append(eol);
  }
  out.Append("    )");
  out.Append(eol);
  out.Append(eol);
  if (rng.Chance(0.4)) {
    out.Append("    begin {");
    out.Append(eol);
    AppendStatements(ctx, 2, static_cast<int>(rng.Range(1, 3)), out);
    out.Append("    }");
    out.Append(eol);
    out.Append(eol);
    out.Append("    process {");
    out.Append(eol);
    AppendStatements(ctx, 2, static_cast<int>(rng.Range(2, 9)), out);
    out.Append("    }");
    out.Append(eol);
    out.Append(eol);
    out.Append("    end {");
    out.Append(eol);
    AppendStatements(ctx, 2, static_cast<int>(rng.Range(1, 2)), out);
    out.Append("    }");
    out.Append(eol);
  } else {
    AppendStatements(ctx, 1, static_cast<int>(rng.Range(2, 12)), out);
  }
  out.Append("}");
  out.Append(eol);
  out.Append(eol);
}

void ScriptCorpus::AppendFiller(TemplateEngine::Context& ctx, size_t units,
                                TextBuilder& out) const {
  const size_t goal = out.utf16_size() + units;
  while (goal - out.utf16_size() > 120) {
    engine_.Expand(fillers_[ctx.rng().Below(fillers_.size())], ctx, 0, out);
  }
  const size_t r = goal - out.utf16_size();
  if (r == 0) return;
  if (r <= 6) {
    out.Append(std::string(r, ' '));
    return;
  }
  const size_t eol = ctx.crlf() ? 2 : 1;
  std::string line = "#";
  line.append(r - 1 - eol, '-');
  line.append(ctx.eol());
  out.Append(line);
}

template <typename UnitFn>
void ScriptCorpus::BuildBody(TemplateEngine::Context& ctx, size_t target,
                             UnitFn unit, std::vector<Insert>& inserts,
                             TextBuilder& out,
                             std::vector<TechniqueSpan>& spans) const {
  size_t next = 0;
  TextBuilder tmp;
  auto place = [&](Insert& ins) {
    spans.push_back({ins.name, out.utf16_size(), ins.units, false});
    out.AppendKnown(ins.text, ins.units);
    ++next;
  };
  while (out.utf16_size() < target || next < inserts.size()) {
    if (next < inserts.size()) {
      Insert& ins = inserts[next];
      const size_t pos = out.utf16_size();
      if (pos >= ins.offset || pos >= target) {
        place(ins);
        continue;
      }
      if (ins.straddle && ins.offset - pos <= 600) {
        AppendFiller(ctx, ins.offset - pos, out);
        place(ins);
        continue;
      }
    }
    const size_t mark_bytes = out.size();
    const size_t mark_units = out.utf16_size();
    unit(out);
    if (next < inserts.size() && inserts[next].straddle &&
        out.utf16_size() > inserts[next].offset) {
      // The unit ran past the planned position: take it back and fill with
      // single statements and exact padding instead.
      out.Truncate(mark_bytes, mark_units);
      while (true) {
        tmp.Clear();
        ctx.NewUnit();
        AppendStatements(ctx, 0, 1, tmp);
        if (out.utf16_size() + tmp.utf16_size() + 120 > inserts[next].offset) {
          break;
        }
        out.AppendKnown(tmp.text(), tmp.utf16_size());
      }
      AppendFiller(ctx, inserts[next].offset - out.utf16_size(), out);
      place(inserts[next]);
    }
  }
}

GeneratedScript ScriptCorpus::Generate(Rng& rng, bool malicious,
                                       size_t piece_units,
                                       double straddle_prob) const {
  GeneratedScript g;
  const bool crlf = rng.Chance(0.9);
  TemplateEngine::Context ctx(engine_, rng, crlf);
  const std::string_view eol = ctx.eol();
  TextBuilder out;

  // Kind and target size (UTF-16 units). Most blocks PowerShell logs are
  // small; module code makes the big multi-fragment ones.
  BlockKind kind;
  size_t target = 0;
  const double u = rng.Unit();
  if (malicious) {
    if (u < 0.30) {
      kind = BlockKind::kOneLiner;
    } else if (u < 0.70) {
      kind = BlockKind::kScript;
      target = static_cast<size_t>(rng.Range(800, 18000));
    } else {
      kind = BlockKind::kModule;
      target = static_cast<size_t>(rng.Chance(0.75) ? rng.Range(21000, 60000)
                                                    : rng.Range(60000, 200000));
    }
  } else if (u < 0.30) {
    kind = BlockKind::kTiny;
  } else if (u < 0.50) {
    kind = BlockKind::kOneLiner;
  } else if (u < 0.55) {
    kind = BlockKind::kProfile;
  } else if (u < 0.59) {
    kind = BlockKind::kCompleter;
  } else if (u < 0.63) {
    kind = BlockKind::kLookalike;
  } else if (u < 0.67) {
    kind = BlockKind::kDsc;
  } else if (u < 0.85) {
    kind = BlockKind::kScript;
    target = static_cast<size_t>(rng.Range(600, 14000));
  } else if (u < 0.94) {
    kind = BlockKind::kPester;
    target = static_cast<size_t>(rng.Range(2500, 30000));
  } else {
    kind = BlockKind::kModule;
    target = static_cast<size_t>(rng.Chance(0.7) ? rng.Range(20000, 60000)
                                                 : rng.Range(60000, 200000));
  }
  g.kind = kind;
  if (target > 0) out.Reserve(target + target / 4 + 4096);

  // Technique snippets, expanded up front so their lengths are known.
  std::vector<Insert> inserts;
  if (malicious) {
    const double v = rng.Unit();
    const int n = v < 0.6 ? 1 : (v < 0.9 ? 2 : 3);
    for (int i = 0; i < n; ++i) {
      const TechniqueTemplates& t = techniques_[rng.Below(techniques_.size())];
      Insert ins;
      ins.name = t.name;
      ctx.NewUnit();
      TextBuilder tb;
      engine_.Expand(t.variants[rng.Below(t.variants.size())], ctx, 0, tb);
      ins.units = tb.utf16_size();
      ins.text = tb.Release();
      inserts.push_back(std::move(ins));
    }
  }

  // Where the snippets go: anywhere in the body, or on purpose across one of
  // the cuts k * piece_units that the finished block will have.
  if (!inserts.empty() && target > 0) {
    for (Insert& ins : inserts) {
      ins.offset = static_cast<size_t>(rng.Below(target));
      if (target >= kSingleFragmentLimit + 1000 && ins.units >= 2 &&
          target > ins.units + 200 && rng.Chance(straddle_prob)) {
        const size_t kmax = (target - ins.units - 200) / piece_units;
        if (kmax >= 1) {
          const size_t k = 1 + static_cast<size_t>(rng.Below(kmax));
          const size_t d = 1 + static_cast<size_t>(rng.Below(ins.units - 1));
          ins.offset = k * piece_units - d;
          ins.straddle = true;
        }
      }
    }
    std::stable_sort(inserts.begin(), inserts.end(),
                     [](const Insert& a, const Insert& b) {
                       return a.offset < b.offset;
                     });
  }

  // Where the snippets go: anywhere in the body, or on purpose across one of
  // the cuts k * piece_units that the finished block will have.
  if (!inserts.empty() && target > 0) {
    for (Insert& ins : inserts) {
      ins.offset = static_cast<size_t>(rng.Below(target));
      if (target >= kSingleFragmentLimit + 1000 && ins.units >= 2 &&
          target > ins.units + 200 && rng.Chance(straddle_prob)) {
        const size_t kmax = (target - ins.units - 200) / piece_units;
        if (kmax >= 1) {
          const size_t k = 1 + static_cast<size_t>(rng.Below(kmax));
          const size_t d = 1 + static_cast<size_t>(rng.Below(ins.units - 1));
          ins.offset = k * piece_units - d;
          ins.straddle = true;
        }
      }
    }
    std::stable_sort(inserts.begin(), inserts.end(),
                     [](const Insert& a, const Insert& b) {
                       return a.offset < b.offset;
                     });
  }

  switch (kind) {
    case BlockKind::kTiny:
      engine_.Expand(tiny_[rng.Below(tiny_.size())], ctx, 0, out);
      g.interactive = true;
      break;
    case BlockKind::kOneLiner: {
      g.interactive = rng.Chance(0.8);
      const int n = malicious ? static_cast<int>(rng.Below(2))
                              : (rng.Chance(0.25) ? 2 : 1);
      for (int i = 0; i < n; ++i) {
        if (i) out.Append(rng.Chance(0.5) ? std::string_view("; ") : eol);
        ctx.NewUnit();
        engine_.Expand(one_liners_[rng.Below(one_liners_.size())], ctx, 0, out);
      }
      for (Insert& ins : inserts) {
        if (out.size() > 0) out.Append(eol);
        g.techniques.push_back({ins.name, out.utf16_size(), ins.units, false});
        out.Append(ins.text);
      }
      inserts.clear();
      // Snippets end with a line end; an interactive command usually not.
      size_t keep = out.size();
      while (keep > 0 && (out.text()[keep - 1] == '\n' || out.text()[keep - 1] == '\r')) {
        --keep;
      }
      out.Truncate(keep, out.utf16_size() - (out.size() - keep));
      for (TechniqueSpan& span : g.techniques) {
        span.utf16_length =
            std::min(span.utf16_length, out.utf16_size() - span.utf16_offset);
      }
      break;
    }
    case BlockKind::kProfile: {
      const int n = static_cast<int>(rng.Range(3, 8));
      for (int i = 0; i < n; ++i) {
        ctx.NewUnit();
        engine_.Expand(profile_[rng.Below(profile_.size())], ctx, 0, out);
        out.Append(eol);
      }
      break;
    }
    case BlockKind::kCompleter: {
      const int n = static_cast<int>(rng.Range(1, 3));
      for (int i = 0; i < n; ++i) {
        ctx.NewUnit();
        engine_.Expand(completers_[rng.Below(completers_.size())], ctx, 0, out);
        out.Append(eol);
      }
      break;
    }
    case BlockKind::kLookalike:
      if (rng.Chance(0.5)) {
        engine_.Expand(headers_[rng.Below(headers_.size())], ctx, 0, out);
      }
      ctx.NewUnit();
      engine_.Expand(lookalikes_[rng.Below(lookalikes_.size())], ctx, 0, out);
      if (rng.Chance(0.5)) {
        ctx.NewUnit();
        AppendStatements(ctx, 0, static_cast<int>(rng.Range(1, 4)), out);
      }
      break;
    case BlockKind::kDsc: {
      engine_.Expand(dsc_open_, ctx, 0, out);
      const int n = static_cast<int>(rng.Range(3, 12));
      for (int i = 0; i < n; ++i) {
        ctx.NewUnit();
        engine_.Expand(dsc_[rng.Below(dsc_.size())], ctx, 2, out);
        out.Append(eol);
      }
      engine_.Expand(dsc_close_, ctx, 0, out);
      break;
    }
    case BlockKind::kScript: {
      engine_.Expand(headers_[rng.Below(headers_.size())], ctx, 0, out);
      const int nfn = static_cast<int>(rng.Below(4));
      for (int i = 0; i < nfn && out.utf16_size() < target / 2; ++i) {
        AppendFunction(ctx, out);
      }
      BuildBody(
          ctx, target,
          [&](TextBuilder& tb) {
            ctx.NewUnit();
            if (rng.Chance(0.08)) {
              engine_.Expand(lookalikes_[rng.Below(lookalikes_.size())], ctx,
                             0, tb);
            } else {
              AppendStatements(ctx, 0, 1, tb);
            }
          },
          inserts, out, g.techniques);
      break;
    }
    case BlockKind::kPester:
      engine_.Expand(describe_open_, ctx, 0, out);
      BuildBody(
          ctx, target,
          [&](TextBuilder& tb) {
            ctx.NewUnit();
            engine_.Expand(context_open_, ctx, 1, tb);
            const int n = static_cast<int>(rng.Range(2, 6));
            for (int i = 0; i < n; ++i) {
              ctx.NewUnit();
              engine_.Expand(pester_its_[rng.Below(pester_its_.size())], ctx,
                             2, tb);
              tb.Append(eol);
            }
            tb.Append("    }");
            tb.Append(eol);
            tb.Append(eol);
          },
          inserts, out, g.techniques);
      out.Append("}");
      out.Append(eol);
      break;
    case BlockKind::kModule:
      engine_.Expand(mod_pre_[rng.Below(mod_pre_.size())], ctx, 0, out);
      out.Append(eol);
      BuildBody(
          ctx, target,
          [&](TextBuilder& tb) {
            if (rng.Chance(0.03)) {
              ctx.NewUnit();
              engine_.Expand(lookalikes_[rng.Below(lookalikes_.size())], ctx,
                             0, tb);
              tb.Append(eol);
            } else {
              AppendFunction(ctx, tb);
            }
          },
          inserts, out, g.techniques);
      ctx.NewUnit();
      engine_.Expand(mod_post_[rng.Below(mod_post_.size())], ctx, 0, out);
      break;
  }

  g.utf16_length = out.utf16_size();
  g.text = out.Release();
  // Which snippets ended up across a PowerShell cut.
  const size_t count = FragmentCount(g.utf16_length, piece_units);
  if (count > 1) {
    for (TechniqueSpan& span : g.techniques) {
      const size_t first_cut = (span.utf16_offset / piece_units + 1) * piece_units;
      span.straddles_cut = first_cut < span.utf16_offset + span.utf16_length &&
                           first_cut < g.utf16_length;
    }
  }
  return g;
}

}  // namespace sbscan::gen
