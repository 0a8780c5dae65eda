import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import yazl from 'yazl';
import { adminAuth, GPS_TABLES, tableCounts, useTestApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { SANDBOX_KUMBAN } from '../../test/helpers/sandbox.js';
import { multipart } from '../../test/helpers/multipart.js';

/**
 * Every GPS format through `POST /api/uploads` on the real database: what each file becomes
 * (report and PostGIS rows), and that every bad input gets its 4xx and leaves nothing behind.
 */
let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

const testdata = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'testdata', name));

async function upload(files: { name: string; content: Buffer | string }[], fields: Record<string, string> = {}) {
  const { payload, headers } = multipart(files, fields);
  return app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, ...adminAuth() }, payload });
}

const rowCounts = () => tableCounts(db, GPS_TABLES);

async function zip(entries: { path: string; data: Buffer; mode?: number }[], patch?: [string, string]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.data, e.path, { mtime: new Date('2026-02-03T00:00:00Z'), mode: e.mode });
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  const buf = Buffer.concat(chunks);
  return patch ? Buffer.from(buf.toString('latin1').split(patch[0]).join(patch[1]), 'latin1') : buf;
}

/** Distance in metres from a stored track to a village centre, measured by PostGIS. */
async function trackDistanceM(trackId: number, lon: number, lat: number): Promise<number> {
  const { rows } = await db.pool.query('SELECT ST_Distance(geom::geography, ST_MakePoint($2, $3)::geography) AS d FROM track WHERE id = $1', [trackId, lon, lat]);
  return rows[0].d;
}

