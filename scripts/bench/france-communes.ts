import fs from 'node:fs';
import path from 'node:path';
import * as shapefile from 'shapefile';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { readZip } from '../../server/datasets/zip.js';

/** A French commune as the realdata shapefile holds it (INSEE code, name), in WGS84. */
export type Commune = Feature<Polygon | MultiPolygon, { code: string; nom: string }>;

/** Where the real-world files live: TESSERA_REALDATA, else ../shared/realdata beside the checkout. */
export function realdataDir(): string {
  return path.resolve(process.env.TESSERA_REALDATA ?? path.join(import.meta.dirname, '../../../shared/realdata'));
}

export function communesZip(dir = realdataDir()): string {
  return path.join(dir, 'admin', 'france', 'communes_france_shp.zip');
}

/** The département of a commune: the code's first two characters, three for overseas (97x). */
export function departementOf(code: string): string {
  return code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2);
}

/** Every commune of the zipped shapefile (35,357 in the 2018 file), read into memory. */
export async function readCommunes(zipFile = communesZip()): Promise<Commune[]> {
  if (!fs.existsSync(zipFile)) throw new Error(`${zipFile} not found`);
  const limits = { maxEntries: 20, maxTotalBytes: 200 * 1024 * 1024, maxEntryBytes: 100 * 1024 * 1024, maxRatio: 200 };
  const entries = await readZip(zipFile, path.basename(zipFile), (p) => /\.(shp|dbf|cpg)$/i.test(p), limits);
  const shp = entries.find((e) => /\.shp$/i.test(e.path))!.data;
  const dbf = entries.find((e) => /\.dbf$/i.test(e.path))!.data;
  const source = await shapefile.open(toArrayBuffer(shp), toArrayBuffer(dbf), { encoding: 'utf-8' });
  const out: Commune[] = [];
  for (;;) {
    const r = await source.read();
    if (r.done) break;
    const f = r.value as Feature<Polygon | MultiPolygon, Record<string, unknown>>;
    if (!f.geometry) continue;
    out.push({ type: 'Feature', properties: { code: String(f.properties.code), nom: String(f.properties.nom) }, geometry: f.geometry });
  }
  return out;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * Copy communes into a (temporary unless `keep`) table `name(code, dep, geom)` of the given
 * connection, a few hundred per statement, geometries as they are (one is invalid).
 */
export async function loadCommunes(db: { query: (sql: string, params?: unknown[]) => Promise<unknown> }, name: string, communes: Commune[], keep = false): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${name}`);
  await db.query(`CREATE ${keep ? '' : 'TEMPORARY'} TABLE ${name} (code text PRIMARY KEY, dep text NOT NULL, geom geometry(Geometry, 4326) NOT NULL)`);
  for (let i = 0; i < communes.length; i += 500) {
    const rows = communes.slice(i, i + 500).map((c) => ({ code: c.properties.code, dep: departementOf(c.properties.code), geom: c.geometry }));
    await db.query(
      `INSERT INTO ${name} (code, dep, geom)
       SELECT r->>'code', r->>'dep', ST_SetSRID(ST_GeomFromGeoJSON(r->'geom'), 4326) FROM json_array_elements($1::json) r`,
      [JSON.stringify(rows)],
    );
  }
}
