import fs from 'node:fs';
import path from 'node:path';
import { start_server, launch, wait_ready, artifacts } from './harness.mjs';
const server = await start_server(process.argv.includes('--noiso') ? ['--no-isolation'] : []);
const b = await launch();
try {
    await b.page.setViewportSize({ width: 1200, height: 900 });
    await b.page.goto(server.url);
    await wait_ready(b.page);
    console.log('status:', await b.page.textContent('[data-testid=status]'));
    console.log('runtime:', await b.page.textContent('[data-testid=runtime]'));
    const dir = '/work/main/data/ravdess-song/Actor_01';
    const files = fs.readdirSync(dir).filter((f, i) => i % 7 === 0).map((f) => path.join(dir, f));
    await b.page.setInputFiles('[data-testid=file-input]', files);
    await b.page.waitForFunction((n) => document.querySelectorAll('[data-testid=result-row][data-pred]').length === n, files.length, { timeout: 60000 });
    await wait_ready(b.page);
    console.log('accuracy:', await b.page.textContent('#accuracy'));
    await b.page.waitForTimeout(500);
    await b.page.screenshot({ path: path.join(artifacts, 'smoke.png'), fullPage: true });
    console.log('errors', b.errors);
} finally {
    await b.close();
    server.stop();
}