describe('every format through POST /api/uploads', () => {
  it('stores a DMS CSV walk as the perimeter of the village it was uploaded for', async () => {
    const res = await upload([{ name: 'dms-walk.csv', content: testdata('dms-walk.csv') }], { area: 'SK-01-01-001' });
    expect(res.statusCode).toBe(201);
    const report = res.json().report.files[0];
    expect(report).toMatchObject({ format: 'csv', crs: 'EPSG:4326', readings: { read: 36, kept: 36 }, markers: 0 });
    expect(report.tracks).toEqual([expect.objectContaining({ kind: 'perimeter', area_code: 'SK-01-01-001', kept: 36 })]);
    expect(report.time_span).toEqual({ start: '2026-02-03T01:15:00.000Z', end: '2026-02-03T01:23:45.000Z' });
    const { rows } = await db.pool.query('SELECT count(*)::int AS n, min(elevation) AS ele FROM reading WHERE upload_id = $1', [res.json().upload.id]);
    expect(rows[0]).toEqual({ n: 36, ele: 402 });
    expect(await trackDistanceM(report.tracks[0].id, 106.7305502, 15.7638472)).toBeLessThan(150);
  });

  it('reprojects a UTM CSV and reports its CRS', async () => {
    const res = await upload([{ name: 'utm-walk.csv', content: testdata('utm-walk.csv') }], { area: 'SK-01-01-002' });
    expect(res.statusCode).toBe(201);
    const report = res.json().report.files[0];
    expect(report).toMatchObject({ format: 'csv', crs: 'EPSG:32648', readings: { read: 30, kept: 30 } });
    expect(res.json().upload.crs).toBe('EPSG:32648');
    expect(await trackDistanceM(report.tracks[0].id, 106.6454428, 15.7040928)).toBeLessThan(120);
    expect(await trackDistanceM(report.tracks[0].id, 106.6454428, 15.7040928)).toBeGreaterThan(50);
  });

  it('reads semicolons with decimal commas', async () => {
    const res = await upload([{ name: 'semicolon-decimal-comma.csv', content: testdata('semicolon-decimal-comma.csv') }]);
    expect(res.statusCode).toBe(201);
    expect(res.json().report.files[0]).toMatchObject({ readings: { read: 24, kept: 24 }, tracks: [{ kind: 'line', area_code: null }] });
  });

  it('makes markers of a BOM+CRLF landmark list, each named village matched by name or Lao script', async () => {
    const res = await upload([{ name: 'bom-crlf-landmarks.csv', content: testdata('bom-crlf-landmarks.csv') }], { area: 'SK-01-01-001' });
    expect(res.statusCode).toBe(201);
    expect(res.json().report.files[0]).toMatchObject({ markers: 5, tracks: [], warnings: [] });
    const { rows } = await db.pool.query('SELECT m.name, a.code FROM marker m JOIN area a ON a.id = m.area_id WHERE m.upload_id = $1 ORDER BY m.id', [res.json().upload.id]);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.code]))).toEqual({
      'Big tamarind tree': 'SK-01-01-001',
      'Houay Khieo stream junction': 'SK-01-01-001',
      'B. Kok-Ling': 'SK-01-01-002',
      'ບ້ານພູຂຽວ': 'SK-01-01-001',
      'Hill top, north': 'SK-01-01-001',
    });
  });

  it('reads an NMEA log, drops the damaged sentence with a warning and the void fix with its reason', async () => {
    const res = await upload([{ name: 'bad-checksum.nmea', content: testdata('bad-checksum.nmea') }]);
    expect(res.statusCode).toBe(201);
    const report = res.json().report.files[0];
    expect(report).toMatchObject({ format: 'nmea', readings: { read: 20, kept: 19, dropped: { invalid_fix: 1 } } });
    expect(report.warnings).toContain('1 sentence was dropped for a wrong checksum (first at line 41)');
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM reading WHERE upload_id = $1 AND NOT kept AND drop_reason = 'invalid_fix'", [res.json().upload.id]);
    expect(rows[0].n).toBe(1);
  });

  it('reads a KMZ: the gx:Track named by its village code becomes that perimeter, with times', async () => {
    const res = await upload([{ name: 'walk.kmz', content: testdata('walk.kmz') }]);
    expect(res.statusCode).toBe(201);
    const report = res.json().report.files[0];
    expect(report.format).toBe('kml');
    expect(report.tracks.map((t: { name: string; kind: string; area_code: string | null }) => [t.name, t.kind, t.area_code])).toEqual([
      ['SK-01-01-001', 'perimeter', 'SK-01-01-001'],
      ['Rice fields (sketched)', 'line', null],
    ]);
    expect(report.markers).toBe(1);
    const { rows } = await db.pool.query('SELECT started_at IS NOT NULL AS timed FROM track WHERE id = $1', [report.tracks[0].id]);
    expect(rows[0].timed).toBe(true);
  });

  it('reports the NetworkLink of a KML as ignored, never fetched', async () => {
    const res = await upload([{ name: 'gx-track.kml', content: testdata('gx-track.kml') }]);
    expect(res.statusCode).toBe(201);
    expect(res.json().report.files[0].warnings[0]).toMatch(/^EXTERNAL_LINK_IGNORED: 1 NetworkLink was not fetched/);
  });

  it('reprojects GeoJSON with a legacy crs in EPSG:32648', async () => {
    const res = await upload([{ name: 'utm48-legacy-crs.geojson', content: testdata('utm48-legacy-crs.geojson') }]);
    expect(res.statusCode).toBe(201);
    const report = res.json().report.files[0];
    expect(report).toMatchObject({ format: 'geojson', crs: 'EPSG:32648', readings: { read: 28 }, markers: 1 });
    expect(report.tracks[0]).toMatchObject({ kind: 'perimeter', area_code: 'SK-01-01-002' });
    expect(await trackDistanceM(report.tracks[0].id, 106.6454428, 15.7040928)).toBeLessThan(130);
  });

  it('matches track names to villages by spelling, and reports ambiguous names instead of guessing', async () => {
    for (const [code, name] of [['FMT-NK-1', 'Ban Nong Kham'], ['FMT-NK-2', 'Ban Nongkham']]) {
      const created = await app.inject({
        method: 'POST', url: '/api/areas', headers: adminAuth(),
        payload: { level: 'ban', parent: SANDBOX_KUMBAN, code, name, name_local: null, centre: { type: 'Point', coordinates: [106.7, 15.7] } },
      });
      expect(created.statusCode).toBe(201);
    }
    const csv = [
      'track,lat,lon',
      'B. Kok Ling / Ban Phou Khieo,15.7300,106.6800', 'B. Kok Ling / Ban Phou Khieo,15.7301,106.6801',
      'Ban Nong Kham,15.7000,106.7000', 'Ban Nong Kham,15.7001,106.7001',
    ].join('\n');
    const res = await upload([{ name: 'named-tracks.csv', content: csv }]);
    expect(res.statusCode).toBe(201);
    const report = res.json().report.files[0];
    expect(report.tracks.map((t: { kind: string; area_code: string | null; other_area_code: string | null }) => [t.kind, t.area_code, t.other_area_code])).toEqual([
      ['segment', 'SK-01-01-002', 'SK-01-01-001'],
      ['line', null, null],
    ]);
    expect(report.warnings).toEqual([
      "Track name 'Ban Nong Kham' could be any of the villages FMT-NK-1, FMT-NK-2; it was not assigned to one (name it by code)",
    ]);
  });
});

