#include "engine/src/alert_json.h"

#include "engine/src/json_writer.h"

namespace sbscan {
namespace {

// Tiny builder for the fixed alert shape: keys are written literally.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  Writer& Raw(std::string_view s) {
    out_->append(s);
    return *this;
  }
  Writer& Str(std::string_view s) {
    AppendJsonString(s, out_);
    return *this;
  }
  Writer& Int(int64_t v) {
    AppendJsonInt(v, out_);
    return *this;
  }
  Writer& Num(double v) {
    AppendJsonDouble(v, out_);
    return *this;
  }
  template <typename Range, typename Each>
  Writer& Array(const Range& range, Each each) {
    out_->push_back('[');
    bool first = true;
    for (const auto& item : range) {
      if (!first) out_->push_back(',');
      first = false;
      each(item);
    }
    out_->push_back(']');
    return *this;
  }

 private:
  std::string* out_;
};

}  // namespace

void AppendRuleJson(const RuleInfo& rule, std::string* out) {
  Writer w(out);
  w.Raw(",\"rule\":{\"id\":").Str(rule.id).Raw(",\"uuid\":");
  if (rule.uuid.empty()) {
    w.Raw("null");
  } else {
    w.Str(rule.uuid);
  }
  w.Raw(",\"name\":").Str(rule.title);
  w.Raw(",\"level\":").Str(rule.level);
  w.Raw(",\"ruleset\":").Str(rule.ruleset);
  if (!rule.description.empty()) w.Raw(",\"description\":").Str(rule.description);
  if (!rule.author.empty()) w.Raw(",\"author\":").Str(rule.author);
  if (!rule.references.empty()) {
    w.Raw(",\"reference\":").Array(rule.references, [&](const std::string& s) { w.Str(s); });
  }
  w.Raw("},\"threat\":{\"technique\":{\"id\":");
  w.Array(rule.technique_ids, [&](const std::string& s) { w.Str(s); });
  w.Raw("},\"tactic\":{\"name\":");
  w.Array(rule.tactics, [&](const std::string& s) { w.Str(s); });
  w.Raw("}}");
}

void AppendSbscanRuleJson(const RuleInfo& rule, std::string* out) {
  Writer w(out);
  if (!rule.status.empty() || !rule.falsepositives.empty()) {
    w.Raw(",\"rule\":{\"status\":").Str(rule.status);
    w.Raw(",\"falsepositives\":");
    w.Array(rule.falsepositives, [&](const std::string& s) { w.Str(s); });
    w.Raw("}");
  }
}

