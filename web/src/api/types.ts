import type { Feature, FeatureCollection, Geometry, LineString, MultiPolygon, Point } from 'geojson';

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

/** Properties of a GPS reading in `GET /api/readings.geojson` (feature id `track_id:seq`); dropped ones say why. */
export interface ReadingProperties {
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
  /** Villages with a printed map of their current version, and all prints made. */
  maps_printed?: { villages: number; prints: number };
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

/** A field of a dataset (shapefile DBF, GeoJSON properties) with a few of its values. */
export interface DatasetField {
  name: string;
  type: string;
  samples: string[];
}

/** Where a field of the dataset goes in Tessera (`fields=code=VIL_CODE,...` on the API). */
export const DATASET_TARGETS = ['code', 'name', 'name_local', 'parent', 'status', 'population', 'households'] as const;
export type DatasetTarget = (typeof DATASET_TARGETS)[number];

/** What the server made of a boundary dataset: previewed with `dry_run=1`, counted after import. */
export interface DatasetReport {
  file: string;
  layer: string;
  layers: string[];
  format: string;
  crs: string | null;
  datum: string | null;
  /** For data without a .prj: the CRSs that put it inside the country (and the target area). */
  crs_proposals: { crs: string; datum: string; inTarget: boolean }[];
  encoding: { encoding: string; source: string };
  features: number;
  geometry_types: Record<string, number>;
  bbox: [number, number, number, number] | null;
  fields: DatasetField[];
  /** The server's guess of the mapping, from the field names and values. */
  suggested_fields?: Partial<Record<DatasetTarget, string>>;
  problems: { record: number; problem: string }[];
  repairs: { record: number; code?: string; reason: string; area_change_pct: number }[];
  created: number;
  updated: number;
  skipped: number;
  warnings: string[];
}

/** A file's report: GPS readings, or a boundary dataset (it lists its fields). */
export type AnyFileReport = FileReport | DatasetReport;

export function isDatasetReport(report: AnyFileReport): report is DatasetReport {
  return Array.isArray((report as DatasetReport).fields);
}

/** What a GPS preview draws: walks as read and as kept, what cleaning dropped, waypoints. */
export interface UploadPreviewProperties {
  kind: 'track_raw' | 'track_clean' | 'dropped' | 'marker';
  file: string;
  reason?: string;
  name?: string;
}

/** The answer to `POST /api/uploads` (stored), or with `dry_run=1` a preview that stored nothing. */
export interface UploadResult {
  upload: { id: number | string; filename: string; sha256: string; kind: string } | null;
  report: { files: AnyFileReport[] };
  dry_run?: boolean;
  preview?: FeatureCollection<Geometry, UploadPreviewProperties>;
}

/** Options of an upload beyond its files: the area for GPS data, the mapping for datasets. */
export interface UploadOptions {
  token: string;
  area?: string;
  dryRun?: boolean;
  /** Multipart fields sent with the files (level, parent, fields, crs, layer, encoding, dataset). */
  fields?: Record<string, string>;
  /** Share sent of each file, 0..1, in the order given. */
  onProgress?: (shares: number[]) => void;
}

/** How a boundary is derived (`POST /api/areas/:id/derive`). */
export const DERIVE_METHODS = ['perimeter', 'markers', 'segments', 'voronoi', 'dissolve'] as const;
export type DeriveMethod = (typeof DERIVE_METHODS)[number];

/** Methods that work on one village; the others derive all villages of a kumban or district. */
export const VILLAGE_METHODS: readonly DeriveMethod[] = ['perimeter', 'markers'];
export const PARENT_METHODS: readonly DeriveMethod[] = ['segments', 'voronoi', 'dissolve'];

/** Measures of a derived boundary, shown before a mapper commits it. */
export interface DeriveMetrics {
  area_ha: number;
  perimeter_km: number;
  vertices: number;
  readings_used?: number;
  method: string;
  tolerance_m?: number;
}

/** Something a derive found wrong or missing: a gap, a village with no face, a dangle. */
export interface DeriveProblem {
  kind: string;
  message?: string;
  area_m2?: number;
  code?: string;
  [key: string]: unknown;
}

/** One village of a kumban-wide derive. */
export interface DerivedVillage {
  area: AreaSummary;
  geometry: MultiPolygon | null;
  metrics: DeriveMetrics | null;
  problems?: DeriveProblem[];
}

/**
 * The answer to `POST /api/areas/:id/derive`, a preview unless `committed`: one polygon for a
 * village, or every village of a kumban or district with the parent rebuilt from them.
 */
export interface DeriveResult {
  area: Area;
  method?: DeriveMethod;
  geometry?: MultiPolygon | null;
  metrics?: DeriveMetrics;
  villages?: DerivedVillage[];
  parent?: { geometry: MultiPolygon | null; metrics: DeriveMetrics | null };
  problems?: DeriveProblem[];
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
