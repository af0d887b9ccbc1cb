// aer/infer/stream_session: a model listening to a stream (a microphone, a long file): the
// running state of one stream, apart from the model's weights.
//
// What a window is. A model sees max_len frames (256: about 6 s), and was trained on clips: a
// recording with its quiet start and end, MFCC floored at the clip's peak, then zero frames to
// max_len. A window cut from a stream is given to the model in that same form:
// - its frames are gated (core/dsp/voice.h); with under min_voice_s of voice it gets no label;
// - otherwise it is cut to its voiced part plus margin_s either side (the quiet edges every
//   training clip has), taken out as a clip (MfccStream::mfcc(): floored at that part's own
//   peak) and padded with zero frames to max_len, as training pads;
// - a finished stream no longer than max_len frames is one window: the whole clip, uncut, which
//   is exactly what `aer predict` gives for the file.
//
// Timeline windows start every hop_s (0, hop, 2 hop, ...) while they fit in the audio, and one
// more window ends at the end of the audio if the last one fell short of it, so the windows
// cover the whole stream. push() predicts each window as soon as its frames are in; finish()
// the rest. latest() predicts the newest window at once (live listening).
//
// Weights and state. The session holds the stream's state: the resampler, the MFCC frames, the
// gate, where the timeline is. The model is passed to each call and only read, apart from its
// activation buffers, which are scratch carrying nothing from one call to the next: several
// sessions (a file's timeline, the microphone) share one loaded model as long as their calls do
// not overlap in time (one thread, as in the page's worker). None of the shipped models carries
// state from one window to the next (the paper's LSTM runs over the 32 coefficients of a window,
// the Conv1D over its frames), so a session keeps no recurrent state.
#pragma once

#include "core/audio/resample.h"
#include "core/dsp/mfcc_stream.h"
#include "core/dsp/voice.h"
#include "core/nn/model.h"
#include "core/nn/model_io.h"
#include "core/status.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace aer {

struct StreamOptions {
    double hop_s = 0.5;        ///< seconds between timeline windows (0.05..60)
    double margin_s = 0.5;     ///< seconds of context kept either side of a window's voice (0..5)
    double min_voice_s = 0.25; ///< seconds of voiced frames a window needs for a label (0.01..10)
    VoiceGateConfig gate;
    /// Checks ranges; the message names the field.
    Status validate() const;
};

/// Parses {hop_s, margin_s, min_voice_s, min_level_db, above_floor_db, floor_percentile}, every
/// key optional; unknown keys and bad values are errors naming the key.
Status stream_options_from_json(const nlohmann::json& j, StreamOptions& out);

/// One window of a stream and what the model said of it.
struct WindowPrediction {
    double start_s = 0, end_s = 0;                 ///< the window, in seconds of the stream
    double voice_start_s = -1, voice_end_s = -1;   ///< the part that reached the model (-1: none)
    int voiced_frames = 0;                         ///< frames the gate marked as voice
    double voiced_s = 0;                           ///< the same in seconds
    int label = -1;                                ///< the most probable class, -1 when no voice
    std::vector<float> probs;                      ///< class probabilities; empty when no voice
};

/// A whole recording: its windows and, over the windows with voice, the overall probabilities
/// (their mean weighted by voiced frames) and label (-1 and empty when no window has voice).
struct Timeline {
    std::vector<WindowPrediction> windows;
    int label = -1;
    std::vector<float> probs;
    double duration_s = 0;
};

class StreamSession {
  public:
    /// A stream of audio at `input_rate` Hz (resampled inside to the features' rate) for models
    /// whose files carry `info` (copied: features with max_len > 0, normalisation) and whose
    /// input is n_mfcc x max_len values. Resets the stream.
    Status init(const ModelInfo& info, int input_rate, const StreamOptions& options);
    /// Forgets the audio; the next push() starts a new stream.
    void reset();

    /// Appends n samples (caller-owned, read only). Timeline windows whose frames are now all
    /// in are predicted with `model` and appended to `out`. Fails when the model does not take
    /// this session's features, or after finish().
    Status push(Model& model, const float* x, std::size_t n, std::vector<WindowPrediction>& out);
    /// End of the audio: the remaining timeline windows, appended to `out`.
    Status finish(Model& model, std::vector<WindowPrediction>& out);
    /// The newest window (the last max_len frames, or all there are) predicted now, gated and cut
    /// as every window; no label when it has too little voice.
    Status latest(Model& model, WindowPrediction& out);

    /// Seconds of audio pushed (at the features' rate) and of one window.
    double seconds() const;
    double window_s() const;
    const StreamOptions& options() const { return options_; }

  private:
    Status check_model(const Model& model) const;
    /// Predicts frames [first, end): whole = the window is a whole clip (not cut).
    Status predict_window(Model& model, std::size_t first, std::size_t end, bool whole, WindowPrediction& out);
    Status emit_ready(Model& model, std::vector<WindowPrediction>& out);
    /// Feeds resampled_ to the MFCC stream a hop at a time, predicting windows as they complete.
    Status feed_resampled(Model& model, std::vector<WindowPrediction>& out);

    ModelInfo info_;
    StreamOptions options_;
    Resampler resampler_;
    MfccStream mfcc_;
    std::size_t window_ = 0, hop_frames_ = 1, margin_frames_ = 0, min_voice_frames_ = 1;
    std::size_t next_start_ = 0;   // the next timeline window's first frame
    std::size_t emitted_end_ = 0;  // the end frame of the last timeline window given out
    bool finished_ = false;
    // scratch
    std::vector<float> resampled_, levels_, features_, padded_, input_;
    std::vector<std::uint8_t> voiced_;
};

/// The timeline of a whole recording (y: n samples at `sample_rate`) with `model` and its
/// `info`: every window, and the overall label.
Status predict_timeline(Model& model, const ModelInfo& info, const float* y, std::size_t n, int sample_rate,
                        const StreamOptions& options, Timeline& out);

/// The overall probabilities and label of `windows` (mean over those with voice, weighted by
/// their voiced frames) into out.probs / out.label.
void summarize_timeline(int classes, Timeline& out);

/// {file?, label, probabilities, duration_s, timeline: [{start, end, label, probabilities,
/// voiced_s}]} with class names from `labels` (label and probabilities null without voice).
nlohmann::json timeline_json(const Timeline& t, const std::vector<std::string>& labels);

} // namespace aer
