import fs from 'node:fs';
import path from 'node:path';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config.js';
import { UserError } from '../errors.js';
import { boundaryLines } from './boundaries.js';
import { dissolve } from './dissolve.js';
import { markerPolygon, markerSequence } from './markers.js';
import { iou } from './measure.js';
import { voronoiFill } from './voronoi.js';

const M_LON = 111_320 * Math.cos((15.4 * Math.PI) / 180);
const M_LAT = 110_574;
const at = (x: number, y: number): Position => [106.7 + x / M_LON, 15.4 + y / M_LAT];
const rect = (x0: number, y0: number, x1: number, y1: number): MultiPolygon => ({
  type: 'MultiPolygon',
  coordinates: [[[at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)]]],
});

describe('markerPolygon', () => {
  it('reads the number at the end of a marker name', () => {
    expect(['M1', 'M12', 'B-03', '7', 'BM 04', 'Junction', null].map(markerSequence)).toEqual([1, 12, 3, 7, 4, null, null]);
  });

  it('joins the markers in number order, lists the unnumbered and missing ones', () => {
    const corners = [at(0, 0), at(1000, 0), at(1000, 800), at(500, 1000), at(0, 800)];
    const markers = [
      { id: 1, name: 'M3', point: corners[2] },
      { id: 2, name: 'M1', point: corners[0] },
      { id: 3, name: 'M6', point: corners[4] },
      { id: 4, name: 'M2', point: corners[1] },
      { id: 5, name: 'M4', point: corners[3] },
      { id: 6, name: 'Camp', point: at(500, 500) },
    ];
    const ring = markerPolygon(markers);
    expect(ring.used.map((m) => m.name)).toEqual(['M1', 'M2', 'M3', 'M4', 'M6']);
    expect(turf.area(ring.geometry) / 10_000).toBeCloseTo((1000 * 800 + 1000 * 200 / 2) / 10_000, 0);
    expect(ring.problems.map((p) => p.kind).sort()).toEqual(['MARKER_SEQUENCE_GAP', 'MARKER_SKIPPED']);
    expect(ring.problems.find((p) => p.kind === 'MARKER_SEQUENCE_GAP')!.message).toMatch(/No marker numbered 5/);
  });

  it('refuses a ring whose numbering makes it cross itself', () => {
    const bowtie = [at(0, 0), at(1000, 1000), at(1000, 0), at(0, 1000)].map((p, i) => ({ id: i, name: `B-0${i + 1}`, point: p }));
    expect(() => markerPolygon(bowtie)).toThrow(UserError);
    try {
      markerPolygon(bowtie);
    } catch (e) {
      expect((e as UserError).code).toBe('GEOMETRY_INVALID');
    }
  });

  it('needs three numbered markers', () => {
    expect(() => markerPolygon([{ id: 1, name: 'M1', point: at(0, 0) }, { id: 2, name: 'M2', point: at(10, 0) }])).toThrow(/at least 3/);
  });
});

describe('voronoiFill', () => {
  it('shares out only what the walked villages leave, by nearest centre', () => {
    // A 3 km x 1 km kumban; the western km is walked; two villages share the remaining 2 km.
    const parent = rect(0, 0, 3000, 1000);
    const walked = rect(0, 0, 1000, 1000);
    const result = voronoiFill({ parent, fixed: [walked], sites: [{ code: 'B', centre: at(1400, 500) }, { code: 'C', centre: at(2600, 500) }] });
    expect(result.problems).toEqual([]);
    const [b, c] = ['B', 'C'].map((code) => result.villages.find((v) => v.code === code)!.geometry);
    // The bisector of the two centres is x = 2000: each gets 1 km².
    expect(turf.area(b) / 1e6).toBeCloseTo(1, 2);
    expect(turf.area(c) / 1e6).toBeCloseTo(1, 2);
    const overlap = turf.intersect(turf.featureCollection([turf.feature(b), turf.feature(walked)]));
    expect(overlap ? turf.area(overlap) : 0).toBeLessThan(1);
  });

  it('reports a village whose centre lies in walked land', () => {
    const result = voronoiFill({ parent: rect(0, 0, 2000, 1000), fixed: [rect(0, 0, 1000, 1000)], sites: [{ code: 'A', centre: at(200, 500) }, { code: 'B', centre: at(1500, 500) }] });
    // A's cell (x < 850) is all walked land: nothing left for it.
    expect(result.villages.map((v) => v.code)).toEqual(['B']);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'NO_FACE', villages: ['A'] })]);
  });
});

describe('boundaryLines', () => {
  it('records a shared line once, left of its direction, and the outer lines against the outside', () => {
    const west = rect(0, 0, 1000, 1000);
    const east: MultiPolygon = { type: 'MultiPolygon', coordinates: [[[at(1000, 0), at(2000, 0), at(2000, 1000), at(1000, 1000), at(1000, 500), at(1000, 0)]]] };
    // West has no vertex at (1000, 500): the shared line is still found where both have the edge.
    west.coordinates[0][0].splice(2, 0, at(1000, 500));
    const lines = boundaryLines([{ code: 'W', geometry: west }, { code: 'E', geometry: east }]);
    const shared = lines.filter((l) => l.right !== null);
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({ left: 'E', right: 'W' });
    expect(shared[0].line).toHaveLength(3);
    // E is on the left walking the line: it runs north to south along x = 1000.
    expect(shared[0].line[0][1]).toBeGreaterThan(shared[0].line[2][1]);
    const outer = lines.filter((l) => l.right === null);
    expect(outer.map((l) => l.left).sort()).toEqual(['E', 'W']);
    const length = (l: Position[]) => turf.length(turf.lineString(l), { units: 'meters' });
    expect(outer.reduce((s, l) => s + length(l.line), 0)).toBeCloseTo(6000, -2);
  });
});

const demo = path.join(PROJECT_ROOT, 'fixtures', 'demo');

describe.skipIf(!fs.existsSync(path.join(demo, 'areas.geojson')))('dissolve of the demo villages', () => {
  it('gives back every truth kumban (IoU at least 0.99), without gaps', () => {
    type Props = { code: string; level: string; parent_code: string };
    const areas = JSON.parse(fs.readFileSync(path.join(demo, 'areas.geojson'), 'utf8')).features as Feature<MultiPolygon, Props>[];
    const villages = areas.filter((f) => f.properties.level === 'ban');
    const groups = dissolve(villages, (f) => (f.properties as Props).parent_code);
    const kumbans = areas.filter((f) => f.properties.level === 'kumban');
    expect(groups).toHaveLength(kumbans.length);
    for (const k of kumbans) {
      const g = groups.find((x) => x.key === k.properties.code)!;
      expect(iou(g.geometry, k.geometry), k.properties.code).toBeGreaterThanOrEqual(0.99);
      expect(g.gaps).toEqual([]);
    }
  });
});
