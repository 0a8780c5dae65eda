import { describe, expect, it } from 'vitest';
import { AREA_STATUSES } from '../api/types.js';
import { STATUS_COLOURS } from './palette.js';
import { buildStyle, LAYERS, statusColourExpression } from './style.js';

describe('map style', () => {
  const style = buildStyle();

  it('needs nothing from any other host: no glyphs, sprites or remote sources', () => {
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(JSON.stringify(style)).not.toMatch(/https?:\/\//);
    for (const source of Object.values(style.sources)) expect(source.type).toBe('geojson');
  });

  it('uses no MapLibre text, so Lao labels come from canvas images', () => {
    for (const layer of style.layers) {
      expect(JSON.stringify(layer)).not.toContain('text-field');
    }
    const labels = style.layers.filter((layer) => layer.type === 'symbol');
    expect(labels.map((layer) => layer.id)).toEqual([LAYERS.villageLabels, LAYERS.kumbanLabels, LAYERS.districtLabels]);
  });

  it('gives every status its legend colour', () => {
    const expression = statusColourExpression() as unknown[];
    for (const status of AREA_STATUSES) {
      const index = expression.indexOf(status);
      expect(index).toBeGreaterThan(1);
      expect(expression[index + 1]).toBe(STATUS_COLOURS[status]);
    }
    expect(new Set(Object.values(STATUS_COLOURS)).size).toBe(AREA_STATUSES.length);
  });

  it('shows village labels only from zoom 9 and district labels only below it', () => {
    const village = style.layers.find((layer) => layer.id === LAYERS.villageLabels)!;
    const district = style.layers.find((layer) => layer.id === LAYERS.districtLabels)!;
    expect(village.minzoom).toBe(9);
    expect(district.maxzoom).toBe(9);
  });
});
