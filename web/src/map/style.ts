import type {
  ExpressionSpecification,
  GeoJSONSourceSpecification,
  SourceSpecification,
  StyleSpecification,
  VectorSourceSpecification,
} from 'maplibre-gl';
import { AREA_STATUSES } from '../api/types.js';
import { labelImageExpression } from './labels.js';
import { MAP_COLOURS, STATUS_COLOURS } from './palette.js';

/**
 * Sources of the map. The area levels and disputes are one vector tile source, the server's
 * `zoning` bundle (one request per tile for all four layers: a country's first view is 6 tile
 * requests, not 24); the rest are GeoJSON the view fills with `setData`.
 */
export const SOURCES = {
  zoning: 'zoning',
  selection: 'selection',
  compare: 'compare',
  tracks: 'tracks',
  dropped: 'dropped',
  preview: 'preview',
  uploadPreview: 'upload-preview',
  problems: 'problems',
} as const;

/** The sources served as vector tiles by `GET /tiles/:layer/:z/:x/:y.mvt` (the id is the URL's name). */
export const TILE_SOURCES = [SOURCES.zoning] as const;
export type TileSource = (typeof TILE_SOURCES)[number];

/** The layers inside a zoning tile (MVT layer names), one per area level plus disputes. */
export const ZONING_LAYERS = { villages: 'villages', kumbans: 'kumbans', districts: 'districts', disputes: 'disputes', labels: 'labels' } as const;

/** Deepest zoom the server makes tiles for; MapLibre overzooms beyond it. */
export const TILE_MAX_ZOOM = 16;

/** Layer ids, named so tests and click handlers can query them. */
export const LAYERS = {
  background: 'background',
  villageFill: 'villages-fill',
  villageOutline: 'villages-outline',
  kumbanOutline: 'kumbans-outline',
  districtCasing: 'districts-casing',
  districtOutline: 'districts-outline',
  disputedLand: 'disputes-land',
  disputedLine: 'disputes-line',
  selectionCasing: 'selection-casing',
  selectionOutline: 'selection-outline',
  previewOutline: 'preview-outline',
  problemsFill: 'problems-fill',
  problemsOutline: 'problems-outline',
  uploadRaw: 'upload-raw',
  uploadClean: 'upload-clean',
  uploadDropped: 'upload-dropped',
  uploadMarkers: 'upload-markers',
  compareFill: 'compare-fill',
  compareOutline: 'compare-outline',
  trackCasing: 'tracks-casing',
  trackLine: 'tracks-line',
  droppedReadings: 'dropped-readings',
  villageLabels: 'labels-villages',
  kumbanLabels: 'labels-kumbans',
  districtLabels: 'labels-districts',
} as const;

/**
 * Fill patterns the view draws into the map's images: diagonal hatching, one colour per kind of
 * topology problem, so gaps and contested land read as "not settled" over any status colour.
 */
export const PATTERNS = { overlap: 'hatch-overlap', gap: 'hatch-gap', other: 'hatch-other' } as const;

/**
 * Zoom from which village outlines are drawn as lines of their own. Further out a village is a
 * few pixels wide and the fill's own one-pixel outline separates them: line geometry for every
 * village of a country would cost the page seconds to build for no visible difference.
 */
export const VILLAGE_OUTLINE_MIN_ZOOM = 8;

/** Zoom at which village labels appear (and district labels give way to them). */
export const VILLAGE_LABEL_MIN_ZOOM = 9;

const EMPTY: GeoJSONSourceSpecification = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };

/** `match` on the status property, so every status of the contract gets its legend colour. */
export function statusColourExpression(): ExpressionSpecification {
  const pairs = AREA_STATUSES.flatMap((status) => [status, STATUS_COLOURS[status]]);
  return ['match', ['get', 'status'], ...pairs, '#ff00ff'] as unknown as ExpressionSpecification;
}

/** Line width that grows with zoom: thin when the whole province is in view, bolder close up. */
function widthByZoom(atZoom8: number, atZoom14: number): ExpressionSpecification {
  return ['interpolate', ['linear'], ['zoom'], 8, atZoom8, 14, atZoom14];
}

function labelLayer(id: string, level: string, minzoom: number, maxzoom: number) {
  return {
    id,
    type: 'symbol' as const,
    source: SOURCES.zoning,
    'source-layer': ZONING_LAYERS.labels,
    minzoom,
    maxzoom,
    filter: ['==', ['get', 'level'], level] as ExpressionSpecification,
    layout: {
      // Named after the text, drawn by the view when first placed (see labels.ts).
      'icon-image': labelImageExpression(),
      'icon-allow-overlap': false,
      'icon-ignore-placement': false,
      'icon-padding': 2,
    },
  };
}

