#include "tools/generator/generator.h"

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include "tools/generator/fragmenter.h"
#include "tools/generator/prng.h"
#include "tools/generator/suspicious_tokens.h"
#include "tools/generator/text_util.h"
#include "tools/generator/winlogbeat_writer.h"

namespace sbscan::gen {

std::string GeneratorOptions::Validate() const {
  auto rate_ok = [](double r) { return r >= 0 && r <= 1; };
  if (hosts < 1 || hosts > 100000) return "--hosts must be in 1..100000";
  if (blocks == 0 && bytes == 0) return "--blocks must be > 0";
  if (!rate_ok(malicious_ratio)) return "--malicious-ratio must be in [0, 1]";
  if (!rate_ok(shuffle_rate)) return "--shuffle-rate must be in [0, 1]";
  if (!rate_ok(duplicate_rate)) return "--duplicate-rate must be in [0, 1]";
  if (!rate_ok(drop_rate)) return "--drop-rate must be in [0, 1]";
  if (!(other_events_rate >= 0 && other_events_rate < 1)) {
    return "--other-events-rate must be in [0, 1)";
  }
  if (!rate_ok(straddle_prob)) return "--straddle-rate must be in [0, 1]";
  if (open_per_host < 1 || open_per_host > 16) {
    return "--open-per-host must be in 1..16";
  }
  return "";
}

namespace {

void AppendNumberList(ByteBuffer& out, const std::vector<uint32_t>& v) {
  out.Push('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.Push(',');
    out.AppendUint(v[i]);
  }
  out.Push(']');
}

void AppendQuoted(ByteBuffer& out, std::string_view s) {
  out.Push('"');
  AppendJsonEscaped(out, s, false);
  out.Push('"');
}

constexpr std::string_view kHostNames[] = {
    "WS01", "SRV-DB02", "WS02", "SRV-APP01", "DC01", "WS03", "SRV-FS01",
    "LAPTOP-7QK2M1", "SRV-WEB03", "WS04", "SRV-SQL05", "DC02", "WS05",
    "SRV-EXCH01", "SRV-BUILD01", "WS06"};
constexpr std::string_view kDomainSid = "S-1-5-21-1004336348-1177238915-682003330-";
constexpr std::string_view kUsers[] = {
    "jdoe", "asmith", "mgarcia", "lchen", "pnovak", "tmueller", "rjones",
    "hbrown", "nschmidt", "ekowalski", "jmartin", "fdubois", "ayilmaz",
    "analyst", "adm-kwilliams", "adm-ppatel", "svc_backup", "svc_sql",
    "svc_deploy"};
constexpr std::string_view kModules[] = {
    "Contoso.Inventory", "CorpTools", "Fabrikam.Deploy", "PSInfraReport",
    "OpsHelpers", "SqlMaintenance", "ADHygiene", "CorpLogging",
    "PatchManager", "Contoso.Monitoring", "BuildTools", "CertManager"};
constexpr std::string_view kScriptNames[] = {
    "Get-ServerInventory", "Cleanup-Logs", "Invoke-NightlyBackup",
    "Check-Services", "Export-GroupMembers", "Deploy-Release",
    "Rotate-Logs", "Test-Connectivity", "Update-Baseline", "New-UserOnboarding",
    "Sync-Shares", "Report-DiskUsage", "Install-Agent", "Audit-LocalAdmins"};
constexpr std::string_view kMalNames[] = {"update", "a", "run", "svc",
                                          "payload", "x64", "tmp1F3A", "init"};
constexpr std::string_view kVersions[] = {"1.0.0", "1.4.2", "2.0.1", "2.3.0",
                                          "3.1.7", "0.9.12"};
constexpr std::string_view kCommands[] = {
    "Get-ChildItem", "Get-Service", "Get-Process", "Import-Module",
    "Invoke-WebRequest", "Get-ItemProperty", "Out-Default", "Write-Host",
    "Get-CimInstance", "Select-Object", "Where-Object", "Set-Location"};
constexpr std::string_view kCommandParams[] = {"Path", "Name", "Name", "Name",
                                               "Uri", "Path", "InputObject",
                                               "Object", "ClassName",
                                               "Property", "FilterScript",
                                               "Path"};
constexpr std::string_view kCommandValues[] = {
    "C:\\Logs", "WinRM", "explorer", "ActiveDirectory",
    "https://intranet.corp.example.com/api/v1/assets", "HKLM:\\SOFTWARE\\Contoso",
    "System.Object[]", "Done.", "Win32_OperatingSystem", "Name, Status",
    "$_.Status -eq 'Running'", "C:\\Users\\Public"};
constexpr std::string_view kProviders[] = {"Registry", "Alias", "Environment",
                                           "FileSystem", "Function",
                                           "Variable", "Certificate", "WSMan"};

}  // namespace

std::string BlockTruth::ToJson() const {
  ByteBuffer b;
  b.Append("{\"host\":");
  AppendQuoted(b, host);
  b.Append(",\"script_block_id\":");
  AppendQuoted(b, script_block_id);
  b.Append(",\"path\":");
  AppendQuoted(b, path);
  b.Append(",\"kind\":");
  AppendQuoted(b, BlockKindName(kind));
  b.Append(",\"fragments\":");
  b.AppendUint(fragments);
  b.Append(",\"utf16_length\":");
  b.AppendUint(utf16_length);
  b.Append(",\"piece_units\":");
  b.AppendUint(piece_units);
  b.Append(",\"level\":");
  b.Append(warning ? "\"warning\"" : "\"verbose\"");
  b.Append(",\"malicious\":");
  b.Append(malicious ? "true" : "false");
  b.Append(",\"emitted\":");
  AppendNumberList(b, emitted);
  b.Append(",\"dropped\":");
  AppendNumberList(b, dropped);
  b.Append(",\"duplicated\":");
  AppendNumberList(b, duplicated);
  b.Append(",\"delayed\":");
  AppendNumberList(b, delayed);
  b.Append(",\"out_of_order\":");
  b.Append(out_of_order ? "true" : "false");
  b.Append(",\"complete\":");
  b.Append(emitted.size() == fragments ? "true" : "false");
  b.Append(",\"techniques\":[");
  for (size_t i = 0; i < techniques.size(); ++i) {
    if (i) b.Push(',');
    AppendQuoted(b, techniques[i].name);
  }
  b.Append("],\"technique_spans\":[");
  for (size_t i = 0; i < techniques.size(); ++i) {
    const TechniqueSpan& t = techniques[i];
    if (i) b.Push(',');
    b.Append("{\"name\":");
    AppendQuoted(b, t.name);
    b.Append(",\"offset\":");
    b.AppendUint(t.utf16_offset);
    b.Append(",\"length\":");
    b.AppendUint(t.utf16_length);
    b.Append(",\"straddles_cut\":");
    b.Append(t.straddles_cut ? "true" : "false");
    b.Push('}');
  }
  b.Append("]}\n");
  return std::string(b.view());
}

struct Generator::Impl {
  struct Proc {
    uint32_t pid;
    std::string sid;
    std::string_view user;  // "SYSTEM" for S-1-5-18
  };
  struct Host {
    BeatHost beat;
    bool server = false;
    uint64_t record_operational = 0;
    uint64_t record_classic = 0;
    std::vector<Proc> procs;
    int open = 0;
  };
  struct Block {
    uint64_t serial = 0;
    int host = 0;
    GeneratedScript script;
    std::vector<std::string_view> pieces;
    uint32_t next = 0;  // fragments generated so far
    uint32_t pid = 0, tid = 0;
    std::string sid;
    char activity[36];
    int pending = 0;  // held copies not yet written
    uint32_t max_seen = 0;
    std::vector<uint8_t> seen;
    BlockTruth truth;
  };
  struct Pending {
    int countdown;
    std::string line;
    uint64_t serial;
    uint32_t number;
  };

