/**
 * Benchmark: import a 100,000-polygon shapefile in EPSG:32648 (33 vertices each, a few
 * attribute columns) into PostGIS with reprojection and validation, through Tessera's dataset
 * import, and in the same run through `ogr2ogr -t_srs EPSG:4326` and
 * `shp2pgsql -s 32648:4326 | psql` into the same database.
 *
 *   npx tsx scripts/bench/ingest-shp.ts [--polygons 100000] [--runs 3] [--database-url URL]
 *
 * The database defaults to DATABASE_URL or postgres://postgres@127.0.0.1:5432/tessera_bench
 * (prepare it with `bash scripts/postgis-server.sh tessera_bench`). Needs `ogr2ogr` (Debian's
 * gdal-bin), `shp2pgsql` (Debian's postgis, not brought by postgresql-15-postgis-3) and `psql`.
 */
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, withTransaction } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrate.js';
import { createArea } from '../../server/areas/store.js';
import { importDataset } from '../../server/datasets/service.js';
import { receiveLocalFile } from '../../server/ingest/receive.js';
import { PARSE_DEFAULTS, parseSandbox } from '../../server/ingest/sandbox.js';

const { values } = parseArgs({
  options: {
    polygons: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tessera_bench' },
  },
});
const count = Number(values.polygons);
const runs = Number(values.runs);
const url = values['database-url']!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-shp-'));

/** A grid of 33-vertex irregular polygons around Sekong, in UTM 48N metres, as GeoJSON lines. */
function writeSource(file: string) {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, '{"type":"FeatureCollection","features":[\n');
  const side = Math.ceil(Math.sqrt(count));
  let seed = 42;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < count; i++) {
    const cx = 650_000 + (i % side) * 300;
    const cy = 1_650_000 + Math.floor(i / side) * 300;
    const ring: number[][] = [];
    for (let k = 0; k < 32; k++) {
      const a = (k / 32) * 2 * Math.PI;
      const r = 100 + rand() * 30;
      ring.push([Math.round((cx + r * Math.cos(a)) * 100) / 100, Math.round((cy + r * Math.sin(a)) * 100) / 100]);
    }
    ring.push(ring[0]);
    const props = { VIL_CODE: `BENCH-${i}`, NAME_E: `Ban Bench ${i}`, POP: 100 + (i % 900), HH: 20 + (i % 150) };
    fs.writeSync(out, `${i ? ',\n' : ''}{"type":"Feature","properties":${JSON.stringify(props)},"geometry":{"type":"Polygon","coordinates":[${JSON.stringify(ring)}]}}`);
  }
  fs.writeSync(out, '\n]}\n');
  fs.closeSync(out);
}

/**
 * CPU seconds used so far by the server processes serving this database (the import's
 * connection among them), by process id, from /proc: the server runs on this machine. Empty
 * when /proc cannot be read.
 */
