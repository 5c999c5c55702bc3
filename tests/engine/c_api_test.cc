// The C API (sbscan.h): argument checks of every function, compile errors, feeding JSON, XML and
// fields, alerts, stats, the stop-early return code, and many threads sharing one rule set.
#include "sbscan/sbscan.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr char kRules[] = R"(
id: capi.mimikatz
title: Mimikatz invocation
level: high
tags: [attack.credential-access, attack.t1003.001]
patterns:
  invoke: Invoke-Mimikatz
condition: invoke
---
id: capi.cradle
title: Download cradle
level: medium
tags: [attack.execution, attack.t1059.001]
patterns:
  download: {regex: '\.DownloadString\s*\('}
condition: download
)";

// A Winlogbeat-shaped 4104 record.
std::string Record(const std::string& host, const std::string& id, int n, int total,
                   const std::string& text) {
  return "{\"@timestamp\":\"2024-03-05T14:22:07.452Z\",\"event\":{\"code\":\"4104\"},"
         "\"winlog\":{\"channel\":\"Microsoft-Windows-PowerShell/Operational\","
         "\"computer_name\":\"" + host + "\",\"event_id\":\"4104\","
         "\"provider_name\":\"Microsoft-Windows-PowerShell\",\"record_id\":7,"
         "\"event_data\":{\"MessageNumber\":\"" + std::to_string(n) +
         "\",\"MessageTotal\":\"" + std::to_string(total) + "\",\"ScriptBlockId\":\"" + id +
         "\",\"ScriptBlockText\":\"" + text + "\"}}}";
}

struct Collected {
  std::vector<std::string> rule_ids;
  std::vector<std::string> json;
  std::vector<std::string> hosts;
  std::vector<int> complete;
  std::vector<std::vector<int32_t>> missing;
  std::vector<std::string> techniques;
  int stop_after = 0;  // >0: return non-zero from this alert on
};

int Collect(const sbscan_alert* a, void* user) {
  auto* c = static_cast<Collected*>(user);
  c->rule_ids.emplace_back(a->rule_id.data, a->rule_id.len);
  EXPECT_EQ(a->json[a->json_len], '\0');
  c->json.emplace_back(a->json, a->json_len);
  c->hosts.emplace_back(a->host.data, a->host.len);
  c->complete.push_back(a->complete);
  c->missing.emplace_back(a->missing, a->missing + a->missing_count);
  for (size_t i = 0; i < a->technique_count; ++i) {
    c->techniques.emplace_back(a->techniques[i].data, a->techniques[i].len);
  }
  return c->stop_after > 0 && static_cast<int>(c->rule_ids.size()) >= c->stop_after;
}

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sbscan_compile_error err;
    ASSERT_EQ(sbscan_rules_compile_string(kRules, "capi.yml", 0, &rules_, &err), SBSCAN_OK)
        << err.message;
    ASSERT_NE(rules_, nullptr);
  }
  void TearDown() override { sbscan_rules_free(rules_); }
  sbscan_rules* rules_ = nullptr;
};

TEST(CApiBasics, Version) {
  ASSERT_NE(sbscan_version(), nullptr);
  EXPECT_STRNE(sbscan_version(), "");
  EXPECT_STREQ(sbscan_status_string(SBSCAN_OK), "ok");
  EXPECT_STREQ(sbscan_status_string(12345), "unknown status");
}

TEST(CApiRules, CompileErrorNamesFileLineRule) {
  const char* yaml =
      "id: good.one\ntitle: Good\nlevel: high\npatterns:\n  a: foo\n---\n"
      "id: bad.one\ntitle: Bad\nlevel: extreme\npatterns:\n  a: foo\n";
  sbscan_rules* rules = reinterpret_cast<sbscan_rules*>(1);
  sbscan_compile_error err;
  EXPECT_EQ(sbscan_rules_compile_string(yaml, "my.yml", 0, &rules, &err), SBSCAN_ERR_COMPILE);
  EXPECT_EQ(rules, nullptr);
  EXPECT_STREQ(err.file, "my.yml");
  EXPECT_GT(err.line, 6);
  EXPECT_STREQ(err.rule_id, "bad.one");
  EXPECT_NE(std::strstr(err.message, "bad.one"), nullptr) << err.message;
}