  Impl(const GeneratorOptions& o, const ScriptCorpus& c, GeneratorStats& s,
       ByteSink& out, ByteSink* truth, const BlockCallback& cb)
      : opt(o), corpus(c), stats(s), sink(out), truth_sink(truth),
        on_block(cb), rng(o.seed) {}

  const GeneratorOptions& opt;
  const ScriptCorpus& corpus;
  GeneratorStats& stats;
  ByteSink& sink;
  ByteSink* truth_sink;
  const BlockCallback& on_block;
  Rng rng;
  const SuspiciousTokenMatcher& matcher = SuspiciousTokenMatcher::Instance();

  std::vector<Host> hosts;
  std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks;
  std::vector<uint64_t> open;  // serials of blocks with fragments left
  std::vector<Pending> pending;
  ByteBuffer buf;
  ByteBuffer truth_buf;
  uint64_t flushed = 0;
  uint64_t next_serial = 0;
  double malicious_acc = 0;
  Ticks clock = 0;
  bool ok = true;

  static constexpr size_t kFlushSize = 1 << 20;

  void Flush(bool force) {
    if (buf.size() >= kFlushSize || (force && buf.size() > 0)) {
      ok = ok && sink.Write(buf.view());
      flushed += buf.size();
      buf.clear();
    }
    if (truth_sink && (truth_buf.size() >= kFlushSize || (force && truth_buf.size() > 0))) {
      ok = ok && truth_sink->Write(truth_buf.view());
      truth_buf.clear();
    }
  }
  uint64_t BytesOut() const { return flushed + buf.size(); }

