// Benign PowerShell material: what admins, developers and Windows itself run.
// Templates use <<name>> placeholders (template_engine.h).
#include <array>
#include <string_view>

#include "tools/generator/material.h"

namespace sbscan::gen::material {
namespace {

using SV = std::string_view;

// ---------------------------------------------------------------- word lists
constexpr SV kVerbs[] = {
    "Get", "Set", "New", "Remove", "Test", "Invoke", "Update", "Export",
    "Import", "Start", "Stop", "Restart", "Add", "Clear", "Find", "Resolve",
    "Convert", "Sync", "Backup", "Restore", "Register", "Unregister", "Enable",
    "Disable", "Install", "Uninstall", "Publish", "Measure", "Compare", "Copy",
    "Move", "Rename", "Send", "Write", "Read", "Wait", "Show", "Format",
    "Initialize", "Confirm", "Assert", "Deploy", "Expand", "Compress", "Merge",
    "Split", "Watch", "Approve", "Grant", "Revoke", "Protect", "Unprotect",
    "Request", "Submit", "Complete", "Optimize", "Repair", "Reset", "Save",
    "Search", "Lock", "Unlock", "Mount", "Dismount", "Receive", "Trace"};
constexpr SV kNouns[] = {
    "ServerInventory", "DiskUsage", "UserProfile", "CertificateReport",
    "LogArchive", "PatchStatus", "ServiceHealth", "BackupJob", "GroupMember",
    "LocalAdministrator", "PrinterQueue", "SqlInstance", "AppPool",
    "DnsRecord", "DhcpLease", "FirewallRule", "ScheduledReport", "VMSnapshot",
    "StorageQuota", "MailboxSize", "LicenseUsage", "EventSummary",
    "UpdateCompliance", "NetworkAdapter", "BitLockerStatus", "TempFile",
    "ShareAccess", "GpoReport", "ConfigDrift", "DeploymentSlot",
    "BuildArtifact", "NuGetFeed", "ClusterNode", "HyperVHost", "TeamsPolicy",
    "StaleComputer", "PasswordExpiry", "HomeDirectory", "DriverVersion",
    "UptimeReport", "WsusApproval", "RdsSession", "IisBinding", "SslBinding",
    "ScheduledJob", "RestorePoint", "PageFile", "TimeSource", "ProxySetting",
    "WinRMListener", "RecycleBin", "SoftwareInventory", "HotfixReport",
    "ServiceAccount", "SqlBackup", "AuditPolicy", "ChangeTicket",
    "ConfigurationItem", "MonitoringAgent", "ReleaseNote", "TestResult"};
constexpr SV kModules[] = {
    "Contoso.Inventory", "CorpTools", "Fabrikam.Deploy", "PSInfraReport",
    "OpsHelpers", "SqlMaintenance", "ADHygiene", "CorpLogging", "PatchManager",
    "Contoso.Monitoring", "BuildTools", "Tailspin.Release", "Northwind.Data",
    "ServerBaseline", "PrintOps", "UserLifecycle", "CertManager",
    "NetDiag", "BackupReport", "CorpDsc"};
constexpr SV kVars[] = {
    "result", "items", "computerName", "session", "report", "entry", "output",
    "files", "services", "threshold", "logPath", "config", "counter",
    "timeout", "response", "filter", "query", "rows", "disk", "user", "group",
    "cert", "job", "batch", "target", "source", "destination", "item",
    "record", "statusCode", "retryCount", "stopwatch", "buffer", "settings",
    "summary", "server", "servers", "path", "name", "list", "data", "row",
    "line", "lines", "csv", "json", "uri", "body", "headers", "message",
    "errors", "warnings", "start", "end", "elapsed", "total", "index",
    "pending", "results", "matches", "children", "parent", "node", "nodes",
    "backup", "snapshot", "adapter", "update", "updates", "task", "tasks",
    "share", "acl", "rule", "rules", "owner", "members", "member", "mailbox",
    "license", "package", "packages", "version", "manifest", "module"};
constexpr SV kParams[] = {
    "ComputerName", "Path", "Credential", "Name", "Filter", "LogPath",
    "OutputPath", "Force", "PassThru", "ThrottleLimit", "TimeoutSeconds",
    "Identity", "SearchBase", "Server", "Port", "Database", "InstanceName",
    "Days", "Threshold", "Include", "Exclude", "Recurse", "WhatIfReport",
    "Department", "ReportTitle", "SmtpServer", "To", "From", "Subject",
    "Destination", "Source", "RetryCount", "Environment", "Tag", "Version",
    "Repository", "Scope", "MaxAge", "ConfigFile", "ClusterName"};
constexpr SV kServers[] = {
    "SRV-APP01", "SRV-APP02", "SRV-DB01", "SRV-DB02", "SRV-FS01", "DC01",
    "DC02", "SRV-WEB01", "SRV-WEB03", "SRV-SQL05", "SRV-PRINT01",
    "SRV-EXCH01", "SRV-WSUS01", "SRV-HV01", "SRV-HV02", "SRV-BUILD01",
    "SRV-MON01", "SRV-CA01", "SRV-RDS01", "SRV-BACKUP01"};
constexpr SV kServices[] = {
    "Spooler", "W32Time", "wuauserv", "BITS", "WinRM", "MSSQLSERVER", "W3SVC",
    "Dnscache", "LanmanServer", "EventLog", "Schedule", "SQLSERVERAGENT",
    "TermService", "WAS", "CertSvc", "DHCPServer", "DNS", "NTDS", "Netlogon",
    "HealthService", "MpsSvc", "VSS", "WinDefend", "sshd", "TrustedInstaller"};
constexpr SV kProcesses[] = {
    "explorer", "svchost", "chrome", "Teams", "OUTLOOK", "sqlservr", "w3wp",
    "pwsh", "Code", "notepad", "msedge", "EXCEL", "WINWORD", "java", "node",
    "dotnet", "MsMpEng", "spoolsv", "mmc", "devenv", "OneDrive"};
constexpr SV kRegKeys[] = {
    R"(HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion)",
    R"(HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters)",
    R"(HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU)",
    R"(HKCU:\Software\Microsoft\Office\16.0\Outlook\Preferences)",
    R"(HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall)",
    R"(HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall)",
    R"(HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Environment)",
    R"(HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full)",
    R"(HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server)",
    R"(HKCU:\Control Panel\International)",
    R"(HKLM:\SOFTWARE\Contoso\Agent)",
    R"(HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters)",
    R"(HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired)",
    R"(HKCU:\Software\Microsoft\Windows\CurrentVersion\Explorer\Advanced)"};
constexpr SV kRegValues[] = {
    "ProductName", "CurrentBuild", "ReleaseId", "DisplayVersion",
    "InstallDate", "Start", "ImagePath", "NoAutoUpdate", "Release",
    "fDenyTSConnections", "NtpServer", "Domain", "DisplayName",
    "UBR", "EditionID", "Hostname", "HideFileExt", "sShortDate"};
constexpr SV kDirs[] = {
    R"(C:\Logs)", R"(D:\Backups)", R"(\\fs01\share\reports)", R"($env:TEMP)",
    R"($env:ProgramData\Contoso)", R"(C:\inetpub\logs\LogFiles)",
    R"(C:\Scripts)", R"(D:\SQLBackups)", R"(\\srv-fs01\deploy$\packages)",
    R"($HOME\Documents\Reports)", R"(C:\Windows\Temp)", R"(E:\Data\Exports)",
    R"($PSScriptRoot\data)", R"($env:LOCALAPPDATA\CorpTools\cache)",
    R"(C:\ProgramData\Microsoft\Windows\Start Menu\Programs)",
    R"(\\corp.example.com\NETLOGON)", R"(C:\Program Files\Contoso\Agent\logs)",
    R"(C:\Users\Public\Desktop)", R"(D:\Builds\drop)", R"(C:\temp\Übergabe)"};
constexpr SV kExts[] = {"*.log", "*.csv", "*.ps1", "*.xml", "*.json", "*.bak",
                        "*.tmp", "*.txt", "*.zip", "*.evtx", "*.trn", "*.msi",
                        "*.config", "*.psd1"};
constexpr SV kNums[] = {"1", "2", "3", "5", "7", "10", "14", "15", "20",
                        "30", "45", "60", "90", "100", "120", "180", "250",
                        "365", "500", "1024", "3600", "4096"};
constexpr SV kUsers[] = {
    "jdoe", "asmith", "mgarcia", "svc_backup", "adm-kwilliams", "lchen",
    "pnovak", "tmueller", "rjones", "svc_sql", "hbrown", "nschmidt",
    "adm-ppatel", "ekowalski", "jmartin", "svc_deploy", "fdubois", "ayilmaz"};
constexpr SV kDepts[] = {"Finance", "HR", "Engineering", "Sales",
                         "IT Operations", "Legal", "Marketing", "Facilities",
                         "Support", "Research", "Procurement"};
constexpr SV kOus[] = {
    "OU=Workstations,OU=Corp,DC=corp,DC=example,DC=com",
    "OU=Servers,OU=Corp,DC=corp,DC=example,DC=com",
    "OU=Users,OU=Corp,DC=corp,DC=example,DC=com",
    "OU=Service Accounts,OU=Corp,DC=corp,DC=example,DC=com",
    "OU=Disabled,OU=Corp,DC=corp,DC=example,DC=com",
    "OU=Groups,OU=Corp,DC=corp,DC=example,DC=com",
    "CN=Computers,DC=corp,DC=example,DC=com"};
constexpr SV kDescs[] = {
    "Collects inventory data from one or more servers and writes a CSV report.",
    "Checks the state of the given services and restarts the ones that stopped.",
    "Removes files older than the retention period from the log folder.",
    "Returns the certificates that expire within the given number of days.",
    "Exports group membership for auditing; the output is sorted by group.",
    "Compares the installed updates with the approved baseline.",
    "Creates the folder structure and ACLs for a new project share.",
    "Reads configuration from the JSON file and validates required keys.",
    "Sends the daily status mail to the operations distribution list.",
    "Queries the event log for errors raised by the backup agent.",
    "Waits until the remote endpoint answers or the timeout expires.",
    "Converts the raw monitoring export into objects with typed properties.",
    "Prüft die Dienste auf dem Zielsystem und schreibt ein Protokoll.",
    "Vérifie l’état des sauvegardes et envoie un résumé.",
    "Returns the cached state — the cache is refreshed every 5 minutes.",
    "Rotates the application log and compresses the previous day.",
    "Builds the release package and publishes it to the internal feed.",
    "Gets the disk usage per volume, including mount points.",
    "Enables maintenance mode for the node before patching.",
    "Resolves the owner of each share from Active Directory."};
constexpr SV kWords[] = {
    "inventory", "cleanup", "retention", "baseline", "rollout", "staging",
    "nightly", "weekly", "quarterly", "compliance", "migration", "pilot",
    "maintenance", "monitoring", "onboarding", "offboarding", "archive",
    "Übersicht", "naïve", "café"};
constexpr SV kUrls[] = {
    "https://www.powershellgallery.com/api/v2",
    "https://api.github.com/repos/PowerShell/PowerShell/releases/latest",
    "https://intranet.corp.example.com/api/v1/assets",
    "https://servicenow.corp.example.com/api/now/table/change_request",
    "https://nuget.corp.example.com/v3/index.json",
    "https://graph.microsoft.com/v1.0/users",
    "https://monitoring.corp.example.com/api/status",
    "http://localhost:8080/health",
    "https://download.microsoft.com/download/7/0/3/SSMS-Setup-ENU.exe",
    "https://dev.azure.com/contoso/_apis/build/builds?api-version=7.0"};
constexpr SV kCimClasses[] = {
    "Win32_OperatingSystem", "Win32_LogicalDisk", "Win32_Service",
    "Win32_ComputerSystem", "Win32_BIOS", "Win32_Processor",
    "Win32_NetworkAdapterConfiguration", "Win32_QuickFixEngineering",
    "Win32_PhysicalMemory", "Win32_Volume", "Win32_Printer",
    "Win32_Share", "Win32_StartupCommand", "Win32_TimeZone"};
constexpr SV kProps[] = {
    "Name", "Status", "StartType", "FreeSpace", "Size", "LastWriteTime",
    "Length", "CreationTime", "DisplayName", "Id", "CPU", "WorkingSet",
    "Caption", "Version", "State", "Enabled", "LastLogonDate",
    "SamAccountName", "NotAfter", "Thumbprint", "InstalledOn", "HotFixID"};
constexpr SV kDates[] = {"2023-11-14", "2024-01-08", "2024-02-29",
                         "2024-03-05", "2023-06-30", "2024-04-15"};
constexpr SV kVersions[] = {"1.0.0", "1.4.2", "2.0.1", "2.3.0", "3.1.7",
                            "0.9.12", "5.1.0", "4.2.0-preview1"};
constexpr SV kLogNames[] = {"Application", "System", "Setup",
                            "Microsoft-Windows-TaskScheduler/Operational",
                            "Microsoft-Windows-Backup",
                            "Microsoft-Windows-GroupPolicy/Operational"};
constexpr SV kEventIds[] = {"1000", "1001", "6005", "6006", "7036", "7045",
                            "4625", "4740", "1074", "41", "129", "201"};
constexpr SV kFeatures[] = {"Web-Server", "Web-Mgmt-Tools", "RSAT-AD-PowerShell",
                            "Failover-Clustering", "FS-DFS-Replication",
                            "NET-Framework-45-Core", "Telnet-Client",
                            "Windows-Server-Backup"};
constexpr SV kAuthors[] = {"Jane Doe", "IT Operations", "Platform Team",
                           "K. Williams", "Jürgen Müller", "Ops Automation",
                           "Priya Patel", "François Dubois"};
constexpr SV kColors[] = {"Green", "Yellow", "Cyan", "Red", "DarkGray",
                          "Magenta", "White"};
constexpr SV kFiles[] = {"inventory.csv", "settings.json", "report.html",
                         "baseline.xml", "servers.txt", "members.csv",
                         "patches.json", "config.psd1", "changelog.md",
                         "Bericht_März.csv"};

constexpr NamedList kLists[] = {
    {"verb", kVerbs},       {"noun", kNouns},         {"mod", kModules},
    {"var", kVars},         {"param", kParams},       {"srv", kServers},
    {"svc", kServices},     {"proc", kProcesses},     {"regkey", kRegKeys},
    {"regval", kRegValues}, {"dir", kDirs},           {"ext", kExts},
    {"num", kNums},         {"user", kUsers},         {"dept", kDepts},
    {"ou", kOus},           {"desc", kDescs},         {"word", kWords},
    {"url", kUrls},         {"cim", kCimClasses},     {"prop", kProps},
    {"date", kDates},       {"ver", kVersions},       {"logname", kLogNames},
    {"evtid", kEventIds},   {"feature", kFeatures},   {"author", kAuthors},
    {"color", kColors},     {"file", kFiles},
};

// Computed by script_corpus.cc.
constexpr SV kDynamic[] = {
    "fn", "guid", "int", "port", "ip", "ntlm", "certbase", "enccradle",
    "base64utf", "deflatebase", "charcodes", "xorpayload", "shellcode",
    "year", "pid", "c2url", "c2exe", "c2ip", "c2port", "rand", "drop"};

// ------------------------------------------------------------ tiny blocks
constexpr SV kTiny[] = {
    R"PS({ Set-StrictMode -Version 1; $_.PSMessageDetails })PS",
    R"PS({ Set-StrictMode -Version 1; $_.ErrorCategory_Message })PS",
    R"PS({ Set-StrictMode -Version 1; $_.OriginInfo })PS",
    R"PS($global:?)PS",
    R"PS(prompt)PS",
    R"PS("PS $($executionContext.SessionState.Path.CurrentLocation)$('>' * ($nestedPromptLevel + 1)) ";
# .Link
# https://go.microsoft.com/fwlink/?LinkID=225750
# .ExternalHelp System.Management.Automation.dll-help.xml)PS",
    R"PS({ $_.Name })PS",
    R"PS({ $_.Status -eq 'Running' })PS",
    R"PS(& { Set-StrictMode -Version 1; $this.Exception.InnerException.PSMessageDetails })PS",
    R"PS(Set-Location -LiteralPath $args[0])PS",
    R"PS([System.Diagnostics.DebuggerHidden()]
param()

$Host.UI.RawUI.WindowTitle = "Windows PowerShell")PS",
    R"PS({ param($x) $x.ToString() })PS",
    R"PS($this.ServiceName)PS",
    R"PS([math]::Round($this.Length / 1MB, 2))PS",
    R"PS(Get-Command -CommandType Cmdlet, Function | Measure-Object)PS",
    R"PS(if ($PSVersionTable.PSVersion.Major -ge 5) { 'modern' } else { 'legacy' })PS",
    R"PS(Import-Module PSReadLine)PS",
    R"PS(exit $LASTEXITCODE)PS",
    R"PS($PSVersionTable)PS",
    R"PS(. 'C:\Users\Public\Documents\profile-common.ps1')PS",
    R"PS(Get-Date -Format 'yyyy-MM-dd HH:mm:ss')PS",
    R"PS($ErrorActionPreference = 'Stop')PS",
    R"PS([Console]::OutputEncoding = [System.Text.Encoding]::UTF8)PS",
    R"PS(Write-Host "Fertig ✓" -ForegroundColor Green)PS",
    R"PS($ProgressPreference = 'SilentlyContinue')PS",
};

// ------------------------------------------------------------- one-liners
constexpr SV kOneLiners[] = {
    R"PS(Get-Process | Sort-Object CPU -Descending | Select-Object -First <<num>>)PS",
    R"PS(Get-Service -Name <<svc>> | Restart-Service -PassThru)PS",
    R"PS(Get-ChildItem -Path '<<dir>>' -Filter <<ext>> -Recurse | Measure-Object -Property Length -Sum)PS",
    R"PS(Get-EventLog -LogName System -Newest <<num>> -EntryType Error)PS",
    R"PS(Get-WinEvent -FilterHashtable @{LogName='<<logname>>'; Id=<<evtid>>} -MaxEvents <<num>>)PS",
    R"PS(Get-CimInstance -ClassName <<cim>> -ComputerName <<srv>> | Format-List *)PS",
    R"PS(Test-NetConnection -ComputerName <<srv>> -Port <<port>>)PS",
    R"PS(Get-ADUser -Identity <<user>> -Properties LastLogonDate, PasswordLastSet)PS",
    R"PS(Get-ADGroupMember -Identity '<<dept>>' -Recursive | Select-Object Name, SamAccountName)PS",
    R"PS(Get-ItemProperty -Path '<<regkey>>' -Name <<regval>>)PS",
    R"PS(Enter-PSSession -ComputerName <<srv>>)PS",
    R"PS(Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First <<num>>)PS",
    R"PS(Import-Module <<mod>> -Force -Verbose)PS",
    R"PS(Install-Module -Name <<mod>> -Scope CurrentUser -Repository PSGallery)PS",
    R"PS(Update-Help -UICulture en-US -ErrorAction SilentlyContinue)PS",
    R"PS(Get-Content '<<dir>>\<<file>>' -Tail <<num>> -Wait)PS",
    R"PS(Select-String -Path '<<dir>>\<<ext>>' -Pattern 'ERROR|FATAL' | Group-Object Path | Sort-Object Count -Descending)PS",
    R"PS(Get-Volume | Where-Object { $_.SizeRemaining -lt <<num>>GB } | Format-Table -AutoSize)PS",
    R"PS(Resolve-DnsName <<srv>>.corp.example.com -Type A)PS",
    R"PS(Get-NetIPAddress -AddressFamily IPv4 | Where-Object PrefixOrigin -eq 'Dhcp')PS",
    R"PS(Get-ScheduledTask -TaskPath '\Contoso\' | Get-ScheduledTaskInfo)PS",
    R"PS(Invoke-Pester -Path .\tests -Output Detailed)PS",
    R"PS(Get-Help <<fn>> -Full)PS",
    R"PS(cd '<<dir>>'; ls | sort LastWriteTime | select -Last <<num>>)PS",
    R"PS(Get-Counter '\Processor(_Total)\% Processor Time' -SampleInterval 2 -MaxSamples <<num>>)PS",
    R"PS(Get-SmbShare | Where-Object Name -notlike '*$' | Get-SmbShareAccess)PS",
    R"PS(Stop-Computer -ComputerName <<srv>> -WhatIf)PS",
    R"PS(Get-Acl '<<dir>>' | Format-List)PS",
    R"PS(Compress-Archive -Path '<<dir>>\<<ext>>' -DestinationPath '<<dir2>>\archive-<<date>>.zip' -Force)PS",
    R"PS(Get-Module -ListAvailable | Where-Object Name -like '<<mod>>*')PS",
    R"PS(Get-Printer -ComputerName SRV-PRINT01 | Where-Object PrinterStatus -ne 'Normal')PS",
    R"PS(Invoke-RestMethod -Uri '<<url>>' -UseDefaultCredentials | ConvertTo-Json -Depth 4)PS",
    R"PS(Get-LocalGroupMember -Group Administrators)PS",
    R"PS(Find-Module -Name <<mod>> -AllVersions | Select-Object -First 3)PS",
    R"PS(Get-Clipboard | Set-Content '<<dir>>\<<file>>' -Encoding UTF8)PS",
    R"PS($env:PSModulePath -split ';')PS",
    R"PS(whoami /groups | Select-String 'Mandatory Label')PS",
    R"PS(gpupdate /force)PS",
    R"PS(ipconfig /flushdns)PS",
    R"PS(Get-Process -Id <<pid>> | Stop-Process -Force)PS",
};

// -------------------------------------------------------------- statements
constexpr SV kStatements[] = {
    R"PS($<<var>> = Get-ChildItem -Path '<<dir>>' -Filter '<<ext>>' -Recurse -ErrorAction SilentlyContinue |
    Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-<<num>>) }
)PS",
    R"PS(foreach ($<<var>> in $<<var2>>) {
    Write-Verbose "Processing $($<<var>>.<<prop>>)"
    $<<var3>> += [pscustomobject]@{
        Name     = $<<var>>.Name
        <<prop>> = $<<var>>.<<prop>>
        Checked  = Get-Date
    }
}
)PS",
    R"PS($<<var>> = Get-CimInstance -ClassName <<cim>> -ComputerName $ComputerName -ErrorAction Stop
)PS",
    R"PS(try {
    $<<var>> = Invoke-RestMethod -Uri '<<url>>' -Method Get -TimeoutSec <<num>> -UseDefaultCredentials
}
catch {
    Write-Warning "Request failed: $($_.Exception.Message)"
    return
}
)PS",
    R"PS(if (-not (Test-Path -Path '<<dir>>')) {
    New-Item -Path '<<dir>>' -ItemType Directory -Force | Out-Null
}
)PS",
    R"PS($<<var>> = Get-ItemProperty -Path '<<regkey>>' -ErrorAction SilentlyContinue
