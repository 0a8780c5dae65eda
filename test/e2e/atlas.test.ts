import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');
/** Lamam district: its atlas has a cover and a dozen village sheets. */
const DISTRICT = 'SK-02';

/**
 * A member of staff prints a district atlas from the page: the page shows pages done of the
 * total while the PDF streams in, then offers the finished file.
 */
describe.skipIf(!fs.existsSync(CHROMIUM))('atlas printing in a browser', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
      execSync('npx vite build --config web/vite.config.ts', { cwd: ROOT, stdio: 'inherit' });
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    // Uncaught errors of the page, and anything logged about the atlas (the map's own tile
    // messages are the map test's business).
    page.on('console', (message) => {
      if (message.type() === 'error' && /atlas/i.test(message.text())) consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${server.url}/#area=${DISTRICT}`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
  });

  afterAll(async () => {
    // Let the map finish its tile requests, so none is cut off by the server closing.
    await page
      ?.evaluate(() => new Promise<void>((resolve) => {
        const map = (window as unknown as { tesseraMap?: { once(event: string, f: () => void): void; triggerRepaint(): void } }).tesseraMap;
        if (!map) return resolve();
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }))
      .catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('shows pages done of the total while the atlas streams, then offers the PDF', async () => {
    const control = page.locator('.atlas-download');
    await control.locator('button').waitFor({ timeout: 30_000 });
    // Every progress the page shows, as it shows it.
    await control.evaluate((element) => {
      const seen: string[] = [];
      (window as unknown as { atlasProgress: string[] }).atlasProgress = seen;
      new MutationObserver(() => {
        const status = element.querySelector('.atlas-status')?.textContent;
        const progress = element.querySelector('progress');
        if (status && progress) seen.push(`${progress.getAttribute('value') ?? '-'}/${progress.getAttribute('max')}|${status}`);
      }).observe(element, { childList: true, subtree: true });
    });
    await control.locator('button').click();
    await page.waitForFunction(() => document.querySelector('.atlas-download')?.getAttribute('data-state') === 'done', null, { timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { atlasProgress: string[] }).atlasProgress);
    const counted = seen.filter((s) => /^\d+\//.test(s)).map((s) => Number(s.split('/')[0]));
    // The total is the server's page count (x-atlas-pages): a cover, and a sheet per mapped village.
    const { rows } = await fetch(`${server.url}/api/areas?level=ban`).then((r) => r.json()).then((b: { areas: { code: string; bbox: unknown }[] }) => ({
      rows: b.areas.filter((a) => a.code.startsWith(`${DISTRICT}-`) && a.bbox),
    }));
    const pages = Number(/\/(\d+)\|/.exec(seen.at(-1)!)![1]);
    expect(pages).toBeGreaterThanOrEqual(1 + rows.length);
    // Pages were counted one after another up to the total, and told in words.
    expect(counted.at(-1)).toBe(pages);
    expect(new Set(counted).size).toBeGreaterThan(2);
    expect(counted).toEqual([...counted].sort((a, b) => a - b));
    expect(seen.at(-1)).toContain(`Atlas: ${pages} of ${pages} pages`);

    const link = control.locator('a.atlas-file');
    expect(await link.textContent()).toBe(`Open the atlas (PDF, ${pages} pages)`);
    expect(await link.getAttribute('download')).toBe(`${DISTRICT}-atlas.pdf`);
    const file = await link.evaluate(async (a: HTMLAnchorElement) => {
      const bytes = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
      return { head: String.fromCharCode(...bytes.slice(0, 5)), tail: String.fromCharCode(...bytes.slice(-6)), size: bytes.length };
    });
    expect(file.head).toBe('%PDF-');
    expect(file.tail).toContain('%%EOF');
    expect(file.size).toBeGreaterThan(50_000);
    await page.locator('#area, .atlas-download').first().screenshot({ path: path.join(ARTIFACTS, 'atlas-done.png') }).catch(() => undefined);
    expect(consoleErrors).toEqual([]);
  });
});
