import type { MultiPolygon, Point, Position } from 'geojson';
import type pg from 'pg';
import type { Queryable } from '../db/database.js';
import { OVERLAY_GRID } from '../db/overlay.js';

/** SQL of derivation: the field data a method reads, and the boundary records it writes. */

export interface ChildArea {
  id: number;
  code: string;
  name: string;
  level: string;
  status: string;
  method: string | null;
  centre: Point | null;
  geometry: MultiPolygon | null;
}

/** The areas directly under `parentId`, with their current polygons (7 decimals, as stored). */
export async function childAreas(db: Queryable, parentId: number): Promise<ChildArea[]> {
  const { rows } = await db.query<ChildArea>(
    `SELECT id, code, name, level, status, method, ST_AsGeoJSON(centre, 7)::json AS centre, ST_AsGeoJSON(geom, 7)::json AS geometry
     FROM area WHERE parent_id = $1 ORDER BY code`,
    [parentId],
  );
  return rows;
}

/** The bottom level (villages): the one with the highest rank. */
export async function leafLevel(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ key: string }>('SELECT key FROM admin_level ORDER BY rank DESC LIMIT 1');
  return rows[0].key;
}

export interface StoredTrack {
  id: number;
  area_code: string;
  other_code: string | null;
  line: { coordinates: Position[] };
  readings: number;
  started_at: string | null;
  walked_by: string | null;
}

// Who walked a line: the surveyor the file names, else whoever uploaded it.
const TRACK_COLUMNS = `t.id, a.code AS area_code, o.code AS other_code, ST_AsGeoJSON(t.geom)::json AS line, t.reading_count AS readings,
  to_char(t.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at, coalesce(s.mapper, u.uploaded_by) AS walked_by`;
const TRACK_FROM = `track t JOIN area a ON a.id = t.area_id LEFT JOIN area o ON o.id = t.other_area_id
  LEFT JOIN survey s ON s.id = t.survey_id LEFT JOIN upload u ON u.id = t.upload_id`;

/** Shared-boundary walks with one of `areaIds` on either side. */
export async function segmentTracks(db: Queryable, areaIds: number[]): Promise<StoredTrack[]> {
  const { rows } = await db.query<StoredTrack>(
    `SELECT ${TRACK_COLUMNS} FROM ${TRACK_FROM}
     WHERE t.kind = 'segment' AND t.geom IS NOT NULL AND (t.area_id = ANY($1::bigint[]) OR t.other_area_id = ANY($1::bigint[]))
     ORDER BY t.started_at NULLS LAST, t.id`,
    [areaIds],
  );
  return rows;
}

/** The walks of an area's own perimeter (a closed walk, or pieces of one). */
export async function perimeterTracks(db: Queryable, areaId: number): Promise<StoredTrack[]> {
  const { rows } = await db.query<StoredTrack>(
    `SELECT ${TRACK_COLUMNS} FROM ${TRACK_FROM}
     WHERE t.area_id = $1 AND t.kind IN ('perimeter', 'line') AND t.geom IS NOT NULL ORDER BY t.started_at NULLS LAST, t.id`,
    [areaId],
  );
  return rows;
}

export interface StoredMarker {
  id: number;
  name: string | null;
  point: Point;
}

/**
 * Junction markers in a box: markers not filed under a village (a kumban's upload), or named
 * as junctions ("J-...", "Junction ..."). A village's own numbered ring markers are not junctions.
 */
export async function junctionMarkers(db: Queryable, bbox: [number, number, number, number]): Promise<StoredMarker[]> {
  const { rows } = await db.query<StoredMarker>(
    `SELECT m.id, m.name, ST_AsGeoJSON(m.geom)::json AS point
     FROM marker m LEFT JOIN area ma ON ma.id = m.area_id
     WHERE m.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
       AND (ma.id IS NULL OR ma.level <> (SELECT key FROM admin_level ORDER BY rank DESC LIMIT 1) OR m.name ~* '^\\s*(J\\b|J[-_ ]?[0-9]|junction)')
     ORDER BY m.id`,
    bbox,
  );
  return rows;
}

/** The markers filed under one area (its upload named it), newest upload last. */
export async function areaMarkers(db: Queryable, areaId: number): Promise<StoredMarker[]> {
  const { rows } = await db.query<StoredMarker>(
    `SELECT m.id, m.name, ST_AsGeoJSON(m.geom)::json AS point FROM marker m WHERE m.area_id = $1 ORDER BY m.taken_at NULLS LAST, m.id`,
    [areaId],
  );
  return rows;
}

export interface NewBoundary {
  leftId: number;
  rightId: number | null;
  line: Position[];
  trackIds: number[];
  walkedBy: string | null;
  walkedAt: string | null;
}

/**
 * Replace the walked (not yet agreed) boundary records around `areaIds` by new ones. Lines that
 * reached agreement, a dispute or approval are kept, and no walked line is added beside them:
 * the agreed line stands until someone reopens it.
 */
