import type { LineString, MultiPolygon } from 'geojson';
import type { Queryable } from '../db/database.js';
import { UserError } from '../errors.js';
import { requireArea } from '../areas/store.js';
import type { PrintArea, VillageMapInput } from './villageMap.js';

export const PRINT_COLUMNS = `a.code, a.name, a.name_local, a.level, a.status, a.version, a.area_m2, a.perimeter_m, a.method,
  to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at, a.population, a.households,
  ST_AsGeoJSON(a.geom, 7)::json AS geometry, ST_AsGeoJSON(a.centre, 7)::json AS centre`;

/** Everything a village map shows, gathered in a few indexed queries. */
export async function villageMapData(db: Queryable, key: string): Promise<Omit<VillageMapInput, 'printedAt' | 'paper' | 'orientation' | 'versionUrl'>> {
  const area = await requireArea(db, key);
  const { rows: [village] } = await db.query<PrintArea & { id: number }>(`SELECT a.id, ${PRINT_COLUMNS} FROM area a WHERE a.id = $1`, [area.id]);
  if (!village.geometry) {
    throw new UserError('NOT_ENOUGH_DATA', `${area.name} (${area.code}) has no boundary yet: derive or import it before printing its map.`);
  }
  // Neighbours: areas of the same level within 50 m, so a sliver gap still counts as a shared line.
  const { rows: neighbours } = await db.query<PrintArea>(
    `SELECT ${PRINT_COLUMNS} FROM area a, area v
     WHERE v.id = $1 AND a.id <> v.id AND a.level = v.level AND a.geom IS NOT NULL
       AND ST_DWithin(a.geom::geography, v.geom::geography, 50)
     ORDER BY a.code`,
    [area.id],
  );
  const { rows: parents } = await db.query<PrintArea>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT parent_id, 1 FROM area WHERE id = $1
       UNION ALL SELECT a.parent_id, up.depth + 1 FROM area a JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL)
     SELECT ${PRINT_COLUMNS} FROM up JOIN area a ON a.id = up.id ORDER BY up.depth`,
    [area.id],
  );
  const { rows: markers } = await db.query<{ name: string; lon: number; lat: number }>(
    `SELECT coalesce(m.name, 'marker ' || m.id) AS name, ST_X(m.geom) AS lon, ST_Y(m.geom) AS lat
     FROM marker m, area v WHERE v.id = $1 AND ST_DWithin(m.geom::geography, ST_Boundary(v.geom)::geography, 60)
     ORDER BY m.name, m.id`,
    [area.id],
  );
  const { rows: tracks } = await db.query<{ line: LineString }>(
    `SELECT ST_AsGeoJSON(geom, 6)::json AS line FROM track WHERE geom IS NOT NULL AND (area_id = $1 OR other_area_id = $1) ORDER BY id`,
    [area.id],
  );
  const { rows: disputes } = await db.query<{ geometry: MultiPolygon; other: string; status: string }>(
    `SELECT ST_AsGeoJSON(d.geom, 7)::json AS geometry, o.name AS other, d.status
     FROM dispute d JOIN area o ON o.id = CASE WHEN d.area_a_id = $1 THEN d.area_b_id ELSE d.area_a_id END
     WHERE (d.area_a_id = $1 OR d.area_b_id = $1) AND d.geom IS NOT NULL AND d.status <> 'resolved'`,
    [area.id],
  );
  return { village, neighbours, parents, markers, tracks: tracks.map((t) => t.line), disputes };
}
