import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import { multipart } from '../../test/helpers/multipart.js';
import type { Database } from '../db/database.js';
import { writeDbf } from '../export/dbf.js';
import { writeShp } from '../export/shp.js';
import { ParseSandbox } from '../ingest/sandbox.js';
import type { DatasetDone, DatasetMessage, DatasetRequest } from './read.js';

/**
 * Boundary datasets are read in the parse sandbox: one whose reading needs more memory or time
 * than the server gives a file is stopped with a 422 that names it, nothing of the upload is
 * stored (chunks already staged included), and the server goes on serving.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ds-sandbox-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `n` squares of 33 vertices on a 300 m grid in UTM 48N (Sekong), as [x, y] rings. */
function squares(n: number): number[][][] {
  const side = Math.ceil(Math.sqrt(n));
  return Array.from({ length: n }, (_, i) => {
    const x = 650_000 + (i % side) * 300;
    const y = 1_650_000 + Math.floor(i / side) * 300;
    const ring: number[][] = [];
    for (let k = 0; k < 32; k++) {
      const a = (-k / 32) * 2 * Math.PI;
      ring.push([x + 100 * Math.cos(a), y + 100 * Math.sin(a)]);
    }
    ring.push(ring[0]);
    return ring;
  });
}

/** A zipped shapefile (no .prj: the upload names the CRS) of `n` villages. */
function zippedShapefile(n: number, prefix: string): Promise<Buffer> {
  const rings = squares(n);
  const { shp, shx } = writeShp(rings.map((r) => ({ type: 'MultiPolygon', coordinates: [[r]] })));
  const dbf = writeDbf(
    [{ name: 'VIL_CODE', type: 'C', length: 20 }, { name: 'NAME_E', type: 'C', length: 40 }],
    rings.map((_, i) => [`${prefix}-${i}`, `Ban ${prefix} ${i}`]),
    new Date(Date.UTC(2026, 11, 2)),
  );
  const zip = new yazl.ZipFile();
  for (const [ext, data] of [['shp', shp], ['shx', shx], ['dbf', dbf]] as const) zip.addBuffer(data, `villages.${ext}`);
  zip.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** A GeoJSON FeatureCollection of `n` villages in UTM 48N, read whole by the dataset reader. */
function geoJson(n: number, prefix: string): string {
  const features = squares(n).map((ring, i) => ({
    type: 'Feature', properties: { VIL_CODE: `${prefix}-${i}`, NAME_E: `Ban ${prefix} ${i}` }, geometry: { type: 'Polygon', coordinates: [ring] },
  }));
  return JSON.stringify({ type: 'FeatureCollection', features });
}

async function rowCounts(db: Database): Promise<Record<string, number>> {
  const { rows } = await db.pool.query(`SELECT (SELECT count(*) FROM upload)::int AS upload, (SELECT count(*) FROM area)::int AS area,
    (SELECT count(*) FROM area_version)::int AS area_version`);
  return rows[0];
}

function upload(app: FastifyInstance, file: { name: string; content: Buffer | string }, fields: Record<string, string>, query = '') {
  const { payload, headers } = multipart([file], fields);
  return app.inject({ method: 'POST', url: `/api/uploads${query}`, headers: { ...headers, ...adminAuth() }, payload });
}

const MAPPING = { level: 'ban', parent: 'contains', fields: 'code=VIL_CODE,name=NAME_E', crs: 'EPSG:32648' };

/** The server still answers, and still imports a small dataset (then removed again). */
async function stillServing(app: FastifyInstance, db: Database, prefix: string): Promise<void> {
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  const small = await upload(app, { name: 'small.zip', content: await zippedShapefile(3, prefix) }, MAPPING);
  expect(small.statusCode, small.body).toBe(201);
  expect(small.json().report.files[0].created).toBe(3);
  await db.pool.query(`DELETE FROM area_version WHERE area_id IN (SELECT id FROM area WHERE code LIKE $1)`, [`${prefix}-%`]);
  await db.pool.query(`DELETE FROM area WHERE code LIKE $1`, [`${prefix}-%`]);
  await db.pool.query('DELETE FROM upload WHERE id = $1', [small.json().upload.id]);
}

describe('a dataset stopped for its memory', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t), { TESSERA_PARSE_HEAP_MB: '48' });

  it('is a 422 naming the file, stores nothing, and the server goes on serving', async () => {
    const before = await rowCounts(db);
    // 20,000 villages of 33 vertices: 15 MB of text, several times that as parsed JSON.
    const res = await upload(app, { name: 'all villages.geojson', content: geoJson(20_000, 'OOM') }, MAPPING);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_OUT_OF_MEMORY', details: [{ file: 'all villages.geojson' }] });
    expect(res.json().message).toMatch(/^File 'all villages\.geojson': reading it needed more memory than this server gives one file/);
    expect(res.json().message).toContain('Nothing from this upload was stored');
    expect(await rowCounts(db)).toEqual(before);
    // A dry run of it is stopped the same way.
    const dry = await upload(app, { name: 'all villages.geojson', content: geoJson(20_000, 'OOM') }, { dataset: '1' }, '?dry_run=1');
    expect(dry.statusCode, dry.body).toBe(422);
    expect(dry.json()).toMatchObject({ error: 'PARSE_OUT_OF_MEMORY', details: [{ file: 'all villages.geojson' }] });
    await stillServing(app, db, 'OOM-SMALL');
  });
});

