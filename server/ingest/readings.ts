/**
 * One GPS fix as read from a file, before cleaning. Every parser (GPX, CSV, KML, NMEA...)
 * produces these so that cleaning, storage and derivation never depend on the source format.
 */
export interface Reading {
  /** Position of the fix in its file (0-based, in reading order), so the original order survives sorting and storage. */
  seq: number;
  /** WGS84 longitude in degrees. */
  lon: number;
  /** WGS84 latitude in degrees. */
  lat: number;
  /** Elevation in metres, as the device reported it. */
  ele?: number;
  /** Time of the fix as an ISO 8601 string in UTC (`2024-01-31T03:04:05.000Z`). */
  time?: string;
  /** Dilutions of precision: a device's own estimate of how much to trust the fix. */
  hdop?: number;
  vdop?: number;
  pdop?: number;
  /** Horizontal accuracy in metres, when the device (usually a phone) reports one instead of HDOP. */
  accuracy?: number;
  /** Number of satellites used. */
  sat?: number;
  /** Fix type as written by the device: `none`, `2d`, `3d`, `dgps`, `pps`. */
  fix?: string;
  /** Ground speed in m/s and course in degrees, when the device recorded them (GPX 1.0, NMEA). */
  speed?: number;
  course?: number;
  /**
   * Vendor extensions (heart rate, temperature, cadence...) keyed by local element name, numeric
   * when the value is a number. Always a prototype-less object: keys come from the file.
   */
  extensions?: Record<string, number | string>;
}

/** A line of readings: a walked track (segments where the logger paused) or a planned route (one segment). */
export interface ParsedTrack {
  name?: string;
  desc?: string;
  kind: 'track' | 'route';
  /** Non-empty runs of readings; a new segment means the logger stopped and restarted. */
  segments: Reading[][];
}

/** A named point: in the field, usually a boundary landmark a mapper marked (future `marker`). */
export interface ParsedWaypoint {
  name?: string;
  desc?: string;
  sym?: string;
  lon: number;
  lat: number;
  ele?: number;
  time?: string;
}

/** The file formats that ingest reads readings from. */
export type SourceFormat = 'gpx' | 'csv' | 'kml' | 'nmea' | 'geojson' | 'shapefile';

/** Everything read from one file, plus what the upload report should tell the mapper about it. */
export interface ParsedFile {
  format: SourceFormat;
  /** Format version as the file declares it (GPX `1.0` / `1.1`). */
  version?: string;
  /** The program or device that wrote the file, useful when a device model misbehaves. */
  creator?: string;
  name?: string;
  desc?: string;
  tracks: ParsedTrack[];
  waypoints: ParsedWaypoint[];
  /**
   * The coordinate reference system the file's positions were written in (`EPSG:32648`...),
   * before they were brought to WGS84; absent means WGS84 longitude/latitude (EPSG:4326).
   */
  crs?: string;
  /** Track, route and waypoint points together: what the point limit is counted against. */
  pointCount: number;
  /** Things that were read but ignored or guessed, one sentence each, for the upload report. */
  warnings: string[];
}
