#include "tools/kafka/kafka_consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "engine/src/alert_json.h"
#include "sbscan/scanner.h"

namespace sbscan::kafka {
namespace {

using Clock = std::chrono::steady_clock;

static_assert(sizeof(Stats) == 33 * sizeof(uint64_t), "Stats changed: update AddStats");

void AddStats(const Stats& s, Stats* into) {
  into->records += s.records;
  into->bytes += s.bytes;
  into->events_4104 += s.events_4104;
  into->events_4103 += s.events_4103;
  into->events_session += s.events_session;
  into->transcript_commands += s.transcript_commands;
  into->passed_by += s.passed_by;
  into->malformed += s.malformed;
  ReassemblyStats& r = into->reassembly;
  const ReassemblyStats& a = s.reassembly;
  r.fragments += a.fragments;
  r.fragments_in_blocks += a.fragments_in_blocks;
  r.blocks_complete += a.blocks_complete;
  r.blocks_partial += a.blocks_partial;
  r.partial_window += a.partial_window;
  r.partial_memory += a.partial_memory;
  r.partial_end_of_input += a.partial_end_of_input;
  r.duplicates_exact += a.duplicates_exact;
  r.duplicates_conflicting += a.duplicates_conflicting;
  r.late_fragments += a.late_fragments;
  r.rejected_no_id += a.rejected_no_id;
  r.rejected_bad_number += a.rejected_bad_number;
  r.open_blocks_peak = std::max(r.open_blocks_peak, a.open_blocks_peak);
  r.open_bytes_peak = std::max(r.open_bytes_peak, a.open_bytes_peak);
  AnalysisStats& n = into->analysis;
  const AnalysisStats& b = s.analysis;
  n.blocks += b.blocks;
  n.text_bytes += b.text_bytes;
  n.layers_decoded += b.layers_decoded;
  n.decoded_bytes += b.decoded_bytes;
  n.decode_malformed += b.decode_malformed;
  n.decode_depth_limit += b.decode_depth_limit;
  n.decode_bytes_limit += b.decode_bytes_limit;
  n.decode_candidate_limit += b.decode_candidate_limit;
  n.obfuscation_scored += b.obfuscation_scored;
  n.obfuscated += b.obfuscated;
  n.alerts += b.alerts;
}

struct PartitionState {
  std::string name;  // "topic/partition", the alerts' source.file
  std::unique_ptr<Scanner> scanner;
  int64_t next = -1;         // offset after the last consumed record
  int64_t committable = -1;  // offset after the last record at which no block was open
  int64_t committed = -1;
};

using PartitionKey = std::pair<std::string, int32_t>;

class Member {
 public:
  Member(const KafkaOptions& options, std::shared_ptr<const signatures::RuleSet> rules,
         const AlertSink& sink)
      : options_(options), rules_(std::move(rules)), sink_(sink) {}

  ~Member() {
    if (consumer_ != nullptr) rd_kafka_destroy(consumer_);
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }

