import type { MultiPolygon, Polygon } from 'geojson';
import type pg from 'pg';
import type { Queryable } from '../db/database.js';
import type { LayerRecord } from './layers.js';
import { multiPolygonWkb } from '../geo/wkb.js';

/** The bounding box of an area, to check proposals of a CRS against the target district. */
export async function areaBbox(db: Queryable, key: string): Promise<[number, number, number, number] | null> {
  const { rows } = await db.query<{ b: [number, number, number, number] | null }>(
    `SELECT CASE WHEN geom IS NULL THEN NULL ELSE json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) END AS b
     FROM area WHERE code = $1`,
    [key],
  );
  return rows[0]?.b ?? null;
}

function asMulti(g: Polygon | MultiPolygon): MultiPolygon {
  return g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g;
}

/** Records whose polygon PostGIS finds invalid, with the reason (checked in one query). */
export async function validity(db: Queryable, records: LayerRecord[]): Promise<{ record: number; reason: string }[]> {
  const polys = records.filter((r) => r.geometry && (r.geometry.type === 'Polygon' || r.geometry.type === 'MultiPolygon'));
  if (polys.length === 0) return [];
  const { rows } = await db.query<{ record: number; reason: string }>(
    `SELECT r.record, ST_IsValidReason(g) AS reason
     FROM unnest($1::int[], $2::text[]) AS r(record, wkb), LATERAL (SELECT ST_GeomFromWKB(decode(r.wkb, 'hex')) AS g) x
     WHERE NOT ST_IsValid(g) ORDER BY r.record`,
    [polys.map((r) => r.record), polys.map((r) => multiPolygonWkb(asMulti(r.geometry as Polygon | MultiPolygon)).toString('hex'))],
  );
  return rows;
}

/**
 * Repair an invalid polygon the way that keeps its meaning: rings unioned as shells minus
 * holes ('structure'), polygons only. Returns null when nothing polygonal is left.
 */
export async function repair(db: Queryable, geometry: MultiPolygon): Promise<{ geometry: MultiPolygon; reason: string; changePct: number } | null> {
  const { rows } = await db.query<{ fixed: MultiPolygon | null; reason: string; before: number; after: number }>(
    `SELECT ST_AsGeoJSON(f, 7)::json AS fixed, ST_IsValidReason(g) AS reason,
            abs(ST_Area(g::geography, false)) AS before, coalesce(ST_Area(f::geography), 0) AS after
     FROM (SELECT g, ST_Multi(ST_CollectionExtract(ST_MakeValid(g, 'method=structure'), 3)) AS f
           FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) s) t`,
    [JSON.stringify(geometry)],
  );
  const r = rows[0];
  if (!r?.fixed || r.after === 0) return null;
  return { geometry: r.fixed, reason: r.reason, changePct: r.before > 0 ? Math.round(((r.after - r.before) / r.before) * 10000) / 100 : 0 };
}

/** The area one level above `level` that holds most of the polygon (by a point inside it). */
export async function containingParent(db: Queryable, geometry: MultiPolygon, level: string): Promise<string | null> {
  const { rows } = await db.query<{ code: string }>(
    `SELECT a.code FROM area a
     JOIN admin_level l ON l.key = a.level
     JOIN admin_level c ON c.key = $2 AND l.rank = c.rank - 1
     WHERE a.geom && ST_PointOnSurface(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))
       AND ST_Contains(a.geom, ST_PointOnSurface(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)))
     LIMIT 1`,
    [JSON.stringify(geometry), level],
  );
  return rows[0]?.code ?? null;
}

