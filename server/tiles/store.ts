import type { Feature, Geometry } from 'geojson';
import type { Queryable } from '../db/database.js';
import { BUFFER, EXTENT, simplifyToleranceDegrees, tileLonLatBox, type TileAddress, type TileLayer } from './tile.js';

/**
 * What each layer selects from inside a lon/lat box ($1..$4): the feature `id`, the attribute
 * columns every tile of the layer carries, and `geom` in EPSG:4326. Area layers share one
 * shape (code, name, name_local, status, level, version) so the map styles them alike.
 * `geom && ST_MakeEnvelope(params)` is the operator the GiST index answers; the box is a
 * constant built from parameters, so the planner uses the index instead of testing every row.
 */
interface LayerQuery {
  rows: string;
  properties: readonly string[];
}

const BOX = 'ST_MakeEnvelope($1, $2, $3, $4, 4326)';
const AREA_PROPERTIES = ['code', 'name', 'name_local', 'status', 'level', 'version'] as const;

function areaLayer(level: 'district' | 'kumban' | 'ban'): LayerQuery {
  return {
    // The level is a constant of this module, never user input.
    rows: `SELECT a.id, a.code, a.name, a.name_local, a.status, a.level, a.version, a.geom
           FROM area a WHERE a.geom && ${BOX} AND a.level = '${level}'`,
    properties: AREA_PROPERTIES,
  };
}

const LAYERS: Record<TileLayer, LayerQuery> = {
  districts: areaLayer('district'),
  kumbans: areaLayer('kumban'),
  villages: areaLayer('ban'),
  tracks: {
    rows: `SELECT t.id, a.code, t.name, t.kind, o.code AS other_code, t.reading_count AS readings, t.geom
           FROM track t LEFT JOIN area a ON a.id = t.area_id LEFT JOIN area o ON o.id = t.other_area_id
           WHERE t.geom && ${BOX}`,
    properties: ['code', 'name', 'kind', 'other_code', 'readings'],
  },
  markers: {
    rows: `SELECT m.id, a.code, m.name, m.symbol, m.geom
           FROM marker m LEFT JOIN area a ON a.id = m.area_id
           WHERE m.geom && ${BOX}`,
    properties: ['code', 'name', 'symbol'],
  },
};

function boxParams(tile: TileAddress): number[] {
  return tileLonLatBox(tile, BUFFER);
}

/**
 * Whether the database can encode MVT itself. PGlite's PostGIS is built without protobuf-c,
 * so `ST_AsMVT` raises there; asked once at start on an empty row set.
 */
export async function supportsMvt(db: Queryable): Promise<boolean> {
  try {
    await db.query(`SELECT ST_AsMVT(t, 'probe') FROM (SELECT 1 AS id, NULL::geometry AS geom WHERE false) t`);
    return true;
  } catch {
    return false;
  }
}

/**
 * A token that changes whenever anything drawn in the tiles changes: area edits (count, sum of
 * versions, last update) and added or removed tracks and markers. Cheap enough to ask per
 * request; the route memoises it briefly.
 */
export async function dataVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ v: string }>(
    `SELECT concat_ws('/',
       (SELECT count(*) || '.' || coalesce(sum(version), 0) || '.' || coalesce(floor(extract(epoch FROM max(updated_at)) * 1000), 0) FROM area),
       (SELECT count(*) || '.' || coalesce(max(id), 0) FROM track),
       (SELECT count(*) || '.' || coalesce(max(id), 0) FROM marker)) AS v`,
  );
  return rows[0].v;
}

/**
 * One layer's tile encoded by PostGIS. Geometries are simplified in lon/lat first (cheap, and it
 * shrinks what `ST_Transform` has to project), then snapped to the tile grid and clipped with a
 * buffer by `ST_AsMVTGeom`. Null when the tile has no feature.
 */
export async function mvtTile(db: Queryable, layer: TileLayer, tile: TileAddress): Promise<Buffer | null> {
  const tolerance = simplifyToleranceDegrees(tile.z);
  const { rows } = await db.query<{ mvt: Buffer; n: number }>(
    `SELECT ST_AsMVT(f, $5, ${EXTENT}, 'geom', 'id') AS mvt, count(*)::int AS n FROM (
       SELECT r.id, ${columns(layer, 'r')},
              ST_AsMVTGeom(ST_Transform(ST_Simplify(r.geom, $6, true), 3857), ST_TileEnvelope($7, $8, $9), ${EXTENT}, ${BUFFER}, true) AS geom
       FROM (${LAYERS[layer].rows}) r
     ) f
     WHERE f.geom IS NOT NULL`,
    [...boxParams(tile), layer, tolerance, tile.z, tile.x, tile.y],
  );
  const row = rows[0];
  return row && row.n > 0 ? row.mvt : null;
}

function columns(layer: TileLayer, alias: string): string {
  return LAYERS[layer].properties.map((name) => `${alias}.${name}`).join(', ');
}

/**
 * The features of one layer's tile as GeoJSON, simplified and clipped to the buffered tile in
 * SQL, for databases that cannot run `ST_AsMVT`; `encodeTile` turns them into MVT.
 */
