import { Readable } from 'node:stream';
import { dropReasonOf, KEPT, verdictOf, type CleanedReading, type CleanedSegment } from './clean.js';
import { ReadingColumns, type Reading, type ReadingSegment } from './readings.js';

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

/** Rows per piece of COPY data: large enough that stream overhead vanishes, small enough to stay a few hundred kB. */
export const ROWS_PER_PIECE = 2000;

/**
 * The readings of one track, segment after segment, as a stream of COPY text, produced a piece
 * at a time as the database takes them, so encoding never holds more than one piece in memory.
 */
export function readingCopyStream(uploadId: string, trackId: number, segments: readonly CleanedSegment[], encoding: PointEncoding): Readable {
  const prefix = copyRowPrefix(uploadId, trackId);
  function* pieces(): Generator<string> {
    for (const { readings, verdicts } of segments) {
      for (let start = 0; start < readings.length; start += ROWS_PER_PIECE) {
        yield segmentCopyText(prefix, readings, start, Math.min(readings.length, start + ROWS_PER_PIECE), (i) => verdicts[i], encoding);
      }
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}

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
