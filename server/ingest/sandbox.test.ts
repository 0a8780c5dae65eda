import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { adminAuth, GPS_TABLES, tableCounts, useTestApp } from '../../test/helpers/app.js';
import { multipart } from '../../test/helpers/multipart.js';
import type { Database } from '../db/database.js';
import { parseReceivedFile } from './parse.js';
import { readingAt, type ParsedFile, type ReadingSegment } from './readings.js';
import { parseInSandbox, parseSandbox } from './sandbox.js';

/**
 * The parse sandbox: files read in a worker thread come back as the main thread would have
 * read them, a file's own errors come back unchanged, and a file stopped for its time or memory
 * gets a 4xx naming it, leaves nothing stored, and leaves the server serving.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-sandbox-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function received(name: string, content: string) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return { name, path: file, size: Buffer.byteLength(content), sha256: `sandbox-test-${name}` };
}

/**
 * A logger walk long enough to cross several blocks of columns, in segments of uneven
 * lengths (one ending exactly on a block), with fields that start part way through, times a
 * logger would not write, fixes, extensions and a route: everything a block carries.
 */
function longGpx(points: number): string {
  const out = ['<?xml version="1.0"?>\n<gpx version="1.1" creator="sandbox.test" xmlns="http://www.topografix.com/GPX/1/1">'];
  out.push('<wpt lat="15.3" lon="106.7"><name>Well</name></wpt>');
  const t0 = Date.UTC(2024, 0, 31, 1, 0, 0);
  const segments = [65_536, points - 65_536 - 7_001, 7_000, 1];
  let i = 0;
  out.push('<trk><name>Long walk</name>');
  for (const n of segments) {
    out.push('<trkseg>');
    for (let k = 0; k < n; k++, i++) {
      const time = i % 50_000 === 3 ? '2024-01-31T08:00:00+07:00' : new Date(t0 + i * 1000).toISOString();
      const extra = (i > 100_000 ? `<hdop>${(i % 9) / 2}</hdop>` : '') + (i % 70_001 === 9 ? '<fix>3d</fix>' : '') +
        (i % 30_011 === 11 ? '<extensions><hr>90</hr><note>x</note></extensions>' : '');
      out.push(`<trkpt lat="${(15.3 + i * 1e-6).toFixed(7)}" lon="${(106.7 + i * 1e-6).toFixed(7)}"><ele>${i % 300}</ele><time>${time}</time>${extra}</trkpt>`);
    }
    out.push('</trkseg>');
  }
  out.push('</trk><trk><name>Short</name><trkseg><trkpt lat="15.31" lon="106.71"/></trkseg></trk>');
  out.push('<rte><name>Plan</name><rtept lat="15.32" lon="106.72"/><rtept lat="15.33" lon="106.73"/></rte></gpx>\n');
  return out.join('\n');
}

/** A parsed file with its segments as reading objects, to compare however they are held. */
function asObjects(parsed: ParsedFile<ReadingSegment>) {
  return {
    ...parsed,
    tracks: parsed.tracks.map((t) => ({ ...t, segments: t.segments.map((s) => Array.from({ length: s.length }, (_, i) => readingAt(s, i))) })),
  };
}

