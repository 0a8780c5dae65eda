import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../server/config.js';
import { hasTool } from '../test/helpers/tools.js';
import { SANDBOX_KUMBAN } from '../test/helpers/sandbox.js';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-import-'));
/** Unique per run of the suite, so the files are never uploads an earlier test already stored. */
const stamp = Date.now();

/** `npm run import -- ARGS` on the suite's database; resolves with the exit code and output, whatever the code. */
async function importCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/import.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Asked after each command, on a connection of its own (the embedded database serves one at a time). */
async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const walkGpx = (points: number) => `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="import.test ${stamp}" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>CLI walk</name><trkseg>
${Array.from({ length: points }, (_, i) => `<trkpt lat="${(15.45 + i * 1e-4).toFixed(6)}" lon="106.9"><time>2024-03-01T02:00:${String(i * 10).padStart(2, '0')}Z</time></trkpt>`).join('\n')}
</trkseg></trk></gpx>`;

// The suite's embedded database is served over a socket that takes one connection at a time,
// and an import uses two at once (the upload's transaction and the lookups beside it), as it
// does on a PostgreSQL server; run with DATABASE_URL, these tests cover the command itself.
describe.skipIf(inject('databaseKind') === 'embedded')('npm run import', () => {
  it('stores a GPS file for an area as one upload and prints its report', async () => {
    const file = write(`walk-${stamp}.gpx`, walkGpx(5));
    const { code, stdout, stderr } = await importCli([file, '--area', SANDBOX_KUMBAN]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`walk-${stamp}.gpx (gpx 1.1, EPSG:4326`);
    expect(stdout).toContain('readings: 5 read, 5 kept');
    expect(stdout).not.toContain('warning');
    expect(stdout).toMatch(new RegExp(`track \\d+ 'CLI walk': perimeter of ${SANDBOX_KUMBAN}, 5 kept, 0 dropped`));
    const rows = await query<{ readings: number; area: string }>(
      `SELECT count(r.*)::int AS readings, min(a.code) AS area FROM upload u JOIN track t ON t.upload_id = u.id
       JOIN reading r ON r.track_id = t.id JOIN area a ON a.id = t.area_id WHERE u.filename = $1`, [`walk-${stamp}.gpx`]);
    expect(rows).toEqual([{ readings: 5, area: SANDBOX_KUMBAN }]);
  }, 180_000);

  /** Two 0.01° squares (about 1.07 by 1.11 km, 119 ha) in the sandbox kumban, coded `PREFIX-1` and `PREFIX-2`. */
  function villagesGeoJson(prefix: string): string {
    const square = (x: number) => [[[106.9 + x, 15.46], [106.91 + x, 15.46], [106.91 + x, 15.47], [106.9 + x, 15.47], [106.9 + x, 15.46]]];
    return write(`${prefix}.geojson`, JSON.stringify({
      type: 'FeatureCollection',
      features: [0, 0.01].map((x, k) => ({
        type: 'Feature', properties: { VIL_CODE: `${prefix}-${k + 1}`, NAME_E: `Ban Cli ${k + 1}` }, geometry: { type: 'Polygon', coordinates: square(x) },
      })),
    }));
  }

  async function importedVillages(prefix: string) {
    return query<{ code: string; name: string; parent: string; ha: number }>(
      `SELECT a.code, a.name, p.code AS parent, round(a.area_m2 / 1e4)::int AS ha FROM area a JOIN area p ON p.id = a.parent_id
       WHERE a.code LIKE $1 ORDER BY a.code`, [`${prefix}-%`]);
  }

  const expected = (prefix: string) => [1, 2].map((k) => ({ code: `${prefix}-${k}`, name: `Ban Cli ${k}`, parent: SANDBOX_KUMBAN, ha: 119 }));

  it('imports village polygons with --level, --parent and --fields', async () => {
    const prefix = `CLIJ${stamp}`;
    const { code, stdout, stderr } = await importCli([villagesGeoJson(prefix), '--level', 'ban', '--parent', SANDBOX_KUMBAN, '--fields', 'code=VIL_CODE,name=NAME_E']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'geojson', created: 2 });
    expect(await importedVillages(prefix)).toEqual(expected(prefix));
  }, 180_000);

  it.skipIf(!hasTool('ogr2ogr'))('imports a loose UTM 48N shapefile the same way, reprojected', async () => {
    const prefix = `CLIS${stamp}`;
    const shp = path.join(dir, `${prefix}.shp`);
    await run('ogr2ogr', ['-f', 'ESRI Shapefile', '-t_srs', 'EPSG:32648', shp, villagesGeoJson(prefix)]);
    const parts = ['shp', 'shx', 'dbf', 'prj'].map((ext) => path.join(dir, `${prefix}.${ext}`));
    const { code, stdout, stderr } = await importCli([...parts, '--level', 'ban', '--parent', SANDBOX_KUMBAN, '--fields', 'code=VIL_CODE,name=NAME_E']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'shapefile', crs: 'WGS_1984_UTM_Zone_48N', created: 2 });
    expect(await importedVillages(prefix)).toEqual(expected(prefix));
  }, 180_000);

  it('exits 1 naming the file and the problem, and stores nothing of the upload', async () => {
    const good = write(`good-${stamp}.gpx`, walkGpx(3));
    const broken = write(`broken-${stamp}.gpx`, walkGpx(4).slice(0, -40));
    const { code, stdout, stderr } = await importCli([good, broken]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^[A-Z_]+: broken-${stamp}\\.gpx: .*line \\d+`, 'm'));
    const uploads = await query<{ n: number }>('SELECT count(*)::int AS n FROM upload WHERE filename IN ($1, $2)', [`good-${stamp}.gpx`, `broken-${stamp}.gpx`]);
    expect(uploads[0].n).toBe(0);
  }, 180_000);
});
