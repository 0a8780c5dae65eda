import type { Feature, Geometry } from 'geojson';
import type pg from 'pg';
import type { Queryable } from '../db/database.js';
import { DESCENDANT_PAIRS } from '../areas/store.js';
import { BUFFER, EXTENT, simplifyToleranceDegrees, tileLonLatBox, VILLAGE_NAMES_MIN_ZOOM, type TileAddress, type TileLayer } from './tile.js';

/**
 * What each layer selects from inside a lon/lat box ($1..$4): the attribute columns every tile
 * of the layer carries, `geom` in EPSG:4326, and the feature `id` when the layer has one.
 * Area layers share one shape (code, name, name_local, status, level, version) so the map
 * styles them alike. `geom && ST_MakeEnvelope(params)` is the operator the GiST index answers;
 * the box is a constant built from parameters, so the planner uses the index instead of
 * testing every row.
 */
interface LayerQuery {
  rows: string;
  properties: readonly string[];
  /** Whether rows carry an `id` that becomes the MVT feature id (unique within the layer). */
  featureId: boolean;
}

const BOX = 'ST_MakeEnvelope($1, $2, $3, $4, 4326)';
/** The tile's zoom in a layer's rows; each statement puts its own parameter there. */
const ZOOM = '{zoom}';
const AREA_PROPERTIES = ['code', 'name', 'name_local', 'status', 'level', 'version'] as const;

function areaLayer(level: 'district' | 'kumban' | 'ban'): LayerQuery {
  const named = level === 'ban' ? `${ZOOM}::int >= ${VILLAGE_NAMES_MIN_ZOOM}` : 'true';
  return {
    // The level is a constant of this module, never user input. Null properties are left out
    // of the tile by ST_AsMVT and jsonb_strip_nulls alike.
    rows: `SELECT a.id, a.code, CASE WHEN ${named} THEN a.name END AS name, CASE WHEN ${named} THEN a.name_local END AS name_local,
                  a.status, a.level, a.version, a.geom
           FROM area a WHERE a.geom && ${BOX} AND a.level = '${level}'`,
    properties: AREA_PROPERTIES,
    featureId: true,
  };
}

/**
 * What is contested, for the map to hatch: the land of each open or negotiating dispute
 * (`kind` 'area', polygons) and every boundary line marked disputed (`kind` 'boundary'), each
 * with the two villages' codes and names. A boundary line carries the dispute raised over it
 * when there is one still open (else `dispute_id` is absent and `status` is 'disputed').
 * Polygons and lines come from two tables, so the layer has no feature id: `dispute_id` and
 * `boundary_id` say which row a feature is.
 */
const DISPUTES: LayerQuery = {
  rows: `SELECT 'area' AS kind, d.id AS dispute_id, d.boundary_id, d.status,
                a.code AS area_a, b.code AS area_b, a.name AS name_a, b.name AS name_b,
                a.name_local AS name_local_a, b.name_local AS name_local_b, d.area_m2, d.geom::geometry AS geom
         FROM dispute d JOIN area a ON a.id = d.area_a_id JOIN area b ON b.id = d.area_b_id
         WHERE d.status IN ('open', 'negotiating') AND d.geom && ${BOX}
         UNION ALL
         SELECT 'boundary', open.id, l.id, coalesce(open.status, l.status),
                a.code, b.code, a.name, b.name, a.name_local, b.name_local, NULL::double precision, l.geom::geometry
         FROM boundary l JOIN area a ON a.id = l.left_area_id LEFT JOIN area b ON b.id = l.right_area_id
         LEFT JOIN LATERAL (
           SELECT d.id, d.status FROM dispute d
           WHERE d.boundary_id = l.id AND d.status IN ('open', 'negotiating') ORDER BY d.id DESC LIMIT 1
         ) open ON true
         WHERE l.status = 'disputed' AND l.geom && ${BOX}`,
  properties: ['kind', 'dispute_id', 'boundary_id', 'status', 'area_a', 'area_b', 'name_a', 'name_b', 'name_local_a', 'name_local_b', 'area_m2'],
  featureId: false,
};

/**
 * Where the map writes the names of districts, kumbans and villages: one point per area at its
 * centre (the point the area panel and the API give), with the names to write. Villages only
 * from VILLAGE_NAMES_MIN_ZOOM, where the map starts labelling them. A point lies in one tile
 * (and the buffers of its neighbours, which MapLibre does not place labels from), so unlike a
 * polygon cut at tile edges it is written once.
 */
const LABELS: LayerQuery = {
  rows: `SELECT a.id, a.code, a.level, a.name, a.name_local, a.centre AS geom
         FROM area a
         WHERE a.centre && ${BOX}
           AND (a.level IN ('district', 'kumban') OR (a.level = 'ban' AND ${ZOOM}::int >= ${VILLAGE_NAMES_MIN_ZOOM}))
         -- MapLibre places a tile's labels in feature order, the first winning a collision: by
         -- code, as the page's area lists ordered them, so the same names win from one run to the next.
         ORDER BY a.code`,
  properties: ['code', 'level', 'name', 'name_local'],
  featureId: true,
};