export async function replaceWalkedBoundaries(db: pg.PoolClient, areaIds: number[], lines: NewBoundary[]): Promise<{ removed: number; written: number; kept: number }> {
  const removed = await db.query(
    `DELETE FROM boundary b WHERE b.status = 'walked' AND b.left_area_id = ANY($1::bigint[])
       AND NOT EXISTS (SELECT 1 FROM dispute d WHERE d.boundary_id = b.id)`,
    [areaIds],
  );
  const settled = await db.query<{ l: number; r: number | null }>(
    `SELECT left_area_id AS l, right_area_id AS r FROM boundary WHERE left_area_id = ANY($1::bigint[]) OR right_area_id = ANY($1::bigint[])`,
    [areaIds],
  );
  const pair = (a: number, b: number | null) => (b === null ? `${a}|` : a < b ? `${a}|${b}` : `${b}|${a}`);
  const keep = new Set(settled.rows.map((r) => pair(r.l, r.r)));
  const fresh = lines.filter((l) => !keep.has(pair(l.leftId, l.rightId)));
  if (fresh.length > 0) {
    await db.query(
      `INSERT INTO boundary (left_area_id, right_area_id, geom, status, track_ids, walked_by, walked_at)
       SELECT l.left_id, l.right_id, ST_SetSRID(ST_GeomFromGeoJSON(l.geom), 4326), 'walked',
              ARRAY(SELECT jsonb_array_elements_text(l.track_ids)::bigint), l.walked_by, l.walked_at
       FROM jsonb_to_recordset($1::jsonb) AS l(left_id bigint, right_id bigint, geom text, track_ids jsonb, walked_by text, walked_at timestamptz)`,
      [JSON.stringify(fresh.map((l) => ({
        left_id: l.leftId, right_id: l.rightId, geom: JSON.stringify({ type: 'LineString', coordinates: l.line }),
        track_ids: l.trackIds, walked_by: l.walkedBy, walked_at: l.walkedAt,
      })))],
    );
  }
  return { removed: removed.rowCount ?? 0, written: fresh.length, kept: lines.length - fresh.length };
}

/**
 * Overlaps between polygons (above `minM2`) and the parts of `parent` none of them covers,
 * computed by PostGIS: the checks a set of separately walked perimeters needs.
 */
export async function overlapsAndGaps(
  db: Queryable,
  polygons: { code: string; geometry: MultiPolygon }[],
  parent: MultiPolygon | null,
  minM2: number,
): Promise<{ overlaps: { a: string; b: string; area_m2: number; geometry: MultiPolygon }[]; gaps: { area_m2: number; geometry: MultiPolygon }[] }> {
  const input = JSON.stringify(polygons.map((p) => ({ code: p.code, g: JSON.stringify(p.geometry) })));
  const overlaps = await db.query<{ a: string; b: string; area_m2: number; geometry: MultiPolygon }>(
    `WITH v AS (SELECT code, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326) AS geom FROM jsonb_to_recordset($1::jsonb) AS x(code text, g text)),
     o AS (SELECT a.code AS a, b.code AS b, ST_CollectionExtract(ST_Intersection(a.geom, b.geom, ${OVERLAY_GRID}), 3) AS geom
           FROM v a JOIN v b ON a.code < b.code AND ST_Intersects(a.geom, b.geom))
     SELECT a, b, ST_Area(geom::geography) AS area_m2, ST_AsGeoJSON(ST_Multi(geom), 7)::json AS geometry
     FROM o WHERE NOT ST_IsEmpty(geom) AND ST_Area(geom::geography) >= $2 ORDER BY a, b`,
    [input, minM2],
  );
  if (!parent) return { overlaps: overlaps.rows, gaps: [] };
  const gaps = await db.query<{ area_m2: number; geometry: MultiPolygon }>(
    `WITH v AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(g), 4326) AS geom FROM jsonb_to_recordset($1::jsonb) AS x(code text, g text)),
     left_over AS (SELECT (ST_Dump(ST_Difference(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), (SELECT ST_Union(geom) FROM v), ${OVERLAY_GRID}))).geom AS geom)
     SELECT ST_Area(geom::geography) AS area_m2, ST_AsGeoJSON(ST_Multi(geom), 7)::json AS geometry
     FROM left_over WHERE ST_Area(geom::geography) >= $3 ORDER BY 1 DESC`,
    [input, JSON.stringify(parent), minM2],
  );
  return { overlaps: overlaps.rows, gaps: gaps.rows };
}

/** Area of the symmetric difference between an area's polygon and the union of its children's, m². */
export async function fillMismatchM2(db: Queryable, areaId: number): Promise<number> {
  const { rows } = await db.query<{ m2: number | null }>(
    `SELECT ST_Area(ST_SymDifference(p.geom, (SELECT ST_Union(c.geom) FROM area c WHERE c.parent_id = p.id), ${OVERLAY_GRID})::geography) AS m2
     FROM area p WHERE p.id = $1`,
    [areaId],
  );
  return rows[0]?.m2 ?? 0;
}

export async function isValid(db: Queryable, geometry: MultiPolygon): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>('SELECT ST_IsValid(ST_GeomFromGeoJSON($1)) AS ok', [JSON.stringify(geometry)]);
  return rows[0].ok;
}

/** The polygon union of an area's children, by PostGIS: the fallback when they overlap. */
export async function unionOfChildren(db: Queryable, parentId: number): Promise<MultiPolygon> {
  const { rows } = await db.query<{ g: MultiPolygon }>(
    `SELECT ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(geom)), 3)), 7)::json AS g FROM area WHERE parent_id = $1`,
    [parentId],
  );
  return rows[0].g;
}