  absl::Status Init() {
    if (options_.brokers.empty() || options_.topic.empty() || options_.group.empty()) {
      return absl::InvalidArgumentError("--brokers, --topic and --group are required");
    }
    if (absl::Status s = ValidateOptions(options_.scanner); !s.ok()) return s;
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    auto set = [&](rd_kafka_conf_t* c, const std::string& k, const std::string& v) {
      if (rd_kafka_conf_set(c, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        return absl::InvalidArgumentError("kafka config " + k + ": " + err);
      }
      return absl::OkStatus();
    };
    std::vector<std::pair<std::string, std::string>> consumer_conf = {
        {"bootstrap.servers", options_.brokers},
        {"group.id", options_.group},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", options_.offset_reset},
        {"client.id", "sbscan"},
        {"log.queue", "false"},
        {"log_level", "0"}};
    for (const auto& kv : options_.config) consumer_conf.push_back(kv);
    for (const auto& [k, v] : consumer_conf) {
      if (absl::Status s = set(conf, k, v); !s.ok()) {
        rd_kafka_conf_destroy(conf);
        return s;
      }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &Member::RebalanceCb);
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (consumer_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(std::string("kafka consumer: ") + err);
    }
    rd_kafka_poll_set_consumer(consumer_);

    if (!options_.output_topic.empty()) {
      rd_kafka_conf_t* pconf = rd_kafka_conf_new();
      std::vector<std::pair<std::string, std::string>> producer_conf = {
          {"bootstrap.servers", options_.brokers}, {"acks", "all"},
          {"client.id", "sbscan-alerts"}, {"log_level", "0"}};
      for (const auto& kv : options_.config) {
        // Consumer-only properties would be rejected (warned about) by a producer.
        if (kv.first.rfind("group.", 0) == 0 || kv.first.rfind("session.", 0) == 0 ||
            kv.first.rfind("partition.assignment", 0) == 0 ||
            kv.first.rfind("heartbeat.", 0) == 0 || kv.first == "auto.offset.reset" ||
            kv.first.rfind("enable.auto", 0) == 0 || kv.first.rfind("fetch.", 0) == 0 ||
            kv.first == "max.poll.interval.ms") {
          continue;
        }
        producer_conf.push_back(kv);
      }
      for (const auto& [k, v] : producer_conf) {
        if (absl::Status s = set(pconf, k, v); !s.ok()) {
          rd_kafka_conf_destroy(pconf);
          return s;
        }
      }
      rd_kafka_conf_set_opaque(pconf, this);
      rd_kafka_conf_set_log_cb(pconf, [](const rd_kafka_t*, int, const char*, const char*) {});
      rd_kafka_conf_set_dr_msg_cb(pconf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* o) {
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          auto* self = static_cast<Member*>(o);
          ++self->delivery_failures_;
          self->last_delivery_error_ = rd_kafka_err2str(m->err);
        }
      });
      producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof(err));
      if (producer_ == nullptr) {
        rd_kafka_conf_destroy(pconf);
        return absl::InvalidArgumentError(std::string("kafka producer: ") + err);
      }
    }
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InvalidArgumentError(std::string("kafka subscribe: ") + rd_kafka_err2str(e));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<KafkaRunStats> Run(const std::atomic<bool>& stop) {
    last_activity_ = Clock::now();
    Clock::time_point last_commit = Clock::now();
    while (!stop.load() && fatal_.ok()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, 100);
      if (producer_ != nullptr) rd_kafka_poll(producer_, 0);
      Clock::time_point now = Clock::now();
      if (m != nullptr) {
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          Consume(m);
          last_activity_ = now;
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          ++stats_.consumer_errors;
          if (m->err == RD_KAFKA_RESP_ERR__FATAL || m->err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
              m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
              m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED) {
            fatal_ = absl::UnavailableError(std::string("kafka: ") + rd_kafka_message_errstr(m));
          }
        }
        rd_kafka_message_destroy(m);
      }
      if (now - last_commit >= std::chrono::milliseconds(options_.commit_interval_ms)) {
        CommitAll();
        last_commit = now;
      }
      if (options_.exit_idle_ms > 0 && stats_.assignments > 0 &&
          now - last_activity_ >= std::chrono::milliseconds(options_.exit_idle_ms)) {
        break;
      }
    }
    // Leaving the group revokes every partition (RebalanceCb): hand-over or flush, then commit.
    if (fatal_.ok()) CommitAll();
    rd_kafka_consumer_close(consumer_);
    for (auto& [key, state] : parts_) DropPartition(&state);  // close without a revoke callback
    parts_.clear();
    if (absl::Status s = FlushOutput(); !s.ok() && fatal_.ok()) fatal_ = s;
    if (!fatal_.ok()) return fatal_;
    return stats_;
  }

 private:
  static void RebalanceCb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<Member*>(opaque);
    bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->OnAssign(partitions);
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions);
        if (e != nullptr) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, partitions);
      }
    } else {
      self->OnRevoke(partitions);
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions);
        if (e != nullptr) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
    if (self->options_.on_rebalance) {
      self->options_.on_rebalance(err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, partitions->cnt);
    }
  }

  void OnAssign(rd_kafka_topic_partition_list_t* partitions) {
    ++stats_.assignments;
    last_activity_ = Clock::now();  // the idle time counts from the (re)assignment
    for (int i = 0; i < partitions->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = partitions->elems[i];
      PartitionState& state = parts_[{p.topic, p.partition}];
      state.name = std::string(p.topic) + "/" + std::to_string(p.partition);
      state.scanner = std::make_unique<Scanner>(
          rules_, options_.scanner, [this](const Alert& alert) { Emit(alert); });
      state.next = state.committable = state.committed = -1;
    }
  }

  void OnRevoke(rd_kafka_topic_partition_list_t* partitions) {
    ++stats_.revocations;
    for (int i = 0; i < partitions->cnt; ++i) {
      auto it = parts_.find({partitions->elems[i].topic, partitions->elems[i].partition});
      if (it == parts_.end()) continue;
      PartitionState& state = it->second;
      if (options_.on_revoke == OnRevoke::kFlush && state.scanner != nullptr) {
        state.scanner->Finish();  // open blocks analyzed as partial...
        if (state.next >= 0) state.committable = state.next;  // ...so all consumed is done
      }
      // kHandOver: committable stays at the last quiescent point; the new owner re-reads the
      // open blocks' fragments and reassembles them whole.
    }
    CommitAll();
    for (int i = 0; i < partitions->cnt; ++i) {
      auto it = parts_.find({partitions->elems[i].topic, partitions->elems[i].partition});
      if (it == parts_.end()) continue;
      DropPartition(&it->second);
      parts_.erase(it);
    }
  }

  void DropPartition(PartitionState* state) {
    if (state->scanner == nullptr) return;
    AddStats(state->scanner->stats(), &stats_.scan);
    state->scanner.reset();
  }

  void Consume(rd_kafka_message_t* m) {
    ++stats_.messages;
    auto it = parts_.find({rd_kafka_topic_name(m->rkt), m->partition});
    if (it == parts_.end() || it->second.scanner == nullptr) return;  // not ours (any more)
    PartitionState& state = it->second;
    constexpr size_t kPadding = 64;  // simdjson reads past the record
    if (padded_.size() < m->len + kPadding) padded_.resize(m->len + kPadding);
    if (m->len > 0) std::memcpy(padded_.data(), m->payload, m->len);
    std::memset(padded_.data() + m->len, 0, kPadding);
    SourceLocation where;
    where.file = state.name;
    where.offset = static_cast<uint64_t>(m->offset);
    state.scanner->CountBytes(m->len);
    state.scanner->AddJsonRecord(std::string_view(padded_.data(), m->len), padded_.size(), where);
    state.next = m->offset + 1;
    if (state.scanner->open_blocks() == 0) state.committable = state.next;
  }

  void Emit(const Alert& alert) {
    line_.clear();
    AppendAlertJson(alert, &line_);
    key_.clear();
    if (alert.block != nullptr) {
      key_.append(alert.block->host);
      key_ += '|';
      key_.append(alert.block->script_block_id);
    }
    ++stats_.alerts;
    if (producer_ != nullptr) {
      std::string_view payload(line_);
      if (!payload.empty() && payload.back() == '\n') payload.remove_suffix(1);
      rd_kafka_resp_err_t e;
      while (true) {
        e = rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(options_.output_topic.c_str()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
                              RD_KAFKA_V_KEY(key_.data(), key_.size()), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
        rd_kafka_poll(producer_, 100);  // back-pressure: wait for deliveries
      }
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++delivery_failures_;
        last_delivery_error_ = rd_kafka_err2str(e);
      }
    } else if (sink_.write) {
      sink_.write(line_, key_);
    }
  }

  absl::Status FlushOutput() {
    if (producer_ != nullptr) {
      rd_kafka_flush(producer_, 30'000);
      if (rd_kafka_outq_len(producer_) > 0) {
        return absl::UnavailableError("kafka: alerts not delivered within 30 s");
      }
      if (delivery_failures_ > 0) {
        return absl::UnavailableError("kafka: alert delivery failed: " + last_delivery_error_);
      }
    } else if (sink_.flush) {
      sink_.flush();
    }
    return absl::OkStatus();
  }

  // Commits every partition whose committable offset advanced, after making the alerts durable.
  // A failed commit is retried at the next interval; nothing advances `committed` then.
  void CommitAll() {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
    std::vector<PartitionState*> states;
    for (auto& [key, state] : parts_) {
      if (state.committable > state.committed) {
        rd_kafka_topic_partition_list_add(list, key.first.c_str(), key.second)->offset =
            state.committable;
        states.push_back(&state);
      }
    }
    if (list->cnt > 0) {
      if (absl::Status s = FlushOutput(); !s.ok()) {
        fatal_ = s;  // never commit past alerts that were not delivered
      } else {
        rd_kafka_resp_err_t e = rd_kafka_commit(consumer_, list, /*async=*/0);
        bool ok = e == RD_KAFKA_RESP_ERR_NO_ERROR;
        for (int i = 0; ok && i < list->cnt; ++i) ok = list->elems[i].err == 0;
        if (ok) {
          ++stats_.commits;
          for (size_t i = 0; i < states.size(); ++i) states[i]->committed = list->elems[i].offset;
        } else {
          ++stats_.commit_failures;
        }
      }
    }
    rd_kafka_topic_partition_list_destroy(list);
  }

  const KafkaOptions& options_;
  std::shared_ptr<const signatures::RuleSet> rules_;
  const AlertSink& sink_;
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::map<PartitionKey, PartitionState> parts_;
  KafkaRunStats stats_;
  absl::Status fatal_;
  uint64_t delivery_failures_ = 0;
  std::string last_delivery_error_;
  Clock::time_point last_activity_;  // last record or assignment
  std::vector<char> padded_;
  std::string line_;
  std::string key_;
};

}  // namespace

absl::StatusOr<KafkaRunStats> RunKafkaConsumer(const KafkaOptions& options,
                                               std::shared_ptr<const signatures::RuleSet> rules,
                                               const AlertSink& sink,
                                               const std::atomic<bool>& stop) {
  if (rules == nullptr) return absl::InvalidArgumentError("no rules");
  Member member(options, std::move(rules), sink);
  if (absl::Status s = member.Init(); !s.ok()) return s;
  return member.Run(stop);
}

}  // namespace sbscan::kafka
