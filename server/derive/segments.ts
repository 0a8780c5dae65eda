import * as turf from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { fromLocal, localFrame, toLocal, type LocalFrame } from './local.js';
import { interiorPoint, lineLength, meanWidth, mergeFaces, nodeLines, polygonArea, polygonizeNetwork, sharedLengths, type Ring } from './planar.js';

/** A walked shared boundary: the line between `areaCode` and `otherAreaCode` (null = outside). */
export interface SegmentTrack {
  id: number;
  areaCode: string;
  otherAreaCode: string | null;
  /** Kept readings in walking order, WGS84 [lon, lat]. */
  line: Position[];
  readings: number;
}

/** A junction marker: where three or more areas meet, recorded with GPS averaging. */
export interface Junction {
  name: string | null;
  point: Position;
}

/** A village to place: its code and the point its houses are at. */
export interface VillageSite {
  code: string;
  centre: Position;
}

export interface SegmentsOptions {
  /** Ends closer than this to a junction, another end or the parent's boundary are joined, in metres. */
  toleranceM: number;
  /** Scatter a fitted straight piece may leave, in metres: larger = fewer, longer pieces (see fitPolyline). */
  fitM: number;
  /** Furthest a fitted corner may move from the fix where the walk bent, in metres. */
  cornerShiftM: number;
  /** A fix further than this off the line of its neighbours, by an out-and-back detour, is a spike, in metres. */
  spikeM: number;
}

export const SEGMENTS_DEFAULTS: SegmentsOptions = { toleranceM: 30, fitM: 12, cornerShiftM: 80, spikeM: 100 };

export interface SegmentsProblem {
  kind: 'DANGLING_END' | 'END_JOINED_FAR' | 'NO_FACE' | 'SHARED_FACE' | 'GAP';
  message: string;
  villages?: string[];
  track_id?: number;
  area_m2?: number;
  at?: Position;
}

export interface DerivedVillage {
  code: string;
  geometry: MultiPolygon;
  track_ids: number[];
  readings_used: number;
}

export interface SegmentsResult {
  villages: DerivedVillage[];
  /** Faces no village centre lies in and too wide to be a sliver of GPS scatter. */
  gaps: { geometry: Polygon; area_m2: number }[];
  problems: SegmentsProblem[];
  stats: { tracks: number; ends_at_junctions: number; ends_joined: number; ends_to_parent: number; dangling_ends: number; faces: number; slivers_absorbed: number };
}

const dist = (a: Position, b: Position) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/**
 * Drop single fixes thrown far off the walk: a point much further from the chord of its
 * neighbours than GPS scatter goes, reached by an out-and-back detour. Ingest keeps such fixes
 * when the jump is slow enough to look like walking (200 m in a minute), so derivation checks.
 * The fix furthest off goes first and its neighbours are then judged again: beside a spike, a
 * good fix at a corner also lies far off the chord of its neighbours (one of them is the spike),
 * and judging fixes in walking order would drop it and keep the spike.
 */
export function removeSpikes(line: Position[], spikeM: number): Position[] {
  const out = [...line];
  const score = (i: number): number => {
    if (i <= 0 || i >= out.length - 1) return 0;
    const [a, p, b] = [out[i - 1], out[i], out[i + 1]];
    const off = dist(nearestOnSegment(p, a, b).point, p);
    const detour = dist(a, p) + dist(p, b) - dist(a, b);
    return off > spikeM && detour > spikeM ? off : 0;
  };
  const scores = out.map((_, i) => score(i));
  for (;;) {
    let worst = -1;
    for (let i = 1; i < out.length - 1; i++) if (scores[i] > 0 && (worst < 0 || scores[i] > scores[worst])) worst = i;
    if (worst < 0) return out;
    out.splice(worst, 1);
    scores.splice(worst, 1);
    for (const i of [worst - 1, worst]) if (i >= 0 && i < out.length) scores[i] = score(i);
  }
}

