import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import yazl from 'yazl';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { multipart } from '../../test/helpers/multipart.js';

/**
 * GeoJSON FeatureCollections and KML/KMZ as boundary datasets through `POST /api/uploads`, on
 * the real database: the same dry run, mapping, commit and re-import by code as shapefiles, and
 * GPS uploads left alone.
 */
let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

/**
 * A kumban of its own (about 20 x 20 km) in the demo's district SK-01 but west of the demo
 * province, to import villages into away from the demo kumbans, which other test files derive,
 * tile and check for gaps; and a village of it for the GPS upload.
 */
beforeAll(async () => {
  const create = async (body: object) => {
    const res = await app.inject({ method: 'POST', url: '/api/areas', headers: adminAuth(), payload: body });
    expect(res.statusCode, res.body).toBe(201);
  };
  const [lon, lat, d] = [106.0, 15.5, 0.18];
  const centre = { type: 'Point', coordinates: [lon + d / 2, lat + d / 2] };
  await create({ level: 'kumban', parent: 'SK-01', code: 'DSP-01-01', name: 'Dataset Kumban', centre,
    geometry: { type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] } });
  await create({ level: 'ban', parent: 'DSP-01-01', code: 'DSP-01-01-001', name: 'Ban Walked', centre });
});

async function upload(file: { name: string; content: Buffer | string }, fields: Record<string, string>, query = '') {
  const { payload, headers } = multipart([file], fields);
  return app.inject({ method: 'POST', url: `/api/uploads${query}`, headers: { ...headers, ...adminAuth() }, payload });
}

async function counts() {
  const { rows } = await db.pool.query(`SELECT (SELECT count(*) FROM area)::int AS areas, (SELECT count(*) FROM upload)::int AS uploads,
    (SELECT count(*) FROM area_version)::int AS versions, (SELECT count(*) FROM track)::int AS tracks`);
  return rows[0];
}

/** A point well inside a demo kumban, where test villages are drawn. */
async function insideKumban(code: string): Promise<[number, number]> {
  const { rows } = await db.pool.query('SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(geom) AS p FROM area WHERE code = $1) s', [code]);
  return [rows[0].x, rows[0].y];
}

/** A square of about 2 x 2 km at (lon, lat), counter-clockwise, closed. */
function square(lon: number, lat: number, d = 0.009): number[][] {
  return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]];
}

const VILLAGES: [string, string][] = [['Ban Nongbua', 'ບ້ານໜອງບົວ'], ['Ban Phonsaat', 'ບ້ານໂພນສະອາດ'], ['Ban Nakhok', 'ບ້ານນາຄອກ']];

async function villagesGeoJson(prefix: string, names = VILLAGES) {
  const [lon, lat] = await insideKumban('DSP-01-01');
  const features: object[] = names.map(([en, lo], i) => ({
    type: 'Feature',
    properties: { VIL_CODE: `${prefix}-${i + 1}`, NAME_E: en, NAME_LO: lo, POP: 250 + i, KB_CODE: 'DSP-01-01' },
    geometry: { type: 'Polygon', coordinates: [square(lon - 0.02 + i * 0.012, lat - 0.004)] },
  }));
  // Feature 4: a ring that does not close. Feature 5: a point, not an area.
  features.push({ type: 'Feature', properties: { VIL_CODE: `${prefix}-4`, NAME_E: 'Ban Broken', NAME_LO: 'ບ້ານ', POP: 1, KB_CODE: 'DSP-01-01' },
    geometry: { type: 'Polygon', coordinates: [square(lon, lat).slice(0, 4)] } });
  features.push({ type: 'Feature', properties: { VIL_CODE: `${prefix}-5`, NAME_E: 'Ban Point', NAME_LO: 'ບ້ານ', POP: 2, KB_CODE: 'DSP-01-01' },
    geometry: { type: 'Point', coordinates: [lon, lat] } });
  return JSON.stringify({ type: 'FeatureCollection', features });
}

