import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { indexEntries, overviewDenominator, planCover } from './atlasCover.js';
import type { AtlasArea } from './atlasModel.js';

const hasPoppler = spawnSync('pdftotext', ['-v']).error === undefined;
const artifacts = join(dirname(fileURLToPath(import.meta.url)), '../../artifacts/print');

function poppler(tool: string, args: string[], pdf: Buffer): Buffer {
  return execFileSync(tool, args, { input: pdf, maxBuffer: 256 * 1024 * 1024 });
}

describe('atlas cover planning', () => {
  it('keeps a kumban index on the cover and spills a 70-village index onto one more page', () => {
    expect(planCover(6).continuationPages).toBe(0);
    for (let n = 1; n <= 25; n++) expect(planCover(n).continuationPages, `${n} villages`).toBe(0);
    expect(planCover(26).continuationPages).toBe(1);
    const big = planCover(70);
    expect(big.continuationPages).toBe(1);
    expect(big.coverRows + big.rowsPerPage).toBeGreaterThanOrEqual(70);
  });

  it('numbers sheets after the index pages and gives unmapped villages no page', () => {
    const village = (code: string, mapped: boolean) => ({ code, geometry: mapped ? { type: 'MultiPolygon', coordinates: [] } : null }) as unknown as AtlasArea;
    const entries = indexEntries({ villages: [village('A', true), village('B', false), village('C', true)] }, { ...planCover(3), continuationPages: 1 });
    expect(entries.map((e) => [e.number, e.page])).toEqual([[1, 3], [2, null], [3, 4]]);
  });

  it('rounds the overview scale up to a tidy step', () => {
    expect(overviewDenominator(63_400)).toBe(65_000);
    expect(overviewDenominator(120_001)).toBe(150_000);
  });
});

describe.skipIf(!hasPoppler)('GET /api/areas/:id/atlas.pdf', () => {
  let app: FastifyInstance;
  let db: Database;
  let villages: { code: string; name: string; name_local: string; mapped: boolean }[];
  let pdf: Buffer;
  let pagesHeader: string | undefined;

  beforeAll(async () => {
    ({ app, db } = await testApp());
    ({ rows: villages } = await db.pool.query(
      `SELECT code, name, name_local, geom IS NOT NULL AS mapped FROM area WHERE code LIKE 'SK-02-01-%' ORDER BY code`,
    ));
    const res = await app.inject({ method: 'GET', url: '/api/areas/SK-02-01/atlas.pdf' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    pagesHeader = res.headers['x-atlas-pages'] as string;
    pdf = res.rawPayload;
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'atlas-SK-02-01.pdf'), pdf);
  });

  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('has the cover and one page per village with a boundary', () => {
    const mapped = villages.filter((v) => v.mapped).length;
    expect(mapped).toBe(5);
    const info = poppler('pdfinfo', ['-'], pdf).toString('utf8');
    expect(info).toMatch(new RegExp(`Pages:\\s+${1 + mapped}\\n`));
    expect(pagesHeader).toBe(String(1 + mapped));
    expect(info).toMatch(/Title:\s+Vangsai \(ວັງໄຊ\): kumban atlas/);
  });

  it('names every village in both scripts, and indexes each mapped one to its page', () => {
    const text = poppler('pdftotext', ['-layout', '-', '-'], pdf).toString('utf8');
    const [cover, ...sheets] = text.split('\f');
    for (const v of villages) {
      expect(cover).toContain(v.name);
      expect(cover).toContain(v.name_local);
    }
    villages.filter((v) => v.mapped).forEach((v, i) => {
      expect(cover).toMatch(new RegExp(`${v.code}.*\\s${i + 2}\\n`));
      expect(sheets[i]).toContain(v.name_local);
      expect(sheets[i]).toContain(`page ${i + 2} of 6`);
    });
  });

  it('renders the cover and a village page to PNG for a look', () => {
    const cover = poppler('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', '-'], pdf);
    const page = poppler('pdftoppm', ['-png', '-r', '110', '-f', '2', '-l', '2', '-singlefile', '-'], pdf);
    writeFileSync(join(artifacts, 'atlas-cover.png'), cover);
    writeFileSync(join(artifacts, 'atlas-page-2.png'), page);
    expect(cover.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('prints a district atlas with kumbans in the index', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/areas/SK-01/atlas.pdf' });
    expect(res.statusCode).toBe(200);
    // Other test files add villages to Thateng, so the expectation is counted, not fixed.
    const { rows: [{ n, total }] } = await db.pool.query<{ n: number; total: number }>(
      `SELECT count(*) FILTER (WHERE v.geom IS NOT NULL) AS n, count(*) AS total
       FROM area v JOIN area k ON k.id = v.parent_id JOIN area d ON d.id = k.parent_id WHERE d.code = 'SK-01'`,
    );
    const pages = 1 + planCover(total).continuationPages + n;
    expect(res.headers['x-atlas-pages']).toBe(String(pages));
    expect(poppler('pdfinfo', ['-'], res.rawPayload).toString('utf8')).toMatch(new RegExp(`Pages:\\s+${pages}\\n`));
    const cover = poppler('pdftotext', ['-f', '1', '-l', '1', '-layout', '-', '-'], res.rawPayload).toString('utf8');
    expect(cover).toContain('Houiysai');
    writeFileSync(join(artifacts, 'atlas-district-cover.png'), poppler('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', '-'], res.rawPayload));
  });

  it.each([
    ['/api/areas/SK-02-01-001/atlas.pdf', 422, 'WRONG_LEVEL', /one or two levels above the villages.*SK-02-01-001 is a ban/],
    ['/api/areas/SK-02-99/atlas.pdf', 404, 'NOT_FOUND', /SK-02-99/],
  ])('%s → %i %s', async (url, status, code, message) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: code });
    expect(res.json().message).toMatch(message);
  });
});
