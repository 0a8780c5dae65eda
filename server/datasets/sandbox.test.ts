import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { MultiPolygon } from 'geojson';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, tableCounts, useTestApp } from '../../test/helpers/app.js';
import { multipart } from '../../test/helpers/multipart.js';
import { SANDBOX_KUMBAN } from '../../test/helpers/sandbox.js';
import type { Database } from '../db/database.js';
import { writeDbf } from '../export/dbf.js';
import { writeShp } from '../export/shp.js';
import type { ReceivedFile } from '../ingest/receive.js';
import { ParseSandbox } from '../ingest/sandbox.js';
import type { DatasetDone, DatasetMessage, DatasetRequest } from './read.js';

/**
 * Boundary datasets are read in the parse sandbox: one whose reading needs more memory or time
 * than the server gives a file is stopped with a 422 that names it, nothing of the upload is
 * stored (chunks already staged included), and the server goes on serving.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ds-sandbox-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `n` rings of `vertices` + 1 positions on a 300 m grid in UTM 48N (Sekong), as [x, y] rings. */
function rings(n: number, vertices = 32): number[][][] {
  const side = Math.ceil(Math.sqrt(n));
  return Array.from({ length: n }, (_, i) => {
    const x = 650_000 + (i % side) * 300;
    const y = 1_650_000 + Math.floor(i / side) * 300;
    const ring: number[][] = [];
    for (let k = 0; k < vertices; k++) {
      const a = (-k / vertices) * 2 * Math.PI;
      ring.push([x + 100 * Math.cos(a), y + 100 * Math.sin(a)]);
    }
    ring.push(ring[0]);
    return ring;
  });
}

/** The parts of a shapefile (no .prj: the upload names the CRS) of `n` villages, or of these polygons. */
function shapefile(n: number, prefix: string, vertices?: number, geometries?: MultiPolygon[]): { name: string; content: Buffer }[] {
  const all = geometries ?? rings(n, vertices).map((r): MultiPolygon => ({ type: 'MultiPolygon', coordinates: [[r]] }));
  const { shp, shx } = writeShp(all);
  const dbf = writeDbf(
    [{ name: 'VIL_CODE', type: 'C', length: 20 }, { name: 'NAME_E', type: 'C', length: 40 }],
    all.map((_, i) => [`${prefix}-${i}`, `Ban ${prefix} ${i}`]),
    new Date(Date.UTC(2026, 11, 2)),
  );
  return [{ name: 'villages.shp', content: shp }, { name: 'villages.shx', content: shx }, { name: 'villages.dbf', content: dbf }];
}

/** The same parts zipped. */
function zipped(parts: { name: string; content: Buffer }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const p of parts) zip.addBuffer(p.content, p.name);
  zip.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** Parts written to files, as the upload's receiver leaves them. */
function received(parts: { name: string; content: Buffer }[], prefix: string): ReceivedFile[] {
  return parts.map((p) => {
    const file = path.join(dir, `${prefix}-${p.name}`);
    fs.writeFileSync(file, p.content);
    return { name: p.name, path: file, size: p.content.length, sha256: `ds-sandbox-${prefix}-${p.name}` };
  });
}

/** A GeoJSON FeatureCollection of `n` villages in UTM 48N, read whole by the dataset reader. */
function geoJson(n: number, prefix: string): string {
  const features = rings(n).map((ring, i) => ({
    type: 'Feature', properties: { VIL_CODE: `${prefix}-${i}`, NAME_E: `Ban ${prefix} ${i}` }, geometry: { type: 'Polygon', coordinates: [ring] },
  }));
  return JSON.stringify({ type: 'FeatureCollection', features });
}

const rowCounts = (db: Database) => tableCounts(db, ['upload', 'area', 'area_version']);

function upload(app: FastifyInstance, files: { name: string; content: Buffer | string }[], fields: Record<string, string>, query = '') {
  const { payload, headers } = multipart(files, fields);
  return app.inject({ method: 'POST', url: `/api/uploads${query}`, headers: { ...headers, ...adminAuth() }, payload });
}

const MAPPING = { level: 'ban', parent: SANDBOX_KUMBAN, fields: 'code=VIL_CODE,name=NAME_E', crs: 'EPSG:32648' };

/** The server still answers, and still imports a small dataset (then removed again). */
async function stillServing(app: FastifyInstance, db: Database, prefix: string): Promise<void> {
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  const small = await upload(app, [{ name: 'small.zip', content: await zipped(shapefile(3, prefix)) }], MAPPING);
  expect(small.statusCode, small.body).toBe(201);
  expect(small.json().report.files[0].created).toBe(3);
  await db.pool.query(`DELETE FROM area_version WHERE area_id IN (SELECT id FROM area WHERE code LIKE $1)`, [`${prefix}-%`]);
  await db.pool.query(`DELETE FROM area WHERE code LIKE $1`, [`${prefix}-%`]);
  await db.pool.query('DELETE FROM upload WHERE id = $1', [small.json().upload.id]);
}