const LAYERS: Record<TileLayer, LayerQuery> = {
  districts: areaLayer('district'),
  kumbans: areaLayer('kumban'),
  villages: areaLayer('ban'),
  tracks: {
    rows: `SELECT t.id, a.code, t.name, t.kind, o.code AS other_code, t.reading_count AS readings, t.geom
           FROM track t LEFT JOIN area a ON a.id = t.area_id LEFT JOIN area o ON o.id = t.other_area_id
           WHERE t.geom && ${BOX}`,
    properties: ['code', 'name', 'kind', 'other_code', 'readings'],
    featureId: true,
  },
  markers: {
    rows: `SELECT m.id, a.code, m.name, m.symbol, m.geom
           FROM marker m LEFT JOIN area a ON a.id = m.area_id
           WHERE m.geom && ${BOX}`,
    properties: ['code', 'name', 'symbol'],
    featureId: true,
  },
  disputes: DISPUTES,
  labels: LABELS,
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
 * versions, last update), added or removed tracks and markers, and disputes and boundaries
 * (count and last update). Cheap enough to ask per request; the service memoises it briefly.
 */
export async function dataVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ v: string }>(
    `SELECT concat_ws('/',
       (SELECT count(*) || '.' || coalesce(sum(version), 0) || '.' || coalesce(floor(extract(epoch FROM max(updated_at)) * 1000), 0) FROM area),
       (SELECT count(*) || '.' || coalesce(max(id), 0) FROM track),
       (SELECT count(*) || '.' || coalesce(max(id), 0) FROM marker),
       (SELECT count(*) || '.' || coalesce(floor(extract(epoch FROM max(updated_at)) * 1000), 0) FROM dispute),
       (SELECT count(*) || '.' || coalesce(floor(extract(epoch FROM max(updated_at)) * 1000), 0) FROM boundary)) AS v`,
  );
  return rows[0].v;
}

/** The SQL of one layer's MVT, built once per layer: the text of a prepared statement. */
const MVT_SQL = Object.fromEntries(
  (Object.keys(LAYERS) as TileLayer[]).map((layer) => {
    const { featureId } = LAYERS[layer];
    return [layer, `SELECT ST_AsMVT(f, $5, ${EXTENT}, 'geom'${featureId ? ", 'id'" : ''}) AS mvt, count(*)::int AS n FROM (
       SELECT ${featureId ? 'r.id, ' : ''}${columns(layer, 'r')},
              ST_AsMVTGeom(ST_Transform(ST_Simplify(r.geom, $6, true), 3857), ST_TileEnvelope($7, $8, $9), ${EXTENT}, ${BUFFER}, true) AS geom
       FROM (${LAYERS[layer].rows.replaceAll(ZOOM, '$7')}) r
     ) f
     WHERE f.geom IS NOT NULL`];
  }),
) as Record<TileLayer, string>;

const FEATURES_SQL = Object.fromEntries(
  (Object.keys(LAYERS) as TileLayer[]).map((layer) => {
    const { featureId, properties } = LAYERS[layer];
    return [layer, `SELECT ${featureId ? 'c.id' : 'NULL::bigint AS id'}, ST_AsGeoJSON(c.clipped, 7)::json AS geometry,
            jsonb_strip_nulls(jsonb_build_object(${properties.map((name) => `'${name}', c.${name}`).join(', ')})) AS properties
     FROM (
       SELECT r.*, ST_ClipByBox2D(ST_Simplify(r.geom, $5, true), ${BOX}) AS clipped
       FROM (${LAYERS[layer].rows.replaceAll(ZOOM, '$6')}) r
     ) c
     WHERE NOT ST_IsEmpty(c.clipped)
     ORDER BY ${featureId ? 'c.id' : properties.map((name) => `c.${name}`).slice(0, 3).join(', ')}`];
  }),
) as Record<TileLayer, string>;

/**
 * One layer's tile encoded by PostGIS. Geometries are simplified in lon/lat first (cheap, and it
 * shrinks what `ST_Transform` has to project), then snapped to the tile grid and clipped with a
 * buffer by `ST_AsMVTGeom`. Null when the tile has no feature.
 *
 * A named (prepared) statement: each pooled connection parses and plans it once instead of on
 * every tile.
 */
export async function mvtTile(db: Queryable, layer: TileLayer, tile: TileAddress): Promise<Buffer | null> {
  const query: pg.QueryConfig = {
    name: `tessera-mvt-${layer}`,
    text: MVT_SQL[layer],
    values: [...boxParams(tile), layer, simplifyToleranceDegrees(tile.z), tile.z, tile.x, tile.y],
  };
  const { rows } = await db.query<{ mvt: Buffer; n: number }>(query);
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
  // Unnamed: this is the embedded database's path, where every connection of the pool shares one
  // PGlite session, so a statement one connection prepared would already exist for the next.
  const { rows } = await db.query<{ id: number | null; geometry: Geometry; properties: Record<string, unknown> }>(
    FEATURES_SQL[layer],
    [...boxParams(tile), simplifyToleranceDegrees(tile.z), ...(LAYERS[layer].rows.includes(ZOOM) ? [tile.z] : [])],
  );
  return rows.map((row) => ({
    type: 'Feature',
    ...(row.id === null ? {} : { id: row.id }),
    geometry: row.geometry,
    properties: row.properties,
  }));
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
        'type', 'Feature', 'id', r.track_id || ':' || r.seq, 'geometry', ST_AsGeoJSON(r.geom, 7)::json,
        'properties', json_build_object('track_id', r.track_id, 'seq', r.seq, 'taken_at', r.taken_at,
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
    `${DESCENDANT_PAIRS}
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
