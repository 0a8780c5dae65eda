import { Readable } from 'node:stream';
import type { CleanedReading } from './clean.js';

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
  return value === undefined ? NULL : String(value);
}

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
  return [
    uploadId,
    trackId,
    r.seq,
    r.time ?? NULL,
    copyPoint(r.lon, r.lat, encoding),
    copyNumber(r.ele),
    copyNumber(r.hdop),
    copyNumber(r.vdop),
    copyNumber(r.pdop),
    r.sat === undefined ? NULL : Math.round(r.sat),
    copyText(r.fix),
    r.extensions ? copyText(JSON.stringify(r.extensions)) : NULL,
    r.kept ? 't' : 'f',
    copyText(r.dropReason),
  ].join('\t') + '\n';
}

/** Rows per piece of COPY data: large enough that stream overhead vanishes, small enough to stay a few hundred kB. */
const ROWS_PER_PIECE = 2000;

/**
 * The readings of one track as a stream of COPY text, produced a piece at a time as the
 * database takes them, so encoding never holds more than one piece in memory.
 */
export function readingCopyStream(uploadId: string, trackId: number, readings: CleanedReading[], encoding: PointEncoding): Readable {
  function* pieces(): Generator<string> {
    for (let start = 0; start < readings.length; start += ROWS_PER_PIECE) {
      const end = Math.min(readings.length, start + ROWS_PER_PIECE);
      let piece = '';
      for (let i = start; i < end; i++) piece += readingCopyRow(uploadId, trackId, readings[i], encoding);
      yield piece;
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}

/** First and last time among the kept readings (ISO 8601 UTC strings sort as text), without sorting them all. */
export function keptTimeSpan(readings: CleanedReading[]): { kept: number; start: string | null; end: string | null } {
  let kept = 0;
  let start: string | null = null;
  let end: string | null = null;
  for (const r of readings) {
    if (!r.kept) continue;
    kept++;
    const t = r.time;
    if (t === undefined) continue;
    if (start === null || t < start) start = t;
    if (end === null || t > end) end = t;
  }
  return { kept, start, end };
}
