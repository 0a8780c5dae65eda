import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { MultiPolygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { Database } from '../db/database.js';
import { disputeRows } from './panels.js';

const hasPoppler = hasTool('pdftotext', ['-v']);
const artifacts = join(dirname(fileURLToPath(import.meta.url)), '../../artifacts/print');
const pdftotext = (pdf: Buffer, ...args: string[]) => execFileSync('pdftotext', [...args, '-', '-'], { input: pdf }).toString('utf8');

describe('disputeRows', () => {
  it('lists contested areas in hectares, then disputed stretches in metres or kilometres', () => {
    const square: MultiPolygon = { type: 'MultiPolygon', coordinates: [[[[0, 0], [0.001, 0], [0.001, 0.001], [0, 0.001], [0, 0]]]] };
    const rows = disputeRows({
      disputes: [{ geometry: square, projected: square, other: 'Ban A', status: 'open', area_m2: 12_345 }],
      disputedLines: [
        { geometry: { type: 'MultiLineString', coordinates: [] }, projected: { type: 'MultiLineString', coordinates: [] }, other: 'Ban B', status: 'disputed', length_m: 845.4 },
        { geometry: { type: 'MultiLineString', coordinates: [] }, projected: { type: 'MultiLineString', coordinates: [] }, other: null, status: 'negotiating', length_m: 2_345 },
        { geometry: { type: 'MultiLineString', coordinates: [] }, projected: { type: 'MultiLineString', coordinates: [] }, other: 'Ban C', status: 'open', length_m: 99.6, claim: 'own' },
        { geometry: { type: 'MultiLineString', coordinates: [] }, projected: { type: 'MultiLineString', coordinates: [] }, other: 'Ban C', status: 'open', length_m: 120, claim: 'other' },
      ],
    });
    expect(rows).toEqual([
      { kind: 'dispute', label: 'Area', other: 'Ban A', measure: '1.23 ha', status: 'open' },
      { kind: 'disputedLine', label: 'Boundary', other: 'Ban B', measure: '845 m', status: 'disputed' },
      { kind: 'disputedLine', label: 'Boundary', other: 'outer edge', measure: '2.35 km', status: 'negotiating' },
      { kind: 'disputedLine', label: 'Our claim', other: 'Ban C', measure: '100 m', status: 'open' },
      { kind: 'disputedLine', label: 'Their claim', other: 'Ban C', measure: '120 m', status: 'open' },
    ]);
  });
});

/**
 * Two neighbouring demo villages of Kumban SK-04-02 disagree: Ban Thong Ngua claims a 150 m
 * strip of Ban Pak Khoun along their common boundary, and the boundary line itself is marked
 * disputed. The village map must hatch the strip, dash the line, and list both.
 */
describe.skipIf(!hasPoppler)('disputes on the village sheet', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t));

  it('draws and lists the contested area and the disputed stretch, on the map and in the atlas', async () => {
    const { rows: [claim] } = await db.pool.query<{ strip: MultiPolygon; line: string; length_m: number; other: string }>(
      `WITH a AS (SELECT * FROM area WHERE code = 'SK-04-02-002'), b AS (SELECT * FROM area WHERE code = 'SK-04-02-003'),
            shared AS (
              SELECT d.geom FROM a, b, ST_Dump(ST_CollectionExtract(ST_Intersection(ST_Boundary(a.geom), ST_Buffer(b.geom::geography, 30)::geometry), 2)) d
              ORDER BY ST_Length(d.geom) DESC LIMIT 1)
       SELECT ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_Intersection(a.geom, ST_Buffer(b.geom::geography, 150)::geometry), 3)), 7)::json AS strip,
              ST_AsEWKT(shared.geom) AS line, ST_Length(shared.geom::geography) AS length_m, b.name AS other
       FROM a, b, shared`,
    );
    expect(claim.length_m).toBeGreaterThan(500);
    const opened = await app.inject({
      method: 'POST', url: '/api/disputes', headers: adminAuth(),
      payload: { area_a: 'SK-04-02-002', area_b: 'SK-04-02-003', geometry: claim.strip },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const contestedHa = opened.json().dispute.area_m2 / 10_000;
    await db.pool.query(
      `INSERT INTO boundary (left_area_id, right_area_id, geom, status)
       SELECT a.id, b.id, ST_GeomFromEWKT($1), 'disputed' FROM area a, area b WHERE a.code = 'SK-04-02-002' AND b.code = 'SK-04-02-003'`,
      [claim.line],
    );

    const res = await app.inject('/api/maps/SK-04-02-002.pdf');
    expect(res.statusCode).toBe(200);
    const text = pdftotext(res.rawPayload, '-layout');
    expect(text).toContain('DISPUTES');
    expect(text).toContain('Disputed area');
    expect(text).toContain('Disputed boundary');
    const ha = contestedHa.toFixed(2);
    expect(text).toMatch(new RegExp(`Area\\s+${claim.other}\\s+${ha} ha\\s+open`));
    const length = claim.length_m >= 1000 ? `${(claim.length_m / 1000).toFixed(2)} km` : `${Math.round(claim.length_m)} m`;
    expect(text).toMatch(new RegExp(`Boundary\\s+${claim.other}\\s+${length}\\s+disputed`));
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'village-disputes.png'), execFileSync('pdftoppm', ['-png', '-r', '110', '-singlefile', '-'], { input: res.rawPayload }));

    // The neighbour's sheet shows the same dispute from its side, and so does the atlas page.
    const other = pdftotext((await app.inject('/api/maps/SK-04-02-003.pdf')).rawPayload, '-layout');
    expect(other).toMatch(new RegExp(`Area\\s+Ban Pak Khoun\\s+${ha} ha\\s+open`));
    const atlas = await app.inject('/api/areas/SK-04-02/atlas.pdf');
    expect(atlas.statusCode).toBe(200);
    const pages = pdftotext(atlas.rawPayload, '-layout').split('\f');
    const sheet = pages.find((p) => p.includes('SK-04-02-002 · version'));
    expect(sheet).toMatch(new RegExp(`Boundary\\s+${claim.other}\\s+${length}\\s+disputed`));
  });

  it('draws both claimed lines of a boundary-line dispute and the land between them', async () => {
    // Ban Tha Hin (SK-04-02-004) says the line with Ban Phon Samakhi is where it was walked;
    // Ban Phon Samakhi says it bulges up to 200 m east in the middle.
    const { rows: [shared] } = await db.pool.query<{ line: { type: 'LineString'; coordinates: number[][] }; other: string }>(
      `WITH a AS (SELECT * FROM area WHERE code = 'SK-04-02-004'), b AS (SELECT * FROM area WHERE code = 'SK-04-02-005')
       SELECT ST_AsGeoJSON(d.geom, 7)::json AS line, b.name AS other
       FROM a, b, ST_Dump(ST_CollectionExtract(ST_Intersection(ST_Boundary(a.geom), ST_Buffer(b.geom::geography, 30)::geometry), 2)) d
       ORDER BY ST_Length(d.geom) DESC LIMIT 1`,
    );
    const claimA = shared.line;
    const last = claimA.coordinates.length - 1;
    const claimB = { type: 'LineString', coordinates: claimA.coordinates.map(([x, y], i) => [x + 0.002 * Math.sin((Math.PI * i) / last), y]) };
    const opened = await app.inject({
      method: 'POST', url: '/api/disputes', headers: adminAuth(),
      payload: { area_a: 'SK-04-02-004', area_b: 'SK-04-02-005', lines: { a: claimA, b: claimB } },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const { rows: [lengths] } = await db.pool.query<{ a: number; b: number }>(
      `SELECT ST_Length(ST_GeomFromGeoJSON($1)::geography) AS a, ST_Length(ST_GeomFromGeoJSON($2)::geography) AS b`,
      [JSON.stringify(claimA), JSON.stringify(claimB)],
    );
    const measure = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(2)} km` : `${Math.round(m)} m`);

    const map = await app.inject('/api/maps/SK-04-02-004.pdf');
    expect(map.statusCode).toBe(200);
    const text = pdftotext(map.rawPayload, '-layout');
    expect(text).toMatch(new RegExp(`Area\\s+${shared.other}\\s+${(opened.json().dispute.area_m2 / 10_000).toFixed(2)} ha\\s+open`));
    expect(text).toMatch(new RegExp(`Our claim\\s+${shared.other}\\s+${measure(lengths.a)}\\s+open`));
    expect(text).toMatch(new RegExp(`Their claim\\s+${shared.other}\\s+${measure(lengths.b)}\\s+open`));
    // From the other side, the claims swap.
    const other = pdftotext((await app.inject('/api/maps/SK-04-02-005.pdf')).rawPayload, '-layout');
    expect(other).toMatch(new RegExp(`Our claim\\s+Ban Tha Hin\\s+${measure(lengths.b)}\\s+open`));
    writeFileSync(join(artifacts, 'village-claimed-lines.png'), execFileSync('pdftoppm', ['-png', '-r', '110', '-singlefile', '-'], { input: map.rawPayload }));
  });
});