/** Indices of the points Douglas-Peucker keeps at `toleranceM`. */
function breakpoints(line: Position[], toleranceM: number): number[] {
  const keep = new Set([0, line.length - 1]);
  const stack: [number, number][] = [[0, line.length - 1]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    let worst = -1;
    let worstD = toleranceM;
    for (let k = i + 1; k < j; k++) {
      const d = dist(nearestOnSegment(line[k], line[i], line[j]).point, line[k]);
      if (d > worstD) [worst, worstD] = [k, d];
    }
    if (worst < 0) continue;
    keep.add(worst);
    stack.push([i, worst], [worst, j]);
  }
  return [...keep].sort((a, b) => a - b);
}

/** The total-least-squares line through points: their centroid and main direction. */
function fitLine(points: Position[]): { c: Position; u: Position } {
  const n = points.length;
  const cx = points.reduce((s, p) => s + p[0], 0) / n;
  const cy = points.reduce((s, p) => s + p[1], 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p[0] - cx) ** 2;
    syy += (p[1] - cy) ** 2;
    sxy += (p[0] - cx) * (p[1] - cy);
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  return { c: [cx, cy], u: [Math.cos(angle), Math.sin(angle)] };
}

function project(p: Position, l: { c: Position; u: Position }): Position {
  const t = (p[0] - l.c[0]) * l.u[0] + (p[1] - l.c[1]) * l.u[1];
  return [l.c[0] + l.u[0] * t, l.c[1] + l.u[1] * t];
}

function intersectLines(a: { c: Position; u: Position }, b: { c: Position; u: Position }): Position | null {
  const den = a.u[0] * b.u[1] - a.u[1] * b.u[0];
  if (Math.abs(den) < 1e-9) return null;
  const t = ((b.c[0] - a.c[0]) * b.u[1] - (b.c[1] - a.c[1]) * b.u[0]) / den;
  return [a.c[0] + a.u[0] * t, a.c[1] + a.u[1] * t];
}

/**
 * A walked line as straight pieces fitted to its fixes. Douglas-Peucker at `toleranceM` finds
 * where the boundary bends; a least-squares line through the fixes of each piece averages their
 * scatter away; and each bend is put where neighbouring fitted lines cross. With fixes a minute
 * (50-90 m) apart the walker usually turned a corner between two fixes, and with any interval
 * the receiver may have been silent through a corner: joining the fixes would cut it,
 * intersecting the fitted lines gives it back. A crossing further than
 * `maxShiftM` from the fix at the bend (nearly parallel pieces) falls back to that fix's
 * projections onto the two lines.
 */
export function fitPolyline(line: Position[], toleranceM: number, maxShiftM: number): Position[] {
  if (line.length < 3) return line;
  const usual = usualStep(line);
  const idx = silentBreakpoints(line, breakpoints(line, toleranceM), usual, 2.5 * usual);
  const fits = idx.slice(1).map((j, k) => fitLine(line.slice(idx[k], j + 1)));
  const out: Position[] = [project(line[0], fits[0])];
  for (let k = 1; k < fits.length; k++) {
    // A piece that is one step between two fixes may be a corner cut short: the walker turned
    // between the fixes (or while the receiver was silent), and the chord between them cuts the
    // corner. The lines of the pieces before and after then cross where the corner was. It is
    // taken when that crossing stays beside the chord and walking through it is not longer than
    // the walker could go between the two fixes: an ordinary step (a real short leg would make
    // it longer); two steps when the chord is clearly longer than one (a fix between them was
    // dropped, for a poor HDOP say: around a corner the chord of two steps can be as short as
    // 1.3 of one); any length for a recording gap (at least twice the usual step).
    if (k + 1 < fits.length && idx[k + 1] - idx[k] === 1) {
      const corner = intersectLines(fits[k - 1], fits[k + 1]);
      const [a, b] = [line[idx[k]], line[idx[k + 1]]];
      const chord = dist(a, b);
      const steps = chord >= 1.3 * usual ? 2 : 1;
      const silent = chord >= 2 * usual;
      // Across a gap the corner is where the lines before and after, carried on, cross. A line
      // fitted to a short piece of scattered fixes points several degrees off (the scatter is
      // correlated over a minute of walking), and a leg walked mostly while the receiver was
      // silent may have left a few fixes in the piece before: carried far, such a line misses the
      // corner by as much as the chord would. When the lines are carried further than a share of
      // the pieces they were fitted to, the corner is put between the chord and the crossing,
      // at least halfway, which halves the worst of either being wrong.
      const pieceM = (i: number) => dist(line[idx[i]], line[idx[i + 1]]);
      const reach = corner && silent ? Math.max(dist(a, corner) / pieceM(k - 1), dist(corner, b) / pieceM(k + 1)) : 0;
      const trust = Math.min(1, Math.max(0.5, (GAP_REACH[1] - reach) / (GAP_REACH[1] - GAP_REACH[0])));
      if (corner && nearChord(corner, a, b) && (silent || dist(a, corner) + dist(corner, b) <= (steps + 0.3) * usual + 10)) {
        const onChord = nearestOnSegment(corner, a, b).point;
        out.push([onChord[0] + trust * (corner[0] - onChord[0]), onChord[1] + trust * (corner[1] - onChord[1])]);
        k++;
        continue;
      }
    }
    const at = line[idx[k]];
    const cross = intersectLines(fits[k - 1], fits[k]);
    if (cross && dist(cross, at) <= maxShiftM) out.push(cross);
    else {
      const [a, b] = [project(at, fits[k - 1]), project(at, fits[k])];
      out.push([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]);
    }
  }
  out.push(project(line[line.length - 1], fits[fits.length - 1]));
  return out;
}