export async function insertUpload(
  db: pg.PoolClient,
  u: { filename: string; sha256: string; size: number; crs: string; encoding: string; actor: string | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO upload (filename, sha256, size_bytes, kind, crs, encoding, uploaded_by)
     VALUES ($1, $2, $3, 'shapefile', $4, $5, $6) RETURNING id`,
    [u.filename, u.sha256, u.size, u.crs, u.encoding, u.actor],
  );
  return rows[0].id;
}

export async function saveReport(db: pg.PoolClient, uploadId: string, report: object): Promise<void> {
  await db.query('UPDATE upload SET report = $2 WHERE id = $1', [uploadId, JSON.stringify(report)]);
}

/** One feature of a dataset, mapped to an area, ready to be written. */
export interface AreaRow {
  record: number;
  code: string;
  name: string;
  name_local: string | null;
  parent_code: string | null;
  status: string | null;
  population: number | null;
  households: number | null;
  geometry: MultiPolygon;
}

const UPSERT_CHUNK = 5000;

/**
 * Create or update (by code) many areas in one statement per chunk, and record a version of
 * each: a 100,000-polygon layer costs a few dozen round trips, not a million. Measures are
 * computed on the geography type; the table's validity check still guards every row.
 */
export async function upsertAreas(
  db: pg.PoolClient,
  rows: AreaRow[],
  opts: { level: string; parentByContainment: boolean; actor: string | null; inputs: object; reason: string },
): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  for (let start = 0; start < rows.length; start += UPSERT_CHUNK) {
    const chunk = rows.slice(start, start + UPSERT_CHUNK);
    const { rows: written } = await db.query<{ id: number; inserted: boolean }>(
      `WITH input AS (
         SELECT i.*, ST_GeomFromWKB(decode(i.wkb, 'hex'), 4326) AS g
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[])
              AS i(code, name, name_local, parent_code, status, population, households, wkb)
       ), placed AS (
         SELECT i.*, coalesce(p.id, c.id) AS parent_id FROM input i
         LEFT JOIN area p ON p.code = i.parent_code
         LEFT JOIN LATERAL (
           SELECT a.id FROM area a JOIN admin_level l ON l.key = a.level
           WHERE l.rank = (SELECT rank - 1 FROM admin_level WHERE key = $9)
             AND a.geom && ST_PointOnSurface(i.g) AND ST_Contains(a.geom, ST_PointOnSurface(i.g))
           LIMIT 1) c ON ${opts.parentByContainment ? 'true' : 'false'}
       )
       INSERT INTO area AS a (level, code, name, name_local, parent_id, status, geom, centre, area_m2, perimeter_m, population, households, method)
       SELECT $9, code, name, name_local, parent_id, coalesce(status, 'surveyed'), g, ST_PointOnSurface(g),
              ST_Area(g::geography), ST_Perimeter(g::geography), population, households, 'imported'
       FROM placed
       ON CONFLICT (code) DO UPDATE SET
         name = EXCLUDED.name, name_local = coalesce(EXCLUDED.name_local, a.name_local),
         parent_id = coalesce(EXCLUDED.parent_id, a.parent_id),
         status = CASE WHEN $10 THEN EXCLUDED.status ELSE a.status END,
         geom = EXCLUDED.geom, centre = EXCLUDED.centre, area_m2 = EXCLUDED.area_m2, perimeter_m = EXCLUDED.perimeter_m,
         population = coalesce(EXCLUDED.population, a.population), households = coalesce(EXCLUDED.households, a.households),
         method = 'imported', version = a.version + 1, updated_at = now()
       RETURNING a.id, (xmax = 0) AS inserted`,
      [
        chunk.map((r) => r.code), chunk.map((r) => r.name), chunk.map((r) => r.name_local), chunk.map((r) => r.parent_code),
        chunk.map((r) => r.status), chunk.map((r) => r.population), chunk.map((r) => r.households),
        chunk.map((r) => multiPolygonWkb(r.geometry).toString('hex')), opts.level, chunk.some((r) => r.status !== null),
      ],
    );
    await db.query(
      `INSERT INTO area_version (area_id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
          population, households, attributes, method, inputs, reason, changed_by)
       SELECT id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
          population, households, attributes, method, $2, $3, $4
       FROM area WHERE id = ANY($1)`,
      [written.map((w) => w.id), JSON.stringify(opts.inputs), opts.reason, opts.actor],
    );
    for (const w of written) {
      if (w.inserted) created++;
      else updated++;
    }
  }
  return { created, updated };
}