describe('reading in the sandbox', () => {
  it('gives the parsed file the main thread would have read, handed over in blocks', async () => {
    const file = received('long.gpx', longGpx(160_000));
    const here = await parseReceivedFile(file, { maxPoints: 1_000_000 });
    const progress: number[] = [];
    const there = await parseInSandbox(file, { maxPoints: 1_000_000 }, {}, async (p) => {
      progress.push([...p.tracks, ...(p.openTrack ? [p.openTrack] : [])].reduce((n, t) => n + t.segments.reduce((m, s) => m + s.length, 0), 0));
    });
    expect(asObjects(there)).toStrictEqual(asObjects(here));
    // Readings arrived while the file was read, a block or more at a time, in order.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const ext = there.tracks[0].segments[0].length > 11 ? readingAt(there.tracks[0].segments[0], 11).extensions : undefined;
    expect(ext).toEqual({ hr: 90, note: 'x' });
    expect(Object.getPrototypeOf(ext)).toBeNull();
  });

  it('gives formats read whole (CSV, KML...) as they are read here', async () => {
    const csv = received('walk.csv', ['lat,lon,time,ele', ...Array.from({ length: 500 }, (_, i) => `15.${1000 + i},106.${2000 + i},2024-01-31T01:00:${String(i % 60).padStart(2, '0')}Z,${i}`)].join('\n'));
    expect(asObjects(await parseInSandbox(csv, { maxPoints: 1000 }))).toStrictEqual(asObjects(await parseReceivedFile(csv, { maxPoints: 1000 })));
  });

  it('throws a file\'s own error as reading it here throws it: code, status, message and details', async () => {
    const bad = [
      received('broken.gpx', '<gpx version="1.1"><trk><trkseg><trkpt lat="15" lon="106"></trkseg></gpx>'),
      received('far.gpx', '<gpx version="1.1"><wpt lat="95" lon="106"/></gpx>'),
      received('bad.csv', 'lat,lon\n15.1,106.2\nnorth,east\n'),
      received('picture.png', '\x89PNG\r\n\x1a\n0000'),
    ];
    for (const file of bad) {
      const here = await parseReceivedFile(file, { maxPoints: 10 }).then(() => null, (e: unknown) => e);
      const there = await parseInSandbox(file, { maxPoints: 10 }).then(() => null, (e: unknown) => e);
      expect(here, file.name).toMatchObject({ name: 'UserError' });
      const fields = (e: unknown) => {
        const { code, status, message, details, name } = e as Record<string, unknown>;
        return { code, status, message, details, name, cls: (e as object).constructor.name };
      };
      expect(fields(there), file.name).toEqual(fields(here));
    }
  });

  it('stops a file at the time limit, with a 422 that names it, and reads the next one in a new thread', async () => {
    const file = received('slow.gpx', longGpx(150_000));
    const err = await parseInSandbox(file, { maxPoints: 1_000_000 }, { timeoutMs: 50 }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'PARSE_TIMEOUT', status: 422, details: [{ file: 'slow.gpx', limit_seconds: 0.05 }] });
    expect((err as Error).message).toMatch(/^File 'slow\.gpx': reading it took longer than 0\.05 seconds/);
    const small = received('small.gpx', '<gpx version="1.1"><wpt lat="15" lon="106"/></gpx>');
    expect((await parseInSandbox(small, { maxPoints: 10 }, { timeoutMs: 10_000 })).waypoints).toHaveLength(1);
  });
});

/** A CSV whose readings, held as objects while it is read, need far more than a small heap. */
function bigCsv(rows: number): string {
  return ['lat,lon,time,ele,name', ...Array.from({ length: rows }, (_, i) => `15.${100000 + i},106.${200000 + i},2024-01-31T01:00:00Z,${i},p${i}`)].join('\n');
}

const rowCounts = (db: Database) => tableCounts(db, GPS_TABLES);

function upload(app: FastifyInstance, files: { name: string; content: string }[]) {
  const { payload, headers } = multipart(files, {});
  return app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, ...adminAuth() }, payload });
}

describe('an upload stopped for its time', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t), { TESSERA_PARSE_TIMEOUT_S: '0.5' });

  it('is a 422 naming the file, stores nothing of the upload, and the server goes on serving', async () => {
    const before = await rowCounts(db);
    const good = { name: 'good.gpx', content: '<gpx version="1.1"><trk><trkseg><trkpt lat="15.4" lon="106.9"/><trkpt lat="15.41" lon="106.91"/></trkseg></trk></gpx>' };
    const res = await upload(app, [good, { name: 'slow walk.gpx', content: longGpx(300_000) }]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_TIMEOUT', details: [{ file: 'slow walk.gpx' }] });
    expect(res.json().message).toContain("File 'slow walk.gpx': reading it took longer than 0.5 seconds");
    expect(res.json().message).toContain('Nothing from this upload was stored');
    expect(await rowCounts(db)).toEqual(before);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const again = await upload(app, [good]);
    expect(again.statusCode).toBe(201);
    await db.pool.query('DELETE FROM upload WHERE id = $1', [again.json().upload.id]);
  });
});

