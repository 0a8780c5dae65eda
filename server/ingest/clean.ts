import { FIELD_INDEX, isoEpochMs, ReadingColumns, readingAt, type Reading, type ReadingSegment } from './readings.js';

/** Why a reading was left out of a track's line. Stored with the reading, so nothing is lost. */
export type DropReason =
  | 'invalid_fix'
  | 'out_of_range'
  | 'null_island'
  | 'high_hdop'
  | 'low_accuracy'
  | 'speed_spike'
  | 'duplicate'
  | 'time_out_of_order';

/** Every reason, in the order the report lists them. */
export const DROP_REASONS: readonly DropReason[] = [
  'invalid_fix',
  'out_of_range',
  'null_island',
  'high_hdop',
  'low_accuracy',
  'speed_spike',
  'duplicate',
  'time_out_of_order',
];

/** A reading with the cleaning verdict; dropped readings are kept in the list so the report can show them. */
export type CleanedReading = Reading & { kept: boolean; dropReason?: DropReason };

/**
 * A segment's verdicts, one byte per reading: KEPT, or the dropped reading's reason as its
 * place in DROP_REASONS plus one. Ingest keeps these next to the parsed readings instead of a
 * cleaned copy of every reading.
 */
export type Verdicts = Uint8Array;
export const KEPT = 0;

/** A segment as read, with its verdicts: what ingest stores and previews. */
export interface CleanedSegment {
  readings: ReadingSegment;
  verdicts: Verdicts;
}

/** The reason a verdict stands for; undefined for a kept reading. */
export function dropReasonOf(verdict: number): DropReason | undefined {
  return verdict === KEPT ? undefined : DROP_REASONS[verdict - 1];
}

/** The verdict of a reading kept (no reason) or dropped for `reason`. */
export function verdictOf(reason: DropReason | undefined): number {
  return reason === undefined ? KEPT : DROP_REASONS.indexOf(reason) + 1;
}

/** Thresholds for one survey; the defaults suit a mapper walking with a handheld GPS. */
export interface CleaningOptions {
  /** Fixes with a larger horizontal dilution of precision are too uncertain to draw a boundary with. */
  maxHdop?: number;
  /** Fixes whose reported accuracy is worse than this many metres are dropped. */
  maxAccuracyM?: number;
  /** Fastest plausible walking speed; a fix that needs more than this to reach and to leave is a spike. */
  maxSpeedMps?: number;
  /** Fixes this close to 0°, 0° are a device's "no position yet" placeholder, not a place in Laos. */
  nullIslandRadiusM?: number;
  /** Distance a fix may be off its neighbours from ordinary GPS noise before it can count as a spike. */
  spikeToleranceM?: number;
  /** Without times: how many typical steps away from both neighbours a fix must be to count as a spike. */
  spikeSpacingFactor?: number;
}

/** Thresholds used for any option left out. */
export const CLEANING_DEFAULTS: Required<CleaningOptions> = {
  maxHdop: 5,
  maxAccuracyM: 30,
  maxSpeedMps: 4,
  nullIslandRadiusM: 1000,
  spikeToleranceM: 30,
  spikeSpacingFactor: 10,
};

/** Mean Earth radius (IUGG), the same one Turf uses, so distances agree with the rest of Tessera. */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;
const LAT_DEGREE_M = EARTH_RADIUS_M * RAD;
const KEPT_FIELD = { kept: true } as const;
/** Bounds the repeat of the sequence checks, so a crafted file cannot make cleaning quadratic. */
const MAX_PASSES = 20;

/** Great-circle distance in metres between two positions in degrees. */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Marks which readings of one segment belong in the walked line and why the others do not.
 * Per-fix checks come first (fix type, range, null island, HDOP, accuracy); then, along the
 * readings kept so far: exact duplicates, times running backwards, and one-fix spikes. A spike
 * must be implausibly far from both its kept predecessor and its successor while the
 * predecessor and successor are plausibly close to each other, so a logger that was off for a
 * while (one long leg, then normal steps) is never mistaken for a spike. The sequence checks are
 * repeated over the kept readings until nothing changes (usually the second pass confirms the
 * first), so cleaning its own output drops nothing. The input is never modified. Returns one
 * verdict per reading.
 */
export function cleanSegment(readings: ReadingSegment, opts: CleaningOptions = {}): Verdicts {
  const o = { ...CLEANING_DEFAULTS, ...definedOnly(opts) };
  const track = toTrackArrays(readings, o);
  let candidates = keptIndices(track.reasons);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (dropAlongTrack(track, candidates, o) === 0) break;
    candidates = keptIndices(track.reasons);
    track.spacingM = undefined;
  }
  return track.reasons;
}

/**
 * The readings of one segment, each copied with its verdict (see cleanSegment): for callers
 * that want objects, such as derivation from a few walks. The input is never modified.
 */
