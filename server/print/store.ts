import type { LineString, MultiLineString } from 'geojson';
import type { Queryable } from '../db/database.js';
import { UserError } from '../errors.js';
import { requireArea } from '../areas/store.js';
import type { PrintArea, PrintDispute, PrintDisputedLine, PrintMarker, VillageMapInput } from './model.js';

export const PRINT_COLUMNS = `a.code, a.name, a.name_local, a.level, a.status, a.version, a.area_m2, a.perimeter_m, a.method,
  to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at, a.population, a.households,
  ST_AsGeoJSON(a.geom, 7)::json AS geometry, ST_AsGeoJSON(a.centre, 7)::json AS centre`;

/** What a sheet shows besides its areas, read for many villages at once (an atlas) or one. */
export interface SheetParts {
  /** Codes of the areas of the same level within 50 m, so a sliver gap still counts as a shared line. */
  neighbourCodes: string[];
  markers: PrintMarker[];
  disputes: PrintDispute[];
  disputedLines: PrintDisputedLine[];
}

function groupBy<T extends { village_id: number }>(rows: T[]): Map<number, T[]> {
  const byVillage = new Map<number, T[]>();
  for (const row of rows) {
    const list = byVillage.get(row.village_id);
    if (list) list.push(row);
    else byVillage.set(row.village_id, [row]);
  }
  return byVillage;
}

/**
 * Neighbours, markers, contested areas, disputed boundary stretches and claimed lines of each
 * village, in five queries whatever the number of villages (an atlas of 300 villages is not
 * 1,500 queries).
 */
export async function sheetParts(db: Queryable, villageIds: number[]): Promise<Map<number, SheetParts>> {
  const { rows: neighbours } = await db.query<{ village_id: number; code: string }>(
    `SELECT v.id AS village_id, a.code FROM area v JOIN area a
       ON a.id <> v.id AND a.level = v.level AND a.geom IS NOT NULL AND ST_DWithin(a.geom::geography, v.geom::geography, 50)
     WHERE v.id = ANY($1::bigint[]) ORDER BY v.id, a.code`,
    [villageIds],
  );
  const { rows: markers } = await db.query<PrintMarker & { village_id: number }>(
    `SELECT v.id AS village_id, coalesce(m.name, 'marker ' || m.id) AS name, ST_X(m.geom) AS lon, ST_Y(m.geom) AS lat
     FROM area v JOIN marker m ON ST_DWithin(m.geom::geography, ST_Boundary(v.geom)::geography, 60)
     WHERE v.id = ANY($1::bigint[]) ORDER BY v.id, m.name, m.id`,
    [villageIds],
  );
  const { rows: disputes } = await db.query<PrintDispute & { village_id: number }>(
    `SELECT v.id AS village_id, ST_AsGeoJSON(d.geom, 7)::json AS geometry, o.name AS other, d.status,
            coalesce(d.area_m2, ST_Area(d.geom::geography)) AS area_m2
     FROM area v JOIN dispute d ON (d.area_a_id = v.id OR d.area_b_id = v.id)
     JOIN area o ON o.id = CASE WHEN d.area_a_id = v.id THEN d.area_b_id ELSE d.area_a_id END
     WHERE v.id = ANY($1::bigint[]) AND d.geom IS NOT NULL AND d.status <> 'resolved'
     ORDER BY v.id, d.id`,
    [villageIds],
  );
  // A boundary stretch is disputed when it is marked so, or when an unresolved dispute of the
  // village is about it (dispute.boundary_id); the other party is the area across the line, else
  // the other village of the dispute.
  const { rows: lines } = await db.query<{ village_id: number; geometry: MultiLineString; other: string | null; status: string; length_m: number }>(
    `SELECT DISTINCT ON (v.id, b.id) v.id AS village_id, ST_AsGeoJSON(ST_Multi(b.geom), 7)::json AS geometry,
            coalesce(across.name, party.name) AS other, coalesce(d.status, b.status) AS status,
            ST_Length(b.geom::geography) AS length_m
     FROM area v
     JOIN boundary b ON (b.status = 'disputed' AND v.id IN (b.left_area_id, b.right_area_id))
       OR EXISTS (SELECT 1 FROM dispute x WHERE x.boundary_id = b.id AND x.status <> 'resolved' AND v.id IN (x.area_a_id, x.area_b_id))
     LEFT JOIN dispute d ON d.boundary_id = b.id AND d.status <> 'resolved' AND v.id IN (d.area_a_id, d.area_b_id)
     LEFT JOIN area across ON across.id = CASE WHEN b.left_area_id = v.id THEN b.right_area_id
                                               WHEN b.right_area_id = v.id THEN b.left_area_id END
     LEFT JOIN area party ON party.id = CASE WHEN d.area_a_id = v.id THEN d.area_b_id ELSE d.area_a_id END
     WHERE v.id = ANY($1::bigint[])
     ORDER BY v.id, b.id, d.id`,
    [villageIds],
  );
  // A dispute over a stretch of boundary keeps each village's claimed line (migration 006):
  // both are drawn, the village's own claim first.
  const { rows: claims } = await db.query<{ village_id: number; geometry: MultiLineString; other: string; status: string; length_m: number; claim: 'own' | 'other' }>(
    `SELECT v.id AS village_id, ST_AsGeoJSON(ST_Multi(c.line), 7)::json AS geometry, o.name AS other, d.status,
            ST_Length(c.line::geography) AS length_m, c.claim
     FROM area v JOIN dispute d ON v.id IN (d.area_a_id, d.area_b_id) AND d.status <> 'resolved' AND d.line_a IS NOT NULL
     JOIN area o ON o.id = CASE WHEN d.area_a_id = v.id THEN d.area_b_id ELSE d.area_a_id END
     CROSS JOIN LATERAL (VALUES
       ('own', CASE WHEN d.area_a_id = v.id THEN d.line_a ELSE d.line_b END),
       ('other', CASE WHEN d.area_a_id = v.id THEN d.line_b ELSE d.line_a END)) AS c(claim, line)
     WHERE v.id = ANY($1::bigint[])
     ORDER BY v.id, d.id, c.claim DESC`,
    [villageIds],
  );
  const [n, m, d, l, c] = [groupBy(neighbours), groupBy(markers), groupBy(disputes), groupBy(lines), groupBy(claims)];
  return new Map(
    villageIds.map((id) => [
      id,
      {
        neighbourCodes: (n.get(id) ?? []).map((r) => r.code),
        markers: (m.get(id) ?? []).map(({ name, lon, lat }) => ({ name, lon, lat })),
        disputes: (d.get(id) ?? []).map(({ geometry, other, status, area_m2 }) => ({ geometry, other, status, area_m2 })),
        disputedLines: [
          ...(l.get(id) ?? []).map(({ geometry, other, status, length_m }) => ({ geometry, other, status, length_m, claim: null })),
          ...(c.get(id) ?? []).map(({ geometry, other, status, length_m, claim }) => ({ geometry, other, status, length_m, claim })),
        ],
      },
    ]),
  );
}

