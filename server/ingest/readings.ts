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

/**
 * What a parser has read so far, for storing readings while the rest of the file is still being
 * read: the finished tracks, then the open track with its finished segments and its open
 * segment. Segments and tracks are the objects the parsed file will hold; readings are only
 * ever appended to them.
 */
export interface ParseProgress<S extends ReadingSegment = ReadingSegment> {
  format: SourceFormat;
  crs?: string;
  tracks: readonly ParsedTrack<S>[];
  openTrack: ParsedTrack<S> | null;
  openSegment: S | null;
}

/** Optional numeric fields of a reading, in the order a Reading lists them. */
export const NUMERIC_FIELDS = ['ele', 'hdop', 'vdop', 'pdop', 'accuracy', 'sat', 'speed', 'course'] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];

/** Where each numeric field sits in a reading's values (pushValues) and in ReadingColumns. */
export const FIELD_INDEX: Readonly<Record<NumericField, number>> = Object.fromEntries(NUMERIC_FIELDS.map((f, k) => [f, k])) as Record<NumericField, number>;

/** A reading's numeric fields by FIELD_INDEX, NaN where absent: how a fast reader hands them over. */
export function emptyValues(): Float64Array {
  return new Float64Array(NUMERIC_FIELDS.length).fill(NaN);
}

const DAY_MS = 86_400_000;

/** Days from 1970-01-01 to a proleptic Gregorian date, for any year (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The unsigned integer written with exactly `n` digits at `at`, or -1. */
export function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * The epoch milliseconds of a time written `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, a real date and
 * time of day in UTC (fraction cut to milliseconds), or NaN for any other form. Loggers write
 * this form: a reader takes it here without building the canonical text and reading it back
 * (what `parseDateTime` and then `isoEpochMs` would do), and reads any other form the long way.
 */
export function utcTimeMs(s: string): number {
  if (s.length < 20 || s.charCodeAt(s.length - 1) !== 90) return NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  let ms = 0;
  if (s.length > 20) {
    // `.` then at least one digit before the Z; digits past the third are cut, as parseDateTime cuts them.
    if (s.charCodeAt(19) !== 46 || s.length === 21) return NaN;
    for (let i = 20, scale = 100; i < s.length - 1; i++, scale /= 10) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
      if (scale >= 1) ms += (c - 48) * scale;
    }
  }
  return daysFromCivil(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

/**
 * Milliseconds since 1970 of a reading's time. Readings carry `YYYY-MM-DDTHH:MM:SS.sssZ`, read
 * here digit by digit because `Date.parse` costs more than the rest of cleaning; anything else
 * falls back to it.
 */
export function isoEpochMs(iso: string): number {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 || iso.charCodeAt(10) !== 84) return Date.parse(iso);
  const days = daysFromCivil(digits(iso, 0, 4), digits(iso, 5, 2), digits(iso, 8, 2));
  return days * DAY_MS + digits(iso, 11, 2) * 3_600_000 + digits(iso, 14, 2) * 60_000 + digits(iso, 17, 2) * 1000 + digits(iso, 20, 3);
}

let cachedMinute = NaN;
let cachedMinutePrefix = '';
const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/**
 * `new Date(ms).toISOString()`, without a Date for each of a million readings of one walk: the
 * `YYYY-MM-DDTHH:MM:` of the previous call's minute is kept (a logger writes many fixes a
 * minute), seconds and milliseconds are arithmetic.
 */
export function isoFromEpochMs(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== cachedMinute) {
    const iso = new Date(minute * 60_000).toISOString();
    cachedMinute = minute;
    cachedMinutePrefix = iso.length === 24 ? iso.slice(0, 17) : '';
  }
  if (cachedMinutePrefix === '') return new Date(ms).toISOString();
  const t = ms - minute * 60_000;
  return `${cachedMinutePrefix}${pad2(Math.floor(t / 1000))}.${pad3(t % 1000)}Z`;
}

/** Whether a time is in the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` form, `ms` being isoEpochMs of it. */
export function isCanonicalTime(time: string, ms: number): boolean {
  return time.length === 24 && Number.isInteger(ms) && isoFromEpochMs(ms) === time;
}

