import { describe, expect, it } from 'vitest';
import { HALO_PX, labelImageExpression, labelImageId, labelLines, labelTextOf, layoutLabel } from './labels.js';

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

describe('label image names', () => {
  it('carry the text to draw, Lao included, and nothing else is taken for a label', () => {
    for (const text of [village, { ...village, name_local: '' }, { name: 'Xieng Ngeun', name_local: 'ຊຽງເງິນ', level: 'district' as const }]) {
      expect(labelTextOf(labelImageId(text))).toEqual(text);
    }
    expect(labelImageId(village)).not.toBe(labelImageId({ ...village, level: 'kumban' }));
    expect(labelTextOf('hatch-overlap')).toBeNull();
    expect(labelTextOf('label:SK-01')).toBeNull();
  });

  it('are computed by the map from the same properties in the same order', () => {
    const expression = JSON.stringify(labelImageExpression());
    const [, level, name, local] = labelImageId(village).split('\u001f');
    expect([level, name, local]).toEqual(['ban', 'Ban Nakham', 'ບ້ານນາຄຳ']);
    expect(expression).toBe(JSON.stringify(['concat', 'label\u001f', ['get', 'level'], '\u001f', ['get', 'name'], '\u001f', ['coalesce', ['get', 'name_local'], '']]));
  });
});