/** The areas with these codes, as printed. */
export async function printAreas(db: Queryable, codes: string[]): Promise<PrintArea[]> {
  if (codes.length === 0) return [];
  const { rows } = await db.query<PrintArea>(`SELECT ${PRINT_COLUMNS} FROM area a WHERE a.code = ANY($1::text[]) ORDER BY a.code`, [codes]);
  return rows;
}

/** The area's parents, nearest first. */
export async function printParents(db: Queryable, id: number): Promise<PrintArea[]> {
  const { rows } = await db.query<PrintArea>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT parent_id, 1 FROM area WHERE id = $1
       UNION ALL SELECT a.parent_id, up.depth + 1 FROM area a JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL)
     SELECT ${PRINT_COLUMNS} FROM up JOIN area a ON a.id = up.id ORDER BY up.depth`,
    [id],
  );
  return rows;
}

/** Everything a village map shows, gathered in a few indexed queries. */
export async function villageMapData(db: Queryable, key: string): Promise<Omit<VillageMapInput, 'printedAt' | 'paper' | 'orientation' | 'versionUrl'>> {
  const area = await requireArea(db, key);
  const { rows: [village] } = await db.query<PrintArea & { id: number }>(`SELECT a.id, ${PRINT_COLUMNS} FROM area a WHERE a.id = $1`, [area.id]);
  if (!village.geometry) {
    throw new UserError('NOT_ENOUGH_DATA', `${area.name} (${area.code}) has no boundary yet: derive or import it before printing its map.`);
  }
  const parts = (await sheetParts(db, [area.id])).get(area.id)!;
  const neighbours = await printAreas(db, parts.neighbourCodes);
  const parents = await printParents(db, area.id);
  const { rows: tracks } = await db.query<{ line: LineString }>(
    `SELECT ST_AsGeoJSON(geom, 6)::json AS line FROM track WHERE geom IS NOT NULL AND (area_id = $1 OR other_area_id = $1) ORDER BY id`,
    [area.id],
  );
  return {
    village,
    neighbours,
    parents,
    markers: parts.markers,
    tracks: tracks.map((t) => t.line),
    disputes: parts.disputes,
    disputedLines: parts.disputedLines,
  };
}
