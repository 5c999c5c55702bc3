#include "engine/src/xml_event_splitter.h"

#include <cstring>

namespace sbscan {
namespace {

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t FindChar(const std::string& buf, size_t from, char c) {
  if (from >= buf.size()) return std::string::npos;
  const void* hit = std::memchr(buf.data() + from, c, buf.size() - from);
  return hit == nullptr ? std::string::npos : static_cast<const char*>(hit) - buf.data();
}

}  // namespace

std::string_view XmlSplitKindName(XmlSplitKind kind) {
  switch (kind) {
    case XmlSplitKind::kEvent:
      return "event";
    case XmlSplitKind::kGarbage:
      return "garbage";
    case XmlSplitKind::kTooLong:
      return "too_long";
    case XmlSplitKind::kTruncated:
      return "truncated";
  }
  return "unknown";
}

XmlEventSplitter::XmlEventSplitter(const XmlEventSplitterOptions& options) : options_(options) {
  if (options_.max_event_bytes < 64) options_.max_event_bytes = 64;
}

void XmlEventSplitter::Reset() {
  buf_.clear();
  base_ = 0;
  begin_ = scan_ = 0;
  state_ = State::kBetween;
  finished_ = false;
  event_start_ = 0;
  in_garbage_ = false;
  garbage_start_ = 0;
  events_ = garbage_regions_ = garbage_bytes_ = too_long_ = truncated_ = 0;
}

void XmlEventSplitter::Compact() {
  if (begin_ == 0) return;
  // Amortised: move the unconsumed tail only when it is no longer than what is dropped.
  if (begin_ < buf_.size() - begin_ && begin_ < (size_t{1} << 20)) return;
  buf_.erase(0, begin_);
  base_ += begin_;
  scan_ -= begin_;
  begin_ = 0;
}

void XmlEventSplitter::Feed(std::string_view chunk) {
  if (finished_ || chunk.empty()) return;
  Compact();
  buf_.append(chunk.data(), chunk.size());
}

void XmlEventSplitter::Finish() { finished_ = true; }

XmlEventSplitter::Look XmlEventSplitter::StartsWith(size_t pos, std::string_view s) const {
  size_t avail = end() - pos;
  size_t n = avail < s.size() ? avail : s.size();
  if (std::memcmp(buf_.data() + pos, s.data(), n) != 0) return Look::kNo;
  if (n < s.size()) return finished_ ? Look::kNo : Look::kNeedMore;
  return Look::kYes;
}

XmlEventSplitter::Look XmlEventSplitter::EventStartAt(size_t pos) const {
  Look l = StartsWith(pos, "<Event");
  if (l != Look::kYes) return l;
  if (pos + 6 >= end()) return finished_ ? Look::kNo : Look::kNeedMore;
  char c = buf_[pos + 6];
  return (IsXmlSpace(c) || c == '>' || c == '/') ? Look::kYes : Look::kNo;
}

XmlEventSplitter::Look XmlEventSplitter::EventEndAt(size_t pos, size_t* after) const {
  Look l = StartsWith(pos, "</Event");
  if (l != Look::kYes) return l;
  size_t p = pos + 7;
  while (p < end() && IsXmlSpace(buf_[p])) ++p;
  if (p >= end()) return finished_ ? Look::kNo : Look::kNeedMore;
  if (buf_[p] != '>') return Look::kNo;
  *after = p + 1;
  return Look::kYes;
}

bool XmlEventSplitter::EmitGarbage(size_t stop, XmlSplitItem* item) {
  item->kind = XmlSplitKind::kGarbage;
  item->xml = {};
  item->offset = garbage_start_;
  item->length = StreamOffset(stop) - garbage_start_;
  in_garbage_ = false;
  ++garbage_regions_;
  garbage_bytes_ += item->length;
  return true;
}

bool XmlEventSplitter::Next(std::string_view* event_xml, uint64_t* offset) {
  XmlSplitItem item;
  while (Next(&item)) {
    if (item.kind == XmlSplitKind::kEvent) {
      *event_xml = item.xml;
      *offset = item.offset;
      return true;
    }
  }
  return false;
}

bool XmlEventSplitter::Next(XmlSplitItem* item) {
  while (true) {
    if (state_ == State::kBetween) {
      size_t p = scan_;
      while (p < end() && IsXmlSpace(buf_[p])) ++p;
      if (StreamOffset(p) == 0 && p < end() && buf_[p] == '\xEF') {
        Look bom = StartsWith(p, "\xEF\xBB\xBF");
        if (bom == Look::kNeedMore) return false;
        if (bom == Look::kYes) p += 3;
      }
      begin_ = scan_ = p;
      if (p == end()) {
        if (finished_ && in_garbage_) return EmitGarbage(p, item);
        return false;
      }
      if (buf_[p] == '<') {
        Look ev = EventStartAt(p);
        if (ev == Look::kNeedMore) return false;
        if (ev == Look::kYes) {
          if (in_garbage_) return EmitGarbage(p, item);
          state_ = State::kInEvent;
          event_start_ = StreamOffset(p);
          scan_ = p + 6;
          continue;
        }
        // Markup that may sit between events: prolog, processing instruction, comment,
        // the <Events> wrapper.
        struct Skippable {
          std::string_view open, close;
          bool needs_delimiter;
        };
        static constexpr Skippable kSkippable[] = {
            {"<?", "?>", false},
            {"<!--", "-->", false},
            {"<Events", ">", true},
            {"</Events", ">", true},
        };
        bool need_more = false, skipped = false;
        for (const Skippable& s : kSkippable) {
          Look l = StartsWith(p, s.open);
          if (l == Look::kNeedMore) {
            need_more = true;
            break;
          }
          if (l == Look::kNo) continue;
          size_t after_open = p + s.open.size();
          if (s.needs_delimiter) {
            if (after_open >= end()) {
              if (finished_) continue;
              need_more = true;
              break;
            }
            char c = buf_[after_open];
            if (!IsXmlSpace(c) && c != '>' && c != '/') continue;
          }
          size_t close = buf_.find(s.close, after_open);
          if (close == std::string::npos) {
            if (!finished_ && end() - p <= options_.max_event_bytes) need_more = true;
            break;  // unterminated: garbage (or wait for more)
          }
          if (in_garbage_) return EmitGarbage(p, item);
          begin_ = scan_ = close + s.close.size();
          skipped = true;
          break;
        }
        if (need_more) return false;
        if (skipped) continue;
      }
      // Garbage up to the next '<'.
      if (!in_garbage_) {
        in_garbage_ = true;
        garbage_start_ = StreamOffset(p);
      }
      size_t next = FindChar(buf_, p + 1, '<');
      begin_ = scan_ = (next == std::string::npos) ? end() : next;
      continue;
    }

    // kInEvent or kSkipping: look for </Event> (end) or <Event (a new start: truncation).
    size_t p = scan_;
    size_t after = 0;
    bool found_end = false, found_start = false;
    while (true) {
      size_t q = FindChar(buf_, p, '<');
      if (q == std::string::npos) {
        p = end();
        break;
      }
      Look e = EventEndAt(q, &after);
      if (e == Look::kNeedMore) {
        p = q;
        break;
      }
      if (e == Look::kYes) {
        found_end = true;
        p = q;
        break;
      }
      Look s = EventStartAt(q);
      if (s == Look::kNeedMore) {
        p = q;
        break;
      }
      if (s == Look::kYes) {
        found_start = true;
        p = q;
        break;
      }
      p = q + 1;
    }
    size_t stop = found_end ? after : p;
    if (found_end || found_start || finished_) {
      if (finished_ && !found_end && !found_start) stop = end();
      uint64_t length = StreamOffset(stop) - event_start_;
      item->offset = event_start_;
      item->length = length;
      if (state_ == State::kSkipping || length > options_.max_event_bytes) {
        item->kind = XmlSplitKind::kTooLong;
        item->xml = {};
        ++too_long_;
      } else if (found_end) {
        item->kind = XmlSplitKind::kEvent;
        item->xml = std::string_view(buf_.data() + begin_, stop - begin_);
        ++events_;
      } else {
        item->kind = XmlSplitKind::kTruncated;
        item->xml = std::string_view(buf_.data() + begin_, stop - begin_);
        ++truncated_;
      }
      begin_ = scan_ = stop;
      state_ = State::kBetween;
      return true;
    }
    scan_ = p;
    if (state_ == State::kInEvent && StreamOffset(end()) - event_start_ > options_.max_event_bytes) {
      state_ = State::kSkipping;
    }
    if (state_ == State::kSkipping) begin_ = scan_;  // drop what is already scanned
    return false;
  }
}

}  // namespace sbscan
