/* The README's embedding example: reads JSON lines (any supported 4104 shape) from stdin,
 * prints each alert as one JSON line, and a summary on stderr. Exit 0 = alerts, 1 = none,
 * 2 = error (as `sbscan scan`). Compiled against the installed package by tests/install. */
#include <sbscan/sbscan.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_alert(const sbscan_alert* alert, void* user) {
  unsigned long* count = (unsigned long*)user;
  ++*count;
  fwrite(alert->json, 1, alert->json_len, stdout);
  fputc('\n', stdout);
  return 0; /* non-zero would stop delivery for the rest of this feed/flush call */
}

int main(int argc, char** argv) {
  sbscan_rules* rules = NULL;
  sbscan_compile_error err;
  /* argv[1..]: extra rule files; the bundled rules are always included. */
  if (sbscan_rules_compile_files((const char* const*)(argv + 1), (size_t)(argc - 1), 1, &rules,
                                 &err) != SBSCAN_OK) {
    fprintf(stderr, "rules: %s (file %s, line %d, rule %s)\n", err.message, err.file, err.line,
            err.rule_id);
    return 2;
  }
  unsigned long alerts = 0;
  sbscan_options options;
  sbscan_options_init(&options);
  options.window_seconds = 60;
  sbscan_scanner* scanner = sbscan_scanner_new(rules, &options, on_alert, &alerts);
  if (scanner == NULL) {
    sbscan_rules_free(rules);
    return 2;
  }
  size_t cap = 1 << 16;
  char* line = malloc(cap);
  size_t len = 0;
  int c;
  while (line != NULL && (c = getchar()) != EOF) {
    if (c != '\n') {
      if (len + 1 == cap) {
        char* bigger = realloc(line, cap *= 2);
        if (bigger == NULL) break;
        line = bigger;
      }
      line[len++] = (char)c;
      continue;
    }
    sbscan_scanner_feed_json(scanner, line, len);
    len = 0;
  }
  if (len > 0) sbscan_scanner_feed_json(scanner, line, len);
  free(line);
  sbscan_scanner_flush(scanner); /* end of input: open blocks are analyzed as partial */
  sbscan_stats stats;
  sbscan_scanner_stats(scanner, &stats);
  fprintf(stderr, "sbscan %s: %llu records, %llu blocks, %llu alerts\n", sbscan_version(),
          (unsigned long long)stats.records,
          (unsigned long long)(stats.blocks_complete + stats.blocks_partial),
          (unsigned long long)stats.alerts);
  sbscan_scanner_free(scanner);
  sbscan_rules_free(rules);
  return alerts > 0 ? 0 : 1;
}
