import type { LineString, MultiLineString, MultiPolygon, Point } from 'geojson';
import type { Orientation, Paper } from './layout.js';

/** An area as the print route reads it from the store: what a sheet shows about one unit. */
export interface PrintArea {
  code: string;
  name: string;
  name_local: string | null;
  level: string;
  status: string;
  version: number;
  area_m2: number | null;
  perimeter_m: number | null;
  method: string | null;
  updated_at: string;
  population: number | null;
  households: number | null;
  geometry: MultiPolygon | null;
  centre: Point | null;
}

/** A named boundary landmark agreed by neighbours (WGS84). */
export interface PrintMarker {
  name: string;
  lon: number;
  lat: number;
}

/** An overlap with another village, hatched on the map until it is resolved. */
export interface PrintDispute {
  geometry: MultiPolygon;
  other: string;
  status: string;
  /** Contested surface (m²); measured from the geometry when the store has none. */
  area_m2?: number | null;
}

/** A stretch of the boundary in dispute (WGS84), drawn dashed on the map and listed with its length. */
export interface PrintDisputedLine {
  geometry: MultiLineString;
  /** The village across the line (or the other party of the dispute); null on the outer edge. */
  other: string | null;
  status: string;
  length_m: number;
  /** A line claimed in a boundary dispute: this village's claim or the other's; null for a boundary marked disputed. */
  claim?: 'own' | 'other' | null;
}

/** Everything one village sheet shows; all geometry in WGS84 lon/lat. */
export interface VillageMapInput {
  village: PrintArea;
  /** Siblings touching or near the village. */
  neighbours: PrintArea[];
  /** [kumban, district, province], nearest first (may be fewer). */
  parents: PrintArea[];
  markers: PrintMarker[];
  tracks?: LineString[];
  disputes?: PrintDispute[];
  disputedLines?: PrintDisputedLine[];
  /** Undefined: chosen to fit. */
  paper?: Paper;
  orientation?: Orientation;
  /** Passed in so the same input always gives the same bytes. */
  printedAt: Date;
  /** Encoded as a QR code so a printed sheet leads back to this version online. */
  versionUrl?: string;
}
