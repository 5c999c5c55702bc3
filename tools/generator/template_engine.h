// A small template language for generated PowerShell text.
//
// A template is PowerShell text with placeholders `<<name>>`. A name made of
// a word list name plus optional digits (`var`, `var2`) draws one value from
// that list; the same name yields the same value again within one scope:
// lower-case names are scoped to the current *unit* (ExpandContext::NewUnit),
// upper-case names (`<<MOD>>`) to the whole block. Names registered as
// dynamic are computed by a DynamicProvider (GUIDs, numbers, encoded
// payloads). Templates use "\n" line ends; they are compiled once into
// literal variants for CRLF/LF and indentation levels 0..3, so expansion is
// copying plus a few draws.
#ifndef SBSCAN_TOOLS_GENERATOR_TEMPLATE_ENGINE_H_
#define SBSCAN_TOOLS_GENERATOR_TEMPLATE_ENGINE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/generator/prng.h"

namespace sbscan::gen {

inline constexpr int kMaxIndent = 3;

// Script text under construction, with its UTF-16 length kept current.
class TextBuilder {
 public:
  void Append(std::string_view s);
  // Appends `s` whose UTF-16 length `units` is already known.
  void AppendKnown(std::string_view s, size_t units) {
    text_.append(s);
    utf16_ += units;
  }
  const std::string& text() const { return text_; }
  std::string& mutable_text() { return text_; }
  size_t utf16_size() const { return utf16_; }
  size_t size() const { return text_.size(); }
  void Reserve(size_t n) { text_.reserve(n); }
  // Drops everything after the first `bytes` bytes (`units` code units).
  void Truncate(size_t bytes, size_t units) {
    text_.resize(bytes);
    utf16_ = units;
  }
  void Clear() {
    text_.clear();
    utf16_ = 0;
  }
  std::string Release() {
    utf16_ = 0;
    return std::move(text_);
  }

 private:
  std::string text_;
  size_t utf16_ = 0;
};

struct CompiledTemplate;

// Computes the value of a dynamic placeholder (`name` without digits) and
// appends it to `out`. `crlf` tells which line end multi-line values use.
using DynamicProvider =
    std::function<void(std::string_view name, Rng& rng, bool crlf,
                       std::string& out)>;

// Registry of word lists and dynamic names plus compiled templates.
// Build it once (not thread-safe while building), then share it read-only.
class TemplateEngine {
 public:
  // `values` must outlive the engine (static arrays).
  void AddList(std::string_view name, std::span<const std::string_view> values);
  void AddDynamic(std::string_view name);
  void SetDynamicProvider(DynamicProvider provider) {
    provider_ = std::move(provider);
  }

  // Compiles `source`; unknown placeholders are recorded in errors() and
  // left as literal text. The returned index is for Expand().
  int Compile(std::string_view source);
  // Compiles every source of a span and returns the indices.
  std::vector<int> CompileAll(std::span<const std::string_view> sources);

  const std::vector<std::string>& errors() const { return errors_; }
  size_t template_count() const { return templates_.size(); }
  std::span<const std::string_view> list(int id) const { return lists_[id].values; }
  int FindList(std::string_view name) const;

  // Per-block expansion state: cached draws for block- and unit-scoped names.
  class Context {
   public:
    Context(const TemplateEngine& engine, Rng& rng, bool crlf);
    void NewUnit();
    Rng& rng() { return rng_; }
    bool crlf() const { return crlf_; }
    std::string_view eol() const { return crlf_ ? "\r\n" : "\n"; }

   private:
    friend class TemplateEngine;
    const TemplateEngine& engine_;
    Rng& rng_;
    bool crlf_;
    // Keyed by interned placeholder name id.
    std::vector<std::string> block_values_;
    std::vector<size_t> block_units_;
    std::vector<uint8_t> block_set_;
    std::vector<std::string> unit_values_;
    std::vector<size_t> unit_units_;
    std::vector<uint8_t> unit_set_;
    std::vector<int> unit_touched_;
  };

  // Appends template `id` at `indent` (0..kMaxIndent; the first line is
  // indented too, blank lines are not) to `out`.
  void Expand(int id, Context& ctx, int indent, TextBuilder& out) const;
  // Same, into a plain string (for values embedded in other values).
  void ExpandTo(int id, Context& ctx, std::string& out) const;

 private:
  struct List {
    std::string name;
    std::span<const std::string_view> values;
    bool dynamic = false;
  };
  struct Segment {
    // Literal: variants [crlf][indent]; placeholder: list and key.
    std::array<std::array<std::string, kMaxIndent + 1>, 2> literal;
    std::array<std::array<size_t, kMaxIndent + 1>, 2> literal_units;
    int list = -1;
    int key = -1;        // interned full name ("var2")
    bool block_scope = false;
  };
  struct Template {
    std::vector<Segment> segments;
  };
  int InternKey(std::string_view name);
  // Returns the value and sets `units` to its UTF-16 length.
  const std::string& Resolve(const Segment& seg, Context& ctx,
                             size_t& units) const;

  std::vector<List> lists_;
  std::vector<std::string> keys_;
  std::vector<Template> templates_;
  std::vector<std::string> errors_;
  DynamicProvider provider_;
};

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_TEMPLATE_ENGINE_H_
