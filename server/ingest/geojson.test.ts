import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGeoJson } from './geojson.js';
import { distanceM } from './clean.js';

const file = path.join(import.meta.dirname, 'testdata', 'utm48-legacy-crs.geojson');
const fromJson = (doc: unknown, crs?: string) => parseGeoJson([Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc))], { fileName: 'walk.geojson', maxPoints: 1000, crs });
const line = (coordinates: unknown, properties: unknown = {}) => ({ type: 'Feature', properties, geometry: { type: 'LineString', coordinates } });

describe('parseGeoJson', () => {
  it('reprojects a legacy crs in EPSG:32648 and keeps coordTimes', async () => {
    const parsed = await parseGeoJson(fs.createReadStream(file), { fileName: 'utm48-legacy-crs.geojson', maxPoints: 1000 });
    expect(parsed.format).toBe('geojson');
    expect(parsed.crs).toBe('EPSG:32648');
    expect(parsed.tracks).toHaveLength(1);
    const walk = parsed.tracks[0].segments[0];
    expect(parsed.tracks[0].name).toBe('SK-01-01-002');
    expect(walk).toHaveLength(28);
    for (const r of walk) expect(distanceM(r.lon, r.lat, 106.6454428, 15.7040928)).toBeLessThan(130);
    expect(walk[0]).toMatchObject({ seq: 0, ele: 390, time: '2026-02-03T01:15:00.000Z' });
    expect(parsed.waypoints).toHaveLength(1);
    expect(parsed.waypoints[0].name).toBe('Sala (village hall)');
    expect(distanceM(parsed.waypoints[0].lon, parsed.waypoints[0].lat, 106.6455, 15.7041)).toBeLessThan(0.01);
    expect(parsed.warnings).toEqual(['1 feature has no geometry and was skipped (first: feature 3)']);
  });

  it('reads RFC 7946 lines, multi-lines, polygons and points', async () => {
    const parsed = await fromJson({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'Ban Kok Ling|Ban Phou Khieo' }, geometry: { type: 'MultiLineString', coordinates: [[[106.64, 15.7], [106.65, 15.71]], [[106.66, 15.72], [106.67, 15.73]]] } },
        { type: 'Feature', properties: { Name: 'Paddy' }, geometry: { type: 'Polygon', coordinates: [[[106.6, 15.7], [106.61, 15.7], [106.61, 15.71], [106.6, 15.7]]] } },
        { type: 'Feature', properties: { title: 'Spirit forest' }, geometry: { type: 'MultiPoint', coordinates: [[106.6, 15.7], [106.61, 15.71]] } },
      ],
    });
    expect(parsed.crs).toBeUndefined();
    expect(parsed.tracks.map((t) => [t.name, t.segments.map((s) => s.length)])).toEqual([['Ban Kok Ling|Ban Phou Khieo', [2, 2]], ['Paddy', [4]]]);
    expect(parsed.waypoints.map((w) => w.name)).toEqual(['Spirit forest', 'Spirit forest']);
  });

  it('takes the upload crs over the file', async () => {
    const parsed = await fromJson(line([[676414.1, 1736890.3], [676422.4, 1736910.9]]), 'EPSG:32648');
    expect(distanceM(parsed.tracks[0].segments[0][0].lon, parsed.tracks[0].segments[0][0].lat, 106.6454428, 15.7040928)).toBeLessThan(120);
  });

  it('refuses CRSs it cannot reproject, and metres without a crs', async () => {
    const lambert = await fromJson({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'EPSG:2154' } }, features: [] }).catch((e) => e);
    expect(lambert).toMatchObject({ code: 'CRS_UNSUPPORTED', status: 422 });
    const link = await fromJson({ type: 'FeatureCollection', crs: { type: 'link', properties: { href: 'http://10.0.0.5/crs' } }, features: [] }).catch((e) => e);
    expect(link).toMatchObject({ code: 'CRS_UNSUPPORTED', status: 422 });
    const metres = await fromJson(line([[676414.1, 1736890.3], [676422.4, 1736910.9]])).catch((e) => e);
    expect(metres).toMatchObject({ code: 'COORDINATE_OUT_OF_RANGE', status: 422 });
    expect(metres.message).toMatch(/feature 1, position 1: .* look like metres/);
  });

  it('refuses malformed, poisoned, deep and invalid JSON with the right 4xx', async () => {
    expect(await fromJson('{"type": "FeatureCollection", "features": [}').catch((e) => e)).toMatchObject({ code: 'JSON_MALFORMED', status: 400 });
    expect(await fromJson('{"type":"Feature","__proto__":{"isAdmin":true},"geometry":null,"properties":{}}').catch((e) => e)).toMatchObject({ code: 'JSON_MALFORMED', status: 400 });
    expect(await fromJson('['.repeat(100_000) + ']'.repeat(100_000)).catch((e) => e)).toMatchObject({ code: 'JSON_TOO_DEEP', status: 400 });
    const strings = await fromJson(line([['106.6', '15.7'], [106.61, 15.71]])).catch((e) => e);
    expect(strings).toMatchObject({ code: 'GEOJSON_INVALID', status: 422 });
    expect(strings.message).toMatch(/^walk.geojson: feature 1 is not valid GeoJSON: .*Position must only contain numbers/);
    expect(await fromJson('{"type":"Point","coordinates":[1e309,15]}').catch((e) => e)).toMatchObject({ code: 'NON_FINITE_COORDINATE', status: 422 });
    expect(await fromJson({ type: 'FeatureCollection', features: [] }).catch((e) => e)).toMatchObject({ code: 'NO_POINTS', status: 422 });
    expect(await fromJson('[1, 2]').catch((e) => e)).toMatchObject({ code: 'GEOJSON_INVALID', status: 422 });
  });
});
