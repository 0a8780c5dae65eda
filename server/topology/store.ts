import type { Geometry, MultiPolygon } from 'geojson';
import type { Queryable } from '../db/database.js';
import { OVERLAY_GRID } from '../db/overlay.js';

/**
 * The set work behind the topology report, done by PostGIS (GEOS is faster than Turf at
 * intersections and differences, and the children are already indexed there). Areas are
 * measured on the geography type, so square metres hold at any latitude. The same SQL runs on
 * the PostGIS server and on the embedded PGlite.
 */

export interface ChildRow {
  id: number;
  code: string;
  name: string;
  has_geometry: boolean;
  valid: boolean;
  reason: string | null;
  geometry: MultiPolygon | null;
}

export interface Piece {
  geometry: Geometry;
  area_m2: number;
  /** Mean width, 2 · area / perimeter: about the width of a long thin strip. */
  width_m: number;
}

export interface OverlapPiece extends Piece {
  a: string;
  b: string;
}

/** The children of a parent with their validity; invalid or empty ones are left out of the set work. */
export async function children(db: Queryable, parentId: number): Promise<ChildRow[]> {
  const { rows } = await db.query<ChildRow>(
    `SELECT id, code, name, geom IS NOT NULL AND NOT ST_IsEmpty(geom) AS has_geometry,
            coalesce(ST_IsValid(geom), false) AS valid,
            CASE WHEN geom IS NULL THEN 'no geometry' WHEN ST_IsEmpty(geom) THEN 'empty geometry'
                 WHEN NOT ST_IsValid(geom) THEN ST_IsValidReason(geom) END AS reason,
            CASE WHEN geom IS NULL OR ST_IsEmpty(geom) THEN NULL ELSE ST_AsGeoJSON(geom, 7)::json END AS geometry
     FROM area WHERE parent_id = $1 ORDER BY code`,
    [parentId],
  );
  return rows;
}

// Pieces are the polygonal parts of an intersection or difference, one row each, measured.
const PIECE_COLUMNS = `ST_AsGeoJSON(p.g, 7)::json AS geometry, ST_Area(p.g::geography) AS area_m2,
  CASE WHEN ST_Perimeter(p.g::geography) > 0 THEN 2 * ST_Area(p.g::geography) / ST_Perimeter(p.g::geography) ELSE 0 END AS width_m`;

// Children fit for set work: with a valid, non-empty polygon.
const USABLE = `SELECT id, code, geom FROM area WHERE parent_id = $1 AND geom IS NOT NULL AND NOT ST_IsEmpty(geom) AND ST_IsValid(geom)`;

/**
 * Where two siblings overlap, one row per polygonal piece of at least `minM2`. The join's
 * `ST_Intersects` uses the GiST index; neighbours that only touch give lines, dropped by
 * `ST_CollectionExtract(…, 3)`.
 */
export async function overlaps(db: Queryable, parentId: number, minM2: number): Promise<OverlapPiece[]> {
  const { rows } = await db.query<OverlapPiece>(
    `WITH c AS (${USABLE}),
     pair AS (
       SELECT a.code AS a, b.code AS b, ST_CollectionExtract(ST_Intersection(a.geom, b.geom, ${OVERLAY_GRID}), 3) AS g
       FROM c a JOIN c b ON a.id < b.id AND ST_Intersects(a.geom, b.geom) AND NOT ST_Touches(a.geom, b.geom)),
     p AS (SELECT a, b, (ST_Dump(g)).geom AS g FROM pair WHERE NOT ST_IsEmpty(g))
     SELECT a, b, ${PIECE_COLUMNS} FROM p WHERE ST_Area(p.g::geography) >= $2 ORDER BY a, b, ST_Area(p.g::geography) DESC`,
    [parentId, minM2],
  );
  return rows;
}

/** Each overlapping pair once, with all its pieces together, at least `minM2` in all. */
export async function overlappingPairs(db: Queryable, parentId: number, minM2: number): Promise<{ a_id: number; b_id: number; a: string; b: string; geometry: MultiPolygon; area_m2: number }[]> {
  const { rows } = await db.query(
    `WITH c AS (${USABLE}),
     pair AS (
       SELECT a.id AS a_id, b.id AS b_id, a.code AS a, b.code AS b,
              ST_Multi(ST_CollectionExtract(ST_Intersection(a.geom, b.geom, ${OVERLAY_GRID}), 3)) AS g
       FROM c a JOIN c b ON a.id < b.id AND ST_Intersects(a.geom, b.geom) AND NOT ST_Touches(a.geom, b.geom))
     SELECT a_id, b_id, a, b, ST_AsGeoJSON(g, 7)::json AS geometry, ST_Area(g::geography) AS area_m2
     FROM pair WHERE NOT ST_IsEmpty(g) AND ST_Area(g::geography) >= $2 ORDER BY a, b`,
    [parentId, minM2],
  );
  return rows as { a_id: number; b_id: number; a: string; b: string; geometry: MultiPolygon; area_m2: number }[];
}

/**
 * Land inside the parent that no child covers, one row per piece of at least `minM2`, with the
 * codes of the children without a polygon whose centre lies in it (villages not mapped yet).
 */
export async function gaps(db: Queryable, parentId: number, minM2: number): Promise<(Piece & { centres_of: string[] })[]> {
  const { rows } = await db.query<Piece & { centres_of: string[] }>(
    `WITH c AS (${USABLE}),
     u AS (SELECT ST_Union(geom) AS g FROM c),
     d AS (SELECT CASE WHEN u.g IS NULL THEN par.geom ELSE ST_CollectionExtract(ST_Difference(par.geom, u.g, ${OVERLAY_GRID}), 3) END AS g
           FROM area par, u WHERE par.id = $1 AND par.geom IS NOT NULL AND ST_IsValid(par.geom)),
     p AS (SELECT (ST_Dump(g)).geom AS g FROM d WHERE NOT ST_IsEmpty(g))
     SELECT ${PIECE_COLUMNS},
            coalesce((SELECT array_agg(k.code ORDER BY k.code) FROM area k
                      WHERE k.parent_id = $1 AND k.geom IS NULL AND k.centre IS NOT NULL AND ST_Intersects(p.g, k.centre)), '{}') AS centres_of
     FROM p WHERE ST_Area(p.g::geography) >= $2 ORDER BY ST_Area(p.g::geography) DESC`,
    [parentId, minM2],
  );
  return rows;
}

/** The part of each child outside its parent, when at least `minM2`. */
export async function outside(db: Queryable, parentId: number, minM2: number): Promise<(Piece & { area: string })[]> {
  const { rows } = await db.query<Piece & { area: string }>(
    `WITH c AS (${USABLE}),
     d AS (SELECT c.code, ST_CollectionExtract(ST_Difference(c.geom, par.geom, ${OVERLAY_GRID}), 3) AS g
           FROM c, area par WHERE par.id = $1 AND par.geom IS NOT NULL AND ST_IsValid(par.geom) AND NOT ST_CoveredBy(c.geom, par.geom)),
     p AS (SELECT code, g FROM d WHERE NOT ST_IsEmpty(g))
     SELECT p.code AS area, ${PIECE_COLUMNS} FROM p WHERE ST_Area(p.g::geography) >= $2 ORDER BY ST_Area(p.g::geography) DESC`,
    [parentId, minM2],
  );
  return rows;
}