if ($null -ne $<<var>>) {
    $<<var2>> = $<<var>>.<<regval>>
}
)PS",
    R"PS(Write-Verbose -Message "[$((Get-Date).ToString('HH:mm:ss'))] <<word>>: starting on $env:COMPUTERNAME"
)PS",
    R"PS($<<var>> | Export-Csv -Path (Join-Path '<<dir>>' '<<file>>') -NoTypeInformation -Encoding UTF8
)PS",
    R"PS($<<var>> = Get-Service -ComputerName $ComputerName | Where-Object { $_.StartType -eq 'Automatic' -and $_.Status -ne 'Running' }
foreach ($svc in $<<var>>) {
    Write-Warning "$($svc.DisplayName) is $($svc.Status) on $ComputerName"
}
)PS",
    R"PS($stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
)PS",
    R"PS(Write-Verbose "Finished in $($stopwatch.Elapsed.TotalSeconds) s"
)PS",
    R"PS($<<var>> = @{
    Server      = '<<srv>>'
    Database    = '<<word>>'
    Timeout     = <<num>>
    Owner       = '<<user>>'
}
)PS",
    R"PS(switch -Regex ($<<var>>) {
    '^ERROR'   { $errors++; break }
    '^WARN'    { $warnings++; break }
    default    { $null = $<<var2>>.Add($_) }
}
)PS",
    R"PS($<<var>> = [System.Collections.Generic.List[object]]::new()
)PS",
    R"PS(if ($PSCmdlet.ShouldProcess($<<var>>, '<<verb>> <<noun>>')) {
    Remove-Item -Path $<<var>> -Recurse -Force -ErrorAction Stop
}
)PS",
    R"PS($<<var>> = Get-ADComputer -Filter "OperatingSystem -like '*Server*'" -SearchBase '<<ou>>' -Properties OperatingSystem, LastLogonDate |
    Where-Object { $_.LastLogonDate -gt (Get-Date).AddDays(-<<num>>) } |
    Select-Object -ExpandProperty Name
)PS",
    R"PS($<<var>> = Get-ADUser -Filter { Enabled -eq $true } -SearchBase '<<ou>>' -Properties PasswordLastSet, Department |
    Where-Object Department -eq '<<dept>>'
)PS",
    R"PS($<<var>> = Get-Content -Path $ConfigFile -Raw | ConvertFrom-Json
