import { dropReasonOf, KEPT, verdictOf, type CleanedReading, type CleanedSegment } from './clean.js';
import { FIELD_INDEX, isCanonicalTime, isoEpochMs, ReadingColumns, type Reading, type ReadingSegment } from './readings.js';

/**
 * How a reading's point is written in a COPY row. Hex EWKB is what PostGIS parses fastest
 * (no number parsing on the server, see BENCHMARKS.md); EWKT is kept to measure it against.
 */
export type PointEncoding = 'ewkb' | 'ewkt';

/** The `reading` columns a COPY row fills, in row order; COPY statements name them in this order. */
export const READING_COPY_COLUMNS = [
  'upload_id', 'track_id', 'seq', 'taken_at', 'geom', 'elevation', 'hdop', 'vdop', 'pdop',
  'satellites', 'fix', 'extensions', 'kept', 'drop_reason',
] as const;

const NULL = '\\N';
/** Characters COPY's text format gives a meaning to: they must be escaped inside a value. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value for COPY's text format: NULL as `\N`, and backslash, tab, newline and CR escaped. */
export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]) : value;
}

/**
 * A float8 value: JavaScript's shortest round-trip decimal, which PostgreSQL reads back to the
 * same double, so COPY stores exactly what the parameterised path stored.
 */
function copyNumber(value: number | undefined): string {
  if (value === undefined) return NULL;
  let text = NUMBER_TEXT.get(value);
  if (text === undefined) {
    if (NUMBER_TEXT.size >= NUMBER_TEXT_MAX) NUMBER_TEXT.clear();
    text = String(value);
    NUMBER_TEXT.set(value, text);
  }
  return text;
}

/**
 * Texts of numbers already written: a logger's elevations, dilutions and satellite counts take
 * a few thousand values over a million readings, and writing a double as its shortest decimal
 * was the largest cost of encoding. Bounded, so noisy values cannot make it grow without end.
 * (The map's key equality makes -0 and 0 one entry; both are written `0`.)
 */
const NUMBER_TEXT = new Map<number, string>();
const NUMBER_TEXT_MAX = 16_384;

// One scratch buffer for EWKB points: little-endian, type Point with the SRID flag, SRID 4326, x, y.
const EWKB = Buffer.alloc(25);
EWKB.writeUInt8(1, 0);
EWKB.writeUInt32LE(0x20000001, 1);
EWKB.writeUInt32LE(4326, 5);

/** A WGS84 point as hex EWKB, or as EWKT, for the geometry column of a COPY row. */
export function copyPoint(lon: number, lat: number, encoding: PointEncoding): string {
  if (encoding === 'ewkt') return `SRID=4326;POINT(${lon} ${lat})`;
  EWKB.writeDoubleLE(lon, 9);
  EWKB.writeDoubleLE(lat, 17);
  return EWKB.toString('hex');
}

/**
 * One reading as a line of COPY text, values in READING_COPY_COLUMNS order. Satellites are
 * rounded as the column is an integer; extensions go in as JSON, escaped like any text.
 */
export function readingCopyRow(uploadId: string, trackId: number, r: CleanedReading, encoding: PointEncoding): string {
  return objectRow(`${uploadId}\t${trackId}\t`, r, r.kept ? KEPT : verdictOf(r.dropReason), encoding);
}

/** The end of every row, after drop_reason's column start, by verdict: `t\t\N` or `f\t<reason>`. */
const VERDICT_TAILS: string[] = Array.from({ length: 9 }, (_, v) => (v === KEPT ? `t\t${NULL}\n` : `f\t${copyText(dropReasonOf(v))}\n`));

