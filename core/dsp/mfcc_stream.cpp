#include "core/dsp/mfcc_stream.h"

namespace aer {

Status MfccStream::init(const MfccConfig& config, std::size_t history) {
    if (history < 1 || history > (1u << 20))
        return Status::error("mfcc stream: history must be within 1..2^20 frames");
    Status s = extractor_.init(config);
    if (!s.ok())
        return s;
    history_ = history;
    n_mels_ = config.n_mels;
    hop_ = config.hop_length;
    half_ = config.n_fft / 2;
    lm_.assign(history_ * std::size_t(n_mels_), 0.0f);
    level_.assign(history_, 0.0f);
    reset();
    return Status{};
}

void MfccStream::reset() {
    buf_.clear();
    base_ = received_ = frames_ = 0;
    finished_ = false;
}

// Frames [frames_, upto) from the buffer; samples at or past `signal_end` count as zeros.
void MfccStream::compute_frames(std::size_t upto, std::size_t signal_end) {
    const std::size_t base_frame = base_ / std::size_t(hop_);
    for (; frames_ < upto; ++frames_) {
        // The buffer starts at a frame boundary, so local frame (f - base_frame) of the buffer
        // is global frame f; below base_ only the stream's start can be reached, which is zero
        // padding as in the whole-clip STFT.
        float level = 0.0f;
        extractor_.log_mel_frame(buf_.data(), signal_end - base_, frames_ - base_frame,
                                 lm_.data() + (frames_ % history_) * std::size_t(n_mels_), level);
        level_[frames_ % history_] = level;
    }
    // Keep the samples from the next frame's first one, rounded down to a frame boundary.
    std::size_t need = frames_ * std::size_t(hop_) > std::size_t(half_) ? frames_ * std::size_t(hop_) - half_ : 0;
    need -= need % std::size_t(hop_);
    if (need > base_) {
        std::size_t drop = std::min(need - base_, buf_.size());
        buf_.erase(buf_.begin(), buf_.begin() + std::ptrdiff_t(drop));
        base_ += drop;
    }
}

void MfccStream::push(const float* y, std::size_t n) {
    if (finished_ || n == 0)
        return;
    buf_.insert(buf_.end(), y, y + n);
    received_ += n;
    // Frame f needs samples up to f * hop + n_fft / 2 - 1.
    std::size_t upto = received_ >= std::size_t(half_) ? (received_ - half_) / std::size_t(hop_) + 1 : 0;
    compute_frames(upto, received_);
}

void MfccStream::finish() {
    if (finished_)
        return;
    finished_ = true;
    if (received_ == 0)
        return;
    compute_frames(1 + received_ / std::size_t(hop_), received_);
}

Status MfccStream::mfcc(std::size_t first, std::size_t count, std::vector<float>& out) const {
    if (count == 0 || first < first_kept() || first + count > frames_)
        return Status::error("mfcc stream: frames " + std::to_string(first) + ".." + std::to_string(first + count) +
                             " are not held (held: " + std::to_string(first_kept()) + ".." +
                             std::to_string(frames_) + ")");
    gather_.resize(count * std::size_t(n_mels_));
    for (std::size_t i = 0; i < count; ++i) {
        const float* src = log_mel(first + i);
        std::copy(src, src + n_mels_, gather_.data() + i * std::size_t(n_mels_));
    }
    extractor_.mfcc_of_log_mel(gather_.data(), count, out);
    return Status{};
}

} // namespace aer
