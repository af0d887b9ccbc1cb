// The microphone's input level, shared by the recorder (live.js) and live listening (listen.js):
// RMS and peak in dBFS of the last 300 ms on a <meter>, and the input's state in words and in
// data-state: ok | quiet | clipping | silent. The PCM is the AudioWorklet's blocks; levels are
// judged on 20 ms frames (mean square; a full-scale sine is -3 dBFS).
//
// Thresholds (measured in web/README.md, "The microphone"):
// - clipping: at least 3 samples with |x| >= 0.999 (-0.01 dBFS: a 16-bit converter's full scale)
//   within 300 ms; the state holds for 1 s so that it can be read. One sample at full scale can
//   be an honest peak; a run of them is a converter (or an earlier gain stage) cut off.
// - silent: no frame of the last second stands out: none reaches -70 dBFS (a muted or absent
//   microphone, digital silence) or none is 12 dB above the noise floor (the 10th percentile of
//   the frame levels of the last 3 s), as the worker's voice gate judges voice (core/dsp/voice.h).
// - quiet: the active level of the last 3 s is below -45 dBFS: the power mean of the frames that
//   stand out (as above) and lie within 20 dB of the loudest (the loud part of speech, roughly
//   ITU-T P.56's active level; 3 s so that a phrase's fading end does not read as quiet), once
//   there are 0.5 s of such frames; with less (a phrase's soft onset) the last judgement stays.
//   The level itself does not matter to the default model's peak-relative features, and the
//   worker's gate (never under -95 dBFS) still hears RAVDESS speech at -60; but a real
//   microphone's own hiss (about -70 dBFS on a laptop) does not scale down with the voice, and
//   below -45 it is within 25 dB of it, the edge of the noise the model was trained with.
// - ok: everything else.
//
// Contract (tests): the element `${prefix}-level` carries data-state, data-rms-db and
// data-peak-db (the last 300 ms; -120 for digital silence), data-active-db (the last 3 s) and
// data-seconds (the audio measured so far).
import { $ } from './ui.js';

export const FRAME_S = 0.02, SHOW_S = 0.3, JUDGE_S = 1, FLOOR_S = 3, CLIP_HOLD_S = 1, MIN_ACTIVE_S = 0.5;
export const CLIP = 0.999, CLIP_SAMPLES = 3, SILENT_DB = -70, ABOVE_FLOOR_DB = 12, ACTIVE_RANGE_DB = 20, QUIET_DB = -45;
const FLOOR_DB = -120;
const db = (power) => Math.max(FLOOR_DB, 10 * Math.log10(power));

export const STATE_TEXT = {
    ok: 'level ok',
    quiet: 'too quiet — move closer or raise the input volume',
    clipping: 'clipping — move back or lower the input volume',
    silent: 'silent — nothing above the background noise',
};

/// The running measure of a stream at `rate` Hz: push(samples) as it comes, measure() any time.
export class Level {
    constructor(rate) {
        this.frame = Math.max(1, Math.round(rate * FRAME_S));
        this.frames = []; // the last FLOOR_S seconds: {power, peak, clipped}
        this.keep = Math.round(FLOOR_S / FRAME_S);
        this.sum = 0; this.peak = 0; this.clipped = 0; this.fill = 0;
        this.since_clip = Infinity; // frames since clipping was seen
        this.count = 0; // frames so far
        this.verdict = 'ok'; // the last judgement of the voice's level: 'ok' | 'quiet'
    }

    push(samples) {
        for (let i = 0; i < samples.length; i++) {
            const x = samples[i], a = Math.abs(x);
            this.sum += x * x;
            if (a > this.peak) this.peak = a;
            if (a >= CLIP) this.clipped++;
            if (++this.fill === this.frame) this.end_frame();
        }
    }

    end_frame() {
        this.frames.push({ power: this.sum / this.fill, peak: this.peak, clipped: this.clipped });
        this.count++;
        if (this.frames.length > this.keep) this.frames.shift();
        this.sum = 0; this.peak = 0; this.clipped = 0; this.fill = 0;
        const recent = this.frames.slice(-Math.round(SHOW_S / FRAME_S));
        this.since_clip = recent.reduce((n, f) => n + f.clipped, 0) >= CLIP_SAMPLES ? 0 : this.since_clip + 1;
    }

    /// {state, rms_db, peak_db (the last 300 ms), active_db (the last 3 s), floor_db, seconds};
    /// judges the level anew when there is enough voice to (the verdict kept until the next).
    measure() {
        const last = (s) => this.frames.slice(-Math.round(s / FRAME_S));
        const shown = last(SHOW_S);
        const mean = (fs) => (fs.length ? fs.reduce((s, f) => s + f.power, 0) / fs.length : 0);
        const levels = this.frames.map((f) => db(f.power)), sorted = [...levels].sort((a, b) => a - b);
        const floor_db = sorted.length ? sorted[Math.floor(0.1 * (sorted.length - 1))] : FLOOR_DB;
        const bar = Math.max(SILENT_DB, floor_db + ABOVE_FLOOR_DB);
        const present = levels.slice(-Math.round(JUDGE_S / FRAME_S)).some((l) => l >= bar);
        const top = sorted.length ? sorted[sorted.length - 1] : FLOOR_DB;
        const active = this.frames.filter((f, i) => levels[i] >= Math.max(bar, top - ACTIVE_RANGE_DB));
        const active_db = db(mean(active));
        if (active.length * FRAME_S >= MIN_ACTIVE_S) this.verdict = active_db < QUIET_DB ? 'quiet' : 'ok';
        const peak = shown.reduce((p, f) => Math.max(p, f.peak), 0);
        const state = this.since_clip * FRAME_S < CLIP_HOLD_S ? 'clipping' : !present ? 'silent' : this.verdict;
        return { state, rms_db: db(mean(shown)), peak_db: db(peak * peak), active_db, floor_db, seconds: this.count * FRAME_S };
    }
}

/// The meter of the panel whose elements are `${prefix}-level-box` (shown while the microphone
/// is open), `${prefix}-meter` (a <meter> in dBFS), `${prefix}-level` (the state, polite live
/// region: its text changes only with the state) and `${prefix}-level-db` (the numbers).
/// Returns {push(samples), stop()}; it redraws at most every 100 ms.
export function level_meter(prefix, rate) {
    const level = new Level(rate);
    const box = $(`${prefix}-level-box`), meter = $(`${prefix}-meter`), out = $(`${prefix}-level`), nums = $(`${prefix}-level-db`);
    let drawn = 0;
    const clear = () => { for (const k of ['state', 'rmsDb', 'peakDb', 'activeDb', 'seconds']) delete out.dataset[k]; };
    clear();
    out.textContent = 'listening…';
    box.hidden = false;
    const draw = () => {
        const m = level.measure();
        meter.value = Math.max(meter.min, m.rms_db);
        out.dataset.rmsDb = m.rms_db.toFixed(1);
        out.dataset.peakDb = m.peak_db.toFixed(1);
        out.dataset.activeDb = m.active_db.toFixed(1);
        out.dataset.seconds = m.seconds.toFixed(2);
        if (out.dataset.state !== m.state) {
            out.dataset.state = m.state;
            out.textContent = STATE_TEXT[m.state];
        }
        nums.textContent = `${m.rms_db.toFixed(0)} dBFS RMS, peak ${m.peak_db.toFixed(0)} dBFS`;
    };
    return {
        push(samples) {
            level.push(samples);
            const now = performance.now();
            if (now - drawn >= 100) { drawn = now; draw(); }
        },
        stop() { box.hidden = true; clear(); },
    };
}
