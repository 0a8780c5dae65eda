import type { Feature, FeatureCollection, LineString, MultiPolygon, Point } from 'geojson';

/** The key of an administrative level; the default Lao hierarchy, ordered from the top. */
export type LevelKey = 'province' | 'district' | 'kumban' | 'ban';

/** Where an area is in its life: field teams move it forward, a dispute can send it sideways. */
export const AREA_STATUSES = ['planned', 'provisional', 'surveyed', 'disputed', 'agreed', 'approved'] as const;
export type AreaStatus = (typeof AREA_STATUSES)[number];

/** One administrative level, labelled in English and the local script. */
export interface Level {
  key: LevelKey;
  rank: number;
  label: string;
  label_local: string;
}

/** An area as listed by `GET /api/areas`: enough to draw the tree, the label and the panel. */
export interface AreaSummary {
  id: number;
  code: string;
  name: string;
  name_local: string;
  level: LevelKey;
  parent_id: number | null;
  parent_code: string | null;
  status: AreaStatus;
  version: number;
  area_m2: number | null;
  perimeter_m: number | null;
  population: number | null;
  households: number | null;
  centre: Point | null;
  bbox: [number, number, number, number] | null;
}

/** One area in full, as `GET /api/areas/:id` returns it. */
export interface Area extends AreaSummary {
  method: string | null;
  attributes: Record<string, unknown>;
  updated_at: string;
}

/** One past state of an area, newest first in `GET /api/areas/:id/history`. */
export interface AreaVersion {
  version: number;
  status: AreaStatus;
  method: string | null;
  reason: string | null;
  changed_by: string | null;
  changed_at: string;
  area_m2: number | null;
}

/** Properties of an area feature in `GET /api/areas.geojson`. */
export interface AreaFeatureProperties {
  id: number;
  code: string;
  name: string;
  name_local: string;
  level: LevelKey;
  status: AreaStatus;
  version: number;
  parent_code: string | null;
}

export type AreaCollection = FeatureCollection<MultiPolygon | null, AreaFeatureProperties>;

/** Properties of a GPS track in `GET /api/tracks.geojson`. */
export interface TrackProperties {
  id: number;
  name: string | null;
  upload_id: number;
  area_code: string | null;
  reading_count: number;
}

export type TrackCollection = FeatureCollection<LineString, TrackProperties>;

/** Properties of a GPS reading in `GET /api/readings.geojson`; dropped ones say why. */
export interface ReadingProperties {
  id: number;
  track_id: number;
  seq: number;
  taken_at: string | null;
  kept: boolean;
  drop_reason: string | null;
  hdop: number | null;
}

export type ReadingCollection = FeatureCollection<Point, ReadingProperties>;

/** An area (or one of its versions) with its geometry, from `/api/areas/:id.geojson`. */
export type AreaGeometryFeature = Feature<MultiPolygon | null>;

/** Zoning progress of one area, counted over its villages (`GET /api/progress`). */
export interface AreaProgress {
  code: string;
  name: string;
  name_local: string | null;
  level: string;
  villages: number;
  by_status: Record<AreaStatus, number>;
  villages_area_m2: number;
  approved_area_m2: number;
  area_m2: number | null;
  approved_share: number | null;
  zoned: boolean;
}

/** The answer to `GET /api/progress?area=CODE`. */
export interface Progress {
  area: AreaProgress | null;
  totals: AreaProgress;
  children: AreaProgress[];
  zoned_by_level: { level: LevelKey; total: number; zoned: number }[];
  disputes_open: number;
}

/** One track read from an uploaded file, and the village it was linked to. */
export interface TrackReport {
  id: number;
  name: string | null;
  kind: string;
  area_code: string | null;
  other_area_code: string | null;
  kept: number;
  dropped: number;
}

/** What happened to the readings of one uploaded file. */
export interface FileReport {
  file: string;
  format: string;
  /** True when the same bytes were uploaded before and nothing new was stored. */
  duplicate?: boolean;
  readings: { read: number; kept: number; dropped: Record<string, number> };
  /** A count in the contract; the server also lists each track with where it was linked. */
  tracks: number | TrackReport[];
  markers: number;
  bbox: [number, number, number, number] | null;
  time_span: { start: string; end: string } | null;
  warnings: string[];
}

/** The answer to `POST /api/uploads`. */
export interface UploadResult {
  upload: { id: number | string; filename: string; sha256: string; kind: string };
  report: { files: FileReport[] };
}

/** Measures of a derived boundary, shown before a mapper commits it. */
export interface DeriveMetrics {
  area_ha: number;
  perimeter_km: number;
  vertices: number;
  readings_used: number;
  method: string;
  tolerance_m: number;
}

/** The answer to `POST /api/areas/:id/derive`, a preview unless `committed`. */
export interface DeriveResult {
  area: Area;
  geometry: MultiPolygon;
  metrics: DeriveMetrics;
  committed: boolean;
}

/** The error body every 4xx carries. */
export interface ApiErrorBody {
  error: string;
  message: string;
  details?: unknown[];
}

/** A dispute between two villages over land both claim (see server/disputes). */
export interface Dispute {
  id: number;
  area_a: string;
  area_b: string;
  area_a_name: string;
  area_b_name: string;
  status: 'open' | 'negotiating' | 'resolved';
  area_m2: number | null;
  notes: { date: string; attendees: string[]; outcome: string; by: string | null }[];
  resolution: { assigned_to?: string } | null;
}

export interface DisputeChange {
  status?: Dispute['status'];
  note?: { date: string; attendees?: string[]; outcome: string };
  assign_to?: string;
}
