// Embind bindings: the page's view of the core. Thin facades only; every heavy step is core/.
// Typed arrays cross the boundary in one bulk copy each way (TypedArray.set / slice on a
// typed_memory_view), never element by element.
#include "core/audio/load.h"
#include "core/dsp/mfcc.h"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <thread>

using emscripten::val;

namespace {

/// Copies a JS Uint8Array into wasm memory with one TypedArray.set call.
std::vector<std::uint8_t> bytes_from_js(const val& array) {
    const std::size_t n = array["length"].as<std::size_t>();
    std::vector<std::uint8_t> out(n);
    val view(emscripten::typed_memory_view(n, out.data()));
    view.call<void>("set", array);
    return out;
}

/// A JS-owned Float32Array copy of `v` (one bulk slice).
val floats_to_js(const std::vector<float>& v) {
    return val(emscripten::typed_memory_view(v.size(), v.data())).call<val>("slice");
}

val error_result(const std::string& message) {
    val r = val::object();
    r.set("ok", false);
    r.set("error", message);
    return r;
}

/// WAV bytes -> MFCC features, with the librosa pipeline of the given config.
class FeatureExtractor {
  public:
    FeatureExtractor() { status_ = extractor_.init(aer::MfccConfig{}); }

    /// config: a JSON string of MfccConfig fields; returns "" or an error message.
    std::string configure(const std::string& json_text) {
        nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
        if (j.is_discarded())
            return "feature config: not valid JSON";
        aer::MfccConfig cfg;
        aer::Status s = aer::mfcc_config_from_json(j, cfg);
        if (s.ok())
            s = extractor_.init(cfg);
        status_ = s;
        return s.message;
    }

    std::string config_json() const { return aer::to_json(extractor_.config()).dump(); }

    /// bytes: Uint8Array of a whole WAV file. Returns {ok, error} or {ok, sample_rate, channels,
    /// format, duration_s, truncated, samples, n_mfcc, frames, natural_frames, mfcc: Float32Array
    /// [n_mfcc * frames] row-major}.
    val compute(const val& bytes) {
        if (!status_.ok())
            return error_result(status_.message);
        std::vector<std::uint8_t> b = bytes_from_js(bytes);
        std::vector<float> y, m;
        aer::WavInfo info;
        aer::Status s = aer::load_audio(b.data(), b.size(), extractor_.config().sample_rate, y, info);
        if (!s.ok())
            return error_result(s.message);
        std::size_t frames = 0;
        s = extractor_.features(y.data(), y.size(), m, frames);
        if (!s.ok())
            return error_result(s.message);
        val r = val::object();
        r.set("ok", true);
        r.set("sample_rate", info.sample_rate);
        r.set("channels", info.channels);
        r.set("format", info.format);
        r.set("duration_s", info.duration_s());
        r.set("truncated", info.truncated);
        r.set("samples", double(y.size()));
        r.set("n_mfcc", extractor_.config().n_mfcc);
        r.set("frames", double(frames));
        r.set("natural_frames", double(extractor_.frame_count(y.size())));
        r.set("mfcc", floats_to_js(m));
        return r;
    }

  private:
    aer::MfccExtractor extractor_;
    aer::Status status_;
};

/// What this module was built with, for the page's runtime line.
val runtime_info() {
    val r = val::object();
#ifdef __EMSCRIPTEN_PTHREADS__
    r.set("threads_built", true);
    r.set("hardware_threads", int(std::thread::hardware_concurrency()));
#else
    r.set("threads_built", false);
    r.set("hardware_threads", 1);
#endif
#ifdef __wasm_simd128__
    r.set("simd", true);
#else
    r.set("simd", false);
#endif
    return r;
}

} // namespace

EMSCRIPTEN_BINDINGS(aer) {
    emscripten::class_<FeatureExtractor>("FeatureExtractor")
        .constructor<>()
        .function("configure", &FeatureExtractor::configure)
        .function("config_json", &FeatureExtractor::config_json)
        .function("compute", &FeatureExtractor::compute);
    emscripten::function("runtime_info", &runtime_info);
}
