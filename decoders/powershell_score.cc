#include "decoders/powershell_score.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace sbscan::decoders {
namespace {

constexpr uint8_t V = kPsVerb;
constexpr uint8_t K = kPsKeyword;
constexpr uint8_t W = kPsWeakKeyword;
constexpr uint8_t O = kPsOperator;
constexpr uint8_t T = kPsType;

constexpr PowerShellWord kVocabulary[] = {
    // Approved (and common unapproved) verbs.
    {"add", V}, {"approve", V}, {"assert", V}, {"backup", V}, {"block", V},
    {"checkpoint", V}, {"clear", V}, {"close", V}, {"compare", V},
    {"complete", V}, {"compress", V}, {"confirm", V}, {"connect", V},
    {"convert", V | T}, {"convertfrom", V}, {"convertto", V}, {"copy", V},
    {"debug", V}, {"deny", V}, {"disable", V}, {"disconnect", V},
    {"dismount", V}, {"edit", V}, {"enable", V}, {"enter", V}, {"exit", V | K},
    {"expand", V}, {"export", V}, {"find", V}, {"foreach", V | K},
    {"format", V}, {"get", V}, {"grant", V}, {"group", V}, {"hide", V},
    {"import", V}, {"initialize", V}, {"install", V}, {"invoke", V},
    {"join", V | O}, {"limit", V}, {"lock", V}, {"measure", V}, {"merge", V},
    {"mount", V}, {"move", V}, {"new", V}, {"open", V}, {"optimize", V},
    {"out", V}, {"ping", V}, {"pop", V}, {"protect", V}, {"publish", V},
    {"push", V}, {"read", V}, {"receive", V}, {"redo", V}, {"register", V},
    {"remove", V}, {"rename", V}, {"repair", V}, {"request", V}, {"reset", V},
    {"resize", V}, {"resolve", V}, {"restart", V}, {"restore", V},
    {"resume", V}, {"revoke", V}, {"save", V}, {"search", V}, {"select", V},
    {"send", V}, {"set", V}, {"show", V}, {"skip", V}, {"sort", V},
    {"split", V | O}, {"start", V}, {"step", V}, {"stop", V}, {"submit", V},
    {"suspend", V}, {"switch", V | W}, {"sync", V}, {"tee", V}, {"test", V},
    {"trace", V}, {"unblock", V}, {"undo", V}, {"uninstall", V},
    {"unlock", V}, {"unprotect", V}, {"unpublish", V}, {"unregister", V},
    {"update", V}, {"use", V}, {"wait", V}, {"watch", V}, {"where", V},
    {"write", V},
    // Strong keywords and aliases used by attackers and admins alike.
    {"function", K}, {"param", K}, {"elseif", K}, {"workflow", K},
    {"cmdletbinding", K}, {"iex", K}, {"iwr", K}, {"irm", K}, {"icm", K},
    {"gci", K}, {"sal", K}, {"gwmi", K}, {"saps", K}, {"scriptblock", K | T},
    {"psobject", K | T}, {"pscustomobject", K | T}, {"null", K},
    {"true", K}, {"false", K}, {"env", K}, {"downloadstring", K},
    {"downloadfile", K}, {"frombase64string", K}, {"tobase64string", K},
    {"getstring", K}, {"getbytes", K}, {"webclient", K},
    {"invokeexpression", K}, {"tostring", K}, {"length", K}, {"count", K},
    {"trim", K}, {"substring", K}, {"tochararray", K}, {"readtoend", K},
    // Keywords that are also English words: counted, with less weight.
    {"if", W}, {"else", W}, {"for", W}, {"while", W}, {"do", W},
    {"until", W}, {"return", W}, {"try", W}, {"catch", W}, {"finally", W},
    {"throw", W}, {"trap", W}, {"break", W}, {"continue", W}, {"begin", W},
    {"process", W}, {"end", W}, {"filter", W}, {"class", W}, {"data", W},
    {"in", W | O},
    // Operators (after '-').
    {"eq", O}, {"ne", O}, {"gt", O}, {"ge", O}, {"lt", O}, {"le", O},
    {"ieq", O}, {"ceq", O}, {"ine", O}, {"cne", O}, {"like", O},
    {"notlike", O}, {"ilike", O}, {"clike", O}, {"match", O}, {"notmatch", O},
    {"imatch", O}, {"cmatch", O}, {"replace", O | K}, {"ireplace", O},
    {"creplace", O}, {"contains", O}, {"notcontains", O}, {"notin", O},
    {"isplit", O}, {"csplit", O}, {"f", O}, {"bxor", O}, {"band", O},
    {"bor", O}, {"bnot", O}, {"and", O}, {"or", O}, {"not", O}, {"xor", O},
    {"is", O}, {"isnot", O}, {"as", O}, {"shl", O}, {"shr", O},
    {"encodedcommand", O}, {"enc", O}, {"nop", O}, {"noprofile", O},
    {"windowstyle", O}, {"executionpolicy", O}, {"erroraction", O},
    // Type names (after '[').
    {"char", T}, {"byte", T}, {"string", T}, {"int", T}, {"int16", T},
    {"int32", T}, {"int64", T}, {"uint32", T}, {"long", T}, {"double", T},
    {"bool", T}, {"void", T}, {"array", T}, {"hashtable", T}, {"regex", T},
    {"math", T}, {"system", T}, {"text", T}, {"io", T}, {"net", T},
    {"runtime", T}, {"reflection", T}, {"environment", T}, {"ref", T},
    {"type", T}, {"guid", T}, {"datetime", T}, {"intptr", T},
    {"parameter", T}, {"validateset", T}, {"activator", T}, {"appdomain", T},
};

constexpr size_t kMaxWord = 24;
constexpr size_t kTableSize = 1024;  // power of two, > 2x the vocabulary

inline uint32_t HashWord(const char* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ uint8_t(p[i])) * 16777619u;
  return h;
}

