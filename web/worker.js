// The page's worker: loads the wasm module (threaded when the page is cross-origin isolated)
// and does all heavy work off the main thread. Messages: {id, op, ...} -> {id, ok, ...}.
/* global importScripts, create_aer */
const threaded = self.crossOriginIsolated === true;
const dir = new URL(threaded ? 'wasm-mt/' : 'wasm-st/', self.location.href).href;
importScripts(dir + 'aer_web.js');

const ready = create_aer({
    locateFile: (name) => dir + name,
    mainScriptUrlOrBlob: dir + 'aer_web.js',
}).then((m) => {
    const extractor = new m.FeatureExtractor();
    return { m, extractor };
});

self.onmessage = async (e) => {
    const { id, op } = e.data;
    try {
        const { m, extractor } = await ready;
        if (op === 'runtime') {
            const info = m.runtime_info();
            self.postMessage({ id, ok: true, threaded, ...info });
        } else if (op === 'features') {
            const r = extractor.compute(new Uint8Array(e.data.bytes));
            if (!r.ok) self.postMessage({ id, ok: false, error: r.error });
            else self.postMessage({ id, ...r }, [r.mfcc.buffer]);
        } else {
            self.postMessage({ id, ok: false, error: `unknown op ${op}` });
        }
    } catch (err) {
        self.postMessage({ id, ok: false, error: String(err && err.message || err) });
    }
};
