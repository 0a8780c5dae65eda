import type { Feature, FeatureCollection, LineString, Point, Position } from 'geojson';
import type { CleanedReading } from './clean.js';
import type { ParsedWaypoint, Reading } from './readings.js';

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

function thinned(readings: readonly Reading[], max: number): Position[] {
  const step = Math.max(1, Math.ceil(readings.length / max));
  const out: Position[] = [];
  for (let i = 0; i < readings.length; i += step) out.push([readings[i].lon, readings[i].lat]);
  const last = readings[readings.length - 1];
  if (last && (readings.length - 1) % step !== 0) out.push([last.lon, last.lat]);
  return out;
}

function line(coordinates: Position[], properties: PreviewProperties): Feature<LineString, PreviewProperties> | null {
  return coordinates.length >= 2 ? { type: 'Feature', geometry: { type: 'LineString', coordinates }, properties } : null;
}

/** One file's contribution to the preview: per segment, the raw and the cleaned line, then drops and waypoints. */
export function filePreview(
  file: string,
  tracks: readonly { name?: string; segments: readonly (readonly CleanedReading[])[] }[],
  waypoints: readonly ParsedWaypoint[],
): Feature<LineString | Point, PreviewProperties>[] {
  const features: Feature<LineString | Point, PreviewProperties>[] = [];
  const dropped: Feature<Point, PreviewProperties>[] = [];
  for (const track of tracks) {
    const name = track.name ? { name: track.name } : {};
    for (const segment of track.segments) {
      const raw = line(thinned(segment, PREVIEW_MAX_VERTICES), { kind: 'track_raw', file, ...name });
      const clean = line(thinned(segment.filter((r) => r.kept), PREVIEW_MAX_VERTICES), { kind: 'track_clean', file, ...name });
      if (raw) features.push(raw);
      if (clean) features.push(clean);
      for (const r of segment) {
        if (r.kept || dropped.length >= PREVIEW_MAX_DROPPED) continue;
        dropped.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.lon, r.lat] }, properties: { kind: 'dropped', file, reason: r.dropReason ?? 'dropped' } });
      }
    }
  }
  features.push(...dropped);
  for (const w of waypoints) {
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [w.lon, w.lat] }, properties: { kind: 'marker', file, ...(w.name ? { name: w.name } : {}) } });
  }
  return features;
}
