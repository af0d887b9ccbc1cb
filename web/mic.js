// The microphone, as the recorder (live.js) and live listening (listen.js) open it: one set of
// getUserMedia constraints, an AudioContext with the recorder worklet (raw PCM blocks), and the
// input level meter (level.js) fed with the same blocks.
import { level_meter } from './level.js';

/// The browser's voice processing stays off, by measurement (scripts/mic-constraints.mjs; tables
/// in web/README.md, "The microphone"). Chromium's fake microphone playing RAVDESS clips (as
/// they are, with a room's noise, quiet), recorded by the page: all off, the recording matched
/// the file and was predicted exactly as the file; noise suppression took about 18 dB off the
/// noise and moved the log-mel features by 13-16 dB (the label changed on 2 of 4 noisy takes);
/// automatic gain added 8-17 dB to voice and noise alike (3 of 6 labels changed, both quiet takes
/// among them); echo cancellation, with nothing to cancel, still moved them by 0.5-1 dB. The
/// models were trained on unprocessed clips; the level meter asks the user to fix a quiet or
/// clipping input instead. channelCount 1: the models take mono (an ideal value: with processing
/// off Chromium may still open two channels, and the worklet takes the first). No sampleRate:
/// the worker resamples any rate (kaiser_best); asking for one only adds the browser's resampler.
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
