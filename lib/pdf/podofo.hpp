// The one place that includes PoDoFo: its 0.9.8 headers warn under C++17.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wshadow"
#include <podofo/podofo.h>
#pragma GCC diagnostic pop

namespace signet::pdf {
// Silences PoDoFo's own logging to stderr (errors reach us as exceptions).
void quiet_podofo();
}  // namespace signet::pdf
