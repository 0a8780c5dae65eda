import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, resolveColumns, splitRow } from './csv.js';
import { distanceM } from './clean.js';

const testdata = (name: string) => path.join(import.meta.dirname, 'testdata', name);
const fromFile = (name: string, opts: { crs?: string; encoding?: string } = {}) =>
  parseCsv(fs.createReadStream(testdata(name)), { fileName: name, maxPoints: 1000, ...opts });
const fromText = (text: string | Buffer, opts: { crs?: string; encoding?: string; maxPoints?: number; maxLineLength?: number } = {}) =>
  parseCsv([Buffer.isBuffer(text) ? text : Buffer.from(text)], { fileName: 'walk.csv', maxPoints: 1000, ...opts });

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; message: string; details: unknown[] }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; status: number; message: string; details: unknown[] };
  }
  throw new Error('expected a refusal');
}

describe('parseCsv: real-world-shaped files', () => {
  it('reads a DMS walk with date and time columns, day-first dates and a unit in a header', async () => {
    const parsed = await fromFile('dms-walk.csv');
    expect(parsed.format).toBe('csv');
    expect(parsed.crs).toBeUndefined();
    expect(parsed.tracks).toHaveLength(1);
    const readings = parsed.tracks[0].segments[0];
    expect(readings).toHaveLength(36);
    expect(readings[0]).toMatchObject({ seq: 0, ele: 402, hdop: 1.1, sat: 8, time: '2026-02-03T01:15:00.000Z' });
    // 15°45'49.85"N 106°43'53.61"E, about 110 m east of Ban Phou Khieo's centre.
    expect(readings[0].lat).toBeCloseTo(15 + 45 / 60 + 49.85 / 3600, 7);
    expect(readings[0].lon).toBeCloseTo(106 + 43 / 60 + 53.61 / 3600, 7);
    expect(distanceM(readings[0].lon, readings[0].lat, 106.7305502, 15.7638472)).toBeLessThan(160);
    expect(readings[35].time).toBe('2026-02-03T01:23:45.000Z');
    expect(parsed.warnings).toEqual([
      "dates such as '03/02/2026' were read day first (day/month/year)",
      "36 times have no time zone and were read as UTC (first at row 2: '03/02/2026 01:15:00')",
    ]);
  });

  it('reads UTM easting/northing with a zone column (MGRS band letter) into WGS84', async () => {
    const parsed = await fromFile('utm-walk.csv');
    expect(parsed.crs).toBe('EPSG:32648');
    const readings = parsed.tracks[0].segments[0];
    expect(readings).toHaveLength(30);
    // Every fix lies within ~120 m of Ban Kok Ling, which the walk circles.
    for (const r of readings) expect(distanceM(r.lon, r.lat, 106.6454428, 15.7040928)).toBeLessThan(120);
    expect(readings[0]).toMatchObject({ ele: 388, time: '2026-02-03T01:15:00.000Z' });
  });

  it('reads semicolons with decimal commas', async () => {
    const parsed = await fromFile('semicolon-decimal-comma.csv');
    const r = parsed.tracks[0].segments[0];
    expect(r).toHaveLength(24);
    expect(r[0]).toMatchObject({ lat: 15.4445342, lon: 106.774228, ele: 350, hdop: 1.2, time: '2026-02-03T01:15:00.000Z' });
    expect(parsed.warnings[0]).toMatch(/24 times have no time zone and were read as UTC/);
  });

  it('reads a list of named landmarks with a BOM, CRLF and blank lines at the end as waypoints', async () => {
    const parsed = await fromFile('bom-crlf-landmarks.csv');
    expect(parsed.tracks).toEqual([]);
    expect(parsed.waypoints.map((w) => w.name)).toEqual(['Big tamarind tree', 'Houay Khieo stream junction', 'B. Kok-Ling', 'ບ້ານພູຂຽວ', 'Hill top, north']);
    expect(parsed.waypoints[0]).toEqual({ name: 'Big tamarind tree', lat: 15.7631, lon: 106.7301, ele: 401 });
  });

  it('reads x/y columns as easting/northing when the upload names a projected crs', async () => {
    const parsed = await fromText('x,y,time\n676414.1,1736890.3,2026-02-03T01:15:00Z\n676422.4,1736910.9,2026-02-03T01:15:15Z\n', { crs: 'EPSG:32648' });
    expect(parsed.crs).toBe('EPSG:32648');
    expect(distanceM(parsed.tracks[0].segments[0][0].lon, parsed.tracks[0].segments[0][0].lat, 106.6454428, 15.7040928)).toBeLessThan(120);
  });

  it('splits tracks by a track column and segments by a segment column', async () => {
    const parsed = await fromText([
      'track,segment,lat,lon',
      'SK-01-01-001|SK-01-01-002,1,15.70,106.64', 'SK-01-01-001|SK-01-01-002,1,15.701,106.641', 'SK-01-01-001|SK-01-01-002,2,15.702,106.642',
      'Perimeter,1,15.76,106.73', 'Perimeter,1,15.761,106.731',
    ].join('\n'));
    expect(parsed.tracks.map((t) => [t.name, t.segments.map((s) => s.length)])).toEqual([
      ['SK-01-01-001|SK-01-01-002', [2, 1]],
      ['Perimeter', [2]],
    ]);
    expect(parsed.tracks[1].segments[0][0].seq).toBe(3);
  });

  it('decodes another encoding when the upload names it', async () => {
    const latin1 = Buffer.concat([Buffer.from('name,lat,lon\nCaf'), Buffer.from([0xe9]), Buffer.from(' du march'), Buffer.from([0xe9]), Buffer.from(',15.7,106.7\n')]);
    const parsed = await fromText(latin1, { encoding: 'windows-1252' });
    expect(parsed.waypoints[0].name).toBe('Café du marché');
  });

  it('reads epoch times, speeds in km/h and elevation in feet', async () => {
    const parsed = await fromText('lat,lon,timestamp,speed (km/h),altitude (ft)\n15.7,106.7,1770080100,3.6,1000\n');
    expect(parsed.tracks[0].segments[0][0]).toMatchObject({ time: '2026-02-03T00:55:00.000Z', speed: 1, ele: 304.8 });
  });

  it('warns about cells it cannot read without refusing the file', async () => {
    const parsed = await fromText('lat,lon,ele,time\n15.7,106.7,high,yesterday\n15.71,106.71,400,08:15:00\n');
    expect(parsed.tracks[0].segments[0]).toHaveLength(2);
    expect(parsed.warnings).toEqual([
      "1 ele value was not a number and ignored (first at row 2: 'high')",
      "1 time was unreadable and ignored (first at row 2: 'yesterday')",
      '1 time has no date and was left out; add a date column (first at row 3: \'08:15:00\')',
    ]);
  });
});

