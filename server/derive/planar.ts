import * as turf from '@turf/turf';
import type { Polygon, Position } from 'geojson';
import { interiorPointOfRings } from '../geo/interior.js';

/**
 * Planar-graph helpers in a local metric frame (see local.ts): noding a set of lines, turning
 * the noded network into faces, and merging faces by cancelling the edges they share. Faces
 * built this way share their boundary vertices exactly, so neighbours neither overlap nor leave
 * slivers between them.
 */

/** Ring of a polygon as [x, y] pairs, first = last. */
export type Ring = Position[];

/** Signed shoelace area: positive for an anticlockwise ring. */
export function signedArea(ring: Ring): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

/** Length of a line or ring in units of the frame. */
export function lineLength(line: Position[]): number {
  let s = 0;
  for (let i = 0; i < line.length - 1; i++) s += Math.hypot(line[i + 1][0] - line[i][0], line[i + 1][1] - line[i][1]);
  return s;
}

/**
 * A point strictly inside a polygon (shell and holes), by interiorPointOfRings. Turf's
 * pointOnFeature falls back to a vertex when the centroid lies outside, and a vertex on a
 * face's edge says nothing about what side it is on. A face without height (which polygonize
 * never makes) gets its first vertex.
 */
export function interiorPoint(rings: Ring[]): Position {
  return interiorPointOfRings(rings.map((r) => r.flat())) ?? rings[0][0];
}

/** Area of a polygon (shell minus holes) in square units of the frame. */
export function polygonArea(rings: Ring[]): number {
  return rings.reduce((s, r, i) => s + (i === 0 ? Math.abs(signedArea(r)) : -Math.abs(signedArea(r))), 0);
}

/** Mean width of a polygon, 2·area / perimeter: a long strip of width w gives about w. */
export function meanWidth(rings: Ring[]): number {
  const length = rings.reduce((s, r) => s + lineLength(r), 0);
  return length > 0 ? (2 * polygonArea(rings)) / length : 0;
}

interface Cut {
  seg: number;
  t: number;
  p: Position;
}

/**
 * Where segments a→b and c→d cross: parameters along both, or null. Touching at an end counts,
 * so lines meeting at a shared vertex are noded there too. Parallel segments never cross here:
 * collinear overlaps of walked GPS lines do not happen in practice and would need no node.
 */
function crossing(a: Position, b: Position, c: Position, d: Position): { t: number; u: number } | null {
  const rx = b[0] - a[0];
  const ry = b[1] - a[1];
  const sx = d[0] - c[0];
  const sy = d[1] - c[1];
  const den = rx * sy - ry * sx;
  if (Math.abs(den) < 1e-12) return null;
  const qx = c[0] - a[0];
  const qy = c[1] - a[1];
  const t = (qx * sy - qy * sx) / den;
  const u = (qx * ry - qy * rx) / den;
  const eps = 1e-9;
  if (t < -eps || t > 1 + eps || u < -eps || u > 1 + eps) return null;
  return { t: Math.min(1, Math.max(0, t)), u: Math.min(1, Math.max(0, u)) };
}

/** A crossing close to a segment end is put on that end, so both lines get the very same node. */
function snapParam(t: number, a: Position, b: Position): number {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (t * len < 1e-6) return 0;
  if ((1 - t) * len < 1e-6) return 1;
  return t;
}

/**
 * Split lines at every point where they cross or touch each other (or themselves), so that
 * lines meet only at their ends: the input polygonize needs. Segments are compared in order
 * of their west edge (a sweep), which keeps a kumban's few thousand segments fast.
 */