foreach ($key in 'Server', 'Database', 'Owner') {
    if (-not $<<var>>.$key) { throw "Missing setting '$key' in $ConfigFile" }
}
)PS",
    R"PS($<<var>> = Invoke-Command -ComputerName $ComputerName -ScriptBlock {
    Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3' |
        Select-Object DeviceID, @{ n = 'FreeGB'; e = { [math]::Round($_.FreeSpace / 1GB, 1) } }
} -ThrottleLimit <<num>>
)PS",
    R"PS($<<var>> = Get-WinEvent -FilterHashtable @{ LogName = '<<logname>>'; Level = 2; StartTime = (Get-Date).AddHours(-<<num>>) } -ErrorAction SilentlyContinue
)PS",
    R"PS($<<var>> = $<<var2>> | Group-Object -Property <<prop>> | Sort-Object -Property Count -Descending
)PS",
    R"PS($<<var>> = $<<var2>> | Where-Object { $_.<<prop>> -match '<<word>>' } | Select-Object -First <<num>>
)PS",
    R"PS(Send-MailMessage -SmtpServer 'smtp.corp.example.com' -From 'noreply@corp.example.com' -To 'ops@corp.example.com' `
    -Subject "<<word>> report $(Get-Date -Format d)" -Body ($<<var>> | Out-String) -Encoding UTF8
)PS",
    R"PS($<<var>> = New-Object -TypeName System.Data.SqlClient.SqlConnection -ArgumentList "Server=<<srv>>;Database=<<word>>;Integrated Security=True"