struct Table {
  std::array<int16_t, kTableSize> slot;  // index into kVocabulary, -1 empty
  Table() {
    slot.fill(-1);
    for (size_t i = 0; i < std::size(kVocabulary); ++i) {
      const std::string_view w = kVocabulary[i].word;
      uint32_t h = HashWord(w.data(), w.size()) & (kTableSize - 1);
      while (slot[h] >= 0) h = (h + 1) & (kTableSize - 1);
      slot[h] = static_cast<int16_t>(i);
    }
  }
  uint8_t Find(const char* p, size_t n) const {
    uint32_t h = HashWord(p, n) & (kTableSize - 1);
    while (slot[h] >= 0) {
      const PowerShellWord& e = kVocabulary[slot[h]];
      if (e.word.size() == n && std::memcmp(e.word.data(), p, n) == 0) {
        return e.kinds;
      }
      h = (h + 1) & (kTableSize - 1);
    }
    return 0;
  }
};

const Table& GetTable() {
  static const Table* table = new Table();
  return *table;
}

// Character classes.
enum : uint8_t { kWordStart = 1, kWordChar = 2, kPrintable = 4 };

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0x20; c <= 0x7E; ++c) t[c] |= kPrintable;
  t['\t'] |= kPrintable;
  t['\r'] |= kPrintable;
  t['\n'] |= kPrintable;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kWordStart | kWordChar;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kWordStart | kWordChar;
  t['_'] |= kWordStart | kWordChar;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kWordChar;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClasses();

}  // namespace

std::span<const PowerShellWord> PowerShellVocabulary() {
  return std::span<const PowerShellWord>(kVocabulary);
}

uint8_t LookupPowerShellWord(std::string_view lower_word) {
  if (lower_word.empty() || lower_word.size() > kMaxWord) return 0;
  return GetTable().Find(lower_word.data(), lower_word.size());
}