/** Readings per block of a column: columns grow a block at a time, never copied. */
const BLOCK_BITS = 16;
const BLOCK = 1 << BLOCK_BITS;
const IN_BLOCK = BLOCK - 1;

/** Where a block handed over to another thread was: nothing is read or written there again. */
const HANDED_OVER = new Float64Array(0);

/** A column of floats in fixed-size blocks: appending never copies, and at most one block is unused. */
class FloatColumn {
  readonly blocks: Float64Array[] = [];

  /** A column that already holds `length` absent values (NaN), its first `handed` blocks handed over. */
  constructor(length = 0, handed = 0) {
    for (let b = 0; b << BLOCK_BITS < length; b++) this.blocks.push(b < handed ? HANDED_OVER : new Float64Array(BLOCK).fill(NaN));
  }

  set(i: number, v: number): void {
    const b = i >>> BLOCK_BITS;
    while (b >= this.blocks.length) this.blocks.push(new Float64Array(BLOCK).fill(NaN));
    this.blocks[b][i & IN_BLOCK] = v;
  }

  get(i: number): number {
    return this.blocks[i >>> BLOCK_BITS][i & IN_BLOCK];
  }
}

/**
 * The readings of one segment held as columns: a float per field and reading instead of an
 * object per reading (~230 bytes with its boxed numbers and time string), so a million-point
 * walk takes tens of megabytes, not hundreds. A column is only made once some reading has that
 * field; an absent number is NaN (no parser keeps a non-finite value). Times are kept as epoch
 * milliseconds when they are in the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` form parsers write,
 * else as the text. Readings go in and come out as `Reading` objects equal to the ones pushed; hot loops
 * (cleaning, COPY) read the columns directly.
 */
export class ReadingColumns {
  length = 0;
  /**
   * Seqs count up by one along a segment as parsers number readings, so only the first is kept
   * (8 MB less for a million readings); the column is made when a reading breaks the run.
   */
  private firstSeq = 0;
  private seqs: FloatColumn | null = null;
  private readonly lons = new FloatColumn();
  private readonly lats = new FloatColumn();
  /** By FIELD_INDEX; a field's column is made when a reading first has it. */
  private readonly numbers: (FloatColumn | undefined)[] = new Array<FloatColumn | undefined>(NUMERIC_FIELDS.length).fill(undefined);
  private times: FloatColumn | null = null;
  /** Times not in canonical form, by reading index: stored as written, so they come back unchanged. */
  private oddTimes: Map<number, string> | null = null;
  private fixes: (string | undefined)[] | null = null;
  /** Vendor extensions by reading index: rare, so a map rather than a column. */
  private extensions: Map<number, Record<string, number | string>> | null = null;
  /** Blocks given to another thread (handOver): the readings in them are no longer held here. */
  private handed = 0;

  static from(readings: Iterable<Reading>): ReadingColumns {
    const columns = new ReadingColumns();
    for (const r of readings) columns.push(r);
    return columns;
  }

  /**
   * Append a reading given as an object (pushValues without the slots; readers of long walks
   * call that), its time as `timeMs` when a reader has it so.
   */
  push(r: Reading, timeMs = NaN): void {
    const values = Float64Array.from(NUMERIC_FIELDS, (field) => r[field] ?? NaN);
    this.pushValues(r.seq, r.lon, r.lat, values, timeMs, r.time, r.fix, r.extensions);
  }