describe('GeoJSON FeatureCollections as area datasets', () => {
  it('previews with dataset=1: fields, Lao samples, suggested mapping, levels, a bad feature by its number, nothing written', async () => {
    const before = await counts();
    const res = await upload({ name: 'villages.geojson', content: await villagesGeoJson('DSGJP') }, { dataset: '1' }, '?dry_run=1');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json().report.files[0];
    expect(r).toMatchObject({ format: 'geojson', features: 5, crs: 'EPSG:4326', geometry_types: { Polygon: 3, Point: 1, null: 1 } });
    expect(r.fields.map((f: { name: string }) => f.name)).toEqual(['VIL_CODE', 'NAME_E', 'NAME_LO', 'POP', 'KB_CODE']);
    expect(r.fields.find((f: { name: string }) => f.name === 'NAME_LO').samples).toContain('ບ້ານໜອງບົວ');
    expect(r.suggested_fields).toEqual({ code: 'VIL_CODE', name: 'NAME_E', name_local: 'NAME_LO', parent: 'KB_CODE', population: 'POP' });
    expect(r.levels.map((l: { key: string }) => l.key)).toEqual(['province', 'district', 'kumban', 'ban']);
    expect(r.problems).toEqual([{ record: 4, problem: expect.stringMatching(/^feature 4, ring 0: the ring is not closed/) }]);
    expect(r.bbox[0]).toBeGreaterThan(106.0);
    expect(await counts()).toEqual(before);
  });

  it('imports villages under a kumban given by code, skipping what is not an area, and re-imports by code as new versions', async () => {
    const res = await upload({ name: 'villages.geojson', content: await villagesGeoJson('DSGJ') },
      { level: 'ban', parent: 'DSP-01-01', fields: 'code=VIL_CODE,name=NAME_E,name_local=NAME_LO,population=POP' });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json().report.files[0];
    expect(r).toMatchObject({ created: 3, updated: 0, skipped: 2 });
    expect(r.problems.map((p: { record: number }) => p.record)).toEqual([4, 5]);
    const { rows } = await db.pool.query(
      `SELECT a.code, a.name_local, a.population, a.status, p.code AS parent, abs(a.area_m2 / ST_Area(a.geom::geography) - 1) AS area_err,
              ST_Contains(a.geom, a.centre) AS centre_inside
       FROM area a JOIN area p ON p.id = a.parent_id WHERE a.code LIKE 'DSGJ-%' ORDER BY a.code`);
    expect(rows.map((x) => [x.code, x.name_local, x.population, x.parent, x.status])).toEqual([
      ['DSGJ-1', 'ບ້ານໜອງບົວ', 250, 'DSP-01-01', 'surveyed'], ['DSGJ-2', 'ບ້ານໂພນສະອາດ', 251, 'DSP-01-01', 'surveyed'], ['DSGJ-3', 'ບ້ານນາຄອກ', 252, 'DSP-01-01', 'surveyed'],
    ]);
    for (const x of rows) {
      expect(x.area_err).toBeLessThan(0.001);
      expect(x.centre_inside).toBe(true);
    }
    const renamed = await villagesGeoJson('DSGJ', [['Ban Nongbua Neua', 'ບ້ານໜອງບົວເໜືອ'], VILLAGES[1], VILLAGES[2]]);
    const again = await upload({ name: 'villages-2026.geojson', content: renamed },
      { level: 'ban', parent: 'DSP-01-01', fields: 'code=VIL_CODE,name=NAME_E,name_local=NAME_LO,population=POP' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().report.files[0]).toMatchObject({ created: 0, updated: 3 });
    const area = (await app.inject('/api/areas/DSGJ-1')).json().area;
    expect(area).toMatchObject({ name: 'Ban Nongbua Neua', name_local: 'ບ້ານໜອງບົວເໜືອ', version: 2 });
    const history = (await app.inject('/api/areas/DSGJ-1/history')).json().versions;
    expect(history.map((v: { inputs: { upload_id: string } }) => v.inputs.upload_id).sort()).toEqual([res.json().upload.id, again.json().upload.id].sort());
  });

  it('refuses a mapping that names no field of the file, writing nothing', async () => {
    const before = await counts();
    const res = await upload({ name: 'villages.geojson', content: await villagesGeoJson('DSGJX') }, { level: 'ban', parent: 'DSP-01-01', fields: 'code=VCODE,name=NAME_E' });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/code=VCODE names no field of the dataset/);
    expect(await counts()).toEqual(before);
  });
});

