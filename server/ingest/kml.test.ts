import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { parseKml, parseKmz } from './kml.js';

const testdata = (name: string) => path.join(import.meta.dirname, 'testdata', name);
const kmlText = (body: string) => `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>${body}</Document></kml>`;
const fromText = (text: string) => parseKml([Buffer.from(text)], { fileName: 'walk.kml', maxPoints: 1000 });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-kmz-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A zip written by yazl, with optional byte patches (to forge entry names yazl itself refuses). */
async function zipFile(name: string, entries: { path: string; data: Buffer; mode?: number }[], patch?: [string, string]): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.path, { mtime: new Date('2026-02-03T00:00:00Z'), mode: e.mode });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  let buf = Buffer.concat(chunks);
  if (patch) buf = Buffer.from(buf.toString('latin1').split(patch[0]).join(patch[1]), 'latin1');
  const file = path.join(tmp, name);
  fs.writeFileSync(file, buf);
  return file;
}

describe('parseKml', () => {
  it('reads a gx:Track with times, a Point and a Polygon outer ring, and never follows a NetworkLink', async () => {
    const parsed = await parseKml(fs.createReadStream(testdata('gx-track.kml')), { fileName: 'gx-track.kml', maxPoints: 1000 });
    expect(parsed.format).toBe('kml');
    expect(parsed.name).toBe('Phou Khieo survey 2026-02-03');
    expect(parsed.tracks.map((t) => [t.name, t.kind, t.segments.map((s) => s.length)])).toEqual([
      ['SK-01-01-001', 'track', [25]],
      ['Rice fields (sketched)', 'track', [10]],
    ]);
    const walk = parsed.tracks[0].segments[0];
    expect(walk[0]).toMatchObject({ seq: 0, ele: 400, time: '2026-02-03T01:15:00.000Z' });
    expect(walk[24].time).toBe('2026-02-03T01:21:00.000Z');
    expect(parsed.tracks[0].desc).toBe('Perimeter walked with the <b>nai ban</b>');
    expect(parsed.waypoints).toEqual([{ name: 'Big tamarind tree', lon: 106.7301, lat: 15.7631, ele: 401 }]);
    expect(parsed.pointCount).toBe(36);
    expect(parsed.warnings).toEqual([
      'EXTERNAL_LINK_IGNORED: 1 NetworkLink was not fetched; only what is inside the file is read (first at line 6)',
      '1 polygon hole was ignored: only outer boundaries become tracks (first at line 77)',
    ]);
  });

  it('reads LineStrings of a MultiGeometry as segments of one track, coordinates split across lines', async () => {
    const parsed = await fromText(kmlText(`<Placemark><name>Ban Kok Ling | outside</name><MultiGeometry>
      <LineString><coordinates>106.64,15.70,0
        106.641,15.701,0 106.642,15.702</coordinates></LineString>
      <LineString><coordinates>106.643,15.703 106.644,15.704</coordinates></LineString></MultiGeometry></Placemark>`));
    expect(parsed.tracks[0].name).toBe('Ban Kok Ling | outside');
    expect(parsed.tracks[0].segments.map((s) => s.map((r) => [r.lon, r.lat]))).toEqual([
      [[106.64, 15.7], [106.641, 15.701], [106.642, 15.702]],
      [[106.643, 15.703], [106.644, 15.704]],
    ]);
  });

  it('refuses a DOCTYPE, bad coordinates and files without geometry', async () => {
    const doctype = await fromText('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]><kml><Document><name>&x;</name></Document></kml>').catch((e) => e);
    expect(doctype).toMatchObject({ code: 'XML_DOCTYPE_FORBIDDEN', status: 400 });
    const swapped = await fromText(kmlText('<Placemark><Point><coordinates>15.7,206.7</coordinates></Point></Placemark>')).catch((e) => e);
    expect(swapped).toMatchObject({ code: 'COORDINATE_OUT_OF_RANGE', status: 422 });
    expect(swapped.message).toMatch(/^walk.kml: Coordinate '15.7,206.7' near line 1 is outside/);
    const nan = await fromText(kmlText('<Placemark><Point><coordinates>NaN,15.7</coordinates></Point></Placemark>')).catch((e) => e);
    expect(nan).toMatchObject({ code: 'NON_FINITE_COORDINATE', status: 422 });
    const empty = await fromText(kmlText('<Folder><name>nothing here</name></Folder>')).catch((e) => e);
    expect(empty).toMatchObject({ code: 'NO_POINTS', status: 422 });
    const broken = await fromText('<kml><Document><Placemark></Document></kml>').catch((e) => e);
    expect(broken).toMatchObject({ code: 'XML_MALFORMED', status: 400 });
  });
});

describe('parseKmz', () => {
  const opts = (fileName: string) => ({ fileName, maxPoints: 1000 });

  it('reads the doc.kml of a KMZ as Google Earth saves it', async () => {
    const parsed = await parseKmz(testdata('walk.kmz'), opts('walk.kmz'));
    expect(parsed.format).toBe('kml');
    expect(parsed.tracks[0].segments[0]).toHaveLength(25);
    expect(parsed.waypoints).toHaveLength(1);
    expect(parsed.warnings).toEqual(['1 polygon hole was ignored: only outer boundaries become tracks (first at line 76)']);
  });

  it('refuses entries that climb out of the archive, symbolic links and archives without KML', async () => {
    const kml = Buffer.from(fs.readFileSync(testdata('gx-track.kml')));
    const slip = await zipFile('slip.kmz', [{ path: 'aa/bb/doc.kml', data: kml }], ['aa/bb/doc.kml', '../../doc.kml']);
    expect(await parseKmz(slip, opts('slip.kmz')).catch((e) => e)).toMatchObject({ code: 'ARCHIVE_PATH_TRAVERSAL', status: 400 });
    const link = await zipFile('link.kmz', [{ path: 'doc.kml', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]);
    expect(await parseKmz(link, opts('link.kmz')).catch((e) => e)).toMatchObject({ code: 'ARCHIVE_LINK_FORBIDDEN', status: 400 });
    const shapefile = await zipFile('villages.zip', [{ path: 'villages.shp', data: Buffer.alloc(100) }, { path: 'villages.dbf', data: Buffer.alloc(10) }]);
    const noKml = await parseKmz(shapefile, opts('villages.zip')).catch((e) => e);
    expect(noKml).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', status: 415 });
    expect(noKml.message).toMatch(/villages.zip is a zip archive without a .kml document \(it holds 'villages.shp', 'villages.dbf'\)/);
  });

  it('stops inflating a zip bomb at the ratio cap, and counts entries', async () => {
    const bomb = await zipFile('bomb.kmz', [{ path: 'doc.kml', data: Buffer.alloc(20 * 1024 * 1024, 0x20) }]);
    expect(fs.statSync(bomb).size).toBeLessThan(100_000);
    expect(zlib.deflateRawSync(Buffer.alloc(1024, 0x20)).length).toBeLessThan(50);
    expect(await parseKmz(bomb, opts('bomb.kmz')).catch((e) => e)).toMatchObject({ code: 'ARCHIVE_TOO_LARGE_UNCOMPRESSED', status: 413 });
    const many = await zipFile('many.kmz', Array.from({ length: 12 }, (_, i) => ({ path: `files/${i}.png`, data: Buffer.from([i]) })));
    expect(await parseKmz(many, opts('many.kmz'), { maxEntries: 10, maxKmlBytes: 1e6, maxRatio: 100 }).catch((e) => e)).toMatchObject({ code: 'ARCHIVE_TOO_MANY_ENTRIES', status: 413 });
  });
});
