// `sbscan kafka`: consume 4104 JSON records from a topic as a consumer-group member.
#include "tools/kafka/kafka_command.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "tools/sbscan/cli_options.h"

#ifdef SBSCAN_HAVE_RDKAFKA
#include "tools/kafka/kafka_consumer.h"
#endif

namespace sbscan::cli {
namespace {

std::atomic<bool> g_kafka_stop{false};
void OnKafkaStop(int) { g_kafka_stop.store(true); }

struct KafkaCliOptions {
  CommonOptions common;
  std::string brokers;
  std::string topic;
  std::string group;
  std::string output_topic;
  std::vector<std::string> properties;
  std::string offset_reset = "earliest";
  std::string on_revoke = "handover";
  int commit_interval_ms = 1000;
  double exit_idle_seconds = 0;
  bool stats = false;
};

#ifdef SBSCAN_HAVE_RDKAFKA
int RunKafka(const KafkaCliOptions& o) {
  kafka::KafkaOptions k;
  k.brokers = o.brokers;
  k.topic = o.topic;
  k.group = o.group;
  k.output_topic = o.output_topic;
  for (const std::string& p : o.properties) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "sbscan: -X %s: expected key=value\n", p.c_str());
      return kExitError;
    }
    k.config.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  k.offset_reset = o.offset_reset;
  k.on_revoke = o.on_revoke == "flush" ? kafka::OnRevoke::kFlush : kafka::OnRevoke::kHandOver;
  k.commit_interval_ms = o.commit_interval_ms;
  k.exit_idle_ms = static_cast<int>(o.exit_idle_seconds * 1000);
  k.scanner = o.common.scanner;
  if (absl::Status s = ValidateOptions(k.scanner); !s.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(s.message()).c_str());
    return kExitError;
  }
  std::shared_ptr<const signatures::RuleSet> rules = LoadRulesOrReport(o.common);
  if (rules == nullptr) return kExitError;
  struct sigaction action = {};
  action.sa_handler = OnKafkaStop;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  kafka::AlertSink sink;
  sink.write = [](std::string_view line, std::string_view) {
    std::fwrite(line.data(), 1, line.size(), stdout);
  };
  sink.flush = [] { std::fflush(stdout); };
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<kafka::KafkaRunStats> result =
      kafka::RunKafkaConsumer(k, std::move(rules), sink, g_kafka_stop);
  std::fflush(stdout);
  if (!result.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(result.status().message()).c_str());
    return kExitError;
  }
  if (o.stats) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    PrintStats(result->scan, seconds, stderr);
    std::fprintf(stderr,
                 "kafka: messages %llu, alerts %llu, commits %llu, commit failures %llu, "
                 "assignments %llu, revocations %llu, client errors %llu\n",
                 static_cast<unsigned long long>(result->messages),
                 static_cast<unsigned long long>(result->alerts),
                 static_cast<unsigned long long>(result->commits),
                 static_cast<unsigned long long>(result->commit_failures),
                 static_cast<unsigned long long>(result->assignments),
                 static_cast<unsigned long long>(result->revocations),
                 static_cast<unsigned long long>(result->consumer_errors));
  }
  return result->alerts > 0 ? kExitAlerts : kExitNoAlerts;
}
#else
int RunKafka(const KafkaCliOptions&) {
  std::fprintf(stderr, "sbscan: built without librdkafka (apt-get install librdkafka-dev)\n");
  return kExitError;
}
#endif

}  // namespace

Command AddKafkaCommand(CLI::App* app) {
  auto o = std::make_shared<KafkaCliOptions>();
  CLI::App* cmd = app->add_subcommand(
      "kafka",
      "Consume 4104 JSON records (any supported shape) from a Kafka topic as a consumer-group "
      "member; alerts to an output topic or stdout. At-least-once: offsets are committed only "
      "once the records' blocks are analyzed. Producers should key records by "
      "\"host|ScriptBlockId\" so that all fragments of a block reach one partition.");
  cmd->add_option("--brokers", o->brokers, "Bootstrap servers (host:port,...)")->required();
  cmd->add_option("--topic", o->topic, "Input topic")->required();
  cmd->add_option("--group", o->group, "Consumer group id")->required();
  cmd->add_option("--output-topic", o->output_topic,
                  "Write alerts (JSON, keyed host|ScriptBlockId) to this topic instead of stdout");
  cmd->add_option("-X,--property", o->properties,
                  "librdkafka property key=value (repeatable), e.g. -X security.protocol=ssl");
  cmd->add_option("--offset-reset", o->offset_reset,
                  "Where a group without committed offsets starts")
      ->check(CLI::IsMember({"earliest", "latest"}))
      ->capture_default_str();
  cmd->add_option("--on-revoke", o->on_revoke,
                  "Open (incomplete) blocks of a revoked partition: handover = commit only up to "
                  "them so the new owner reassembles them whole; flush = analyze them as partial "
                  "here, then commit")
      ->check(CLI::IsMember({"handover", "flush"}))
      ->capture_default_str();
  cmd->add_option("--commit-interval-ms", o->commit_interval_ms, "How often offsets are committed")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  cmd->add_option("--exit-idle", o->exit_idle_seconds,
                  "Once partitions are assigned, leave the group and exit after this many seconds "
                  "without a record (0 = run until SIGINT/SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--stats", o->stats, "Print counters to stderr at exit");
  AddCommonOptions(cmd, &o->common);
  return [o] { return RunKafka(*o); };
}

}  // namespace sbscan::cli
