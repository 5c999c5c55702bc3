#include "signatures/condition.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "signatures/status_macros.h"
#include "signatures/string_view_compat.h"

namespace sbscan::signatures {
namespace {

constexpr std::string_view kKeywords[] = {"and", "or", "not", "of", "them", "all"};

bool IsWordChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

struct Token {
  enum Kind { kWord, kPrefix, kLParen, kRParen, kEnd } kind;
  std::string_view text;
  size_t column;  // 1-based
};

}  // namespace

bool IsValidPatternName(std::string_view name) {
  if (name.empty() || AllDigits(name)) return false;
  for (char c : name) {
    if (!IsWordChar(c)) return false;
  }
  for (std::string_view kw : kKeywords) {
    if (absl::EqualsIgnoreCase(Av(name), Av(kw))) return false;
  }
  return true;
}

class ConditionParser {
 public:
  ConditionParser(std::string_view text, const std::vector<std::string>& names,
                  Condition* out)
      : text_(text), names_(names), out_(out) {}

  absl::Status Run() {
    SBSCAN_RETURN_IF_ERROR(Tokenize());
    SBSCAN_RETURN_IF_ERROR(ParseOr(0));
    if (Peek().kind != Token::kEnd) return Error(Peek(), "unexpected");
    // Compute the stack depth of the postfix program.
    int depth = 0, max_depth = 0;
    for (const Condition::Instr& in : out_->code_) {
      if (in.op == Condition::Op::kPattern || in.op == Condition::Op::kAtLeast) {
        max_depth = std::max(max_depth, ++depth);
      } else if (in.op == Condition::Op::kAnd || in.op == Condition::Op::kOr) {
        --depth;
      }
    }
    if (max_depth > Condition::kMaxDepth) {
      return absl::InvalidArgumentError(absl::StrCat(
          "condition '", Av(text_), "' is nested too deeply (limit ", Condition::kMaxDepth, ")"));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (absl::ascii_isspace(c)) {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.push_back({c == '(' ? Token::kLParen : Token::kRParen, text_.substr(i, 1), i + 1});
        ++i;
      } else if (IsWordChar(c)) {
        size_t j = i;
        while (j < text_.size() && IsWordChar(text_[j])) ++j;
        if (j < text_.size() && text_[j] == '*') {
          tokens_.push_back({Token::kPrefix, text_.substr(i, j - i), i + 1});
          ++j;
        } else {
          tokens_.push_back({Token::kWord, text_.substr(i, j - i), i + 1});
        }
        i = j;
      } else if (c == '*') {
        tokens_.push_back({Token::kPrefix, text_.substr(i, 0), i + 1});  // "*": every pattern
        ++i;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "condition '", Av(text_), "': unexpected character '", std::string(1, c), "' at column ",
            i + 1));
      }
    }
    tokens_.push_back({Token::kEnd, {}, text_.size() + 1});
    return absl::OkStatus();
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.kind == Token::kWord && absl::EqualsIgnoreCase(Av(t.text), Av(kw));
  }

  absl::Status Error(const Token& t, std::string_view what) const {
    std::string tok = t.kind == Token::kEnd ? "end of condition" : absl::StrCat("'", Av(t.text), "'");
    if (t.kind == Token::kPrefix) tok = absl::StrCat("'", Av(t.text), "*'");
    return absl::InvalidArgumentError(
        absl::StrCat("condition '", Av(text_), "': ", Av(what), " ", tok, " at column ", t.column));
  }

  void Emit(Condition::Op op, uint32_t a = 0, uint32_t b = 0, uint32_t n = 0) {
    out_->code_.push_back({op, a, b, n});
  }

  absl::Status ParseOr(int nesting) {
    if (nesting > Condition::kMaxDepth) return Error(Peek(), "nesting too deep near");
    SBSCAN_RETURN_IF_ERROR(ParseAnd(nesting));
    while (IsKeyword(Peek(), "or")) {
      Next();
      SBSCAN_RETURN_IF_ERROR(ParseAnd(nesting));
      Emit(Condition::Op::kOr);
    }
    return absl::OkStatus();
  }

  absl::Status ParseAnd(int nesting) {
    SBSCAN_RETURN_IF_ERROR(ParseUnary(nesting));
    while (IsKeyword(Peek(), "and")) {
      Next();
      SBSCAN_RETURN_IF_ERROR(ParseUnary(nesting));
      Emit(Condition::Op::kAnd);
    }
    return absl::OkStatus();
  }

  absl::Status ParseUnary(int nesting) {
    if (nesting > Condition::kMaxDepth) return Error(Peek(), "nesting too deep near");
    const Token& t = Peek();
    if (IsKeyword(t, "not")) {
      Next();
      SBSCAN_RETURN_IF_ERROR(ParseUnary(nesting + 1));
      Emit(Condition::Op::kNot);
      return absl::OkStatus();
    }
    if (t.kind == Token::kLParen) {
      Next();
      SBSCAN_RETURN_IF_ERROR(ParseOr(nesting + 1));
      if (Peek().kind != Token::kRParen) return Error(Peek(), "expected ')' but found");
      Next();
      return absl::OkStatus();
    }
    if (t.kind == Token::kWord && (AllDigits(t.text) || IsKeyword(t, "all"))) {
      return ParseQuantifier();
    }
    if (t.kind == Token::kWord) {
      for (std::string_view kw : kKeywords) {
        if (IsKeyword(t, kw)) return Error(t, "expected a pattern name, found");
      }
      for (size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == t.text) {
          Next();
          Emit(Condition::Op::kPattern, static_cast<uint32_t>(i));
          return absl::OkStatus();
        }
      }
      return Error(t, "unknown pattern name");
    }
    if (t.kind == Token::kPrefix) return Error(t, "a wildcard needs a quantifier ('1 of') before");
    return Error(t, "expected a pattern name, 'not', '(' or a quantifier, found");
  }

  absl::Status ParseQuantifier() {
    const Token count_tok = Next();
    bool all = IsKeyword(count_tok, "all");
    uint32_t n = 0;
    if (!all && (!absl::SimpleAtoi(Av(count_tok.text), &n) || n == 0)) {
      return Error(count_tok, "a quantifier count must be 'all' or a number >= 1, found");
    }
    if (!IsKeyword(Peek(), "of")) return Error(Peek(), "expected 'of' but found");
    Next();
    const Token target = Next();
    uint32_t first = static_cast<uint32_t>(out_->list_.size());
    if (IsKeyword(target, "them")) {
      for (size_t i = 0; i < names_.size(); ++i) out_->list_.push_back(static_cast<uint32_t>(i));
    } else if (target.kind == Token::kPrefix) {
      for (size_t i = 0; i < names_.size(); ++i) {
        if (absl::StartsWith(names_[i], Av(target.text))) {
          out_->list_.push_back(static_cast<uint32_t>(i));
        }
      }
    } else if (target.kind == Token::kWord && IsValidPatternName(target.text)) {
      for (size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == target.text) out_->list_.push_back(static_cast<uint32_t>(i));
      }
    } else {
      return Error(target, "expected 'them', a name or a prefix* after 'of', found");
    }
    uint32_t count = static_cast<uint32_t>(out_->list_.size()) - first;
    if (count == 0) return Error(target, "quantifier selects no pattern:");
    if (all) n = count;
    if (n > count) {
      return Error(count_tok, absl::StrCat("can never be true: it selects only ", count,
                                           " pattern(s) but asks for"));
    }
    Emit(Condition::Op::kAtLeast, first, count, n);
    return absl::OkStatus();
  }

  std::string_view text_;
  const std::vector<std::string>& names_;
  Condition* out_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