/** A vector tile source from the Tessera server; `tileUrl` gives the URL template of a layer. */
function tileSource(url: string): VectorSourceSpecification {
  return { type: 'vector', tiles: [url], minzoom: 0, maxzoom: TILE_MAX_ZOOM };
}

function sourcesOf(tileUrl: (layer: TileSource) => string): Record<string, SourceSpecification> {
  const tiled = new Set<string>(TILE_SOURCES);
  return Object.fromEntries(
    Object.values(SOURCES).map((id) => [id, tiled.has(id) ? tileSource(tileUrl(id as TileSource)) : { ...EMPTY }]),
  );
}

/**
 * The whole map style, built in code: a plain background and our own layers, no basemap and no
 * glyphs or sprites, so the page makes no request to any host but its own server (field
 * offices are offline) and Lao labels come from canvas images rather than MapLibre's glyph
 * renderer. Areas come as vector tiles from `tileUrl`, so a country's villages stay smooth.
 * Layer order is drawing order; for labels the topmost layer is placed first, so districts win
 * collisions over kumbans, and kumbans over villages.
 */
export function buildStyle(tileUrl: (layer: TileSource) => string): StyleSpecification {
  return hideOverlays({
    version: 8,
    name: 'Tessera zoning',
    sources: sourcesOf(tileUrl),
    layers: [
      { id: LAYERS.background, type: 'background', paint: { 'background-color': MAP_COLOURS.background } },
      {
        id: LAYERS.villageFill,
        type: 'fill',
        source: SOURCES.zoning,
        'source-layer': ZONING_LAYERS.villages,
        paint: { 'fill-color': statusColourExpression(), 'fill-opacity': 0.78, 'fill-outline-color': MAP_COLOURS.villageOutline },
      },
      {
        id: LAYERS.villageOutline,
        type: 'line',
        source: SOURCES.zoning,
        'source-layer': ZONING_LAYERS.villages,
        minzoom: VILLAGE_OUTLINE_MIN_ZOOM,
        paint: { 'line-color': MAP_COLOURS.villageOutline, 'line-width': widthByZoom(0.6, 1.6) },
      },
      {
        id: LAYERS.kumbanOutline,
        type: 'line',
        source: SOURCES.zoning,
        'source-layer': ZONING_LAYERS.kumbans,
        layout: { 'line-join': 'round' },
        paint: {
          'line-color': MAP_COLOURS.kumbanOutline,
          'line-width': widthByZoom(1.2, 2.2),
          'line-dasharray': [3, 2],
        },
      },
      {
        id: LAYERS.districtCasing,
        type: 'line',
        source: SOURCES.zoning,
        'source-layer': ZONING_LAYERS.districts,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': MAP_COLOURS.districtCasing, 'line-width': widthByZoom(5, 8), 'line-opacity': 0.8 },
      },
      {
        id: LAYERS.districtOutline,
        type: 'line',
        source: SOURCES.zoning,
        'source-layer': ZONING_LAYERS.districts,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': MAP_COLOURS.districtOutline, 'line-width': widthByZoom(2.5, 4) },
      },
      {
        // Land still contested between two villages (open or negotiating disputes), hatched.
        id: LAYERS.disputedLand,
        type: 'fill',
        source: SOURCES.zoning,
        'source-layer': ZONING_LAYERS.disputes,
        filter: ['==', ['get', 'kind'], 'area'],
        paint: { 'fill-pattern': PATTERNS.overlap },
      },
      {
        // Boundary lines the two chiefs do not agree on.
        id: LAYERS.disputedLine,
        type: 'line',
        source: SOURCES.zoning,
        'source-layer': ZONING_LAYERS.disputes,
        layout: { 'line-join': 'round' },
        paint: {
          'line-color': MAP_COLOURS.overlap,
          // Zoom must be the outermost expression; the kind picks the width inside each stop.
          'line-width': ['interpolate', ['linear'], ['zoom'], 8, ['match', ['get', 'kind'], 'boundary', 2, 1], 14, ['match', ['get', 'kind'], 'boundary', 3.5, 1.5]],
          'line-dasharray': [2, 1],
        },
      },
      {
        id: LAYERS.compareFill,
        type: 'fill',
        source: SOURCES.compare,
        paint: { 'fill-color': MAP_COLOURS.compare, 'fill-opacity': 0.18 },
      },
      {
        id: LAYERS.compareOutline,
        type: 'line',
        source: SOURCES.compare,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': MAP_COLOURS.compare, 'line-width': 2.5, 'line-dasharray': [1, 1] },
      },
      {
        id: LAYERS.selectionCasing,
        type: 'line',
        source: SOURCES.selection,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': MAP_COLOURS.selectionCasing, 'line-width': 7, 'line-opacity': 0.9 },
      },
      {
        id: LAYERS.selectionOutline,
        type: 'line',
        source: SOURCES.selection,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': MAP_COLOURS.selection, 'line-width': 3.5 },
      },
      {
        id: LAYERS.trackCasing,
        type: 'line',
        source: SOURCES.tracks,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': MAP_COLOURS.trackCasing, 'line-width': 4.5 },
      },
      {
        id: LAYERS.trackLine,
        type: 'line',
        source: SOURCES.tracks,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': MAP_COLOURS.track, 'line-width': 2 },
      },
      {
        id: LAYERS.droppedReadings,
        type: 'circle',
        source: SOURCES.dropped,
        // Hollow red rings: what the cleaner threw away stays visible but never reads as the walk.
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2.5, 16, 5],
          'circle-color': 'rgba(0,0,0,0)',
          'circle-stroke-color': MAP_COLOURS.dropped,
          'circle-stroke-width': 1.5,
        },
      },
      {
        id: LAYERS.problemsFill,
        type: 'fill',
        source: SOURCES.problems,
        paint: {
          'fill-pattern': ['match', ['get', 'kind'], 'gap', PATTERNS.gap, 'overlap', PATTERNS.overlap, 'dispute', PATTERNS.overlap, PATTERNS.other],
          // A gap can be a whole kumban nobody has mapped yet: the hatching must not drown the map.
          'fill-opacity': 0.6,
        },
      },
      {
        id: LAYERS.problemsOutline,
        type: 'line',
        source: SOURCES.problems,
        paint: {
          'line-color': ['match', ['get', 'kind'], 'gap', MAP_COLOURS.gap, MAP_COLOURS.overlap],
          'line-width': 1.5,
        },
      },
      {
        id: LAYERS.uploadRaw,
        type: 'line',
        source: SOURCES.uploadPreview,
        filter: ['==', ['get', 'kind'], 'track_raw'],
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': MAP_COLOURS.uploadRaw, 'line-width': 3, 'line-dasharray': [1.5, 1.5] },
      },
      {
        id: LAYERS.uploadClean,
        type: 'line',
        source: SOURCES.uploadPreview,
        filter: ['==', ['get', 'kind'], 'track_clean'],
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': MAP_COLOURS.track, 'line-width': 2 },
      },
      {
        id: LAYERS.uploadDropped,
        type: 'circle',
        source: SOURCES.uploadPreview,
        filter: ['==', ['get', 'kind'], 'dropped'],
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2.5, 16, 5],
          'circle-color': 'rgba(0,0,0,0)',
          'circle-stroke-color': MAP_COLOURS.dropped,
          'circle-stroke-width': 1.5,
        },
      },
      {
        id: LAYERS.uploadMarkers,
        type: 'circle',
        source: SOURCES.uploadPreview,
        filter: ['==', ['get', 'kind'], 'marker'],
        paint: { 'circle-radius': 4, 'circle-color': MAP_COLOURS.marker, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 },
      },
      {
        id: LAYERS.previewOutline,
        type: 'line',
        source: SOURCES.preview,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': MAP_COLOURS.preview, 'line-width': 3, 'line-dasharray': [2, 1.5] },
      },
      labelLayer(LAYERS.villageLabels, 'ban', VILLAGE_LABEL_MIN_ZOOM, 24),
      labelLayer(LAYERS.kumbanLabels, 'kumban', 7.5, 11),
      labelLayer(LAYERS.districtLabels, 'district', 0, VILLAGE_LABEL_MIN_ZOOM),
    ],
  });
}

/**
 * The layers drawing a GeoJSON source start hidden: those sources start empty, and the view
 * shows a source's layers once it has data (see `AreaMap.setOverlay` for why).
 */
function hideOverlays(style: StyleSpecification): StyleSpecification {
  const tiled = new Set<string>(TILE_SOURCES);
  for (const layer of style.layers) {
    if (!('source' in layer) || tiled.has(layer.source)) continue;
    layer.layout = { ...layer.layout, visibility: 'none' } as typeof layer.layout;
  }
  return style;
}

/** Ids of the style's layers that draw a source. */
export function layersOfSource(style: StyleSpecification, source: string): string[] {
  return style.layers.filter((layer) => 'source' in layer && layer.source === source).map((layer) => layer.id);
}
