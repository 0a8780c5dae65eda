import { describe, expect, it } from 'vitest';
import { AREA_STATUSES } from '../api/types.js';
import { STATUS_COLOURS } from './palette.js';
import { buildStyle, LAYERS, layersOfSource, SOURCES, statusColourExpression, TILE_SOURCES, ZONING_LAYERS } from './style.js';

describe('map style', () => {
  const style = buildStyle((layer) => `http://127.0.0.1:3000/tiles/${layer}/{z}/{x}/{y}.mvt`);

  it('needs nothing from any other host: no glyphs or sprites, tiles only from the server given', () => {
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    const urls = JSON.stringify(style).match(/https?:\/\/[^"]+/g) ?? [];
    expect(urls).toHaveLength(TILE_SOURCES.length);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/tiles\//);
    for (const [id, source] of Object.entries(style.sources)) {
      expect(source.type).toBe((TILE_SOURCES as readonly string[]).includes(id) ? 'vector' : 'geojson');
    }
  });

  it('draws every area level and the disputes from their layers of the one zoning tile source', () => {
    expect(TILE_SOURCES).toEqual(['zoning']);
    const tiled = style.layers.filter((layer) => 'source' in layer && (TILE_SOURCES as readonly string[]).includes(layer.source));
    const sourceLayers = tiled.map((layer) => (layer as { 'source-layer'?: string })['source-layer']);
    expect(new Set(sourceLayers)).toEqual(new Set(Object.values(ZONING_LAYERS)));
  });

  it('starts the layers of the GeoJSON sources hidden (they start empty) and the zoning layers shown', () => {
    for (const layer of style.layers) {
      if (!('source' in layer)) continue;
      const hidden = (layer.layout as { visibility?: string } | undefined)?.visibility === 'none';
      expect(hidden, layer.id).toBe(layer.source !== SOURCES.zoning);
    }
    expect(layersOfSource(style, SOURCES.selection)).toEqual([LAYERS.selectionCasing, LAYERS.selectionOutline]);
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