$<<var>>.Open()
$cmd = $<<var>>.CreateCommand()
$cmd.CommandText = 'SELECT name, state_desc, recovery_model_desc FROM sys.databases'
$reader = $cmd.ExecuteReader()
while ($reader.Read()) { [pscustomobject]@{ Name = $reader['name']; State = $reader['state_desc'] } }
$<<var>>.Close()
)PS",
    R"PS($<<var>> = Get-ChildItem Cert:\LocalMachine\My | Where-Object { $_.NotAfter -lt (Get-Date).AddDays(<<num>>) }
)PS",
    R"PS(for ($i = 0; $i -lt $RetryCount; $i++) {
    if (Test-Connection -ComputerName $ComputerName -Count 1 -Quiet) { break }
    Start-Sleep -Seconds ([math]::Pow(2, $i))
}
)PS",
    R"PS($<<var>> = '{0:N1} GB' -f ((Get-ChildItem '<<dir>>' -Recurse -File | Measure-Object Length -Sum).Sum / 1GB)
)PS",
    R"PS(Write-Host ("{0,-30} {1,10}" -f $<<var>>.Name, $<<var>>.<<prop>>) -ForegroundColor <<color>>
)PS",
    R"PS($<<var>> = $<<var2>>.Where({ $_.<<prop>> }, 'First', <<num>>)
)PS",
    R"PS(Start-Job -Name '<<word>>-<<int>>' -ScriptBlock { param($p) Get-ChildItem $p -Recurse | Measure-Object } -ArgumentList '<<dir>>' | Out-Null
)PS",
    R"PS($null = Get-Job | Wait-Job -Timeout <<num>> | Receive-Job
)PS",
    R"PS(<# <<desc>> #>
)PS",
    R"PS(# <<word>>: keep this in sync with <<mod>> <<ver>>
)PS",
    R"PS(# TODO(<<user>>): remove once <<srv>> is decommissioned
)PS",
    R"PS($<<var>> = Get-Acl -Path '<<dir>>'