  std::string Guid(bool upper) {
    char g[36];
    FormatGuid(rng.Next(), rng.Next(), upper, g);
    return std::string(g, 36);
  }

  Proc NewProc(const Host& h) {
    Proc p;
    p.pid = static_cast<uint32_t>(rng.Range(250, 6000) * 4);
    const bool system = h.server ? rng.Chance(0.35) : rng.Chance(0.05);
    if (system) {
      p.user = "SYSTEM";
      p.sid = "S-1-5-18";
    } else {
      const size_t u = h.server ? 14 + rng.Below(std::size(kUsers) - 14)
                                : rng.Below(14);
      p.user = kUsers[u];
      p.sid = std::string(kDomainSid) + std::to_string(1104 + u * 7);
    }
    return p;
  }

  void InitHosts() {
    clock = Ticks{19786} * 86400 * kTicksPerSecond +
            static_cast<Ticks>(rng.Below(30ull * 86400)) * kTicksPerSecond +
            static_cast<Ticks>(rng.Below(kTicksPerSecond));
    hosts.resize(static_cast<size_t>(opt.hosts));
    for (int i = 0; i < opt.hosts; ++i) {
      Host& h = hosts[static_cast<size_t>(i)];
      std::string name;
      if (static_cast<size_t>(i) < std::size(kHostNames)) {
        name = kHostNames[i];
      } else {
        char tmp[16];
        std::snprintf(tmp, sizeof(tmp), "WS%03d", i + 1);
        name = tmp;
      }
      h.server = name.rfind("SRV", 0) == 0 || name.rfind("DC", 0) == 0;
      h.beat.fqdn = name + ".corp.example.com";
      h.beat.agent_name = name;
      h.beat.agent_id = Guid(false);
      h.beat.ephemeral_id = Guid(false);
      h.record_operational = static_cast<uint64_t>(rng.Range(1000, 900000));
      h.record_classic = static_cast<uint64_t>(rng.Range(100, 90000));
      const int nprocs = static_cast<int>(rng.Range(1, 4));
      for (int p = 0; p < nprocs; ++p) h.procs.push_back(NewProc(h));
    }
  }

  // Advances the clock. Idle gaps (seconds) only come before a new block or event: PowerShell
  // writes the fragments of one block in one burst, so a continuation fragment only waits for
  // whatever other hosts logged in between.
  Ticks Tick(bool continuation = false) {
    if (!continuation && rng.Chance(0.003)) {
      clock += static_cast<Ticks>(rng.Range(kTicksPerSecond, 10 * kTicksPerSecond));
    } else {
      clock += static_cast<Ticks>(rng.Range(2000, 300000));
    }
    return clock;
  }
  Ticks Created(Ticks t) {
    return t + static_cast<Ticks>(rng.Range(2'000'000, 20'000'000));
  }

