#include "engine/src/evtx/event_fields.h"

#include <string_view>

#include "engine/src/evtx/value_format.h"

namespace sbscan::evtx {
namespace {

constexpr std::string_view kDetailsMarkers[] = {"HostApplication=", "HostName="};

bool LooksLikeDetails(std::string_view text) {
  for (std::string_view marker : kDetailsMarkers) {
    if (text.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

FieldCollector::FieldCollector() { BeginRecord(); }

void FieldCollector::BeginRecord() {
  for (Pieces& p : fields_) p.clear();
  for (size_t i = 0; i < data_count_; ++i) {
    data_[i].name.clear();
    data_[i].value.clear();
  }
  data_count_ = 0;
  depth_ = 0;
  attr_target_ = nullptr;
  in_start_tag_ = false;
}

void FieldCollector::OpenElement(NameId name) {
  attr_target_ = nullptr;
  in_start_tag_ = true;
  if (depth_ >= kMaxStack) {
    ++depth_;
    return;
  }
  Pieces* target = nullptr;
  const NameId parent = depth_ > 0 ? stack_[depth_ - 1] : NameId::kOther;
  if (parent == NameId::kSystem) {
    switch (name) {
      case NameId::kEventId:
        target = &fields_[kEventIdText];
        break;
      case NameId::kLevel:
        target = &fields_[kLevel];
        break;
      case NameId::kEventRecordId:
        target = &fields_[kRecordId];
        break;
      case NameId::kChannel:
        target = &fields_[kChannel];
        break;
      case NameId::kComputer:
        target = &fields_[kComputer];
        break;
      default:
        break;
    }
  } else if (parent == NameId::kEventData && name == NameId::kData) {
    if (data_count_ == data_.size()) data_.emplace_back();
    target = &data_[data_count_++].value;
  }
  stack_[depth_] = name;
  text_target_[depth_] = target;
  ++depth_;
}

void FieldCollector::Attribute(NameId name) {
  attr_target_ = nullptr;
  if (depth_ == 0 || depth_ > kMaxStack) return;
  const NameId element = stack_[depth_ - 1];
  const NameId parent = depth_ > 1 ? stack_[depth_ - 2] : NameId::kOther;
  if (parent == NameId::kSystem) {
    if (element == NameId::kProvider && name == NameId::kName) {
      attr_target_ = &fields_[kProviderName];
    } else if (element == NameId::kTimeCreated && name == NameId::kSystemTime) {
      attr_target_ = &fields_[kTimeCreated];
    } else if (element == NameId::kExecution && name == NameId::kProcessId) {
      attr_target_ = &fields_[kProcessId];
    } else if (element == NameId::kExecution && name == NameId::kThreadId) {
      attr_target_ = &fields_[kThreadId];
    } else if (element == NameId::kSecurity && name == NameId::kUserId) {
      attr_target_ = &fields_[kUserId];
    }
  } else if (parent == NameId::kEventData && element == NameId::kData &&
             name == NameId::kName && data_count_ > 0) {
    attr_target_ = &data_[data_count_ - 1].name;
  }
}

void FieldCollector::CloseStartTag() {
  attr_target_ = nullptr;
  in_start_tag_ = false;
}

void FieldCollector::EndElement() {
  attr_target_ = nullptr;
  in_start_tag_ = false;
  if (depth_ > 0) --depth_;
}

void FieldCollector::Text(const ValueRef& value) {
  if (in_start_tag_) {
    if (attr_target_ != nullptr) attr_target_->push_back(value);
    return;
  }
  if (depth_ == 0 || depth_ > kMaxStack) return;
  Pieces* target = text_target_[depth_ - 1];
  if (target != nullptr) target->push_back(value);
}

void FieldCollector::Render(const Pieces& pieces, std::string* out) {
  out->clear();
  for (const ValueRef& piece : pieces) AppendValue(piece, out);
}

std::string_view FieldCollector::RenderInto(const Pieces& pieces, std::string* buffer) {
  Render(pieces, buffer);
  return *buffer;
}

bool FieldCollector::ToInt(const Pieces& pieces, int64_t* out) {
  if (pieces.empty()) return false;
  if (pieces.size() == 1) return ValueToInt64(pieces[0], out);
  Render(pieces, &scratch_);
  return ParseIntegerText(scratch_, out);
}

int32_t FieldCollector::EventId() {
  int64_t id;
  if (!ToInt(fields_[kEventIdText], &id)) return -1;
  return static_cast<int32_t>(id);
}

void FieldCollector::Fill(int64_t header_record_id, Event* event) {
  int64_t n;
  event->event_id = ToInt(fields_[kEventIdText], &n) ? static_cast<int32_t>(n) : -1;
  event->level = ToInt(fields_[kLevel], &n) ? static_cast<int32_t>(n) : -1;
  event->record_id = ToInt(fields_[kRecordId], &n) ? n : header_record_id;
  event->process_id = ToInt(fields_[kProcessId], &n) ? n : -1;
  event->provider = RenderInto(fields_[kProviderName], &buffers_[kProviderName]);
  event->channel = RenderInto(fields_[kChannel], &buffers_[kChannel]);
  event->computer = RenderInto(fields_[kComputer], &buffers_[kComputer]);
  Render(fields_[kTimeCreated], &buffers_[kTimeCreated]);
  if (fields_[kTimeCreated].size() != 1 || fields_[kTimeCreated][0].type != kTypeFileTime) {
    NormalizeIsoFraction(&buffers_[kTimeCreated]);  // template-less records: text as written
  }
  event->time_created = buffers_[kTimeCreated];
  event->user_id = RenderInto(fields_[kUserId], &buffers_[kUserId]);

  event->script_block_id = {};
  event->script_block_text = {};
  event->path = {};
  event->context_info = {};
  event->payload = {};
  event->user_data = {};
  event->message_number = -1;
  event->message_total = -1;

  // Named data (4104, 4103 and most providers).
  bool any_named = false;
  for (size_t i = 0; i < data_count_; ++i) {
    const DataEntry& entry = data_[i];
    if (entry.name.empty()) continue;
    any_named = true;
    Render(entry.name, &scratch_);
    const std::string_view name = scratch_;
    if (name == "ScriptBlockText") {
      event->script_block_text = RenderInto(entry.value, &sb_text_);
    } else if (name == "ScriptBlockId") {
      event->script_block_id = RenderInto(entry.value, &sb_id_);
    } else if (name == "MessageNumber") {
      event->message_number = ToInt(entry.value, &n) ? static_cast<int32_t>(n) : -1;
    } else if (name == "MessageTotal") {
      event->message_total = ToInt(entry.value, &n) ? static_cast<int32_t>(n) : -1;
    } else if (name == "Path") {
      event->path = RenderInto(entry.value, &path_);
    } else if (name == "ContextInfo") {
      event->context_info = RenderInto(entry.value, &context_info_);
    } else if (name == "Payload") {
      event->payload = RenderInto(entry.value, &payload_);
    } else if (name == "UserData") {
      event->user_data = RenderInto(entry.value, &user_data_);
    }
  }
  if (any_named || data_count_ == 0) return;

  // Unnamed data (Windows PowerShell classic log: 400, 403, 600, 800). The "key=value"
  // details block (HostApplication=…) goes to context_info, the data after it (800: pipeline
  // details) to payload, and the first data (800: command line; 400/403: engine state; 600:
  // provider name), when it is not the details block, to user_data.
  // A string-array substitution inside one <Data> renders as one <Data> per element.
  unnamed_.clear();
  for (size_t i = 0; i < data_count_; ++i) {
    const Pieces& value = data_[i].value;
    if (value.size() == 1 && value[0].type == (kTypeString | kTypeArrayBit)) {
      std::vector<ValueRef> parts;
      SplitStringArray(value[0], &parts);
      for (const ValueRef& part : parts) unnamed_.push_back(Pieces{part});
    } else {
      unnamed_.push_back(value);
    }
  }
  if (unnamed_.empty()) return;
  size_t details = unnamed_.size();
  for (size_t i = 0; i < unnamed_.size(); ++i) {
    Render(unnamed_[i], &scratch_);
    if (LooksLikeDetails(scratch_)) {
      details = i;
      context_info_.swap(scratch_);
      event->context_info = context_info_;
      break;
    }
  }
  if (details == unnamed_.size()) {
    event->context_info = RenderInto(unnamed_[0], &context_info_);
    return;
  }
  if (details > 0) event->user_data = RenderInto(unnamed_[0], &user_data_);
  if (details + 1 < unnamed_.size()) {
    event->payload = RenderInto(unnamed_[details + 1], &payload_);
  }
}

}  // namespace sbscan::evtx