$ruleArgs = '<<dept>> Users', 'Modify', 'ContainerInherit,ObjectInherit', 'None', 'Allow'
$<<var>>.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule $ruleArgs))
Set-Acl -Path '<<dir>>' -AclObject $<<var>>
)PS",
    R"PS($<<var>> = Get-WmiObject -Class <<cim>> -ComputerName $ComputerName -Credential $Credential
)PS",
    R"PS(Get-ChildItem -Path '<<regkey>>' | ForEach-Object {
    $p = Get-ItemProperty $_.PSPath
    if ($p.DisplayName) { [pscustomobject]@{ Name = $p.DisplayName; Version = $p.DisplayVersion; Publisher = $p.Publisher } }
}
)PS",
    R"PS(Set-ItemProperty -Path '<<regkey>>' -Name '<<regval>>' -Value <<num>> -Type DWord
)PS",
    R"PS($<<var>> = [xml](Get-Content -Path '<<dir>>\<<file>>' -Raw)
$<<var>>.configuration.appSettings.add | ForEach-Object { '{0} = {1}' -f $_.key, $_.value }
)PS",
    R"PS(Register-ObjectEvent -InputObject $<<var>> -EventName Exited -SourceIdentifier '<<word>>.exit' -Action { Write-Host 'process exited' } | Out-Null
)PS",
    R"PS($<<var>> = $<<var2>> | ConvertTo-Html -Title '<<word>> report' -PreContent '<h1><<dept>> — <<word>></h1>' -Property Name, <<prop>>
)PS",
    R"PS($<<var>> = [System.IO.Path]::Combine($env:ProgramData, '<<mod>>', '<<file>>')
)PS",
    R"PS(Write-Progress -Activity '<<verb>> <<noun>>' -Status "$index of $total" -PercentComplete ($index / [math]::Max($total, 1) * 100)
)PS",
    R"PS($<<var>> = Get-Process -Name <<proc>> -ErrorAction SilentlyContinue | Sort-Object WorkingSet64 -Descending
)PS",
    R"PS(Restart-Service -Name <<svc>> -Force -ErrorAction Stop
Write-Verbose '<<svc>> restarted'
)PS",
    R"PS($<<var>> = Get-Item -LiteralPath $Path -Force
if ($<<var>>.Attributes -band [IO.FileAttributes]::ReparsePoint) {
    Write-Verbose "Skipping junction $Path"
    continue
}
)PS",
    R"PS($<<var>> = Get-DnsServerResourceRecord -ZoneName 'corp.example.com' -ComputerName DC01 -RRType A |
    Where-Object { $_.Timestamp -and $_.Timestamp -lt (Get-Date).AddDays(-<<num>>) }
)PS",
    R"PS(Copy-Item -Path '<<dir>>\<<file>>' -Destination '\\<<srv>>\c$\Temp\' -Force
)PS",
    R"PS($<<var>> = Get-FileHash -Path '<<dir>>\<<file>>' -Algorithm SHA256
if ($<<var>>.Hash -ne $ExpectedHash) { throw "Checksum mismatch for <<file>>" }
)PS",
    R"PS(Start-Process -FilePath 'msiexec.exe' -ArgumentList '/i', "`"<<dir>>\Contoso.Agent-<<ver>>.msi`"", '/qn', '/norestart', "/l*v `"$env:TEMP\agent-install.log`"" -Wait -NoNewWindow
)PS",
    R"PS($<<var>> = Test-Path -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
)PS",
    R"PS(Write-Output ([pscustomobject]@{
    ComputerName = $ComputerName
    <<prop>>     = $<<var>>
    Timestamp    = Get-Date -Format o
})
)PS",
    R"PS($<<var>> = (Get-Date) - (Get-CimInstance Win32_OperatingSystem).LastBootUpTime
)PS",
    R"PS(Set-Content -Path '<<dir>>\last-run.txt' -Value (Get-Date -Format o) -Encoding ASCII
)PS",
    R"PS($<<var>> = $<<var2>> | Sort-Object <<prop>> -Unique | Select-Object -ExpandProperty <<prop>>
)PS",
    R"PS(Add-Content -Path $LogPath -Value ("{0} [{1}] {2}" -f (Get-Date -Format s), 'INFO', "<<word>> done for $ComputerName")
)PS",
    R"PS($<<var>> = Get-NetFirewallRule -DisplayGroup 'Remote Desktop' | Where-Object Enabled -eq 'True'
)PS",
    R"PS($cred = Import-Clixml -Path "$env:USERPROFILE\.creds\<<user>>.xml"
)PS",
    R"PS($<<var>>.Sort({ param($a, $b) $a.<<prop>>.CompareTo($b.<<prop>>) })
)PS",
    R"PS(Get-ChildItem '<<dir>>' -Include <<ext>> -Recurse | Rename-Item -NewName { $_.BaseName + '-<<date>>' + $_.Extension } -WhatIf
)PS",
    R"PS($<<var>> = Get-VM -ComputerName SRV-HV01, SRV-HV02 | Where-Object State -eq 'Running' | Get-VMSnapshot
)PS",
    R"PS($<<var>> = Get-ClusterNode -Cluster 'CL-<<word>>' | Select-Object Name, State, DrainStatus
)PS",
    R"PS(Import-Module WebAdministration
Get-IISAppPool | Where-Object State -ne 'Started' | ForEach-Object { Start-WebAppPool -Name $_.Name }
)PS",
    R"PS(Write-Information -MessageData "Übersicht für $ComputerName erstellt" -InformationAction Continue
)PS",
    R"PS(Write-Host "`t- <<word>> … ok" -ForegroundColor DarkGray
)PS",
    R"PS($<<var>> = $<<var2>> -replace '\s+', ' ' -split ';' | ForEach-Object Trim
)PS",
    R"PS(Invoke-Sqlcmd -ServerInstance '<<srv>>' -Database msdb -Query "EXEC dbo.sp_start_job N'<<word>> backup'"
)PS",
    R"PS(if ($<<var>>.Count -eq 0) {
    Write-Verbose 'Nothing to do.'
    return
}
)PS",
    R"PS(trap { Write-Warning "Unexpected error: $_"; continue }
)PS",
    R"PS($<<var>> = Get-Partition | Where-Object DriveLetter | Get-Volume | Select-Object DriveLetter, FileSystemLabel, SizeRemaining
)PS",
    R"PS($<<var>> = Get-Content '<<dir>>\servers.txt' | Where-Object { $_ -and $_ -notmatch '^\s*#' }
)PS",
};

