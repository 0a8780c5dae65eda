import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { requireArea, STATUSES, type AreaStatus } from '../areas/store.js';
import { mapsPrintedByArea, type MapsPrinted } from '../print/printLog.js';
import { errors } from '../schemas.js';
import { openDisputes, progressRows, type ProgressRow } from './store.js';

export type StatusCounts = Record<AreaStatus, number>;

/** How far the zoning of one area has come, counted over the villages under it. */
export interface AreaProgress {
  code: string;
  name: string;
  name_local: string | null;
  level: string;
  villages: number;
  by_status: StatusCounts;
  /** Summed area of the villages that have a boundary. */
  villages_area_m2: number;
  approved_area_m2: number;
  /** The area's own surface when it has a boundary of its own. */
  area_m2: number | null;
  /** Approved village surface over the area's own surface (or its villages' when it has none). */
  approved_share: number | null;
  /** Zoned: it has villages and every one of them has an approved boundary. */
  zoned: boolean;
  /** Village maps printed (singly or in an atlas): villages with a print of their current version, and all prints. */
  maps_printed: MapsPrinted;
}

/** The answer to `GET /api/progress`: the programme's question on one screen. */
export interface Progress {
  /** The area asked about; null for the whole dataset. */
  area: AreaProgress | null;
  totals: AreaProgress;
  /** The areas one level down, each with its own progress. */
  children: AreaProgress[];
  /** Per level between the area and its villages: how many units there are and how many are zoned. */
  zoned_by_level: { level: string; total: number; zoned: number }[];
  disputes_open: number;
}

function emptyCounts(): StatusCounts {
  return Object.fromEntries(STATUSES.map((status) => [status, 0])) as StatusCounts;
}

function finish(p: Omit<AreaProgress, 'approved_share' | 'zoned'>): AreaProgress {
  const base = p.area_m2 ?? (p.villages_area_m2 > 0 ? p.villages_area_m2 : null);
  return {
    ...p,
    approved_share: base ? Math.min(1, p.approved_area_m2 / base) : null,
    zoned: p.villages > 0 && p.by_status.approved === p.villages,
  };
}

/**
 * Folds the progress query's rows (one per area and village status) into the answer. Pure, so
 * the arithmetic (shares, zoned units) is tested without a database. `rootId` null sums the
 * top-level areas into the totals.
 */
export function shapeProgress(
  rows: readonly ProgressRow[],
  rootId: number | null,
  disputesOpen: number,
  printed: ReadonlyMap<number, MapsPrinted> = new Map(),
): Progress {
  const byId = new Map<number, { row: ProgressRow; progress: Omit<AreaProgress, 'approved_share' | 'zoned'> }>();
  for (const row of rows) {
    let entry = byId.get(row.id);
    if (!entry) {
      entry = {
        row,
        progress: {
          code: row.code, name: row.name, name_local: row.name_local, level: row.level, villages: 0,
          by_status: emptyCounts(), villages_area_m2: 0, approved_area_m2: 0, area_m2: row.own_area_m2,
          maps_printed: { ...(printed.get(Number(row.id)) ?? { villages: 0, prints: 0 }) },
        },
      };
      byId.set(row.id, entry);
    }
    if (row.status === null || !(row.status in entry.progress.by_status)) continue;
    const status = row.status as AreaStatus;
    entry.progress.by_status[status] += row.villages;
    entry.progress.villages += row.villages;
    entry.progress.villages_area_m2 += row.area_m2;
    if (status === 'approved') entry.progress.approved_area_m2 += row.area_m2;
  }
  const entries = [...byId.values()];
  const isTop = (row: ProgressRow) => (rootId === null ? row.parent_id === null : row.id === rootId);
  const tops = entries.filter((e) => isTop(e.row));
  const children = entries.filter((e) => (rootId === null ? e.row.parent_id === null : e.row.parent_id === rootId));
  const root = rootId === null ? null : (tops[0] ?? null);

  const totals = root
    ? finish(root.progress)
    : finish(tops.reduce((sum, { progress }) => {
        for (const status of STATUSES) sum.by_status[status] += progress.by_status[status];
        sum.villages += progress.villages;
        sum.villages_area_m2 += progress.villages_area_m2;
        sum.approved_area_m2 += progress.approved_area_m2;
        sum.area_m2 = progress.area_m2 === null || sum.area_m2 === null ? null : sum.area_m2 + progress.area_m2;
        sum.maps_printed.villages += progress.maps_printed.villages;
        sum.maps_printed.prints += progress.maps_printed.prints;
        return sum;
      }, { code: '*', name: 'All areas', name_local: null, level: '*', villages: 0, by_status: emptyCounts(),
        villages_area_m2: 0, approved_area_m2: 0, area_m2: tops.length ? 0 : null,
        maps_printed: { villages: 0, prints: 0 } } as Omit<AreaProgress, 'approved_share' | 'zoned'>));

  const levels = new Map<string, { level: string; total: number; zoned: number }>();
  for (const { row, progress } of entries) {
    if (root && row.id === root.row.id) continue;
    const done = finish(progress);
    const tally = levels.get(row.level) ?? { level: row.level, total: 0, zoned: 0 };
    tally.total += 1;
    if (done.zoned) tally.zoned += 1;
    levels.set(row.level, tally);
  }
  return {
    area: root ? finish(root.progress) : null,
    totals,
    children: children.map((e) => finish(e.progress)),
    zoned_by_level: [...levels.values()],
    disputes_open: disputesOpen,
  };
}

/** `GET /api/progress?area=CODE`: villages by status, approved share and zoned units. */
export async function progressRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/api/progress', {
    schema: {
      tags: ['areas'],
      summary: 'Zoning progress of an area (or of everything): villages by status, approved share, zoned units, maps printed',
      querystring: Type.Object({ area: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: Type.Any(), ...errors(400, 404) },
    },
  }, async (req) => {
    const { area } = req.query as { area?: string };
    const rootId = area ? (await requireArea(db.pool, area)).id : null;
    const [rows, disputes, printed] = [await progressRows(db.pool, rootId), await openDisputes(db.pool, rootId), await mapsPrintedByArea(db.pool, rootId)];
    return shapeProgress(rows, rootId, disputes, printed);
  });
}
