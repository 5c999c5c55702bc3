// sbscan over Kafka: a consumer-group member that scans 4104 JSON records and emits alerts.
//
// Delivery semantics (at-least-once; see README.md "Scaling out with Kafka"):
//  - Each assigned partition gets its own Scanner (reassembler + analyzer).
//  - Offsets are committed manually, and only up to a *quiescent point* of the partition: an
//    offset after which the partition's scanner held no open (incomplete) block, i.e. every
//    record before it has been analyzed as part of a complete or partial block, or passed by.
//    Records whose block is still waiting for fragments are never committed. Before each commit
//    the alerts produced so far are flushed (output topic: delivered and acknowledged; sink:
//    its flush is called).
//  - On partition revocation (rebalance, shutdown): with OnRevoke::kHandOver (default) open
//    blocks are NOT analyzed here; the last quiescent offset is committed and the new owner
//    re-reads those fragments and reassembles the blocks whole. With OnRevoke::kFlush open blocks
//    are analyzed as partial, then everything consumed is committed.
//  - Duplicates: after a crash, revoke (hand-over) or failed commit, records after the last
//    committed offset are consumed again, so their alerts may be emitted twice. Alerts are never
//    lost: a record is committed only after its block's alerts were flushed.
//  - Producers must key records by (host, ScriptBlockId) (key "host|ScriptBlockId") so that all
//    fragments of a block land in one partition; fragments of one block spread over partitions
//    are analyzed as separate partial blocks.
#ifndef SBSCAN_TOOLS_KAFKA_KAFKA_CONSUMER_H_
#define SBSCAN_TOOLS_KAFKA_KAFKA_CONSUMER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "sbscan/options.h"
#include "sbscan/stats.h"

namespace sbscan {
namespace signatures {
class RuleSet;
}

namespace kafka {

enum class OnRevoke { kHandOver, kFlush };

struct KafkaOptions {
  std::string brokers;       // bootstrap.servers
  std::string topic;         // input topic
  std::string group;         // group.id
  std::string output_topic;  // alerts go here when set; otherwise to the sink
  // Extra librdkafka properties (-X key=value), applied to the consumer and the producer.
  std::vector<std::pair<std::string, std::string>> config;
  std::string offset_reset = "earliest";  // where a group without committed offsets starts
  int commit_interval_ms = 1000;          // how often committable offsets are committed
  int exit_idle_ms = 0;  // > 0: once assigned, return after this long without a record
  OnRevoke on_revoke = OnRevoke::kHandOver;
  ScannerOptions scanner;
  // Optional observer, called on the consumer's thread once a rebalance event has been handled
  // (after the revoke's commit; before the assigned partitions are fetched): `assigned` tells
  // assignment from revocation, `partitions` how many. Must not block.
  std::function<void(bool assigned, int partitions)> on_rebalance;
};

struct KafkaRunStats {
  Stats scan;                    // summed over every partition scanner this member had
  uint64_t messages = 0;         // records consumed
  uint64_t alerts = 0;           // alerts emitted (produced or passed to the sink)
  uint64_t commits = 0;          // successful commit requests
  uint64_t commit_failures = 0;  // failed commit requests (retried at the next interval)
  uint64_t assignments = 0;      // rebalance events with partitions assigned
  uint64_t revocations = 0;      // rebalance events with partitions revoked
  uint64_t consumer_errors = 0;  // transient errors reported by the client
};

// Receives each alert as one JSON line (with '\n') and its key "host|ScriptBlockId", on the
// consumer's thread. `flush` is called before every offset commit: after it returns, every
// alert passed so far must be durable.
struct AlertSink {
  std::function<void(std::string_view json_line, std::string_view key)> write;
  std::function<void()> flush;
};

// Joins the group and consumes until `stop` becomes true or, with exit_idle_ms, the topic has
// been quiet that long; then leaves the group (revoking its partitions as described above).
// Alerts go to options.output_topic when set (keyed like the input), else to `sink`.
// Errors (bad configuration, undeliverable alerts) are returned; transient broker errors are
// retried by librdkafka and counted. Never prints.
absl::StatusOr<KafkaRunStats> RunKafkaConsumer(const KafkaOptions& options,
                                               std::shared_ptr<const signatures::RuleSet> rules,
                                               const AlertSink& sink,
                                               const std::atomic<bool>& stop);

}  // namespace kafka
}  // namespace sbscan

#endif  // SBSCAN_TOOLS_KAFKA_KAFKA_CONSUMER_H_