// ---------------------------------------------------------- param decls
constexpr SV kParamDecls[] = {
    R"PS([Parameter(Mandatory = $true, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
[Alias('CN', 'Server')]
[string[]]
$ComputerName)PS",
    R"PS([Parameter(Mandatory)]
[ValidateScript({ Test-Path $_ })]
[string]
$Path)PS",
    R"PS([Parameter()]
[System.Management.Automation.PSCredential]
[System.Management.Automation.Credential()]
$Credential = [System.Management.Automation.PSCredential]::Empty)PS",
    R"PS([ValidateRange(1, 365)]
[int]
$Days = <<num>>)PS",
    R"PS([switch]
$Force)PS",
    R"PS([switch]
$PassThru)PS",
    R"PS([ValidateSet('Dev', 'Test', 'Prod')]
[string]
$Environment = 'Test')PS",
    R"PS([string]
$LogPath = (Join-Path -Path $env:TEMP -ChildPath '<<noun>>.log'))PS",
    R"PS([Parameter(Position = 0)]
[string]
$Name = '*')PS",
    R"PS([int]
$ThrottleLimit = <<num>>)PS",
    R"PS([ValidateNotNullOrEmpty()]
[string]
$OutputPath = '<<dir>>')PS",
    R"PS([string]
$SearchBase = '<<ou>>')PS",
    R"PS([ValidateRange(1, 10)]
[int]
$RetryCount = 3)PS",
    R"PS([string]
$ConfigFile = "$PSScriptRoot\<<file>>")PS",
    R"PS([Parameter(ParameterSetName = 'ByIdentity', Mandatory)]
[string]
$Identity)PS",
    R"PS([timespan]
$Timeout = (New-TimeSpan -Minutes <<num>>))PS",
    R"PS([string[]]
$Include = @('<<ext>>', '<<ext2>>'))PS",
};

// ------------------------------------------------------------ help blocks
constexpr SV kHelpBlocks[] = {
    R"PS(<#
.SYNOPSIS
    <<desc>>

.DESCRIPTION
    <<fn>> <<desc2>>
    Results are written to the pipeline so they can be exported or filtered.

.PARAMETER ComputerName
    One or more computers to query. Defaults to the local computer.

.EXAMPLE
    PS C:\> <<fn>> -ComputerName <<srv>>

.EXAMPLE
    PS C:\> Get-Content .\servers.txt | <<fn>> | Export-Csv .\out.csv -NoTypeInformation

.NOTES
    Author : <<author>>
    Version: <<ver>> (<<date>>)
#>
)PS",
    R"PS(<#
.SYNOPSIS
    <<desc>>
.EXAMPLE
    Invoke-Command -ComputerName localhost -ScriptBlock { <<fn>> -Verbose }
    Runs the function through remoting against the local machine (WinRM must be enabled).
.LINK
    https://wiki.corp.example.com/ops/<<noun>>
#>
)PS",
    R"PS(# .SYNOPSIS
#   <<desc>>
# .NOTES
#   Owner: <<dept>> (<<user>>@corp.example.com)
)PS",
    R"PS(<#
    .SYNOPSIS
    <<desc>>

    .INPUTS
    System.String. You can pipe computer names to <<fn>>.

    .OUTPUTS
    PSCustomObject

    .EXAMPLE
    <<fn>> -Days <<num>> -Verbose
#>
)PS",
    R"PS(<#
.SYNOPSIS
  <<desc>>
.FUNCTIONALITY
  <<word>>
.COMPONENT
  <<mod>>
#>
)PS",
};

// --------------------------------------------------------- script headers
constexpr SV kScriptHeaders[] = {
    R"PS(#Requires -Version 5.1
#Requires -Modules ActiveDirectory
<#
.SYNOPSIS
    <<desc>>
.NOTES
    Scheduled task: \Contoso\<<noun>> (runs as svc_<<word>>)
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$OutputPath = '<<dir>>',
    [int]$Days = <<num>>
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
)PS",
    R"PS(# <<noun>>.ps1 - <<desc>>
# Maintainer: <<author>>   Last change: <<date>>

param(
    [Parameter(Mandatory)][string]$ComputerName,
    [switch]$Force
)

)PS",
    R"PS(<#
    Copyright (c) Contoso Ltd. All rights reserved.
    <<desc>>
#>

$ErrorActionPreference = 'Stop'
$script:LogFile = Join-Path '<<dir>>' ("<<noun>>_{0:yyyyMMdd}.log" -f (Get-Date))
)PS",
    R"PS(#Requires -RunAsAdministrator
[CmdletBinding()]
param()

Import-Module <<mod>> -ErrorAction Stop
)PS",
    R"PS(Set-StrictMode -Version 3.0

)PS",
};

constexpr SV kModulePreambles[] = {
    R"PS(#region Module <<MOD>>
# Generated by Plaster on <<date>>; edit the Public/ and Private/ folders, not this file.
Set-StrictMode -Version Latest

$script:ModuleRoot = $PSScriptRoot
$script:Config = @{
    DefaultServer = '<<srv>>'
    CacheMinutes  = <<num>>
    ApiBase       = '<<url>>'
}
)PS",
    R"PS(using namespace System.Collections.Generic
using namespace System.Management.Automation

$script:Cache = [Dictionary[string, object]]::new([StringComparer]::OrdinalIgnoreCase)
)PS",
    R"PS(# <<MOD>> <<ver>> - internal module, do not publish to PSGallery
$ErrorActionPreference = 'Stop'
)PS",
    R"PS(enum LogLevel {
    Debug = 0
    Info = 1
    Warning = 2
    Error = 3
}

class <<noun>>Record {
    [string] $Name
    [datetime] $Timestamp = [datetime]::UtcNow
    [LogLevel] $Level = [LogLevel]::Info

    <<noun>>Record([string] $name) {
        $this.Name = $name
    }

    [string] ToString() {
        return '{0:u} {1} {2}' -f $this.Timestamp, $this.Level, $this.Name
    }
}
)PS",
};