describe('parseCsv: refusals name the file, the row and the problem', () => {
  it('refuses ragged rows and unterminated quotes with 400 CSV_MALFORMED', async () => {
    const ragged = await refusal(fromText('lat,lon,ele\n15.7,106.7,400\n15.7,106.7,400,9\n'));
    expect(ragged).toMatchObject({ code: 'CSV_MALFORMED', status: 400, message: 'walk.csv: Row 3: expected 3 fields, found 4' });
    const quote = await refusal(fromText('name,lat,lon\n"Big tree,15.7,106.7\n'));
    expect(quote).toMatchObject({ code: 'CSV_MALFORMED', status: 400 });
    expect(quote.message).toMatch(/Row 2: a quoted field is not closed/);
  });

  it('numbers rows past 1,000 as people read them', async () => {
    const rows = Array.from({ length: 5200 }, (_, i) => `15.7${i},106.7`);
    rows[5118] = '15.7,106.7,3';
    const e = await refusal(fromText(['lat,lon', ...rows].join('\n'), { maxPoints: 10_000 }));
    expect(e.message).toBe('walk.csv: Row 5,120: expected 2 fields, found 3');
  });

  it('refuses NaN, Infinity and overflowing numbers with 422 NON_FINITE_COORDINATE', async () => {
    for (const v of ['NaN', 'Infinity', '1e309']) {
      const e = await refusal(fromText(`lat,lon\n15.7,106.7\n${v},106.7\n`));
      expect(e).toMatchObject({ code: 'NON_FINITE_COORDINATE', status: 422 });
      expect(e.details[0]).toMatchObject({ row: 3, column: 'lat' });
    }
  });

  it('refuses metres in lat/lon columns with a hint to give the crs', async () => {
    const e = await refusal(fromText('Latitude,Longitude\n1736890.3,676414.1\n'));
    expect(e).toMatchObject({ code: 'COORDINATE_OUT_OF_RANGE', status: 422 });
    expect(e.message).toMatch(/Row 2: Latitude 1736890.3 is outside -90 to 90; the values look like metres .* crs field such as EPSG:32648/);
    expect(e.details[0]).toMatchObject({ hint: 'LOOKS_PROJECTED_SPECIFY_CRS' });
  });

  it('refuses missing or ambiguous position columns with 422 CSV_COLUMNS_UNRESOLVED listing the candidates', async () => {
    const dup = await refusal(fromText('lat,long,latitude\n15.7,106.7,15.7\n'));
    expect(dup).toMatchObject({ code: 'CSV_COLUMNS_UNRESOLVED', status: 422 });
    expect(dup.message).toMatch(/2 columns could be the lat column: 'lat' \(column 1\), 'latitude' \(column 3\)/);
    const missing = await refusal(fromText('northing_only,ele\n1,2\n'));
    expect(missing.code).toBe('CSV_COLUMNS_UNRESOLVED');
    const noHeader = await refusal(fromText('15.7,106.7,400\n15.8,106.8,401\n'));
    expect(noHeader.message).toMatch(/the first row holds values/);
    const en = await refusal(fromText('easting,northing\n676414.1,1736890.3\n'));
    expect(en).toMatchObject({ code: 'CRS_REQUIRED', status: 422 });
  });

  it('refuses invalid UTF-8 without an encoding field with 422 CSV_ENCODING', async () => {
    const e = await refusal(fromText(Buffer.concat([Buffer.from('name,lat,lon\nCaf'), Buffer.from([0xe9]), Buffer.from(',15.7,106.7\n')])));
    expect(e).toMatchObject({ code: 'CSV_ENCODING', status: 422 });
    expect(e.message).toMatch(/not valid UTF-8 .*encoding field/);
  });

  it('refuses a line longer than the limit with 413 CSV_LINE_TOO_LONG', async () => {
    const e = await refusal(fromText(`lat,lon\n${'1'.repeat(5000)}`, { maxLineLength: 1000 }));
    expect(e).toMatchObject({ code: 'CSV_LINE_TOO_LONG', status: 413 });
  });

  it('refuses a crs it cannot reproject, and plain text that is no table', async () => {
    expect(await refusal(fromText('x,y\n1,2\n', { crs: 'EPSG:2154' }))).toMatchObject({ code: 'CRS_UNSUPPORTED', status: 422 });
    expect(await refusal(fromText('These are my notes from the field\nwe walked all day\n'))).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', status: 415 });
    expect(await refusal(fromText('lat,lon\n'))).toMatchObject({ code: 'NO_POINTS', status: 422 });
  });

  it('stops at the point limit with 413', async () => {
    expect(await refusal(fromText('lat,lon\n15.7,106.7\n15.7,106.7\n15.7,106.7\n', { maxPoints: 2 }))).toMatchObject({ code: 'TOO_MANY_POINTS', status: 413 });
  });
});

describe('splitRow and resolveColumns', () => {
  it('splits quoted fields with doubled quotes and refuses stray ones', () => {
    expect(splitRow('"a ""big"" tree",15.7,"106,7"', ',')).toEqual(['a "big" tree', '15.7', '106,7']);
    expect(splitRow(`15°24'36.4"N;106°50'12"E`, ';')).toEqual([`15°24'36.4"N`, `106°50'12"E`]);
    expect(splitRow('"a"b,c', ',')).toBe('stray-quote');
    expect(splitRow('"abc', ',')).toBe('unterminated-quote');
  });

  it('maps common header spellings to roles', () => {
    const plan = resolveColumns(['\uFEFFTime (UTC)', 'Lat', 'Lng', 'Alt [m]', 'HDOP', 'Accuracy (m)', 'Satellites used', 'Name'], 'f.csv');
    expect(plan.columns).toEqual({ time: 0, lat: 1, lon: 2, ele: 3, hdop: 4, accuracy: 5, sat: 6, name: 7 });
    expect(plan.coordinates).toBe('geographic');
  });
});
