import { describe, expect, it } from 'vitest';
import { droppedByReason, droppedTotal, trackList } from './report.js';

describe('upload report', () => {
  it('orders drop reasons by count and leaves out empty ones', () => {
    expect(droppedByReason({ hdop: 3, speed: 40, duplicate: 0, no_fix: 3 })).toEqual([
      ['speed', 40],
      ['hdop', 3],
      ['no_fix', 3],
    ]);
  });

  it('adds up dropped readings', () => {
    expect(droppedTotal({ hdop: 3, speed: 40 })).toBe(43);
    expect(droppedTotal({})).toBe(0);
  });
});

describe('trackList', () => {
  it('accepts a bare count or the listed tracks', () => {
    expect(trackList(3)).toEqual({ count: 3, tracks: [] });
    const track = { id: 1, name: 'walk', kind: 'perimeter', area_code: 'SK-01', other_area_code: null, kept: 10, dropped: 0 };
    expect(trackList([track])).toEqual({ count: 1, tracks: [track] });
  });
});
