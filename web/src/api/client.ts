import type {
  Dispute,
  DisputeChange,
  ApiErrorBody,
  Area,
  AreaGeometryFeature,
  AreaStatus,
  AreaSummary,
  AreaVersion,
  DeriveMethod,
  DeriveResult,
  Level,
  LevelKey,
  Progress,
  ReadingCollection,
  TrackCollection,
  UploadOptions,
  UploadResult,
} from './types.js';
import { sendWithProgress } from './transport.js';
import type { FeatureCollection, MultiPolygon } from 'geojson';

/**
 * A failed API call. Carries the contract's error code and message so panels can show the
 * server's own words to the mapper instead of a bare status number.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Filters of `GET /api/areas`; all optional. */
export interface AreaQuery {
  level?: LevelKey;
  parent?: string;
  q?: string;
  status?: AreaStatus;
  /** Most areas to list; the server's default is 1,000, its maximum 5,000. */
  limit?: number;
}

/** The Tessera API as the web page uses it, one method per endpoint of the contract. */
export interface ApiClient {
  levels(): Promise<Level[]>;
  areas(query?: AreaQuery): Promise<AreaSummary[]>;
  area(idOrCode: string | number): Promise<Area>;
  history(idOrCode: string | number): Promise<AreaVersion[]>;
  /** The area's current geometry (null when it has none yet). */
  areaGeometry(idOrCode: string | number): Promise<MultiPolygon | null>;
  /** The geometry of one past version, to compare with the current one. */
  versionGeometry(idOrCode: string | number, version: number): Promise<MultiPolygon | null>;
  /** Brings back a past version as a new one; `expectedVersion` guards against a stale page. */
  restore(idOrCode: string | number, options: { version: number; expectedVersion: number; token: string }): Promise<Area>;
  progress(areaCode?: string): Promise<Progress>;
  tracks(areaCode: string): Promise<TrackCollection>;
  /** Readings the cleaner dropped from the walks of an area, each with its reason. */
  droppedReadings(areaCode: string): Promise<ReadingCollection>;
  /** URL template of a vector tile layer, for MapLibre; `version` makes the browser fetch anew. */
  tileUrl(layer: string, version: string): string;
  /**
   * Sends files to `POST /api/uploads`: GPS data or a boundary dataset. With `dryRun` the server
   * reads and checks them and stores nothing (the preview a mapper confirms).
   */
  upload(files: readonly File[], options: UploadOptions): Promise<UploadResult>;
  derive(idOrCode: string | number, options: { method: DeriveMethod; toleranceM?: number; commit: boolean; token: string }): Promise<DeriveResult>;
  mapPdfUrl(idOrCode: string | number): string;
  /** Disputes an area is party to. */
  disputes(areaCode: string): Promise<Dispute[]>;
  /** Log a meeting, move a dispute on, or resolve it (with the API token). */
  changeDispute(id: number, change: DisputeChange, token: string): Promise<Dispute>;
  /**
   * Topology problems among an area's children (overlaps, gaps, slivers, parts outside the
   * parent), each a feature with `properties.kind`, to hatch on the map.
   */
  topology(parentCode: string): Promise<FeatureCollection>;
  /** Opens a dispute for every overlap among the children of `parentCode` that has none yet. */
  openOverlapDisputes(parentCode: string, token: string): Promise<{ opened: { id: number }[]; already_open: { id: number }[] }>;
  /** The atlas of a kumban's or district's villages, one page each after a cover. */
  atlasPdfUrl(idOrCode: string | number): string;
  /**
   * Starts printing the atlas: the response as soon as its headers arrive (`x-atlas-pages`), its
   * body still streaming, for the page to show progress; an error answer throws `ApiError`.
   */
  atlas(idOrCode: string | number): Promise<Response>;
  /** The area and its descendants as a data file. */
  exportUrl(idOrCode: string | number, format: 'geojson' | 'zip' | 'kml' | 'gpx' | 'csv'): string;
}

/**
 * Builds a query string from the defined, non-empty values only, so an unset filter is
 * absent rather than sent as `level=undefined`.
 */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).message === 'string';
}

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    if (isErrorBody(body)) {
      throw new ApiError(response.status, body.error, body.message, body.details ?? []);
    }
    throw new ApiError(response.status, 'http_error', `${response.status} ${response.statusText}`.trim());
  }
  return body as T;
}

/**
 * Creates a client for the API at `baseUrl` (the page's own origin by default: field offices
 * are offline, so the page never talks to any other host).
 */
