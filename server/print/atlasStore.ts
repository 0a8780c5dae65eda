import type { Queryable } from '../db/database.js';
import { UserError } from '../errors.js';
import { requireArea } from '../areas/store.js';
import type { AtlasArea, AtlasContent } from './atlasModel.js';
import type { PrintArea } from './model.js';
import { PRINT_COLUMNS, printAreas, sheetParts } from './store.js';

/**
 * Everything an atlas prints, read before the first byte is sent so no database connection is
 * held while a slow client downloads: the area (one or two levels above the villages), its
 * parents, its groups (the kumbans of a district), every village in it, and the content of each
 * village sheet.
 */
export async function atlasData(db: Queryable, key: string): Promise<AtlasContent> {
  const root = await requireArea(db, key);
  const { rows: [levels] } = await db.query<{ own: number; bottom: number; bottom_key: string }>(
    `SELECT l.rank AS own, b.rank AS bottom, b.key AS bottom_key
     FROM admin_level l, (SELECT rank, key FROM admin_level ORDER BY rank DESC LIMIT 1) b WHERE l.key = $1`,
    [root.level],
  );
  const depth = levels.bottom - levels.own;
  if (depth !== 1 && depth !== 2) {
    throw new UserError(
      'WRONG_LEVEL',
      `An atlas is printed for an area one or two levels above the villages (a kumban or a district); ${root.code} is a ${root.level}.`,
      [{ area: root.code, level: root.level }],
    );
  }
  const { rows: [area] } = await db.query<AtlasArea>(`SELECT ${PRINT_COLUMNS}, NULL AS parent_code FROM area a WHERE a.id = $1`, [root.id]);
  const { rows: parents } = await db.query<AtlasArea>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT parent_id, 1 FROM area WHERE id = $1
       UNION ALL SELECT a.parent_id, up.depth + 1 FROM area a JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL)
     SELECT ${PRINT_COLUMNS}, NULL AS parent_code FROM up JOIN area a ON a.id = up.id ORDER BY up.depth`,
    [root.id],
  );
  // Children, and for a district the grandchildren: the villages are always the bottom level.
  const { rows: below } = await db.query<AtlasArea & { id: number; generation: number }>(
    `SELECT a.id, ${PRINT_COLUMNS}, p.code AS parent_code, CASE WHEN a.parent_id = $1 THEN 1 ELSE 2 END AS generation
     FROM area a JOIN area p ON p.id = a.parent_id
     WHERE a.parent_id = $1 OR p.parent_id = $1
     ORDER BY a.code`,
    [root.id],
  );
  const villages = below.filter((a) => a.level === levels.bottom_key);
  const groups = depth === 2 ? below.filter((a) => a.generation === 1) : [];
  return { area, parents, groups, villages, sheets: await atlasSheets(db, area, parents, groups, villages) };
}

/**
 * The sheet of each mapped village. Every area is read and parsed once and shared by the sheets
 * that show it (a village is also its neighbours' neighbour; the kumban and district are on every
 * sheet), so the atlas holds its areas once, not once per page they appear on. GPS tracks are
 * left out, as on a village map unless asked for.
 */
async function atlasSheets(
  db: Queryable,
  area: AtlasArea,
  parents: AtlasArea[],
  groups: AtlasArea[],
  villages: (AtlasArea & { id: number })[],
): Promise<AtlasContent['sheets']> {
  const mapped = villages.filter((v) => v.geometry);
  const parts = await sheetParts(db, mapped.map((v) => v.id));
  const byCode = new Map<string, PrintArea>([area, ...parents, ...groups, ...villages].map((a) => [a.code, a]));
  const outside = [...new Set([...parts.values()].flatMap((p) => p.neighbourCodes))].filter((code) => !byCode.has(code));
  for (const neighbour of await printAreas(db, outside)) byCode.set(neighbour.code, neighbour);
  return mapped.map((village) => {
    const { neighbourCodes, markers, disputes, disputedLines } = parts.get(village.id)!;
    const parent = village.parent_code === area.code ? null : byCode.get(village.parent_code ?? '');
    return {
      village,
      neighbours: neighbourCodes.flatMap((code) => byCode.get(code) ?? []),
      parents: parent ? [parent, area, ...parents] : [area, ...parents],
      markers,
      disputes,
      disputedLines,
    };
  });
}