/** A row from its values, `prefix` being the upload and track columns with their tabs. */
function copyRow(
  prefix: string,
  seq: number,
  time: string | undefined,
  lon: number,
  lat: number,
  ele: number | undefined,
  hdop: number | undefined,
  vdop: number | undefined,
  pdop: number | undefined,
  sat: number | undefined,
  fix: string | undefined,
  extensions: Record<string, number | string> | undefined,
  verdict: number,
  encoding: PointEncoding,
): string {
  // Plain concatenation: a row is built a million times, and an array join per row costs a third more.
  return prefix + seq + '\t' + (time ?? NULL) + '\t' + copyPoint(lon, lat, encoding) + '\t' +
    copyNumber(ele) + '\t' + copyNumber(hdop) + '\t' + copyNumber(vdop) + '\t' + copyNumber(pdop) + '\t' +
    (sat === undefined ? NULL : Math.round(sat)) + '\t' + copyText(fix) + '\t' +
    (extensions ? copyText(JSON.stringify(extensions)) : NULL) + '\t' + VERDICT_TAILS[verdict];
}

function objectRow(prefix: string, r: Reading, verdict: number, encoding: PointEncoding): string {
  return copyRow(prefix, r.seq, r.time, r.lon, r.lat, r.ele, r.hdop, r.vdop, r.pdop, r.sat, r.fix, r.extensions, verdict, encoding);
}

/** Row `i` of a segment held as columns, read from the columns without making a Reading. */
function columnsRow(prefix: string, c: ReadingColumns, i: number, verdict: number, encoding: PointEncoding): string {
  return copyRow(prefix, c.seq(i), c.time(i), c.lon(i), c.lat(i), c.number('ele', i), c.number('hdop', i), c.number('vdop', i),
    c.number('pdop', i), c.number('sat', i), c.fix(i), c.extensionsAt(i), verdict, encoding);
}

/** The start of every row of one track: its upload and track columns with their tabs. */
export function copyRowPrefix(uploadId: string, trackId: number): string {
  return `${uploadId}\t${trackId}\t`;
}

/** Readings `start` to `end` of a segment as COPY text, each with the verdict `verdictAt` gives it. */
export function segmentCopyText(
  prefix: string,
  readings: ReadingSegment,
  start: number,
  end: number,
  verdictAt: (i: number) => number,
  encoding: PointEncoding,
): string {
  let text = '';
  if (readings instanceof ReadingColumns) {
    for (let i = start; i < end; i++) text += columnsRow(prefix, readings, i, verdictAt(i), encoding);
  } else {
    for (let i = start; i < end; i++) text += objectRow(prefix, readings[i], verdictAt(i), encoding);
  }
  return text;
}

/**
 * COPY's binary format: PostgreSQL takes each value as stored (a double's 8 bytes, a time's
 * microseconds, a point's EWKB) instead of reading it from text, which was most of the
 * server's share of storing a long walk. A piece of rows is written only when binary stores
 * what text would (binaryRowsOk); the values are those copyRow writes as text.
 */
export const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** 2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps, in Unix milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;
/** 0001-01-01T00:00:00Z: PostgreSQL refuses year 0000 as text, so such times never go in binary. */
const YEAR_ONE_MS = -62_135_596_800_000;
const INT4_MAX = 2_147_483_647;
const TWO_32 = 4_294_967_296;
const MAX_SAFE_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/**
 * Whether readings `start` to `end` store the same in binary as in text: each time, if any, is
 * canonical (as PostgreSQL reads the text, to the microsecond) and not before year 1, and each
 * satellite count fits the integer column. Other rows go as text, where PostgreSQL judges them.
 */
export function binaryRowsOk(readings: ReadingSegment, start: number, end: number): boolean {
  if (readings instanceof ReadingColumns) {
    for (let i = start; i < end; i++) {
      if (readings.oddTime(i) || readings.canonicalTimeMs(i) < YEAR_ONE_MS || !satelliteFits(readings.number('sat', i))) return false;
    }
    return true;
  }
  for (let i = start; i < end; i++) {
    const { time, sat } = readings[i];
    if (time !== undefined) {
      const ms = isoEpochMs(time);
      if (!isCanonicalTime(time, ms) || ms < YEAR_ONE_MS) return false;
    }
    if (!satelliteFits(sat)) return false;
  }
  return true;
}

function satelliteFits(sat: number | undefined): boolean {
  return sat === undefined || Math.abs(Math.round(sat)) <= INT4_MAX;
}

