// aer/dsp/mfcc_stream: MFCC frames of audio that arrives in blocks (a microphone, a long file
// read piece by piece), equal to the whole-clip pipeline's (core/dsp/mfcc.h) on the same audio.
//
// Frames: frame f is centred on sample f * hop_length, as librosa's centred STFT. It is computed
// as soon as its last sample has arrived (n_fft / 2 samples of look-ahead); finish() computes the
// last frames, which librosa pads with zeros past the end. So after finish() a stream holds the
// frames MfccExtractor::mfcc() gives for the concatenated audio, with the same numbers.
//
// The dB floor. A clip's log-mel is floored at top_db (80 dB) below the clip's own peak, so a
// frame's features depend on the loudest frame of the clip it belongs to, which a stream cannot
// know in advance. The rule here: the stream keeps the log-mel frames unfloored, and whoever
// takes frames out as a clip (mfcc()) floors them at top_db below the peak of the frames taken.
// A window handed to a model is thus exactly the clip a user would have cut there and uploaded
// (apart from the centred padding at the clip's two ends, which the stream fills with the real
// neighbouring audio), and one loud event does not change any other window's features. Taking
// every frame of a finished stream gives the whole-clip features.
//
// Contract: init() allocates everything (the history of log-mel frames is a ring of `history`
// frames; older frames are dropped); push() and finish() allocate only while the input buffer
// grows past its largest size so far. One stream per thread.
#pragma once

#include "core/dsp/mfcc.h"
#include "core/status.h"

#include <cstddef>
#include <vector>

namespace aer {

class MfccStream {
  public:
    /// For features of `config` (sample rate, n_fft, hop, mels...); keeps the last `history`
    /// frames (>= 1) available to log_mel()/mfcc().
    Status init(const MfccConfig& config, std::size_t history);
    /// Forgets the audio: the next push() starts a new stream (frame 0, zero padding before it).
    void reset();

    /// Appends n samples at config().sample_rate (caller-owned, read only) and computes every
    /// frame whose samples have all arrived.
    void push(const float* y, std::size_t n);
    /// End of the audio: computes the remaining frames (1 + samples() / hop in all). push() after
    /// finish() is ignored until reset().
    void finish();
    bool finished() const { return finished_; }

    /// Samples pushed since reset(); frames computed; the oldest frame still held.
    std::size_t samples() const { return received_; }
    std::size_t frames() const { return frames_; }
    std::size_t first_kept() const { return frames_ > history_ ? frames_ - history_ : 0; }

    /// Unfloored log-mel in dB of frame f (n_mels floats, owned by the stream, valid until the
    /// next push/finish/reset); first_kept() <= f < frames().
    const float* log_mel(std::size_t f) const { return lm_.data() + (f % history_) * std::size_t(n_mels_); }
    /// The frame's level in dB re full scale (MfccExtractor::log_mel_frame()).
    float level_db(std::size_t f) const { return level_[f % history_]; }

    /// The MFCC of frames [first, first + count) taken as one clip (floored at top_db below
    /// their peak; see the header): `out` resized to n_mfcc x count, row-major. Fails when the
    /// range is empty or not held.
    Status mfcc(std::size_t first, std::size_t count, std::vector<float>& out) const;

    const MfccConfig& config() const { return extractor_.config(); }
    /// Seconds of the centre of frame f.
    double frame_time(std::size_t f) const { return double(f) * hop_ / double(config().sample_rate); }

  private:
    void compute_frames(std::size_t upto, std::size_t signal_end);

    MfccExtractor extractor_;
    std::size_t history_ = 1;
    int n_mels_ = 0, hop_ = 0, half_ = 0;
    std::vector<float> buf_; // samples [base_, base_ + buf_.size())
    std::size_t base_ = 0, received_ = 0, frames_ = 0;
    bool finished_ = false;
    std::vector<float> lm_;    // history_ x n_mels ring
    std::vector<float> level_; // history_ ring
    mutable std::vector<float> gather_;
};

} // namespace aer
