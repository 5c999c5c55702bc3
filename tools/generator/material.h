// Raw script material for the generator: word lists and templates (see
// template_engine.h for the `<<name>>` syntax). benign_material.cc holds
// admin/dev PowerShell, malicious_material.cc the attack technique snippets.
// Everything here is static data; script_corpus.cc composes it into blocks.
#ifndef SBSCAN_TOOLS_GENERATOR_MATERIAL_H_
#define SBSCAN_TOOLS_GENERATOR_MATERIAL_H_

#include <span>
#include <string_view>

namespace sbscan::gen::material {

struct NamedList {
  std::string_view name;
  std::span<const std::string_view> values;
};

// Word lists usable as placeholders (benign and malicious).
std::span<const NamedList> WordLists();

// Placeholders computed at expansion time (script_corpus.cc implements them).
std::span<const std::string_view> DynamicNames();

// --- Benign material -------------------------------------------------------
// Tiny blocks PowerShell logs all the time (prompt, formatter, completion
// helpers), verbatim; interactive (no Path).
std::span<const std::string_view> TinyBlocks();
// One-line interactive commands (templates).
std::span<const std::string_view> OneLiners();
// Statements for function bodies and script bodies (templates, may span lines).
std::span<const std::string_view> Statements();
// Parameter declarations inside param( ... ).
std::span<const std::string_view> ParamDecls();
// Comment-based help blocks placed before a function (use <<fn>>).
std::span<const std::string_view> HelpBlocks();
// Script file headers (comments, #Requires, Set-StrictMode...).
std::span<const std::string_view> ScriptHeaders();
// Module-level code: script variables, type data, Export-ModuleMember.
std::span<const std::string_view> ModulePreambles();
std::span<const std::string_view> ModuleFooters();
// Pester: Describe headers and It blocks.
std::span<const std::string_view> PesterIts();
// DSC resource blocks inside a Node.
std::span<const std::string_view> DscResources();
// Profile lines and prompt functions.
std::span<const std::string_view> ProfileParts();
// Register-ArgumentCompleter blocks.
std::span<const std::string_view> Completers();
// Benign code that superficially resembles attacks.
std::span<const std::string_view> Lookalikes();
// Short filler lines used to pad text to an exact position.
std::span<const std::string_view> FillerLines();

// --- Malicious material ----------------------------------------------------
struct Technique {
  std::string_view name;  // stable id reported in the truth file
  std::span<const std::string_view> variants;
};
std::span<const Technique> Techniques();
// Inner payloads that get encoded (Base64 / UTF-16LE / deflate / xor / char
// codes) by the dynamic placeholders.
std::span<const std::string_view> InnerPayloads();

}  // namespace sbscan::gen::material

#endif  // SBSCAN_TOOLS_GENERATOR_MATERIAL_H_
