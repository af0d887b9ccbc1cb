// nn_forward: loads a model (PREFIX.json + PREFIX.bin) and prints its class probabilities for
// the examples of an input file as one JSON line:
//   {"classes": C, "labels": [...], "outputs": [[p_0 .. p_C-1], ...]}
// INPUT.f32: little-endian float32, N x steps x features (the model input, already arranged and
// normalised). Used by tests/tools/test_keras_to_aer.py to compare with a numpy forward pass.
// usage: nn_forward PREFIX INPUT.f32      exit 0 ok, 1 error (message on stderr), 2 usage
#include "core/nn/model_io.h"

#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: nn_forward PREFIX INPUT.f32\n");
        return 2;
    }
    aer::Model model;
    aer::ModelInfo info;
    aer::Status s = aer::load_model_files(argv[1], model, info);
    if (!s.ok()) {
        std::fprintf(stderr, "error: %s\n", s.message.c_str());
        return 1;
    }
    std::vector<float> x;
    std::FILE* f = std::fopen(argv[2], "rb");
    if (!f) {
        std::fprintf(stderr, "error: cannot read %s\n", argv[2]);
        return 1;
    }
    unsigned char b[4];
    while (std::fread(b, 1, 4, f) == 4) {
        std::uint32_t u = std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 |
                          std::uint32_t(b[3]) << 24;
        float v;
        std::memcpy(&v, &u, 4);
        x.push_back(v);
    }
    std::fclose(f);
    const std::size_t per = std::size_t(model.steps()) * std::size_t(model.features());
    if (x.empty() || x.size() % per != 0) {
        std::fprintf(stderr, "error: %s holds %zu floats, not a multiple of steps x features = %zu\n", argv[2],
                     x.size(), per);
        return 1;
    }
    const int n = int(x.size() / per), c = model.classes();
    std::vector<float> probs(std::size_t(n) * std::size_t(c));
    s = model.predict(x.data(), n, probs.data());
    if (!s.ok()) {
        std::fprintf(stderr, "error: %s\n", s.message.c_str());
        return 1;
    }
    nlohmann::json out = {{"classes", c}, {"labels", info.labels}, {"outputs", nlohmann::json::array()}};
    for (int i = 0; i < n; ++i)
        out["outputs"].push_back(std::vector<float>(probs.begin() + std::size_t(i) * c,
                                                    probs.begin() + std::size_t(i + 1) * c));
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
