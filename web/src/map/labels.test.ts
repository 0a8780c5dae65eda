import { describe, expect, it } from 'vitest';
import type { AreaSummary } from '../api/types.js';
import { HALO_PX, labelFeatures, labelImageId, labelLines, layoutLabel } from './labels.js';

const village = { name: 'Ban Nakham', name_local: 'ບ້ານນາຄຳ', level: 'ban' as const };

describe('label lines', () => {
  it('puts the romanised name over the Lao name', () => {
    const lines = labelLines(village);
    expect(lines.map((line) => line.text)).toEqual(['Ban Nakham', 'ບ້ານນາຄຳ']);
    expect(lines[1].font).toMatch(/^\S+ [\d.]+px "Noto Sans Lao"/);
  });

  it('writes districts in larger capitals than villages', () => {
    const [district] = labelLines({ ...village, name: 'Xieng Ngeun', level: 'district' });
    const [ban] = labelLines(village);
    expect(district.text).toBe('XIENG NGEUN');
    expect(district.size).toBeGreaterThan(ban.size);
  });

  it('skips a missing or repeated local name', () => {
    expect(labelLines({ ...village, name_local: '' })).toHaveLength(1);
    expect(labelLines({ ...village, name_local: 'Ban Nakham' })).toHaveLength(1);
  });
});

describe('label layout', () => {
  it('centres lines in a box that leaves room for the halo', () => {
    const lines = labelLines(village);
    const layout = layoutLabel(lines, (line) => (line.text === 'Ban Nakham' ? 60 : 40));
    expect(layout.width).toBe(60 + 2 * (HALO_PX + 1));
    expect(layout.lines[0].x).toBe(HALO_PX + 1);
    expect(layout.lines[1].x).toBe(HALO_PX + 1 + 10);
    expect(layout.lines[1].baseline).toBeGreaterThan(layout.lines[0].baseline + lines[0].size);
    expect(layout.height).toBeGreaterThan(layout.lines[1].baseline);
  });
});

describe('label features', () => {
  it('makes one point per area with a centre, naming its image', () => {
    const areas = [
      { code: 'A', level: 'ban', centre: { type: 'Point', coordinates: [102, 18] } },
      { code: 'B', level: 'ban', centre: null },
    ] as AreaSummary[];
    const collection = labelFeatures(areas);
    expect(collection.features).toHaveLength(1);
    expect(collection.features[0].properties).toEqual({ code: 'A', level: 'ban', image: labelImageId('A') });
  });
});
