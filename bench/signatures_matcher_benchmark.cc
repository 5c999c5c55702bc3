// Matcher::ScanText + Evaluate throughput on a ~12 KB PowerShell-like script block with ~150
// literal and regex patterns in one database (the shape of the bundled rule set).
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "signatures/matcher.h"
#include "signatures/rule_set.h"

namespace sbscan::signatures {
namespace {

const char* const kLiterals[] = {
    "Invoke-Mimikatz", "Invoke-Expression", "DownloadString", "DownloadFile", "Net.WebClient",
    "FromBase64String", "Set-MpPreference", "Add-MpPreference", "AmsiUtils", "amsiInitFailed",
    "VirtualAlloc", "GetProcAddress", "CreateThread", "WriteProcessMemory", "OpenProcess",
    "Invoke-Shellcode", "Invoke-ReflectivePEInjection", "Get-GPPPassword", "Invoke-Kerberoast",
    "Invoke-BloodHound", "Get-NetDomain", "Invoke-ShareFinder", "PowerView", "Invoke-SMBExec",
    "Invoke-WMIExec", "Invoke-DCOM", "New-PSDrive", "Get-Keystrokes", "Get-TimedScreenshot",
    "Out-Minidump", "lsass", "sekurlsa", "Invoke-TokenManipulation", "Invoke-CredentialInjection",
    "Invoke-PowerShellTcp", "Invoke-PowerShellUdp", "Invoke-Portscan", "Start-Process", "-nop",
    "-noni", "bypass", "hidden", "-bxor", "[char]", "System.IO.Compression.DeflateStream",
    "IO.Compression.GzipStream", "MemoryStream", "Reflection.Assembly", "Load(", "EncodedCommand",
    "Disable-WindowsOptionalFeature", "Set-ExecutionPolicy", "Remove-Item", "Clear-EventLog",
    "wevtutil", "vssadmin", "Delete Shadows", "bcdedit", "New-Service", "sc.exe",
    "schtasks", "Register-ScheduledTask", "New-ScheduledTaskAction", "CurrentVersion\\Run",
    "Win32_Process", "Get-WmiObject", "Invoke-WmiMethod", "Register-WmiEvent",
    "__EventFilter", "CommandLineEventConsumer", "Get-ADUser", "Get-ADComputer", "Get-ADGroup",
    "DirectorySearcher", "servicePrincipalName", "Get-LocalGroupMember", "net user", "net group",
    "whoami", "Compress-Archive", "Invoke-RestMethod", "Invoke-WebRequest", "iwr", "curl", "wget",
    "Bitsadmin", "Start-BitsTransfer", "certutil", "-urlcache", "mshta", "rundll32", "regsvr32",
    "SharpHound", "Rubeus", "Seatbelt", "ConvertTo-SecureString", "PtrToStringAuto",
    "Marshal", "SecureStringToBSTR", "GetDelegateForFunctionPointer", "DefineDynamicAssembly",
    "Get-Clipboard", "Get-Process", "Stop-Process", "Set-Content", "Out-File", "Add-Type"};

const char* const kRegexes[] = {
    R"(\biex\b)", R"(\s-e(nc(odedcommand)?)?\s)",
    R"(\[char\]\s*\d{2,3})", R"(-w(indowstyle)?\s+h(idden)?\b)",
    R"(Disable(RealtimeMonitoring|BehaviorMonitoring|IOAVProtection))",
    R"(HK(LM|CU):\\)", R"(sekurlsa::(logonpasswords|pth|tickets))",
    R"(\[(System\.)?Reflection\.Assembly\]::Load)", R"([a-z]`[a-z]`[a-z])",
    R"("\{\d\}\{\d\}")", R"(-join\s*\(\s*\$?\w+\[-1\.\.)", R"(\$env:(temp|appdata|public)\\)",
    R"(https?://\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})", R"(\.(exe|dll|ps1|bat|vbs)['"])",
    R"(New-Object\s+(System\.)?Net\.Sockets\.TCPClient)", R"(\bsc(\.exe)?\s+create\b)",
    R"(Invoke-(Obfuscation|CradleCrafter))", R"(\\\\[a-z0-9.-]+\\(admin|c|ipc)\$)",
    R"(System\.Management\.Automation\.[A-Za-z]+Utils)", R"(0x[0-9a-f]{2}(,\s*0x[0-9a-f]{2}){16,})",
    R"(\bnet(1)?\s+(user|localgroup|group)\b)", R"(\bCreateRemoteThread\b)",
    R"(\bIO\.StreamReader\b)", R"(\bSet-Alias\s+\w+\s+Invoke)", R"(\bFromBase64String\s*\()",
    R"(\b(Get|Set)-ItemProperty\b.{0,80}\\Run\b)", R"(\bStart-Sleep\s+-s(econds)?\s+\d{3,})",
    R"(\breg(\.exe)?\s+(add|delete)\b)", R"(\bwmic\b.{0,40}\bprocess\b)",
    R"(\b(Enable|Disable)-PSRemoting\b)", R"(\bAdd-MpPreference\s+-ExclusionPath\b)",
    R"(\bInvoke-Command\s+-ComputerName\b)", R"(\bNew-PSSession\b)",
    R"(\bEnter-PSSession\b)", R"(\bTest-NetConnection\b.{0,40}-Port\b)",
    R"(\$\{[^}]{1,20}\})", R"(\bGet-Credential\b)",
    R"(\bSend-MailMessage\b)", R"(\bOut-String\b)", R"(\bConvertFrom-Json\b)",
    R"(\bWrite-Output\b\s+\$\w+)", R"(\bForEach-Object\s*\{)", R"(\[Convert\]::ToInt\d+)",
    R"(\bsplit\s*\(\s*['"][^'"]['"]\s*\))"};

