#include "engine/src/json_event_parser.h"

#include <cstdlib>

namespace sbscan {

namespace haswell {
std::unique_ptr<JsonEventParser::Backend> MakeJsonBackend();
}
namespace fallback {
std::unique_ptr<JsonEventParser::Backend> MakeJsonBackend();
}

namespace {

bool CpuRunsHaswell() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("pclmul") &&
         __builtin_cpu_supports("popcnt");
}

std::unique_ptr<JsonEventParser::Backend> MakeBackend(std::string_view name) {
  if (name.empty()) {
    const char* env = std::getenv("SBSCAN_JSON_BACKEND");
    if (env != nullptr) name = env;
  }
  if (name != "fallback" && CpuRunsHaswell()) return haswell::MakeJsonBackend();
  return fallback::MakeJsonBackend();
}

}  // namespace

std::string_view JsonShapeName(JsonShape shape) {
  switch (shape) {
    case JsonShape::kFlat: return "flat";
    case JsonShape::kWinlogbeat: return "winlogbeat";
    case JsonShape::kElasticEcs: return "elastic-ecs";
    case JsonShape::kEvtxDump: return "evtx_dump";
    case JsonShape::kUnknown: break;
  }
  return "unknown";
}

JsonEventParser::JsonEventParser() : backend_(MakeBackend({})) {}
JsonEventParser::JsonEventParser(std::string_view name) : backend_(MakeBackend(name)) {}
JsonEventParser::~JsonEventParser() = default;

}  // namespace sbscan