/** Villages as ogr2ogr and QGIS write KML: a Schema, SchemaData/SimpleData per Placemark, one with a hole. */
async function villagesKml(prefix: string): Promise<string> {
  const [lon, lat] = await insideKumban('DSP-01-01');
  const ring = (pts: number[][]) => pts.map((p) => `${p[0]},${p[1]}`).join(' ');
  const placemarks = VILLAGES.map(([en, lo], i) => {
    const outer = square(lon - 0.02 + i * 0.012, lat + 0.006);
    const hole = i === 0 ? `<innerBoundaryIs><LinearRing><coordinates>${ring(square(outer[0][0] + 0.003, outer[0][1] + 0.003, 0.002).reverse())}</coordinates></LinearRing></innerBoundaryIs>` : '';
    return `<Placemark><name>${en}</name>
      <ExtendedData><SchemaData schemaUrl="#villages"><SimpleData name="VIL_CODE">${prefix}-${i + 1}</SimpleData><SimpleData name="NAME_LO">${lo}</SimpleData></SchemaData></ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>${ring(outer)}</coordinates></LinearRing></outerBoundaryIs>${hole}</Polygon></Placemark>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="utf-8" ?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document id="root_doc">
<Schema name="villages" id="villages"><SimpleField name="VIL_CODE" type="string"></SimpleField><SimpleField name="NAME_LO" type="string"></SimpleField></Schema>
<Folder><name>villages</name>
${placemarks}
<Placemark><name>Ban Bad</name><ExtendedData><SchemaData schemaUrl="#villages"><SimpleData name="VIL_CODE">${prefix}-9</SimpleData></SchemaData></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>${lon},${lat} 15.1,abc</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder></Document></kml>`;
}

async function zipped(name: string, data: string): Promise<Buffer> {
  const z = new yazl.ZipFile();
  z.addBuffer(Buffer.from(data), name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('KML and KMZ as area datasets', () => {
  it('imports villages with parents found by containment, holes kept, the bad placemark reported by number', async () => {
    const kml = await villagesKml('DSKML');
    const preview = await upload({ name: 'villages.kml', content: kml }, { dataset: '1' }, '?dry_run=1');
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json().report.files[0];
    expect(p).toMatchObject({ format: 'kml', features: 4, geometry_types: { Polygon: 3, null: 1 } });
    expect(p.suggested_fields).toMatchObject({ code: 'VIL_CODE', name: 'name', name_local: 'NAME_LO' });
    expect(p.problems).toEqual([{ record: 4, problem: expect.stringMatching(/^placemark 4: coordinate '15.1,abc'/) }]);

    const before = await counts();
    const res = await upload({ name: 'villages.kml', content: kml }, { level: 'ban', parent: 'contains', fields: 'code=VIL_CODE,name=name,name_local=NAME_LO' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().report.files[0]).toMatchObject({ created: 3, skipped: 1 });
    expect((await counts()).areas).toBe(before.areas + 3);
    const { rows } = await db.pool.query(
      `SELECT a.code, a.name, a.name_local, p.code AS parent, ST_NumInteriorRings(ST_GeometryN(a.geom, 1)) AS holes
       FROM area a JOIN area p ON p.id = a.parent_id WHERE a.code LIKE 'DSKML-%' ORDER BY a.code`);
    expect(rows).toEqual([
      { code: 'DSKML-1', name: 'Ban Nongbua', name_local: 'ບ້ານໜອງບົວ', parent: 'DSP-01-01', holes: 1 },
      { code: 'DSKML-2', name: 'Ban Phonsaat', name_local: 'ບ້ານໂພນສະອາດ', parent: 'DSP-01-01', holes: 0 },
      { code: 'DSKML-3', name: 'Ban Nakhok', name_local: 'ບ້ານນາຄອກ', parent: 'DSP-01-01', holes: 0 },
    ]);
  });

  it('reads the KML inside a KMZ the same way', async () => {
    const kmz = await zipped('doc.kml', await villagesKml('DSKMZ'));
    const res = await upload({ name: 'villages.kmz', content: kmz }, { level: 'ban', parent: 'DSP-01-01', fields: 'code=VIL_CODE,name=name' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().report.files[0]).toMatchObject({ format: 'kml', created: 3 });
  });

  it('refuses a DOCTYPE in a KML dataset before reading anything', async () => {
    const before = await counts();
    const kml = (await villagesKml('DSDOC')).replace('<kml', '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<kml');
    const res = await upload({ name: 'villages.kml', content: kml }, { level: 'ban', parent: 'DSP-01-01', fields: 'code=VIL_CODE,name=name' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(await counts()).toEqual(before);
  });
});

describe('the dataset rule leaves GPS uploads alone', () => {
  it('reads a GeoJSON or KML without a level or dataset field as GPS, polygons and all', async () => {
    const fc = JSON.parse(await villagesGeoJson('DSGPS'));
    fc.features.splice(3, 1); // the GPS reader refuses an unclosed ring outright
    const res = await upload({ name: 'walk.geojson', content: JSON.stringify(fc) }, { area: 'DSP-01-01-001' });
    expect(res.statusCode, res.body).toBe(201);
    const file = res.json().report.files[0];
    expect(file.fields).toBeUndefined();
    expect(file.tracks.length).toBeGreaterThan(0);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM area WHERE code LIKE 'DSGPS-%'");
    expect(rows[0].n).toBe(0);
    // The same bytes cannot then also become a dataset.
    const again = await upload({ name: 'walk.geojson', content: JSON.stringify(fc) }, { level: 'ban', parent: 'DSP-01-01', fields: 'code=VIL_CODE,name=NAME_E' });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/uploaded before as GPS readings/);
  });

  it('answers a GPX sent as a dataset with 415, naming what datasets are', async () => {
    const gpx = '<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><trkseg><trkpt lat="15.6" lon="106.7"/></trkseg></trk></gpx>';
    const res = await upload({ name: 'walk.gpx', content: gpx }, { dataset: '1' }, '?dry_run=1');
    expect(res.statusCode).toBe(415);
    expect(res.json().message).toMatch(/zipped shapefiles, GeoJSON FeatureCollections or KML\/KMZ/);
  });
});
