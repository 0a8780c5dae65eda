import { describe, expect, it } from 'vitest';
import { areaLabelCandidates, boxesOverlap, boxInside, placeLabels, pointLabelCandidates, type Box } from './labels.js';

const bounds: Box = { x: 0, y: 0, width: 200, height: 100 };

describe('placeLabels', () => {
  it('places crowded point labels without overlaps and inside the frame', () => {
    const points = [
      [20, 20],
      [26, 22],
      [30, 30],
      [190, 50],
      [100, 95],
      [104, 93],
    ];
    const requests = points.map(([x, y], key) => ({ key, candidates: pointLabelCandidates(x, y, 30, 8, 2) }));
    const placed = [...placeLabels(requests, [], bounds).values()];
    expect(placed.length).toBeGreaterThanOrEqual(4);
    for (const box of placed) expect(boxInside(box, bounds)).toBe(true);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) expect(boxesOverlap(placed[i], placed[j])).toBe(false);
    }
  });

  it('serves requests in order, so the first keeps its preferred place', () => {
    const first = { key: 'village', candidates: areaLabelCandidates(100, 50, 40, 10, 5) };
    const second = { key: 'neighbour', candidates: areaLabelCandidates(100, 50, 40, 10, 5) };
    const placed = placeLabels([first, second], [], bounds);
    expect(placed.get('village')).toEqual({ x: 80, y: 45, width: 40, height: 10 });
    expect(placed.get('neighbour')).not.toEqual(placed.get('village'));
  });

  it('leaves out a label with no free candidate instead of overprinting', () => {
    const obstacle: Box = { x: 0, y: 0, width: 200, height: 100 };
    const placed = placeLabels([{ key: 1, candidates: pointLabelCandidates(50, 50, 20, 6, 2) }], [obstacle], bounds);
    expect(placed.size).toBe(0);
  });
});

describe('boxes', () => {
  it('does not count touching edges as overlap', () => {
    expect(boxesOverlap({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 10, height: 10 })).toBe(false);
    expect(boxesOverlap({ x: 0, y: 0, width: 10, height: 10 }, { x: 9, y: 9, width: 10, height: 10 })).toBe(true);
  });
});