/**
 * A growing buffer of binary COPY rows. Fixed-size writes (int32, float8...) do not grow it:
 * reserve room for them first; text and bytes grow it themselves. Numbers go through a DataView,
 * which V8 compiles to plain stores: Buffer's write methods cost about twice as much per row.
 */
export class BinaryRows {
  buf: Buffer;
  view: DataView;
  at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.view = viewOf(this.buf);
  }

  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
    this.view = viewOf(bigger);
  }

  /** The start of a row: its column count. */
  row(columns: number): void {
    this.view.setInt16(this.at, columns);
    this.at += 2;
  }

  int32(v: number): void {
    this.view.setInt32(this.at, v);
    this.at += 4;
  }

  null(): void {
    this.int32(-1);
  }

  /** An int4 value, or NULL. */
  int4(v: number | null): void {
    if (v === null) return this.null();
    this.int32(4);
    this.int32(v);
  }

  bool(v: boolean): void {
    this.int32(1);
    this.buf[this.at++] = v ? 1 : 0;
  }

  float8(v: number | undefined): void {
    if (v === undefined) return this.null();
    this.int32(8);
    // Text writes -0 as `0`: store what text stores.
    this.view.setFloat64(this.at, v === 0 ? 0 : v);
    this.at += 8;
  }

  /** A float8 value, or NULL for NaN (how ReadingColumns says "absent"). */
  float8OrNull(v: number): void {
    if (Number.isNaN(v)) this.null();
    else this.float8(v);
  }

  /** A safe integer as int8, without a BigInt for each. */
  int8(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.view.setInt32(this.at, hi);
    this.view.setUint32(this.at + 4, v - hi * TWO_32);
    this.at += 8;
  }

  /** Whole milliseconds as int8 microseconds, exactly even where the product passes 2^53. */
  micros(ms: number): void {
    if (Math.abs(ms) <= MAX_SAFE_MS) this.int8(ms * 1000);
    else {
      this.view.setBigInt64(this.at, BigInt(ms) * 1000n);
      this.at += 8;
    }
  }

  /** A UTF-8 text value; `prefix` bytes (jsonb's version) go before it. */
  text(s: string | undefined, prefix?: number): void {
    if (s === undefined) return this.null();
    const n = Buffer.byteLength(s) + (prefix === undefined ? 0 : 1);
    this.room(4 + n);
    this.int32(n);
    if (prefix !== undefined) this.buf[this.at++] = prefix;
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  /** A WGS84 point as EWKB (little-endian, SRID 4326) with its length: 29 bytes, room reserved. */
  point(lon: number, lat: number): void {
    const { view, at } = this;
    view.setInt32(at, 25);
    view.setUint8(at + 4, 1);
    view.setUint32(at + 5, 0x20000001, true);
    view.setUint32(at + 9, 4326, true);
    view.setFloat64(at + 13, lon, true);
    view.setFloat64(at + 21, lat, true);
    this.at = at + 29;
  }
}

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The start of every binary row of one track: the column count, the upload's uuid and the track id. */
export function binaryRowPrefix(uploadId: string, trackId: number): Buffer {
  const rows = new BinaryRows(34);
  rows.row(READING_COPY_COLUMNS.length);
  rows.int32(16);
  rows.bytes(Buffer.from(uploadId.replace(/-/g, ''), 'hex'));
  rows.int32(8);
  rows.int8(trackId);
  return rows.buf.subarray(0, rows.at);
}

/** The end of a binary row, by verdict: kept, then drop_reason. */
const BINARY_VERDICT_TAILS: Buffer[] = Array.from({ length: 9 }, (_, v) => {
  const reason = dropReasonOf(v);
  const rows = new BinaryRows(64);
  rows.bool(v === KEPT);
  rows.text(reason);
  return Buffer.from(rows.buf.subarray(0, rows.at));
});

/** Fixed-size part of a binary row after its prefix: seq, time, point, four doubles, satellites. */
const BINARY_ROW_FIXED = 8 + 12 + 29 + 4 * 12 + 8;