absl::StatusOr<Condition> Condition::Parse(std::string_view text,
                                           const std::vector<std::string>& pattern_names) {
  Condition cond;
  ConditionParser parser(text, pattern_names, &cond);
  SBSCAN_RETURN_IF_ERROR(parser.Run());
  return cond;
}

bool Condition::Evaluate(absl::Span<const uint8_t> hits) const {
  std::array<bool, kMaxDepth + 1> stack;
  int sp = 0;
  for (const Instr& in : code_) {
    switch (in.op) {
      case Op::kPattern:
        stack[sp++] = hits[in.a] != 0;
        break;
      case Op::kNot:
        stack[sp - 1] = !stack[sp - 1];
        break;
      case Op::kAnd:
        --sp;
        stack[sp - 1] = stack[sp - 1] && stack[sp];
        break;
      case Op::kOr:
        --sp;
        stack[sp - 1] = stack[sp - 1] || stack[sp];
        break;
      case Op::kAtLeast: {
        uint32_t got = 0;
        for (uint32_t i = 0; i < in.b && got < in.n; ++i) got += hits[list_[in.a + i]] != 0;
        stack[sp++] = got >= in.n;
        break;
      }
    }
  }
  return sp == 1 && stack[0];
}

std::vector<std::vector<uint32_t>> Condition::RequiredSets(size_t max_sets,
                                                            size_t max_set_size) const {
  using Sets = std::vector<std::vector<uint32_t>>;
  auto add = [&](Sets* to, std::vector<uint32_t> set) {
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    if (set.size() > max_set_size || to->size() >= max_sets) return;
    if (std::find(to->begin(), to->end(), set) == to->end()) to->push_back(std::move(set));
  };
  std::vector<Sets> stack;
  for (const Instr& in : code_) {
    switch (in.op) {
      case Op::kPattern:
        stack.emplace_back();
        add(&stack.back(), {in.a});
        break;
      case Op::kNot:
        stack.back().clear();
        break;
      case Op::kAnd: {  // both hold: a guard of either side guards the whole
        Sets rhs = std::move(stack.back());
        stack.pop_back();
        for (std::vector<uint32_t>& set : rhs) add(&stack.back(), std::move(set));
        break;
      }
      case Op::kOr: {  // one side holds: only a union of a guard of each side guards the whole
        Sets rhs = std::move(stack.back());
        stack.pop_back();
        Sets out;
        for (const std::vector<uint32_t>& a : stack.back()) {
          for (const std::vector<uint32_t>& b : rhs) {
            std::vector<uint32_t> u = a;
            u.insert(u.end(), b.begin(), b.end());
            add(&out, std::move(u));
          }
        }
        stack.back() = std::move(out);
        break;
      }
      case Op::kAtLeast: {
        stack.emplace_back();
        std::vector<uint32_t> all(list_.begin() + in.a, list_.begin() + in.a + in.b);
        if (in.n == in.b) {
          for (uint32_t p : all) add(&stack.back(), {p});
        }
        add(&stack.back(), std::move(all));
        break;
      }
    }
  }
  return stack.size() == 1 ? std::move(stack.back()) : Sets{};
}

std::string Condition::DebugString() const {
  std::vector<std::string> stack;
  for (const Instr& in : code_) {
    switch (in.op) {
      case Op::kPattern:
        stack.push_back(absl::StrCat("p", in.a));
        break;
      case Op::kNot:
        stack.back() = absl::StrCat("not ", stack.back());
        break;
      case Op::kAnd:
      case Op::kOr: {
        std::string rhs = std::move(stack.back());
        stack.pop_back();
        stack.back() = absl::StrCat("(", stack.back(), in.op == Op::kAnd ? " and " : " or ", rhs,
                                    ")");
        break;
      }
      case Op::kAtLeast: {
        std::string s = absl::StrCat(in.n, " of [");
        for (uint32_t i = 0; i < in.b; ++i) {
          absl::StrAppend(&s, i ? "," : "", "p", list_[in.a + i]);
        }
        stack.push_back(s + "]");
        break;
      }
    }
  }
  return stack.empty() ? "" : stack.back();
}

}  // namespace sbscan::signatures
