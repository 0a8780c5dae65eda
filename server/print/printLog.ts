import type { Queryable } from '../db/database.js';
import { DESCENDANT_PAIRS } from '../areas/store.js';

/** What was printed: a single village map (PDF or PNG preview) or a sheet of an atlas. */
export type PrintKind = 'pdf' | 'png' | 'atlas';

/** One printed village sheet: the version of the village it shows. */
export interface PrintedSheet {
  code: string;
  version: number;
}

/** Records a single village map as printed. */
export async function recordMapPrint(db: Queryable, sheet: PrintedSheet, kind: 'pdf' | 'png', by: string | null): Promise<void> {
  await db.query(
    `INSERT INTO map_print (area_id, version, kind, printed_by) SELECT id, $2, $3, $4 FROM area WHERE code = $1`,
    [sheet.code, sheet.version, kind, by],
  );
}

/**
 * Records an atlas as printed: a row for the atlas area and one per village sheet in it, in one
 * statement, so an atlas either counts whole or not at all.
 */
export async function recordAtlasPrint(db: Queryable, atlas: PrintedSheet, sheets: PrintedSheet[], by: string | null): Promise<void> {
  const all = [atlas, ...sheets];
  await db.query(
    `WITH atlas AS (SELECT id FROM area WHERE code = $1)
     INSERT INTO map_print (area_id, version, kind, atlas_area_id, printed_by)
     SELECT a.id, p.version, 'atlas', atlas.id, $4
     FROM unnest($2::text[], $3::int[]) AS p(code, version) JOIN area a ON a.code = p.code, atlas`,
    [atlas.code, all.map((s) => s.code), all.map((s) => s.version), by],
  );
}

/** Printed maps of the villages under one area. */
export interface MapsPrinted {
  /** Villages with at least one printed map (single or atlas sheet) of their current version. */
  villages: number;
  /** Every village map and atlas sheet printed, whatever the version. */
  prints: number;
}

/**
 * Printed maps per area, for the progress view: for the area `rootId` and every area under it
 * down to the villages' parents (or the top-level areas and theirs when null), the villages
 * under it with a print of their current version and all prints of its villages. Same walk as
 * the progress query, so every node of the progress answer has an entry.
 */
export async function mapsPrintedByArea(db: Queryable, rootId: number | null): Promise<Map<number, MapsPrinted>> {
  const { rows } = await db.query<{ id: number; villages: number; prints: number }>(
    `${DESCENDANT_PAIRS},
     village_prints AS (
       SELECT v.id, count(mp.id)::int AS prints, bool_or(mp.version = v.version) AS current
       FROM area v JOIN map_print mp ON mp.area_id = v.id
       WHERE v.level = (SELECT key FROM leaf)
       GROUP BY v.id
     )
     SELECT p.ancestor AS id, count(*) FILTER (WHERE vp.current)::int AS villages, coalesce(sum(vp.prints), 0)::int AS prints
     FROM pairs p JOIN village_prints vp ON vp.id = p.id
     GROUP BY p.ancestor`,
    [rootId],
  );
  return new Map(rows.map((r) => [Number(r.id), { villages: r.villages, prints: r.prints }]));
}