  std::string MakePath(const GeneratedScript& s, const Proc& proc,
                       bool malicious) {
    if (s.interactive) return "";
    const std::string user =
        proc.user == "SYSTEM" ? std::string("Public") : std::string(proc.user);
    const std::string home = "C:\\Users\\" + user;
    auto pick = [&](std::span<const std::string_view> v) {
      return std::string(v[rng.Below(v.size())]);
    };
    if (malicious && s.kind != BlockKind::kModule && rng.Chance(0.6)) {
      switch (rng.Below(3)) {
        case 0: return home + "\\AppData\\Local\\Temp\\" + pick(kMalNames) + ".ps1";
        case 1: return "C:\\Users\\Public\\" + pick(kMalNames) + ".ps1";
        default: return "C:\\ProgramData\\" + pick(kMalNames) + "\\" + pick(kMalNames) + ".ps1";
      }
    }
    switch (s.kind) {
      case BlockKind::kModule: {
        const std::string mod = pick(kModules);
        switch (rng.Below(3)) {
          case 0: return "C:\\Program Files\\WindowsPowerShell\\Modules\\" + mod + "\\" + pick(kVersions) + "\\" + mod + ".psm1";
          case 1: return home + "\\Documents\\WindowsPowerShell\\Modules\\" + mod + "\\" + mod + ".psm1";
          default: return "C:\\Program Files\\PowerShell\\Modules\\" + mod + "\\" + mod + ".psm1";
        }
      }
      case BlockKind::kPester:
        return "C:\\src\\" + pick(kModules) + "\\tests\\" + pick(kScriptNames) + ".Tests.ps1";
      case BlockKind::kDsc:
        return "C:\\DSC\\" + pick(kScriptNames) + "Baseline.ps1";
      case BlockKind::kProfile:
        return rng.Chance(0.5) ? home + "\\Documents\\WindowsPowerShell\\Microsoft.PowerShell_profile.ps1"
                               : home + "\\Documents\\PowerShell\\profile.ps1";
      case BlockKind::kCompleter:
        return home + "\\Documents\\PowerShell\\Completions\\" + pick(kScriptNames) + ".ps1";
      default:
        switch (rng.Below(4)) {
          case 0: return home + "\\Documents\\Scripts\\" + pick(kScriptNames) + ".ps1";
          case 1: return "C:\\Scripts\\" + pick(kScriptNames) + ".ps1";
          case 2: return "\\\\srv-fs01\\scripts$\\" + pick(kScriptNames) + ".ps1";
          default: return "C:\\ProgramData\\Contoso\\Tasks\\" + pick(kScriptNames) + ".ps1";
        }
    }
  }

  bool OpenBlock() {
    // A host with a free slot, uniformly.
    std::array<int, 64> cand;
    int ncand = 0;
    for (int tries = 0; tries < 8 && ncand == 0; ++tries) {
      const int h = static_cast<int>(rng.Below(hosts.size()));
      if (hosts[static_cast<size_t>(h)].open < opt.open_per_host) cand[ncand++] = h;
    }
    if (ncand == 0) {
      for (size_t h = 0; h < hosts.size() && ncand < 64; ++h) {
        if (hosts[h].open < opt.open_per_host) cand[ncand++] = static_cast<int>(h);
      }
    }
    if (ncand == 0) return false;
    const int hi = cand[rng.Below(static_cast<uint64_t>(ncand))];
    Host& h = hosts[static_cast<size_t>(hi)];

    auto b = std::make_unique<Block>();
    b->serial = next_serial++;
    b->host = hi;
    malicious_acc += opt.malicious_ratio;
    const bool malicious = malicious_acc >= 1.0;
    if (malicious) malicious_acc -= 1.0;
    const size_t piece = ChoosePieceUnits(rng);
    b->script = corpus.Generate(rng, malicious, piece, opt.straddle_prob);
    b->pieces = FragmentText(b->script.text, b->script.utf16_length, piece);
    if (rng.Chance(0.2)) {
      h.procs[rng.Below(h.procs.size())] = NewProc(h);
    }
    const Proc& proc = h.procs[rng.Below(h.procs.size())];
    b->pid = proc.pid;
    b->sid = proc.sid;
    b->tid = static_cast<uint32_t>(rng.Range(250, 6000) * 4);
    FormatGuid(rng.Next(), rng.Next(), true, b->activity);
    b->seen.assign(b->pieces.size(), 0);

    BlockTruth& t = b->truth;
    t.host = h.beat.fqdn;
    t.script_block_id = Guid(false);
    t.path = MakePath(b->script, proc, malicious);
    t.kind = b->script.kind;
    t.fragments = static_cast<uint32_t>(b->pieces.size());
    t.utf16_length = b->script.utf16_length;
    t.piece_units = piece;
    t.warning = matcher.Contains(b->script.text);
    t.malicious = malicious;
    t.techniques = b->script.techniques;

    ++stats.blocks;
    if (malicious) ++stats.malicious_blocks;
    if (b->pieces.size() > 1) ++stats.multi_fragment_blocks;
    ++h.open;
    open.push_back(b->serial);
    blocks.emplace(b->serial, std::move(b));
    return true;
  }

