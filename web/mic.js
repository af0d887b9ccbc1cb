// The microphone, as the recorder (live.js) and live listening (listen.js) open it: one set of
// getUserMedia constraints, an AudioContext with the recorder worklet (raw PCM blocks), and the
// input level meter (level.js) fed with the same blocks.
import { level_meter } from './level.js';

/// The browser's voice processing stays off, by measurement (scripts/mic-constraints.mjs; table and
/// discussion in web/README.md, "The microphone"). With Chromium's fake microphone playing RAVDESS
/// clips, noise suppression changed the long-term spectrum and the models' probabilities most, and
/// automatic gain control, which would lift a quiet input, raised a -60 dBFS clip by only
/// a few dB in the seconds measured while changing levels inside it; echo cancellation has
/// nothing to cancel without playback but can only add artefacts. The models were trained on
/// unprocessed studio clips and their features do not depend on the level, so the raw signal
/// serves them best; the level meter asks the user to fix a quiet or clipping input instead.
/// channelCount 1: the models take mono. No sampleRate: the worker resamples any rate exactly
/// (kaiser_best), and asking for one only makes the browser resample too.
export const MIC_CONSTRAINTS = Object.freeze({
    channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false,
});

/// Opens the microphone: getUserMedia (audio: `constraints`), an AudioContext running the
/// 'aer-recorder' worklet, and the level meter of the panel `prefix` (level.js). `on_block`
/// gets every Float32Array block of PCM at ctx.sampleRate (the meter has seen it first).
/// Resolves to {stream, ctx, node, close()}; close() stops the tracks, the context and the meter.
export async function open_mic(prefix, on_block, constraints = MIC_CONSTRAINTS) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { ...constraints } });
    let ctx = null;
    try {
        ctx = new AudioContext();
        await ctx.audioWorklet.addModule('recorder-worklet.js');
        const source = ctx.createMediaStreamSource(stream);
        const node = new AudioWorkletNode(ctx, 'aer-recorder');
        const meter = level_meter(prefix, ctx.sampleRate);
        node.port.onmessage = (e) => {
            if (e.data !== 'stopped') meter.push(e.data);
            on_block(e.data);
        };
        source.connect(node);
        node.connect(ctx.destination); // the processor writes silence; the connection keeps it running
        const c = ctx;
        return {
            stream, ctx, node,
            close() {
                for (const track of stream.getTracks()) track.stop();
                c.close();
                meter.stop();
            },
        };
    } catch (err) {
        for (const track of stream.getTracks()) track.stop();
        if (ctx) ctx.close();
        throw err;
    }
}
