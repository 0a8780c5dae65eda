import { describe, expect, it } from 'vitest';
import { shapeProgress } from './progress.js';
import type { ProgressRow } from './store.js';

const area = (id: number, code: string, level: string, parent_id: number | null, own: number | null = null) =>
  ({ id, code, name: code, name_local: null, level, parent_id, own_area_m2: own });
const row = (a: ReturnType<typeof area>, status: string | null, villages: number, area_m2: number): ProgressRow => ({ ...a, status, villages, area_m2 });

// A district (1) of two kumbans: kumban 2 has two approved villages, kumban 3 one approved and one planned.
const district = area(1, 'D', 'district', null, 1000);
const k2 = area(2, 'K2', 'kumban', 1);
const k3 = area(3, 'K3', 'kumban', 1);
const rows: ProgressRow[] = [
  row(district, null, 0, 0), row(district, 'approved', 3, 300), row(district, 'planned', 1, 0),
  row(k2, null, 0, 0), row(k2, 'approved', 2, 200),
  row(k3, null, 0, 0), row(k3, 'approved', 1, 100), row(k3, 'planned', 1, 0),
];

describe('shapeProgress', () => {
  it('counts villages by status and shares the approved area of the area\'s own surface', () => {
    const p = shapeProgress(rows, 1, 2);
    expect(p.area?.code).toBe('D');
    expect(p.totals.villages).toBe(4);
    expect(p.totals.by_status).toEqual({ planned: 1, provisional: 0, surveyed: 0, disputed: 0, agreed: 0, approved: 3 });
    expect(p.totals.approved_share).toBeCloseTo(0.3, 9);
    expect(p.disputes_open).toBe(2);
  });

  it('calls a unit zoned when every one of its villages is approved', () => {
    const p = shapeProgress(rows, 1, 0);
    expect(p.children.map((c) => [c.code, c.zoned])).toEqual([['K2', true], ['K3', false]]);
    expect(p.zoned_by_level).toEqual([{ level: 'kumban', total: 2, zoned: 1 }]);
    // Without an own boundary the kumban's share is over its villages' surface.
    expect(p.children[1].approved_share).toBeCloseTo(1, 9);
  });

  it('sums the top-level areas when no area is asked for', () => {
    const p = shapeProgress(rows, null, 0);
    expect(p.area).toBeNull();
    expect(p.totals.villages).toBe(4);
    expect(p.children.map((c) => c.code)).toEqual(['D']);
  });

  it('carries the maps printed of each node, and sums them over the top-level areas', () => {
    const printed = new Map([[1, { villages: 3, prints: 5 }], [2, { villages: 2, prints: 4 }], [3, { villages: 1, prints: 1 }]]);
    const p = shapeProgress(rows, 1, 0, printed);
    expect(p.area?.maps_printed).toEqual({ villages: 3, prints: 5 });
    expect(p.children.map((c) => [c.code, c.maps_printed])).toEqual([['K2', { villages: 2, prints: 4 }], ['K3', { villages: 1, prints: 1 }]]);
    expect(shapeProgress(rows, null, 0, printed).totals.maps_printed).toEqual({ villages: 3, prints: 5 });
    expect(shapeProgress(rows, 1, 0).totals.maps_printed).toEqual({ villages: 0, prints: 0 });
  });
});
