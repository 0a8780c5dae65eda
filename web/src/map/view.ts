import * as maplibregl from 'maplibre-gl';
import type { StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';
import type { ReadingCollection, TrackCollection, UploadResult } from '../api/types.js';
import type { Bounds } from './bounds.js';
import type { MapView as HashView } from './hash.js';
import { labelLines, labelTextOf, renderLabel } from './labels.js';
import { MAP_COLOURS } from './palette.js';
import { hatchPattern } from './patterns.js';
import { skipUndefinedSky } from './sky.js';
import { buildStyle, LAYERS, layersOfSource, PATTERNS, SOURCES, TILE_SOURCES, type TileSource } from './style.js';

// In a bundle MapLibre cannot find its worker next to itself; point it at the copy Vite emits.
maplibregl.setWorkerUrl(workerUrl);

/**
 * Starts MapLibre's tile workers before there is a map, so they load while the page still
 * waits for its first answers. As many as MapLibre chooses (half the cores): on a two-core
 * office computer that is one. Each worker compiles MapLibre's 520 KB worker script for
 * itself, which costs more than parsing the country's first tiles (BENCHMARKS.md, "Web and
 * tiles"); a second worker on two cores was another compile competing with the page for the
 * same cores, and the first render was faster and used less CPU without it.
 */
export function prewarmMap(): void {
  maplibregl.prewarm();
}

/** URL template of a tile layer at a data version (changing it makes MapLibre fetch anew). */
export type TileUrl = (layer: TileSource, version: string) => string;

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

function collectionOf(geometry: Geometry | null): FeatureCollection {
  const features: Feature[] = geometry ? [{ type: 'Feature', geometry, properties: {} }] : [];
  return { type: 'FeatureCollection', features };
}

/**
 * The map of areas. Owns the MapLibre instance and keeps its sources in step with what the page
 * knows (selection, tracks, dropped readings, a compared version, derive preview); the area
 * polygons themselves stream in as vector tiles. Panels talk to it, never to MapLibre directly.
 */
export class AreaMap {
  readonly map: maplibregl.Map;
  private readonly loaded: Promise<void>;
  private readonly style: StyleSpecification;
  /** GeoJSON sources holding features now, so their layers are shown. */
  private readonly filledOverlays = new Set<string>();

  constructor(
    container: HTMLElement,
    view: HashView | null,
    fallbackBounds: Bounds | null,
    private readonly tileUrl: TileUrl,
    /** Settles once the label fonts are in: labels are baked into images, so not before. */
    private readonly fontsReady: Promise<void> = Promise.resolve(),
  ) {
    this.style = buildStyle((layer) => tileUrl(layer, '0'));
    this.map = new maplibregl.Map({
      container,
      style: this.style,
      center: view ? [view.lon, view.lat] : [102.6, 18.0],
      zoom: view ? view.zoom : 6,
      attributionControl: false,
      maxPitch: 0,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      // Keeps the drawing buffer so screenshots and print-screen show the map.
      canvasContextAttributes: { preserveDrawingBuffer: true },
      // Labels appear at once rather than fading in: a fade is a run of extra frames, each of
      // which costs a software-drawn map (no GPU) a few hundred milliseconds.
      fadeDuration: 0,
    });
    skipUndefinedSky(this.map);
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
    // The style, not the first complete render ('load', which waits for every tile): the page
    // hands over its labels and overlays while the tiles are still on their way.
    this.loaded = new Promise((resolve) => this.map.once('style.load', () => resolve()));
    // A resolver, not a `styleimagemissing` listener: since MapLibre 6 the event only reports
    // an image that stayed missing, and an image added from it is not used for that placement.
    this.map.setMissingStyleImageResolver(async (id) => {
      await this.fontsReady;
      this.drawLabel(id);
    });
    this.map.once('style.load', () => {
      this.map.addImage(PATTERNS.overlap, hatchPattern(MAP_COLOURS.overlap));
      this.map.addImage(PATTERNS.gap, hatchPattern(MAP_COLOURS.gap));
      this.map.addImage(PATTERNS.other, hatchPattern(MAP_COLOURS.otherProblem));
    });
    if (!view && fallbackBounds) this.fitBounds(fallbackBounds, false);
  }

  /** Resolves once the style is ready for data (before its tiles are all in). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Fetches every area tile anew after an edit; `version` only has to differ from the last one. */
  refreshTiles(version: string): void {
    for (const id of TILE_SOURCES) {
      this.map.getSource<maplibregl.VectorTileSource>(id)?.setTiles([this.tileUrl(id, version)]);
    }
  }

  /**
   * Draws a label MapLibre is about to place, with the browser's own text engine (Lao shaped);
   * other missing images are not ours to make. Label points come in the zoning tiles, so a
   * country of 10,000 villages costs the labels in view, not 10,000 canvases up front.
   */
  private drawLabel(id: string): void {
    const text = labelTextOf(id);
    if (!text || this.map.hasImage(id)) return;
    const pixelRatio = Math.max(1, Math.min(window.devicePixelRatio || 1, 3));
    this.map.addImage(id, renderLabel(labelLines(text), pixelRatio), { pixelRatio });
  }

  /** Outlines the selected area (or clears the outline with `null`). */
  setSelection(geometry: Geometry | null): void {
    this.setOverlay(SOURCES.selection, collectionOf(geometry));
  }

  /** Overlays a past version of the selected area, to compare with the current outline. */
  setCompare(geometry: Geometry | null): void {
    this.setOverlay(SOURCES.compare, collectionOf(geometry));
  }

  /** Marks the readings the cleaner dropped from the selected village's walks. */
  setDroppedReadings(readings: ReadingCollection | null): void {
    this.setOverlay(SOURCES.dropped, (readings ?? EMPTY) as FeatureCollection);
  }

  /** Shows the GPS tracks of the selected village. */
  setTracks(tracks: TrackCollection | null): void {
    this.setOverlay(SOURCES.tracks, (tracks ?? EMPTY) as FeatureCollection);
  }

  /** Shows derived, not yet committed boundaries as dashed outlines. */
  setPreview(features: FeatureCollection | null): void {
    this.setOverlay(SOURCES.preview, features ?? EMPTY);
  }

  /** Draws a dry run's walks as read and as kept, dropped readings and waypoints (or clears them). */
  setUploadPreview(result: UploadResult | null): void {
    this.setOverlay(SOURCES.uploadPreview, (result?.preview ?? EMPTY) as FeatureCollection);
  }

  /** Hatches topology problems and contested land (overlaps, gaps, disputes) around the selection. */
  setProblems(problems: FeatureCollection | null): void {
    this.setOverlay(SOURCES.problems, problems ?? EMPTY);
  }

  /** Frames an area, leaving room around it so its neighbours give context. */
  fitBounds(bounds: Bounds, animate = true): void {
    const [west, south, east, north] = bounds;
    this.map.fitBounds(
      [
        [west, south],
        [east, north],
      ],
      { padding: 40, maxZoom: 15, animate, duration: animate ? 600 : 0 },
    );
  }

  /** Centres on a point without zooming out: for areas known only by their centre. */
  centreOn(point: Point, minZoom = 12): void {
    this.map.easeTo({ center: [point.coordinates[0], point.coordinates[1]], zoom: Math.max(this.map.getZoom(), minZoom), duration: 600 });
  }

  /** Calls back with the code of the village clicked on the map, or null for empty space. */
  onVillageClick(listener: (code: string | null) => void): void {
    this.map.on('click', (event) => {
      const [hit] = this.map.queryRenderedFeatures(event.point, { layers: [LAYERS.villageFill] });
      const code = hit?.properties?.code;
      listener(typeof code === 'string' ? code : null);
    });
    this.map.on('mouseenter', LAYERS.villageFill, () => (this.map.getCanvas().style.cursor = 'pointer'));
    this.map.on('mouseleave', LAYERS.villageFill, () => (this.map.getCanvas().style.cursor = ''));
  }

  /** Calls back after every pan or zoom with the view to write into the URL. */
  onViewChange(listener: (view: HashView) => void): void {
    this.map.on('moveend', () => listener(this.view()));
  }

  /** The current centre and zoom. */
  view(): HashView {
    const centre = this.map.getCenter();
    return { zoom: this.map.getZoom(), lat: centre.lat, lon: centre.lng };
  }

  /** Moves to a view from the URL without animation, as a pasted link expects. */
  jumpTo(view: HashView): void {
    this.map.jumpTo({ center: [view.lon, view.lat], zoom: view.zoom });
  }

  /**
   * Gives a GeoJSON source its data and shows its layers only while it has some. Every frame
   * draws tile clipping masks for each visible source, and MapLibre's workers cut tiles of
   * every visible source, empty or not; on a software-drawn map (no GPU) the seven overlays
   * that are empty most of the time (selection, tracks, previews...) cost each frame tens of
   * draw calls and the first render dozens of worker tasks. Hidden, a source loads nothing.
   */
  private setOverlay(id: string, data: FeatureCollection): void {
    const empty = data.features.length === 0;
    if (empty && !this.filledOverlays.has(id)) return;
    this.geojson(id).setData(data);
    if (empty) this.filledOverlays.delete(id);
    else this.filledOverlays.add(id);
    for (const layer of layersOfSource(this.style, id)) this.map.setLayoutProperty(layer, 'visibility', empty ? 'none' : 'visible');
  }

  private geojson(id: string): maplibregl.GeoJSONSource {
    const source = this.map.getSource<maplibregl.GeoJSONSource>(id);
    if (!source) throw new Error(`map source ${id} is missing from the style`);
    return source;
  }
}
