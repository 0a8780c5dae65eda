import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test/helpers/app.js';
import { crsFromCode, projectGeometry } from './crs.js';
import {
  certainlyValid, closeRings, geodesicMeasures, interiorPoint, multiPolygonEwkb, ringsToPolygons, type Coords, type Polygons,
} from './geometry.js';

const db = testDatabase();
afterAll(() => db.close());

/** A fixed-seed generator (Park-Miller), overridable with TEST_SEED. */
function random(seed = Number(process.env.TEST_SEED ?? 4242)) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** An irregular star-shaped ring around (lon, lat): simple by construction, counter-clockwise. */
function starRing(rand: () => number, lon: number, lat: number, radiusM: number, vertices: number): Coords {
  const out = new Float64Array((vertices + 1) * 2);
  const mPerDegLat = 110_600;
  const mPerDegLon = 111_320 * Math.cos((lat * Math.PI) / 180);
  for (let k = 0; k < vertices; k++) {
    const a = (k / vertices) * 2 * Math.PI;
    const r = radiusM * (0.6 + 0.4 * rand());
    out[2 * k] = Math.round((lon + (r * Math.cos(a)) / mPerDegLon) * 1e7) / 1e7;
    out[2 * k + 1] = Math.round((lat + (r * Math.sin(a)) / mPerDegLat) * 1e7) / 1e7;
  }
  out[2 * vertices] = out[0];
  out[2 * vertices + 1] = out[1];
  return out;
}

const ring = (...xy: number[]) => Float64Array.from(xy);
const hex = (p: Polygons) => multiPolygonEwkb(p).toString('hex');

describe('geodesic measures without a database', () => {
  it('agree with PostGIS spheroidal ST_Area and ST_Perimeter within 0.01 %, from a village to a province, at several latitudes', async () => {
    const rand = random();
    const cases: Polygons[] = [];
    // Villages, kumbans, districts and a province-sized polygon in Laos, Mali and Turkmenistan.
    for (const [lon, lat] of [[106.7, 15.6], [102.6, 20.9], [-8.0, 12.6], [58.4, 37.9]]) {
      for (const radius of [150, 2_000, 25_000, 120_000]) cases.push([[starRing(rand, lon, lat, radius, 33)]]);
    }
    // A polygon with a hole, and two parts.
    cases.push([[starRing(rand, 106.7, 15.6, 5_000, 40), starRing(rand, 106.7, 15.6, 1_000, 12).reverse()]]);
    cases.push([[starRing(rand, 106.7, 15.6, 800, 20)], [starRing(rand, 106.8, 15.7, 800, 20)]]);
    const { rows } = await db.pool.query<{ area: number; perimeter: number }>(
      `SELECT ST_Area(g::geography) AS area, ST_Perimeter(g::geography) AS perimeter
       FROM unnest($1::text[]) WITH ORDINALITY AS t(wkb, n), LATERAL (SELECT t.wkb::geometry AS g) x ORDER BY n`,
      [cases.map(hex)],
    );
    cases.forEach((p, i) => {
      const m = geodesicMeasures(p);
      expect(Math.abs(m.area - rows[i].area) / rows[i].area, `case ${i} area`).toBeLessThan(1e-4);
      expect(Math.abs(m.perimeter - rows[i].perimeter) / rows[i].perimeter, `case ${i} perimeter`).toBeLessThan(1e-4);
    });
  });
});

describe('validity preflight', () => {
  it('never calls a polygon valid that PostGIS finds invalid, and proves simple rings valid', async () => {
    const rand = random();
    const cases: { p: Polygons; name: string }[] = [
      { name: 'bow-tie', p: [[ring(0, 0, 0, 1, 1, 0, 1, 1, 0, 0)]] },
      { name: 'spike', p: [[ring(0, 0, 1, 0, 1, 1, 1, 2, 1, 1, 0, 1, 0, 0)]] },
      { name: 'self-touching ring', p: [[ring(0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1, 0, 0)]] },
      { name: 'collinear, no area', p: [[ring(0, 0, 1, 0, 2, 0, 0, 0)]] },
      { name: 'duplicate vertices (valid)', p: [[ring(0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0)]] },
      { name: 'square (valid)', p: [[ring(0, 0, 1, 0, 1, 1, 0, 1, 0, 0)]] },
      { name: 'U shape (valid)', p: [[ring(0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3, 0, 0)]] },
      { name: 'vertex on a far edge', p: [[ring(0, 0, 2, 0, 2, 2, 1, 0, 0, 2, 0, 0)]] },
    ];
    // Random rings of random vertices: most cross themselves.
    for (let i = 0; i < 200; i++) {
      const n = 4 + Math.floor(rand() * 10);
      const c = new Float64Array((n + 1) * 2);
      for (let k = 0; k < n * 2; k++) c[k] = Math.round(rand() * 1000) / 1000;
      c[n * 2] = c[0];
      c[n * 2 + 1] = c[1];
      cases.push({ name: `random ${i}`, p: [[c]] });
    }
    for (let i = 0; i < 50; i++) cases.push({ name: `star ${i}`, p: [[starRing(rand, 106.7, 15.6, 300, 33)]] });
    const { rows } = await db.pool.query<{ valid: boolean }>(
      `SELECT ST_IsValid(t.wkb::geometry) AS valid FROM unnest($1::text[]) WITH ORDINALITY AS t(wkb, n) ORDER BY n`,
      [cases.map((c) => hex(c.p))],
    );
    let proven = 0;
    cases.forEach((c, i) => {
      if (certainlyValid(c.p)) {
        proven++;
        expect(rows[i].valid, c.name).toBe(true);
      }
    });
    expect(certainlyValid(cases[5].p)).toBe(true);
    expect(certainlyValid(cases[6].p)).toBe(true);
    for (let i = cases.length - 50; i < cases.length; i++) expect(certainlyValid(cases[i].p), cases[i].name).toBe(true);
    expect(proven).toBeGreaterThan(53);
    // Holes and several parts are left to PostGIS.
    expect(certainlyValid([[ring(0, 0, 4, 0, 4, 4, 0, 4, 0, 0), ring(1, 1, 1, 2, 2, 2, 2, 1, 1, 1)]])).toBe(false);
  });
});