/**
 * How far, as a share of its piece's length, a fitted line is carried across a recording gap to
 * the corner: up to the first, the corner is trusted; beyond the second, only halfway (see fitPolyline).
 */
const GAP_REACH: [number, number] = [0.4, 0.9];

/**
 * Breakpoints with every recording gap (a step of three usual steps or more) as a piece of its
 * own, so that the corner the walker may have turned while the receiver was silent is looked
 * for (see fitPolyline). With fixes a few seconds apart, Douglas-Peucker often breaks a fix or
 * two before or after the gap instead, leaving a piece of those fixes and the gap's chord whose
 * line cuts the corner; breakpoints within `nearM` of the gap give way to the gap's own.
 */
function silentBreakpoints(line: Position[], idx: number[], usual: number, nearM: number): number[] {
  const keep = new Set(idx);
  for (let i = 0; i < line.length - 1; i++) {
    if (dist(line[i], line[i + 1]) < 3 * usual) continue;
    for (const j of [...keep]) {
      const near = (j < i && dist(line[j], line[i]) < nearM) || (j > i + 1 && dist(line[j], line[i + 1]) < nearM);
      if (near && j !== 0 && j !== line.length - 1) keep.delete(j);
    }
    keep.add(i).add(i + 1);
  }
  return [...keep].sort((a, b) => a - b);
}

/** The walk's median distance between consecutive fixes. */
function usualStep(line: Position[]): number {
  const steps = line.slice(1).map((p, i) => dist(p, line[i])).sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)];
}

/** Whether a corner put between fixes a and b stays beside their chord: within its length of it, off neither end. */
function nearChord(p: Position, a: Position, b: Position): boolean {
  const near = nearestOnSegment(p, a, b);
  const len = dist(a, b);
  return dist(near.point, p) <= 0.75 * len && near.t > 0 && near.t < 1;
}

function nearestOnSegment(p: Position, a: Position, b: Position): { point: Position; t: number } {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return { point: [a[0] + dx * t, a[1] + dy * t], t };
}

/**
 * Make a line end exactly at `target`: the walker either went past it (the overshoot is cut at
 * the point of the line nearest the target) or stopped short (the line is extended). Only the
 * last `reachM` metres of the line are searched, so a line that passes near its own end point
 * elsewhere is not cut there.
 */