TEST(CApiRules, CompileErrorFromRegexAndFile) {
  std::string path = ::testing::TempDir() + "/capi_bad_regex.yml";
  {
    std::ofstream f(path);
    f << "id: re.bad\ntitle: Bad regex\nlevel: low\npatterns:\n  r: {regex: 'a(b'}\n";
  }
  const char* paths[] = {path.c_str()};
  sbscan_rules* rules = nullptr;
  sbscan_compile_error err;
  EXPECT_EQ(sbscan_rules_compile_files(paths, 1, 0, &rules, &err), SBSCAN_ERR_COMPILE);
  EXPECT_EQ(rules, nullptr);
  EXPECT_STREQ(err.rule_id, "re.bad");
  EXPECT_NE(std::string(err.file).find("capi_bad_regex.yml"), std::string::npos) << err.message;
  EXPECT_GT(err.line, 0);

  const char* missing[] = {"/nonexistent/sbscan/rules.yml"};
  EXPECT_EQ(sbscan_rules_compile_files(missing, 1, 0, &rules, &err), SBSCAN_ERR_NOT_FOUND);
  EXPECT_NE(std::strstr(err.message, "/nonexistent"), nullptr);
}

TEST(CApiRules, BundledAndFiles) {
  sbscan_rules* rules = nullptr;
  ASSERT_EQ(sbscan_rules_compile_files(nullptr, 0, 1, &rules, nullptr), SBSCAN_OK);
  EXPECT_GT(sbscan_rules_count(rules), 10u);
  sbscan_rules_free(rules);

  std::string path = ::testing::TempDir() + "/capi_good.yml";
  {
    std::ofstream f(path);
    f << kRules;
  }
  const char* paths[] = {path.c_str()};
  ASSERT_EQ(sbscan_rules_compile_files(paths, 1, 0, &rules, nullptr), SBSCAN_OK);
  EXPECT_EQ(sbscan_rules_count(rules), 2u);
  sbscan_rules_free(rules);
}

TEST(CApiRules, ArgumentChecks) {
  sbscan_rules* rules = nullptr;
  sbscan_compile_error err;
  EXPECT_EQ(sbscan_rules_compile_files(nullptr, 0, 1, nullptr, &err), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_rules_compile_files(nullptr, 2, 1, &rules, &err), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_rules_compile_files(nullptr, 0, 0, &rules, &err), SBSCAN_ERR_INVALID_ARGUMENT);
  const char* null_path[] = {nullptr};
  EXPECT_EQ(sbscan_rules_compile_files(null_path, 1, 0, &rules, &err),
            SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rules, nullptr);
  EXPECT_EQ(sbscan_rules_compile_string(nullptr, nullptr, 0, &rules, &err),
            SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_rules_compile_string("id: x", nullptr, 0, nullptr, nullptr),
            SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_rules_count(nullptr), 0u);
  sbscan_rules_free(nullptr);
}

