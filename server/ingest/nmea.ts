import { UserError } from '../errors.js';
import { parseNmeaAngle } from './coords.js';
import { MAX_LINE_LENGTH, readLines, type ByteSource } from './lines.js';
import type { ParsedFile, Reading } from './readings.js';
import { clip, fmtNumber, plural, WarningTally } from './warnings.js';

export interface NmeaOptions {
  fileName: string;
  maxPoints: number;
  encoding?: string;
}

const KNOT_MPS = 1852 / 3600;

/** GGA fix quality → the GPX fix vocabulary cleaning understands (`none` is dropped as invalid_fix). */
const GGA_FIX: Record<string, string | undefined> = { '0': 'none', '1': undefined, '2': 'dgps', '3': 'pps', '4': 'dgps', '5': 'dgps', '6': 'none', '7': 'none', '8': 'none' };

/** A sentence checked and split: talker-less type (`GGA`), fields after the type, and whether a checksum was present. */
export type Sentence = { type: string; fields: string[]; checked: boolean };

/**
 * One NMEA 0183 line: `$GPGGA,...*5C`, anything before the `$` (a logger's own timestamp) ignored.
 * Returns `bad-checksum` when the checksum is wrong (the bytes were damaged on the serial line)
 * and `null` when the line is not a sentence.
 */
export function parseSentence(line: string): Sentence | 'bad-checksum' | null {
  const start = line.indexOf('$');
  if (start < 0) return null;
  const body = line.slice(start + 1).trimEnd();
  const star = body.lastIndexOf('*');
  let payload = body;
  let checked = false;
  if (star >= 0) {
    const given = body.slice(star + 1);
    payload = body.slice(0, star);
    if (!/^[0-9A-Fa-f]{2}$/.test(given)) return 'bad-checksum';
    let sum = 0;
    for (let i = 0; i < payload.length; i++) sum ^= payload.charCodeAt(i);
    if (sum !== parseInt(given, 16)) return 'bad-checksum';
    checked = true;
  }
  const fields = payload.split(',');
  const address = fields.shift() ?? '';
  if (!/^[A-Z]{2}[A-Z]{3}$/.test(address)) return null;
  return { type: address.slice(2), fields, checked };
}

/** The fix being assembled from the sentences of one second. */
interface Epoch {
  clock: string;
  reading: Reading;
  date?: string;
}

/**
 * Reads an NMEA 0183 log (a GPS receiver's raw serial output, as loggers and some handhelds
 * save it): GGA gives fix quality, satellites, HDOP and altitude; RMC gives the date, validity,
 * speed and course. The GGA and RMC of the same second become one reading. A sentence whose
 * checksum is wrong is dropped and counted in the warnings; other sentence types are skipped.
 */
export async function parseNmea(input: ByteSource, opts: NmeaOptions): Promise<ParsedFile> {
  const file = opts.fileName;
  const warnings = new WarningTally();
  const readings: { reading: Reading; clock: string; date?: string }[] = [];
  let epoch: Epoch | null = null;
  let lineNo = 0;
  const flush = () => {
    if (epoch === null) return;
    if (readings.length >= opts.maxPoints) {
      throw new UserError('TOO_MANY_POINTS', `${file}: more than ${fmtNumber(opts.maxPoints)} fixes (stopped at line ${fmtNumber(lineNo)}); split the file`, [
        { file, line: lineNo, limit: opts.maxPoints },
      ]);
    }
    readings.push({ reading: epoch.reading, clock: epoch.clock, date: epoch.date });
    epoch = null;
  };
  for await (const line of readLines(input, { fileName: file, encoding: opts.encoding, maxLineLength: MAX_LINE_LENGTH })) {
    lineNo++;
    if (line.trim() === '') continue;
    const sentence = parseSentence(line);
    if (sentence === 'bad-checksum') {
      warnings.note('bad-checksum', `first at line ${fmtNumber(lineNo)}`, (n, where) =>
        `${plural(n, 'sentence was', 'sentences were')} dropped for a wrong checksum (${where})`);
      continue;
    }
    if (sentence === null) {
      warnings.note('not-nmea', `first at line ${fmtNumber(lineNo)}: '${clip(line.trim())}'`, (n, where) =>
        `${plural(n, 'line is', 'lines are')} not NMEA sentences and ${n === 1 ? 'was' : 'were'} skipped (${where})`);
      continue;
    }
    if (sentence.type !== 'GGA' && sentence.type !== 'RMC') continue;
    if (!sentence.checked) {
      warnings.note('no-checksum', `first at line ${fmtNumber(lineNo)}`, (n, where) =>
        `${plural(n, 'sentence has', 'sentences have')} no checksum and ${n === 1 ? 'was' : 'were'} read unverified (${where})`);
    }
    const fix = sentence.type === 'GGA' ? readGga(sentence.fields) : readRmc(sentence.fields);
    if (fix === null) {
      warnings.note('no-position', `first at line ${fmtNumber(lineNo)}`, (n, where) =>
        `${plural(n, 'sentence has', 'sentences have')} no usable position and ${n === 1 ? 'was' : 'were'} skipped (${where})`);
      continue;
    }
    if (epoch !== null && epoch.clock !== fix.clock) flush();
    if (epoch === null) {
      epoch = { clock: fix.clock, reading: { seq: readings.length, lon: fix.lon, lat: fix.lat } };
    }
    // GGA's altitude and DOP and RMC's validity complete each other; GGA's position wins (more digits on many receivers).
    const r: Reading = epoch.reading;
    if (sentence.type === 'GGA') {
      r.lon = fix.lon;
      r.lat = fix.lat;
    }
    Object.assign(r, fix.extra);
    if (fix.invalid) r.fix = 'none';
    if (fix.date !== undefined) epoch.date = fix.date;
  }
  flush();
  if (readings.length === 0) {
    throw new UserError('NO_POINTS', `${file}: no valid $GPGGA or $GPRMC sentence with a position found`, [{ file, warnings: warnings.list() }]);
  }
  datePositions(readings, warnings);
  return {
    format: 'nmea',
    tracks: [{ kind: 'track', segments: [readings.map((x) => x.reading)] }],
    waypoints: [],
    pointCount: readings.length,
    warnings: warnings.list(),
  };
}

