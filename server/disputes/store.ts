import type { LineString, MultiPolygon } from 'geojson';
import type pg from 'pg';
import type { Queryable } from '../db/database.js';
import { OVERLAY_GRID } from '../db/overlay.js';

export const DISPUTE_STATUSES = ['open', 'negotiating', 'resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** A meeting of the negotiation unit, or any other entry in a dispute's log. */
export interface DisputeNote {
  date: string;
  attendees: string[];
  outcome: string;
  by: string | null;
}

/** Who accepted an agreed boundary line: the head of each village and the witnesses. */
export interface AgreedBy {
  head_a: string;
  head_b: string;
  witnesses: string[];
  date: string;
}

export interface Dispute {
  id: number;
  area_a: string;
  area_b: string;
  area_a_name: string;
  area_b_name: string;
  status: DisputeStatus;
  area_m2: number | null;
  geometry: MultiPolygon | null;
  notes: DisputeNote[];
  resolution: Record<string, unknown> | null;
  /** For a dispute over a stretch of boundary: the line each village claims (a: area_a's), else null. */
  claimed_lines: { a: LineString; b: LineString } | null;
  /** The line both sides accepted, and who accepted it. */
  agreed_line: LineString | null;
  agreed_by: AgreedBy | null;
  created_at: string;
  updated_at: string;
}

const DISPUTE_COLUMNS = `d.id, a.code AS area_a, b.code AS area_b, a.name AS area_a_name, b.name AS area_b_name, d.status, d.area_m2,
  ST_AsGeoJSON(d.geom, 7)::json AS geometry, d.notes, d.resolution,
  CASE WHEN d.line_a IS NULL THEN NULL ELSE json_build_object('a', ST_AsGeoJSON(d.line_a, 7)::json, 'b', ST_AsGeoJSON(d.line_b, 7)::json) END AS claimed_lines,
  ST_AsGeoJSON(d.agreed_line, 7)::json AS agreed_line, d.agreed_by,
  to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
  to_char(d.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at`;
const DISPUTE_FROM = 'dispute d JOIN area a ON a.id = d.area_a_id JOIN area b ON b.id = d.area_b_id';

export async function listDisputes(db: Queryable, f: { areaId?: number; status?: string }): Promise<Dispute[]> {
  const { rows } = await db.query<Dispute>(
    `SELECT ${DISPUTE_COLUMNS} FROM ${DISPUTE_FROM}
     WHERE ($1::bigint IS NULL OR d.area_a_id = $1 OR d.area_b_id = $1) AND ($2::text IS NULL OR d.status = $2)
     ORDER BY d.id`,
    [f.areaId ?? null, f.status ?? null],
  );
  return rows;
}

export async function getDispute(db: Queryable, id: number, lock = false): Promise<Dispute | null> {
  const { rows } = await db.query<Dispute>(`SELECT ${DISPUTE_COLUMNS} FROM ${DISPUTE_FROM} WHERE d.id = $1 ${lock ? 'FOR UPDATE OF d' : ''}`, [id]);
  return rows[0] ?? null;
}

/** The land both areas claim: the given geometry, or where their polygons overlap. */
export async function contestedArea(db: Queryable, aId: number, bId: number, drawn: MultiPolygon | null): Promise<{ geom: MultiPolygon | null; m2: number }> {
  const { rows } = await db.query<{ geom: MultiPolygon | null; m2: number | null }>(
    `WITH c AS (
       SELECT CASE WHEN $3::text IS NOT NULL THEN ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326))
                   ELSE ST_Multi(ST_CollectionExtract(ST_Intersection(a.geom, b.geom, ${OVERLAY_GRID}), 3)) END AS g
       FROM area a, area b WHERE a.id = $1 AND b.id = $2)
     SELECT CASE WHEN ST_IsEmpty(g) THEN NULL ELSE ST_AsGeoJSON(g, 7)::json END AS geom,
            coalesce(ST_Area(g::geography), 0) AS m2 FROM c`,
    [aId, bId, drawn ? JSON.stringify(drawn) : null],
  );
  return { geom: rows[0]?.geom ?? null, m2: rows[0]?.m2 ?? 0 };
}

/** The id of a dispute between two areas (either way round) that is not resolved yet, or null. */
export async function unresolvedBetween(db: Queryable, aId: number, bId: number): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM dispute WHERE status <> 'resolved' AND ((area_a_id = $1 AND area_b_id = $2) OR (area_a_id = $2 AND area_b_id = $1))
     ORDER BY id LIMIT 1`,
    [aId, bId],
  );
  return rows[0]?.id ?? null;
}

/**
 * The land between two claimed lines of one stretch of boundary. The lines are put end to end
 * (the second reversed if it was walked the other way), their ends joined, the network noded
 * where the lines cross, and the faces it encloses unioned: one lens per stretch where they part.
 */
export async function landBetweenLines(db: Queryable, a: LineString, b: LineString): Promise<{ geom: MultiPolygon | null; m2: number }> {
  const { rows } = await db.query<{ geom: MultiPolygon | null; m2: number | null }>(
    `WITH l AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS a, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326) AS b),
     o AS (SELECT a, CASE WHEN ST_Distance(ST_StartPoint(a), ST_StartPoint(b)) + ST_Distance(ST_EndPoint(a), ST_EndPoint(b))
                            <= ST_Distance(ST_StartPoint(a), ST_EndPoint(b)) + ST_Distance(ST_EndPoint(a), ST_StartPoint(b))
                       THEN b ELSE ST_Reverse(b) END AS b FROM l),
     net AS (SELECT ST_Node(ST_Collect(ARRAY[a, b,
                CASE WHEN NOT ST_Equals(ST_StartPoint(a), ST_StartPoint(b)) THEN ST_MakeLine(ST_StartPoint(a), ST_StartPoint(b)) END,
                CASE WHEN NOT ST_Equals(ST_EndPoint(a), ST_EndPoint(b)) THEN ST_MakeLine(ST_EndPoint(a), ST_EndPoint(b)) END])) AS g FROM o),
     faces AS (SELECT (ST_Dump(ST_Polygonize(g))).geom AS f FROM net),
     u AS (SELECT ST_Multi(ST_Union(f)) AS g FROM faces)
     SELECT CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN NULL ELSE ST_AsGeoJSON(g, 7)::json END AS geom,
            coalesce(ST_Area(g::geography), 0) AS m2 FROM u`,
    [JSON.stringify(a), JSON.stringify(b)],
  );
  return { geom: rows[0]?.geom ?? null, m2: rows[0]?.m2 ?? 0 };
}

export async function setClaimedLines(db: pg.PoolClient, id: number, a: LineString, b: LineString): Promise<void> {
  await db.query(
    `UPDATE dispute SET line_a = ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), line_b = ST_SetSRID(ST_GeomFromGeoJSON($3), 4326) WHERE id = $1`,
    [id, JSON.stringify(a), JSON.stringify(b)],
  );
}

/**
 * The two villages' polygons once the agreed line is their boundary: the contested land is cut
 * along the agreed line, each piece goes to the village on whose side of the line it lies (the
 * piece nearer the line the other village claimed: land between B's claim and the agreed line
 * is on A's side), and each village keeps what it had outside the contested land. Null for a
 * village left with nothing. Needs the dispute's claimed lines and agreed line stored.
 */
export async function splitAlongAgreedLine(db: Queryable, id: number): Promise<{ a: MultiPolygon | null; b: MultiPolygon | null }> {
  const { rows } = await db.query<{ a: MultiPolygon | null; b: MultiPolygon | null }>(
    `WITH d AS (
       SELECT a.geom AS ga, b.geom AS gb, x.geom AS c, x.line_a AS la, x.line_b AS lb, x.agreed_line AS l
       FROM dispute x JOIN area a ON a.id = x.area_a_id JOIN area b ON b.id = x.area_b_id WHERE x.id = $1),
     piece AS (SELECT (ST_Dump(ST_CollectionExtract(ST_Split(d.c, d.l), 3))).geom AS g FROM d),
     side AS (SELECT piece.g, ST_Distance(ST_PointOnSurface(piece.g), d.lb) < ST_Distance(ST_PointOnSurface(piece.g), d.la) AS to_a FROM piece, d),
     na AS (SELECT ST_Union(g) AS g FROM (SELECT ST_Difference(d.ga, d.c) AS g FROM d UNION ALL SELECT g FROM side WHERE to_a) s),
     nb AS (SELECT ST_Union(g) AS g FROM (SELECT ST_Difference(d.gb, d.c) AS g FROM d UNION ALL SELECT g FROM side WHERE NOT to_a) s),
     v AS (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(na.g), 3)) AS a, ST_Multi(ST_CollectionExtract(ST_MakeValid(nb.g), 3)) AS b FROM na, nb)
     SELECT CASE WHEN a IS NULL OR ST_IsEmpty(a) THEN NULL ELSE ST_AsGeoJSON(a, 7)::json END AS a,
            CASE WHEN b IS NULL OR ST_IsEmpty(b) THEN NULL ELSE ST_AsGeoJSON(b, 7)::json END AS b FROM v`,
    [id],
  );
  return rows[0];
}

export async function setAgreedLine(db: pg.PoolClient, id: number, line: LineString, by: AgreedBy): Promise<void> {
  await db.query(`UPDATE dispute SET agreed_line = ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), agreed_by = $3 WHERE id = $1`, [id, JSON.stringify(line), JSON.stringify(by)]);
}

export async function insertDispute(db: pg.PoolClient, aId: number, bId: number, geom: MultiPolygon | null, m2: number, note: DisputeNote | null): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO dispute (area_a_id, area_b_id, geom, area_m2, notes)
     VALUES ($1, $2, ST_SetSRID(ST_GeomFromGeoJSON($3), 4326), $4, $5) RETURNING id`,
    [aId, bId, geom ? JSON.stringify(geom) : null, m2, JSON.stringify(note ? [note] : [])],
  );
  return rows[0].id;
}

