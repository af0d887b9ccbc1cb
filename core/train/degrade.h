// aer/train/degrade: waveform degradations, for training augmentation (random draws, WaveAugment)
// and for robustness evaluation (fixed named conditions, Degradation, `aer eval --degrade SPEC`).
//
// - Noise at an exact SNR over the whole clip: white (Gaussian), pink (1/f power: white through
//   P. Kellet's refined "economy" pink filter, musicdsp.org 1999), brown (1/f^2: leaky-integrated
//   white, DC removed) and babble (3-6 excerpts of other clips summed, so it sounds like talkers).
// - Rooms: a synthetic impulse response (unit direct path, a few early reflections standing for
//   the first image sources of Allen & Berkley 1979, drawn at random, then the "exponentially
//   decaying noise" model of the diffuse tail), convolved by one FFT; RT60 estimated by
//   Schroeder 1965 backward integration (T20 x 3, as ISO 3382-1 evaluates it).
// - Channels: band limits through aer::resample (kaiser_best), telephone, high-pass and tilt
//   biquads (R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients").
// - Speed perturbation (Ko et al. 2015) by resampling; pitch shift by speed perturbation then
//   WSOLA time-stretch (Verhelst & Roelands 1993).
// Contract: audio is mono float32 at `sr` Hz (nominally in [-1, 1]), caller-owned, changed in
// place. Every random draw comes from the aer::Rng passed in (or one seeded from `seed`), so a
// seed gives the same samples natively and in wasm. Arithmetic is in double where it sums.
#pragma once

#include "core/nn/random.h"
#include "core/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aer {

enum class NoiseKind { white, pink, brown, babble };

/// Adds noise of `kind` to y (n samples) so that 10 log10(sum y^2 / sum noise^2) == snr_db over
/// the whole clip (up to float rounding). babble: 3-6 excerpts of the clips in `babble_pool`
/// (caller-owned pointers to clips at the same sr, read only), each at a random start, looped or
/// cut to n samples and brought to the same RMS, then summed; an empty pool (or one of silent
/// clips) falls back to pink. A silent y is left unchanged.
void add_noise(std::vector<float>& y, NoiseKind kind, double snr_db, Rng& rng,
               const std::vector<const std::vector<float>*>& babble_pool = {});

/// A synthetic room impulse response at `sr` Hz for reverberation time rt60_s seconds (clamped to
/// [0.1, 2]): h[0] = 1 (direct path), 6-12 early reflections at random delays in 2.5..50 ms with
/// random signs and gains < 1 under the room's decay, and from 2 ms on a diffuse tail of Gaussian
/// noise under the envelope exp(-6.908 t / rt60) (60 dB of amplitude decay in rt60 s), its energy
/// about rt60 / 0.25 s times that of the direct path and reflections (+-2 dB at random).
/// Returns ceil(1.2 rt60 sr) samples.
std::vector<float> room_impulse_response(int sr, double rt60_s, Rng& rng);

/// The RT60 in seconds of impulse response `ir` (at `sr` Hz) by Schroeder backward integration:
/// a least-squares line through the energy decay curve between -5 and -25 dB, extrapolated to
/// -60 dB (T20 x 3). 0 when the curve never reaches -25 dB (e.g. an empty or silent ir).
double estimate_rt60(const std::vector<float>& ir, int sr);

/// Convolves y with a fresh room_impulse_response(sr, rt60_s, rng) (one real FFT of the full
/// length), keeps y's first y.size() samples (the tail past the end is cut) and rescales so the
/// output's peak |value| equals the input's. A silent y is left unchanged.
void apply_room(std::vector<float>& y, int sr, double rt60_s, Rng& rng);

/// y *= 10^(gain_db / 20); with clip, values are then limited to [-1, 1] (hard clipping).
void apply_gain(std::vector<float>& y, double gain_db, bool clip = true);

/// What a microphone or corpus at `rate` Hz gives: y (at sr Hz) is resampled sr -> rate -> sr
/// with aer::resample (kaiser_best, zero phase), then cut or zero-padded to its original length.
/// rate >= sr leaves y unchanged. Fails when sr or rate is not positive.
Status band_limit(std::vector<float>& y, int sr, int rate);

/// A telephone channel: band_limit(y, sr, 8000), then a 300 Hz high-pass and a 3400 Hz low-pass
/// (second-order RBJ biquads, Butterworth Q = 1/sqrt 2). Same length.
Status telephone(std::vector<float>& y, int sr);

/// Second-order Butterworth high-pass (RBJ biquad) at hz (-3 dB point) on y in place; hz <= 0
/// does nothing, hz is capped at 0.45 sr.
void high_pass(std::vector<float>& y, int sr, double hz);

/// Microphone tilt: a first-order shelf (bilinear transform, warped at 1 kHz) whose response has
/// unit gain at 1 kHz and a slope of exactly db_per_octave dB per octave there (positive:
/// brighter), flattening towards 0 Hz and Nyquist. db_per_octave is clamped to [-6, 6]
/// (the steepest a first-order section allows is 6.02).
void eq_tilt(std::vector<float>& y, int sr, double db_per_octave);