  /**
   * Append a reading given field by field, its numbers in `values` (by FIELD_INDEX, NaN where
   * absent): what a reader of a long walk calls, with no Reading object made per point. A
   * reader that has its time as `utcTimeMs` gives it as `timeMs` instead of `time` (the same
   * reading, without its text made only to be read back); NaN otherwise.
   */
  pushValues(
    seq: number,
    lon: number,
    lat: number,
    values: Float64Array,
    timeMs: number,
    time: string | undefined,
    fix: string | undefined,
    extensions: Record<string, number | string> | undefined,
  ): void {
    const i = this.length;
    if (i === 0) this.firstSeq = seq;
    if (this.seqs !== null) {
      this.seqs.set(i, seq);
    } else if (!Object.is(seq, this.firstSeq + i)) {
      this.seqs = new FloatColumn(i, this.handed);
      for (let j = this.handed << BLOCK_BITS; j < i; j++) this.seqs.set(j, this.firstSeq + j);
      this.seqs.set(i, seq);
    }
    this.lons.set(i, lon);
    this.lats.set(i, lat);
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      const column = this.numbers[k];
      if (column !== undefined) column.set(i, v);
      else if (!Number.isNaN(v)) (this.numbers[k] = new FloatColumn(i, this.handed)).set(i, v);
    }
    if (!Number.isNaN(timeMs)) {
      (this.times ??= new FloatColumn(i, this.handed)).set(i, timeMs);
    } else if (time !== undefined) {
      const ms = isoEpochMs(time);
      // Only the 24-character form: those times order as text as their milliseconds do (`+010000-...` does not).
      const canonical = isCanonicalTime(time, ms);
      (this.times ??= new FloatColumn(i, this.handed)).set(i, canonical ? ms : NaN);
      if (!canonical) (this.oddTimes ??= new Map()).set(i, time);
    } else {
      this.times?.set(i, NaN);
    }
    if (fix !== undefined) (this.fixes ??= new Array<string | undefined>(i).fill(undefined)).push(fix);
    else this.fixes?.push(undefined);
    if (extensions !== undefined) (this.extensions ??= new Map()).set(i, extensions);
    this.length = i + 1;
  }

  /**
   * Give away the blocks of readings filled since the last call, all of them when `all` (the
   * segment is complete) or only full ones (readings are still being pushed): their arrays are
   * meant to be transferred to another thread, which rebuilds the segment with `adopt`, so a
   * parsing thread never holds a long walk twice. Readings handed over are no longer readable
   * here; pushing carries on after them.
   */
  handOver(all: boolean): ColumnsBlock[] {
    const end = all ? Math.ceil(this.length / BLOCK) : this.length >>> BLOCK_BITS;
    const blocks: ColumnsBlock[] = [];
    for (; this.handed < end; this.handed++) blocks.push(this.blockOut(this.handed));
    return blocks;
  }

  private blockOut(b: number): ColumnsBlock {
    const start = b << BLOCK_BITS;
    const end = Math.min(start + BLOCK, this.length);
    const take = (column: FloatColumn): Float64Array => {
      const block = column.blocks[b];
      column.blocks[b] = HANDED_OVER;
      return block;
    };
    const numbers: ColumnsBlock['numbers'] = {};
    NUMERIC_FIELDS.forEach((field, k) => {
      const column = this.numbers[k];
      if (column !== undefined) numbers[field] = take(column);
    });
    const entries = <T>(map: Map<number, T> | null): [number, T][] | null => {
      if (map === null) return null;
      const inBlock: [number, T][] = [];
      for (const [i, v] of map) if (i >= start && i < end) inBlock.push([i, v]);
      for (const [i] of inBlock) map.delete(i);
      return inBlock;
    };
    let fixes: (string | undefined)[] | null = null;
    if (this.fixes !== null) {
      fixes = this.fixes.slice(start, end);
      this.fixes.fill(undefined, start, end);
    }
    return {
      start,
      length: end - start,
      firstSeq: this.firstSeq + start,
      seqs: this.seqs === null ? null : take(this.seqs),
      lons: take(this.lons),
      lats: take(this.lats),
      numbers,
      times: this.times === null ? null : take(this.times),
      oddTimes: entries(this.oddTimes),
      fixes,
      extensions: entries(this.extensions),
    };
  }

  /**
   * Append a block another thread handed over (handOver), in order: the segment then holds
   * what the other one held, as if its readings had been pushed here. Extensions are made
   * prototype-less again (a structured clone gives them Object's prototype).
   */
  adopt(block: ColumnsBlock): void {
    const start = this.length;
    if (block.start !== start || (start & IN_BLOCK) !== 0) throw new Error(`block at ${block.start} adopted after ${start} readings`);
    if (start === 0) this.firstSeq = block.firstSeq;
    if (this.seqs === null && (block.seqs !== null || !Object.is(block.firstSeq, this.firstSeq + start))) {
      this.seqs = new FloatColumn();
      for (let j = 0; j < start; j++) this.seqs.set(j, this.firstSeq + j);
    }
    if (this.seqs !== null) this.seqs.blocks.push(block.seqs ?? Float64Array.from({ length: BLOCK }, (_, k) => block.firstSeq + k));
    this.lons.blocks.push(block.lons);
    this.lats.blocks.push(block.lats);
    NUMERIC_FIELDS.forEach((field, k) => {
      const values = block.numbers[field];
      if (values !== undefined) (this.numbers[k] ??= new FloatColumn(start)).blocks.push(values);
      else this.numbers[k]?.blocks.push(new Float64Array(BLOCK).fill(NaN));
    });
    if (block.times !== null) (this.times ??= new FloatColumn(start)).blocks.push(block.times);
    else this.times?.blocks.push(new Float64Array(BLOCK).fill(NaN));
    if (block.oddTimes !== null && block.oddTimes.length > 0) {
      const odd = (this.oddTimes ??= new Map());
      for (const [i, t] of block.oddTimes) odd.set(i, t);
    }
    if (block.fixes !== null || this.fixes !== null) {
      const fixes = (this.fixes ??= new Array<string | undefined>(start).fill(undefined));
      for (let k = 0; k < block.length; k++) fixes.push(block.fixes === null ? undefined : block.fixes[k]);
    }
    if (block.extensions !== null && block.extensions.length > 0) {
      const extensions = (this.extensions ??= new Map());
      for (const [i, ext] of block.extensions) extensions.set(i, bareExtensions(ext));
    }
    this.length = start + block.length;
  }

  /** The reading at `i` as an object, with only the fields it has. */
  at(i: number): Reading {
    const r: Reading = { seq: this.seq(i), lon: this.lon(i), lat: this.lat(i) };
    for (const field of NUMERIC_FIELDS) {
      const v = this.number(field, i);
      if (v !== undefined) r[field] = v;
    }
    const time = this.time(i);
    if (time !== undefined) r.time = time;
    const fix = this.fix(i);
    if (fix !== undefined) r.fix = fix;
    const ext = this.extensionsAt(i);
    if (ext !== undefined) r.extensions = ext;
    return r;
  }

  *[Symbol.iterator](): Iterator<Reading> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  seq(i: number): number {
    return this.seqs === null ? this.firstSeq + i : this.seqs.get(i);
  }

  lon(i: number): number {
    return this.lons.get(i);
  }

  lat(i: number): number {
    return this.lats.get(i);
  }

  /** Numeric field `k` (FIELD_INDEX) of reading `i`, NaN when it has none: for loops over every reading. */
  value(k: number, i: number): number {
    const column = this.numbers[k];
    return column === undefined ? NaN : column.get(i);
  }

  /** A numeric field of reading `i`, or undefined when it has none. */
  number(field: NumericField, i: number): number | undefined {
    const v = this.value(FIELD_INDEX[field], i);
    return Number.isNaN(v) ? undefined : v;
  }

  /** Reading `i`'s time as written (ISO 8601), or undefined. */
  time(i: number): string | undefined {
    if (this.times === null) return undefined;
    const ms = this.times.get(i);
    return Number.isNaN(ms) ? this.oddTimes?.get(i) : isoFromEpochMs(ms);
  }

  /** Reading `i`'s time in epoch milliseconds (isoEpochMs of its time), NaN when it has none. */
  timeMs(i: number): number {
    if (this.times === null) return NaN;
    const ms = this.times.get(i);
    if (!Number.isNaN(ms)) return ms;
    const odd = this.oddTimes?.get(i);
    return odd === undefined ? NaN : isoEpochMs(odd);
  }

  /**
   * Reading `i`'s time in epoch milliseconds when it is held in canonical form; NaN when it has
   * no time or a time kept as written (see oddTime).
   */
  canonicalTimeMs(i: number): number {
    return this.times === null ? NaN : this.times.get(i);
  }

  /** Whether reading `i` has a time not in canonical form (kept as written). */
  oddTime(i: number): boolean {
    return this.oddTimes?.has(i) ?? false;
  }

  /**
   * The earliest and latest time, as text, of the readings whose byte in `skip` is zero (of all
   * readings without `skip`): what comparing every time as text gives, while only two are written
   * out (canonical times order as text as their milliseconds do).
   */
  timeSpan(skip?: Uint8Array): { start: string; end: string } | null {
    if (this.times === null) return null;
    let min = Infinity;
    let max = -Infinity;
    for (let b = 0; b < this.times.blocks.length; b++) {
      const block = this.times.blocks[b];
      const offset = b << BLOCK_BITS;
      const n = Math.min(BLOCK, this.length - offset);
      for (let j = 0; j < n; j++) {
        const ms = block[j];
        if (ms < min && (skip === undefined || skip[offset + j] === 0)) min = ms;
        if (ms > max && (skip === undefined || skip[offset + j] === 0)) max = ms;
      }
    }
    let start = min === Infinity ? null : isoFromEpochMs(min);
    let end = max === -Infinity ? null : isoFromEpochMs(max);
    for (const [i, t] of this.oddTimes ?? []) {
      if (skip !== undefined && skip[i] !== 0) continue;
      if (start === null || t < start) start = t;
      if (end === null || t > end) end = t;
    }
    return start !== null && end !== null ? { start, end } : null;
  }

  fix(i: number): string | undefined {
    return this.fixes === null ? undefined : this.fixes[i];
  }

  extensionsAt(i: number): Record<string, number | string> | undefined {
    return this.extensions?.get(i);
  }
}

