// Small helpers for absl::Status / absl::StatusOr control flow (Abseil 20220623 ships none).
#ifndef SBSCAN_SIGNATURES_STATUS_MACROS_H_
#define SBSCAN_SIGNATURES_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function when not OK.
#define SBSCAN_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    ::absl::Status sbscan_status_ = (expr);           \
    if (!sbscan_status_.ok()) return sbscan_status_;  \
  } while (0)

#define SBSCAN_STATUS_CONCAT_INNER_(a, b) a##b
#define SBSCAN_STATUS_CONCAT_(a, b) SBSCAN_STATUS_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status from the enclosing
// function, otherwise moves the value into `lhs` (which may be a declaration: `auto x`).
#define SBSCAN_ASSIGN_OR_RETURN(lhs, rexpr)                                         \
  SBSCAN_ASSIGN_OR_RETURN_IMPL_(SBSCAN_STATUS_CONCAT_(sbscan_statusor_, __LINE__), \
                                lhs, rexpr)
#define SBSCAN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()

#endif  // SBSCAN_SIGNATURES_STATUS_MACROS_H_