export async function updateDispute(db: pg.PoolClient, id: number, status: DisputeStatus, notes: DisputeNote[], resolution: object | null): Promise<void> {
  await db.query('UPDATE dispute SET status = $2, notes = $3, resolution = $4, updated_at = now() WHERE id = $1', [
    id, status, JSON.stringify(notes), resolution ? JSON.stringify(resolution) : null,
  ]);
}

/**
 * Give the contested piece to one village: the winner's polygon gains it, the other's loses it.
 * Returns both new geometries (polygonal parts only), computed in one statement.
 */
export async function assignPiece(db: Queryable, winnerId: number, loserId: number, piece: MultiPolygon): Promise<{ winner: MultiPolygon; loser: MultiPolygon | null }> {
  const { rows } = await db.query<{ winner: MultiPolygon; loser: MultiPolygon | null }>(
    `WITH p AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($3), 4326) AS g)
     SELECT ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_Union(w.geom, p.g), 3)), 7)::json AS winner,
            CASE WHEN ST_IsEmpty(ST_CollectionExtract(ST_Difference(l.geom, p.g, ${OVERLAY_GRID}), 3)) THEN NULL
                 ELSE ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_Difference(l.geom, p.g, ${OVERLAY_GRID}), 3)), 7)::json END AS loser
     FROM area w, area l, p WHERE w.id = $1 AND l.id = $2`,
    [winnerId, loserId, JSON.stringify(piece)],
  );
  return rows[0];
}
