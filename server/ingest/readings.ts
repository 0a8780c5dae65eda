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
export interface ParsedTrack<S extends ReadingSegment = Reading[]> {
  name?: string;
  desc?: string;
  kind: 'track' | 'route';
  /** Non-empty runs of readings; a new segment means the logger stopped and restarted. */
  segments: S[];
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
export interface ParsedFile<S extends ReadingSegment = Reading[]> {
  format: SourceFormat;
  /** Format version as the file declares it (GPX `1.0` / `1.1`). */
  version?: string;
  /** The program or device that wrote the file, useful when a device model misbehaves. */
  creator?: string;
  name?: string;
  desc?: string;
  tracks: ParsedTrack<S>[];
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

/** Optional numeric fields of a reading, in the order a Reading lists them. */
const NUMERIC_FIELDS = ['ele', 'hdop', 'vdop', 'pdop', 'accuracy', 'sat', 'speed', 'course'] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];

const INITIAL_CAPACITY = 1024;

/**
 * The readings of one segment held as columns: a float per field and reading instead of an
 * object per reading (~230 bytes with its boxed numbers), so a million-point walk takes tens of
 * megabytes, not hundreds. A column is only made once some reading has that field; an absent
 * number is NaN (no parser keeps a non-finite value). Readings go in and come out as `Reading`
 * objects, equal to the ones pushed; hot loops (cleaning, COPY) read the columns directly.
 */
export class ReadingColumns {
  length = 0;
  private capacity = INITIAL_CAPACITY;
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private lons = new Float64Array(INITIAL_CAPACITY);
  private lats = new Float64Array(INITIAL_CAPACITY);
  private readonly numbers: Partial<Record<NumericField, Float64Array>> = {};
  /** ISO 8601 times as the parser wrote them; undefined where a reading has none. */
  private times: (string | undefined)[] | null = null;
  private fixes: (string | undefined)[] | null = null;
  /** Vendor extensions by reading index: rare, so a map rather than a column. */
  private extensions: Map<number, Record<string, number | string>> | null = null;

  static from(readings: Iterable<Reading>): ReadingColumns {
    const columns = new ReadingColumns();
    for (const r of readings) columns.push(r);
    return columns;
  }

  push(r: Reading): void {
    const i = this.length;
    if (i === this.capacity) this.grow();
    this.seqs[i] = r.seq;
    this.lons[i] = r.lon;
    this.lats[i] = r.lat;
    for (const field of NUMERIC_FIELDS) {
      const v = r[field];
      if (v !== undefined) this.numberColumn(field)[i] = v;
      else if (this.numbers[field] !== undefined) this.numbers[field][i] = NaN;
    }
    if (r.time !== undefined) (this.times ??= new Array<string | undefined>(i).fill(undefined)).push(r.time);
    else this.times?.push(undefined);
    if (r.fix !== undefined) (this.fixes ??= new Array<string | undefined>(i).fill(undefined)).push(r.fix);
    else this.fixes?.push(undefined);
    if (r.extensions !== undefined) (this.extensions ??= new Map()).set(i, r.extensions);
    this.length = i + 1;
  }

  /** The reading at `i` as an object, with only the fields it has. */
  at(i: number): Reading {
    const r: Reading = { seq: this.seqs[i], lon: this.lons[i], lat: this.lats[i] };
    for (const field of NUMERIC_FIELDS) {
      const column = this.numbers[field];
      if (column !== undefined && !Number.isNaN(column[i])) r[field] = column[i];
    }
    const time = this.times?.[i];
    if (time !== undefined) r.time = time;
    const fix = this.fixes?.[i];
    if (fix !== undefined) r.fix = fix;
    const ext = this.extensions?.get(i);
    if (ext !== undefined) r.extensions = ext;
    return r;
  }

  *[Symbol.iterator](): Iterator<Reading> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  seq(i: number): number {
    return this.seqs[i];
  }

  lon(i: number): number {
    return this.lons[i];
  }

  lat(i: number): number {
    return this.lats[i];
  }

  /** A numeric field of reading `i`, or undefined when it has none. */
  number(field: NumericField, i: number): number | undefined {
    const column = this.numbers[field];
    if (column === undefined) return undefined;
    const v = column[i];
    return Number.isNaN(v) ? undefined : v;
  }

  time(i: number): string | undefined {
    return this.times === null ? undefined : this.times[i];
  }

  fix(i: number): string | undefined {
    return this.fixes === null ? undefined : this.fixes[i];
  }

  extensionsAt(i: number): Record<string, number | string> | undefined {
    return this.extensions?.get(i);
  }

  /** Gives back the room kept for readings that never came, once the segment is complete. */
  trim(): void {
    if (this.capacity === this.length) return;
    this.resize(this.length);
  }

  private numberColumn(field: NumericField): Float64Array {
    let column = this.numbers[field];
    if (column === undefined) {
      column = new Float64Array(this.capacity).fill(NaN);
      this.numbers[field] = column;
    }
    return column;
  }

  private grow(): void {
    this.resize(this.capacity * 2);
  }

  private resize(capacity: number): void {
    const copy = (a: Float64Array, fill: number) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, Math.min(this.length, capacity)));
      if (fill !== 0) b.fill(fill, this.length);
      return b;
    };
    this.seqs = copy(this.seqs, 0);
    this.lons = copy(this.lons, 0);
    this.lats = copy(this.lats, 0);
    for (const field of NUMERIC_FIELDS) {
      const column = this.numbers[field];
      if (column !== undefined) this.numbers[field] = copy(column, NaN);
    }
    this.capacity = capacity;
  }
}

/** A segment's readings as a parser hands them over: objects, or columns (GPX, for long walks). */
export type ReadingSegment = readonly Reading[] | ReadingColumns;

/** Reading `i` of a segment, whichever way it is held. */
export function readingAt(segment: ReadingSegment, i: number): Reading {
  return segment instanceof ReadingColumns ? segment.at(i) : segment[i];
}
