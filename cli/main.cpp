// aer: the native command line. One subcommand per job; each prints one JSON line on stdout.
// Exit status: 0 ok, 1 a failure (a line "error: ..." on stderr naming the file), 2 a usage error.
#include "cli/commands.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

const char* kUsage =
    "usage: aer COMMAND [ARGS]\n"
    "  load FILE.wav --out Y.f32                       mono float32 at 22050 Hz, as librosa.load\n"
    "  mfcc FILE.wav --out M.f32 [--n-mfcc 32] [--max-len 256]\n"
    "                                                  float32 [n_mfcc][frames], row-major\n"
    "  train --data DIR --arch NAME|ARCH.json --split paper|actors:LIST|none --out PREFIX [--seed N]\n"
    "        [--epochs N] [--batch 32] [--lr 0.001] [--normalize] [--init-from P.json] [--report R.json]\n"
    "  eval [--model PREFIX.json] --data DIR [--actors LIST] [--report R.json]\n"
    "  adapt [--model PREFIX.json] --data DIR --out PREFIX [--epochs N] [--train head|last|all]\n"
    "                                                  fine-tunes a copy on a few clips of one voice,\n"
    "                                                  kept only if it does better on held-back clips\n"
    "  predict [--model PREFIX.json] [--timeline [--hop S]] FILE.wav...\n"
    "                                                  one JSON line per file\n"
    "  bench-nn [--model paper-lstm] [--backend reference|simd|xnnpack] [--threads N] [--json]\n"
    "                                                  training epoch and inference speed\n";

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    std::string cmd = argv[1];
    aer_cli::Args args(argc - 2, argv + 2);
    if (cmd == "load")
        return aer_cli::cmd_load(args);
    if (cmd == "mfcc")
        return aer_cli::cmd_mfcc(args);
    if (cmd == "train")
        return aer_cli::cmd_train(args);
    if (cmd == "eval")
        return aer_cli::cmd_eval(args);
    if (cmd == "adapt")
        return aer_cli::cmd_adapt(args);
    if (cmd == "predict")
        return aer_cli::cmd_predict(args);
    if (cmd == "bench-nn")
        return aer_cli::cmd_bench_nn(args);
    std::fprintf(stderr, "error: unknown command '%s'\n%s", cmd.c_str(), kUsage);
    return 2;
}
