import type pg from 'pg';
import * as areas from '../areas/store.js';
import { overlappingPairs } from '../topology/store.js';
import { markDisputed } from './service.js';
import * as store from './store.js';

export interface OverlapDisputes {
  /** Disputes opened now, one per overlapping pair without an unresolved dispute. */
  opened: { id: number; area_a: string; area_b: string; area_m2: number }[];
  /** Overlapping pairs left alone because a dispute between them is still open or negotiating. */
  already_open: { id: number; area_a: string; area_b: string }[];
}

/**
 * Open a dispute for every pair of siblings under `parentId` whose polygons overlap by at least
 * `minM2`, unless the pair already has an unresolved dispute: running it twice opens nothing
 * the second time. Both villages are marked disputed. Runs in the caller's transaction (the
 * derive service calls it right after committing perimeter-derived villages).
 */
export async function openOverlapDisputes(client: pg.PoolClient, parentId: number, options: { minM2: number }, actor: string | null): Promise<OverlapDisputes> {
  const pairs = await overlappingPairs(client, parentId, options.minM2);
  const result: OverlapDisputes = { opened: [], already_open: [] };
  for (const pair of pairs) {
    const existing = await store.unresolvedBetween(client, pair.a_id, pair.b_id);
    if (existing !== null) {
      result.already_open.push({ id: existing, area_a: pair.a, area_b: pair.b });
      continue;
    }
    const note = { date: new Date().toISOString().slice(0, 10), attendees: [], outcome: `Opened from the topology check: the polygons overlap by ${Math.round(pair.area_m2)} m².`, by: actor };
    const id = await store.insertDispute(client, pair.a_id, pair.b_id, pair.geometry, pair.area_m2, note);
    for (const areaId of [pair.a_id, pair.b_id]) await markDisputed(client, (await areas.getArea(client, areaId))!, actor, id);
    result.opened.push({ id, area_a: pair.a, area_b: pair.b, area_m2: pair.area_m2 });
  }
  return result;
}
