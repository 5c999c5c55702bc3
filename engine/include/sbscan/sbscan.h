/* sbscan: the C API (C99). A stable, exception-free boundary for log forwarders and other
 * programs that embed the engine.
 *
 * Model (compile once, scan many):
 *   - sbscan_rules: a compiled rule set. Immutable once built; any number of scanners on any
 *     threads may share one. Scanners keep it alive: the handle may be freed before them.
 *   - sbscan_scanner: the streaming pipeline of ONE thread (reassembly, decoding, matching). Feed
 *     it records; alerts come back synchronously through the callback, on the feeding thread.
 *     A scanner is not thread-safe: use one per thread (two threads may never call into the same
 *     scanner at once), but a scanner may move between threads between calls.
 *
 * Guarantees: no function prints, exits, aborts or lets a C++ exception escape. A bad argument
 * (NULL where a value is required, an out-of-range option) returns an error code (or NULL) and
 * changes nothing. Out of memory is reported as SBSCAN_ERR_NO_MEMORY where it can be caught.
 *
 * Strings: sbscan_string is a (pointer, length) view, not necessarily NUL-terminated. A view
 * handed to a callback is valid only during that callback; copy what you keep.
 *
 * Minimal use:
 *   sbscan_rules* rules; sbscan_compile_error err;
 *   if (sbscan_rules_compile_files(NULL, 0, 1, &rules, &err) != SBSCAN_OK) { ...err.message... }
 *   sbscan_scanner* s = sbscan_scanner_new(rules, NULL, on_alert, ctx);
 *   while (read a line) sbscan_scanner_feed_json(s, line, len);
 *   sbscan_scanner_flush(s);
 *   sbscan_scanner_free(s); sbscan_rules_free(rules);
 */
#ifndef SBSCAN_SBSCAN_H_
#define SBSCAN_SBSCAN_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define SBSCAN_API
#else
#define SBSCAN_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. Negative values are errors; SBSCAN_STOPPED is not an error. */
typedef enum sbscan_status {
  SBSCAN_OK = 0,
  /* The alert callback returned non-zero: no further alerts of that call were delivered. The
   * record was nevertheless processed completely (reassembled, analyzed, counted). */
  SBSCAN_STOPPED = 1,
  SBSCAN_ERR_INVALID_ARGUMENT = -1, /* NULL handle/pointer, bad option value */
  SBSCAN_ERR_COMPILE = -2,          /* a rule does not parse or compile (see sbscan_compile_error) */
  SBSCAN_ERR_NOT_FOUND = -3,        /* a rule file or directory does not exist */
  SBSCAN_ERR_NO_MEMORY = -4,
  SBSCAN_ERR_INTERNAL = -5
} sbscan_status;

/* A borrowed string view. `data` may be NULL when `len` is 0. */
typedef struct sbscan_string {
  const char* data;
  size_t len;
} sbscan_string;

/* The library version, "MAJOR.MINOR.PATCH". Static storage; thread-safe. */
SBSCAN_API const char* sbscan_version(void);

/* A short English name of a status code ("ok", "invalid argument", ...). Static storage;
 * thread-safe; unknown codes give "unknown status". */
SBSCAN_API const char* sbscan_status_string(int status);

/* ---------------------------------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------------------------------- */

typedef struct sbscan_rules sbscan_rules;

/* Why compiling failed. Strings are NUL-terminated (truncated to fit); empty / 0 when unknown.
 * `file` is the rule file (or the name given to sbscan_rules_compile_string), `line` its 1-based
 * line, `rule_id` the offending rule, `message` the whole human-readable error (it repeats file,
 * line and rule id, ready to print). */
typedef struct sbscan_compile_error {
  char file[256];
  int line;
  char rule_id[128];
  char message[512];
} sbscan_compile_error;

