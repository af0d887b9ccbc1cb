// A static file server for build/web on 127.0.0.1, with the cross-origin isolation headers
// (COOP/COEP) that let the page use SharedArrayBuffer and therefore the threaded wasm build, and
// the page's Content-Security-Policy as a header (read from index.html's meta tag, plus
// frame-ancestors 'none', which a meta tag cannot carry).
//   node scripts/serve.mjs [--port 8080 (0: any free port)] [--root build/web] [--no-isolation]
//                          [--report-csp (tests: violations are POSTed back and printed as lines
//                          "csp-violation: {...}")]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(option('--root', path.join(here, '..', 'build', 'web')));
const port = Number(option('--port', '8080'));
const isolate = !args.includes('--no-isolation');
const report_csp = args.includes('--report-csp');
const REPORT_PATH = '/__csp-report';

/// The policy of index.html's <meta http-equiv="Content-Security-Policy">, so that the header and
/// the meta tag cannot drift apart; null for a root whose index.html has none (the bench pages).
function page_policy() {
    let html = '';
    try {
        html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
    } catch { /* no index.html: no policy */ }
    const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    if (!m) return null;
    return `${m[1]}; frame-ancestors 'none'` + (report_csp ? `; report-uri ${REPORT_PATH}` : '');
}
const policy = page_policy();
/// The benchmark pages (build/web/bench/, staged by scripts/bench) run the peers we measure
/// against (TensorFlow.js and Essentia.js evaluate strings as code and TF.js's wasm backend hangs
/// under the site's policy), so they are served without it: a development tool, not the site.
const is_bench = (url) => url.startsWith('/bench/');

const types = {
    '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
    '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
    '.png': 'image/png', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json',
    '.wav': 'audio/wav',
};

const server = http.createServer((req, res) => {
    const headers = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer' };
    if (policy && !is_bench(req.url)) headers['Content-Security-Policy'] = policy;
    if (report_csp && req.method === 'POST' && req.url === REPORT_PATH) {
        let body = '';
        req.on('data', (d) => { body += d; }).on('end', () => {
            console.log(`csp-violation: ${body.replace(/\s+/g, ' ')}`);
            res.writeHead(204).end();
        });
        return;
    }
    if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
        headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    let rel;
    try {
        rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
        res.writeHead(400, headers).end('bad request');
        return;
    }
    let file = path.normalize(path.join(root, rel));
    if (!file.startsWith(root)) {
        res.writeHead(403, headers).end('forbidden');
        return;
    }
    if (rel.endsWith('/')) file = path.join(file, 'index.html');
    fs.stat(file, (err, st) => {
        if (err || !st.isFile()) {
            res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
            return;
        }
        headers['Content-Type'] = types[path.extname(file)] || 'application/octet-stream';
        headers['Content-Length'] = st.size;
        res.writeHead(200, headers);
        if (req.method === 'HEAD') return res.end();
        fs.createReadStream(file).pipe(res);
    });
});
server.listen(port, '127.0.0.1', () => {
    // --port 0: the system picks a free port; the line says which (tests read it).
    console.log(`aer: serving ${root} on http://127.0.0.1:${server.address().port}/` +
        (isolate ? ' (cross-origin isolated: threads on)' : ' (no COOP/COEP: single-threaded)') +
        (policy ? '' : `; no Content-Security-Policy header (${root}/index.html has no CSP meta tag)`));
});