  void Finalize(Block& b) {
    for (uint32_t n = 1; n <= b.pieces.size(); ++n) {
      if (b.seen[n - 1]) b.truth.emitted.push_back(n);
    }
    std::sort(b.truth.duplicated.begin(), b.truth.duplicated.end());
    if (truth_sink) truth_buf.Append(b.truth.ToJson());
    if (on_block) on_block(b.truth, b.script.text);
    blocks.erase(b.serial);
  }

  // A 4104 line for fragment `number` of `b` just went to the output.
  void LineOut(Block& b, uint32_t number) {
    ++stats.events_4104;
    if (b.seen[number - 1]) return;  // the second copy of a duplicate
    b.seen[number - 1] = 1;
    if (number < b.max_seen) b.truth.out_of_order = true;
    b.max_seen = std::max(b.max_seen, number);
  }

  // Called after each line written in stream order: releases held lines.
  void AfterDirectLine() {
    if (pending.empty()) return;
    size_t keep = 0;
    std::vector<Pending> due;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (--pending[i].countdown <= 0) {
        due.push_back(std::move(pending[i]));
      } else {
        if (keep != i) pending[keep] = std::move(pending[i]);
        ++keep;
      }
    }
    pending.resize(keep);
    for (Pending& p : due) Release(p);
  }

  void Release(Pending& p) {
    buf.Append(p.line);
    Block& b = *blocks.at(p.serial);
    LineOut(b, p.number);
    if (--b.pending == 0 && b.next == b.pieces.size()) Finalize(b);
  }

  void EmitFragment(size_t open_index) {
    Block& b = *blocks.at(open[open_index]);
    const uint64_t serial = b.serial;
    Host& h = hosts[static_cast<size_t>(b.host)];
    const uint32_t number = b.next + 1;
    const uint32_t total = static_cast<uint32_t>(b.pieces.size());
    ++stats.fragments;
    ScriptBlockEvent e;
    e.host = &h.beat;
    e.time = Tick(/*continuation=*/number > 1);
    e.created = Created(e.time);
    e.record_id = h.record_operational++;
    ++b.next;
    const bool done = b.next == total;
    if (done) {
      open[open_index] = open.back();
      open.pop_back();
      --h.open;
    }
    if (total > 1 && rng.Chance(opt.drop_rate)) {
      b.truth.dropped.push_back(number);
      ++stats.dropped;
    } else {
      e.pid = b.pid;
      e.tid = b.tid;
      e.user_sid = b.sid;
      e.activity_id = std::string_view(b.activity, 36);
      e.script_block_id = b.truth.script_block_id;
      e.number = number;
      e.total = total;
      e.text = b.pieces[number - 1];
      e.path = b.truth.path;
      e.warning = b.truth.warning;
      const size_t start = buf.size();
      WriteScriptBlockEvent(buf, e);
      const std::string_view line(buf.data() + start, buf.size() - start);
      if (rng.Chance(opt.duplicate_rate)) {
        pending.push_back({static_cast<int>(rng.Range(1, 21)), std::string(line),
                           b.serial, number});
        ++b.pending;
        b.truth.duplicated.push_back(number);
        ++stats.duplicated;
      }
      if (rng.Chance(opt.shuffle_rate)) {
        pending.push_back({static_cast<int>(rng.Range(1, 8)), std::string(line),
                           b.serial, number});
        ++b.pending;
        b.truth.delayed.push_back(number);
        ++stats.delayed;
        buf.Truncate(start);
      } else {
        LineOut(b, number);
        AfterDirectLine();
      }
    }
    // AfterDirectLine() may already have finalized (and freed) the block.
    auto it = blocks.find(serial);
    if (done && it != blocks.end() && it->second->pending == 0) {
      Finalize(*it->second);
    }
  }

