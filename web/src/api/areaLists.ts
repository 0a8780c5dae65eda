import type { ApiClient } from './client.js';
import type { AreaSummary, Level, LevelKey } from './types.js';

const DEFAULT_LEVELS: readonly LevelKey[] = ['province', 'district', 'kumban', 'ban'];

/** The levels, and every level's area list asked for at once; `lists[0]` is the top level's. */
export interface AreaLists {
  levels: Level[];
  lists: Promise<AreaSummary[]>[];
}

/**
 * Asks for the levels, then for every level's areas without waiting for any list. The page
 * calls it before it loads the map code, so the answers arrive while the browser is still
 * compiling MapLibre.
 */
export async function requestAreaLists(api: ApiClient): Promise<AreaLists> {
  const levels = await api.levels();
  const keys = levels.length ? levels.map((level) => level.key) : DEFAULT_LEVELS;
  const lists = keys.map((level) => api.areas({ level }));
  // Awaited one by one later: a failure is reported once by whoever awaits, not as unhandled too.
  for (const list of lists) list.catch(() => undefined);
  return { levels, lists };
}
