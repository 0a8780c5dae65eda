import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYERS } from '../../web/src/map/style.js';
import { startTestServer } from '../helpers/server.js';
import { hasTool } from '../helpers/tools.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');

/** Centre of the test's own hierarchy, away from the demo province so no other test sees it. */
const CENTRE: [number, number] = [105.9, 15.55];
const METRES_PER_DEGREE = 111_320;

/**
 * A closed walk of `radiusM` around the centre at walking pace (15 s between fixes), with one
 * fix thrown 2 km away: a spike the cleaner must drop.
 */
function perimeterWalkGpx(radiusM: number, points = 80): string {
  const start = Date.UTC(2026, 10, 20, 2, 0, 0);
  const lines: string[] = [];
  for (let i = 0; i <= points; i++) {
    const angle = (2 * Math.PI * (i % points)) / points;
    let lon = CENTRE[0] + (radiusM * Math.cos(angle)) / (METRES_PER_DEGREE * Math.cos((CENTRE[1] * Math.PI) / 180));
    let lat = CENTRE[1] + (radiusM * Math.sin(angle)) / METRES_PER_DEGREE;
    if (i === 20) {
      lon += 0.02;
      lat += 0.01;
    }
    const time = new Date(start + i * 15_000).toISOString();
    lines.push(`<trkpt lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}"><ele>180</ele><time>${time}</time></trkpt>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="tessera e2e" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>E2E perimeter</name><trkseg>
${lines.join('\n')}
</trkseg></trk></gpx>
`;
}

/**
 * A mapper's day in the page, in a real browser against the real server: GPS files are checked
 * before they are stored (report and walks drawn on the map), then confirmed; the village's
 * boundary is derived from the walk, previewed and committed; a shapefile of villages is
 * mapped field by field and imported.
 */
describe.skipIf(!fs.existsSync(CHROMIUM))('a mapper uploads, derives and imports in the page', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let page: Page;
  let tmp: string;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${server.url}${pathname}`, {
      ...init,
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  const screenshot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const renderedCount = (layer: string, filter?: { code: string }) =>
    page.evaluate(
      async ({ layer, filter }) => {
        const map = window.tesseraMap!;
        await new Promise<void>((resolve) => {
          map.once('idle', () => resolve());
          map.triggerRepaint();
        });
        const features = map.queryRenderedFeatures({ layers: [layer] });
        return filter ? features.filter((f) => f.properties.code === filter.code).length : features.length;
      },
      { layer, filter },
    );

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
      execSync('npx vite build --config web/vite.config.ts', { cwd: ROOT, stdio: 'inherit' });
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-'));
    server = await startTestServer();
    const box = (dLon: number, dLat: number) => ({
      type: 'Polygon',
      coordinates: [[[CENTRE[0] - dLon, CENTRE[1] - dLat], [CENTRE[0] + dLon, CENTRE[1] - dLat], [CENTRE[0] + dLon, CENTRE[1] + dLat], [CENTRE[0] - dLon, CENTRE[1] + dLat], [CENTRE[0] - dLon, CENTRE[1] - dLat]]],
    });
    const hierarchy = [
      { level: 'province', code: 'E2W', name: 'E2E Province', centre: { type: 'Point', coordinates: CENTRE }, geometry: box(0.2, 0.2) },
      { level: 'district', parent: 'E2W', code: 'E2W-01', name: 'E2E District', centre: { type: 'Point', coordinates: CENTRE }, geometry: box(0.1, 0.1) },
      { level: 'kumban', parent: 'E2W-01', code: 'E2W-01-01', name: 'E2E Kumban', centre: { type: 'Point', coordinates: CENTRE }, geometry: box(0.05, 0.05) },
      { level: 'ban', parent: 'E2W-01-01', code: 'E2W-01-01-001', name: 'Ban E2E Walk', name_local: 'ບ້ານທົດສອບ', centre: { type: 'Point', coordinates: CENTRE } },
    ];
    for (const area of hierarchy) {
      const created = await api('/api/areas', { method: 'POST', body: JSON.stringify(area) });
      expect(created.status, await created.clone().text()).toBe(201);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${server.url}/#area=E2W-01-01-001`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
    await page.fill('#token-input', server.adminToken);
    await page.locator('#token-input').dispatchEvent('change');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('checks a GPX walk, draws it before storing anything, then stores it on confirmation', async () => {
    const gpx = path.join(tmp, 'e2e-walk.gpx');
    fs.writeFileSync(gpx, perimeterWalkGpx(400));
    const tracksBefore = (await (await api('/api/tracks.geojson?area=E2W-01-01-001')).json()).features.length;
    await page.setInputFiles('#upload-files', gpx);
    await expect.poll(() => page.locator('#upload .upload-files progress').count()).toBe(1);
    await page.locator('#upload button[type="submit"]').click();
    await page.locator('#upload .upload-check').waitFor({ timeout: 20_000 });
    const report = page.locator('#upload .file-report');
    expect(await report.locator('h4').textContent()).toContain('e2e-walk.gpx');
    expect(await report.locator('.dropped-reasons').textContent()).toMatch(/speed/);
    expect(await page.locator('#upload .upload-files progress').getAttribute('value')).toBe('100');
    await expect.poll(() => renderedCount(LAYERS.uploadClean), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await renderedCount(LAYERS.uploadRaw)).toBeGreaterThan(0);
    expect(await renderedCount(LAYERS.uploadDropped)).toBeGreaterThan(0);
    await screenshot('upload-preview');
    // Nothing stored by the check.
    expect((await (await api('/api/tracks.geojson?area=E2W-01-01-001')).json()).features.length).toBe(tracksBefore);

    await page.locator('#upload .upload-check button.primary').click();
    await page.locator('#upload .upload-report .success').waitFor({ timeout: 20_000 });
    expect(await renderedCount(LAYERS.uploadClean)).toBe(0);
    const tracks = (await (await api('/api/tracks.geojson?area=E2W-01-01-001')).json()).features;
    expect(tracks.length).toBe(tracksBefore + 1);
    await expect.poll(() => renderedCount(LAYERS.trackLine), { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshot('upload-stored');
  });

  it('derives the village boundary from the walk, previews it and commits it to the map', async () => {
    expect(await renderedCount(LAYERS.villageFill, { code: 'E2W-01-01-001' })).toBe(0);
    await page.selectOption('#derive-method', 'perimeter');
    await page.locator('#derive button[data-action="preview"]').click();
    await page.locator('#derive .derive-preview').waitFor({ timeout: 20_000 });
    await expect.poll(() => renderedCount(LAYERS.previewOutline), { timeout: 15_000 }).toBeGreaterThan(0);
    const areaText = await page.locator('#derive .derive-preview dd').first().textContent();
    // A 400 m circle walked in 80 steps: about 50 ha.
    const hectares = Number(areaText!.replace(/[^\d.]/g, ''));
    expect(hectares).toBeGreaterThan(45);
    expect(hectares).toBeLessThan(52);
    await screenshot('derive-preview');
    await page.locator('#derive .derive-preview button.primary').click();
    await page.locator('#derive .success').waitFor({ timeout: 20_000 });
    const area = (await (await api('/api/areas/E2W-01-01-001')).json()).area;
    expect(area.method).toBe('perimeter');
    expect(area.area_m2 / 10_000).toBeCloseTo(hectares, 0);
    await expect.poll(() => renderedCount(LAYERS.villageFill, { code: 'E2W-01-01-001' }), { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshot('derive-committed');
  });

  it.skipIf(!hasTool('ogr2ogr'))('maps the fields of a shapefile and imports its villages', async () => {
    const square = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];
    const source = path.join(tmp, 'villages.geojson');
    fs.writeFileSync(source, JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { VIL_CODE: 'E2W-01-01-101', NAME_E: 'Ban Shapefile Nuea', NAME_LO: 'ບ້ານເໜືອ', POP: 412 }, geometry: { type: 'Polygon', coordinates: square(105.86, 15.52, 0.01) } },
        { type: 'Feature', properties: { VIL_CODE: 'E2W-01-01-102', NAME_E: 'Ban Shapefile Tai', NAME_LO: 'ບ້ານໃຕ້', POP: 288 }, geometry: { type: 'Polygon', coordinates: square(105.87, 15.52, 0.01) } },
      ],
    }));
    const shp = path.join(tmp, 'e2e_villages.shp');
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=UTF-8', shp, source]);
    const parts = ['shp', 'shx', 'dbf', 'prj', 'cpg'].map((ext) => path.join(tmp, `e2e_villages.${ext}`)).filter((file) => fs.existsSync(file));
    await page.evaluate(() => (window.location.hash = 'area=E2W-01-01'));
    await page.waitForFunction(() => document.querySelector('.area-name')?.textContent === 'E2E Kumban');
    await page.setInputFiles('#upload-files', parts);
    await page.locator('#upload button[type="submit"]').click();
    await page.locator('#upload .dataset-form').waitFor({ timeout: 20_000 });
    // The form starts from what the field names say; the mapper completes it.
    await page.selectOption('#dataset-level', 'ban');
    await page.selectOption('#dataset-field-code', 'VIL_CODE');
    await page.selectOption('#dataset-field-name', 'NAME_E');
    await page.selectOption('#dataset-field-name_local', 'NAME_LO');
    await page.selectOption('#dataset-field-population', 'POP');
    if (await page.locator('#dataset-contains').isChecked()) await page.locator('#dataset-contains').uncheck();
    await page.fill('#dataset-parent', 'E2W-01-01');
    await page.locator('#dataset-parent').dispatchEvent('change');
    await screenshot('dataset-mapping');
    await page.locator('#upload .upload-check button.primary').click();
    await page.locator('#upload .upload-report .success').waitFor({ timeout: 20_000 });
    const imported = (await (await api('/api/areas?parent=E2W-01-01')).json()).areas as { code: string; name_local: string; population: number | null }[];
    const byCode = new Map(imported.map((a) => [a.code, a]));
    expect(byCode.get('E2W-01-01-101')).toMatchObject({ name_local: 'ບ້ານເໜືອ', population: 412 });
    expect(byCode.get('E2W-01-01-102')).toMatchObject({ name_local: 'ບ້ານໃຕ້', population: 288 });
    // The page reloads its areas after an import: the new villages are in the hierarchy tree.
    await page.fill('#search-input', 'Shapefile Nuea');
    await page.locator('.search-result[data-code="E2W-01-01-101"]').waitFor({ timeout: 10_000 });
    await screenshot('dataset-imported');
  });

  it('talks only to its own server and logs no errors', () => {
    const origin = new URL(server.url).origin;
    const foreign = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