export function cleanReadings(readings: ReadingSegment, opts: CleaningOptions = {}): CleanedReading[] {
  const verdicts = cleanSegment(readings, opts);
  const cleaned = new Array<CleanedReading>(readings.length);
  for (let i = 0; i < readings.length; i++) {
    const r = readingAt(readings, i);
    const dropReason = dropReasonOf(verdicts[i]);
    // Object.assign rather than spread: V8 copies a million readings about twice as fast this way.
    cleaned[i] = dropReason === undefined ? Object.assign({}, r, KEPT_FIELD) : Object.assign({}, r, { kept: false, dropReason });
  }
  return cleaned;
}

/** Report counts from the verdicts of one or more segments, as summariseCleaning counts cleaned readings. */
export function summariseVerdicts(segments: readonly Verdicts[]): ReturnType<typeof summariseCleaning> {
  const counts = new Array<number>(DROP_REASONS.length + 1).fill(0);
  let read = 0;
  for (const verdicts of segments) {
    read += verdicts.length;
    for (let i = 0; i < verdicts.length; i++) counts[verdicts[i]]++;
  }
  const dropped = Object.fromEntries(DROP_REASONS.map((r, k) => [r, counts[k + 1]])) as Record<DropReason, number>;
  return { read, kept: counts[KEPT], dropped };
}

/** Counts for the upload report: how many readings were read, kept, and dropped for each reason. */
export function summariseCleaning(cleaned: CleanedReading[]): {
  read: number;
  kept: number;
  dropped: Record<DropReason, number>;
} {
  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  let kept = 0;
  for (const r of cleaned) {
    if (r.kept) kept++;
    else if (r.dropReason !== undefined) dropped[r.dropReason]++;
  }
  return { read: cleaned.length, kept, dropped };
}

function definedOnly(opts: CleaningOptions): CleaningOptions {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as CleaningOptions;
}

const V_INVALID_FIX = verdictOf('invalid_fix');
const V_OUT_OF_RANGE = verdictOf('out_of_range');
const V_NULL_ISLAND = verdictOf('null_island');
const V_HIGH_HDOP = verdictOf('high_hdop');
const V_LOW_ACCURACY = verdictOf('low_accuracy');
const V_SPEED_SPIKE = verdictOf('speed_spike');
const V_DUPLICATE = verdictOf('duplicate');
const V_TIME_OUT_OF_ORDER = verdictOf('time_out_of_order');

const { hdop: HDOP, accuracy: ACCURACY } = FIELD_INDEX;

/** Checks that need only the reading itself; KEPT when it passes them all. */
function fixVerdict(
  fix: string | undefined,
  lon: number,
  lat: number,
  hdop: number | undefined,
  accuracy: number | undefined,
  o: Required<CleaningOptions>,
): number {
  if (fix !== undefined && fix.toLowerCase() === 'none') return V_INVALID_FIX;
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    return V_OUT_OF_RANGE;
  }
  // Cheap bounding test first: a degree is at least 111 km of latitude, so most fixes skip the trigonometry.
  if (Math.abs(lat) * LAT_DEGREE_M <= o.nullIslandRadiusM && distanceM(0, 0, lon, lat) <= o.nullIslandRadiusM) {
    return V_NULL_ISLAND;
  }
  if (hdop !== undefined && hdop > o.maxHdop) return V_HIGH_HDOP;
  if (accuracy !== undefined && accuracy > o.maxAccuracyM) return V_LOW_ACCURACY;
  return KEPT;
}

/**
 * A reading's verdict from the checks that need only the reading itself (fix type, range, null
 * island, HDOP, accuracy), with these options. The sequence checks of cleanSegment only drop
 * readings these keep, so a reading stored with this verdict before its segment is complete
 * needs amending only where cleanSegment's verdict differs.
 */
export function fixVerdicts(opts: CleaningOptions = {}): (readings: ReadingSegment, i: number) => number {
  const o = { ...CLEANING_DEFAULTS, ...definedOnly(opts) };
  return (readings, i) => {
    if (readings instanceof ReadingColumns) {
      // NaN for an absent HDOP or accuracy fails every comparison, as undefined does.
      return fixVerdict(readings.fix(i), readings.lon(i), readings.lat(i), readings.value(HDOP, i), readings.value(ACCURACY, i), o);
    }
    const r = readings[i];
    return fixVerdict(r.fix, r.lon, r.lat, r.hdop, r.accuracy, o);
  };
}

/**
 * The readings as flat arrays, with the verdict so far: the sequence checks look at each
 * position and time several times, and a million readings must clean in well under a second.
 */
interface TrackArrays {
  lon: (i: number) => number;
  lat: (i: number) => number;
  /** Epoch milliseconds, NaN when the reading has no time. */
  time: (i: number) => number;
  reasons: Verdicts;
  /** Typical step between fixes, worked out only when an untimed pair needs it. */
  spacingM: number | undefined;
}

