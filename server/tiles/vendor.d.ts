// Declarations for the two untyped packages the embedded tile path uses; only what Tessera calls.

declare module 'geojson-vt' {
  import type { FeatureCollection } from 'geojson';

  export interface GeoJsonVtOptions {
    maxZoom?: number;
    indexMaxZoom?: number;
    indexMaxPoints?: number;
    tolerance?: number;
    extent?: number;
    buffer?: number;
    lineMetrics?: boolean;
    promoteId?: string | null;
    generateId?: boolean;
    debug?: number;
  }

  /** A tile in geojson-vt's internal form: tile-space integer coordinates and `tags`. */
  export interface GeoJsonVtTile {
    features: { type: 1 | 2 | 3; geometry: unknown; tags: Record<string, unknown>; id?: number | string }[];
    numPoints: number;
    numSimplified: number;
    numFeatures: number;
  }

  export interface GeoJsonVtIndex {
    getTile(z: number, x: number, y: number): GeoJsonVtTile | null;
  }

  export default function geojsonvt(data: FeatureCollection, options?: GeoJsonVtOptions): GeoJsonVtIndex;
}

declare module 'vt-pbf' {
  import type { GeoJsonVtTile } from 'geojson-vt';

  export function fromGeojsonVt(layers: Record<string, GeoJsonVtTile>, options?: { version?: number; extent?: number }): Uint8Array;
  const vtpbf: { fromGeojsonVt: typeof fromGeojsonVt };
  export default vtpbf;
}
