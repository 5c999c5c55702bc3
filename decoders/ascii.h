// ASCII character tests shared by the decoders (script text is scanned as bytes: no locale).
#ifndef SBSCAN_DECODERS_ASCII_H_
#define SBSCAN_DECODERS_ASCII_H_

namespace sbscan::decoders {

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

// Space, tab, CR, LF.
inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [A-Za-z0-9_]
inline bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
}

// 0-15 for a hex digit, else -1.
inline int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_ASCII_H_