export function endAt(line: Position[], target: Position, reachM: number): Position[] {
  let best = { d: dist(line[line.length - 1], target), index: line.length - 1, point: line[line.length - 1] };
  let walked = 0;
  for (let i = line.length - 1; i > 0 && walked <= reachM; i--) {
    const near = nearestOnSegment(target, line[i - 1], line[i]);
    const d = dist(near.point, target);
    if (d < best.d) best = { d, index: i - 1, point: near.point };
    walked += dist(line[i - 1], line[i]);
  }
  const kept = line.slice(0, best.index + 1);
  if (dist(kept[kept.length - 1], best.point) > 1e-6) kept.push(best.point);
  if (dist(kept[kept.length - 1], target) > 1e-6) kept.push(target);
  return kept.length >= 2 ? kept : [line[0], target];
}

function endAtStart(line: Position[], target: Position, reachM: number): Position[] {
  return endAt([...line].reverse(), target, reachM).reverse();
}

/** Ring coordinates of the parent's polygons in the frame, for clipping and for end snapping. */
function parentRings(parent: MultiPolygon | null, frame: LocalFrame): Ring[][] {
  return parent ? parent.coordinates.map((poly) => poly.map((r) => r.map((p) => toLocal(frame, p)))) : [];
}

function nearestOnRings(p: Position, polys: Ring[][]): { point: Position; d: number; from: Position } | null {
  let best: { point: Position; d: number; from: Position } | null = null;
  for (const rings of polys) for (const r of rings) for (let i = 0; i < r.length - 1; i++) {
    const n = nearestOnSegment(p, r[i], r[i + 1]);
    const d = dist(n.point, p);
    if (!best || d < best.d) best = { point: n.point, d, from: p };
  }
  return best;
}

/** The point `m` metres past `b` on the line from `a` through `b`. */
function beyond(a: Position, b: Position, m: number): Position {
  const d = dist(a, b) || 1;
  return [b[0] + ((b[0] - a[0]) * m) / d, b[1] + ((b[1] - a[1]) * m) / d];
}

function insideParent(p: Position, polys: Ring[][]): boolean {
  return polys.some((rings) => turf.booleanPointInPolygon(turf.point(p), turf.polygon(rings)));
}

interface End {
  track: number;
  atStart: boolean;
  point: Position;
  target: Position | null;
  how: 'junction' | 'end' | null;
  /** Set when the end reached its junction only by the wider search: how far it was. */
  farM?: number;
}

/**
 * Where each track end should be: the nearest junction marker within tolerance, else the
 * meeting point of the other ends within tolerance (a junction already chosen wins, else their
 * mean), else nowhere (a dangling end).
 */