/* Compiles the bundled rules (when include_bundled is non-zero) and the rule files `paths[0..n)`
 * (each a .yml or .yaml file or a directory searched recursively) into one immutable set.
 * `paths` may be NULL when n is 0. On success stores a new handle in *out and returns SBSCAN_OK;
 * on failure *out is set to NULL, `err` (may be NULL) is filled, and SBSCAN_ERR_COMPILE,
 * SBSCAN_ERR_NOT_FOUND or SBSCAN_ERR_INVALID_ARGUMENT (out NULL, a NULL path, nothing to compile)
 * is returned. Thread-safe (compiles are independent). Compiling takes milliseconds to seconds:
 * do it once, at start-up or on reload (build a new set, swap the pointer, free the old one when
 * its scanners are gone). */
SBSCAN_API int sbscan_rules_compile_files(const char* const* paths, size_t n, int include_bundled,
                                          sbscan_rules** out, sbscan_compile_error* err);

/* As sbscan_rules_compile_files, with one rule file given as NUL-terminated YAML text. `name`
 * (may be NULL: "<string>") is used in errors and as the alerts' rule.ruleset. */
SBSCAN_API int sbscan_rules_compile_string(const char* yaml, const char* name, int include_bundled,
                                           sbscan_rules** out, sbscan_compile_error* err);

/* Number of rules in the set (0 for NULL). Thread-safe. */
SBSCAN_API size_t sbscan_rules_count(const sbscan_rules* rules);

/* Frees the handle. NULL is ignored. Scanners created from it hold their own reference to the
 * compiled set, so they keep working (the set itself is freed with the last of them): reload by
 * compiling a new set, freeing the old handle, and replacing scanners at leisure. Not to be called
 * concurrently with another use of the same handle (compiling or creating scanners from it). */
SBSCAN_API void sbscan_rules_free(sbscan_rules* rules);

/* ---------------------------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------------------------- */

/* Scanner limits. Always start from sbscan_options_init() so that fields added later keep their
 * defaults. */
typedef struct sbscan_options {
  /* A block still missing fragments this long after its first fragment, in stream time
   * (largest TimeCreated seen), is analyzed as partial. Default 300; 1 .. 100 years. */
  int64_t window_seconds;
  /* Open (incomplete) blocks hold at most this many bytes / blocks; past it the oldest are
   * analyzed as partial. Defaults 256 MiB / 100,000. */
  size_t max_open_bytes;
  size_t max_open_blocks;
  /* Decoding of hidden payloads (Base64, UTF-16LE, XOR, deflate, ...): 1 on (default), 0 off. */
  int decode;
  /* Decoded layers below the block text. Default 8. */
  int max_decode_depth;
  /* Bytes of decoded text per block, all layers together. Default 16 MiB. */
  size_t max_decoded_bytes;
  /* Encoded regions examined per block. Default 256. */
  size_t max_decode_candidates;
} sbscan_options;

/* Fills *options with the defaults. NULL is ignored. Thread-safe. */
SBSCAN_API void sbscan_options_init(sbscan_options* options);

/* SBSCAN_OK when every value is in range; otherwise SBSCAN_ERR_INVALID_ARGUMENT and, when
 * `message` is not NULL and capacity > 0, a NUL-terminated explanation naming the option. */
SBSCAN_API int sbscan_options_validate(const sbscan_options* options, char* message,
                                       size_t capacity);

/* ---------------------------------------------------------------------------------------------
 * Alerts
 * ------------------------------------------------------------------------------------------- */

/* One alert: one per (script block, rule). Every pointer and view in it is valid only during
 * the callback. */