void AppendAlertJson(const Alert& alert, std::string* out) {
  const ScriptBlock& b = *alert.block;
  Writer w(out);
  w.Raw("{\"@timestamp\":").Str(b.time_created);
  w.Raw(",\"event\":{\"kind\":\"alert\"");
  if (b.event_id > 0) w.Raw(",\"code\":\"").Int(b.event_id).Raw("\"");
  if (!b.provider.empty()) w.Raw(",\"provider\":").Str(b.provider);
  w.Raw("}");
  if (alert.rule.json_rule.empty()) {
    AppendRuleJson(alert.rule, out);
  } else {
    w.Raw(alert.rule.json_rule);
  }
  w.Raw(",\"host\":{\"name\":").Str(b.host).Raw("}");
  if (!b.user_id.empty()) w.Raw(",\"user\":{\"id\":").Str(b.user_id).Raw("}");
  if (b.process_id >= 0) w.Raw(",\"process\":{\"pid\":").Int(b.process_id).Raw("}");
  if (!b.script_block_id.empty() || !b.path.empty()) {
    w.Raw(",\"powershell\":{\"file\":{");
    if (!b.script_block_id.empty()) w.Raw("\"script_block_id\":").Str(b.script_block_id);
    if (!b.script_block_id.empty() && !b.path.empty()) w.Raw(",");
    if (!b.path.empty()) w.Raw("\"path\":").Str(b.path);
    w.Raw("}}");
  }
  if (b.level > 0) w.Raw(",\"log\":{\"level\":").Int(b.level).Raw("}");

  w.Raw(",\"sbscan\":{\"origin\":").Str(b.origin);
  if (alert.rule.json_sbscan_rule.empty()) {
    AppendSbscanRuleJson(alert.rule, out);
  } else {
    w.Raw(alert.rule.json_sbscan_rule);
  }
  if (!alert.condition_held) w.Raw(",\"condition_held\":false");
  if (!alert.selections.empty()) {
    w.Raw(",\"selections\":").Array(alert.selections, [&](std::string_view s) { w.Str(s); });
  }
  if (b.remote != nullptr) {
    w.Raw(",\"remote_session\":{\"host_name\":").Str(b.remote->host_name);
    w.Raw(",\"host_application\":").Str(b.remote->host_application);
    w.Raw(",\"connected_user\":").Str(b.remote->connected_user);
    w.Raw(",\"runspace_id\":").Str(b.remote->runspace_id);
    w.Raw(",\"evidence\":").Str(b.remote->evidence).Raw("}");
  }
  w.Raw(",\"fragments\":{\"seen\":").Int(static_cast<int64_t>(b.fragments.size()));
  w.Raw(",\"total\":").Int(b.fragments_total);
  w.Raw(",\"missing\":").Array(b.missing, [&](int32_t n) { w.Int(n); });
  w.Raw("},\"complete\":").Raw(b.complete() ? "true" : "false");
  if (!b.complete()) w.Raw(",\"partial_cause\":").Str(PartialCauseName(b.partial_cause));
  w.Raw(",\"matches\":").Array(alert.matches, [&](const AlertMatch& m) {
    w.Raw("{\"pattern\":").Str(m.pattern);
    w.Raw(",\"field\":").Str(m.field);
    w.Raw(",\"layer\":").Int(m.layer);
    w.Raw(",\"offset\":").Int(static_cast<int64_t>(m.begin));
    w.Raw(",\"length\":").Int(static_cast<int64_t>(m.end - m.begin));
    if (m.fragment > 0) w.Raw(",\"fragment\":").Int(m.fragment);
    w.Raw(",\"excerpt\":").Str(m.excerpt).Raw("}");
  });
  w.Raw(",\"total_matches\":").Int(static_cast<int64_t>(alert.total_matches));
  if (const ObfuscationFinding* o = alert.obfuscation) {
    w.Raw(",\"obfuscation\":{\"score\":").Num(o->score);
    w.Raw(",\"threshold\":").Num(o->threshold);
    w.Raw(",\"features\":{\"length\":").Int(static_cast<int64_t>(o->length));
    w.Raw(",\"entropy\":").Num(o->entropy);
    w.Raw(",\"special_ratio\":").Num(o->special_ratio);
    w.Raw(",\"case_flip_ratio\":").Num(o->case_flip_ratio);
    w.Raw(",\"backtick_density\":").Num(o->backtick_density);
    w.Raw(",\"concat_density\":").Num(o->concat_density);
    w.Raw(",\"format_density\":").Num(o->format_density);
    w.Raw(",\"char_cast_density\":").Num(o->char_cast_density);
    w.Raw(",\"number_list_density\":").Num(o->number_list_density);
    w.Raw(",\"string_ratio\":").Num(o->string_ratio);
    w.Raw(",\"longest_token\":").Int(static_cast<int64_t>(o->longest_token));
    w.Raw(",\"longest_special_run\":").Int(static_cast<int64_t>(o->longest_special_run));
    w.Raw("}}");
  }
  w.Raw(",\"decode_path\":").Array(alert.decode_path, [&](const DecodeStep& s) {
    w.Raw("{\"layer\":").Int(s.layer);
    w.Raw(",\"parent\":").Int(s.parent);
    w.Raw(",\"decoder\":").Str(s.decoder);
    w.Raw(",\"encoding\":").Str(s.encoding);
    if (!s.note.empty()) w.Raw(",\"note\":").Str(s.note);
    w.Raw(",\"parent_offset\":[").Int(static_cast<int64_t>(s.parent_begin));
    w.Raw(",").Int(static_cast<int64_t>(s.parent_end)).Raw("]}");
  });
  w.Raw(",\"source\":{\"file\":").Str(b.source_file);
  if (b.location.line > 0) w.Raw(",\"line\":").Int(static_cast<int64_t>(b.location.line));
  if (b.event_id != 4104) w.Raw(",\"offset\":").Int(static_cast<int64_t>(b.location.offset));
  w.Raw(",\"record_ids\":").Array(b.fragments, [&](const FragmentSpan& f) {
    if (f.record_id < 0) {
      w.Raw("null");
    } else {
      w.Int(f.record_id);
    }
  });
  w.Raw("}}}\n");
}

}  // namespace sbscan