export function nodeLines(input: Position[][]): Position[][] {
  // Two lines that touch at a vertex each may hold it as a slightly different number (a point
  // put on a ring computes the ring's vertex back to within 1e-15): each crossing would then
  // cut the lines at one of the two, and the network would break there by a gap of nothing.
  // Vertices in one micrometre cell become the first of them. Not rounded: a point computed on
  // a segment stays on it, where a crossing finds it.
  const seen = new Map<number, Map<number, Position>>();
  const same = (p: Position): Position => {
    const [cx, cy] = [Math.round(p[0] * 1e6), Math.round(p[1] * 1e6)];
    let column = seen.get(cx);
    if (!column) seen.set(cx, (column = new Map()));
    const first = column.get(cy);
    if (first) return first;
    column.set(cy, p);
    return p;
  };
  const lines = input.map((l) => l.map(same));
  const segs: { line: number; seg: number; minX: number; maxX: number; minY: number; maxY: number }[] = [];
  lines.forEach((l, li) => {
    for (let s = 0; s < l.length - 1; s++) {
      const [a, b] = [l[s], l[s + 1]];
      segs.push({ line: li, seg: s, minX: Math.min(a[0], b[0]), maxX: Math.max(a[0], b[0]), minY: Math.min(a[1], b[1]), maxY: Math.max(a[1], b[1]) });
    }
  });
  segs.sort((x, y) => x.minX - y.minX);
  const cuts: Cut[][] = lines.map(() => []);
  for (let i = 0; i < segs.length; i++) {
    const s1 = segs[i];
    for (let j = i + 1; j < segs.length && segs[j].minX <= s1.maxX; j++) {
      const s2 = segs[j];
      if (s2.minY > s1.maxY || s2.maxY < s1.minY) continue;
      // Consecutive segments of one line share a vertex by construction: not a crossing.
      if (s1.line === s2.line && Math.abs(s1.seg - s2.seg) <= 1) continue;
      const l1 = lines[s1.line];
      const l2 = lines[s2.line];
      const [a, b, c, d] = [l1[s1.seg], l1[s1.seg + 1], l2[s2.seg], l2[s2.seg + 1]];
      const hit = crossing(a, b, c, d);
      if (!hit) continue;
      const t = snapParam(hit.t, a, b);
      const u = snapParam(hit.u, c, d);
      // One coordinate for both lines: an end if either side is at an end, else the computed point.
      const p: Position =
        t === 0 ? a : t === 1 ? b : u === 0 ? c : u === 1 ? d : [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
      cuts[s1.line].push({ seg: s1.seg, t, p });
      cuts[s2.line].push({ seg: s2.seg, t: u, p });
    }
  }
  const out: Position[][] = [];
  lines.forEach((line, li) => {
    const byPos = cuts[li].map((c) => (c.t === 1 ? { seg: c.seg + 1, t: 0, p: c.p } : c)).sort((x, y) => x.seg - y.seg || x.t - y.t);
    let piece: Position[] = [line[0]];
    let k = 0;
    for (let v = 0; v < line.length; v++) {
      if (v > 0) piece.push(line[v]);
      while (k < byPos.length && byPos[k].seg === v) {
        const c = byPos[k++];
        const last = piece[piece.length - 1];
        if (c.t > 0 && !(last[0] === c.p[0] && last[1] === c.p[1])) piece.push(c.p);
        if (c.t === 0 && !(last[0] === c.p[0] && last[1] === c.p[1])) piece[piece.length - 1] = c.p;
        if (piece.length >= 2) {
          out.push(piece);
          piece = [c.p];
        }
      }
    }
    if (piece.length >= 2) out.push(piece);
  });
  return out.filter((p) => p.length >= 2 && !(p.length === 2 && p[0][0] === p[1][0] && p[0][1] === p[1][1]));
}

/**
 * The faces enclosed by a noded network, anticlockwise shells with clockwise holes. Dangles
 * (overshoots, lines that end nowhere) and bridges enclose nothing and are left out.
 */
export function polygonizeNetwork(noded: Position[][]): Ring[][] {
  // Turf's polygonize fails on a ring of two edges between the same two nodes ("4 or more
  // Positions"), which two walks noded onto the same stretch leave: each edge is kept once.
  const seen = new Set<string>();
  const edges: Position[][] = [];
  for (const line of noded) {
    for (let i = 0; i < line.length - 1; i++) {
      const [a, b] = [line[i], line[i + 1]];
      const k = edgeKey(a, b);
      if (key(a) === key(b) || seen.has(k)) continue;
      seen.add(k);
      edges.push([a, b]);
    }
  }
  if (edges.length === 0) return [];
  const fc = turf.featureCollection(edges.map((l) => turf.lineString(l)));
  const faces = turf.polygonize(fc).features.map((f) => (f.geometry as Polygon).coordinates);
  return faces.map((rings) => rings.map((r, i) => orient(r, i === 0)));
}

function orient(ring: Ring, ccw: boolean): Ring {
  return (signedArea(ring) > 0) === ccw ? ring : [...ring].reverse();
}

const key = (p: Position) => `${p[0]},${p[1]}`;
const edgeKey = (a: Position, b: Position) => (key(a) < key(b) ? `${key(a)}|${key(b)}` : `${key(b)}|${key(a)}`);

/** Length of boundary each pair of faces shares, from their common edges: `"i|j" → metres` (i < j). */
export function sharedLengths(faces: Ring[][]): Map<string, number> {
  const owner = new Map<string, number>();
  const shared = new Map<string, number>();
  faces.forEach((rings, fi) => {
    for (const r of rings) {
      for (let i = 0; i < r.length - 1; i++) {
        const k = edgeKey(r[i], r[i + 1]);
        const other = owner.get(k);
        if (other === undefined) owner.set(k, fi);
        else if (other !== fi) {
          const pair = other < fi ? `${other}|${fi}` : `${fi}|${other}`;
          shared.set(pair, (shared.get(pair) ?? 0) + Math.hypot(r[i + 1][0] - r[i][0], r[i + 1][1] - r[i][1]));
        }
      }
    }
  });
  return shared;
}

/**
 * Merge faces of one planar network into polygons (a topological dissolve): every edge used by
 * two of the faces is interior and dropped, the rest is chained back into rings. Exact because
 * the faces share their vertices; no polygon clipping, so no new vertices and no slivers.
 */
export function mergeFaces(faces: Ring[][]): Ring[][] {
  const count = new Map<string, number>();
  for (const rings of faces) for (const r of rings) for (let i = 0; i < r.length - 1; i++) {
    const k = edgeKey(r[i], r[i + 1]);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  // Outgoing boundary edges by start vertex; shells run anticlockwise and holes clockwise.
  const next = new Map<string, Position[]>();
  for (const rings of faces) for (const r of rings) for (let i = 0; i < r.length - 1; i++) {
    if (count.get(edgeKey(r[i], r[i + 1])) !== 1) continue;
    const k = key(r[i]);
    const list = next.get(k) ?? [];
    list.push(r[i + 1]);
    next.set(k, list);
  }
  const rings: Ring[] = [];
  for (const [startKey, outs] of next) {
    while (outs.length) {
      const start = startKey.split(',').map(Number);
      const ring: Ring = [start];
      let cur = outs.pop()!;
      while (key(cur) !== startKey) {
        ring.push(cur);
        const more = next.get(key(cur));
        if (!more?.length) break;
        cur = more.pop()!;
      }
      ring.push(start);
      if (ring.length >= 4) rings.push(ring);
    }
  }
  return assembleRings(rings);
}

/** Group anticlockwise shells with the clockwise holes that lie inside them. */
export function assembleRings(all: Ring[]): Ring[][] {
  // A closed ring needs four positions; fewer is a face that collapsed to a line when noding.
  const rings = all.filter((r) => r.length >= 4);
  const shells = rings.filter((r) => signedArea(r) > 0).sort((a, b) => signedArea(a) - signedArea(b));
  const polys: Ring[][] = shells.map((s) => [s]);
  for (const hole of rings.filter((r) => signedArea(r) < 0)) {
    const probe = turf.point(hole[0]);
    // The smallest shell that contains the hole's vertex owns it (shells sorted small first).
    const i = shells.findIndex((s) => turf.booleanPointInPolygon(probe, turf.polygon([s]), { ignoreBoundary: false }));
    if (i >= 0) polys[i].push(hole);
  }
  return polys;
}
