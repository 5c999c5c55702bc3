// LoadAllYaml: YAML::LoadAll for untrusted text. yaml-cpp 0.7 (Debian 12) loops forever, growing
// memory, on some invalid streams (a lone ",": jbeder/yaml-cpp#1040, fixed upstream by #1319):
// its parser keeps reporting an empty document without consuming input. Found by
// tests/fuzz/sigma_loader_fuzzer.
#ifndef SBSCAN_SIGNATURES_YAML_LOAD_ALL_H_
#define SBSCAN_SIGNATURES_YAML_LOAD_ALL_H_

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sbscan::signatures {

// The documents of `yaml`, as YAML::LoadAll returns them. Throws YAML::ParserException (like
// LoadAll) for invalid YAML, including a stream on which the parser makes no progress (more
// documents than the stream has "---" markers). Costs one extra event-only parse. Thread-safe.
inline std::vector<YAML::Node> LoadAllYaml(std::string_view yaml) {
  size_t max_docs = 1;  // each further document needs a "---" at the start of a line
  for (size_t pos = 0; pos < yaml.size();) {
    if (yaml.compare(pos, 3, "---") == 0) ++max_docs;
    size_t nl = yaml.find('\n', pos);
    pos = nl == std::string_view::npos ? yaml.size() : nl + 1;
  }
  struct Ignore : YAML::EventHandler {
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } ignore;
  std::string text(yaml);
  {
    std::istringstream in(text);
    YAML::Parser parser(in);
    for (size_t docs = 0; parser.HandleNextDocument(ignore);) {
      if (++docs > max_docs) {
        throw YAML::ParserException(YAML::Mark::null_mark(),
                                    "invalid YAML: the parser makes no progress");
      }
    }
  }
  return YAML::LoadAll(text);
}

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_YAML_LOAD_ALL_H_
