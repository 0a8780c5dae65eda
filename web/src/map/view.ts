import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Point } from 'geojson';
import type { AreaCollection, AreaSummary, LevelKey, TrackCollection } from '../api/types.js';
import type { Bounds } from './bounds.js';
import type { MapView as HashView } from './hash.js';
import { labelFeatures, labelImageId, labelLines, renderLabel } from './labels.js';
import { buildStyle, LAYERS, SOURCES } from './style.js';

// In a bundle MapLibre cannot find its worker next to itself; point it at the copy Vite emits.
maplibregl.setWorkerUrl(workerUrl);

const AREA_SOURCES: Partial<Record<LevelKey, string>> = {
  ban: SOURCES.villages,
  kumban: SOURCES.kumbans,
  district: SOURCES.districts,
};

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/**
 * The map of areas. Owns the MapLibre instance and keeps its sources in step with what the page
 * knows (areas per level, selection, tracks, derive preview); panels talk to it, never to
 * MapLibre directly.
 */
export class AreaMap {
  readonly map: maplibregl.Map;
  private readonly loaded: Promise<void>;
  private readonly geometries = new Map<string, Geometry>();

  constructor(container: HTMLElement, view: HashView | null, fallbackBounds: Bounds | null) {
    this.map = new maplibregl.Map({
      container,
      style: buildStyle(),
      center: view ? [view.lon, view.lat] : [102.6, 18.0],
      zoom: view ? view.zoom : 6,
      attributionControl: false,
      maxPitch: 0,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      // Keeps the drawing buffer so screenshots and print-screen show the map.
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
    this.loaded = new Promise((resolve) => this.map.once('load', () => resolve()));
    if (!view && fallbackBounds) this.fitBounds(fallbackBounds, false);
  }

  /** Resolves once the style is ready for data. */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Replaces the polygons of one level; kept for selection highlighting too. */
  setAreas(level: LevelKey, collection: AreaCollection): void {
    for (const feature of collection.features) {
      if (feature.geometry) this.geometries.set(feature.properties.code, feature.geometry);
    }
    const source = AREA_SOURCES[level];
    if (source) this.geojson(source).setData(collection as FeatureCollection);
  }

  /**
   * Draws each area's label into an image and places it at the area's centre. Images are
   * replaced on every call, so a renamed area shows its new name after a refresh.
   */
  setLabels(areas: readonly AreaSummary[]): void {
    const pixelRatio = Math.max(1, Math.min(window.devicePixelRatio || 1, 3));
    for (const area of areas) {
      if (!area.centre) continue;
      const id = labelImageId(area.code);
      if (this.map.hasImage(id)) this.map.removeImage(id);
      this.map.addImage(id, renderLabel(labelLines(area), pixelRatio), { pixelRatio });
    }
    this.geojson(SOURCES.labels).setData(labelFeatures(areas));
  }

  /** Outlines the selected area (or clears the outline with `null`). */
  select(code: string | null): void {
    const geometry = code ? this.geometries.get(code) : undefined;
    const features: Feature[] = geometry ? [{ type: 'Feature', geometry, properties: { code } }] : [];
    this.geojson(SOURCES.selection).setData({ type: 'FeatureCollection', features });
  }

  /** Shows the GPS tracks of the selected village. */
  setTracks(tracks: TrackCollection | null): void {
    this.geojson(SOURCES.tracks).setData((tracks ?? EMPTY) as FeatureCollection);
  }

  /** Shows a derived, not yet committed boundary as a dashed outline. */
  setPreview(geometry: MultiPolygon | null): void {
    const features: Feature[] = geometry ? [{ type: 'Feature', geometry, properties: {} }] : [];
    this.geojson(SOURCES.preview).setData({ type: 'FeatureCollection', features });
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

  private geojson(id: string): maplibregl.GeoJSONSource {
    const source = this.map.getSource<maplibregl.GeoJSONSource>(id);
    if (!source) throw new Error(`map source ${id} is missing from the style`);
    return source;
  }
}