function placeEnds(lines: Position[][], junctions: Position[], toleranceM: number, nearParent: (p: Position) => boolean): End[] {
  const ends: End[] = lines.flatMap((l, track) => [
    { track, atStart: true, point: l[0], target: null, how: null },
    { track, atStart: false, point: l[l.length - 1], target: null, how: null },
  ]);
  for (const e of ends) {
    const marker = nearestWithin(e.point, junctions, toleranceM);
    if (marker) [e.target, e.how] = [marker.point, 'junction'];
  }
  for (const e of ends) {
    if (e.target) continue;
    const near = ends.filter((o) => o !== e && dist(o.point, e.point) <= toleranceM);
    if (near.length === 0) continue;
    const placed = near.find((o) => o.target);
    const mean: Position = [
      (e.point[0] + near.reduce((s, o) => s + o.point[0], 0)) / (near.length + 1),
      (e.point[1] + near.reduce((s, o) => s + o.point[1], 0)) / (near.length + 1),
    ];
    // Ends that stopped short of their junction together (each 30-45 m from it) meet there, as
    // a lone end would (below); their mean would leave the lines already at the junction apart.
    const marker = placed ? null : nearestWithin(mean, junctions, 2 * toleranceM);
    const target = placed?.target ?? marker?.point ?? mean;
    for (const o of [e, ...near]) {
      if (o.target) continue;
      if (marker) toJunction(o, target, toleranceM);
      else [o.target, o.how] = [target, 'end'];
    }
  }
  // A walk starts and stops up to about 20 m along the line from the junction, and its end fix
  // has the walk's scatter (up to 10 m an axis) besides: an end can lie 30-45 m from its
  // junction with nothing else near. A junction marker is set deliberately (GPS-averaged), so an
  // end that meets nothing within the tolerance still goes to one within twice the tolerance
  // (reported, so a walk that really stopped short is looked at). An end within the tolerance of
  // the parent's edge is left to join the edge.
  for (const e of ends) {
    if (e.target || nearParent(e.point)) continue;
    const marker = nearestWithin(e.point, junctions, 2 * toleranceM);
    if (marker) toJunction(e, marker.point, toleranceM);
  }
  // A boundary about as short as the tolerance (15-80 m between two junctions, walked with a
  // few fixes) has both its junctions within reach of both ends of its walk. The nearest
  // junction (or the meeting point of the ends near it) for each end is then often one and the
  // same: the walk shrinks to a loop of nothing, and the two villages it divides share a face.
  // A walk too short to go round anything is joined to two different junctions when two are in
  // reach.
  lines.forEach((line, track) => {
    const [s, e] = [ends[2 * track], ends[2 * track + 1]];
    if (s.target === null || s.target !== e.target || lineLength(line) >= 2 * toleranceM) return;
    let best: { a: Position; b: Position; cost: number } | null = null;
    for (const a of junctions) {
      const da = dist(s.point, a);
      if (da > 2 * toleranceM) continue;
      for (const b of junctions) {
        const db = dist(e.point, b);
        if (b === a || db > 2 * toleranceM || (best && da + db >= best.cost)) continue;
        best = { a, b, cost: da + db };
      }
    }
    if (!best) return;
    toJunction(s, best.a, toleranceM);
    toJunction(e, best.b, toleranceM);
  });
  return ends;
}

/** Joins an end to a junction, noting how far it was when beyond the tolerance (END_JOINED_FAR). */
function toJunction(end: End, junction: Position, toleranceM: number): void {
  [end.target, end.how] = [junction, 'junction'];
  const d = dist(end.point, junction);
  end.farM = d > toleranceM ? d : undefined;
}

function nearestWithin(p: Position, points: Position[], reachM: number): { point: Position; d: number } | null {
  let best: { point: Position; d: number } | null = null;
  for (const q of points) {
    const d = dist(p, q);
    if (d <= reachM && (!best || d < best.d)) best = { point: q, d };
  }
  return best;
}

function toMulti(polys: Ring[][], frame: LocalFrame): MultiPolygon {
  return { type: 'MultiPolygon', coordinates: polys.map((rings) => rings.map((r) => r.map((p) => fromLocal(frame, p)))) };
}

/**
 * Village polygons from shared boundary walks: each boundary was walked once with both chiefs,
 * so neighbouring villages are cut from one line and cannot overlap. Steps, all in metres in a
 * local frame: drop spikes and fit straight pieces to each walk; make its ends meet at the junction markers (or at
 * each other, or on the parent's boundary) within the tolerance; node the crossings; build the
 * faces of the network (inside the parent, whose boundary is part of the network); give each face
 * to the village whose centre lies in it. Faces without a centre are GPS slivers when thinner than
 * the tolerance (absorbed by the neighbour they share most boundary with) and gaps otherwise.
 */
