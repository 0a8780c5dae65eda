/**
 * Ingest benchmark: a generated 1,000,000-point GPX walk loaded by Tessera (the API's code path,
 * cleaning on) and by ogr2ogr into the same PostGIS database, each timed and its peak RSS taken.
 *   npx tsx scripts/bench/ingest-gpx.ts [--points 1000000] [--runs 3] [--database-url URL]
 * The database is prepared with `bash scripts/postgis-server.sh tessera_bench`; its Tessera
 * tables are migrated here, and each run's upload is deleted before the next one.
 */
import { execFileSync, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { receiveLocalFile } from '../../server/ingest/receive.js';
import { migrate } from '../../server/db/migrate.js';
import { writeWalkGpx } from './walk-gpx.js';

interface Args {
  points: number;
  runs: number;
  url: string;
}

interface Run {
  seconds: number;
  peakRssBytes: number;
  rows: number;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]): Args {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    points: Number(value('--points') ?? 1_000_000),
    runs: Number(value('--runs') ?? 3),
    url: value('--database-url') ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tessera_bench',
  };
}

/** Run a command to its end; resolves with its stdout, rejects with its stderr. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${err.slice(-2000)}`))));
  });
}

/** Seconds each deletion of a stored upload (the previous run's) took, its tracks and readings going with it. */
const deletions: number[] = [];

/** Delete the upload of these bytes, if stored, timing it when there was one. */
async function deleteUpload(client: pg.Client, sha256: string): Promise<void> {
  const started = performance.now();
  const { rowCount } = await client.query('DELETE FROM upload WHERE sha256 = $1', [sha256]);
  if (rowCount) deletions.push((performance.now() - started) / 1000);
}

/** One Tessera ingest in a fresh process (scripts/bench/ingest-once.ts), after removing the previous one's upload. */
async function tesseraRun(client: pg.Client, file: string, sha256: string, url: string): Promise<Run> {
  await deleteUpload(client, sha256);
  // ogr2ogr's -overwrite starts each run on a new table; the dead rows of the previous run are
  // cleared here so Tessera's does too, also on a server whose autovacuum is off (this one's is).
  await client.query('VACUUM reading, track, upload');
  const out = await run(process.execPath, ['--import', 'tsx', path.join(HERE, 'ingest-once.ts'), file, sha256, url]);
  const result = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; peakRssBytes: number; uploadId: string };
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM reading WHERE upload_id = $1', [result.uploadId]);
  return { seconds: result.seconds, peakRssBytes: result.peakRssBytes, rows: rows[0].n };
}

/** One ogr2ogr load of the track points into a table of their own, timed from outside, RSS from GNU time. */
async function ogrRun(client: pg.Client, file: string, url: string, layerOptions: string[]): Promise<Run> {
  const u = new URL(url);
  const conn = `PG:host=${u.hostname} port=${u.port || 5432} user=${decodeURIComponent(u.username)} dbname=${u.pathname.slice(1)}`;
  const args = ['-f', '%M', 'ogr2ogr', '-f', 'PostgreSQL', conn, file, 'track_points', '-overwrite', '-nln', 'bench_track_points',
    '-lco', 'GEOMETRY_NAME=geom', ...layerOptions.flatMap((o) => ['-lco', o])];
  const started = performance.now();
  const timed = await new Promise<string>((resolve, reject) => {
    const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`ogr2ogr exited with ${code}: ${err.slice(-2000)}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  const kb = Number(timed.trim().split('\n').pop());
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_track_points');
  return { seconds, peakRssBytes: kb * 1024, rows: rows[0].n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number) => Math.round(bytes / 1e6);
const s1 = (x: number) => x.toFixed(1);

async function machine(client: pg.Client): Promise<string> {
  const version = async (sql: string) => (await client.query<{ v: string }>(sql)).rows[0].v;
  const gdal = execFileSync('ogr2ogr', ['--version']).toString().trim();
  return [
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, load average ${os.loadavg()[0].toFixed(1)} at start (shared machine)`,
    `Node ${process.version}; ${await version("SELECT split_part(version(), ' on ', 1) AS v")}; PostGIS ${await version('SELECT postgis_lib_version() AS v')}; ${gdal}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const client = new pg.Client({ connectionString: args.url });
  await client.connect();
  const pool = new pg.Pool({ connectionString: args.url, max: 1 });
  await migrate(pool);
  await pool.end();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-bench-'));
  try {
    const file = path.join(dir, 'walk.gpx');
    const size = await writeWalkGpx(file, { points: args.points });
    const { sha256 } = await receiveLocalFile(file);
    console.error(`generated ${file}: ${args.points.toLocaleString('en-US')} points, ${mb(size)} MB`);
    const variants = {
      tessera: [] as Run[],
      ogr: [] as Run[],
      ogrNoIndex: [] as Run[],
    };
    // Interleaved, so a burst of load from other work on the machine hits each tool alike.
    for (let i = 0; i < args.runs; i++) {
      variants.tessera.push(await tesseraRun(client, file, sha256, args.url));
      variants.ogr.push(await ogrRun(client, file, args.url, []));
      variants.ogrNoIndex.push(await ogrRun(client, file, args.url, ['SPATIAL_INDEX=NONE']));
      console.error(`run ${i + 1}: tessera ${s1(variants.tessera[i].seconds)} s, ogr2ogr ${s1(variants.ogr[i].seconds)} s, ` +
        `ogr2ogr without index ${s1(variants.ogrNoIndex[i].seconds)} s`);
    }
    await deleteUpload(client, sha256);
    await client.query('DROP TABLE IF EXISTS bench_track_points');
    const reference = median(variants.ogr.map((r) => r.seconds));
    const line = (name: string, runs: Run[]) => {
      const m = median(runs.map((r) => r.seconds));
      return `| ${name} | ${runs.map((r) => s1(r.seconds)).join(' / ')} | ${s1(m)} | ${(m / reference).toFixed(2)}x | ` +
        `${Math.max(...runs.map((r) => mb(r.peakRssBytes)))} | ${runs[0].rows.toLocaleString('en-US')} |`;
    };
    console.log([
      `${args.points.toLocaleString('en-US')}-point GPX, ${mb(size)} MB, ${args.runs} runs each (interleaved)`,
      await machine(client),
      '',
      '| loader | wall time per run (s) | median (s) | vs ogr2ogr | peak RSS (MB) | rows stored |',
      '|---|---|---|---|---|---|',
      line('Tessera `ingestFiles` (parse, clean, COPY, track line)', variants.tessera),
      line('ogr2ogr, defaults (COPY, GiST index)', variants.ogr),
      line('ogr2ogr, `-lco SPATIAL_INDEX=NONE`', variants.ogrNoIndex),
      '',
      `Deleting the stored upload (its track, ${variants.tessera[0].rows.toLocaleString('en-US')} readings): ${deletions.map(s1).join(' / ')} s`,
    ].join('\n'));
  } finally {
    await client.end();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