/**
 * Up to a block's worth of one segment's readings, as ReadingColumns.handOver gives them to
 * another thread: the column arrays themselves (to be transferred, not copied) and the rare
 * per-reading values by index.
 */
export interface ColumnsBlock {
  /** Index in the segment of the block's first reading: a multiple of the block size. */
  start: number;
  length: number;
  /** Seq of the first reading, which the others follow one by one unless `seqs` is given. */
  firstSeq: number;
  seqs: Float64Array | null;
  lons: Float64Array;
  lats: Float64Array;
  numbers: Partial<Record<NumericField, Float64Array>>;
  times: Float64Array | null;
  oddTimes: [number, string][] | null;
  fixes: (string | undefined)[] | null;
  extensions: [number, Record<string, number | string>][] | null;
}

/**
 * A reading's extensions as parsers make them, without a prototype (a vendor tag named
 * `constructor` is data): a structured clone across threads gives them Object's prototype.
 */
export function bareExtensions(ext: Record<string, number | string>): Record<string, number | string> {
  return Object.assign(Object.create(null) as Record<string, number | string>, ext);
}

/** The arrays of blocks, to transfer with them rather than copy. */
export function blockBuffers(blocks: readonly ColumnsBlock[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const b of blocks) {
    for (const a of [b.seqs, b.lons, b.lats, b.times, ...Object.values(b.numbers)]) if (a && a.byteLength > 0) buffers.push(a.buffer as ArrayBuffer);
  }
  return buffers;
}

/** A segment's readings as a parser hands them over: objects, or columns (GPX, for long walks). */
export type ReadingSegment = readonly Reading[] | ReadingColumns;

/** Reading `i` of a segment, whichever way it is held. */
export function readingAt(segment: ReadingSegment, i: number): Reading {
  return segment instanceof ReadingColumns ? segment.at(i) : segment[i];
}
