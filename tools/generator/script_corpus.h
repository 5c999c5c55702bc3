// Composes realistic PowerShell script blocks from the static material
// (material.h): benign admin/dev code of many shapes and sizes, and malicious
// blocks that embed attack technique snippets into benign-looking context,
// sometimes placed on purpose across a fragment cut.
#ifndef SBSCAN_TOOLS_GENERATOR_SCRIPT_CORPUS_H_
#define SBSCAN_TOOLS_GENERATOR_SCRIPT_CORPUS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tools/generator/prng.h"
#include "tools/generator/template_engine.h"

namespace sbscan::gen {

enum class BlockKind {
  kTiny,        // verbatim blocks PowerShell logs constantly (prompt, ...)
  kOneLiner,    // interactive command
  kProfile,     // profile script
  kCompleter,   // argument completer registration
  kLookalike,   // benign code that resembles an attack
  kDsc,         // DSC configuration
  kScript,      // admin script with param block, functions and body
  kPester,      // Pester test file
  kModule,      // module (.psm1) code, the large blocks
};
std::string_view BlockKindName(BlockKind kind);

// One inserted technique snippet, in UTF-16 code units of the block text.
struct TechniqueSpan {
  std::string_view name;  // material::Technique::name (static storage)
  size_t utf16_offset = 0;
  size_t utf16_length = 0;
  bool straddles_cut = false;  // a fragment cut falls strictly inside
};

struct GeneratedScript {
  std::string text;         // UTF-8, BMP only
  size_t utf16_length = 0;  // UTF-16 code units of `text`
  BlockKind kind = BlockKind::kTiny;
  bool interactive = false;  // no Path (typed at the console / -Command)
  std::vector<TechniqueSpan> techniques;
};

// Immutable after construction; Generate() is const and may be called from
// several threads with separate Rng objects.
class ScriptCorpus {
 public:
  ScriptCorpus();
  ScriptCorpus(const ScriptCorpus&) = delete;
  ScriptCorpus& operator=(const ScriptCorpus&) = delete;

  // Generates one block. `piece_units` is the fragment piece size PowerShell
  // will use for it (fragmenter.h), so that snippets can be placed across a
  // cut; `malicious` asks for 1..3 technique snippets; `straddle_prob` is the
  // chance that a snippet in a multi-fragment block is placed across a cut.
  GeneratedScript Generate(Rng& rng, bool malicious, size_t piece_units,
                           double straddle_prob = 0.5) const;

  // Template compilation problems (unknown placeholders); empty when the
  // material is consistent.
  const std::vector<std::string>& errors() const { return engine_.errors(); }
  // Material counts, for --help and reports.
  size_t template_count() const { return engine_.template_count(); }
  size_t technique_count() const { return techniques_.size(); }
  size_t technique_variant_count() const;
  std::vector<std::string_view> technique_names() const;

 private:
  struct TechniqueTemplates {
    std::string_view name;
    std::vector<int> variants;
  };
  struct Insert;

  void Dynamic(std::string_view name, Rng& rng, bool crlf,
               std::string& out) const;
  void AppendFunction(TemplateEngine::Context& ctx, TextBuilder& out) const;
  void AppendStatements(TemplateEngine::Context& ctx, int indent, int count,
                        TextBuilder& out) const;
  void AppendFiller(TemplateEngine::Context& ctx, size_t units,
                    TextBuilder& out) const;
  // Body loop shared by the large kinds: appends units from `unit` until
  // `target` code units, placing `inserts` (sorted by offset) on the way.
  template <typename UnitFn>
  void BuildBody(TemplateEngine::Context& ctx, size_t target, UnitFn unit,
                 std::vector<Insert>& inserts, TextBuilder& out,
                 std::vector<TechniqueSpan>& spans) const;

  TemplateEngine engine_;
  std::vector<int> tiny_, one_liners_, statements_, params_, help_, headers_,
      mod_pre_, mod_post_, pester_its_, dsc_, profile_, completers_,
      lookalikes_, fillers_, inner_;
  int fn_open_ = -1, fn_open_simple_ = -1, describe_open_ = -1,
      context_open_ = -1, dsc_open_ = -1, dsc_close_ = -1;
  std::vector<TechniqueTemplates> techniques_;
  int list_verb_ = -1, list_noun_ = -1;
};

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_SCRIPT_CORPUS_H_
