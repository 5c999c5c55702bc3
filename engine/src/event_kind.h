// sbscan: which events the pipeline analyzes.
#ifndef SBSCAN_ENGINE_SRC_EVENT_KIND_H_
#define SBSCAN_ENGINE_SRC_EVENT_KIND_H_

#include "engine/src/ascii.h"
#include "sbscan/event.h"

namespace sbscan {

// A script block event: ID 4104 from Windows PowerShell or PowerShell 7 (or of unknown provider,
// for shapes that do not carry it). Everything else passes by.
inline bool IsScriptBlockEvent(const Event& e) {
  return e.event_id == 4104 &&
         (e.provider.empty() || ContainsIgnoreCaseAscii(e.provider, "PowerShell"));
}

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_EVENT_KIND_H_