  void EmitOther() {
    Host& h = hosts[rng.Below(hosts.size())];
    const Proc& proc = h.procs[rng.Below(h.procs.size())];
    OtherEvent e;
    e.host = &h.beat;
    e.time = Tick();
    e.created = Created(e.time);
    e.pid = proc.pid;
    e.tid = static_cast<uint32_t>(rng.Range(250, 6000) * 4);
    static constexpr int kIds[] = {4103, 4103, 4103, 4103, 4103, 4105, 4106,
                                   40961, 40962, 53504, 400, 403, 600, 600};
    e.event_id = kIds[rng.Below(std::size(kIds))];
    const bool classic = e.event_id < 1000;
    e.record_id = classic ? h.record_classic++ : h.record_operational++;
    std::string activity;
    if (!classic) {
      activity = Guid(true);
      e.activity_id = activity;
      e.user_sid = proc.sid;
    }
    std::string message, d1, d2, d3;
    const std::string host_guid = Guid(false), runspace = Guid(false);
    const std::string app =
        rng.Chance(0.8) ? "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
                        : "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoProfile -ExecutionPolicy RemoteSigned";
    switch (e.event_id) {
      case 4103: {
        const size_t c = rng.Below(std::size(kCommands));
        const std::string cmd(kCommands[c]);
        const std::string user = proc.user == "SYSTEM"
                                     ? std::string("NT AUTHORITY\\SYSTEM")
                                     : "CORP\\" + std::string(proc.user);
        d1 = "        Severity = Informational\r\n        Host Name = ConsoleHost\r\n"
             "        Host Version = 5.1.19041.4291\r\n        Host ID = " + host_guid +
             "\r\n        Host Application = " + app +
             "\r\n        Engine Version = 5.1.19041.4291\r\n        Runspace ID = " + runspace +
             "\r\n        Pipeline ID = " + std::to_string(rng.Range(1, 400)) +
             "\r\n        Command Name = " + cmd +
             "\r\n        Command Type = Cmdlet\r\n        Script Name = \r\n        Command Path = \r\n"
             "        Sequence Number = " + std::to_string(rng.Range(10, 9000)) +
             "\r\n        User = " + user + "\r\n        Connected User = \r\n"
             "        Shell ID = Microsoft.PowerShell\r\n";
        d2 = "CommandInvocation(" + cmd + "): \"" + cmd + "\"\r\nParameterBinding(" + cmd +
             "): name=\"" + std::string(kCommandParams[c]) + "\"; value=\"" +
             std::string(kCommandValues[c]) + "\"\r\n";
        message = d2 + "\r\n\r\nContext:\r\n" + d1 + "\r\n\r\nUser Data:\r\n";
        e.data[0] = "ContextInfo";
        e.data[1] = d1;
        e.data[2] = "Payload";
        e.data[3] = d2;
        e.data_pairs = 2;
        break;
      }
      case 4105:
      case 4106: {
        // Often the id of a block that is open right now: readers must not
        // mistake these for 4104 fragments.
        d1 = runspace;
        d2 = Guid(false);
        if (!open.empty() && rng.Chance(0.7)) {
          d2 = blocks.at(open[rng.Below(open.size())])->truth.script_block_id;
        }
        message = std::string(e.event_id == 4105 ? "Started" : "Completed") +
                  " invocation of ScriptBlock ID: " + d2 + "\r\nRunspace ID: " + d1;
        e.data[0] = "RunspaceId";
        e.data[1] = d1;
        e.data[2] = "ScriptBlockId";
        e.data[3] = d2;
        e.data_pairs = 2;
        break;
      }
      case 40961:
        message = "PowerShell console is starting up";
        break;
      case 40962:
        message = "PowerShell console is ready for user input";
        break;
      case 53504:
        d1 = std::to_string(proc.pid);
        d2 = "DefaultAppDomain";
        message = "Windows PowerShell has started an IPC listening thread on process: " +
                  d1 + " in AppDomain: DefaultAppDomain.";
        e.data[0] = "param1";
        e.data[1] = d1;
        e.data[2] = "param2";
        e.data[3] = d2;
        e.data_pairs = 2;
        break;
      default: {
        const std::string details_tail =
            "\r\n\tHostName=ConsoleHost\r\n\tHostVersion=5.1.19041.4291\r\n\tHostId=" + host_guid +
            "\r\n\tHostApplication=" + app + "\r\n\tEngineVersion=5.1.19041.4291\r\n\tRunspaceId=" +
            runspace + "\r\n\tPipelineId=\r\n\tCommandName=\r\n\tCommandType=\r\n\tScriptName=\r\n"
            "\tCommandPath=\r\n\tCommandLine=";
        if (e.event_id == 600) {
          const std::string prov(kProviders[rng.Below(std::size(kProviders))]);
          d1 = prov;
          d2 = "Started";
          d3 = "\tProviderName=" + prov + "\r\n\tNewProviderState=Started\r\n\r\n\tSequenceNumber=" +
               std::to_string(rng.Range(1, 15)) + "\r\n" + details_tail;
          message = "Provider \"" + prov + "\" is Started. \r\n\r\nDetails: \r\n" + d3;
        } else {
          const bool start = e.event_id == 400;
          d1 = start ? "Available" : "Stopped";
          d2 = start ? "None" : "Available";
          d3 = "\tNewEngineState=" + d1 + "\r\n\tPreviousEngineState=" + d2 +
               "\r\n\r\n\tSequenceNumber=" + std::to_string(rng.Range(9, 200)) + "\r\n" +
               details_tail;
          message = "Engine state is changed from " + d2 + " to " + d1 + ". \r\n\r\nDetails: \r\n" + d3;
        }
        e.data[0] = "param1";
        e.data[1] = d1;
        e.data[2] = "param2";
        e.data[3] = d2;
        e.data[4] = "param3";
        e.data[5] = d3;
        e.data_pairs = 3;
        break;
      }
    }
    e.message = message;
    WriteOtherEvent(buf, e);
    ++stats.other_events;
    AfterDirectLine();
  }

