import fs from 'node:fs';
import path from 'node:path';
import { start_server, launch, wait_ready, artifacts } from './harness.mjs';
const server = await start_server();
const b = await launch();
try {
    await b.page.setViewportSize({ width: 1200, height: 900 });
    await b.page.goto(server.url);
    await wait_ready(b.page);
    const files = [];
    for (const a of ['Actor_01', 'Actor_02']) {
        const dir = `/work/main/data/ravdess-song/${a}`;
        files.push(...fs.readdirSync(dir).filter((f, i) => i % 4 === 0).map((f) => path.join(dir, f)));
    }
    await b.page.setInputFiles('[data-testid=file-input]', files);
    await b.page.waitForFunction((n) => document.querySelectorAll('[data-testid=result-row][data-pred]').length === n, files.length, { timeout: 60000 });
    await b.page.fill('[data-testid=epochs-input]', '3');
    await b.page.click('[data-testid=train-button]');
    const t0 = Date.now();
    await b.page.waitForFunction(() => document.querySelectorAll('[data-testid=epoch-row]').length === 3, null, { timeout: 300000 });
    await wait_ready(b.page, 60000);
    console.log('train s', (Date.now() - t0) / 1000, await b.page.textContent('#train-text'));
    console.log(await b.page.getAttribute('[data-testid=confusion-matrix]', 'data-matrix'));
    await b.page.waitForTimeout(300);
    await b.page.screenshot({ path: path.join(artifacts, 'smoke-train.png'), fullPage: true });
    console.log('errors', b.errors);
} finally {
    await b.close();
    server.stop();
}
