// sbscan: the command-line tool.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"
#include "tools/sbscan/heap_trimmer.h"
#include "tools/kafka/kafka_command.h"

int main(int argc, char** argv) {
  using namespace sbscan::cli;
  HeapTrimmer heap_trimmer;  // resident memory set by the limits, not by the input's length
  CLI::App app(
      "sbscan: reassembles PowerShell script block logging (Event 4104), decodes hidden "
      "payloads statically and matches every layer against signatures compiled into one "
      "automaton.");
  app.require_subcommand(1);
  Command scan = AddScanCommand(&app);
  CLI::App* rules = app.add_subcommand("rules", "Check or list signatures");
  rules->require_subcommand(1);
  Command check = AddRulesCheckCommand(rules);
  Command list = AddRulesListCommand(rules);
  Command explain = AddExplainCommand(&app);
  Command bench = AddBenchCommand(&app);
  Command kafka = AddKafkaCommand(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitError;
  }
  if (app.got_subcommand("scan")) return scan();
  if (app.got_subcommand("explain")) return explain();
  if (app.got_subcommand("bench")) return bench();
  if (app.got_subcommand("kafka")) return kafka();
  if (rules->got_subcommand("check")) return check();
  if (rules->got_subcommand("list")) return list();
  return kExitError;
}
