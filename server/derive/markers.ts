import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { UserError } from '../errors.js';

/** A boundary marker as stored: its name (e.g. "M1", "B-03", "12") and where it stands. */
export interface BoundaryMarker {
  id: number;
  name: string | null;
  point: Position;
}

export interface MarkerRing {
  geometry: MultiPolygon;
  /** Markers in ring order, with the number read from each name. */
  used: { id: number; name: string; seq: number }[];
  problems: { kind: 'MARKER_SKIPPED' | 'MARKER_SEQUENCE_GAP'; message: string; marker_id?: number }[];
}

/** The sequence number a marker's name ends with: "M12" → 12, "B-03" → 3, "12" → 12, "Junction" → null. */
export function markerSequence(name: string | null): number | null {
  const m = /(\d{1,4})\s*$/.exec(name ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * A village polygon from its ring of boundary markers, taken in the order of the numbers in
 * their names. Markers without a number, or repeating one, are left out and listed; missing
 * numbers are listed too (a marker that was never placed or not uploaded), since the ring then
 * runs straight past it. The ring must be simple: a crossing means the numbering is wrong.
 */
export function markerPolygon(markers: BoundaryMarker[]): MarkerRing {
  const problems: MarkerRing['problems'] = [];
  const bySeq = new Map<number, BoundaryMarker>();
  for (const m of markers) {
    const seq = markerSequence(m.name);
    if (seq === null) {
      problems.push({ kind: 'MARKER_SKIPPED', message: `Marker '${m.name ?? '(unnamed)'}' has no number in its name; it is not part of the ring.`, marker_id: m.id });
    } else if (bySeq.has(seq)) {
      problems.push({ kind: 'MARKER_SKIPPED', message: `Marker '${m.name}' repeats number ${seq} (already '${bySeq.get(seq)!.name}'); it is not part of the ring.`, marker_id: m.id });
    } else bySeq.set(seq, m);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  if (seqs.length < 3) {
    throw new UserError('NOT_ENOUGH_DATA', `A marker ring needs at least 3 numbered markers (like M1, M2, M3); the area has ${seqs.length}.`, [{ numbered_markers: seqs.length }]);
  }
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i] !== seqs[i - 1] + 1) {
      problems.push({ kind: 'MARKER_SEQUENCE_GAP', message: `No marker numbered ${seqs[i - 1] + 1}${seqs[i] - seqs[i - 1] > 2 ? `-${seqs[i] - 1}` : ''}: the boundary runs straight from ${bySeq.get(seqs[i - 1])!.name} to ${bySeq.get(seqs[i])!.name}.` });
    }
  }
  const ring = seqs.map((s) => bySeq.get(s)!.point);
  ring.push(ring[0]);
  const polygon = turf.polygon([ring]);
  const kinks = turf.kinks(polygon).features;
  if (kinks.length > 0) {
    throw new UserError('GEOMETRY_INVALID', `The marker ring crosses itself near ${kinks[0].geometry.coordinates.map((c) => c.toFixed(6)).join(', ')}: check the numbering of the markers.`, [
      { at: kinks[0].geometry.coordinates },
    ]);
  }
  const rewound = turf.rewind(polygon as Feature<Polygon>, { reverse: false }) as Feature<Polygon>;
  return {
    geometry: { type: 'MultiPolygon', coordinates: [rewound.geometry.coordinates] },
    used: seqs.map((s) => ({ id: bySeq.get(s)!.id, name: bySeq.get(s)!.name!, seq: s })),
    problems,
  };
}