/** Readings `start` to `end` of a segment as binary COPY rows (binaryRowsOk must hold for them). */
export function segmentCopyBinary(prefix: Buffer, readings: ReadingSegment, start: number, end: number, verdictAt: (i: number) => number): Buffer {
  const rows = new BinaryRows((end - start) * (prefix.length + BINARY_ROW_FIXED + 32) + 64);
  if (readings instanceof ReadingColumns) {
    for (let i = start; i < end; i++) {
      rows.room(prefix.length + BINARY_ROW_FIXED + 8);
      rows.bytes(prefix);
      rows.int32(4);
      rows.int32(readings.seq(i));
      binaryTime(rows, readings.canonicalTimeMs(i));
      rows.point(readings.lon(i), readings.lat(i));
      rows.float8OrNull(readings.value(ELE, i));
      rows.float8OrNull(readings.value(HDOP, i));
      rows.float8OrNull(readings.value(VDOP, i));
      rows.float8OrNull(readings.value(PDOP, i));
      binarySatellites(rows, readings.value(SAT, i));
      rows.text(readings.fix(i));
      const ext = readings.extensionsAt(i);
      rows.text(ext === undefined ? undefined : JSON.stringify(ext), 1);
      rows.bytes(BINARY_VERDICT_TAILS[verdictAt(i)]);
    }
    return rows.buf.subarray(0, rows.at);
  }
  for (let i = start; i < end; i++) {
    const r = readings[i];
    rows.room(prefix.length + BINARY_ROW_FIXED + 8);
    rows.bytes(prefix);
    rows.int32(4);
    rows.int32(r.seq);
    binaryTime(rows, r.time === undefined ? NaN : isoEpochMs(r.time));
    rows.point(r.lon, r.lat);
    rows.float8(r.ele);
    rows.float8(r.hdop);
    rows.float8(r.vdop);
    rows.float8(r.pdop);
    binarySatellites(rows, r.sat ?? NaN);
    rows.text(r.fix);
    rows.text(r.extensions === undefined ? undefined : JSON.stringify(r.extensions), 1);
    rows.bytes(BINARY_VERDICT_TAILS[verdictAt(i)]);
  }
  return rows.buf.subarray(0, rows.at);
}

const { ele: ELE, hdop: HDOP, vdop: VDOP, pdop: PDOP, sat: SAT } = FIELD_INDEX;

/** A reading's time (epoch milliseconds, NaN for none) as timestamptz. */
function binaryTime(rows: BinaryRows, ms: number): void {
  if (Number.isNaN(ms)) {
    rows.null();
  } else {
    rows.int32(8);
    rows.micros(ms - PG_EPOCH_MS);
  }
}

/** The satellite count (NaN for none) as int4, rounded: the column holds whole satellites. */
function binarySatellites(rows: BinaryRows, sat: number): void {
  if (Number.isNaN(sat)) {
    rows.null();
  } else {
    rows.int32(4);
    rows.int32(Math.round(sat));
  }
}

/** Rows per piece of COPY data: large enough that stream overhead vanishes, small enough to stay a few hundred kB. */
export const ROWS_PER_PIECE = 2000;

/** First and last time among the kept readings (ISO 8601 UTC strings sort as text), without sorting them all. */
export function keptTimeSpan(segments: readonly CleanedSegment[]): { kept: number; start: string | null; end: string | null } {
  let kept = 0;
  let start: string | null = null;
  let end: string | null = null;
  const widen = (t: string | undefined) => {
    if (t === undefined) return;
    if (start === null || t < start) start = t;
    if (end === null || t > end) end = t;
  };
  for (const { readings, verdicts } of segments) {
    if (readings instanceof ReadingColumns) {
      for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === KEPT) kept++;
      const span = readings.timeSpan(verdicts);
      widen(span?.start);
      widen(span?.end);
      continue;
    }
    for (let i = 0; i < verdicts.length; i++) {
      if (verdicts[i] !== KEPT) continue;
      kept++;
      const t = readings[i].time;
      if (t === undefined) continue;
      if (start === null || t < start) start = t;
      if (end === null || t > end) end = t;
    }
  }
  return { kept, start, end };
}
