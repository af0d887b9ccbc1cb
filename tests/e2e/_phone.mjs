import path from 'node:path';
import { start_server, launch, wait_ready, wait_predictions, ravdess_files, artifacts } from './harness.mjs';
const server = await start_server();
const b = await launch();
const W = Number(process.argv[2] || 390);
try {
    await b.page.setViewportSize({ width: W, height: 800 });
    await b.page.goto(server.url);
    await wait_ready(b.page);
    const files = ravdess_files(1);
    await b.page.setInputFiles('[data-testid=file-input]', files);
    await wait_predictions(b.page, files.length);
    await b.page.fill('[data-testid=epochs-input]', '3');
    await b.page.click('[data-testid=train-button]');
    await b.page.waitForFunction(() => document.querySelectorAll('[data-testid=epoch-row]').length === 3);
    await wait_ready(b.page);
    await b.page.waitForTimeout(300);
    const h = await b.page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0, k = 0; y < h; y += 1400, k++)
        await b.page.screenshot({ path: `/tmp/phone-${k}.png`, fullPage: true, clip: { x: 0, y, width: W, height: Math.min(1400, h - y) } });
    console.log(h, b.errors);
} finally { await b.close(); server.stop(); }
