// aer/dsp/mfcc: MFCC features identical to librosa 0.10's defaults,
// librosa.feature.mfcc(y=y, sr=22050, n_mfcc=32): STFT (n_fft 2048, hop 512, periodic Hann,
// centred zero padding) -> |X|^2 -> Slaney mel (128 bands) -> power_to_db(top_db=80) ->
// orthonormal DCT-II over the mel axis (keep n_mfcc). The paper then pads or cuts to 256 frames
// (fix_length, a separate step). See ../shared/docs/librosa-mfcc.md.
//
// Contract: an MfccExtractor is built once per MfccConfig (window, FFT plan, filterbank and DCT
// matrix are made in init()); compute() allocates only its outputs. One extractor per thread.
#pragma once

#include "core/dsp/mel.h"
#include "core/dsp/stft.h"
#include "core/status.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace aer {

/// Every parameter of the feature pipeline. Model files carry it, so a model only ever sees
/// the features it was trained on.
struct MfccConfig {
    int sample_rate = 22050; ///< Hz; audio is resampled to this rate first
    int n_fft = 2048;
    int hop_length = 512;
    int n_mels = 128;
    int n_mfcc = 32;
    int max_len = 256;    ///< frames after fix_length; 0 keeps the natural length
    double fmin = 0.0;    ///< Hz
    double fmax = 0.0;    ///< Hz; 0 means sample_rate / 2
    double top_db = 80.0; ///< dB below the clip's peak where log-mel is floored
    /// power_to_db's reference: false is librosa's default ref=1.0 (absolute dB: the recording
    /// level is in every frame); true is ref=np.max (dB below the clip's own peak, so a clip played
    /// at any gain gives the same features). JSON key "ref": 1.0 or "max".
    bool ref_max = false;
    /// power_to_db's amin: mel powers below it count as it (10 log10(amin) dB). librosa's
    /// default 1e-10 (-100 dB) is absolute, so it clips a quiet recording that a loud one of the
    /// same sound would not; a peak-relative model takes 1e-20, far below any real floor.
    double amin = 1e-10;

    /// Checks ranges; the message names the bad field.
    Status validate() const;
    double fmax_hz() const { return fmax > 0.0 ? fmax : sample_rate / 2.0; }
};

/// MfccConfig <-> JSON (all fields; missing fields take their defaults).
nlohmann::json to_json(const MfccConfig& c);
/// Parses and validates; unknown keys are refused so a typo is not silently ignored.
Status mfcc_config_from_json(const nlohmann::json& j, MfccConfig& c);

class MfccExtractor {
  public:
    /// Builds the window, FFT plan, mel filterbank and DCT matrix for `config`.
    Status init(const MfccConfig& config);
    const MfccConfig& config() const { return config_; }

    /// Natural frame count for n samples: 1 + floor(n / hop_length).
    std::size_t frame_count(std::size_t n) const { return stft_.frame_count(n); }

    /// Log-mel spectrogram in dB of `y` (n samples at config().sample_rate): power_to_db with
    /// config().ref_max's reference and the top_db floor.
    /// `out`: resized to n_mels x frames, row-major (band-major, as librosa returns it).
    Status log_mel(const float* y, std::size_t n, std::vector<float>& out, std::size_t& frames);

    /// MFCC of `y`: `out` resized to n_mfcc x frames, row-major, natural length (no fix_length).
    Status mfcc(const float* y, std::size_t n, std::vector<float>& out, std::size_t& frames);

    /// MFCC then fix_length to config().max_len frames (when max_len > 0): the model's input.
    Status features(const float* y, std::size_t n, std::vector<float>& out, std::size_t& frames);

    // The two halves of mfcc(), shared with the streaming extractor (core/dsp/mfcc_stream.h) so
    // that both give the same numbers.

    /// Frame `f` of `y` (n samples, centred as librosa pads it): `log_mel` (n_mels floats,
    /// caller-owned) = 10 log10(max(amin, mel power)) in dB before any top_db floor, and
    /// `level_db` = the frame's Hann-weighted mean square in dB re full scale (a sine of
    /// amplitude 1 gives -3 dB; digital silence -120 dB), from the same spectrum (Parseval).
    void log_mel_frame(const float* y, std::size_t n, std::size_t f, float* log_mel, float& level_db);

    /// MFCC of `frames` frames of unfloored log-mel (frame-major: frames x n_mels, as
    /// log_mel_frame() gives them): floored at top_db below their own peak (power_to_db), made
    /// relative to that peak when config().ref_max, then the orthonormal DCT-II.
    /// `out`: resized to n_mfcc x frames, row-major.
    void mfcc_of_log_mel(const float* log_mel, std::size_t frames, std::vector<float>& out) const;

  private:
    Status log_mel_frames(const float* y, std::size_t n, std::vector<float>& out, std::size_t& frames);

    MfccConfig config_;
    Stft stft_;
    MelFilterbank mel_;
    std::vector<double> dct_;           // n_mfcc x n_mels, orthonormal DCT-II rows
    std::vector<double> power_, bands_; // one frame's spectrum and mel bands (scratch)
    double window_power_ = 0;           // n_fft * sum(w^2): a frame's Parseval normaliser
};

/// Pads with zeros or cuts at the end each of `rows` rows of `in` (rows x frames, row-major) to
/// `len` frames (librosa.util.fix_length along the last axis). Returns rows x len.
std::vector<float> fix_length(const std::vector<float>& in, std::size_t rows, std::size_t frames,
                              std::size_t len);

} // namespace aer
