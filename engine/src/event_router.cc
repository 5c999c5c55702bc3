#include "engine/src/event_router.h"

#include "absl/hash/hash.h"
#include "engine/src/event_kind.h"

namespace sbscan {

EventKind ClassifyEvent(const Event& e) {
  if (IsScriptBlockEvent(e)) return EventKind::kScriptBlock;
  bool powershell = e.provider.empty() || ContainsIgnoreCaseAscii(e.provider, "PowerShell");
  if (!powershell) return EventKind::kOther;
  if (e.event_id == 4103) return EventKind::kModuleLogging;
  if (e.event_id == 400 || e.event_id == 403 || e.event_id == 800) {
    return EventKind::kEngineSession;
  }
  return EventKind::kOther;
}

void RemoteSessions::Remember(std::string_view host, int64_t pid, RemoteSession session) {
  uint64_t key = absl::HashOf(host, pid);
  auto [it, inserted] = sessions_.try_emplace(key);
  it->second = std::make_unique<RemoteSession>(std::move(session));
  if (inserted) order_.push_back(key);
  while (order_.size() > kCapacity) {
    sessions_.erase(order_.front());
    order_.pop_front();
  }
}

const RemoteSession* RemoteSessions::Find(std::string_view host, int64_t pid) const {
  if (pid < 0 || sessions_.empty()) return nullptr;
  auto it = sessions_.find(absl::HashOf(host, pid));
  return it == sessions_.end() ? nullptr : it->second.get();
}

EventRouter::EventRouter(std::shared_ptr<const signatures::RuleSet> rules,
                         const ScannerOptions& options, Scanner::AlertCallback on_alert)
    : options_(options),
      reassembler_(options.reassembly),
      analyzer_(std::move(rules), options.analysis),
      on_alert_(std::move(on_alert)) {}

bool EventRouter::Route(const Event& event, EventKind kind, bool own, const char** reason) {
  switch (kind) {
    case EventKind::kScriptBlock:
      if (!own) {
        if (Reassembler::IsUsableFragment(event, options_.reassembly, reason)) {
          reassembler_.ObserveTime(event.time_created,
                                   [this](const ScriptBlock& b) { Analyze(b); });
        }
        return true;
      }
      if (!reassembler_.Add(event, [this](const ScriptBlock& b) { Analyze(b); })) {
        Reassembler::IsUsableFragment(event, options_.reassembly, reason);
        return false;
      }
      return true;
    case EventKind::kModuleLogging:
      AddModuleEvent(event, own);
      return true;
    case EventKind::kEngineSession:
      context_ = ModuleContext();
      ParseEngineDetails(event.context_info, &context_);
      NoteRemote(event, std::to_string(event.event_id));
      return true;
    case EventKind::kOther:
      return true;
  }
  return true;
}

// 4103: the command name, parameter values and host application, analyzed as one block.
void EventRouter::AddModuleEvent(const Event& event, bool analyze) {
  ParseContextInfo(event.context_info, &context_);
  NoteRemote(event, "4103");
  if (!analyze) return;
  payload_.clear();
  ParsePayload(event.payload, &payload_);
  BuildModuleScanText(context_, payload_, &module_text_);
  FragmentSpan span{1, 0, static_cast<uint32_t>(module_text_.text.size()), event.record_id};
  ScriptBlock block;
  block.host = event.computer;
  block.time_created = event.time_created;
  block.provider = event.provider;
  block.channel = event.channel;
  block.user_id = event.user_id;
  block.path = context_.script_name;
  block.source_file = event.source.file;
  block.level = event.level;
  block.process_id = event.process_id;
  block.text = module_text_.text;
  block.fragments_total = 1;
  block.fragments = std::span<const FragmentSpan>(&span, 1);
  block.event_id = 4103;
  block.origin = "module-logging";
  block.location = event.source;
  Analyze(block);
}

void EventRouter::NoteRemote(const Event& event, std::string evidence) {
  if (!IsRemoteSession(context_)) return;
  RemoteSession s;
  s.host_name = std::string(context_.host_name);
  s.host_application = std::string(context_.host_application);
  s.connected_user = std::string(context_.connected_user);
  s.runspace_id = std::string(context_.runspace_id);
  s.evidence = std::move(evidence);
  remote_.Remember(event.computer, event.process_id, std::move(s));
}

void EventRouter::AnalyzeText(const TextRecord& record) {
  FragmentSpan span{1, 0, static_cast<uint32_t>(record.text.size()), -1};
  ScriptBlock block;
  block.host = record.host;
  block.time_created = record.time_created;
  block.user_id = record.user_id;
  block.source_file = record.where.file;
  block.text = record.text;
  block.fragments_total = 1;
  block.fragments = std::span<const FragmentSpan>(&span, 1);
  block.event_id = 0;
  block.origin = record.origin;
  block.location = record.where;
  Analyze(block);
}

void EventRouter::FlushAll(PartialCause cause) {
  reassembler_.FlushAll(cause, [this](const ScriptBlock& b) { Analyze(b); });
}

void EventRouter::Analyze(const ScriptBlock& block) {
  const RemoteSession* session = remote_.Find(block.host, block.process_id);
  if (session == nullptr || block.remote != nullptr) {
    analyzer_.Analyze(block, on_alert_);
    return;
  }
  ScriptBlock marked = block;
  marked.remote = session;
  analyzer_.Analyze(marked, on_alert_);
}

}  // namespace sbscan
