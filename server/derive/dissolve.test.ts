import fs from 'node:fs';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test/helpers/app.js';
import { communesZip, departementOf, loadCommunes, readCommunes, type Commune } from '../../scripts/bench/france-communes.js';
import type { Database } from '../db/database.js';
import { dissolve, type DissolvedGroup } from './dissolve.js';

/** Cells of 0.001° (about 107 m x 111 m at 15.4° N) around Sekong; (i, j) counts cells east and north. */
const D = 0.001;
const at = (i: number, j: number): Position => [106.7 + i * D, 15.4 + j * D];
const square = (i: number, j: number, w = 1, h = 1, props: Record<string, unknown> = {}): Feature<Polygon> =>
  turf.polygon([[at(i, j), at(i + w, j), at(i + w, j + h), at(i, j + h), at(i, j)]], props);
const group = (f: Feature<Polygon | MultiPolygon>) => String(f.properties?.g ?? 'all');
const cellM2 = turf.area(square(0, 0));
const areaOf = (r: DissolvedGroup) => turf.area(r.geometry);
const parts = (r: DissolvedGroup) => (r.geometry.type === 'Polygon' ? [r.geometry.coordinates] : r.geometry.coordinates);
const holes = (r: DissolvedGroup) => parts(r).reduce((n, p) => n + p.length - 1, 0);
const sumM2 = (fs: Feature<Polygon | MultiPolygon>[]) => fs.reduce((s, f) => s + turf.area(f), 0);
/** Self-crossings inside each part (parts of a multipolygon may touch each other at a point). */
const kinks = (r: DissolvedGroup) => parts(r).reduce((n, p) => n + turf.kinks(turf.polygon(p)).features.length, 0);

