// Writes a built site's precache.json, the service worker's list of the files of this version of
// the site: {version, files: [paths], sha256: {path: hex}} (every file but sw.js and the list; the
// version is a hash of all of them), and stamps the version and the page's Content-Security-Policy
// (from index.html's meta tag) into sw.js, so that every new version is a new service worker.
//   node scripts/precache.mjs DIR        (scripts/build web runs it on the site it assembles)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/// Every file under `dir` (relative paths with '/', sorted byte-wise).
function files_under(dir, rel = '') {
    const out = [];
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) out.push(...files_under(dir, p));
        else if (e.isFile()) out.push(p);
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/// Writes `dir`/precache.json and stamps `dir`/sw.js; returns the version.
export function write_precache(dir) {
    const files = files_under(dir).filter((f) => f !== 'sw.js' && f !== 'precache.json');
    const whole = crypto.createHash('sha256');
    const sha256 = {};
    for (const f of files) {
        const bytes = fs.readFileSync(path.join(dir, f));
        whole.update(f).update('\0').update(bytes);
        sha256[f] = crypto.createHash('sha256').update(bytes).digest('hex');
    }
    const version = whole.digest('hex').slice(0, 16);
    fs.writeFileSync(path.join(dir, 'precache.json'), JSON.stringify({ version, files, sha256 }, null, 1) + '\n');

    const index = path.join(dir, 'index.html');
    const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(fs.readFileSync(index, 'utf8'));
    if (!m) throw new Error(`${index}: no <meta http-equiv="Content-Security-Policy"> tag`);
    const sw = path.join(dir, 'sw.js');
    let text = fs.readFileSync(sw, 'utf8');
    for (const [name, value] of [['VERSION', version], ['POLICY', `${m[1]}; frame-ancestors 'none'`]]) {
        const line = new RegExp(`^const ${name} = (?:'[^']*'|"(?:[^"\\\\]|\\\\.)*");$`, 'm'); // a stamped one again too
        if (!line.test(text)) throw new Error(`${sw}: no line "const ${name} = '...';" to stamp`);
        text = text.replace(line, `const ${name} = ${JSON.stringify(value)};`);
    }
    fs.writeFileSync(sw, text);
    return version;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
    const dir = process.argv[2];
    if (!dir) {
        console.error('usage: node scripts/precache.mjs DIR');
        process.exit(2);
    }
    try {
        console.log(`precache: ${dir}: version ${write_precache(dir)}`);
    } catch (err) {
        console.error(`error: ${err.message}`);
        process.exit(1);
    }
}