describe('a dry run (?dry_run=1) shows what an upload would make and stores nothing', () => {
  // A short walk at ~1 m/s with one fix thrown 500 m off, and a landmark.
  const t0 = Date.parse('2026-03-04T02:00:00Z');
  const points = Array.from({ length: 40 }, (_, i) => [106.70 + i * 0.0001, 15.70 + (i === 20 ? 0.0045 : 0)] as const);
  const gpx = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="dry run test" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="15.7" lon="106.7"><name>Old well</name></wpt>
  <trk><name>Check walk</name><trkseg>
${points.map(([lon, lat], i) => `<trkpt lat="${lat}" lon="${lon}"><time>${new Date(t0 + i * 10_000).toISOString()}</time></trkpt>`).join('\n')}
  </trkseg></trk>
</gpx>`;

  it('answers the report and a map preview of the walk as read and as kept, with nothing written', async () => {
    const before = await rowCounts();
    const { payload, headers } = multipart([{ name: 'check.gpx', content: gpx }]);
    const res = await app.inject({ method: 'POST', url: '/api/uploads?dry_run=1', headers: { ...headers, ...adminAuth() }, payload });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.dry_run).toBe(true);
    expect(body.upload).toBeNull();
    expect(body.report.files[0]).toMatchObject({
      file: 'check.gpx', upload_id: null, format: 'gpx', readings: { read: 40, kept: 39, dropped: { speed_spike: 1 } }, markers: 1,
    });
    expect(body.report.files[0].tracks).toEqual([expect.objectContaining({ id: null, kind: 'line', area_code: null, kept: 39, dropped: 1 })]);
    const byKind = (kind: string) => body.preview.features.filter((f: { properties: { kind: string } }) => f.properties.kind === kind);
    expect(byKind('track_raw').map((f: { geometry: { coordinates: unknown[] } }) => f.geometry.coordinates.length)).toEqual([40]);
    expect(byKind('track_clean').map((f: { geometry: { coordinates: unknown[] } }) => f.geometry.coordinates.length)).toEqual([39]);
    expect(byKind('dropped')).toEqual([expect.objectContaining({ geometry: { type: 'Point', coordinates: [106.702, 15.7045] }, properties: { kind: 'dropped', file: 'check.gpx', reason: 'speed_spike' } })]);
    expect(byKind('marker').map((f: { properties: { name: string } }) => f.properties.name)).toEqual(['Old well']);
    expect(await rowCounts()).toEqual(before);

    // Confirmed: the same bytes are stored, once.
    const stored = await upload([{ name: 'check.gpx', content: gpx }]);
    expect(stored.statusCode).toBe(201);
    expect(stored.json().report.files[0].readings).toEqual(body.report.files[0].readings);
    expect((await rowCounts()).reading).toBe(before.reading + 40);
  });

  it('warns when a walk lies far from the village it was uploaded for', async () => {
    // SK-01-01-001 is near 106.73 E, 15.76 N; this walk is about 50 km east of it.
    const far = gpx.replaceAll('lon="106.7', 'lon="107.2').replace('<name>Check walk</name>', '<name>Wrong village walk</name>');
    const { payload, headers } = multipart([{ name: 'far.gpx', content: far }], { area: 'SK-01-01-001' });
    const res = await app.inject({ method: 'POST', url: '/api/uploads?dry_run=1', headers: { ...headers, ...adminAuth() }, payload });
    expect(res.statusCode).toBe(200);
    const [warning] = res.json().report.files[0].warnings.filter((w: string) => w.includes(' km from '));
    expect(warning).toMatch(/^Track 'Wrong village walk' lies (4\d|5\d) km from Ban .+ \(SK-01-01-001\), the area it was assigned to/);
    // The same walk where it belongs: no such warning.
    const near = multipart([{ name: 'near.gpx', content: gpx.replace('<name>Check walk</name>', '<name>Right village walk</name>') }], { area: 'SK-01-01-001' });
    const ok = await app.inject({ method: 'POST', url: '/api/uploads?dry_run=1', headers: { ...near.headers, ...adminAuth() }, payload: near.payload });
    expect(ok.json().report.files[0].warnings.filter((w: string) => w.includes(' km from '))).toEqual([]);
  });

  it('refuses a bad file in a dry run as it would in an upload', async () => {
    const { payload, headers } = multipart([{ name: 'ragged.csv', content: 'lat,lon\n15.7,106.7\n15.7,106.7,9\n' }]);
    const res = await app.inject({ method: 'POST', url: '/api/uploads?dry_run=1', headers: { ...headers, ...adminAuth() }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('ragged.csv');
  });
});

describe('bad inputs get their 4xx and leave the database unchanged', () => {
  const bad: [string, () => Promise<{ name: string; content: Buffer | string }[]>, number, string, Record<string, string>?][] = [
    ['a ragged CSV row', async () => [{ name: 'ragged.csv', content: 'lat,lon,ele\n15.7,106.7,400\n15.7,106.7,400,9\n' }], 400, 'CSV_MALFORMED'],
    ['an unterminated quote', async () => [{ name: 'quote.csv', content: 'name,lat,lon\n"Big tree,15.7,106.7\n' }], 400, 'CSV_MALFORMED'],
    ['NaN in a lat column', async () => [{ name: 'nan.csv', content: 'lat,lon\n15.7,106.7\nNaN,106.7\n' }], 422, 'NON_FINITE_COORDINATE'],
    ['metres in lat/lon columns', async () => [{ name: 'metres.csv', content: 'lat,lon\n1736890.3,676414.1\n' }], 422, 'COORDINATE_OUT_OF_RANGE'],
    ['two latitude columns', async () => [{ name: 'dup.csv', content: 'lat,lon,latitude\n15.7,106.7,15.7\n' }], 422, 'CSV_COLUMNS_UNRESOLVED'],
    ['invalid UTF-8', async () => [{ name: 'latin1.csv', content: Buffer.concat([Buffer.from('name,lat,lon\nCaf'), Buffer.from([0xe9]), Buffer.from(',15.7,106.7\n')]) }], 422, 'CSV_ENCODING'],
    ['a 100 KB line', async () => [{ name: 'long.csv', content: `lat,lon\n${'9'.repeat(100_000)}\n` }], 413, 'CSV_LINE_TOO_LONG'],
    ['an unsupported crs field', async () => [{ name: 'crs.csv', content: 'x,y\n1,2\n' }], 422, 'CRS_UNSUPPORTED', { crs: 'EPSG:2154' }],
    ['an NMEA log without a valid fix', async () => [{ name: 'void.nmea', content: '$GPGGA,235959.00,,,,,0,0,,,M,,M,,*79\n' }], 422, 'NO_POINTS'],
    ['a KML with a DOCTYPE', async () => [{ name: 'xxe.kml', content: '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]><kml><Document><name>&x;</name></Document></kml>' }], 400, 'XML_DOCTYPE_FORBIDDEN'],
    ['a KMZ entry climbing out with ..', async () => [{ name: 'slip.kmz', content: await zip([{ path: 'aa/bb/doc.kml', data: testdata('gx-track.kml') }], ['aa/bb/doc.kml', '../../doc.kml']) }], 400, 'ARCHIVE_PATH_TRAVERSAL'],
    ['a KMZ with a symbolic link', async () => [{ name: 'link.kmz', content: await zip([{ path: 'doc.kml', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]) }], 400, 'ARCHIVE_LINK_FORBIDDEN'],
    ['a KMZ zip bomb', async () => [{ name: 'bomb.kmz', content: await zip([{ path: 'doc.kml', data: Buffer.alloc(20 * 1024 * 1024, 0x20) }]) }], 413, 'ARCHIVE_TOO_LARGE_UNCOMPRESSED'],
    ['GeoJSON in Lambert-93', async () => [{ name: 'l93.geojson', content: JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'EPSG:2154' } }, features: [] }) }], 422, 'CRS_UNSUPPORTED'],
    ['a JSON depth bomb', async () => [{ name: 'deep.geojson', content: '['.repeat(50_000) + ']'.repeat(50_000) }], 400, 'JSON_TOO_DEEP'],
    ['a PNG named .gpx', async () => [{ name: 'track.gpx', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]) }], 415, 'UNSUPPORTED_FILE_TYPE'],
    ['plain text notes', async () => [{ name: 'notes.txt', content: 'We walked the boundary with the chief\nand the deputy\n' }], 415, 'UNSUPPORTED_FILE_TYPE'],
    ['a good file with a bad one in the same upload', async () => [
      { name: 'good.csv', content: 'lat,lon\n15.70,106.70\n15.71,106.71\n' },
      { name: 'bad.csv', content: 'lat,lon\n15.70,106.70,1\n' },
    ], 400, 'CSV_MALFORMED'],
  ];

  it.each(bad)('%s', async (_what, files, status, code, fields) => {
    const before = await rowCounts();
    const res = await upload(await files(), fields);
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toBe(code);
    expect(res.json().message).toContain((await files()).at(-1)!.name);
    expect(await rowCounts()).toEqual(before);
  });
});

const REALDATA = path.resolve(process.env.TESSERA_REALDATA ?? path.join(import.meta.dirname, '../../../shared/realdata'), 'gpx');

describe.skipIf(!fs.existsSync(REALDATA))('real-world GPX files', () => {
  it('accepts each, or refuses it with a 4xx, never a 5xx', async () => {
    const files = fs.readdirSync(REALDATA, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.gpx$/i.test(e.name)).map((e) => path.join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThan(0);
    const outcomes: Record<string, number> = {};
    for (const file of files) {
      const res = await upload([{ name: path.basename(file), content: fs.readFileSync(file) }]);
      outcomes[path.relative(REALDATA, file)] = res.statusCode;
      if (res.statusCode >= 400) expect(res.json().message, file).toContain(path.basename(file));
    }
    expect(Object.entries(outcomes).filter(([, s]) => s >= 500 || (s >= 300 && s < 400))).toEqual([]);
    expect(Object.values(outcomes).filter((s) => s === 201 || s === 200).length).toBeGreaterThan(files.length / 2);
  });
});
