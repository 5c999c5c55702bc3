// sbscan CLI: the subcommands. Each Add* registers its options; the returned function runs it
// and returns the exit code.
#ifndef SBSCAN_TOOLS_SBSCAN_COMMANDS_H_
#define SBSCAN_TOOLS_SBSCAN_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <functional>

namespace sbscan::cli {

using Command = std::function<int()>;

Command AddScanCommand(CLI::App* app);
Command AddRulesCheckCommand(CLI::App* rules);
Command AddRulesListCommand(CLI::App* rules);
Command AddBenchCommand(CLI::App* app);
Command AddExplainCommand(CLI::App* app);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_COMMANDS_H_
