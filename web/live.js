// The live panel: recording from the microphone (mic.js: an AudioWorklet hands over raw PCM; the
// live waveform and the input level are drawn while it records). A recording becomes a 16-bit
// WAV and takes the same path as an uploaded file; its label (one of the active model's classes,
// or unknown) makes it a training example. Recordings are speech.
import { $, el, message_of } from './ui.js';
import { on, model_labels } from './state.js';
import { sort_labels } from './labels.js';
import { encode_wav } from './wav.js';
import { draw_waveform } from './plots.js';
import { add_files } from './inputs.js';
import { open_mic } from './mic.js';

const MAX_RECORD_S = 30;
let recording = null; // {mic (mic.js), chunks, length, stopped, started, timer}
let recordings = 0;

/// The label select offers the active model's classes (kept when the model changes, if known).
function fill_label_select() {
    const s = $('rec-label');
    const value = s.value;
    s.replaceChildren(el('option', { value: '', text: 'unknown (predict only)' }));
    for (const l of sort_labels(model_labels())) s.append(el('option', { value: l, text: l }));
    s.value = [...s.options].some((o) => o.value === value) ? value : '';
}

function joined(chunks, length) {
    const out = new Float32Array(length);
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    return out;
}

async function start_recording() {
    const button = $('record-button');
    button.disabled = true;
    try {
        const r = { mic: null, chunks: [], length: 0, stopped: null, started: performance.now() };
        let stopped;
        r.stopped = new Promise((resolve) => { stopped = resolve; });
        r.mic = await open_mic('rec', (block) => {
            if (block === 'stopped') { stopped(); return; }
            r.chunks.push(block);
            r.length += block.length;
            if (r.mic && r.length >= MAX_RECORD_S * r.mic.ctx.sampleRate) stop_recording();
        });
        recording = r;
        $('waveform').hidden = false;
        r.timer = setInterval(() => {
            draw_waveform($('waveform'), joined(r.chunks, r.length));
            $('rec-status').textContent = `recording… ${((performance.now() - r.started) / 1000).toFixed(0)} s`;
        }, 250);
        button.textContent = '■ Stop recording';
        button.setAttribute('aria-pressed', 'true');
        $('rec-status').textContent = 'recording…';
    } catch (err) {
        $('rec-status').textContent = `microphone unavailable: ${message_of(err) || err.name}`;
    } finally {
        button.disabled = false;
    }
}

async function stop_recording() {
    const r = recording;
    if (!r) return;
    recording = null;
    clearInterval(r.timer);
    r.mic.node.port.postMessage('stop');
    await Promise.race([r.stopped, new Promise((resolve) => setTimeout(resolve, 1000))]);
    const rate = r.mic.ctx.sampleRate;
    r.mic.close();
    const samples = joined(r.chunks, r.length);
    const button = $('record-button');
    button.textContent = '● Record';
    button.setAttribute('aria-pressed', 'false');
    draw_waveform($('waveform'), samples);
    if (!samples.length) {
        $('rec-status').textContent = 'nothing was recorded';
        return;
    }
    recordings++;
    const name = `recording-${recordings}.wav`;
    const file = new File([encode_wav(samples, rate)], name, { type: 'audio/wav' });
    let peak = 0;
    for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
    const dbfs = peak > 0 ? `${(20 * Math.log10(peak)).toFixed(1)} dBFS` : 'silence';
    $('rec-status').textContent = `${name}: ${(samples.length / rate).toFixed(1)} s at ${rate} Hz, peak ${dbfs}` +
        (peak < 0.01 ? ' (very quiet: is the right microphone on?)' : '');
    const [item] = add_files([{ file, rel: '' }], 'recording');
    if (item) {
        item.label = $('rec-label').value;
        item.channel = 'speech';
    }
}

$('record-button').addEventListener('click', () => (recording ? stop_recording() : start_recording()));
on('model', fill_label_select);
fill_label_select();