typedef struct sbscan_alert {
  sbscan_string rule_id;     /* "sbscan.cred.mimikatz" */
  sbscan_string rule_uuid;   /* Sigma rules: their id; empty for native rules */
  sbscan_string rule_title;
  sbscan_string rule_level;  /* "informational", "low", "medium", "high", "critical" */
  sbscan_string ruleset;     /* "bundled", or the rule file */
  const sbscan_string* techniques; /* ATT&CK technique ids, "T1003.001" */
  size_t technique_count;
  const sbscan_string* tactics;    /* "credential-access" */
  size_t tactic_count;
  sbscan_string host;              /* Computer */
  sbscan_string script_block_id;
  sbscan_string time_created;      /* of the block's first fragment */
  sbscan_string user_id;
  sbscan_string path;              /* script path, when PowerShell logged one */
  int complete;                    /* 1: every fragment was seen; 0: analyzed as partial */
  int32_t fragments_seen;
  int32_t fragments_total;
  const int32_t* missing;          /* missing fragment numbers, ascending */
  size_t missing_count;
  uint64_t total_matches;          /* matches of the rule's patterns, all layers */
  /* The alert as one JSON object (the shape of `sbscan scan` output, see README.md), without a
   * trailing newline; json[json_len] is a NUL. */
  const char* json;
  size_t json_len;
} sbscan_alert;

/* Receives each alert, synchronously, on the thread that called the feed/flush function.
 * Return 0 to continue; a non-zero return stops delivery of the remaining alerts of that one
 * feed/flush call (they are still counted in stats as alerts, and in alerts_suppressed), and that
 * call returns SBSCAN_STOPPED. The next call delivers again. The callback must not call into the
 * same scanner (it may use other scanners and the rules). */
typedef int (*sbscan_alert_cb)(const sbscan_alert* alert, void* user);

/* ---------------------------------------------------------------------------------------------
 * Scanner (one per thread)
 * ------------------------------------------------------------------------------------------- */

typedef struct sbscan_scanner sbscan_scanner;

/* Creates a scanner over `rules` (shared, not copied; the scanner keeps the compiled set alive
 * even after sbscan_rules_free). `options`
 * may be NULL for the defaults; it is copied. `cb` may be NULL (alerts are only counted); `user`
 * is passed to it unchanged. Returns NULL when rules is NULL, the options are invalid (see
 * sbscan_options_validate) or memory runs out. Thread-safe with respect to other scanners. */
SBSCAN_API sbscan_scanner* sbscan_scanner_new(const sbscan_rules* rules,
                                              const sbscan_options* options, sbscan_alert_cb cb,
                                              void* user);

/* Feeds one JSON record (one line, no newline needed) in any supported shape: Winlogbeat/ECS,
 * Elastic Agent, evtx_dump, NXLog, flat. The bytes are read during the call only (copied into
 * an internal padded buffer when needed). Records that are not PowerShell events of interest
 * pass by and are counted; a malformed record is counted (stats.malformed), not an error.
 * Returns SBSCAN_OK, SBSCAN_STOPPED, or SBSCAN_ERR_INVALID_ARGUMENT (s NULL, or record NULL with
 * len > 0). */
SBSCAN_API int sbscan_scanner_feed_json(sbscan_scanner* s, const char* record, size_t len);

/* Feeds one rendered Windows event (<Event xmlns=...>...</Event>). As sbscan_scanner_feed_json. */
SBSCAN_API int sbscan_scanner_feed_xml(sbscan_scanner* s, const char* record, size_t len);

/* One event given as fields, for forwarders that have already parsed the record. Strings are
 * views read during the call only; absent strings are {NULL, 0}; absent numbers are -1. Start
 * from sbscan_event_init(). */
typedef struct sbscan_event {
  int32_t event_id;              /* 4104 script block; 4103 module logging; 400/403/800 engine */
  sbscan_string provider;        /* "Microsoft-Windows-PowerShell" */
  sbscan_string channel;
  sbscan_string computer;
  sbscan_string time_created;    /* ISO 8601 */
  int32_t level;
  int64_t record_id;
  sbscan_string user_id;
  int64_t process_id;
  sbscan_string script_block_id;
  int32_t message_number;        /* 1-based */
  int32_t message_total;
  sbscan_string script_block_text;
  sbscan_string path;
  sbscan_string context_info;    /* 4103 */
  sbscan_string payload;         /* 4103 */
  sbscan_string user_data;
} sbscan_event;

