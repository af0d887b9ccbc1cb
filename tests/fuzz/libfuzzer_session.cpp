// libFuzzer entry point for the training request parser (JSON text; built by scripts/fuzz).
#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return aer_fuzz::abort_on(aer_fuzz::fuzz_session(data, size));
}