/// Speed perturbation (Ko, Peddinti, Povey & Khudanpur 2015, "Audio augmentation for speech
/// recognition"): y is read as if sampled at R Hz and resampled to sr, so tempo and pitch both
/// scale by R / sr ~ factor (0.5..2) and the length becomes ceil(n sr / R). R is the whole number
/// within 0.05 % of sr factor whose resampling filter phases repeat soonest (least sr / gcd(R, sr);
/// the nearest among equals): e.g. 24255 for 1.1 at 22050 Hz. (A rate prime to sr would make the
/// filter taps anew for every sample, several times slower.)
Status change_speed(std::vector<float>& y, int sr, double factor);

/// Pitch scaled by factor (0.5..2) at the same duration: change_speed(factor), then a WSOLA
/// time-stretch (Verhelst & Roelands 1993; 30 ms Hann frames at 50 % overlap, each aligned to
/// the natural continuation of the last within +-7.5 ms by cross-correlation) back to n samples.
Status shift_pitch(std::vector<float>& y, int sr, double factor);

/// One step of a Degradation (see parse_degradation).
struct DegradeStep {
    enum class Kind { noise, room, rate, telephone, gain, highpass, tilt, speed, pitch };
    Kind kind = Kind::gain;
    NoiseKind noise = NoiseKind::white; ///< for noise
    double value = 0;                   ///< SNR dB, RT60 s, rate Hz, gain dB, Hz, dB/oct or factor
};

/// A named evaluation condition: `spec` as parsed and the steps it stands for, applied in order.
struct Degradation {
    std::string spec = "clean";
    std::vector<DegradeStep> steps; ///< empty: clean

    /// True when there is nothing to apply.
    bool clean() const { return steps.empty(); }
};

/// Parses a condition: "clean", a preset name, or comma-separated steps applied left to right:
///   noise:KIND:SNR_DB (KIND white|pink|brown|babble, SNR -20..100) | room:RT60_S (0.1..2) |
///   rate:HZ (1000..384000, band_limit) | telephone | gain:DB (-120..60) | highpass:HZ (0..20000) |
///   tilt:DB_PER_OCT (-6..6) | speed:F (0.5..2) | pitch:F (0.5..2)
/// Preset "laptop-room" = room:0.4,noise:pink:20,rate:16000,highpass:80,gain:-20.
/// On failure the message names the part at fault and `out` is unchanged.
Status parse_degradation(const std::string& spec, Degradation& out);

/// The steps of `d` in parse_degradation()'s form ("clean" when there are none).
std::string degradation_steps_spec(const Degradation& d);

/// Applies d's steps to y (at sr Hz) in order; the noise and room draws come from `seed` alone
/// (pass e.g. a hash of the file name so that every model sees the same degraded clip); step i
/// draws from its own stream, so adding a later step does not change earlier ones. The length
/// changes only with speed. Fails for a step the rate cannot take (e.g. highpass above sr / 2).
Status apply_degradation(const Degradation& d, std::vector<float>& y, int sr, std::uint64_t seed,
                         const std::vector<const std::vector<float>*>& babble_pool = {});

/// Random training augmentation: `copies` augmented copies per clip, each made by applying every
/// operation independently with its probability, in the order speed, pitch, room, tilt, band,
/// noise, gain. Draws: speed and pitch factor U(0.9, 1.1); room RT60 U(0.2, 1.0) s; tilt
/// U(-3, 3) dB/oct; band: rate one of 8000, 16000, none, and half the time a U(80, 300) Hz
/// high-pass; noise kind one of white, pink, brown, babble at SNR U(0, 30) dB; gain U(-40, 6) dB
/// with clipping.
struct WaveAugment {
    int copies = 0;                                                                 ///< 0..16
    double noise = 0, room = 0, gain = 0, band = 0, tilt = 0, speed = 0, pitch = 0; ///< probabilities

    /// True when copies are to be made.
    bool active() const { return copies > 0; }
};

/// Parses "none" or comma-separated copies:K (0..16), noise:P, room:P, gain:P, band:P, tilt:P,
/// speed:P, pitch:P (P in [0, 1]), e.g. "copies:4,noise:0.6,room:0.4,gain:0.5,band:0.4,tilt:0.3,
/// speed:0.3,pitch:0.3". Probabilities need a copies:K part; copies:0 gives the inactive (all
/// zero) policy. The message names the part at fault; `out` is unchanged on failure.
Status parse_wave_augment(const std::string& spec, WaveAugment& out);

/// The spec of `a` in parse_wave_augment()'s form, round-tripping exactly ("none" when inactive).
std::string wave_augment_spec(const WaveAugment& a);

/// One augmented copy of y (at sr Hz, read only) into out, drawn from rng. Every operation
/// consumes the same draws whether or not it is applied, so changing one probability does not
/// change the others' parameters. out's length differs from y's only after speed.
Status augment_waveform(const std::vector<float>& y, int sr, const WaveAugment& a, Rng& rng,
                        const std::vector<const std::vector<float>*>& babble_pool, std::vector<float>& out);

} // namespace aer
