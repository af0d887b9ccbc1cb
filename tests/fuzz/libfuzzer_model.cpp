// libFuzzer entry point for the model loader (JSON + bin; built by scripts/fuzz).
#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return aer_fuzz::abort_on(aer_fuzz::fuzz_model(data, size));
}
