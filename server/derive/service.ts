import type { MultiPolygon, Position } from 'geojson';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import * as areas from '../areas/store.js';
import { perimeterPolygon, polygonMetrics, type PolygonMetrics } from './perimeter.js';

export type DeriveMethod = 'perimeter';

export interface DeriveRequest {
  method: DeriveMethod;
  tolerance_m?: number;
  commit?: boolean;
}

export interface DeriveResult {
  area: areas.Area;
  geometry: MultiPolygon;
  metrics: PolygonMetrics & { readings_used: number; method: DeriveMethod; tolerance_m: number; track_ids: number[] };
  committed: boolean;
}

const DEFAULT_TOLERANCE_M = 30;

/** The walked lines of an area's perimeter tracks, kept readings only. */
async function perimeterWalks(db: Database, areaId: number) {
  const { rows } = await db.pool.query<{ id: number; line: { coordinates: Position[] }; n: number }>(
    `SELECT id, ST_AsGeoJSON(geom)::json AS line, reading_count AS n FROM track
     WHERE area_id = $1 AND kind IN ('perimeter', 'line') AND geom IS NOT NULL ORDER BY started_at NULLS LAST, id`,
    [areaId],
  );
  return rows;
}

/**
 * Derive an area's polygon from its field data. Without `commit` it is a preview; with it the
 * polygon becomes a new version of the area, naming the tracks it came from.
 */
export async function deriveArea(db: Database, key: string, req: DeriveRequest, actor: string | null): Promise<DeriveResult> {
  const area = await areas.requireArea(db.pool, key);
  const tolerance = req.tolerance_m ?? DEFAULT_TOLERANCE_M;
  const walks = await perimeterWalks(db, area.id);
  if (walks.length === 0) {
    throw new UserError('NOT_ENOUGH_DATA', `No perimeter walk has been uploaded for ${area.name} (${area.code}): upload a GPS track with area=${area.code}.`);
  }
  const geometry = perimeterPolygon(walks.map((w) => w.line.coordinates), { closeGapM: Math.max(100, tolerance * 2) });
  const metrics = {
    ...polygonMetrics(geometry),
    readings_used: walks.reduce((n, w) => n + w.n, 0),
    method: req.method,
    tolerance_m: tolerance,
    track_ids: walks.map((w) => w.id),
  };
  if (!req.commit) return { area, geometry, metrics, committed: false };
  const updated = await withTransaction(db.pool, async (client) => {
    const current = await areas.lockForUpdate(client, area.id, null);
    const status = current.status === 'planned' || current.status === 'provisional' ? 'surveyed' : undefined;
    return areas.updateArea(client, current, { geometry, method: req.method, status }, {
      actor,
      reason: `derived by ${req.method}`,
      inputs: { method: req.method, tolerance_m: tolerance, track_ids: metrics.track_ids, readings_used: metrics.readings_used },
    });
  });
  return { area: updated, geometry, metrics, committed: true };
}