function toTrackArrays(readings: ReadingSegment, o: Required<CleaningOptions>): TrackArrays {
  const n = readings.length;
  const reasons = new Uint8Array(n);
  if (readings instanceof ReadingColumns) {
    // Read in place: copying a million positions and times would cost more memory than the columns.
    for (let i = 0; i < n; i++) {
      reasons[i] = fixVerdict(readings.fix(i), readings.lon(i), readings.lat(i), readings.value(HDOP, i), readings.value(ACCURACY, i), o);
    }
    return { lon: (i) => readings.lon(i), lat: (i) => readings.lat(i), time: (i) => readings.timeMs(i), reasons, spacingM: undefined };
  }
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = readings[i];
    lon[i] = r.lon;
    lat[i] = r.lat;
    time[i] = r.time === undefined ? NaN : isoEpochMs(r.time);
    reasons[i] = fixVerdict(r.fix, r.lon, r.lat, r.hdop, r.accuracy, o);
  }
  return { lon: (i) => lon[i], lat: (i) => lat[i], time: (i) => time[i], reasons, spacingM: undefined };
}

function keptIndices(reasons: Verdicts): Int32Array {
  let count = 0;
  for (let i = 0; i < reasons.length; i++) if (reasons[i] === KEPT) count++;
  const kept = new Int32Array(count);
  for (let i = 0, k = 0; i < reasons.length; i++) if (reasons[i] === KEPT) kept[k++] = i;
  return kept;
}

/**
 * The median distance between consecutive distinct positions: what one logging step looks like
 * on this track, for judging spikes when there are no times. NaN when there are too few steps.
 */
function typicalSpacingM(track: TrackArrays, candidates: Int32Array): number {
  const steps = new Float64Array(Math.max(0, candidates.length - 1));
  let count = 0;
  for (let k = 1; k < candidates.length; k++) {
    const a = candidates[k - 1];
    const b = candidates[k];
    const d = distanceM(track.lon(a), track.lat(a), track.lon(b), track.lat(b));
    if (d > 0) steps[count++] = d;
  }
  if (count < 3) return NaN;
  const sorted = steps.subarray(0, count).sort();
  return sorted[count >> 1];
}

/** One pass of the sequence checks over the candidate readings; returns how many it dropped. */
function dropAlongTrack(track: TrackArrays, candidates: Int32Array, o: Required<CleaningOptions>): number {
  const { lon, lat, time, reasons } = track;
  let dropped = 0;
  let prev = -1;
  for (let k = 0; k < candidates.length; k++) {
    const i = candidates[k];
    if (prev >= 0) {
      let reason = KEPT;
      if (lon(i) === lon(prev) && lat(i) === lat(prev) && sameTime(time(i), time(prev))) reason = V_DUPLICATE;
      else if (time(i) < time(prev)) reason = V_TIME_OUT_OF_ORDER;
      else if (isSpike(track, candidates, k, prev, o)) reason = V_SPEED_SPIKE;
      if (reason !== KEPT) {
        reasons[i] = reason;
        dropped++;
        continue;
      }
    }
    prev = i;
  }
  return dropped;
}

function sameTime(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Whether candidate `k` is a lone fix far off the line: too far to have walked to from the kept
 * predecessor and back to the successor, while predecessor and successor are within reach of each
 * other. The successor is the next candidate that is neither an exact repeat nor earlier in time,
 * since those would be dropped as duplicates or out of order rather than walked to.
 */
function isSpike(track: TrackArrays, candidates: Int32Array, k: number, prev: number, o: Required<CleaningOptions>): boolean {
  const { lon, lat, time } = track;
  const i = candidates[k];
  const toHere = distanceM(lon(prev), lat(prev), lon(i), lat(i));
  if (toHere <= o.spikeToleranceM || !unreachable(track, prev, i, toHere, candidates, o)) return false;
  let next = -1;
  for (let m = k + 1; m < candidates.length; m++) {
    const j = candidates[m];
    if ((lon(j) === lon(i) && lat(j) === lat(i) && sameTime(time(j), time(i))) || time(j) < time(i)) continue;
    next = j;
    break;
  }
  if (next < 0) return false;
  const onward = distanceM(lon(i), lat(i), lon(next), lat(next));
  if (!unreachable(track, i, next, onward, candidates, o)) return false;
  const across = distanceM(lon(prev), lat(prev), lon(next), lat(next));
  return !unreachable(track, prev, next, across, candidates, o);
}

/**
 * Whether a walker could not have covered `d` metres from reading `a` to reading `b`: by walking
 * speed when both have times, else by the track's usual step (never, when that is unknown).
 */
function unreachable(
  track: TrackArrays,
  a: number,
  b: number,
  d: number,
  candidates: Int32Array,
  o: Required<CleaningOptions>,
): boolean {
  const seconds = (track.time(b) - track.time(a)) / 1000;
  if (seconds >= 0) return d > o.maxSpeedMps * seconds + o.spikeToleranceM;
  track.spacingM ??= typicalSpacingM(track, candidates);
  return d > Math.max(o.spikeSpacingFactor * track.spacingM, o.spikeToleranceM);
}