async function backendCpu(raw: pg.Client): Promise<Map<number, number>> {
  const { rows } = await raw.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The process ended, or /proc is not this server's.
    }
  }
  return ticks;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const missing = [['ogr2ogr', 'gdal-bin'], ['shp2pgsql', 'postgis'], ['psql', 'postgresql-client']].filter(([tool]) => {
    try {
      execSync(`command -v ${tool}`, { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new Error(`Missing ${missing.map(([tool, pkg]) => `${tool} (apt-get install ${pkg})`).join(', ')}: the benchmark measures them beside Tessera.`);
  }
  const src = path.join(dir, 'bench.geojson');
  writeSource(src);
  const shp = path.join(dir, 'villages.shp');
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-a_srs', 'EPSG:32648', '-lco', 'ENCODING=UTF-8', shp, src]);
  const parts = await Promise.all(['shp', 'shx', 'dbf', 'prj', 'cpg'].map((ext) => receiveLocalFile(path.join(dir, `villages.${ext}`))));
  const mb = parts.reduce((n, p) => n + p.size, 0) / 1048576;

  const db = await openDatabase({ databaseUrl: url, dataDir: dir });
  await migrate(db.pool);
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  const reset = async () => {
    await raw.query(`DELETE FROM area_version WHERE area_id IN (SELECT id FROM area WHERE code LIKE 'BENCH-%')`);
    await raw.query(`DELETE FROM area WHERE code LIKE 'BENCH-%'`);
    await raw.query(`DELETE FROM upload WHERE kind = 'shapefile' AND filename LIKE 'villages.%'`);
    await raw.query('DROP TABLE IF EXISTS bench_ogr, bench_shp2pgsql');
    // Both tables: dead versions of earlier runs would otherwise make each run write into a larger heap.
    await raw.query('VACUUM ANALYZE area');
    await raw.query('VACUUM ANALYZE area_version');
  };
  await reset();
  for (const [level, code, parent] of [['province', 'BP', null], ['district', 'BP-01', 'BP'], ['kumban', 'BP-01-01', 'BP-01']] as const) {
    const exists = await raw.query('SELECT 1 FROM area WHERE code = $1', [code]);
    if (!exists.rowCount) {
      await withTransaction(db.pool, (c) => createArea(c, { level, code, name: `Bench ${level}`, parent, centre: { type: 'Point', coordinates: [106.5, 15.2] } }, 'bench'));
    }
  }
  const pgEnv = { ...process.env, PGOPTIONS: '' };
  const u = new URL(url);
  const pgConn = `PG:host=${u.hostname} port=${u.port || 5432} dbname=${u.pathname.slice(1)} user=${u.username || 'postgres'}`;
  // The dataset is read in the parse sandbox's thread: started here, as on a server that has read
  // a file in the last 5 minutes (a cold start adds most of a second to the first import).
  await parseSandbox(PARSE_DEFAULTS).warm();
  const times: Record<string, number[]> = { tessera: [], ogr2ogr: [], shp2pgsql: [] };
  let rss = 0;
  // CPU of this process (reading, reprojecting, checking, encoding) during Tessera's imports.
  const cpu: number[] = [];
  // CPU of the PostgreSQL processes serving Tessera's pool during its imports (10 ms ticks).
  const serverCpu: number[] = [];
  const load: number[][] = [];
  for (let run = 0; run < runs; run++) {
    await reset();
    load.push(os.loadavg());
    // Peak RSS while the import runs, sampled every 50 ms (the import yields between chunks).
    const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 50);
    let t = performance.now();
    const cpu0 = process.cpuUsage();
    const server0 = await backendCpu(raw);
    const result = await importDataset(db, parts, {
      dryRun: false, level: 'ban', parent: 'BP-01-01', fields: { code: 'VIL_CODE', name: 'NAME_E', population: 'POP', households: 'HH' },
      country: 'LA', actor: 'bench',
    });
    times.tessera.push(performance.now() - t);
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / 1000);
    const server1 = await backendCpu(raw);
    serverCpu.push([...server1].reduce((n, [pid, s]) => n + s - (server0.get(pid) ?? 0), 0));
    clearInterval(sampler);
    rss = Math.max(rss, process.memoryUsage().rss);
    if (result.report.created !== count) throw new Error(`Tessera created ${result.report.created} areas, expected ${count}`);

    t = performance.now();
    execFileSync('ogr2ogr', ['-f', 'PostgreSQL', pgConn, shp, '-t_srs', 'EPSG:4326', '-nln', 'bench_ogr', '-nlt', 'PROMOTE_TO_MULTI', '-lco', 'GEOMETRY_NAME=geom'], { env: pgEnv });
    times.ogr2ogr.push(performance.now() - t);

    t = performance.now();
    execSync(`shp2pgsql -s 32648:4326 -I -D ${shp} bench_shp2pgsql | psql -q "${url}" > /dev/null`, { env: pgEnv, shell: '/bin/bash' });
    times.shp2pgsql.push(performance.now() - t);
  }
  const check = await raw.query(`SELECT (SELECT count(*) FROM area WHERE code LIKE 'BENCH-%')::int AS tessera, (SELECT count(*) FROM bench_ogr)::int AS ogr,
    (SELECT count(*) FROM bench_shp2pgsql)::int AS shp2pgsql,
    (SELECT max(ST_HausdorffDistance(a.geom::geometry, o.geom)) FROM area a JOIN bench_ogr o ON o.vil_code = a.code) AS max_diff_deg,
    (SELECT max(abs(a.area_m2 / ST_Area(a.geom::geography) - 1)) FROM area a WHERE a.code LIKE 'BENCH-%') AS max_area_vs_spheroid,
    (SELECT max(abs(a.perimeter_m / ST_Perimeter(a.geom::geography) - 1)) FROM area a WHERE a.code LIKE 'BENCH-%') AS max_perimeter_vs_spheroid,
    (SELECT max(abs(a.area_m2 / ST_Area(o.geom::geography) - 1)) FROM area a JOIN bench_ogr o ON o.vil_code = a.code) AS max_area_vs_ogr2ogr_geometry,
    (SELECT bool_and(ST_Contains(a.geom, a.centre)) FROM area a WHERE a.code LIKE 'BENCH-%') AS centres_inside`);
  await reset();
  await raw.end();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const m = { tessera: median(times.tessera), ogr2ogr: median(times.ogr2ogr), shp2pgsql: median(times.shp2pgsql) };
  console.log(`\n${count.toLocaleString('en')} polygons, ${mb.toFixed(1)} MB shapefile, median of ${runs} runs, ${os.cpus().length} cores, PostGIS server ${u.host}`);
  console.log('| tool | median s | runs (s) | vs ogr2ogr |');
  console.log('|---|---|---|---|');
  for (const [k, v] of Object.entries(m)) {
    console.log(`| ${k} | ${(v / 1000).toFixed(2)} | ${times[k].map((x) => (x / 1000).toFixed(2)).join(', ')} | ${(v / m.ogr2ogr).toFixed(2)}x |`);
  }
  console.log(`rows: ${JSON.stringify(check.rows[0])}; Tessera peak RSS ${(rss / 1048576).toFixed(0)} MB, Node CPU (s) ${cpu.map((x) => (x / 1000).toFixed(2)).join(', ')}, `
    + `PostgreSQL CPU (s) ${serverCpu.map((x) => x.toFixed(2)).join(', ')}`);
  console.log(`load average (1, 5, 15 min) at the start of each run: ${load.map((l) => l.map((v) => v.toFixed(2)).join(' ')).join(' | ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
