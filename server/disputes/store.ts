import type { MultiPolygon } from 'geojson';
import type pg from 'pg';
import type { Queryable } from '../db/database.js';

export const DISPUTE_STATUSES = ['open', 'negotiating', 'resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** A meeting of the negotiation unit, or any other entry in a dispute's log. */
export interface DisputeNote {
  date: string;
  attendees: string[];
  outcome: string;
  by: string | null;
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
  created_at: string;
  updated_at: string;
}

const DISPUTE_COLUMNS = `d.id, a.code AS area_a, b.code AS area_b, a.name AS area_a_name, b.name AS area_b_name, d.status, d.area_m2,
  ST_AsGeoJSON(d.geom, 7)::json AS geometry, d.notes, d.resolution,
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
                   ELSE ST_Multi(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)) END AS g
       FROM area a, area b WHERE a.id = $1 AND b.id = $2)
     SELECT CASE WHEN ST_IsEmpty(g) THEN NULL ELSE ST_AsGeoJSON(g, 7)::json END AS geom,
            coalesce(ST_Area(g::geography), 0) AS m2 FROM c`,
    [aId, bId, drawn ? JSON.stringify(drawn) : null],
  );
  return { geom: rows[0]?.geom ?? null, m2: rows[0]?.m2 ?? 0 };
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
            CASE WHEN ST_IsEmpty(ST_CollectionExtract(ST_Difference(l.geom, p.g), 3)) THEN NULL
                 ELSE ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_Difference(l.geom, p.g), 3)), 7)::json END AS loser
     FROM area w, area l, p WHERE w.id = $1 AND l.id = $2`,
    [winnerId, loserId, JSON.stringify(piece)],
  );
  return rows[0];
}
