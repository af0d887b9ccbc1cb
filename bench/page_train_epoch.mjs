// How long the page takes to train the default model's recipe ("robust" in the training form):
// the time to compute every clip's features and audio copies before the first epoch, and the
// seconds of each epoch (the page's own epoch table), in headless Chromium with the threaded
// build. Prints one JSON line. Usage (after scripts/build all):
//   NODE_PATH=/usr/share/nodejs node bench/page_train_epoch.mjs [ACTORS] [EPOCHS]
// ACTORS: how many RAVDESS actors' speech and song files to load (default 4: 416 files).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { start_server, launch, wait_ready, wait_predictions, ravdess, ravdess_speech } from '../tests/e2e/harness.mjs';

const actors = Number(process.argv[2] || 4), epochs = Number(process.argv[3] || 2);
const files = [];
for (let a = 1; a <= actors; a++) {
    for (const root of [ravdess_speech, ravdess]) {
        const dir = path.join(root, `Actor_${String(a).padStart(2, '0')}`);
        if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) files.push(path.join(dir, f));
    }
}
const server = await start_server();
const b = await launch();
const page = b.page;
try {
    await page.goto(server.url);
    await wait_ready(page);
    await page.setInputFiles('[data-testid="file-input"]', files);
    await wait_predictions(page, files.length, 600000);
    await page.selectOption('#recipe', 'robust');
    await page.fill('[data-testid="epochs-input"]', String(epochs));
    await page.selectOption('#split', 'none');
    const t0 = Date.now();
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => /^epoch /.test(document.querySelector('#train-text').textContent), null, { timeout: 1800000 });
    const prepare_s = (Date.now() - t0) / 1000;
    await page.waitForFunction(() => /Finished after/.test(document.querySelector('#train-text').textContent), null, { timeout: 3600000 });
    const rows = await page.$$eval('[data-testid="epoch-row"]', (r) => r.map((e) => e.cells[5].textContent));
    console.log(JSON.stringify({ files: files.length, epochs, prepare_s, epoch_times: rows,
        cpu: os.cpus()[0].model, load: os.loadavg()[0] }));
} finally {
    await b.close();
    server.stop();
}
