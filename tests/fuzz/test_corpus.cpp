// Every kept fuzz input (seeds and past crashes, tests/fuzz/corpus/<target>/) through its target:
// the regression suite of the fuzzers.
#include "tests/fuzz/targets.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <filesystem>

namespace {
void run_corpus(const char* target, int (*fn)(const std::uint8_t*, std::size_t)) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(AER_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / target;
    int count = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::vector<std::uint8_t> b = aer_test::read_bytes(e.path().string());
        INFO(e.path().string());
        CHECK(fn(b.data(), b.size()) == 0);
        ++count;
    }
    CHECK(count > 0);
}
} // namespace

TEST_CASE("fuzz corpus: wav", "[fuzz]") { run_corpus("wav", aer_fuzz::fuzz_wav); }
TEST_CASE("fuzz corpus: mfcc", "[fuzz]") { run_corpus("mfcc", aer_fuzz::fuzz_mfcc); }
TEST_CASE("fuzz corpus: model", "[fuzz]") { run_corpus("model", aer_fuzz::fuzz_model); }
TEST_CASE("fuzz corpus: state", "[fuzz]") { run_corpus("state", aer_fuzz::fuzz_state); }