/**
 * 5,500 plain villages, then one whose polygon has 100,000 tiny parts: the first chunk is read,
 * sent and (through the API) staged before the thread runs out of memory on that record.
 */
function brokenLater(prefix: string): { name: string; content: Buffer }[] {
  const square = (x: number, y: number, d: number) => [[x, y], [x, y + d], [x + d, y + d], [x + d, y], [x, y]];
  const geometries = rings(5_501, 8).map((r, i): MultiPolygon => (i < 5_500
    ? { type: 'MultiPolygon', coordinates: [[r]] }
    : { type: 'MultiPolygon', coordinates: Array.from({ length: 100_000 }, (_, k) => [square(r[0][0] + (k % 1000) * 0.2, r[0][1] + Math.floor(k / 1000) * 0.2, 0.1)]) }));
  return shapefile(0, prefix, undefined, geometries);
}

describe('a dataset stopped for its memory', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t), { TESSERA_PARSE_HEAP_MB: '48' });

  it('is a 422 naming the file, stores nothing, and the server goes on serving', async () => {
    const before = await rowCounts(db);
    // 20,000 villages of 33 vertices: 15 MB of text, several times that as parsed JSON.
    const res = await upload(app, [{ name: 'all villages.geojson', content: geoJson(20_000, 'OOM') }], MAPPING);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_OUT_OF_MEMORY', details: [{ file: 'all villages.geojson' }] });
    expect(res.json().message).toMatch(/^File 'all villages\.geojson': reading it needed more memory than this server gives one file/);
    expect(res.json().message).toContain('Nothing from this upload was stored');
    expect(await rowCounts(db)).toEqual(before);
    // A dry run of it is stopped the same way.
    const dry = await upload(app, [{ name: 'all villages.geojson', content: geoJson(20_000, 'OOM') }], { dataset: '1' }, '?dry_run=1');
    expect(dry.statusCode, dry.body).toBe(422);
    expect(dry.json()).toMatchObject({ error: 'PARSE_OUT_OF_MEMORY', details: [{ file: 'all villages.geojson' }] });
    await stillServing(app, db, 'OOM-SMALL');
  });

  it('leaves nothing of the chunks staged before it was stopped', async () => {
    const parts = brokenLater('LATER');
    // Straight through a sandbox of the same heap: the first chunk does reach the main thread.
    const files = received(parts, 'later');
    const kinds: string[] = [];
    const direct = await new ParseSandbox({ heapMb: 48, workers: 1 }).runToEnd<DatasetMessage, DatasetDone>('dataset', {
      files, dryRun: false, crs: 'EPSG:32648', country: 'LA', parent: SANDBOX_KUMBAN, fields: { code: 'VIL_CODE', name: 'NAME_E' }, targetBbox: null, writer: 'copy',
    }, { timeoutMs: 0, files: files.map((f) => f.name), advice: '' }, (m) => {
      kinds.push(m.type);
    }).then(() => null, (e: unknown) => e);
    expect(direct).toMatchObject({ code: 'PARSE_OUT_OF_MEMORY', status: 422 });
    expect(kinds).toEqual(['opened', 'chunk']);
    const before = await rowCounts(db);
    const res = await upload(app, parts, MAPPING);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_OUT_OF_MEMORY', details: [{ file: 'villages.shp' }, { file: 'villages.shx' }, { file: 'villages.dbf' }] });
    expect(res.json().message).toMatch(/^Files 'villages\.shp', 'villages\.shx', 'villages\.dbf': reading them needed more memory/);
    expect(await rowCounts(db)).toEqual(before);
    await stillServing(app, db, 'LATER-SMALL');
  });
});

