// Every kept fuzz input (seeds and past crashes, tests/fuzz/corpus/<target>/) through its target:
// the regression suite of the fuzzers. Each input is its own test case, "fuzz corpus: TARGET/FILE",
// registered when the program starts from the files then in the folder, so a failing input is
// named, reports what its target found, and does not stop the others.
#include "tests/fuzz/targets.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct CorpusTarget {
    const char* name;
    aer_fuzz::Target fn;
};
const CorpusTarget kTargets[] = {{"wav", aer_fuzz::fuzz_wav},     {"mfcc", aer_fuzz::fuzz_mfcc},
                                 {"model", aer_fuzz::fuzz_model}, {"model8", aer_fuzz::fuzz_model8},
                                 {"state", aer_fuzz::fuzz_state}, {"session", aer_fuzz::fuzz_session}};

fs::path corpus_dir(const char* target) {
    return fs::path(AER_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / target;
}

/// The files of a target's corpus folder, sorted (none if the folder is missing).
std::vector<fs::path> corpus_files(const char* target) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(corpus_dir(target), ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec))
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    return files;
}

/// One corpus input through its target.
class CorpusCase : public Catch::ITestInvoker {
  public:
    CorpusCase(aer_fuzz::Target fn, fs::path path) : fn_(fn), path_(std::move(path)) {}
    void invoke() const override {
        std::vector<std::uint8_t> bytes = aer_test::read_bytes(path_.string());
        std::error_code ec;
        INFO(path_.string());
        REQUIRE(bytes.size() ==
                fs::file_size(path_, ec)); // read whole (an empty read of a missing file fails)
        aer_fuzz::Finding finding = fn_(bytes.data(), bytes.size());
        CHECK(finding == "");
    }

  private:
    aer_fuzz::Target fn_;
    fs::path path_;
};

/// Registers a test case per corpus file (Catch2 v2's TEST_CASE does the same at start-up).
struct RegisterCorpus {
    RegisterCorpus() {
        for (const CorpusTarget& t : kTargets)
            for (const fs::path& p : corpus_files(t.name)) {
                std::string name = std::string("fuzz corpus: ") + t.name + "/" + p.filename().string();
                Catch::AutoReg(new CorpusCase(t.fn, p), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                               Catch::NameAndTags{name, "[fuzz]"});
            }
    }
} register_corpus;

} // namespace

TEST_CASE("fuzz corpus: every target has seeds", "[fuzz]") {
    for (const CorpusTarget& t : kTargets) {
        INFO(corpus_dir(t.name).string());
        CHECK(corpus_files(t.name).size() >= 2);
    }
}
