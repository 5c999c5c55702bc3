// `sbscan kafka`: scan a Kafka topic as a consumer-group member.
#ifndef SBSCAN_TOOLS_KAFKA_KAFKA_COMMAND_H_
#define SBSCAN_TOOLS_KAFKA_KAFKA_COMMAND_H_

#include <CLI/CLI.hpp>

#include "tools/sbscan/commands.h"

namespace sbscan::cli {

// Registers the `kafka` subcommand on `app`; the returned function runs it.
Command AddKafkaCommand(CLI::App* app);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_KAFKA_KAFKA_COMMAND_H_