TEST_F(CApiTest, OptionsAndScannerArgumentChecks) {
  sbscan_options o;
  sbscan_options_init(&o);
  sbscan_options_init(nullptr);
  EXPECT_EQ(o.window_seconds, 300);
  EXPECT_EQ(o.decode, 1);
  char msg[128];
  EXPECT_EQ(sbscan_options_validate(&o, msg, sizeof(msg)), SBSCAN_OK);
  EXPECT_EQ(sbscan_options_validate(nullptr, msg, sizeof(msg)), SBSCAN_ERR_INVALID_ARGUMENT);
  sbscan_options bad = o;
  bad.window_seconds = -5;
  EXPECT_EQ(sbscan_options_validate(&bad, msg, sizeof(msg)), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(msg).find("window"), std::string::npos) << msg;
  EXPECT_EQ(sbscan_options_validate(&bad, nullptr, 0), SBSCAN_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.decode = 7;
  EXPECT_EQ(sbscan_options_validate(&bad, msg, sizeof(msg)), SBSCAN_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.max_open_blocks = 0;
  EXPECT_EQ(sbscan_scanner_new(rules_, &bad, nullptr, nullptr), nullptr);
  EXPECT_EQ(sbscan_scanner_new(nullptr, &o, nullptr, nullptr), nullptr);

  EXPECT_EQ(sbscan_scanner_feed_json(nullptr, "{}", 2), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_feed_xml(nullptr, "<Event/>", 8), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_feed_event(nullptr, nullptr), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_flush(nullptr), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_flush_idle(nullptr), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_open_blocks(nullptr), 0u);
  sbscan_stats st;
  EXPECT_EQ(sbscan_scanner_stats(nullptr, &st), SBSCAN_ERR_INVALID_ARGUMENT);
  sbscan_scanner_free(nullptr);

  sbscan_scanner* s = sbscan_scanner_new(rules_, nullptr, nullptr, nullptr);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(sbscan_scanner_feed_json(s, nullptr, 3), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_feed_xml(s, nullptr, 3), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_feed_event(s, nullptr), SBSCAN_ERR_INVALID_ARGUMENT);
  sbscan_event e;
  sbscan_event_init(&e);
  e.computer.len = 4;  // data NULL with a length
  EXPECT_EQ(sbscan_scanner_feed_event(s, &e), SBSCAN_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sbscan_scanner_stats(s, nullptr), SBSCAN_ERR_INVALID_ARGUMENT);
  // Garbage is data, not an error.
  EXPECT_EQ(sbscan_scanner_feed_json(s, "not json", 8), SBSCAN_OK);
  EXPECT_EQ(sbscan_scanner_feed_json(s, nullptr, 0), SBSCAN_OK);
  EXPECT_EQ(sbscan_scanner_feed_xml(s, "<Event", 6), SBSCAN_OK);
  ASSERT_EQ(sbscan_scanner_stats(s, &st), SBSCAN_OK);
  EXPECT_EQ(st.records, 3u);
  EXPECT_EQ(st.malformed, 3u);
  sbscan_scanner_free(s);
}

TEST_F(CApiTest, JsonFragmentsAlertAndStats) {
  Collected c;
  sbscan_scanner* s = sbscan_scanner_new(rules_, nullptr, &Collect, &c);
  ASSERT_NE(s, nullptr);
  // The signature is split across the fragment boundary; fragments arrive out of order.
  std::string r2 = Record("WS01", "aaaa-1", 2, 2, "mikatz -DumpCreds");
  std::string r1 = Record("WS01", "aaaa-1", 1, 2, "IEX 'x'; Invoke-Mi");
  EXPECT_EQ(sbscan_scanner_feed_json(s, r2.data(), r2.size()), SBSCAN_OK);
  EXPECT_EQ(sbscan_scanner_open_blocks(s), 1u);
  EXPECT_TRUE(c.rule_ids.empty());
  EXPECT_EQ(sbscan_scanner_feed_json(s, r1.data(), r1.size()), SBSCAN_OK);
  ASSERT_EQ(c.rule_ids.size(), 1u);
  EXPECT_EQ(c.rule_ids[0], "capi.mimikatz");
  EXPECT_EQ(c.hosts[0], "WS01");
  EXPECT_EQ(c.complete[0], 1);
  EXPECT_EQ(c.techniques, std::vector<std::string>{"T1003.001"});
  EXPECT_NE(c.json[0].find("\"capi.mimikatz\""), std::string::npos);
  EXPECT_NE(c.json[0].find("aaaa-1"), std::string::npos);
  EXPECT_EQ(c.json[0].find('\n'), std::string::npos);
  // A partial block, analyzed at flush.
  std::string p = Record("WS02", "bbbb-2", 1, 3, "Invoke-Mimikatz");
  EXPECT_EQ(sbscan_scanner_feed_json(s, p.data(), p.size()), SBSCAN_OK);
  EXPECT_EQ(sbscan_scanner_flush(s), SBSCAN_OK);
  ASSERT_EQ(c.rule_ids.size(), 2u);
  EXPECT_EQ(c.complete[1], 0);
  EXPECT_EQ(c.missing[1], (std::vector<int32_t>{2, 3}));
  sbscan_stats st;
  ASSERT_EQ(sbscan_scanner_stats(s, &st), SBSCAN_OK);
  EXPECT_EQ(st.records, 3u);
  EXPECT_EQ(st.events_4104, 3u);
  EXPECT_EQ(st.fragments, 3u);
  EXPECT_EQ(st.blocks_complete, 1u);
  EXPECT_EQ(st.blocks_partial, 1u);
  EXPECT_EQ(st.partial_end_of_input, 1u);
  EXPECT_EQ(st.alerts, 2u);
  EXPECT_EQ(st.alerts_suppressed, 0u);
  EXPECT_EQ(st.bytes, r1.size() + r2.size() + p.size());
  EXPECT_EQ(st.records, st.events_4104 + st.events_4103 + st.events_session + st.passed_by +
                            st.malformed);
  EXPECT_EQ(st.fragments, st.fragments_in_blocks + st.duplicates_exact +
                              st.duplicates_conflicting + st.rejected_no_id +
                              st.rejected_bad_number);
  sbscan_scanner_free(s);
}

TEST_F(CApiTest, XmlRecord) {
  std::ifstream f(std::string(SBSCAN_SHARED_DIR) + "/formats/event.xml");
  if (!f) GTEST_SKIP() << "shared/formats/event.xml not available";
  std::string xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
      "<System><Provider Name='Microsoft-Windows-PowerShell'/><EventID>4104</EventID>"
      "<TimeCreated SystemTime='2024-03-05T14:22:07.452187300Z'/><Computer>WS09</Computer>"
      "</System><EventData><Data Name='MessageNumber'>1</Data><Data Name='MessageTotal'>1</Data>"
      "<Data Name='ScriptBlockText'>(New-Object Net.WebClient).DownloadString('http://x')"
      "</Data><Data Name='ScriptBlockId'>cccc-3</Data></EventData></Event>";
  Collected c;
  sbscan_scanner* s = sbscan_scanner_new(rules_, nullptr, &Collect, &c);
  EXPECT_EQ(sbscan_scanner_feed_xml(s, xml.data(), xml.size()), SBSCAN_OK);
  ASSERT_EQ(c.rule_ids.size(), 1u);
  EXPECT_EQ(c.rule_ids[0], "capi.cradle");
  EXPECT_EQ(c.hosts[0], "WS09");
  sbscan_scanner_free(s);
}

TEST_F(CApiTest, EventFields) {
  Collected c;
  sbscan_options o;
  sbscan_options_init(&o);
  o.decode = 0;
  sbscan_scanner* s = sbscan_scanner_new(rules_, &o, &Collect, &c);
  ASSERT_NE(s, nullptr);
  const char* host = "WS03";
  const char* id = "dddd-4";
  const char* text = "Invoke-Mimikatz; (New-Object Net.WebClient).DownloadString('x')";
  sbscan_event e;
  sbscan_event_init(&e);
  e.event_id = 4104;
  e.computer = {host, std::strlen(host)};
  e.script_block_id = {id, std::strlen(id)};
  e.message_number = 1;
  e.message_total = 1;
  e.script_block_text = {text, std::strlen(text)};
  EXPECT_EQ(sbscan_scanner_feed_event(s, &e), SBSCAN_OK);
  EXPECT_EQ(c.rule_ids.size(), 2u);
  sbscan_event other;
  sbscan_event_init(&other);
  other.event_id = 4688;
  EXPECT_EQ(sbscan_scanner_feed_event(s, &other), SBSCAN_OK);
  sbscan_stats st;
  sbscan_scanner_stats(s, &st);
  EXPECT_EQ(st.passed_by, 1u);
  EXPECT_EQ(st.layers_decoded, 0u);
  sbscan_scanner_free(s);
}

TEST_F(CApiTest, NonZeroCallbackReturnStopsDeliveryForThatCall) {
  Collected c;
  c.stop_after = 1;
  sbscan_scanner* s = sbscan_scanner_new(rules_, nullptr, &Collect, &c);
  // Three partial blocks: all analyzed by one flush; only the first alert is delivered.
  for (int i = 0; i < 3; ++i) {
    std::string r = Record("WS05", "eeee-" + std::to_string(i), 1, 2, "Invoke-Mimikatz");
    ASSERT_EQ(sbscan_scanner_feed_json(s, r.data(), r.size()), SBSCAN_OK);
  }
  EXPECT_EQ(sbscan_scanner_flush(s), SBSCAN_STOPPED);
  EXPECT_EQ(c.rule_ids.size(), 1u);
  sbscan_stats st;
  sbscan_scanner_stats(s, &st);
  EXPECT_EQ(st.alerts, 3u);
  EXPECT_EQ(st.alerts_suppressed, 2u);
  EXPECT_EQ(st.blocks_partial, 3u);
  // The next call delivers again (and stops again after its first alert).
  std::string r = Record("WS05", "ffff", 1, 1, "Invoke-Mimikatz");
  EXPECT_EQ(sbscan_scanner_feed_json(s, r.data(), r.size()), SBSCAN_STOPPED);
  EXPECT_EQ(c.rule_ids.size(), 2u);
  c.stop_after = 0;
  std::string r2 = Record("WS05", "gggg", 1, 1, "Invoke-Mimikatz");
  EXPECT_EQ(sbscan_scanner_feed_json(s, r2.data(), r2.size()), SBSCAN_OK);
  EXPECT_EQ(c.rule_ids.size(), 3u);
  sbscan_scanner_free(s);
}

TEST(CApiLifetime, ScannerOutlivesTheRulesHandle) {
  sbscan_rules* rules = nullptr;
  ASSERT_EQ(sbscan_rules_compile_string(kRules, nullptr, 0, &rules, nullptr), SBSCAN_OK);
  Collected c;
  sbscan_scanner* s = sbscan_scanner_new(rules, nullptr, &Collect, &c);
  ASSERT_NE(s, nullptr);
  sbscan_rules_free(rules);
  std::string r = Record("WS06", "hhhh", 1, 1, "Invoke-Mimikatz");
  EXPECT_EQ(sbscan_scanner_feed_json(s, r.data(), r.size()), SBSCAN_OK);
  EXPECT_EQ(c.rule_ids.size(), 1u);
  sbscan_scanner_free(s);
}

int CountOnly(const sbscan_alert* a, void* user) {
  static_cast<std::atomic<int>*>(user)->fetch_add(1);
  return 0;
}

TEST_F(CApiTest, ManyThreadsShareOneRuleSet) {
  constexpr int kThreads = 8;
  constexpr int kBlocks = 200;
  std::atomic<int> alerts{0};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      sbscan_scanner* s = sbscan_scanner_new(rules_, nullptr, &CountOnly, &alerts);
      if (s == nullptr) {
        failures++;
        return;
      }
      for (int b = 0; b < kBlocks; ++b) {
        std::string id = "t" + std::to_string(t) + "-b" + std::to_string(b);
        std::string r2 = Record("H" + std::to_string(t), id, 2, 2, "mikatz");
        std::string r1 = Record("H" + std::to_string(t), id, 1, 2, "Write-Host hi; Invoke-Mi");
        if (sbscan_scanner_feed_json(s, r1.data(), r1.size()) != SBSCAN_OK) failures++;
        if (sbscan_scanner_feed_json(s, r2.data(), r2.size()) != SBSCAN_OK) failures++;
      }
      sbscan_scanner_flush(s);
      sbscan_stats st;
      sbscan_scanner_stats(s, &st);
      if (st.blocks_complete != kBlocks) failures++;
      sbscan_scanner_free(s);
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(alerts.load(), kThreads * kBlocks);
}

}  // namespace
