import type { ApiClient } from './client.js';
import type { AreaSummary, Level, LevelKey } from './types.js';

const DEFAULT_LEVELS: readonly LevelKey[] = ['province', 'district', 'kumban', 'ban'];
/** The most areas the list endpoint gives in one answer. */
const MAX_LIST = 5000;

/**
 * The levels, and the area list of every level above the villages (`lists[0]` is the top
 * level's); `leaf` is the villages' level, whose areas are asked for by parent when needed.
 */
export interface AreaLists {
  levels: Level[];
  lists: Promise<AreaSummary[]>[];
  leaf: LevelKey;
}

/**
 * Asks for the levels, then for the areas of every level above the villages without waiting
 * for any list. A country's villages (10,000) are not asked for: the tree loads a kumban's
 * villages when it is opened, search asks the server, and the map's labels come with the
 * tiles. The page calls it before it loads the map code, so the answers arrive while the
 * browser is still compiling MapLibre.
 */
export async function requestAreaLists(api: ApiClient): Promise<AreaLists> {
  const levels = await api.levels();
  const keys = levels.length ? levels.map((level) => level.key) : DEFAULT_LEVELS;
  const leaf = keys[keys.length - 1];
  // A hierarchy of villages alone still lists them: there is nothing else to show.
  const listed = keys.length > 1 ? keys.slice(0, -1) : keys;
  // The server lists 1,000 areas unless asked for more: Cambodia has some 1,650 communes.
  const lists = listed.map((level) => api.areas({ level, limit: MAX_LIST }));
  // Awaited one by one later: a failure is reported once by whoever awaits, not as unhandled too.
  for (const list of lists) list.catch(() => undefined);
  return { levels, lists, leaf };
}
