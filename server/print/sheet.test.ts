import { describe, expect, it } from 'vitest';
import { boxesOverlap } from './labels.js';
import { choosePage, sheetLayout } from './sheet.js';

describe('choosePage', () => {
  it('keeps a small village on A4 at a large scale', () => {
    const { layout, scale } = choosePage({ width: 1_200, height: 900 }, {}, 5);
    expect(layout.paper).toBe('A4');
    expect(scale.denominator).toBe(10_000);
  });

  it('prefers the orientation giving the larger scale, even against the village shape', () => {
    // 1,800 m just fits the 180 mm portrait frame at 1:10,000; the landscape frame is 179 mm.
    expect(choosePage({ width: 1_800, height: 700 }, {}, 5)).toMatchObject({
      layout: { orientation: 'portrait' },
      scale: { denominator: 10_000 },
    });
  });

  it('turns the sheet to match the village shape when both give the same scale', () => {
    expect(choosePage({ width: 2_400, height: 700 }, {}, 5).layout.orientation).toBe('landscape');
    expect(choosePage({ width: 700, height: 1_900 }, {}, 5).layout.orientation).toBe('portrait');
  });

  it('honours the paper and orientation asked for', () => {
    const { layout } = choosePage({ width: 1_800, height: 700 }, { paper: 'A3', orientation: 'portrait' }, 5);
    expect(layout).toMatchObject({ paper: 'A3', orientation: 'portrait' });
  });

  it('moves to A3 only when A4 cannot hold the village at a standard scale', () => {
    const { layout, scale } = choosePage({ width: 12_000, height: 9_000 }, {}, 5);
    expect(layout.paper).toBe('A3');
    expect(scale).toEqual({ denominator: 50_000, standard: true });
  });

  it('prints an area too large for A3 at 1:50,000 on A3 at the round scale that holds it', () => {
    const { layout, scale } = choosePage({ width: 22_000, height: 19_000 }, {}, 5);
    expect(layout.paper).toBe('A3');
    expect(scale).toEqual({ denominator: 100_000, standard: false });
  });
});

describe('sheetLayout', () => {
  it.each([
    ['A4', 'portrait'],
    ['A4', 'landscape'],
    ['A3', 'portrait'],
    ['A3', 'landscape'],
  ] as const)('%s %s: map, panels and signatures stay on the page and apart', (paper, orientation) => {
    const layout = sheetLayout(paper, orientation, 6);
    const page = { x: 0, y: 0, width: layout.page.width, height: layout.page.height };
    const rects = [layout.map, layout.signatures, ...layout.columns.map((c) => c.rect)];
    for (const r of rects) {
      expect(r.x).toBeGreaterThanOrEqual(page.x);
      expect(r.y + r.height).toBeLessThanOrEqual(page.height);
      expect(r.x + r.width).toBeLessThanOrEqual(page.width);
    }
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) expect(boxesOverlap(rects[i], rects[j])).toBe(false);
    }
  });

  it('adds a signature row when neighbours do not fit one', () => {
    const few = sheetLayout('A4', 'portrait', 5);
    const many = sheetLayout('A4', 'portrait', 12);
    expect(many.signatures.height).toBeGreaterThan(few.signatures.height);
    expect(many.map.height).toBeLessThan(few.map.height);
  });
});