function grid(n: number, g: (i: number, j: number) => string): Feature<Polygon>[] {
  const out: Feature<Polygon>[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.push(square(i, j, 1, 1, { g: g(i, j) }));
  return out;
}

describe('dissolve', () => {
  it('merges a 3 x 3 grid into one square with no hole and keeps every boundary vertex', () => {
    const cells = grid(3, () => 'k');
    const [r] = dissolve(cells, group);
    expect(r.key).toBe('k');
    expect(r.geometry.type).toBe('Polygon');
    expect(areaOf(r) / sumM2(cells)).toBeCloseTo(1, 9);
    expect(holes(r)).toBe(0);
    // 12 unit edges around the outside: 12 vertices plus the closing one.
    expect(parts(r)[0][0]).toHaveLength(13);
    expect(r.gaps).toEqual([]);
    expect(r.slivers_absorbed).toBe(0);
  });

  it('keeps groups apart along their common line, each with its own area', () => {
    const cells = grid(4, (i) => (i < 1 ? 'west' : 'east'));
    const out = dissolve(cells, group);
    expect(out.map((r) => r.key)).toEqual(['west', 'east']);
    expect(areaOf(out[0]) / sumM2(cells.filter((c) => c.properties!.g === 'west'))).toBeCloseTo(1, 9);
    expect(areaOf(out[1]) / sumM2(cells.filter((c) => c.properties!.g === 'east'))).toBeCloseTo(1, 9);
    const overlap = turf.intersect(turf.featureCollection([turf.feature(out[0].geometry), turf.feature(out[1].geometry)]));
    expect(overlap ? turf.area(overlap) : 0).toBeLessThan(0.01);
  });

  it('matches a shared edge when one side has an extra vertex on it', () => {
    // A's east edge runs through (1, 0.5); B's west edge goes straight from (1, 1) to (1, 0).
    const a = turf.polygon([[at(0, 0), at(1, 0), at(1, 0.5), at(1, 1), at(0, 1), at(0, 0)]], { g: 'k' });
    const b = square(1, 0, 1, 1, { g: 'k' });
    const [r] = dissolve([a, b], group);
    expect(r.geometry.type).toBe('Polygon');
    expect(holes(r)).toBe(0);
    expect(areaOf(r) / sumM2([a, b])).toBeCloseTo(1, 9);
    expect(r.gaps).toEqual([]);
  });

  it('matches a shared edge whose two sides are split at different places', () => {
    const a = turf.polygon([[at(0, 0), at(1, 0), at(1, 0.3), at(1, 1), at(0, 1), at(0, 0)]], { g: 'k' });
    const b = turf.polygon([[at(1, 0), at(2, 0), at(2, 1), at(1, 1), at(1, 0.7), at(1, 0)]], { g: 'k' });
    const [r] = dissolve([a, b], group);
    expect(parts(r)).toHaveLength(1);
    expect(holes(r)).toBe(0);
    expect(areaOf(r) / sumM2([a, b])).toBeCloseTo(1, 9);
  });

  it('reports a hole nobody covers as a gap, and absorbs it when below the sliver size', () => {
    const cells = grid(3, () => 'k');
    const ring = cells.filter((_f, n) => n !== 4);
    const [r] = dissolve(ring, group);
    expect(holes(r)).toBe(1);
    expect(areaOf(r) / sumM2(ring)).toBeCloseTo(1, 9);
    expect(r.gaps).toHaveLength(1);
    expect(turf.area(r.gaps[0]) / turf.area(cells[4])).toBeCloseTo(1, 9);
    const [filled] = dissolve(ring, group, { sliverM2: 2 * cellM2 });
    expect(holes(filled)).toBe(0);
    expect(areaOf(filled) / sumM2(cells)).toBeCloseTo(1, 9);
    expect(filled.gaps).toEqual([]);
    expect(filled.slivers_absorbed).toBe(1);
  });

  it('keeps an enclave of another group as a hole that is not a gap', () => {
    const cells = grid(3, (i, j) => (i === 1 && j === 1 ? 'enclave' : 'around'));
    const out = dissolve(cells, group);
    const around = out.find((r) => r.key === 'around')!;
    expect(holes(around)).toBe(1);
    expect(around.gaps).toEqual([]);
    expect(areaOf(around) / sumM2(cells.filter((c) => c.properties!.g === 'around'))).toBeCloseTo(1, 9);
    expect(areaOf(out.find((r) => r.key === 'enclave')!) / turf.area(cells[4])).toBeCloseTo(1, 9);
  });

  it('keeps islands and multipolygon parts as separate polygons', () => {
    const island = turf.multiPolygon([[[at(10, 10), at(11, 10), at(11, 11), at(10, 11), at(10, 10)]], [[at(20, 0), at(21, 0), at(21, 2), at(20, 2), at(20, 0)]]], { g: 'k' });
    const cells = [...grid(2, () => 'k'), island];
    const [r] = dissolve(cells, group);
    expect(r.geometry.type).toBe('MultiPolygon');
    expect(parts(r)).toHaveLength(3);
    expect(areaOf(r) / sumM2(cells)).toBeCloseTo(1, 9);
  });

  it('separates squares that touch at one corner into two valid parts', () => {
    const [r] = dissolve([square(0, 0, 1, 1, { g: 'k' }), square(1, 1, 1, 1, { g: 'k' })], group);
    expect(parts(r)).toHaveLength(2);
    for (const p of parts(r)) expect(p[0]).toHaveLength(5);
  });

  it('turns a self-crossing ring (a bow tie) into its two triangles', () => {
    const bowtie = turf.polygon([[at(0, 0), at(2, 2), at(2, 0), at(0, 2), at(0, 0)]], { g: 'k' });
    const [r] = dissolve([bowtie], group);
    expect(parts(r)).toHaveLength(2);
    for (const p of parts(r)) expect(turf.area(turf.polygon(p)) / cellM2).toBeCloseTo(1, 3);
    expect(kinks(r)).toBe(0);
  });

  it('closes a thin sliver left between two misaligned neighbours and counts it', () => {
    // B starts 1e-6° (11 cm) east of where A ends; C and D close the strip above and below.
    const a = square(0, 0, 1, 1, { g: 'A' });
    const b = turf.polygon([[[106.7 + D + 1e-6, 15.4], at(2, 0), at(2, 1), [106.7 + D + 1e-6, 15.4 + D], [106.7 + D + 1e-6, 15.4]]], { g: 'B' });
    const c = square(0, 1, 2, 1, { g: 'C' });
    const d = square(0, -1, 2, 1, { g: 'C' });
    const inputM2 = [a, b, c, d].reduce((s, f) => s + turf.area(f), 0);
    const sliverM2 = 0.11 * 111;
    const reported = dissolve([a, b, c, d], group);
    expect(reported.flatMap((r) => r.gaps)).toHaveLength(1);
    expect(turf.area(reported.flatMap((r) => r.gaps)[0])).toBeCloseTo(sliverM2, -1);
    const absorbed = dissolve([a, b, c, d], group, { sliverM2: 100 });
    expect(absorbed.flatMap((r) => r.gaps)).toEqual([]);
    expect(absorbed.reduce((n, r) => n + r.slivers_absorbed, 0)).toBe(1);
    expect(absorbed.reduce((s, r) => s + areaOf(r), 0) - inputM2).toBeCloseTo(sliverM2, -1);
    for (const r of absorbed) expect(holes(r)).toBe(0);
  });

  it('keeps the area of a random tessellation in random groups (fixed seed, TESSERA_SEED overrides)', () => {
    let seed = Number(process.env.TESSERA_SEED ?? 20261122);
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const n = 30;
    // A grid whose inner vertices are jittered (on the 1e-7° grid): neighbours share every vertex exactly.
    const jitter = () => Math.round((rand() - 0.5) * 6000) / 10_000;
    const v = (i: number, j: number): Position => (i === 0 || j === 0 || i === n || j === n ? at(i, j) : at(i + jitter(), j + jitter()));
    const pts = Array.from({ length: n + 1 }, (_x, i) => Array.from({ length: n + 1 }, (_y, j) => v(i, j)));
    const cells: Feature<Polygon>[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      cells.push(turf.polygon([[pts[i][j], pts[i + 1][j], pts[i + 1][j + 1], pts[i][j + 1], pts[i][j]]], { g: `k${Math.floor(rand() * 7)}` }));
    }
    const out = dissolve(cells, group);
    const total = cells.reduce((s, f) => s + turf.area(f), 0);
    expect(out.reduce((s, r) => s + areaOf(r), 0) / total).toBeCloseTo(1, 9);
    for (const r of out) {
      const members = cells.filter((c) => c.properties!.g === r.key).reduce((s, f) => s + turf.area(f), 0);
      expect(areaOf(r) / members, r.key).toBeCloseTo(1, 9);
      expect(r.gaps).toEqual([]);
      expect(kinks(r), r.key).toBe(0);
    }
  });
});

const zip = communesZip();

describe.skipIf(!fs.existsSync(zip))('dissolve of the 35,357 French communes into départements (realdata)', () => {
  let communes: Commune[];
  let out: DissolvedGroup[];
  let db: Database;

  beforeAll(async () => {
    communes = await readCommunes(zip);
    // How fast is scripts/bench/derive.ts's business (BENCHMARKS.md); here only what it makes.
    out = dissolve(communes, (f) => departementOf((f as Commune).properties.code));
    db = testDatabase();
  }, 120_000);
  afterAll(async () => db?.close());

  it('gives 101 départements with the communes\' total area', () => {
    expect(communes).toHaveLength(35_357);
    expect(out).toHaveLength(101);
    const communesM2 = communes.reduce((s, c) => s + turf.area(c), 0);
    const departementsM2 = out.reduce((s, r) => s + areaOf(r), 0);
    expect(Math.abs(departementsM2 / communesM2 - 1)).toBeLessThan(1e-4);
  });

  it('finds no sliver and no gap between communes: only the Étang de Berre and Llívia are holes nobody covers', () => {
    expect(out.reduce((n, r) => n + r.slivers_absorbed, 0)).toBe(0);
    const gaps = out.flatMap((r) => r.gaps.map((g) => ({ dep: r.key, km2: turf.area(g) / 1e6, at: turf.centroid(g).geometry.coordinates })));
    // The lagoon (155 km², in no commune) and the Spanish enclave (13 km²): real holes, not slivers.
    expect(gaps.map((g) => g.dep).sort()).toEqual(['13', '66']);
    expect(gaps.find((g) => g.dep === '13')!.km2).toBeGreaterThan(150);
    expect(gaps.find((g) => g.dep === '66')!.km2).toBeGreaterThan(12);
    expect(gaps.find((g) => g.dep === '66')!.km2).toBeLessThan(14);
  });

  it('agrees with PostGIS ST_Union per département (IoU at least 0.999), the self-intersecting commune 14174 included', async () => {
    const sample = ['14', '75', '2A', '13', '974'];
    const client = await db.pool.connect();
    try {
      await loadCommunes(client, 'dissolve_check', communes.filter((c) => sample.includes(departementOf(c.properties.code))));
      expect((await client.query(`SELECT code FROM dissolve_check WHERE NOT ST_IsValid(geom)`)).rows.map((r) => r.code)).toEqual(['14174']);
      for (const dep of sample) {
        const mine = out.find((r) => r.key === dep)!.geometry;
        const { rows } = await client.query(
          `WITH u AS (SELECT ST_Union(ST_MakeValid(geom)) AS g FROM dissolve_check WHERE dep = $1),
                m AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($2), 4326) AS g)
           SELECT ST_IsValid(m.g) AS valid, ST_Area(ST_Intersection(u.g, m.g)::geography) / ST_Area(ST_Union(u.g, m.g)::geography) AS iou FROM u, m`,
          [dep, JSON.stringify(mine)],
        );
        expect(rows[0].valid, dep).toBe(true);
        expect(rows[0].iou, dep).toBeGreaterThanOrEqual(0.999);
      }
    } finally {
      client.release();
    }
  }, 120_000);
});
