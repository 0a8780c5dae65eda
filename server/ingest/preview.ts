import type { Feature, FeatureCollection, LineString, Point, Position } from 'geojson';
import { dropReasonOf, KEPT, type CleanedSegment } from './clean.js';
import { readingAt, type ParsedWaypoint, type ReadingSegment } from './readings.js';

/** What a dry-run upload shows on the map: each walk as read and as kept, what was dropped and why, waypoints. */
export interface PreviewProperties {
  kind: 'track_raw' | 'track_clean' | 'dropped' | 'marker';
  file: string;
  name?: string;
  reason?: string;
}

export type UploadPreview = FeatureCollection<LineString | Point, PreviewProperties>;

/**
 * A preview is for the eye, not for measurement: a long logger file is thinned to this many
 * vertices per line (every nth reading, ends kept), and at most this many dropped readings
 * are drawn, so a million-point walk still previews in a browser.
 */
export const PREVIEW_MAX_VERTICES = 5_000;
export const PREVIEW_MAX_DROPPED = 2_000;

/** Every nth of the readings at `indices` (ends kept), as positions. */
function thinned(readings: ReadingSegment, indices: ArrayLike<number>, max: number): Position[] {
  const position = (k: number): Position => {
    const r = readingAt(readings, indices[k]);
    return [r.lon, r.lat];
  };
  const n = indices.length;
  const step = Math.max(1, Math.ceil(n / max));
  const out: Position[] = [];
  for (let k = 0; k < n; k += step) out.push(position(k));
  if (n > 0 && (n - 1) % step !== 0) out.push(position(n - 1));
  return out;
}

/** The indices of all readings, or of the kept ones. */
function indicesOf(verdicts: Uint8Array, keptOnly: boolean): Int32Array {
  const out = new Int32Array(verdicts.length);
  let n = 0;
  for (let i = 0; i < verdicts.length; i++) if (!keptOnly || verdicts[i] === KEPT) out[n++] = i;
  return out.subarray(0, n);
}

function line(coordinates: Position[], properties: PreviewProperties): Feature<LineString, PreviewProperties> | null {
  return coordinates.length >= 2 ? { type: 'Feature', geometry: { type: 'LineString', coordinates }, properties } : null;
}

/** One file's contribution to the preview: per segment, the raw and the cleaned line, then drops and waypoints. */
export function filePreview(
  file: string,
  tracks: readonly { name?: string; segments: readonly CleanedSegment[] }[],
  waypoints: readonly ParsedWaypoint[],
): Feature<LineString | Point, PreviewProperties>[] {
  const features: Feature<LineString | Point, PreviewProperties>[] = [];
  const dropped: Feature<Point, PreviewProperties>[] = [];
  for (const track of tracks) {
    const name = track.name ? { name: track.name } : {};
    for (const { readings, verdicts } of track.segments) {
      const raw = line(thinned(readings, indicesOf(verdicts, false), PREVIEW_MAX_VERTICES), { kind: 'track_raw', file, ...name });
      const clean = line(thinned(readings, indicesOf(verdicts, true), PREVIEW_MAX_VERTICES), { kind: 'track_clean', file, ...name });
      if (raw) features.push(raw);
      if (clean) features.push(clean);
      for (let i = 0; i < verdicts.length && dropped.length < PREVIEW_MAX_DROPPED; i++) {
        if (verdicts[i] === KEPT) continue;
        const r = readingAt(readings, i);
        dropped.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.lon, r.lat] }, properties: { kind: 'dropped', file, reason: dropReasonOf(verdicts[i]) ?? 'dropped' } });
      }
    }
  }
  features.push(...dropped);
  for (const w of waypoints) {
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [w.lon, w.lat] }, properties: { kind: 'marker', file, ...(w.name ? { name: w.name } : {}) } });
  }
  return features;
}
