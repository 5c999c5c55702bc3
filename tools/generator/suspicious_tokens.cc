#include "tools/generator/suspicious_tokens.h"

#include <cstring>

namespace sbscan::gen {

const std::array<std::string_view, kSuspiciousTokenCount> kSuspiciousTokens = {
    "Add-Type",
    "DllImport",
    "DefineDynamicAssembly",
    "DefineDynamicModule",
    "DefineType",
    "DefineConstructor",
    "CreateType",
    "DefineLiteral",
    "DefineEnum",
    "DefineField",
    "ILGenerator",
    "Emit",
    "UnverifiableCodeAttribute",
    "DefinePInvokeMethod",
    "GetTypes",
    "GetAssemblies",
    "Methods",
    "Properties",
    "GetConstructor",
    "GetConstructors",
    "GetDefaultMembers",
    "GetEvent",
    "GetEvents",
    "GetField",
    "GetFields",
    "GetInterface",
    "GetInterfaceMap",
    "GetInterfaces",
    "GetMember",
    "GetMembers",
    "GetMethod",
    "GetMethods",
    "GetNestedType",
    "GetNestedTypes",
    "GetProperties",
    "GetProperty",
    "InvokeMember",
    "MakeArrayType",
    "MakeByRefType",
    "MakeGenericType",
    "MakePointerType",
    "DeclaringMethod",
    "DeclaringType",
    "ReflectedType",
    "TypeHandle",
    "TypeInitializer",
    "UnderlyingSystemType",
    "InteropServices",
    "Marshal",
    "AllocHGlobal",
    "PtrToStructure",
    "StructureToPtr",
    "FreeHGlobal",
    "IntPtr",
    "MemoryStream",
    "DeflateStream",
    "FromBase64String",
    "EncodedCommand",
    "Bypass",
    "ToBase64String",
    "ExpandString",
    "GetPowerShell",
    "OpenProcess",
    "VirtualAlloc",
    "VirtualFree",
    "WriteProcessMemory",
    "CreateUserThread",
    "CloseHandle",
    "GetDelegateForFunctionPointer",
    "kernel32",
    "CreateThread",
    "memcpy",
    "LoadLibrary",
    "GetModuleHandle",
    "GetProcAddress",
    "VirtualProtect",
    "FreeLibrary",
    "ReadProcessMemory",
    "CreateRemoteThread",
    "AdjustTokenPrivileges",
    "WriteByte",
    "WriteInt32",
    "OpenThreadToken",
    "PtrToString",
    "ZeroFreeGlobalAllocUnicode",
    "OpenProcessToken",
    "GetTokenInformation",
    "SetThreadToken",
    "ImpersonateLoggedOnUser",
    "RevertToSelf",
    "GetLogonSessionData",
    "CreateProcessWithToken",
    "DuplicateTokenEx",
    "OpenWindowStation",
    "OpenDesktop",
    "MiniDumpWriteDump",
    "AddSecurityPackage",
    "EnumerateSecurityPackages",
    "GetProcessHandle",
    "DangerousGetHandle",
    "CryptoServiceProvider",
    "Cryptography",
    "RijndaelManaged",
    "SHA1Managed",
    "CryptoStream",
    "CreateEncryptor",
    "CreateDecryptor",
    "TransformFinalBlock",
    "DeviceIoControl",
    "SetInformationProcess",
    "PasswordDeriveBytes",
    "GetAsyncKeyState",
    "GetKeyboardState",
    "GetForegroundWindow",
    "BindingFlags",
    "NonPublic",
    "ScriptBlockLogging",
    "LogPipelineExecutionDetails",
    "ProtectedEventLogging",
};

namespace {

inline char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

inline uint32_t Load4Folded(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  // Folds ASCII upper case onto lower case; also folds some punctuation,
  // which only costs a false candidate that Verify() rejects.
  return v | 0x20202020u;
}

bool EqualsFolded(std::string_view text, size_t pos, std::string_view token) {
  if (text.size() - pos < token.size()) return false;
  for (size_t i = 0; i < token.size(); ++i) {
    if (LowerAscii(text[pos + i]) != LowerAscii(token[i])) return false;
  }
  return true;
}

}  // namespace

SuspiciousTokenMatcher::SuspiciousTokenMatcher()
    : bitmap_(65536 / 64, 0), bucket_start_(65537, 0) {
  std::vector<uint32_t> hashes(kSuspiciousTokens.size());
  for (size_t t = 0; t < kSuspiciousTokens.size(); ++t) {
    hashes[t] = Hash(Load4Folded(kSuspiciousTokens[t].data()));
    bitmap_[hashes[t] >> 6] |= uint64_t{1} << (hashes[t] & 63);
    ++bucket_start_[hashes[t] + 1];
  }
  for (size_t h = 1; h < bucket_start_.size(); ++h) {
    bucket_start_[h] += bucket_start_[h - 1];
  }
  bucket_tokens_.resize(kSuspiciousTokens.size());
  std::vector<uint16_t> fill(bucket_start_.begin(), bucket_start_.end() - 1);
  for (size_t t = 0; t < kSuspiciousTokens.size(); ++t) {
    bucket_tokens_[fill[hashes[t]]++] = static_cast<uint8_t>(t);
  }
}

const SuspiciousTokenMatcher& SuspiciousTokenMatcher::Instance() {
  static const SuspiciousTokenMatcher* const kInstance =
      new SuspiciousTokenMatcher();
  return *kInstance;
}

int SuspiciousTokenMatcher::FirstMatch(std::string_view text) const {
  if (text.size() < 4) return -1;  // every token has at least 4 characters
  const char* p = text.data();
  const size_t last = text.size() - 4;
  for (size_t i = 0; i <= last; ++i) {
    const uint32_t h = Hash(Load4Folded(p + i));
    if ((bitmap_[h >> 6] >> (h & 63)) & 1) {
      for (uint16_t k = bucket_start_[h]; k < bucket_start_[h + 1]; ++k) {
        const int t = bucket_tokens_[k];
        if (EqualsFolded(text, i, kSuspiciousTokens[t])) return t;
      }
    }
  }
  return -1;
}

bool SuspiciousTokenMatcher::Contains(std::string_view text) const {
  return FirstMatch(text) >= 0;
}

bool SuspiciousTokenMatcher::ContainsNaive(std::string_view text) {
  for (std::string_view token : kSuspiciousTokens) {
    for (size_t i = 0; i + token.size() <= text.size(); ++i) {
      if (EqualsFolded(text, i, token)) return true;
    }
  }
  return false;
}

}  // namespace sbscan::gen