export async function tileFeatures(db: Queryable, layer: TileLayer, tile: TileAddress): Promise<Feature<Geometry>[]> {
  const tolerance = simplifyToleranceDegrees(tile.z);
  const { rows } = await db.query<{ id: number; geometry: Geometry; properties: Record<string, unknown> }>(
    `SELECT c.id, ST_AsGeoJSON(c.clipped, 7)::json AS geometry,
            jsonb_strip_nulls(jsonb_build_object(${LAYERS[layer].properties.map((name) => `'${name}', c.${name}`).join(', ')})) AS properties
     FROM (
       SELECT r.*, ST_ClipByBox2D(ST_Simplify(r.geom, $5, true), ${BOX}) AS clipped
       FROM (${LAYERS[layer].rows}) r
     ) c
     WHERE NOT ST_IsEmpty(c.clipped)
     ORDER BY c.id`,
    [...boxParams(tile), tolerance],
  );
  return rows.map((row) => ({ type: 'Feature', id: row.id, geometry: row.geometry, properties: row.properties }));
}

export interface ReadingFilter {
  trackId: number | null;
  areaId: number | null;
  kept: boolean | null;
  limit: number;
}

export async function trackExists(db: Queryable, id: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM track WHERE id = $1', [id]);
  return rows.length > 0;
}

/**
 * GPS readings of one track, or of every track walked around or along an area, kept or
 * dropped, with why a dropped reading was dropped. Serialised by PostgreSQL, in walking order.
 */
export async function readingsCollection(db: Queryable, f: ReadingFilter): Promise<string> {
  const { rows } = await db.query<{ fc: string }>(
    `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', r.id, 'geometry', ST_AsGeoJSON(r.geom, 7)::json,
        'properties', json_build_object('id', r.id, 'track_id', r.track_id, 'seq', r.seq, 'taken_at', r.taken_at,
          'kept', r.kept, 'drop_reason', r.drop_reason, 'hdop', r.hdop, 'satellites', r.satellites))
        ORDER BY r.track_id, r.seq), '[]'::json))::text AS fc
     FROM (
       SELECT r.* FROM reading r JOIN track t ON t.id = r.track_id
       WHERE ($1::bigint IS NULL OR r.track_id = $1)
         AND ($2::bigint IS NULL OR t.area_id = $2 OR t.other_area_id = $2)
         AND ($3::boolean IS NULL OR r.kept = $3)
       ORDER BY r.track_id, r.seq
       LIMIT $4
     ) r`,
    [f.trackId, f.areaId, f.kept, f.limit],
  );
  return rows[0].fc;
}

/** Village counts and areas by status under one area (or a root), as the progress query gives them. */
export interface ProgressRow {
  id: number;
  code: string;
  name: string;
  name_local: string | null;
  level: string;
  parent_id: number | null;
  own_area_m2: number | null;
  status: string | null;
  villages: number;
  area_m2: number;
}

/**
 * For the area `rootId` (every top-level area when null) and each area below it down to the
 * level above villages: how many villages it holds in each status and their summed area.
 * One recursive walk pairs every area in scope with each of its descendants; villages are
 * the areas of the deepest level.
 */
export async function progressRows(db: Queryable, rootId: number | null): Promise<ProgressRow[]> {
  const { rows } = await db.query<ProgressRow>(
    `WITH RECURSIVE leaf AS (SELECT key FROM admin_level ORDER BY rank DESC LIMIT 1),
     scope AS (
       SELECT id FROM area WHERE CASE WHEN $1::bigint IS NULL THEN parent_id IS NULL ELSE id = $1 END
       UNION ALL
       SELECT a.id FROM area a JOIN scope s ON a.parent_id = s.id WHERE a.level <> (SELECT key FROM leaf)
     ),
     pairs AS (
       SELECT id AS ancestor, id FROM scope
       UNION ALL
       SELECT p.ancestor, a.id FROM pairs p JOIN area a ON a.parent_id = p.id
     )
     SELECT anc.id, anc.code, anc.name, anc.name_local, anc.level, anc.parent_id, anc.area_m2 AS own_area_m2,
            v.status, count(v.id)::int AS villages, coalesce(sum(v.area_m2), 0) AS area_m2
     FROM pairs p
     JOIN area anc ON anc.id = p.ancestor
     LEFT JOIN area v ON v.id = p.id AND v.level = (SELECT key FROM leaf)
     -- The row with a null status stands for the area itself, so areas with no village show too.
     GROUP BY anc.id, v.status
     ORDER BY anc.code, v.status`,
    [rootId],
  );
  return rows;
}

/** Disputes not yet resolved that involve a village under the area (anywhere when null). */
export async function openDisputes(db: Queryable, rootId: number | null): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH RECURSIVE scope AS (
       SELECT id FROM area WHERE $1::bigint IS NULL OR id = $1
       UNION ALL
       SELECT a.id FROM area a JOIN scope s ON a.parent_id = s.id WHERE $1::bigint IS NOT NULL
     )
     SELECT count(*)::int AS n FROM dispute d
     WHERE d.status <> 'resolved'
       AND (d.area_a_id IN (SELECT id FROM scope) OR d.area_b_id IN (SELECT id FROM scope))`,
    [rootId],
  );
  return rows[0].n;
}
