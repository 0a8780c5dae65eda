import fs from 'node:fs';
import path from 'node:path';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config.js';
import { cleanReadings } from '../ingest/clean.js';
import { parseGpx } from '../ingest/gpx.js';
import { nodeLines, polygonArea, polygonizeNetwork } from './planar.js';
import { segmentsTessellation, type SegmentTrack } from './segments.js';

describe('planar network', () => {
  it('splits crossing lines and finds the two faces of a halved square', () => {
    const square: Position[] = [[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]];
    const cut: Position[] = [[50, -10], [50, 110]];
    const noded = nodeLines([square, cut]);
    const faces = polygonizeNetwork(noded);
    expect(faces).toHaveLength(2);
    for (const face of faces) expect(polygonArea(face)).toBeCloseTo(5000, 6);
  });
});

const M_LON = 111_320 * Math.cos((15.4 * Math.PI) / 180);
const M_LAT = 110_574;
const at = (x: number, y: number): Position => [106.7 + x / M_LON, 15.4 + y / M_LAT];

describe('segmentsTessellation', () => {
  it('cuts two villages from one walked shared line, without gap or overlap', () => {
    // A 2 km x 1 km kumban; the shared line runs north-south through the middle with a bend.
    const parent: MultiPolygon = { type: 'MultiPolygon', coordinates: [[[at(0, 0), at(2000, 0), at(2000, 1000), at(0, 1000), at(0, 0)]]] };
    const walk: Position[] = [];
    for (let y = 0; y <= 1000; y += 20) walk.push(at(1000 + (y > 500 ? 100 : 0) + (y % 40 === 0 ? 3 : -3), y));
    const tracks: SegmentTrack[] = [{ id: 1, areaCode: 'A', otherAreaCode: 'B', line: walk, readings: walk.length }];
    const result = segmentsTessellation({
      tracks,
      junctions: [{ name: 'J-S', point: at(1000, 0) }, { name: 'J-N', point: at(1100, 1000) }],
      villages: [{ code: 'A', centre: at(500, 500) }, { code: 'B', centre: at(1500, 500) }],
      parent,
    });
    expect(result.villages.map((v) => v.code).sort()).toEqual(['A', 'B']);
    const [a, b] = ['A', 'B'].map((c) => result.villages.find((v) => v.code === c)!.geometry);
    const total = turf.area(parent);
    expect((turf.area(a) + turf.area(b)) / total).toBeCloseTo(1, 3);
    // West of the line: 1,000 m for the south half and 1,100 m for the north half, times 500 m.
    expect(turf.area(a) / 1e6).toBeGreaterThan(1.03);
    expect(turf.area(a) / 1e6).toBeLessThan(1.07);
    const overlap = turf.intersect(turf.featureCollection([turf.multiPolygon(a.coordinates), turf.multiPolygon(b.coordinates)]));
    expect(overlap ? turf.area(overlap) : 0).toBeLessThan(1);
    expect(result.gaps).toEqual([]);
  });
});

const demo = path.join(PROJECT_ROOT, 'fixtures', 'demo');

describe.skipIf(!fs.existsSync(path.join(demo, 'gpx', 'segments', 'SK-01-01.gpx')))('segments on the demo kumban Houiysai', () => {
  it('derives each of its 8 villages close to the truth (IoU at least 0.97)', async () => {
    const parsed = await parseGpx(fs.createReadStream(path.join(demo, 'gpx', 'segments', 'SK-01-01.gpx')), { fileName: 'SK-01-01.gpx' });
    const tracks: SegmentTrack[] = parsed.tracks.map((t, i) => {
      const [a, b] = (t.name ?? '').split('|');
      const kept = t.segments.flatMap((s) => cleanReadings(s)).filter((r) => r.kept);
      return { id: i + 1, areaCode: a, otherAreaCode: b === 'outside' ? null : b, line: kept.map((r) => [r.lon, r.lat]), readings: kept.length };
    });
    const areas = JSON.parse(fs.readFileSync(path.join(demo, 'areas.geojson'), 'utf8')).features as Feature<MultiPolygon, { code: string; level: string; parent_code: string; centre: Position }>[];
    const villages = areas.filter((f) => f.properties.parent_code === 'SK-01-01');
    const kumban = areas.find((f) => f.properties.code === 'SK-01-01')!;
    const result = segmentsTessellation({
      tracks,
      junctions: parsed.waypoints.filter((w) => w.name?.startsWith('J-')).map((w) => ({ name: w.name ?? null, point: [w.lon, w.lat] })),
      villages: villages.map((v) => ({ code: v.properties.code, centre: v.properties.centre })),
      parent: kumban.geometry,
    });
    expect(villages).toHaveLength(8);
    expect(result.villages).toHaveLength(8);
    for (const truth of villages) {
      const derived = result.villages.find((v) => v.code === truth.properties.code)!;
      const pair = turf.featureCollection<Polygon | MultiPolygon>([turf.multiPolygon(truth.geometry.coordinates), turf.multiPolygon(derived.geometry.coordinates)]);
      const iou = turf.area(turf.intersect(pair)!) / turf.area(turf.union(pair)!);
      expect(iou, truth.properties.code).toBeGreaterThanOrEqual(0.97);
    }
  }, 60_000);
});
