import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { GPS_TABLES, tableCounts, testDatabase } from '../../test/helpers/app.js';
import { UserError } from '../errors.js';
import { ingestFiles, type IngestOptions } from './service.js';

const db = testDatabase();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ingest-'));
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A walk with something for every cleaning check, long enough that the parser hands it over in
 * many pieces: fixes without a fix or with a high HDOP, at null island, exact repeats, times
 * running backwards, lone spikes (one next to another, which only the second pass sees), extensions,
 * several segments (one empty), a route and waypoints.
 */
function walkGpx(points: number): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="service.test" xmlns="http://www.topografix.com/GPX/1/1">'];
  out.push('<wpt lat="15.35" lon="106.7"><name>Spirit house</name></wpt>');
  const t0 = Date.UTC(2024, 0, 31, 1, 0, 0);
  let lon = 106.7;
  let lat = 15.35;
  let second = 0;
  const point = (i: number): string => {
    second += 1;
    lon += 0.00001;
    lat += 0.000005;
    let x = lon;
    let y = lat;
    let t = t0 + second * 1000;
    let extra = '';
    if (i % 997 === 500) {
      x += 0.01; // spike
    } else if (i % 1499 === 700) {
      x += 0.01; // two spikes in a row: the second is dropped once the first is
      second += 1;
      return `<trkpt lat="${y}" lon="${x}"><time>${new Date(t).toISOString()}</time></trkpt>\n` +
        `<trkpt lat="${y + 0.01}" lon="${x}"><time>${new Date(t + 1000).toISOString()}</time></trkpt>`;
    } else if (i % 211 === 100) {
      extra = '<hdop>9.5</hdop>';
    } else if (i % 503 === 200) {
      extra = '<fix>none</fix>';
    } else if (i % 401 === 300) {
      t -= 5000; // time running backwards
    } else if (i === 17) {
      x = 0.0001;
      y = 0.0001; // null island
    } else if (i % 89 === 5) {
      extra = '<extensions><hr>92</hr><note>tab\there</note></extensions>';
    }
    const row = `<trkpt lat="${y}" lon="${x}"><ele>${(180 + (i % 7) / 10).toFixed(1)}</ele><time>${new Date(t).toISOString()}</time>` +
      `<sat>${7 + (i % 3)}</sat>${extra}</trkpt>`;
    return i % 613 === 400 ? `${row}\n${row}` : row; // an exact repeat
  };
  let i = 0;
  for (const [name, segments] of [['Walk one', [points / 2, 0, points / 4]], ['Walk two', [points / 4]]] as const) {
    out.push(`<trk><name>${name}</name>`);
    for (const n of segments) {
      out.push('<trkseg>');
      for (let k = 0; k < n; k++) out.push(point(i++));
      out.push('</trkseg>');
    }
    out.push('</trk>');
  }
  out.push('<rte><name>Planned</name>');
  for (let k = 0; k < 50; k++) out.push(`<rtept lat="${15.36 + k * 0.0001}" lon="${106.71}"/>`);
  out.push('</rte></gpx>\n');
  return out.join('\n');
}

function gpxFile(name: string, text: string) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return { name, path: file, size: Buffer.byteLength(text) };
}

const OPTIONS: IngestOptions = { area: null, actor: 'test', maxPoints: 100_000, cleaning: { maxHdop: 5 } };

/** Everything stored for an upload, with the ids that differ between two uploads of the same file left out. */
async function storedUpload(uploadId: string) {
  const reading = await db.pool.query(
    `SELECT t.name AS track, r.seq, r.taken_at, ST_AsEWKB(r.geom) AS geom, r.elevation, r.hdop, r.vdop, r.pdop, r.satellites, r.fix,
            r.extensions, r.kept, r.drop_reason
     FROM reading r JOIN track t ON t.id = r.track_id WHERE r.upload_id = $1 ORDER BY t.id, r.seq`,
    [uploadId],
  );
  const track = await db.pool.query(
    `SELECT name, description, kind, area_id, other_area_id, reading_count, started_at, ended_at, ST_AsEWKB(geom) AS geom
     FROM track WHERE upload_id = $1 ORDER BY id`,
    [uploadId],
  );
  const marker = await db.pool.query('SELECT name, ST_AsEWKB(geom) AS geom FROM marker WHERE upload_id = $1 ORDER BY id', [uploadId]);
  const upload = await db.pool.query('SELECT filename, size_bytes, kind, crs, area_id, uploaded_by FROM upload WHERE id = $1', [uploadId]);
  return { reading: reading.rows, track: track.rows, marker: marker.rows, upload: upload.rows };
}

