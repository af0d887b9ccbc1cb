// Raw PCM -> the bytes of a WAV file, so a recording takes the same path as an uploaded file.

/// Mono float samples in [-1, 1] at `sample_rate` Hz -> a 16-bit PCM WAV file (Uint8Array).
/// Samples outside [-1, 1] are clipped.
export function encode_wav(samples, sample_rate) {
    const n = samples.length;
    const out = new Uint8Array(44 + 2 * n);
    const v = new DataView(out.buffer);
    const ascii = (offset, text) => { for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i); };
    ascii(0, 'RIFF');
    v.setUint32(4, 36 + 2 * n, true);
    ascii(8, 'WAVE');
    ascii(12, 'fmt ');
    v.setUint32(16, 16, true);          // fmt chunk size
    v.setUint16(20, 1, true);           // PCM
    v.setUint16(22, 1, true);           // mono
    v.setUint32(24, sample_rate, true);
    v.setUint32(28, sample_rate * 2, true); // bytes per second
    v.setUint16(32, 2, true);           // block align
    v.setUint16(34, 16, true);          // bits per sample
    ascii(36, 'data');
    v.setUint32(40, 2 * n, true);
    for (let i = 0; i < n; i++) {
        const s = Math.max(-1, Math.min(1, samples[i]));
        v.setInt16(44 + 2 * i, Math.round(s < 0 ? s * 32768 : s * 32767), true);
    }
    return out;
}
