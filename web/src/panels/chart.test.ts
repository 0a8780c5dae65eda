import { describe, expect, it } from 'vitest';
import { chartHeight, statusBars } from './chart.js';

const layout = { width: 200, barHeight: 14, gap: 4 };

describe('statusBars', () => {
  it('scales bars to the largest count, one row per status in workflow order', () => {
    const bars = statusBars({ planned: 19, provisional: 14, surveyed: 10, disputed: 2, agreed: 12, approved: 38 }, layout);
    expect(bars.map((bar) => bar.status)).toEqual(['planned', 'provisional', 'surveyed', 'disputed', 'agreed', 'approved']);
    expect(bars[5].width).toBe(200);
    expect(bars[0].width).toBeCloseTo((19 / 38) * 200, 6);
    expect(bars.map((bar) => bar.y)).toEqual([0, 18, 36, 54, 72, 90]);
    expect(chartHeight(layout)).toBe(104);
  });

  it('keeps a tiny count visible and draws nothing for zero', () => {
    const bars = statusBars({ planned: 10_000, provisional: 1, surveyed: 0, disputed: 0, agreed: 0, approved: 0 }, layout);
    expect(bars[1].width).toBe(1);
    expect(bars[2].width).toBe(0);
  });

  it('draws no bar at all when there are no villages', () => {
    const bars = statusBars({ planned: 0, provisional: 0, surveyed: 0, disputed: 0, agreed: 0, approved: 0 }, layout);
    expect(bars.every((bar) => bar.width === 0)).toBe(true);
  });
});