void ComputePowerShellFeatures(std::string_view text, PowerShellFeatures* f) {
  *f = PowerShellFeatures{};
  const Table& table = GetTable();
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  // Previous non-NUL characters (0 at the start).
  uint8_t prev1 = 0;  // last
  uint8_t prev2 = 0;  // before last
  uint8_t prev3 = 0;
  bool pending_verb = false;  // last word was a verb followed by '-'
  char word[kMaxWord];
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c == 0) {
      ++i;
      continue;
    }
    const uint8_t cls = kClass[c];
    if (!(cls & kWordStart)) {
      ++f->chars;
      if (cls & kPrintable) {
        ++f->printable;
      } else if (c >= 0x80) {
        ++f->high;
      }
      if (c == ':' && prev1 == ':' && prev2 == ']') ++f->statics;
      if (c != '-') pending_verb = false;
      prev3 = prev2;
      prev2 = prev1;
      prev1 = c;
      ++i;
      continue;
    }
    // A word: read it (skipping NULs), lower-cased into `word`.
    const uint8_t before = prev1;   // character just before the word
    const uint8_t before2 = prev2;  // and the one before that
    (void)prev3;
    size_t len = 0;
    size_t full = 0;
    uint8_t last = c;
    while (i < n) {
      const uint8_t d = p[i];
      if (d == 0) {
        ++i;
        continue;
      }
      if (!(kClass[d] & kWordChar)) break;
      if (len < kMaxWord) word[len++] = static_cast<char>(d | 0x20);
      ++full;
      ++f->chars;
      ++f->printable;
      last = d;
      ++i;
    }
    // `_` lower-cases to 0x7F with |0x20; fix it back.
    for (size_t k = 0; k < len; ++k) {
      if (word[k] == 0x7F) word[k] = '_';
    }
    prev3 = prev2;
    prev2 = before;
    prev1 = last;
    const uint8_t kinds = full <= kMaxWord ? table.Find(word, len) : 0;
    const uint8_t next = [&] {
      size_t j = i;
      while (j < n && p[j] == 0) ++j;
      return j < n ? p[j] : uint8_t{0};
    }();
    if (before == '$' || (before == '{' && before2 == '$')) {
      ++f->variables;
      pending_verb = false;
      continue;
    }
    ++f->words;
    if (before == '-' && pending_verb) {
      ++f->cmdlets;  // the noun of Verb-Noun
      pending_verb = false;
      continue;
    }
    pending_verb = false;
    if (before == '-' && !(kClass[before2] & kWordChar)) {
      if (kinds & kPsOperator) {
        ++f->operators;
      } else {
        ++f->parameters;
      }
      continue;
    }
    if (before == '[') {
      if (kinds & kPsType) {
        ++f->types;
        continue;
      }
    }
    if ((kinds & kPsVerb) && next == '-') {
      pending_verb = true;  // decided by the next word
      continue;
    }
    if (kinds & kPsKeyword) {
      ++f->keywords;
    } else if (kinds & kPsWeakKeyword) {
      ++f->weak_keywords;
    }
  }
}

double PowerShellVocabularySignal(const PowerShellFeatures& f) {
  return 3.0 * f.cmdlets + 2.0 * (f.keywords + f.operators + f.types) +
         f.statics;
}

double PowerShellScoreFromFeatures(const PowerShellFeatures& f) {
  if (f.chars == 0) return 0.0;
  // Variables, parameters and English-like keywords support the vocabulary
  // but cannot make a score alone (random printable bytes and prose have
  // them too).
  const double strong = PowerShellVocabularySignal(f);
  const double weak = std::min(
      0.5 * f.weak_keywords + 0.5 * f.variables + 0.25 * f.parameters,
      strong + 1.0);
  const double signal = strong + weak;
  const double tokens = static_cast<double>(f.words + f.variables);
  const double density =
      tokens > 0 ? std::min(1.0, signal / tokens / 0.25) : 0.0;
  const double amount = std::min(1.0, signal / 8.0);
  const double text_ratio = (f.printable + 0.5 * f.high) / f.chars;
  const double text = std::clamp((text_ratio - 0.80) / 0.15, 0.0, 1.0);
  return text * (0.6 * density + 0.4 * amount);
}

double PowerShellScore(std::string_view text) {
  PowerShellFeatures f;
  ComputePowerShellFeatures(text, &f);
  return PowerShellScoreFromFeatures(f);
}

}  // namespace sbscan::decoders
