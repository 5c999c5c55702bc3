// sbscan: the command-line tool.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdio>

#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"
#include "tools/kafka/kafka_command.h"

int main(int argc, char** argv) {
  using namespace sbscan::cli;
  // glibc raises its mmap threshold each time a large mmapped buffer is freed; after that, large
  // block and decode buffers come from the heap, fragment it, and the peak RSS creeps up with
  // the input (+14 % over a 10 GB stream). A fixed threshold keeps them in mmap, returned to the
  // system on free: the peak then depends on the limits, not on how much was read.
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
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