/* Sets every number to -1 and every string to empty. NULL is ignored. */
SBSCAN_API void sbscan_event_init(sbscan_event* event);

/* Feeds one event given as fields. Returns as sbscan_scanner_feed_json (INVALID_ARGUMENT when s
 * or event is NULL, or a string has data NULL with len > 0). */
SBSCAN_API int sbscan_scanner_feed_event(sbscan_scanner* s, const sbscan_event* event);

/* End of input: analyzes every still-open block as partial and delivers its alerts. The scanner
 * remains usable. Returns SBSCAN_OK, SBSCAN_STOPPED or SBSCAN_ERR_INVALID_ARGUMENT. */
SBSCAN_API int sbscan_scanner_flush(sbscan_scanner* s);

/* For a live stream that has gone quiet for longer than the window: analyzes the open blocks as
 * partial (evicted by the window). Returns as sbscan_scanner_flush. */
SBSCAN_API int sbscan_scanner_flush_idle(sbscan_scanner* s);

/* Number of blocks still waiting for fragments (0 for NULL). */
SBSCAN_API size_t sbscan_scanner_open_blocks(const sbscan_scanner* s);

/* Counters. Everything fed is accounted for: records = events_4104 + events_4103 +
 * events_session + passed_by + malformed; fragments = fragments_in_blocks + duplicates_exact +
 * duplicates_conflicting + rejected_no_id + rejected_bad_number once every open block has been
 * handed on (after sbscan_scanner_flush); blocks_partial = partial_window + partial_memory + partial_end_of_input. */
typedef struct sbscan_stats {
  uint64_t records;
  uint64_t bytes;
  uint64_t events_4104;
  uint64_t events_4103;
  uint64_t events_session;
  uint64_t transcript_commands;
  uint64_t passed_by;
  uint64_t malformed;
  /* reassembly */
  uint64_t fragments;
  uint64_t fragments_in_blocks; /* handed on inside a (complete or partial) block */
  uint64_t blocks_complete;
  uint64_t blocks_partial;
  uint64_t partial_window;
  uint64_t partial_memory;
  uint64_t partial_end_of_input;
  uint64_t duplicates_exact;
  uint64_t duplicates_conflicting;
  uint64_t late_fragments;
  uint64_t rejected_no_id;
  uint64_t rejected_bad_number;
  uint64_t open_blocks_peak;
  uint64_t open_bytes_peak;
  /* analysis */
  uint64_t blocks_analyzed;
  uint64_t text_bytes;
  uint64_t layers_decoded;
  uint64_t decoded_bytes;
  uint64_t decode_malformed;
  uint64_t decode_depth_limit;
  uint64_t decode_bytes_limit;
  uint64_t decode_candidate_limit;
  uint64_t obfuscation_scored; /* blocks given an obfuscation score */
  uint64_t obfuscated;         /* blocks at or above the obfuscation threshold */
  uint64_t alerts;            /* alerts raised */
  uint64_t alerts_suppressed; /* raised but not delivered: the callback had returned non-zero */
} sbscan_stats;

/* Copies the scanner's counters into *out. Returns SBSCAN_OK or SBSCAN_ERR_INVALID_ARGUMENT. */
SBSCAN_API int sbscan_scanner_stats(const sbscan_scanner* s, sbscan_stats* out);

/* Frees a scanner. Open blocks are dropped WITHOUT analysis: call sbscan_scanner_flush first to
 * get their alerts. NULL is ignored. Must not be called from the scanner's own callback. */
SBSCAN_API void sbscan_scanner_free(sbscan_scanner* s);

#ifdef __cplusplus
}
#endif

#endif /* SBSCAN_SBSCAN_H_ */