describe('a dataset stopped for its time', () => {
  let app: FastifyInstance;
  let db: Database;
  useTestApp((t) => ({ app, db } = t), { TESSERA_PARSE_TIMEOUT_S: '0.6' });

  it('sends chunks before it is stopped', async () => {
    // The same file read straight through the sandbox: chunks of features arrive, then the stop.
    const zip = path.join(dir, 'slow.zip');
    fs.writeFileSync(zip, await zippedShapefile(50_000, 'SLOW'));
    const request: DatasetRequest = {
      files: [{ name: 'slow.zip', path: zip, size: fs.statSync(zip).size, sha256: 'ds-sandbox-slow' }], dryRun: false, crs: 'EPSG:32648', country: 'LA',
      parent: 'contains', fields: { code: 'VIL_CODE', name: 'NAME_E' }, targetBbox: null, writer: 'copy',
    };
    const sandbox = new ParseSandbox({ heapMb: 256, workers: 1 });
    const kinds: string[] = [];
    const err = await sandbox.runToEnd<DatasetMessage, DatasetDone>('dataset', request, { timeoutMs: 600, files: ['slow.zip'], advice: 'Split it.' }, (m) => {
      kinds.push(m.type);
    }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'PARSE_TIMEOUT', status: 422, details: [{ file: 'slow.zip', limit_seconds: 0.6 }] });
    expect(kinds[0]).toBe('opened');
    expect(kinds.filter((k) => k === 'chunk').length).toBeGreaterThan(0);
  });

  it('is a 422 naming the file, stores nothing of the chunks already staged, and the server goes on serving', async () => {
    const before = await rowCounts(db);
    const res = await upload(app, { name: 'slow.zip', content: await zippedShapefile(50_000, 'SLOW') }, MAPPING);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ error: 'PARSE_TIMEOUT', details: [{ file: 'slow.zip', limit_seconds: 0.6 }] });
    expect(res.json().message).toMatch(/^File 'slow\.zip': reading it took longer than 0\.6 seconds, the most this server gives one file/);
    expect(res.json().message).toContain('Split the dataset into smaller ones');
    expect(await rowCounts(db)).toEqual(before);
    await stillServing(app, db, 'SLOW-SMALL');
  });
});

describe('a dataset read the main thread gives up on', () => {
  it('leaves its thread to read the next one', async () => {
    const zip = path.join(dir, 'given-up.zip');
    fs.writeFileSync(zip, await zippedShapefile(20_000, 'GIVEN'));
    const request: DatasetRequest = {
      files: [{ name: 'given-up.zip', path: zip, size: fs.statSync(zip).size, sha256: 'ds-sandbox-given-up' }], dryRun: false, crs: 'EPSG:32648', country: 'LA',
      parent: 'contains', fields: { code: 'VIL_CODE', name: 'NAME_E' }, targetBbox: null, writer: 'copy',
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