constexpr SV kModuleFooters[] = {
    R"PS(
Export-ModuleMember -Function *-* -Alias *
#endregion
)PS",
    R"PS(
$exportedFunctions = Get-ChildItem -Path "$PSScriptRoot\Public\*.ps1" | Select-Object -ExpandProperty BaseName
Export-ModuleMember -Function $exportedFunctions
)PS",
    R"PS(
Register-ArgumentCompleter -CommandName (Get-Command -Module <<MOD>>).Name -ParameterName ComputerName -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    Get-Content "$PSScriptRoot\servers.txt" | Where-Object { $_ -like "$wordToComplete*" }
}
)PS",
    R"PS(
$ExecutionContext.SessionState.Module.OnRemove = {
    $script:Cache.Clear()
}
)PS",
};

// ------------------------------------------------------------------ Pester
constexpr SV kPesterIts[] = {
    R"PS(It 'returns one object per computer' {
    $result = <<FN>> -ComputerName 'a', 'b'
    $result | Should -HaveCount 2
}
)PS",
    R"PS(It 'throws when the path does not exist' {
    { <<FN>> -Path 'TestDrive:\missing' } | Should -Throw '*does not exist*'
}
)PS",
    R"PS(It 'writes the report to <<file>>' {
    <<FN>> -OutputPath 'TestDrive:\'
    'TestDrive:\<<file>>' | Should -Exist
}
)PS",
    R"PS(It 'calls <<fn>> once' {
    Mock <<fn>> { }
    <<FN>> -Force
    Should -Invoke <<fn>> -Times 1 -Exactly
}
)PS",
    R"PS(It 'handles <Name>' -TestCases @(
    @{ Name = '<<srv>>'; Expected = $true }
    @{ Name = 'does-not-exist'; Expected = $false }
) {
    param($Name, $Expected)
    (<<FN>> -ComputerName $Name).Reachable | Should -Be $Expected
}
)PS",
    R"PS(It 'keeps the <<prop>> property' {
    $obj = [pscustomobject]@{ <<prop>> = '<<word>>' }
    ($obj | <<FN>>).<<prop>> | Should -BeExactly '<<word>>'
}
)PS",
    R"PS(It 'respects -WhatIf' {
    Mock Remove-Item { }
    <<FN>> -Path 'TestDrive:\' -WhatIf
    Should -Invoke Remove-Item -Times 0
}
)PS",
    R"PS(It 'returns nothing for an empty input' {
    @() | <<FN>> | Should -BeNullOrEmpty
}
)PS",
};

// -------------------------------------------------------------------- DSC
constexpr SV kDscResources[] = {
    R"PS(WindowsFeature <<word>>Feature
{
    Ensure = 'Present'
    Name   = '<<feature>>'
}
)PS",
    R"PS(Service <<svc>>Service
{
    Name        = '<<svc>>'
    StartupType = 'Automatic'
    State       = 'Running'
}
)PS",
    R"PS(File <<word>>Folder
{
    Ensure          = 'Present'
    Type            = 'Directory'
    DestinationPath = '<<dir>>'
}
)PS",
    R"PS(Registry <<regval>>Value
{
    Ensure    = 'Present'
    Key       = '<<regkey>>'
    ValueName = '<<regval>>'
    ValueData = '<<num>>'
    ValueType = 'Dword'
}
)PS",
    R"PS(Package ContosoAgent
{
    Ensure    = 'Present'
    Name      = 'Contoso Agent'
    Path      = '\\srv-fs01\deploy$\packages\Contoso.Agent-<<ver>>.msi'
    ProductId = '<<GUID>>'
    Arguments = '/qn /norestart'
}
)PS",
    R"PS(Script <<word>>Check
{
    GetScript  = { @{ Result = (Test-Path '<<dir>>\<<file>>') } }
    TestScript = { Test-Path '<<dir>>\<<file>>' }
    SetScript  = { New-Item -Path '<<dir>>\<<file>>' -ItemType File -Force | Out-Null }
}
)PS",
    R"PS(User <<user>>Local
{
    Ensure   = 'Absent'
    UserName = '<<user>>'
}
)PS",
    R"PS(Environment <<word>>Path
{
    Ensure = 'Present'
    Name   = 'CONTOSO_HOME'
    Value  = '<<dir>>'
}
)PS",
};

// ---------------------------------------------------------------- profile
constexpr SV kProfileParts[] = {
    R"PS(Import-Module posh-git -ErrorAction SilentlyContinue
Import-Module Terminal-Icons -ErrorAction SilentlyContinue
)PS",
    R"PS(Set-PSReadLineOption -PredictionSource History -EditMode Windows -HistoryNoDuplicates
Set-PSReadLineKeyHandler -Key Tab -Function MenuComplete
Set-PSReadLineKeyHandler -Key UpArrow -Function HistorySearchBackward
)PS",
    R"PS(function prompt {
    $loc = $executionContext.SessionState.Path.CurrentLocation
    $branch = git branch --show-current 2>$null
    $tag = if ($branch) { " [$branch]" } else { '' }
    "PS $loc$tag$('>' * ($nestedPromptLevel + 1)) "
}
)PS",
    "function prompt {\n    $e = [char]27\n    \"\x1b[32m$env:USERNAME@$env:COMPUTERNAME\x1b[0m $(Get-Location)> \"\n}\n",
    R"PS(Set-Alias -Name ll -Value Get-ChildItem
Set-Alias -Name np -Value notepad.exe
function .. { Set-Location .. }
)PS",
    R"PS($env:PATH += ";$HOME\tools;C:\Program Files\Git\cmd"
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
)PS",
    R"PS(if ($host.Name -eq 'ConsoleHost') {
    $Host.UI.RawUI.WindowTitle = "PS $($PSVersionTable.PSVersion) - $env:USERDOMAIN\$env:USERNAME"
}
)PS",
    R"PS($PSDefaultParameterValues['Out-File:Encoding'] = 'utf8'
$PSDefaultParameterValues['*:Verbose'] = $false
$PSDefaultParameterValues['Export-Csv:NoTypeInformation'] = $true
)PS",
    R"PS(function Edit-Profile { code $PROFILE.CurrentUserAllHosts }
function Get-MyIP { (Invoke-RestMethod 'https://api.ipify.org?format=json').ip }
)PS",
    R"PS(Register-EngineEvent -SourceIdentifier PowerShell.Exiting -Action {
    Get-History | Export-Clixml "$HOME\.ps_history.xml"
} | Out-Null
)PS",
    R"PS(# chocolatey profile
$ChocolateyProfile = "$env:ChocolateyInstall\helpers\chocolateyProfile.psm1"
if (Test-Path($ChocolateyProfile)) {
    Import-Module "$ChocolateyProfile"
}
)PS",
};