// Pure character-class repeats without a literal factor: Hyperscan runs them as NFAs over every
// byte. Each one alone costs about as much as the other ~150 patterns together (measured), which
// is why the benchmark reports them separately (Arg 1).
const char* const kHeavyRegexes[] = {R"([A-Za-z0-9+/]{100,}={0,2})", R"(\b[A-Za-z0-9]{32}\b)"};

std::string MakeText() {
  const std::string chunk = R"PS(
function Get-SystemReport {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $false)] [string] $ComputerName = $env:COMPUTERNAME,
        [int] $Days = 7
    )
    begin { $results = New-Object System.Collections.Generic.List[object] }
    process {
        try {
            $os = Get-CimInstance -ClassName Win32_OperatingSystem -ComputerName $ComputerName
            $disks = Get-CimInstance Win32_LogicalDisk -Filter "DriveType=3" |
                Select-Object DeviceID, @{n='FreeGB';e={[math]::Round($_.FreeSpace/1GB,2)}}
            $events = Get-WinEvent -FilterHashtable @{LogName='System'; Level=2; StartTime=(Get-Date).AddDays(-$Days)} -ErrorAction SilentlyContinue
            foreach ($e in $events) { $results.Add([pscustomobject]@{ Time = $e.TimeCreated; Id = $e.Id; Message = $e.Message.Substring(0, [math]::Min(80, $e.Message.Length)) }) }
            Write-Verbose ("{0} errors on {1}" -f $events.Count, $ComputerName)
        } catch {
            Write-Warning "Failed to query $ComputerName : $($_.Exception.Message)"
        }
    }
    end { $results | Sort-Object Time -Descending | Format-Table -AutoSize | Out-String -Width 200 }
}
)PS";
  std::string text;
  while (text.size() < 12 * 1024) text += chunk;
  text.resize(12 * 1024);
  return text;
}

std::shared_ptr<const RuleSet> MakeRules(bool heavy) {
  std::vector<Rule> rules;
  int n = 0;
  auto add = [&](Pattern p) {
    Rule r;
    r.id = "bench." + std::to_string(n++);
    r.title = r.id;
    r.condition = "1 of them";
    p.name = "p";
    r.patterns.push_back(std::move(p));
    rules.push_back(std::move(r));
  };
  for (const char* l : kLiterals) add(Pattern{"", Pattern::Kind::kLiteral, l});
  for (const char* re : kRegexes) add(Pattern{"", Pattern::Kind::kRegex, re});
  if (heavy) {
    for (const char* re : kHeavyRegexes) add(Pattern{"", Pattern::Kind::kRegex, re});
  }
  auto set = RuleSet::Compile(std::move(rules));
  if (!set.ok()) return nullptr;
  return *set;
}

void BM_ScanTextEvaluate(benchmark::State& state) {
  auto set = MakeRules(state.range(0) != 0);
  if (set == nullptr) {
    state.SkipWithError("rule set failed to compile");
    return;
  }
  const std::string text = MakeText();
  Matcher matcher(set);
  std::vector<RuleHit> hits;
  size_t fired = 0;
  for (auto _ : state) {
    matcher.Reset();
    matcher.SetLevel(4);
    matcher.ScanText(text, 0);
    hits.clear();
    matcher.Evaluate(&hits);
    fired += hits.size();
    benchmark::DoNotOptimize(hits.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * text.size());
  state.counters["patterns"] = static_cast<double>(set->pattern_count());
  state.counters["hits_per_block"] =
      static_cast<double>(fired) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}
BENCHMARK(BM_ScanTextEvaluate)->Arg(0)->Arg(1);

}  // namespace
}  // namespace sbscan::signatures