const rowCounts = () => tableCounts(db, GPS_TABLES);

describe.runIf(db.kind === 'server')('ingest on a PostgreSQL server, storing readings while the file is read', () => {
  // 140,000 readings: segments that cross the blocks the parsing thread hands readings over in (65,536 readings).
  it.each([12_000, 140_000])('stores the same rows, verdicts and report as reading and cleaning everything first (%i points)', async (points) => {
    const text = walkGpx(points);
    expect(text.length).toBeGreaterThan(4 * 65_536); // several pieces for the parser
    const streamed = await ingestFiles(db, [{ ...gpxFile('walk.gpx', text), sha256: 'service-test-streamed' }], { ...OPTIONS, maxPoints: 1_000_000 });
    // The embedded database's path (read and clean all, then insert), run on the same server.
    const planned = await ingestFiles({ ...db, kind: 'embedded' }, [{ ...gpxFile('walk.gpx', text), sha256: 'service-test-planned' }], { ...OPTIONS, maxPoints: 1_000_000 });
    try {
      const [a, b] = [streamed.report.files[0], planned.report.files[0]];
      expect(a.readings.dropped).toMatchObject({ speed_spike: expect.any(Number), duplicate: expect.any(Number), time_out_of_order: expect.any(Number) });
      for (const reason of ['invalid_fix', 'null_island', 'high_hdop', 'speed_spike', 'duplicate', 'time_out_of_order']) {
        expect(a.readings.dropped[reason], reason).toBeGreaterThan(0);
      }
      const withoutIds = (r: typeof a) => ({ ...r, upload_id: null, sha256: null, tracks: r.tracks.map((t) => ({ ...t, id: null })) });
      expect(withoutIds(a)).toEqual(withoutIds(b));
      const [storedA, storedB] = [await storedUpload(a.upload_id), await storedUpload(b.upload_id)];
      expect(storedA.reading).toHaveLength(a.readings.read);
      expect(storedA.reading.filter((r) => !r.kept)).toHaveLength(a.readings.read - a.readings.kept);
      expect(storedA).toEqual(storedB);
      // Track ids follow the file's order, as before.
      expect(a.tracks.map((t) => t.id)).toEqual([...a.tracks.map((t) => t.id)].sort((x, y) => x - y));
    } finally {
      await db.pool.query('DELETE FROM upload WHERE id = ANY($1)', [[streamed.uploads[0].id, planned.uploads[0].id]]);
    }
  }, 180_000);

  it('plans inside the upload\'s transaction, so one pooled connection is enough', async () => {
    const single = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const result = await ingestFiles({ ...db, pool: single }, [{ ...gpxFile('one.gpx', walkGpx(400)), sha256: 'service-test-one-connection' }], OPTIONS);
      expect(result.report.files[0].tracks.map((t) => t.name)).toEqual(['Walk one', 'Walk two', 'Planned']);
      await db.pool.query('DELETE FROM upload WHERE id = $1', [result.uploads[0].id]);
    } finally {
      await single.end();
    }
  });

  it('leaves nothing behind, and the connection usable, when the file fails after readings were sent', async () => {
    const before = await rowCounts();
    const text = walkGpx(12_000);
    const tooMany = ingestFiles(db, [{ ...gpxFile('long.gpx', text), sha256: 'service-test-too-many' }], { ...OPTIONS, maxPoints: 10_000 });
    await expect(tooMany).rejects.toMatchObject({ code: 'TOO_MANY_POINTS' });
    const cut = text.slice(0, Math.floor(text.length * 0.8));
    const truncated = ingestFiles(db, [
      { ...gpxFile('fine.gpx', walkGpx(2_000)), sha256: 'service-test-fine' },
      { ...gpxFile('cut.gpx', cut), sha256: 'service-test-cut' },
    ], OPTIONS);
    await expect(truncated).rejects.toBeInstanceOf(UserError);
    expect(await rowCounts()).toEqual(before);
    // Every connection of the pool still answers (none was left in the middle of a COPY).
    const answers = await Promise.all(Array.from({ length: 4 }, () => db.pool.query('SELECT 1 AS one')));
    expect(answers.map((r) => r.rows[0].one)).toEqual([1, 1, 1, 1]);
  });
});