describe('interior point', () => {
  it('lies inside every simple ring, concave ones included', async () => {
    const rand = random();
    const cases: Polygons[] = [[[ring(0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3, 0, 0)]]];
    for (let i = 0; i < 60; i++) cases.push([[starRing(rand, 106.7, 15.6, 200 + rand() * 5000, 5 + Math.floor(rand() * 40))]]);
    const points = cases.map((p) => interiorPoint(p));
    const { rows } = await db.pool.query<{ inside: boolean }>(
      `SELECT ST_Contains(t.wkb::geometry, ST_SetSRID(ST_MakePoint(x, y), 4326)) AS inside
       FROM unnest($1::text[], $2::float8[], $3::float8[]) WITH ORDINALITY AS t(wkb, x, y, n) ORDER BY n`,
      [cases.map(hex), points.map((p) => p![0]), points.map((p) => p![1])],
    );
    for (const r of rows) expect(r.inside).toBe(true);
  });
});

describe('reprojection through a local fit', () => {
  it('matches converting every vertex exactly to within 1e-9 degrees, datum shift included, with fits of its own or shared by neighbours', () => {
    const rand = random();
    for (const code of ['EPSG:32648', 'EPSG:3148', 'EPSG:23947']) {
      const crs = crsFromCode(code);
      for (let i = 0; i < 60; i++) {
        // Features up to 3 km across get a fit of their own; villages of a few hundred metres
        // share the fit of the grid cells they lie in, some of them astride a cell border.
        const radius = i < 20 ? 1500 : i < 40 ? 300 : 1000;
        const x0 = i < 40 ? 600_000 + rand() * 200_000 : 650_000 + (rand() - 0.5) * 400;
        const y0 = i < 40 ? 1_600_000 + rand() * 200_000 : 1_650_000 + (rand() - 0.5) * 400;
        const c = new Float64Array(66);
        for (let k = 0; k < 32; k++) {
          c[2 * k] = x0 + radius * Math.cos((k / 32) * 2 * Math.PI) * (0.5 + rand() / 2);
          c[2 * k + 1] = y0 + radius * Math.sin((k / 32) * 2 * Math.PI) * (0.5 + rand() / 2);
        }
        c[64] = c[0];
        c[65] = c[1];
        const out = projectGeometry(crs, { type: 'Polygon', polygons: [[c]] }) as { polygons: Polygons };
        const projected = out.polygons[0][0];
        for (let k = 0; k < 33; k++) {
          const exact = crs.toWgs84([c[2 * k], c[2 * k + 1]]);
          // Both sides are rounded to 1e-7 degrees; the fit may flip a last digit, never more.
          expect(Math.abs(projected[2 * k] - exact[0])).toBeLessThanOrEqual(1.01e-7);
          expect(Math.abs(projected[2 * k + 1] - exact[1])).toBeLessThanOrEqual(1.01e-7);
        }
      }
    }
  });
});

describe('shapefile rings', () => {
  const shell = ring(0, 0, 0, 4, 4, 4, 4, 0, 0, 0); // clockwise, as ArcView writes shells
  const hole = ring(1, 1, 2, 1, 2, 2, 1, 2, 1, 1); // counter-clockwise
  it('puts each hole in the shell that holds it, whatever the ring order', () => {
    expect(ringsToPolygons([shell, hole])).toEqual([[shell, hole]]);
    expect(ringsToPolygons([hole, shell])).toEqual([[shell, hole]]);
  });
  it('reads a hole no shell holds as a shell of its own (ring order reversed by the writer)', () => {
    expect(ringsToPolygons([hole])).toEqual([[hole]]);
  });
  it('closes unclosed rings and drops rings too short to be polygons, saying so', () => {
    const fixed = closeRings([[ring(0, 0, 1, 0, 1, 1, 0, 1)], [ring(5, 5, 6, 5, 5, 5)]]);
    expect(fixed!.polygons).toEqual([[ring(0, 0, 1, 0, 1, 1, 0, 1, 0, 0)]]);
    expect(fixed!.repairs).toEqual(['unclosed ring closed', 'polygon with fewer than 4 positions dropped']);
    expect(closeRings([[ring(0, 0, 1, 1, 0, 0)]])).toBeNull();
  });
});