export function segmentsTessellation(
  input: { tracks: SegmentTrack[]; junctions: Junction[]; villages: VillageSite[]; parent: MultiPolygon | null },
  options: Partial<SegmentsOptions> = {},
): SegmentsResult {
  const opts = { ...SEGMENTS_DEFAULTS, ...options };
  const inSet = new Set(input.villages.map((v) => v.code));
  // A walk of one fix still says which junctions its boundary runs between (a boundary of a few
  // metres, see placeEnds); it is a line of no length until its ends are placed.
  const usable = input.tracks.filter((t) => t.line.length >= 1);
  // With a parent polygon, its edge is the outer line: a walk along it (to the outside, or to a
  // village of another kumban) would only leave slivers between two versions of one line.
  const tracks = input.parent ? usable.filter((t) => inSet.has(t.areaCode) && t.otherAreaCode !== null && inSet.has(t.otherAreaCode)) : usable;
  const frame = localFrame(usable.flatMap((t) => t.line).concat(input.villages.map((v) => v.centre)));
  const parent = parentRings(input.parent, frame);
  const problems: SegmentsProblem[] = [];

  // Junctions on the parent's edge are put exactly on it, so the lines ending there close their faces.
  const junctions = input.junctions.map((j) => {
    const p = toLocal(frame, j.point);
    const near = nearestOnRings(p, parent);
    return near && near.d <= opts.toleranceM ? { point: near.point, onParent: true } : { point: p, onParent: false };
  });
  let lines = tracks.map((t) => {
    const fixes = removeSpikes(t.line.map((p) => toLocal(frame, p)), opts.spikeM);
    return fixes.length === 1 ? [fixes[0], fixes[0]] : fitPolyline(fixes, opts.fitM, opts.cornerShiftM);
  });
  const nearParent = (p: Position) => {
    const near = nearestOnRings(p, parent);
    return near !== null && near.d <= opts.toleranceM;
  };
  const ends = placeEnds(lines, junctions.map((j) => j.point), opts.toleranceM, nearParent);
  for (const e of ends) {
    if (e.farM === undefined) continue;
    const track = tracks[e.track];
    problems.push({
      kind: 'END_JOINED_FAR',
      message: `The ${e.atStart ? 'start' : 'end'} of walk ${track.id} (${track.areaCode}|${track.otherAreaCode ?? 'outside'}) was joined to the junction ${Math.round(e.farM)} m away, beyond the ${opts.toleranceM} m tolerance: check that the walk reached it.`,
      track_id: track.id,
      at: fromLocal(frame, e.point),
    });
  }
  const onParent = new Set(junctions.filter((j) => j.onParent).map((j) => j.point));
  lines = lines.map((l, i) => {
    let out = l;
    const [start, end] = [ends[2 * i], ends[2 * i + 1]];
    if (end.target) out = endAt(out, end.target, 2 * opts.toleranceM);
    if (start.target) out = endAtStart(out, start.target, 2 * opts.toleranceM);
    // A line ending on the parent's edge is carried a metre across it: a clean crossing to node.
    if (end.target && onParent.has(end.target)) out = [...out, beyond(out[out.length - 2], out[out.length - 1], 1)];
    if (start.target && onParent.has(start.target)) out = [beyond(out[1], out[0], 1), ...out];
    return out;
  });

  // Ends that meet nothing: joined to the parent's boundary when close to it, else dangles.
  const connectors: Position[][] = [];
  let toParent = 0;
  for (const e of ends) {
    if (e.target) continue;
    const near = nearestOnRings(e.point, parent);
    const track = tracks[e.track];
    if (near && near.d <= opts.toleranceM) {
      // Overshoot the boundary by a metre so the join is a clean crossing; the stub is a dangle.
      const d = Math.max(near.d, 1e-3);
      const over: Position = [e.point[0] + ((near.point[0] - e.point[0]) * (d + 1)) / d, e.point[1] + ((near.point[1] - e.point[1]) * (d + 1)) / d];
      connectors.push([e.point, over]);
      toParent++;
      continue;
    }
    problems.push({
      kind: 'DANGLING_END',
      message: `The ${e.atStart ? 'start' : 'end'} of walk ${track.id} (${track.areaCode}|${track.otherAreaCode ?? 'outside'}) meets no junction, walk or boundary within ${opts.toleranceM} m.`,
      track_id: track.id,
      at: fromLocal(frame, e.point),
    });
  }

  const network = [...lines.filter((l) => lineLength(l) > 1e-6), ...connectors, ...parent.flat()];
  const faces = polygonizeNetwork(nodeLines(network)).filter((f) => parent.length === 0 || insideParent(interiorPoint(f), parent));
  const centres = input.villages.map((v) => toLocal(frame, v.centre));
  const owner: (number | null)[] = faces.map(() => null);
  const villageFaces = new Map<number, number[]>();
  faces.forEach((f, fi) => {
    const poly = turf.polygon(f);
    const inside = centres.flatMap((c, vi) => (turf.booleanPointInPolygon(turf.point(c), poly) ? [vi] : []));
    if (inside.length === 1) {
      owner[fi] = inside[0];
      villageFaces.set(inside[0], [...(villageFaces.get(inside[0]) ?? []), fi]);
    } else if (inside.length > 1) {
      const codes = inside.map((vi) => input.villages[vi].code);
      problems.push({
        kind: 'SHARED_FACE',
        message: `Villages ${codes.join(', ')} lie in one undivided area: the boundary between them has not been walked or does not close.`,
        villages: codes,
        area_m2: Math.round(polygonArea(f)),
      });
      owner[fi] = -1;
    }
  });

  const absorbed = absorbSlivers(faces, owner, opts.toleranceM);
  const gaps: SegmentsResult['gaps'] = [];
  faces.forEach((f, fi) => {
    if (owner[fi] !== null) return;
    const area = polygonArea(f);
    gaps.push({ geometry: { type: 'Polygon', coordinates: f.map((r) => r.map((p) => fromLocal(frame, p))) }, area_m2: Math.round(area) });
    problems.push({
      kind: 'GAP',
      message: `An area of ${formatArea(area)} inside the parent lies in no village: no village centre is in it.`,
      area_m2: Math.round(area),
      at: fromLocal(frame, interiorPoint(f)),
    });
  });

  const villages: DerivedVillage[] = [];
  input.villages.forEach((v, vi) => {
    const mine = faces.filter((_, fi) => owner[fi] === vi);
    if (mine.length === 0) {
      if (!problems.some((p) => p.kind === 'SHARED_FACE' && p.villages?.includes(v.code))) {
        problems.push({ kind: 'NO_FACE', message: `No closed area was found around the centre of ${v.code}: walk the boundaries around it.`, villages: [v.code] });
      }
      return;
    }
    const used = tracks.filter((t) => t.areaCode === v.code || t.otherAreaCode === v.code);
    villages.push({
      code: v.code,
      geometry: toMulti(mergeFaces(mine), frame),
      track_ids: used.map((t) => t.id),
      readings_used: used.reduce((n, t) => n + t.readings, 0),
    });
  });

  return {
    villages,
    gaps,
    problems,
    stats: {
      tracks: tracks.length,
      ends_at_junctions: ends.filter((e) => e.how === 'junction').length,
      ends_joined: ends.filter((e) => e.how === 'end').length,
      ends_to_parent: toParent,
      dangling_ends: problems.filter((p) => p.kind === 'DANGLING_END').length,
      faces: faces.length,
      slivers_absorbed: absorbed,
    },
  };
}

