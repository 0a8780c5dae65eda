import type pg from 'pg';
import { withTransaction, type Queryable } from '../db/database.js';
import { UserError } from '../errors.js';
import { requireArea } from '../areas/store.js';
import type { ExportArea, ExportData, ExportMarker } from './model.js';

/** What to export below an area. */
export interface ExportSelection {
  /** A level key: the area's descendants at that level (with or without a boundary). */
  level?: string;
  /** Over this many vertices the export is refused rather than built in memory. */
  maxVertices?: number;
}

/** Two million vertices is far beyond a province (the Sekong demo has about 30,000). */
export const DEFAULT_MAX_VERTICES = 2_000_000;

// The area's subtree, then the chosen rows of it: with no level, every area of the subtree that
// has a boundary (the area itself included); with a level, every area of the subtree at that
// level. $1 = root id, $2 = level key or NULL.
const SELECTED = `
  WITH RECURSIVE tree(id) AS (
    SELECT id FROM area WHERE id = $1
    UNION ALL SELECT a.id FROM area a JOIN tree t ON a.parent_id = t.id)
  , selected AS (
    SELECT a.* FROM tree JOIN area a ON a.id = tree.id
    WHERE CASE WHEN $2::text IS NULL THEN a.geom IS NOT NULL ELSE a.level = $2::text END)`;

/**
 * Runs `work` in a read-only REPEATABLE READ transaction: every query sees the same snapshot,
 * so a village edited during an export is either wholly in it or wholly not.
 */
export function withSnapshot<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return work(client);
  });
}

/** Refuses a level that does not exist or lies above the area (a village has no districts). */
async function checkLevel(db: Queryable, rootLevel: string, rootCode: string, level: string): Promise<void> {
  const { rows } = await db.query<{ key: string; rank: number; root_rank: number }>(
    'SELECT l.key, l.rank, r.rank AS root_rank FROM admin_level l, admin_level r WHERE r.key = $2 AND l.key = $1',
    [level, rootLevel],
  );
  if (!rows[0]) {
    const { rows: all } = await db.query<{ key: string }>('SELECT key FROM admin_level ORDER BY rank');
    throw new UserError('WRONG_LEVEL', `Unknown level '${level}': the levels are ${all.map((l) => l.key).join(', ')}.`, [{ level }]);
  }
  if (rows[0].rank < rows[0].root_rank) {
    throw new UserError('WRONG_LEVEL', `${rootCode} is a ${rootLevel}: it has no ${level} below it to export.`, [{ level, area: rootCode }]);
  }
}

/**
 * Everything an export writes about an area and what lies below it, read from one snapshot:
 * the selected areas (RFC 7946 winding, 7 decimals, stored measures), their boundary markers
 * and the level labels. Throws EXPORT_TOO_LARGE before reading geometry it could not hold.
 */
export async function exportData(db: Queryable, key: string, selection: ExportSelection = {}): Promise<ExportData> {
  const root = await requireArea(db, key);
  const level = selection.level ?? null;
  if (level) await checkLevel(db, root.level, root.code, level);
  const maxVertices = selection.maxVertices ?? DEFAULT_MAX_VERTICES;
  const { rows: [size] } = await db.query<{ areas: number; vertices: number }>(
    `${SELECTED} SELECT count(*) AS areas, coalesce(sum(ST_NPoints(geom)), 0) AS vertices FROM selected`,
    [root.id, level],
  );
  if (size.vertices > maxVertices) {
    throw new UserError(
      'EXPORT_TOO_LARGE',
      `The export of ${root.code} would hold ${size.vertices} vertices in ${size.areas} areas, over the limit of ${maxVertices}: export a smaller area or one level at a time.`,
      [{ areas: size.areas, vertices: size.vertices, limit: maxVertices }],
    );
  }
  const { rows: areas } = await db.query<ExportArea & { id: number }>(
    `${SELECTED}
     SELECT s.id, s.code, s.name, s.name_local, s.level, p.code AS parent_code, s.status, s.version, s.area_m2, s.perimeter_m,
            s.population, s.households, to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at,
            ST_AsGeoJSON(ST_ForcePolygonCCW(s.geom), 7)::json AS geometry, ST_AsGeoJSON(s.centre, 7)::json AS centre
     FROM selected s JOIN admin_level l ON l.key = s.level LEFT JOIN area p ON p.id = s.parent_id
     ORDER BY l.rank, s.code`,
    [root.id, level],
  );
  // Markers belong to an exported area, or stand on or within 60 m of one (the print map's rule);
  // the && prefilter lets the GiST index find candidates before the geodesic distance test.
  const { rows: markers } = await db.query<ExportMarker>(
    `SELECT coalesce(m.name, 'marker ' || m.id) AS name, m.description, o.code AS area_code,
            ST_X(m.geom) AS lon, ST_Y(m.geom) AS lat, m.elevation
     FROM marker m LEFT JOIN area o ON o.id = m.area_id
     WHERE m.area_id = ANY($1::bigint[])
        OR EXISTS (SELECT 1 FROM area s WHERE s.id = ANY($1::bigint[]) AND s.geom IS NOT NULL
                   AND m.geom && ST_Expand(s.geom, 0.001) AND ST_DWithin(m.geom::geography, s.geom::geography, 60))
     ORDER BY 1, m.id`,
    [areas.map((a) => a.id)],
  );
  const { rows: levels } = await db.query<{ key: string; label: string }>('SELECT key, label FROM admin_level ORDER BY rank');
  return {
    root: { code: root.code, name: root.name, name_local: root.name_local, level: root.level },
    areas: areas.map(({ id: _id, ...area }) => area),
    markers,
    levelLabels: Object.fromEntries(levels.map((l) => [l.key, l.label])),
    exportedAt: new Date(),
  };
}