export function createApiClient(options: { baseUrl?: string; fetch?: typeof fetch } = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const id = (value: string | number) => encodeURIComponent(String(value));

  async function getJson<T>(path: string): Promise<T> {
    return readJson<T>(await doFetch(`${baseUrl}${path}`, { headers: { Accept: 'application/json' } }));
  }

  return {
    async levels() {
      return (await getJson<{ levels: Level[] }>('/api/levels')).levels;
    },
    async areas(query = {}) {
      const search = queryString({ level: query.level, parent: query.parent, q: query.q, status: query.status, limit: query.limit });
      return (await getJson<{ areas: AreaSummary[] }>(`/api/areas${search}`)).areas;
    },
    async area(idOrCode) {
      return (await getJson<{ area: Area }>(`/api/areas/${id(idOrCode)}`)).area;
    },
    async history(idOrCode) {
      return (await getJson<{ versions: AreaVersion[] }>(`/api/areas/${id(idOrCode)}/history`)).versions;
    },
    async areaGeometry(idOrCode) {
      return (await getJson<AreaGeometryFeature>(`/api/areas/${id(idOrCode)}.geojson`)).geometry;
    },
    async versionGeometry(idOrCode, version) {
      return (await getJson<AreaGeometryFeature>(`/api/areas/${id(idOrCode)}/versions/${version}.geojson`)).geometry;
    },
    async restore(idOrCode, { version, expectedVersion, token }) {
      const response = await doFetch(`${baseUrl}/api/areas/${id(idOrCode)}/restore`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'If-Match': String(expectedVersion),
        },
        body: JSON.stringify({ version }),
      });
      return (await readJson<{ area: Area }>(response)).area;
    },
    async disputes(areaCode) {
      return (await getJson<{ disputes: Dispute[] }>(`/api/disputes${queryString({ area: areaCode })}`)).disputes;
    },
    async changeDispute(disputeId, change, token) {
      const response = await doFetch(`${baseUrl}/api/disputes/${disputeId}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(change),
      });
      return (await readJson<{ dispute: Dispute }>(response)).dispute;
    },
    progress(areaCode) {
      return getJson<Progress>(`/api/progress${queryString({ area: areaCode })}`);
    },
    droppedReadings(areaCode) {
      return getJson<ReadingCollection>(`/api/readings.geojson${queryString({ area: areaCode, kept: 'false' })}`);
    },
    tileUrl(layer, version) {
      // MapLibre fetches tiles from its worker, where a relative URL has no base: make it absolute.
      const origin = baseUrl || window.location.origin;
      return `${origin}/tiles/${layer}/{z}/{x}/{y}.mvt${queryString({ v: version })}`;
    },
    topology(parentCode) {
      return getJson<FeatureCollection>(`/api/topology${queryString({ parent: parentCode, format: 'geojson' })}`);
    },
    async openOverlapDisputes(parentCode, token) {
      const response = await doFetch(`${baseUrl}/api/topology/disputes${queryString({ parent: parentCode })}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      });
      return readJson<{ opened: { id: number }[]; already_open: { id: number }[] }>(response);
    },
    tracks(areaCode) {
      return getJson<TrackCollection>(`/api/tracks.geojson${queryString({ area: areaCode })}`);
    },
    async upload(files, { area, token, dryRun, fields, onProgress }) {
      const form = new FormData();
      if (area) form.append('area', area);
      for (const [name, value] of Object.entries(fields ?? {})) if (value) form.append(name, value);
      for (const file of files) form.append('file', file, file.name);
      const url = `${baseUrl}/api/uploads${queryString({ dry_run: dryRun ? '1' : undefined })}`;
      const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
      if (onProgress && typeof XMLHttpRequest !== 'undefined') {
        const sent = await sendWithProgress(url, form, headers, files.map((file) => file.size), onProgress);
        return readJson<UploadResult>(new Response(sent.text, { status: sent.status, statusText: sent.statusText }));
      }
      return readJson<UploadResult>(await doFetch(url, { method: 'POST', headers, body: form }));
    },
    async derive(idOrCode, { method, toleranceM, commit, token }) {
      const response = await doFetch(`${baseUrl}/api/areas/${id(idOrCode)}/derive`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ method, ...(toleranceM === undefined ? {} : { tolerance_m: toleranceM }), commit }),
      });
      return readJson<DeriveResult>(response);
    },
    mapPdfUrl(idOrCode) {
      return `${baseUrl}/api/maps/${id(idOrCode)}.pdf`;
    },
    atlasPdfUrl(idOrCode) {
      return `${baseUrl}/api/areas/${id(idOrCode)}/atlas.pdf`;
    },
    async atlas(idOrCode) {
      const response = await doFetch(`${baseUrl}/api/areas/${id(idOrCode)}/atlas.pdf`, { headers: { Accept: 'application/pdf, application/json' } });
      if (!response.ok) await readJson(response);
      return response;
    },
    exportUrl(idOrCode, format) {
      return `${baseUrl}/api/export/${id(idOrCode)}.${format}`;
    },
  };
}
