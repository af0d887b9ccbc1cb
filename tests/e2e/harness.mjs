// Shared pieces of the browser tests: a server on loopback and Debian's Chromium via playwright-core.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const shared = path.resolve(repo, '..', 'shared', 'data');
export const artifacts = path.join(repo, 'test-artifacts');
fs.mkdirSync(artifacts, { recursive: true });

/// Starts scripts/serve.mjs on a free port; resolves to {url, stop()}.
export async function start_server(extra = []) {
    const port = 18000 + Math.floor(Math.random() * 2000);
    const proc = spawn(process.execPath, [path.join(repo, 'scripts', 'serve.mjs'), '--port', String(port), ...extra],
        { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
        proc.stdout.on('data', (d) => { if (String(d).includes('serving')) resolve(); });
        proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    return { url: `http://127.0.0.1:${port}/`, stop: () => proc.kill() };
}

/// Launches headless Chromium with a fresh profile; extra_args for fake media etc.
export async function launch(extra_args = []) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', ...extra_args],
    });
    const errors = [];
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    return { context, page, errors, close: async () => { await context.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

export async function wait_ready(page, timeout = 60000) {
    await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout });
}