/**
 * Give each face without a village to the owned neighbour it shares most boundary with, when it
 * is thinner than the tolerance (the strip between a walked line and the parent's boundary, or
 * between two walks crossing near a junction). Repeats so chains of slivers are absorbed too.
 */
function absorbSlivers(faces: Ring[][], owner: (number | null)[], toleranceM: number): number {
  const shared = sharedLengths(faces);
  const neighbours = new Map<number, { face: number; length: number }[]>();
  for (const [pair, length] of shared) {
    const [a, b] = pair.split('|').map(Number);
    neighbours.set(a, [...(neighbours.get(a) ?? []), { face: b, length }]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), { face: a, length }]);
  }
  const thin = faces.map((f) => meanWidth(f) <= toleranceM);
  let absorbed = 0;
  for (let changed = true; changed; ) {
    changed = false;
    faces.forEach((_, fi) => {
      if (owner[fi] !== null || !thin[fi]) return;
      const best = (neighbours.get(fi) ?? [])
        .filter((n) => owner[n.face] !== null && owner[n.face]! >= 0)
        .sort((x, y) => y.length - x.length)[0];
      if (!best) return;
      owner[fi] = owner[best.face];
      absorbed++;
      changed = true;
    });
  }
  return absorbed;
}

function formatArea(m2: number): string {
  return m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} ha` : `${Math.round(m2)} m²`;
}
