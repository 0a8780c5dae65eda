import { AREA_STATUSES, type AreaStatus } from '../api/types.js';

/** One bar of the status chart, in SVG user units. */
export interface StatusBar {
  status: AreaStatus;
  count: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarLayout {
  /** Width available to the longest bar. */
  width: number;
  barHeight: number;
  gap: number;
}

/**
 * Horizontal bars, one per status in workflow order, the longest spanning the full width so
 * small differences stay visible; a status with villages never shrinks below one unit, so it
 * does not vanish next to a large one. Pure, so the scaling is tested without a browser.
 */
export function statusBars(counts: Readonly<Record<AreaStatus, number>>, layout: BarLayout): StatusBar[] {
  const largest = Math.max(0, ...AREA_STATUSES.map((status) => counts[status] ?? 0));
  return AREA_STATUSES.map((status, index) => {
    const count = counts[status] ?? 0;
    const scaled = largest === 0 ? 0 : (count / largest) * layout.width;
    return {
      status,
      count,
      x: 0,
      y: index * (layout.barHeight + layout.gap),
      width: count > 0 ? Math.max(1, scaled) : 0,
      height: layout.barHeight,
    };
  });
}

/** Height of the whole chart for `statusBars` with this layout. */
export function chartHeight(layout: BarLayout): number {
  return AREA_STATUSES.length * (layout.barHeight + layout.gap) - layout.gap;
}
