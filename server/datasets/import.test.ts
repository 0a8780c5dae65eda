import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { adminAuth, testApp } from '../../test/helpers/app.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { Database } from '../db/database.js';
import { multipart } from '../../test/helpers/multipart.js';

const hasOgr = hasTool('ogr2ogr');
const realdata = path.resolve(process.env.TESSERA_REALDATA ?? path.join(import.meta.dirname, '../../../shared/realdata'));

let app: FastifyInstance;
let db: Database;
let dir: string;
beforeAll(async () => {
  ({ app, db } = await testApp());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-shp-'));
  // A kumban of the tests' own, west of the demo province, so that the villages imported here
  // never join the demo kumbans other test files derive, tile and check for gaps.
  const [lon, lat, d] = [106.0, 15.3, 0.18];
  const res = await app.inject({ method: 'POST', url: '/api/areas', headers: adminAuth(), payload: {
    level: 'kumban', parent: 'SK-01', code: 'DSI-01-01', name: 'Shapefile Kumban', centre: { type: 'Point', coordinates: [lon + d / 2, lat + d / 2] },
    geometry: { type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] },
  } });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => {
  await app.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Two villages in Indian 1960 / UTM 48N in the test kumban DSI-01-01 (one a bow-tie), written by GDAL. */
function writeShapefile(name: string, opts: { srs?: string; encoding?: string; names?: [string, string][]; bowTie?: boolean; dropPrj?: boolean }): string {
  const names = opts.names ?? [['Ban Nam Pheng', 'ບ້ານນ້ຳເພັງ'], ['Ban Lak Sao', 'ບ້ານຫຼັກຊາວ']];
  const sq = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];
  const bow = (x: number, y: number, d: number) => [[[x, y], [x, y + d], [x + d, y], [x + d, y + d], [x, y]]];
  const fc = {
    type: 'FeatureCollection',
    features: names.map(([en, lo], i) => ({
      type: 'Feature',
      properties: { VIL_CODE: `${name.toUpperCase()}-${i + 1}`, NAME_E: en, NAME_LO: lo, POP: 300 + i },
      geometry: { type: 'Polygon', coordinates: (opts.bowTie && i === 1 ? bow : sq)(612000 + i * 3000, 1700000, 2000) },
    })),
  };
  const src = path.join(dir, `${name}.geojson`);
  fs.writeFileSync(src, JSON.stringify(fc));
  const out = path.join(dir, name);
  fs.mkdirSync(out, { recursive: true });
  const args = ['-f', 'ESRI Shapefile', '-a_srs', opts.srs ?? 'EPSG:3148', path.join(out, `${name}.shp`), src];
  if (opts.encoding) args.push('-lco', `ENCODING=${opts.encoding}`);
  execFileSync('ogr2ogr', args);
  if (opts.dropPrj) fs.rmSync(path.join(out, `${name}.prj`));
  return out;
}

function zipFolder(folder: string, entries?: { name: string; data: Buffer; compress?: boolean; mode?: number }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  if (entries) for (const e of entries) zip.addBuffer(e.data, e.name, { compress: e.compress ?? true, mode: e.mode });
  else for (const f of fs.readdirSync(folder)) zip.addFile(path.join(folder, f), `data/layers/${f}`);
  zip.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function upload(data: Buffer, fields: Record<string, string>, query = '') {
  const { payload, headers } = multipart([{ name: 'villages.zip', content: data, type: 'application/zip' }], fields);
  return app.inject({ method: 'POST', url: `/api/uploads${query}`, headers: { ...headers, ...adminAuth() }, payload });
}

async function counts() {
  const { rows } = await db.pool.query('SELECT (SELECT count(*) FROM area)::int AS areas, (SELECT count(*) FROM upload)::int AS uploads, (SELECT count(*) FROM area_version)::int AS versions');
  return rows[0];
}

describe.skipIf(!hasOgr)('shapefile import', () => {
  const mapping = { level: 'ban', parent: 'DSI-01-01', fields: 'code=VIL_CODE,name=NAME_E,name_local=NAME_LO,population=POP' };

  it('previews fields, CRS, encoding and problems without writing anything', async () => {
    const before = await counts();
    const res = await upload(await zipFolder(writeShapefile('prev', { encoding: 'UTF-8', bowTie: true })), {}, '?dry_run=1');
    expect(res.statusCode).toBe(200);
    const r = res.json().report.files[0];
    expect(r).toMatchObject({ layer: 'prev', features: 2, datum: 'Indian 1960 (EPSG:4131)', geometry_types: { Polygon: 2 } });
    expect(r.encoding.encoding).toBe('utf-8');
    expect(r.fields.map((f: { name: string }) => f.name)).toEqual(['VIL_CODE', 'NAME_E', 'NAME_LO', 'POP']);
    expect(r.fields[2].samples).toContain('ບ້ານນ້ຳເພັງ');
    expect(r.problems).toEqual([{ record: 2, problem: expect.stringMatching(/invalid geometry: Self-intersection/) }]);
    expect(await counts()).toEqual(before);
  });

  it('imports Indian 1960 / UTM 48N (ESRI .prj) within 5 m of where GDAL puts it, Lao names intact', async () => {
    const folder = writeShapefile('ind60', { encoding: 'UTF-8' });
    const res = await upload(await zipFolder(folder), mapping);
    expect(res.statusCode).toBe(201);
    expect(res.json().report.files[0]).toMatchObject({ created: 2, updated: 0, crs: 'Indian_1960_UTM_Zone_48N' });
    const gdal = path.join(dir, 'ind60-wgs84.geojson');
    execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', gdal, path.join(folder, 'ind60.shp')]);
    const reference = JSON.parse(fs.readFileSync(gdal, 'utf8')).features[0].geometry;
    const { rows } = await db.pool.query(
      `SELECT a.name_local, a.status, a.population, a.parent_id = p.id AS parented,
              ST_HausdorffDistance(ST_Transform(a.geom, 32648), ST_Transform(ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)), 32648)) AS off_m,
              ST_HausdorffDistance(ST_Transform(a.geom, 32648), ST_Transform(ST_SetSRID(ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromText('POLYGON((612000 1700000,614000 1700000,614000 1702000,612000 1702000,612000 1700000))'), 32648), 4326)), 4326), 32648)) AS unshifted_m
       FROM area a, area p WHERE a.code = 'IND60-1' AND p.code = 'DSI-01-01'`,
      [JSON.stringify(reference)],
    );
    expect(rows[0]).toMatchObject({ name_local: 'ບ້ານນ້ຳເພັງ', status: 'surveyed', population: 300, parented: true });
    expect(rows[0].off_m).toBeLessThan(5);
    // Reading the same numbers as WGS 84 UTM (ignoring the datum) puts it hundreds of metres away.
    expect(rows[0].unshifted_m).toBeGreaterThan(300);
    const history = await app.inject('/api/areas/IND60-1/history');
    expect(history.json().versions[0].inputs.upload_id).toBe(res.json().upload.id);
  });

  it('answers the same bytes again with the earlier upload, and a newer file with new versions', async () => {
    const folder = writeShapefile('reimp', { encoding: 'UTF-8' });
    const first = await upload(await zipFolder(folder), mapping);
    expect(first.statusCode).toBe(201);
    const again = await upload(await zipFolder(folder), mapping);
    expect(again.statusCode).toBe(200);
    expect(again.json().upload.id).toBe(first.json().upload.id);
    const newer = writeShapefile('reimp', { encoding: 'UTF-8', names: [['Ban Nam Pheng Neua', 'ບ້ານນ້ຳເພັງເໜືອ'], ['Ban Lak Sao', 'ບ້ານຫຼັກຊາວ']] });
    const res = await upload(await zipFolder(newer), mapping);
    expect(res.statusCode).toBe(201);
    expect(res.json().report.files[0]).toMatchObject({ created: 0, updated: 2 });
    const area = (await app.inject('/api/areas/REIMP-1')).json().area;
    expect(area).toMatchObject({ name: 'Ban Nam Pheng Neua', version: 2 });
  });

  it('decodes a legacy code page named by the .cpg (Cyrillic in CP1251)', async () => {
    const folder = writeShapefile('cyr', { encoding: 'CP1251', names: [['Геоктепе', 'Гөкдепе'], ['Бахарден', 'Бахарлы']] });
    const res = await upload(await zipFolder(folder), { ...mapping, fields: 'code=VIL_CODE,name=NAME_E,name_local=NAME_LO' });
    expect(res.statusCode).toBe(201);
    expect(res.json().report.files[0].encoding.encoding).toBe('windows-1251');
    expect((await app.inject('/api/areas/CYR-1')).json().area.name).toBe('Геоктепе');
  });

  it('round-trips shapefile → Tessera → shapefile export with geometry and attributes kept', async () => {
    const folder = writeShapefile('trip', { encoding: 'UTF-8', srs: 'EPSG:32648' });
    expect((await upload(await zipFolder(folder), mapping)).statusCode).toBe(201);
    const res = await app.inject('/api/export/TRIP-1.zip');
    expect(res.statusCode).toBe(200);
    const out = path.join(dir, 'trip-export');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'export.zip'), res.rawPayload);
    // GDAL reads the exported zip directly; compare with GDAL's own reading of the source.
    const exported = JSON.parse(execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `/vsizip/${path.join(out, 'export.zip')}`]).toString());
    const source = JSON.parse(execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', '/vsistdout/', path.join(folder, 'trip.shp')]).toString());
    const feature = exported.features.find((f: { properties: Record<string, unknown> }) => Object.values(f.properties).includes('TRIP-1'));
    expect(feature).toBeTruthy();
    expect(Object.values(feature.properties)).toEqual(expect.arrayContaining(['Ban Nam Pheng', 'ບ້ານນ້ຳເພັງ']));
    const { rows } = await db.pool.query(
      `SELECT ST_HausdorffDistance(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 32648), ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), 32648)) AS m`,
      [JSON.stringify(feature.geometry), JSON.stringify(source.features[0].geometry)],
    );
    expect(rows[0].m).toBeLessThan(0.05);
  });

  it('refuses an unknown level or a missing parent with 422, writing nothing', async () => {
    const data = await zipFolder(writeShapefile('noparent', { encoding: 'UTF-8' }));
    const before = await counts();
    const level = await upload(data, { ...mapping, level: 'hamlet' });
    expect(level.statusCode).toBe(422);
    expect(level.json().error).toBe('WRONG_LEVEL');
    const parent = await upload(data, { ...mapping, parent: '' });
    expect(parent.statusCode).toBe(422);
    expect(parent.json().error).toBe('WRONG_PARENT');
    expect(parent.json().message).toMatch(/NOPARENT-1/);
    expect(await counts()).toEqual(before);
  });

  it('finds each village\'s kumban by containment', async () => {
    const res = await upload(await zipFolder(writeShapefile('contained', { encoding: 'UTF-8', srs: 'EPSG:32648' })), { ...mapping, parent: 'contains' });
    expect(res.statusCode, res.body).toBe(201);
    const { rows } = await db.pool.query(
      `SELECT a.code, p.code AS parent, ST_Contains(p.geom, ST_PointOnSurface(a.geom)) AS inside
       FROM area a JOIN area p ON p.id = a.parent_id WHERE a.code LIKE 'CONTAINED-%' ORDER BY a.code`);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.inside).toBe(true);
  });

  it('repairs an invalid polygon and lists the repair', async () => {
    const res = await upload(await zipFolder(writeShapefile('bow', { encoding: 'UTF-8', bowTie: true })), mapping);
    expect(res.statusCode).toBe(201);
    const r = res.json().report.files[0];
    expect(r.repairs).toEqual([expect.objectContaining({ record: 2, code: 'BOW-2', reason: expect.stringMatching(/Self-intersection/) })]);
    const { rows } = await db.pool.query("SELECT ST_IsValid(geom) AS ok, ST_NumGeometries(geom) AS parts FROM area WHERE code = 'BOW-2'");
    expect(rows[0]).toEqual({ ok: true, parts: 2 });
  });

  it('proposes CRSs for a shapefile without .prj, and asks for confirmation before importing', async () => {
    const data = await zipFolder(writeShapefile('noprj', { encoding: 'UTF-8', srs: 'EPSG:32648', dropPrj: true }));
    const preview = await upload(data, {}, '?dry_run=1');
    const proposals = preview.json().report.files[0].crs_proposals.map((p: { crs: string }) => p.crs);
    expect(proposals).toEqual(expect.arrayContaining(['EPSG:32648', 'EPSG:3148']));
    expect(proposals).not.toContain('EPSG:4326');
    const before = await counts();
    const refused = await upload(data, mapping);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toMatch(/no \.prj.*confirm one with the crs field/);
    expect(await counts()).toEqual(before);
    const ok = await upload(data, { ...mapping, crs: 'EPSG:32648' });
    expect(ok.statusCode).toBe(201);
  });

  it('refuses a layer whose .dbf has a different number of records than the .shp has shapes', async () => {
    const folder = writeShapefile('mismatch', { encoding: 'UTF-8' });
    const dbf = path.join(folder, 'mismatch.dbf');
    const bytes = fs.readFileSync(dbf);
    bytes.writeUInt32LE(1, 4); // the header now declares one record for two shapes
    fs.writeFileSync(dbf, bytes);
    const data = await zipFolder(folder);
    const preview = await upload(data, {}, '?dry_run=1');
    expect(preview.json().report.files[0].warnings).toEqual([expect.stringMatching(/2 shapes and the \.dbf 1 records/)]);
    const before = await counts();
    const res = await upload(data, mapping);
    expect(res.statusCode).toBe(422);
    expect(res.json().details[0]).toMatchObject({ code: 'SHP_DBF_MISMATCH', shapes: 2, records: 1 });
    expect(await counts()).toEqual(before);
  });

  it('refuses path traversal, symlinks and zip bombs and leaves the database unchanged', async () => {
    const before = await counts();
    // yazl refuses to write '..', so the name is patched into the archive afterwards.
    const crafted = await zipFolder('', [{ name: 'xx/xx/evil.shp', data: Buffer.from('x') }]);
    const traversal = await upload(Buffer.from(crafted.toString('latin1').replaceAll('xx/xx/', '../../'), 'latin1'), mapping);
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json().error).toBe('ARCHIVE_PATH_TRAVERSAL');
    const link = await upload(await zipFolder('', [{ name: 'layer.shp', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), mapping);
    expect(link.statusCode).toBe(400);
    expect(link.json().error).toBe('ARCHIVE_LINK_FORBIDDEN');
    const bomb = await upload(await zipFolder('', [{ name: 'big.shp', data: Buffer.alloc(60 * 1024 * 1024) }]), mapping);
    expect(bomb.statusCode).toBe(413);
    expect(bomb.json().error).toBe('ARCHIVE_TOO_LARGE_UNCOMPRESSED');
    expect(await counts()).toEqual(before);
  });

  it.skipIf(!fs.existsSync(path.join(realdata, 'shp/mbostock-shapefile')))('reads every shape type of the shapefile test suite, reporting null shapes', async () => {
    const base = path.join(realdata, 'shp/mbostock-shapefile');
    const seen: Record<string, number> = {};
    for (const name of ['points', 'multipoints', 'polylines', 'polygons', 'pointm', 'polylinem', 'polygonm', 'null']) {
      const entries = fs.readdirSync(path.join(base, name)).filter((f) => /\.(shp|dbf|shx|prj|cpg)$/.test(f))
        .map((f) => ({ name: `${name}/${f}`, data: fs.readFileSync(path.join(base, name, f)) }));
      const res = await upload(await zipFolder('', entries), { crs: 'EPSG:4326' }, '?dry_run=1');
      expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
      const r = res.json().report.files[0];
      const expected = JSON.parse(fs.readFileSync(path.join(base, name, `${name}.json`), 'utf8'));
      expect(r.features).toBe(expected.features.length);
      for (const [t, n] of Object.entries(r.geometry_types)) seen[t] = (seen[t] ?? 0) + (n as number);
      if (name === 'null') expect(r.problems.some((p: { problem: string }) => /null shape/.test(p.problem))).toBe(true);
    }
    expect(Object.keys(seen)).toEqual(expect.arrayContaining(['Point', 'MultiPoint', 'LineString', 'Polygon']));
  });
});