describe('uploads at the same time', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t));

  it('does not hold up two uploads read at the same time', async () => {
    const walk = (n: number) => ({ name: `walk-${n}.gpx`, content: `<gpx version="1.1"><trk><name>W${n}</name><trkseg>${
      Array.from({ length: 2000 }, (_, i) => `<trkpt lat="${15.4 + i * 1e-5}" lon="${106.9 + n * 1e-3}"><time>${new Date(Date.UTC(2024, 1, n, 1) + i * 1000).toISOString()}</time></trkpt>`).join('')
    }</trkseg></trk></gpx>` });
    const [a, b] = await Promise.all([upload(app, [walk(1)]), upload(app, [walk(2)])]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect([a.json().report.files[0].readings.read, b.json().report.files[0].readings.read]).toEqual([2000, 2000]);
    await db.pool.query('DELETE FROM upload WHERE id = ANY($1)', [[a.json().upload.id, b.json().upload.id]]);
  });
});

describe('an upload stopped for its memory', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t), { TESSERA_PARSE_HEAP_MB: '48' });

  it('is a 422 naming the file, stores nothing, and the server goes on serving', async () => {
    const before = await rowCounts(db);
    const res = await upload(app, [{ name: 'huge.csv', content: bigCsv(300_000) }]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_OUT_OF_MEMORY', details: [{ file: 'huge.csv' }] });
    expect(res.json().message).toMatch(/^File 'huge\.csv': reading it needed more memory than this server gives one file/);
    expect(await rowCounts(db)).toEqual(before);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const small = await upload(app, [{ name: 'small.csv', content: bigCsv(50) }]);
    expect(small.statusCode).toBe(201);
    await db.pool.query('DELETE FROM upload WHERE id = $1', [small.json().upload.id]);
  });
});

/**
 * A GPX whose first block of readings is plain (handed over, and on a server stored, while the
 * file is read) and whose later readings carry long vendor extensions, which the parsing thread
 * holds until their block is full: it runs out of memory part way through.
 */
function heavyGpx(plain: number, heavy: number): string {
  const out = ['<gpx version="1.1">', '<trk><name>Heavy</name><trkseg>'];
  for (let i = 0; i < plain + heavy; i++) {
    const ext = i < plain ? '' : `<extensions>${Array.from({ length: 40 }, (_, k) => `<v${k}>${String(i * 40 + k).padStart(120, 'x')}</v${k}>`).join('')}</extensions>`;
    out.push(`<trkpt lat="${(15.4 + i * 1e-6).toFixed(7)}" lon="106.9">${ext}</trkpt>`);
  }
  out.push('</trkseg></trk></gpx>');
  return out.join('\n');
}

describe('an upload stopped for its memory after some of its readings were sent', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t), { TESSERA_PARSE_HEAP_MB: '48' });

  it('leaves nothing of them behind', async () => {
    const content = heavyGpx(70_000, 12_000);
    // The first block does reach the main thread before the thread is stopped.
    let handed = 0;
    const direct = await parseInSandbox(received('heavy.gpx', content), { maxPoints: 1_000_000 }, { heapMb: 48 }, async (p) => {
      handed = p.openTrack?.segments.reduce((n, s) => n + s.length, 0) ?? 0;
    }).then(() => null, (e: unknown) => e);
    expect(direct).toMatchObject({ code: 'PARSE_OUT_OF_MEMORY', status: 422 });
    expect(handed).toBe(65_536);
    const before = await rowCounts(db);
    const res = await upload(app, [{ name: 'heavy.gpx', content }]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_OUT_OF_MEMORY', details: [{ file: 'heavy.gpx' }] });
    expect(await rowCounts(db)).toEqual(before);
    const answers = await Promise.all(Array.from({ length: 4 }, () => db.pool.query('SELECT 1 AS one')));
    expect(answers.map((r) => r.rows[0].one)).toEqual([1, 1, 1, 1]);
  });
});

describe('the pool of parsing threads', () => {
  it('queues the files beyond its threads and reads them all', async () => {
    const sandbox = parseSandbox({ heapMb: 256, workers: 1 });
    const files = [1, 2, 3].map((n) => received(`w${n}.gpx`, `<gpx version="1.1"><wpt lat="15.${n}" lon="106"/></gpx>`));
    const parsed = await Promise.all(files.map((f) => sandbox.parse(f, { maxPoints: 10 }, 10_000)));
    expect(parsed.map((p) => p.waypoints[0].lat)).toEqual([15.1, 15.2, 15.3]);
  });
});
