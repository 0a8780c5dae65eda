import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MultiPolygon } from 'geojson';
import type { AreaSummary } from '../../web/src/api/types.js';
import { MAP_COLOURS } from '../../web/src/map/palette.js';
import { LAYERS } from '../../web/src/map/style.js';
import { startTestServer } from '../helpers/server.js';
import { decodePng, hexToRgb, shareUnlike } from './png.js';
import { SANDBOX_KUMBAN } from '../helpers/sandbox.js';
import { COUNTRY_LEVEL_NAMES } from '../../server/areas/levels.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');

/**
 * The page as a planner uses it, in a real browser against the real server with the demo
 * province: the zoning is drawn, villages can be found by Lao name, through the tree and on
 * the map, the URL records the view, and nothing is fetched from any other host.
 */
describe.skipIf(!fs.existsSync(CHROMIUM))('web map in a browser', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let page: Page;
  let village: AreaSummary;
  /** A village given a second version through the API, to compare and restore in the page. */
  let edited: AreaSummary;
  let villageCount: number;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const missingImages: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const hashArea = () => new URL(page.url()).hash.match(/area=([^&]+)/)?.[1];
  /** Resolves when the map has drawn everything it was asked to (tiles, labels, moves). */
  const waitForIdleMap = () =>
    page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const map = window.tesseraMap!;
          map.once('idle', () => resolve());
          map.triggerRepaint();
        }),
    );

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
      execSync('npx vite build --config web/vite.config.ts', { cwd: ROOT, stdio: 'inherit' });
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/areas?level=ban`);
    const { areas } = (await response.json()) as { areas: AreaSummary[] };
    const drawn = areas.filter((area) => area.bbox && area.centre && area.name_local);
    expect(drawn.length).toBeGreaterThan(0);
    village = drawn[Math.floor(drawn.length / 2)];
    villageCount = areas.length;
    edited = drawn[0];
    const shifted = (await (await fetch(`${server.url}/api/areas/${edited.code}.geojson`)).json()) as { geometry: MultiPolygon };
    // Moved ~300 m east: an edit a planner would want to compare and undo.
    shifted.geometry.coordinates = shifted.geometry.coordinates.map((polygon) => polygon.map((ring) => ring.map(([x, y]) => [x + 0.003, y])));
    const patched = await fetch(`${server.url}/api/areas/${edited.code}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json', 'if-match': String(edited.version) },
      body: JSON.stringify({ geometry: shifted.geometry, reason: 'moved in the e2e test' }),
    });
    expect(patched.status).toBe(200);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
      if (/could not be loaded/.test(message.text())) missingImages.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
    await waitForIdleMap();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the zoning over most of the map', async () => {
    await screenshot('overview');
    const map = decodePng(await page.locator('#map canvas').screenshot());
    // The province fills the initial view; plain background alone would be a blank map.
    expect(shareUnlike(map, hexToRgb(MAP_COLOURS.background))).toBeGreaterThan(0.25);
    expect(new URL(page.url()).hash).toMatch(/^#map=[\d.]+\/-?[\d.]+\/-?[\d.]+/);
  });

  it('labels the first view without waiting for a second placement', async () => {
    // Label pictures are drawn on demand; one MapLibre could not get in time would be missing
    // from the first view and only appear after the next pan.
    const labelled = await page.evaluate(
      (layers) => window.tesseraMap!.queryRenderedFeatures({ layers }).length,
      [LAYERS.districtLabels, LAYERS.kumbanLabels, LAYERS.villageLabels],
    );
    expect(labelled).toBeGreaterThan(0);
    expect(missingImages).toEqual([]);
  });

  it('draws the areas from vector tiles and shows the zoning progress of everything', async () => {
    expect(requests.some((url) => /\/tiles\/zoning\/\d+\/\d+\/\d+\.mvt/.test(url))).toBe(true);
    expect(requests.some((url) => url.includes('/api/areas.geojson'))).toBe(false);
    const bars = page.locator('#progress .progress-chart g[data-status]');
    await expect.poll(() => bars.count()).toBe(6);
    const counts = await bars.evaluateAll((groups) => groups.map((g) => Number(g.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(villageCount);
    expect(await page.locator('#progress .progress-name').textContent()).toBe('All areas');
    await page.locator('#progress').screenshot({ path: path.join(ARTIFACTS, 'progress-all.png') });
  });

  it('finds the village under its centre with queryRenderedFeatures', async () => {
    const [lon, lat] = village.centre!.coordinates;
    const codes = await page.evaluate(
      async ({ lon, lat, layer }) => {
        const map = window.tesseraMap!;
        map.jumpTo({ center: [lon, lat], zoom: 12 });
        await new Promise((resolve) => map.once('idle', resolve));
        const point = map.project([lon, lat]);
        return map.queryRenderedFeatures(point, { layers: [layer] }).map((feature) => feature.properties.code as string);
      },
      { lon, lat, layer: LAYERS.villageFill },
    );
    expect(codes).toContain(village.code);
  });

  it('finds a village by its Lao name and selects it', async () => {
    await page.fill('#search-input', village.name_local);
    const result = page.locator(`.search-result[data-code="${village.code}"]`);
    await result.waitFor({ timeout: 10_000 });
    await result.click();
    await page.waitForFunction((code) => window.location.hash.includes(`area=${code}`), village.code);
    await expect.poll(() => page.locator('.area-local').textContent()).toBe(village.name_local);
    await waitForIdleMap();
    await screenshot('village-selected');
  });

  it('selects an area from the hierarchy tree and records it in the URL', async () => {
    const row = page.locator('.tree-row.level-district').first();
    const code = await row.getAttribute('data-code');
    expect(code).toBeTruthy();
    await row.click();
    await page.waitForFunction((expected) => window.location.hash.includes(`area=${expected}`), code);
    expect(hashArea()).toBe(code);
    expect(await row.getAttribute('aria-current')).toBe('true');
    await expect.poll(() => page.locator('#progress .progress-name').getAttribute('data-code')).toBe(code);
    await waitForIdleMap();
    await screenshot('district-selected');
    // A district offers its atlas (printed with progress: the atlas test follows it) and its
    // data, which answers from the same server.
    await expect.poll(() => page.locator('#area .atlas-download[data-state="idle"] button').count()).toBe(1);
    const csvHref = await page.locator('#area .downloads a[href$=".csv"]').getAttribute('href');
    const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), csvHref);
    expect(csv).toContain(code);
  });

  it('lists a kumban\'s villages in the tree when it is opened, asking for them only then', async () => {
    // The page starts with the levels above the villages; a country's villages are not loaded up front.
    expect(requests.some((url) => /\/api\/areas\?level=ban\b/.test(url))).toBe(false);
    const kumbans = (await (await fetch(`${server.url}/api/areas?level=kumban`)).json()).areas as AreaSummary[];
    const asked = (code: string) => requests.some((url) => url.endsWith(`/api/areas?parent=${encodeURIComponent(code)}`));
    const kumban = kumbans.find((k) => k.code !== village.parent_code && k.code !== edited.parent_code && !asked(k.code))!;
    const children = (await (await fetch(`${server.url}/api/areas?parent=${kumban.code}`)).json()).areas as AreaSummary[];
    expect(children.length).toBeGreaterThan(0);
    const toggle = page.locator(`[data-toggle="${kumban.code}"]`);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    for (const child of children) await page.locator(`.tree-row[data-code="${child.code}"]`).waitFor({ timeout: 10_000 });
    expect(asked(kumban.code)).toBe(true);
  });

  it('selects a village clicked on the map', async () => {
    const [lon, lat] = village.centre!.coordinates;
    const point = await page.evaluate(
      async ({ lon, lat }) => {
        const map = window.tesseraMap!;
        map.jumpTo({ center: [lon, lat], zoom: 12 });
        await new Promise((resolve) => map.once('idle', resolve));
        return map.project([lon, lat]);
      },
      { lon, lat },
    );
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + point.x, box.y + point.y);
    await page.waitForFunction((code) => window.location.hash.includes(`area=${code}`), village.code);
    expect(await page.locator('.area-name').textContent()).toBe(village.name);
  });

  it('reproduces view and selection from a link', async () => {
    const link = page.url();
    const other = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    other.on('request', (request) => requests.push(request.url()));
    other.on('pageerror', (error) => consoleErrors.push(error.message));
    await other.goto(link);
    await other.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
    expect(await other.locator('.area-name').textContent()).toBe(village.name);
    const zoom = await other.evaluate(() => window.tesseraMap!.getZoom());
    expect(zoom).toBeCloseTo(12, 1);
    // The legend counts every village by status, not only the selected one's.
    const legendCounts = other.locator('#legend .legend-count');
    await expect.poll(() => legendCounts.count()).toBe(6);
    const counted = await legendCounts.evaluateAll((spans) => spans.map((span) => Number(span.textContent)));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(villageCount);
    await other.close();
  });

  it('names the boundary lines of the legend as the server names the levels', async () => {
    expect(await page.locator('#legend .legend-label').allTextContents()).toEqual(expect.arrayContaining(['District boundary', 'Kumban boundary']));
    // A Cambodian deployment (TESSERA_COUNTRY=KH) calls the kumban level a commune: the page
    // takes the names from /api/levels, here rewritten as such a server would answer.
    const other = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    other.on('pageerror', (error) => consoleErrors.push(error.message));
    await other.route('**/api/levels', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { levels: { key: string; label: string; label_local: string | null }[] };
      body.levels.forEach((level, rank) => Object.assign(level, COUNTRY_LEVEL_NAMES.KH[rank]));
      await route.fulfill({ response, json: body });
    });
    await other.goto(server.url);
    await other.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
    const labels = await other.locator('#legend .legend-label').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['District boundary', 'Commune boundary']));
    expect(labels).not.toContain('Kumban boundary');
    await other.close();
  });

  it('marks the readings dropped from a walked village\'s tracks', async () => {
    await page.evaluate(() => (window.location.hash = 'area=SK-01-01-002'));
    await page.waitForFunction(() => document.querySelector('.area-name')?.textContent === 'Ban Kok Ling');
    await expect
      .poll(
        async () => {
          await waitForIdleMap();
          return page.evaluate((layer) => window.tesseraMap!.queryRenderedFeatures({ layers: [layer] }).length, LAYERS.droppedReadings);
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    const reasons = await page.evaluate(
      (layer) => [...new Set(window.tesseraMap!.queryRenderedFeatures({ layers: [layer] }).map((f) => f.properties.drop_reason as string))],
      LAYERS.droppedReadings,
    );
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((reason) => /^[a-z_]+$/.test(reason))).toBe(true);
    await screenshot('dropped-readings');
  });

  it('compares an earlier version on the map and restores it', async () => {
    await page.evaluate((code) => (window.location.hash = `area=${code}`), edited.code);
    const items = page.locator('#history .history-item');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const first = page.locator('#history .history-item[data-version="1"]');
    await first.locator('.history-compare').click();
    await expect
      .poll(async () => {
        await waitForIdleMap();
        return page.evaluate((layer) => window.tesseraMap!.queryRenderedFeatures({ layers: [layer] }).length, LAYERS.compareOutline);
      })
      .toBeGreaterThan(0);
    await screenshot('history-compare');
    await page.fill('#token-input', server.adminToken);
    await page.locator('#token-input').dispatchEvent('change');
    const before = (await (await fetch(`${server.url}/api/areas/${edited.code}`)).json()).area.version as number;
    await first.locator('.history-restore').click();
    await page.locator('#history .success').waitFor({ timeout: 10_000 });
    expect(await page.locator('#history .success').textContent()).toBe(`Version 1 restored as version ${before + 1}.`);
    const restored = (await (await fetch(`${server.url}/api/areas/${edited.code}`)).json()).area;
    expect(restored.version).toBe(before + 1);
    expect(restored.bbox).toEqual(edited.bbox);
    await expect.poll(() => page.locator('#history .history-item[aria-current="true"]').getAttribute('data-version')).toBe(String(before + 1));
    await waitForIdleMap();
    await screenshot('history-restored');
  });

  it('walks a dispute to resolution from the village panel', async () => {
    const headers = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' };
    const rect = (x0: number, x1: number) => ({ type: 'Polygon', coordinates: [[[x0, 15.4], [x1, 15.4], [x1, 15.41], [x0, 15.41], [x0, 15.4]]] });
    for (const [code, x0, x1] of [['E2E-DA', 106.9, 106.912], ['E2E-DB', 106.91, 106.92]] as const) {
      const created = await fetch(`${server.url}/api/areas`, {
        method: 'POST', headers,
        body: JSON.stringify({ level: 'ban', parent: SANDBOX_KUMBAN, code, name: `Ban ${code}`, centre: { type: 'Point', coordinates: [(x0 + x1) / 2, 15.405] }, geometry: rect(x0, x1) }),
      });
      expect(created.status).toBe(201);
    }
    const opened = await fetch(`${server.url}/api/disputes`, { method: 'POST', headers, body: JSON.stringify({ area_a: 'E2E-DA', area_b: 'E2E-DB' }) });
    const { dispute } = await opened.json();
    const other = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    other.on('request', (request) => requests.push(request.url()));
    other.on('pageerror', (error) => consoleErrors.push(error.message));
    await other.goto(`${server.url}/#area=E2E-DA`);
    await other.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
    await other.locator('#disputes .dispute[data-status="open"]').waitFor({ timeout: 10_000 });
    const contested = () =>
      other.evaluate(async (layer) => {
        const map = window.tesseraMap!;
        await new Promise<void>((resolve) => {
          map.once('idle', () => resolve());
          map.triggerRepaint();
        });
        return map.queryRenderedFeatures({ layers: [layer] }).length;
      }, LAYERS.disputedLand);
    // The contested strip is hatched on the map while the dispute is open, and no longer once resolved.
    await expect.poll(contested, { timeout: 15_000 }).toBeGreaterThan(0);
    await other.screenshot({ path: path.join(ARTIFACTS, 'dispute-open.png') });
    await other.fill('#token-input', server.adminToken);
    await other.locator('#token-input').dispatchEvent('change');
    await other.fill('#disputes textarea[name="outcome"]', 'Both chiefs agreed: the stream bank goes to E2E-DB.');
    await other.locator('#disputes button[data-assign="E2E-DB"]').click();
    await other.locator('#disputes .dispute[data-status="resolved"]').waitFor({ timeout: 10_000 });
    const after = (await (await fetch(`${server.url}/api/disputes/${dispute.id}`)).json()).dispute;
    expect(after).toMatchObject({ status: 'resolved', resolution: { assigned_to: 'E2E-DB' } });
    expect(after.notes.map((n: { outcome: string }) => n.outcome)).toEqual(['Both chiefs agreed: the stream bank goes to E2E-DB.']);
    await expect.poll(contested, { timeout: 15_000 }).toBe(0);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await other.screenshot({ path: path.join(ARTIFACTS, 'dispute-resolved.png') });
    await other.close();
  });

  it('switches the interface to Lao', async () => {
    await page.selectOption('#language-select', 'lo');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('lo');
    expect(await page.locator('label[for="search-input"]').textContent()).toBe('ຄົ້ນຫາເຂດ');
    await page.evaluate(() => window.tesseraMap!.zoomOut({ duration: 0 }));
    await waitForIdleMap();
    await screenshot('lao-interface');
    await page.selectOption('#language-select', 'en');
  });

  it('talks only to its own server and logs no errors', () => {
    const origin = new URL(server.url).origin;
    const foreign = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
    expect(requests.length).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