describe('a dataset stopped for its time', () => {
  let app: FastifyInstance;
  let db: Database;
  // 100,000 villages of 9 positions in UTM 48N, as loose parts: 20 chunks to reproject and encode.
  const parts = shapefile(100_000, 'SLOW', 8);
  const files = received(parts, 'slow');
  const request: DatasetRequest = {
    files, dryRun: false, crs: 'EPSG:32648', country: 'LA', parent: SANDBOX_KUMBAN, fields: { code: 'VIL_CODE', name: 'NAME_E' }, targetBbox: null, writer: 'copy',
  };
  const sandbox = new ParseSandbox({ heapMb: 1024, workers: 1 });
  const env: Record<string, string> = {};
  let limitMs = 0;
  let apiLimitMs = 0;
  beforeAll(async () => {
    // Limits from how fast this machine reads the file now (the clock counts only the reading):
    // one between the first chunk and the whole read (4-5 times either way), and for the API,
    // where the clock stops while a chunk is stored (and the thread reads on meanwhile), a
    // third of the time to the first chunk.
    await sandbox.warm();
    const t0 = performance.now();
    let first = 0;
    await sandbox.runToEnd<DatasetMessage, DatasetDone>('dataset', request, { timeoutMs: 0, files: ['villages.shp'], advice: '' }, (m) => {
      if (m.type === 'chunk' && first === 0) first = performance.now() - t0;
    });
    const total = performance.now() - t0;
    limitMs = Math.round(Math.sqrt(first * total));
    apiLimitMs = Math.max(1, Math.round(first / 3));
    env.TESSERA_PARSE_TIMEOUT_S = String(apiLimitMs / 1000);
  });
  useTestApp((t) => ({ app, db } = t), env);

  it('hands chunks over before it is stopped', async () => {
    // The machine's speed moves with its load: a limit the whole read fitted in is halved, one
    // that stopped the read before its first chunk doubled, a few times at most.
    let limit = limitMs;
    let kinds: string[] = [];
    let err: unknown = null;
    for (let attempt = 0; attempt < 6; attempt++) {
      kinds = [];
      err = await sandbox.runToEnd<DatasetMessage, DatasetDone>('dataset', request, { timeoutMs: limit, files: files.map((f) => f.name), advice: 'Split it.' }, (m) => {
        kinds.push(m.type);
      }).then(() => null, (e: unknown) => e);
      if (err === null) {
        limit = Math.round(limit / 2);
        continue;
      }
      expect(err).toMatchObject({ code: 'PARSE_TIMEOUT', status: 422, details: files.map((f) => ({ file: f.name, limit_seconds: limit / 1000 })) });
      if (kinds.includes('chunk')) break;
      limit *= 2;
    }
    expect((err as Error).message).toMatch(/^Files 'villages\.shp', 'villages\.shx', 'villages\.dbf': reading them took longer than/);
    expect(kinds[0]).toBe('opened');
    expect(kinds.filter((k) => k === 'chunk').length).toBeGreaterThan(0);
  });

  it('is a 422 naming the files, stores nothing, and the server goes on serving', async () => {
    const before = await rowCounts(db);
    const res = await upload(app, parts, MAPPING);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_TIMEOUT', details: [{ file: 'villages.shp', limit_seconds: apiLimitMs / 1000 }, { file: 'villages.shx' }, { file: 'villages.dbf' }] });
    expect(res.json().message).toContain('Split the dataset into smaller ones');
    expect(await rowCounts(db)).toEqual(before);
    await stillServing(app, db, 'SLOW-SMALL');
  });

  it('stops a zipped dataset the same way, naming the zip', async () => {
    const before = await rowCounts(db);
    const res = await upload(app, [{ name: 'slow villages.zip', content: await zipped(parts) }], MAPPING);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_TIMEOUT', details: [{ file: 'slow villages.zip' }] });
    expect(res.json().message).toMatch(/^File 'slow villages\.zip': reading it took longer than/);
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe('a dataset read the main thread gives up on', () => {
  it('leaves its thread to read the next one', async () => {
    const [zip] = received([{ name: 'given-up.zip', content: await zipped(shapefile(20_000, 'GIVEN')) }], 'given-up');
    const request: DatasetRequest = {
      files: [zip], dryRun: false, crs: 'EPSG:32648', country: 'LA', parent: SANDBOX_KUMBAN, fields: { code: 'VIL_CODE', name: 'NAME_E' }, targetBbox: null, writer: 'copy',
    };
    const sandbox = new ParseSandbox({ heapMb: 256, workers: 1 });
    // Given up after the dataset was opened (a mapping error, a re-upload): the thread is told to stop.
    const run = sandbox.run<DatasetMessage, DatasetDone>('dataset', request, { timeoutMs: 10_000, files: ['given-up.zip'], advice: '' });
    expect((await run.next()).value).toMatchObject({ type: 'opened', format: 'shapefile', crs: { label: 'EPSG:32648' } });
    run.close();
    // The next job waits for the one thread, which stops the job it was reading and takes this one.
    const done = await sandbox.runToEnd<DatasetMessage, DatasetDone>('dataset', { ...request, dryRun: true }, { timeoutMs: 10_000, files: ['given-up.zip'], advice: '' });
    expect(done.features).toBe(20_000);
    expect(sandbox.threadsStarted).toBe(1);
  });
});