interface Fix {
  clock: string;
  lon: number;
  lat: number;
  invalid: boolean;
  date?: string;
  extra: Partial<Reading>;
}

/** `$GPGGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,h.h,alt,M,...` */
function readGga(f: string[]): Fix | null {
  const position = readPosition(f[1], f[2], f[3], f[4]);
  if (position === null || !isClock(f[0])) return null;
  const extra: Partial<Reading> = {};
  const quality = f[5] ?? '';
  const fix = GGA_FIX[quality];
  if (fix !== undefined) extra.fix = fix;
  const sats = numberOf(f[6]);
  if (sats !== undefined) extra.sat = sats;
  const hdop = numberOf(f[7]);
  if (hdop !== undefined) extra.hdop = hdop;
  const alt = numberOf(f[8]);
  if (alt !== undefined && (f[9] ?? 'M').toUpperCase() === 'M') extra.ele = alt;
  return { clock: f[0], ...position, invalid: quality === '0', extra };
}

/** `$GPRMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,knots,course,ddmmyy,...` */
function readRmc(f: string[]): Fix | null {
  const position = readPosition(f[2], f[3], f[4], f[5]);
  if (position === null || !isClock(f[0])) return null;
  const extra: Partial<Reading> = {};
  const knots = numberOf(f[6]);
  if (knots !== undefined) extra.speed = knots * KNOT_MPS;
  const course = numberOf(f[7]);
  if (course !== undefined) extra.course = course;
  const d = /^(\d{2})(\d{2})(\d{2})$/.exec(f[8] ?? '');
  // Two-digit years: NMEA loggers in use today write 20yy; 80-99 are the GPS week-rollover era.
  let date = d ? `${Number(d[3]) >= 80 ? '19' : '20'}${d[3]}-${d[2]}-${d[1]}` : undefined;
  // Date.parse rolls 30 February over into March: a date must survive the round trip.
  if (date !== undefined && new Date(Date.parse(`${date}T00:00:00Z`) || 0).toISOString().slice(0, 10) !== date) date = undefined;
  return { clock: f[0], ...position, invalid: (f[1] ?? '').toUpperCase() !== 'A', date, extra };
}

function readPosition(lat: string | undefined, ns: string | undefined, lon: string | undefined, ew: string | undefined): { lon: number; lat: number } | null {
  const y = parseNmeaAngle(lat ?? '', ns ?? '', 'lat');
  const x = parseNmeaAngle(lon ?? '', ew ?? '', 'lon');
  return x === undefined || y === undefined ? null : { lon: x, lat: y };
}

function numberOf(s: string | undefined): number | undefined {
  if (s === undefined || !/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Gives every reading a full UTC time: RMC carries the date, GGA only the time of day. Readings
 * before the first dated one take its date; the date moves on when the clock wraps past midnight.
 * Without any RMC the readings keep no time, and the report says so.
 */
function datePositions(readings: { reading: Reading; clock: string; date?: string }[], warnings: WarningTally): void {
  const firstDated = readings.findIndex((x) => x.date !== undefined);
  if (firstDated < 0) {
    warnings.say('no-date', 'the log has no $GPRMC sentence with a date, so the readings have no times');
    return;
  }
  let day = Date.parse(`${readings[firstDated].date}T00:00:00Z`);
  // Walk back from the first dated reading, then forward, stepping a day where the clock wraps.
  let previous = seconds(readings[firstDated].clock);
  for (let i = firstDated; i >= 0; i--) {
    const s = seconds(readings[i].clock);
    if (s > previous + 12 * 3600) day -= 86_400_000;
    previous = s;
    readings[i].reading.time = new Date(day + s * 1000).toISOString();
  }
  day = Date.parse(`${readings[firstDated].date}T00:00:00Z`);
  previous = seconds(readings[firstDated].clock);
  for (let i = firstDated + 1; i < readings.length; i++) {
    const x = readings[i];
    const s = seconds(x.clock);
    if (x.date !== undefined) day = Date.parse(`${x.date}T00:00:00Z`);
    else if (s + 12 * 3600 < previous) day += 86_400_000;
    previous = s;
    x.reading.time = new Date(day + s * 1000).toISOString();
  }
}

/** `hhmmss` or `hhmmss.ss`, a real time of day (a leap second allowed). */
function isClock(s: string | undefined): s is string {
  const m = /^(\d{2})(\d{2})(\d{2})(\.\d+)?$/.exec(s ?? '');
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3]) <= 60;
}

function seconds(clock: string): number {
  return Number(clock.slice(0, 2)) * 3600 + Number(clock.slice(2, 4)) * 60 + Number(clock.slice(4));
}