  bool MayOpen() const {
    if (opt.bytes > 0) return BytesOut() < opt.bytes;
    return next_serial < opt.blocks;
  }

  bool Run() {
    InitHosts();
    const size_t want_open = hosts.size() * static_cast<size_t>(opt.open_per_host);
    while (ok) {
      while (open.size() < want_open && MayOpen()) {
        if (!OpenBlock()) break;
      }
      if (open.empty()) break;
      while (opt.other_events_rate > 0 && rng.Chance(opt.other_events_rate)) {
        EmitOther();
      }
      EmitFragment(rng.Below(open.size()));
      Flush(false);
    }
    // Whatever transport still holds arrives at the end, in order.
    while (!pending.empty()) {
      Pending p = std::move(pending.front());
      pending.erase(pending.begin());
      Release(p);
    }
    Flush(true);
    stats.bytes = flushed;
    return ok;
  }
};

Generator::Generator(const GeneratorOptions& options, const ScriptCorpus& corpus)
    : options_(options), corpus_(corpus) {}

Generator::~Generator() = default;

bool Generator::Run(ByteSink& out, ByteSink* truth, const BlockCallback& on_block) {
  stats_ = GeneratorStats();
  Impl impl(options_, corpus_, stats_, out, truth, on_block);
  return impl.Run();
}

}  // namespace sbscan::gen
