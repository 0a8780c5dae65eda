import type { MultiPolygon, Point } from 'geojson';

/** One area as every export format writes it: the stored record, geometry in WGS84. */
export interface ExportArea {
  code: string;
  name: string;
  name_local: string | null;
  level: string;
  parent_code: string | null;
  status: string;
  version: number;
  /** Stored geodesic measures (what was approved), not recomputed from the rounded output. */
  area_m2: number | null;
  perimeter_m: number | null;
  population: number | null;
  households: number | null;
  updated_at: string;
  /** Null for an area not yet mapped (a planned village). */
  geometry: MultiPolygon | null;
  centre: Point | null;
}

/** A named boundary landmark, written as a waypoint or a point placemark. */
export interface ExportMarker {
  name: string;
  description: string | null;
  area_code: string | null;
  lon: number;
  lat: number;
  elevation: number | null;
}

/** What one export contains: the areas in print order and the markers along their boundaries. */
export interface ExportData {
  /** The area the export was asked for; names the file and the document. */
  root: { code: string; name: string; name_local: string | null; level: string };
  areas: ExportArea[];
  markers: ExportMarker[];
  /** Level key → its label ("ban" → "Village"), for folder and column headings. */
  levelLabels: Record<string, string>;
  /** When the snapshot was read, so a file can be traced to the data it holds. */
  exportedAt: Date;
}

export const EXPORT_FORMATS = ['geojson', 'zip', 'kml', 'gpx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