// ------------------------------------------------------------- completers
constexpr SV kCompleters[] = {
    R"PS(Register-ArgumentCompleter -CommandName <<fn>> -ParameterName <<param>> -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Get-ADComputer -Filter "Name -like '$wordToComplete*'" -SearchBase '<<ou>>' |
        Sort-Object Name |
        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ParameterValue', $_.DNSHostName) }
}
)PS",
    R"PS(Register-ArgumentCompleter -Native -CommandName dotnet -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    dotnet complete --position $cursorPosition "$commandAst" | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
)PS",
    R"PS(Register-ArgumentCompleter -CommandName <<fn>> -ParameterName Name -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    (Get-Service -Name "$wordToComplete*").Name | ForEach-Object { "'$_'" }
}
)PS",
    R"PS(Register-ArgumentCompleter -Native -CommandName winget -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    [Console]::InputEncoding = [Console]::OutputEncoding = $OutputEncoding = [System.Text.Utf8Encoding]::new()
    $Local:word = $wordToComplete.Replace('"', '""')
    $Local:ast = $commandAst.ToString().Replace('"', '""')
    winget complete --word="$Local:word" --commandline "$Local:ast" --position $cursorPosition | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
)PS",
};

// -------------------------------------------------------------- lookalikes
constexpr SV kLookalikes[] = {
    R"PS(# Install the monitoring agent silently (approved change <<int>>)
$msi = '\\srv-fs01\deploy$\packages\Contoso.Agent-<<ver>>.msi'
$args = "/i `"$msi`" /qn /norestart ALLUSERS=1 SERVER=<<srv>>"
$p = Start-Process -FilePath msiexec.exe -ArgumentList $args -Wait -PassThru
if ($p.ExitCode -notin 0, 3010) { throw "msiexec failed with $($p.ExitCode)" }
)PS",
    R"PS(<#
.EXAMPLE
    Invoke-Command -ComputerName localhost -ScriptBlock { Get-Service WinRM }
    Verifies that remoting works on this machine before running the rollout.
#>
function Test-LocalRemoting {
    [CmdletBinding()]
    param()
    try {
        Invoke-Command -ComputerName localhost -ScriptBlock { $env:COMPUTERNAME } -ErrorAction Stop | Out-Null
        $true
    } catch {
        $false
    }
}
)PS",
    R"PS(# Root CA of the internal PKI, distributed by script because GPO does not reach the DMZ
$caBase64 = @'
<<certbase>>
'@
$bytes = [System.Convert]::FromBase64String(($caBase64 -replace '\s', ''))
$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($bytes)
$store = [System.Security.Cryptography.X509Certificates.X509Store]::new('Root', 'LocalMachine')
$store.Open('ReadWrite')
$store.Add($cert)
$store.Close()
Write-Host "Imported $($cert.Subject) ($($cert.Thumbprint))"
)PS",
    R"PS(# Encode a maintenance command for the RMM tool (it only accepts -EncodedCommand)
$command = 'Get-Service <<svc>> | Restart-Service -PassThru'
$encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
Write-Output "powershell.exe -NoProfile -EncodedCommand $encoded"
)PS",
    R"PS(Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser -Force
)PS",
    R"PS(# Download the approved installer from the vendor and verify its signature
$dest = Join-Path $env:TEMP 'SSMS-Setup-ENU.exe'
Invoke-WebRequest -Uri 'https://download.microsoft.com/download/7/0/3/SSMS-Setup-ENU.exe' -OutFile $dest -UseBasicParsing
$sig = Get-AuthenticodeSignature -FilePath $dest
if ($sig.Status -ne 'Valid' -or $sig.SignerCertificate.Subject -notmatch 'Microsoft Corporation') {
    Remove-Item $dest -Force
    throw 'Signature check failed'
}
Start-Process -FilePath $dest -ArgumentList '/install', '/quiet', '/norestart' -Wait
)PS",
    R"PS(Start-Process -FilePath powershell.exe -Verb RunAs -ArgumentList '-NoProfile', '-File', "`"$PSCommandPath`""
)PS",
    R"PS($cred = Get-Credential -Message 'Account for <<srv>> maintenance' -UserName 'CORP\<<user>>'
$session = New-PSSession -ComputerName localhost -Credential $cred
Invoke-Command -Session $session -ScriptBlock { Get-WindowsFeature | Where-Object Installed }
Remove-PSSession $session
)PS",
    R"PS(# Load the vendor assembly used for report rendering
Add-Type -Path "$PSScriptRoot\lib\Contoso.Reporting.dll"
$renderer = [Contoso.Reporting.HtmlRenderer]::new()
)PS",
    R"PS(Add-Type -AssemblyName System.Windows.Forms
$dialog = New-Object System.Windows.Forms.OpenFileDialog -Property @{ Filter = 'CSV (*.csv)|*.csv'; InitialDirectory = [Environment]::GetFolderPath('MyDocuments') }
if ($dialog.ShowDialog() -eq 'OK') { Import-Csv $dialog.FileName | Out-GridView }
)PS",
    R"PS(# Hash the password for the app config (never store clear text)
$sha = [System.Security.Cryptography.SHA256]::Create()
$hash = [BitConverter]::ToString($sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($PlainText))) -replace '-', ''
)PS",
    R"PS(Get-Help about_Execution_Policies
# Invoke-Expression is not needed here: use the call operator & instead
& "$PSScriptRoot\<<noun>>.ps1" -Verbose
)PS",
};

constexpr SV kFillerLines[] = {
    "Write-Verbose 'checkpoint'\n",
    "$null = $script:Cache.Count\n",
    "# ----------------------------------------------------------------\n",
    "Write-Debug \"state: $($PSBoundParameters.Count) parameters\"\n",
    "$index++\n",
    "# see <<url>>\n",
    "\n",
    "Start-Sleep -Milliseconds <<num>>\n",
    "$total = [math]::Max($total, 0)\n",
    "Write-Verbose \"<<word>> step $index\"\n",
};

}  // namespace

std::span<const NamedList> WordLists() { return kLists; }
std::span<const std::string_view> DynamicNames() { return kDynamic; }
std::span<const std::string_view> TinyBlocks() { return kTiny; }
std::span<const std::string_view> OneLiners() { return kOneLiners; }
std::span<const std::string_view> Statements() { return kStatements; }
std::span<const std::string_view> ParamDecls() { return kParamDecls; }
std::span<const std::string_view> HelpBlocks() { return kHelpBlocks; }
std::span<const std::string_view> ScriptHeaders() { return kScriptHeaders; }
std::span<const std::string_view> ModulePreambles() { return kModulePreambles; }
std::span<const std::string_view> ModuleFooters() { return kModuleFooters; }
std::span<const std::string_view> PesterIts() { return kPesterIts; }
std::span<const std::string_view> DscResources() { return kDscResources; }
std::span<const std::string_view> ProfileParts() { return kProfileParts; }
std::span<const std::string_view> Completers() { return kCompleters; }
std::span<const std::string_view> Lookalikes() { return kLookalikes; }
std::span<const std::string_view> FillerLines() { return kFillerLines; }

}  // namespace sbscan::gen::material
