import type { MultiPolygon } from 'geojson';
import type pg from 'pg';
import type { Queryable } from '../db/database.js';
import type { LayerRecord } from './layers.js';

/** The bounding box of an area, to check proposals of a CRS against the target district. */
export async function areaBbox(db: Queryable, key: string): Promise<[number, number, number, number] | null> {
  const { rows } = await db.query<{ b: [number, number, number, number] | null }>(
    `SELECT CASE WHEN geom IS NULL THEN NULL ELSE json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) END AS b
     FROM area WHERE code = $1`,
    [key],
  );
  return rows[0]?.b ?? null;
}

/** Records whose polygon PostGIS finds invalid, with the reason (checked in one query). */
export async function validity(db: Queryable, records: LayerRecord[]): Promise<{ record: number; reason: string }[]> {
  const polys = records.filter((r) => r.geometry && (r.geometry.type === 'Polygon' || r.geometry.type === 'MultiPolygon'));
  if (polys.length === 0) return [];
  const { rows } = await db.query<{ record: number; reason: string }>(
    `SELECT r.record, ST_IsValidReason(g) AS reason
     FROM unnest($1::int[], $2::text[]) AS r(record, geojson), LATERAL (SELECT ST_GeomFromGeoJSON(r.geojson) AS g) x
     WHERE NOT ST_IsValid(g) ORDER BY r.record`,
    [polys.map((r) => r.record), polys.map((r) => JSON.stringify(r.geometry))],
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
