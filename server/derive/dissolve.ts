import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';

export interface DissolvedGroup {
  key: string;
  geometry: Polygon | MultiPolygon;
  /** Holes of the union of all inputs bordered mostly by this group, at least `sliverM2` large. */
  gaps: Polygon[];
  /** Holes smaller than `sliverM2` filled by this group. */
  slivers_absorbed: number;
}

export interface DissolveOptions {
  /** Holes between inputs smaller than this (m²) are slivers and are absorbed. Default 1 m². */
  sliverM2?: number;
  /** A vertex closer than this to an unshared edge is put on it, in metres. Default 0.05 m. */
  snapM?: number;
}

export const DISSOLVE_DEFAULTS = { sliverM2: 1, snapM: 0.05 };

type AnyPolygonFeature = Feature<Polygon | MultiPolygon>;

/** Quantisation: 1e-7 degree, so coordinates up to ±214° fit in an Int32. */
const Q = 1e7;
const M_PER_UNIT = 111_320 / Q;

/**
 * Topology-aware dissolve: the union of the polygons of each group, computed from their edges
 * instead of by polygon clipping (the way mapshaper dissolves). Every vertex is quantised to
 * 1e-7° (about 1 cm) and given an id; every ring edge becomes a directed pair of ids, shells
 * anticlockwise and holes clockwise, so two neighbours traverse their common edge in opposite
 * directions. An edge met in both directions is shared: dropped when both sides are in the same
 * group, kept on both sides when they are not. The edges left are chained back into rings.
 * Nothing is clipped, so no new vertices and no slivers appear between neighbours; the cost is
 * linear in the number of vertices plus the cost of the few edges nobody shares.
 *
 * Edges no other polygon shares (coast, outer border, or a neighbour that put an extra vertex
 * on the line or crossed it) are noded against each other first: a vertex lying on such an edge
 * splits it, two such edges crossing are both split at the crossing. That matches edges whose
 * vertices differ on the two sides and turns a self-intersecting ring into simple rings.
 *
 * The inputs are assumed to tessellate (no overlaps: the topology report finds those). Holes of
 * the union of all inputs are gaps: below `sliverM2` they are slivers, absorbed into the group
 * that owns most of their edge; larger ones stay holes and are reported in `gaps` of the group
 * owning most of their edge. A hole of a group that other inputs fill (an enclave) is neither.
 */
export function dissolve(
  features: AnyPolygonFeature[],
  keyOf: (f: AnyPolygonFeature, i: number) => string,
  options: DissolveOptions = {},
): DissolvedGroup[] {
  const sliverM2 = options.sliverM2 ?? DISSOLVE_DEFAULTS.sliverM2;
  const snapUnits = Math.max(0.5, (options.snapM ?? DISSOLVE_DEFAULTS.snapM) / M_PER_UNIT);

  const keys: string[] = [];
  const groupOf = new Map<string, number>();
  let vertexCount = 0;
  features.forEach((f) => {
    for (const poly of polygonsOf(f)) for (const ring of poly) vertexCount += ring.length;
  });
  const g = new EdgeGraph(vertexCount);
  features.forEach((f, fi) => {
    const key = keyOf(f, fi);
    let group = groupOf.get(key);
    if (group === undefined) {
      group = keys.length;
      keys.push(key);
      groupOf.set(key, group);
    }
    for (const poly of polygonsOf(f)) poly.forEach((ring, ri) => g.addRing(ring, ri === 0, group));
  });

  g.matchAll();
  g.nodeLooseEdges(snapUnits);

  const result: DissolvedGroup[] = keys.map((key) => ({ key, geometry: { type: 'Polygon', coordinates: [] }, gaps: [], slivers_absorbed: 0 }));
  // Holes of the union of everything: gaps, or slivers to absorb before the groups are chained.
  const union = assemble(g, g.chainRings(g.looseEdges()));
  for (const hole of union.holes) {
    const owner = g.longestOwner(hole);
    const m2 = turf.area(turf.polygon([g.coordinates(hole, true)]));
    if (m2 < sliverM2) {
      g.absorb(hole, owner);
      result[owner].slivers_absorbed++;
    } else {
      result[owner].gaps.push({ type: 'Polygon', coordinates: [g.coordinates(hole, true)] });
    }
  }

  const byGroup = g.boundaryEdgesByGroup(keys.length);
  byGroup.forEach((edges, gi) => {
    const { polygons, reversed } = assemble(g, g.chainRings(edges));
    const coords = polygons.map((p) => p.map((ring) => g.coordinates(ring, reversed.has(ring))));
    result[gi].geometry = coords.length === 1 ? { type: 'Polygon', coordinates: coords[0] } : { type: 'MultiPolygon', coordinates: coords };
  });
  return result;
}

function polygonsOf(f: AnyPolygonFeature): Position[][][] {
  if (!f.geometry) return [];
  return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [];
}

/** A closed ring as the directed edges that make it, in order. */
type EdgeRing = number[];

interface Split {
  t: number;
  v: number;
}

/**
 * Vertices (quantised, hashed to ids) and directed edges between them, with each edge's partner:
 * the edge running the other way between the same two vertices, if any.
 */
class EdgeGraph {
  vx: Int32Array;
  vy: Int32Array;
  nv = 0;
  /** Open addressing, [x, y, id + 1] per slot: one cache line per probe. */
  private vtable: Int32Array;
  private vslots: number;

  from: Int32Array;
  to: Int32Array;
  group: Int32Array;
  partner: Int32Array;
  alive: Uint8Array;
  ne = 0;

  /** `vertexCapacity`: the number of input vertices; neighbours share most, so about half are distinct. */
  constructor(vertexCapacity: number) {
    const cap = Math.max(64, vertexCapacity + (vertexCapacity >> 3));
    this.vx = new Int32Array(cap >> 1);
    this.vy = new Int32Array(cap >> 1);
    // Neighbours share most vertices: about half of the input's are distinct, and the table
    // grows (rehash) past 70 % full. A smaller table is fewer cache and TLB misses per probe.
    this.vslots = pow2Above(cap * 0.7);
    this.vtable = new Int32Array(this.vslots * 3);
    this.from = new Int32Array(cap);
    this.to = new Int32Array(cap);
    this.group = new Int32Array(cap);
    this.partner = new Int32Array(cap);
    this.alive = new Uint8Array(cap);
  }

  /** The id of the vertex at quantised (x, y), made on first sight. */
  vertex(x: number, y: number): number {
    const t = this.vtable;
    const mask = this.vslots - 1;
    let s = hash2(x, y) & mask;
    for (;;) {
      const o = s * 3;
      const id = t[o + 2];
      if (id === 0) break;
      if (t[o] === x && t[o + 1] === y) return id - 1;
      s = (s + 1) & mask;
    }
    if (this.nv >= this.vx.length) {
      this.vx = grow(this.vx);
      this.vy = grow(this.vy);
    }
    const id = this.nv++;
    this.vx[id] = x;
    this.vy[id] = y;
    t[s * 3] = x;
    t[s * 3 + 1] = y;
    t[s * 3 + 2] = id + 1;
    if (this.nv * 10 > this.vslots * 7) this.rehashVertices();
    return id;
  }

  private rehashVertices(): void {
    this.vslots *= 2;
    const t = new Int32Array(this.vslots * 3);
    const mask = this.vslots - 1;
    for (let v = 0; v < this.nv; v++) {
      let s = hash2(this.vx[v], this.vy[v]) & mask;
      while (t[s * 3 + 2] !== 0) s = (s + 1) & mask;
      t[s * 3] = this.vx[v];
      t[s * 3 + 1] = this.vy[v];
      t[s * 3 + 2] = v + 1;
    }
    this.vtable = t;
  }

  private scratch = new Int32Array(1024);
  /** Chaining scratch, cleared after each use: edges already chained, edges leaving each vertex. */
  private used = new Uint8Array(0);
  private nextOut = new Int32Array(0);
  private firstOut = new Int32Array(0);

  /** Add a ring's edges, oriented anticlockwise for a shell and clockwise for a hole. */
  addRing(ring: Position[], shell: boolean, group: number): void {
    if (this.scratch.length < ring.length) this.scratch = new Int32Array(pow2Above(ring.length));
    const ids = this.scratch;
    let n = 0;
    for (let i = 0; i < ring.length; i++) {
      const p = ring[i];
      const id = this.vertex(Math.round(p[0] * Q), Math.round(p[1] * Q));
      if (n === 0 || ids[n - 1] !== id) ids[n++] = id;
    }
    while (n > 1 && ids[n - 1] === ids[0]) n--;
    if (n < 3) return;
    // Orientation from the input coordinates (in cache), not from the vertex table (random reads).
    const x0 = ring[0][0];
    const y0 = ring[0][1];
    let area = 0;
    for (let i = 1; i < ring.length - 1; i++) {
      area += (ring[i][0] - x0) * (ring[i + 1][1] - y0) - (ring[i + 1][0] - x0) * (ring[i][1] - y0);
    }
    while (this.ne + n > this.from.length) this.growEdges();
    const { from, to } = this;
    const e0 = this.ne;
    for (let i = 0; i < n; i++) {
      const a = ids[i];
      const b = ids[i + 1 === n ? 0 : i + 1];
      // Shells run anticlockwise and holes clockwise, whatever the input did.
      if (area > 0 === shell) {
        from[e0 + i] = a;
        to[e0 + i] = b;
      } else {
        from[e0 + i] = b;
        to[e0 + i] = a;
      }
    }
    this.group.fill(group, e0, e0 + n);
    this.partner.fill(-1, e0, e0 + n);
    this.alive.fill(1, e0, e0 + n);
    this.ne += n;
  }

  private growEdges(): void {
    this.from = grow(this.from);
    this.to = grow(this.to);
    this.group = grow(this.group);
    this.partner = grow(this.partner);
    this.alive = grow(this.alive);
  }

  private addEdge(a: number, b: number, group: number): number {
    if (this.ne >= this.from.length) this.growEdges();
    const e = this.ne++;
    this.from[e] = a;
    this.to[e] = b;
    this.group[e] = group;
    this.partner[e] = -1;
    this.alive[e] = 1;
    return e;
  }

  /**
   * Pair every edge a→b with an unpaired edge b→a. The edges leaving each vertex are listed
   * (a counting sort by start vertex), so the reverse of a→b is looked for among the two or
   * three edges leaving b: no hashing of edges at all.
   */
  matchAll(): void {
    const start = new Int32Array(this.nv + 1);
    for (let e = 0; e < this.ne; e++) start[this.from[e] + 1]++;
    for (let v = 0; v < this.nv; v++) start[v + 1] += start[v];
    const fill = start.slice(0, this.nv);
    const list = new Int32Array(this.ne);
    for (let e = 0; e < this.ne; e++) list[fill[this.from[e]]++] = e;
    const { from, to, partner } = this;
    for (let e = 0; e < this.ne; e++) {
      if (partner[e] >= 0) continue;
      const a = from[e];
      const b = to[e];
      for (let k = start[b], end = start[b + 1]; k < end; k++) {
        const f = list[k];
        if (to[f] === a && partner[f] < 0) {
          partner[e] = f;
          partner[f] = e;
          break;
        }
      }
    }
  }

  /** Live edges nobody shares: the boundary of the union of all inputs. */
  looseEdges(): number[] {
    const out: number[] = [];
    for (let e = 0; e < this.ne; e++) if (this.alive[e] && this.partner[e] < 0) out.push(e);
    return out;
  }

  /**
   * Split unshared edges where a vertex of another unshared edge lies on them (within
   * `tol` units) or where two of them cross, then pair the pieces. Only unshared edges can
   * need it: a shared edge already has the same two vertices on both sides.
   */
  nodeLooseEdges(tol: number): void {
    const loose = this.looseEdges();
    if (loose.length < 2) return;
    let total = 0;
    for (const e of loose) total += this.length(e);
    const cell = Math.max(4 * tol, (4 * total) / loose.length);
    // A grid as a counting sort of (cell, edge) entries: cells are hashed into a table about
    // twice the number of entries, and two cells sharing a bucket only cost a few extra pair
    // tests. No Map of arrays: on a 5,000-village district that was most of the time, in GC.
    const buckets = pow2Above(loose.length * 4);
    const mask = buckets - 1;
    let entryBucket = new Int32Array(loose.length * 4);
    let entryEdge = new Int32Array(loose.length * 4);
    let n = 0;
    const put = (cx: number, cy: number, e: number) => {
      if (n === entryBucket.length) {
        entryBucket = grow(entryBucket);
        entryEdge = grow(entryEdge);
      }
      entryBucket[n] = hash2(cx, cy) & mask;
      entryEdge[n++] = e;
    };
    for (const e of loose) {
      const [ax, ay, bx, by] = this.ends(e);
      const x0 = Math.floor((Math.min(ax, bx) - tol) / cell);
      const x1 = Math.floor((Math.max(ax, bx) + tol) / cell);
      const y0 = Math.floor((Math.min(ay, by) - tol) / cell);
      const y1 = Math.floor((Math.max(ay, by) + tol) / cell);
      if ((x1 - x0 + 1) * (y1 - y0 + 1) <= 16) {
        for (let cx = x0; cx <= x1; cx++) for (let cy = y0; cy <= y1; cy++) put(cx, cy, e);
        continue;
      }
      // A long slanted edge: the cells along it and their neighbours, not its whole bbox.
      const seen = new Set<number>();
      const steps = Math.ceil(Math.hypot(bx - ax, by - ay) / (cell / 2));
      for (let k = 0; k <= steps; k++) {
        const cx = Math.floor((ax + ((bx - ax) * k) / steps) / cell);
        const cy = Math.floor((ay + ((by - ay) * k) / steps) / cell);
        for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) {
          const key = (cx + dx) * 4_194_304 + (cy + dy);
          if (seen.has(key)) continue;
          seen.add(key);
          put(cx + dx, cy + dy, e);
        }
      }
    }
    const start = new Int32Array(buckets + 1);
    for (let i = 0; i < n; i++) start[entryBucket[i] + 1]++;
    for (let k = 0; k < buckets; k++) start[k + 1] += start[k];
    const fill = start.slice(0, buckets);
    const byBucket = new Int32Array(n);
    for (let i = 0; i < n; i++) byBucket[fill[entryBucket[i]]++] = entryEdge[i];

    const splits = new Map<number, Split[]>();
    const addSplit = (e: number, t: number, v: number) => {
      if (v === this.from[e] || v === this.to[e]) return;
      const list = splits.get(e);
      if (!list) splits.set(e, [{ t, v }]);
      else if (!list.some((s) => s.v === v)) list.push({ t, v });
    };
    for (let k = 0; k < buckets; k++) {
      for (let i = start[k]; i < start[k + 1]; i++) {
        for (let j = i + 1; j < start[k + 1]; j++) {
          if (byBucket[i] !== byBucket[j]) this.nodePair(byBucket[i], byBucket[j], tol, addSplit);
        }
      }
    }
    if (splits.size === 0) return;
    const pieces: number[] = [];
    for (const [e, list] of splits) {
      list.sort((p, q) => p.t - q.t);
      this.alive[e] = 0;
      let a = this.from[e];
      for (const s of list) {
        if (s.v !== a) pieces.push(this.addEdge(a, s.v, this.group[e]));
        a = s.v;
      }
      if (a !== this.to[e]) pieces.push(this.addEdge(a, this.to[e], this.group[e]));
    }
    // The pieces pair with each other or with loose edges that were not split.
    const open = new Map<number, number[]>();
    for (const e of [...loose, ...pieces]) {
      if (!this.alive[e] || this.partner[e] >= 0) continue;
      const back = open.get(this.to[e])?.find((f) => this.to[f] === this.from[e] && this.partner[f] < 0);
      if (back !== undefined) {
        this.partner[e] = back;
        this.partner[back] = e;
        continue;
      }
      const list = open.get(this.from[e]);
      if (list) list.push(e);
      else open.set(this.from[e], [e]);
    }
  }

  private nodePair(e1: number, e2: number, tol: number, addSplit: (e: number, t: number, v: number) => void): void {
    const { vx, vy } = this;
    const [a, b, c, d] = [this.from[e1], this.to[e1], this.from[e2], this.to[e2]];
    const ax = vx[a], ay = vy[a], bx = vx[b], by = vy[b];
    const cx = vx[c], cy = vy[c], dx = vx[d], dy = vy[d];
    if (Math.max(ax, bx) + tol < Math.min(cx, dx) || Math.max(cx, dx) + tol < Math.min(ax, bx)) return;
    if (Math.max(ay, by) + tol < Math.min(cy, dy) || Math.max(cy, dy) + tol < Math.min(ay, by)) return;
    // Each end of one edge on the other (a shared end counts as touching): no allocation, this runs per pair.
    let touched = endOnEdge(c, cx, cy, e1, a, b, ax, ay, bx, by, tol, addSplit);
    touched = endOnEdge(d, dx, dy, e1, a, b, ax, ay, bx, by, tol, addSplit) || touched;
    touched = endOnEdge(a, ax, ay, e2, c, d, cx, cy, dx, dy, tol, addSplit) || touched;
    touched = endOnEdge(b, bx, by, e2, c, d, cx, cy, dx, dy, tol, addSplit) || touched;
    if (touched) return;
    // A proper crossing: both edges are split at one new vertex.
    const rx = bx - ax;
    const ry = by - ay;
    const sx = dx - cx;
    const sy = dy - cy;
    const den = rx * sy - ry * sx;
    if (den === 0) return;
    const t = ((cx - ax) * sy - (cy - ay) * sx) / den;
    const u = ((cx - ax) * ry - (cy - ay) * rx) / den;
    if (t <= 0 || t >= 1 || u <= 0 || u >= 1) return;
    const v = this.vertex(Math.round(ax + rx * t), Math.round(ay + ry * t));
    addSplit(e1, t, v);
    addSplit(e2, u, v);
  }

  private ends(e: number): [number, number, number, number] {
    const a = this.from[e];
    const b = this.to[e];
    return [this.vx[a], this.vy[a], this.vx[b], this.vy[b]];
  }

  private length(e: number): number {
    const [ax, ay, bx, by] = this.ends(e);
    return Math.hypot(bx - ax, by - ay);
  }

  /**
   * Chain directed edges into closed rings. Where several edges leave a vertex (rings touching
   * at a point), the sharpest left turn is taken, so touching rings come out as separate rings.
   * Edges that do not close into a ring (broken input) are dropped.
   */
  chainRings(edges: number[]): EdgeRing[] {
    if (this.used.length < this.ne) {
      this.used = new Uint8Array(this.from.length);
      this.nextOut = new Int32Array(this.from.length);
    }
    if (this.firstOut.length < this.nv) this.firstOut = new Int32Array(this.vx.length).fill(-1);
    const { used, nextOut, firstOut, from, to } = this;
    // Edges leaving each vertex as a linked list through typed arrays, cleared at the end.
    for (const e of edges) {
      nextOut[e] = firstOut[from[e]];
      firstOut[from[e]] = e;
    }
    const rings: EdgeRing[] = [];
    for (const first of edges) {
      if (used[first]) continue;
      used[first] = 1;
      const ring: EdgeRing = [first];
      let cur = first;
      for (;;) {
        let next = -1;
        let choices = 0;
        for (let e = firstOut[to[cur]]; e >= 0; e = nextOut[e]) {
          if (used[e] && e !== first) continue;
          next = e;
          choices++;
        }
        if (next < 0) break;
        if (choices > 1) {
          const candidates: number[] = [];
          for (let e = firstOut[to[cur]]; e >= 0; e = nextOut[e]) if (!used[e] || e === first) candidates.push(e);
          next = this.sharpestLeft(cur, candidates);
        }
        if (next === first) {
          rings.push(ring);
          break;
        }
        used[next] = 1;
        ring.push(next);
        cur = next;
      }
    }
    for (const e of edges) {
      used[e] = 0;
      firstOut[from[e]] = -1;
    }
    return rings;
  }

  private sharpestLeft(incoming: number, candidates: number[]): number {
    const v = this.to[incoming];
    const back = Math.atan2(this.vy[this.from[incoming]] - this.vy[v], this.vx[this.from[incoming]] - this.vx[v]);
    let best = candidates[0];
    let bestTurn = Infinity;
    for (const e of candidates) {
      const out = Math.atan2(this.vy[this.to[e]] - this.vy[v], this.vx[this.to[e]] - this.vx[v]);
      let cw = back - out;
      while (cw <= 0) cw += 2 * Math.PI;
      while (cw > 2 * Math.PI) cw -= 2 * Math.PI;
      if (cw < bestTurn) [best, bestTurn] = [e, cw];
    }
    return best;
  }

  /** Twice the signed area of a ring of vertex ids, relative to its first vertex to keep precision. */
  signedArea(ids: number[]): number {
    const x0 = this.vx[ids[0]];
    const y0 = this.vy[ids[0]];
    let s = 0;
    for (let i = 1; i < ids.length - 1; i++) {
      const [p, q] = [ids[i], ids[i + 1]];
      s += (this.vx[p] - x0) * (this.vy[q] - y0) - (this.vx[q] - x0) * (this.vy[p] - y0);
    }
    return s;
  }

  vertices(ring: EdgeRing): number[] {
    return ring.map((e) => this.from[e]);
  }

  coordinates(ring: EdgeRing, reverse: boolean): Position[] {
    const out = ring.map((e) => [this.vx[this.from[e]] / Q, this.vy[this.from[e]] / Q]);
    if (reverse) out.reverse();
    out.push(out[0]);
    return out;
  }

  /** The group owning the longest stretch of a ring. */
  longestOwner(ring: EdgeRing): number {
    const byGroup = new Map<number, number>();
    for (const e of ring) byGroup.set(this.group[e], (byGroup.get(this.group[e]) ?? 0) + this.length(e));
    let best = 0;
    let bestLength = -1;
    for (const [group, length] of byGroup) if (length > bestLength) [best, bestLength] = [group, length];
    return best;
  }

  /**
   * Fill a sliver (a hole of the union of all inputs, a ring of loose edges) from `owner`: its
   * own edges around the sliver disappear, and it gains the reverse of its neighbours' edges.
   */
  absorb(ring: EdgeRing, owner: number): void {
    for (const e of ring) {
      if (this.group[e] === owner) {
        this.alive[e] = 0;
        continue;
      }
      const filler = this.addEdge(this.to[e], this.from[e], owner);
      this.partner[e] = filler;
      this.partner[filler] = e;
    }
  }

  /** Per group, its live edges that are not shared with an edge of the same group. */
  boundaryEdgesByGroup(groups: number): number[][] {
    const out: number[][] = Array.from({ length: groups }, () => []);
    for (let e = 0; e < this.ne; e++) {
      if (!this.alive[e]) continue;
      const p = this.partner[e];
      if (p >= 0 && this.group[p] === this.group[e]) continue;
      out[this.group[e]].push(e);
    }
    return out;
  }
}

interface Assembled {
  /** Shell first (anticlockwise), then its holes (clockwise). */
  polygons: EdgeRing[][];
  holes: EdgeRing[];
  /** Clockwise rings turned into shells: their coordinates are written in reverse. */
  reversed: Set<EdgeRing>;
}

/**
 * Group anticlockwise shells with the clockwise holes inside them: each hole goes to the
 * smallest shell containing a point just inside the polygon next to the hole's first edge. A
 * clockwise ring inside no shell is the inverted loop of a self-crossing ring: turned into a shell.
 */
function assemble(g: EdgeGraph, rings: EdgeRing[]): Assembled {
  const shells: { ring: EdgeRing; area: number; bbox: number[]; index: RingIndex | null }[] = [];
  const holes: EdgeRing[] = [];
  for (const ring of rings) {
    if (ring.length < 3) continue;
    const a = g.signedArea(g.vertices(ring));
    if (a > 0) shells.push({ ring, area: a, bbox: bboxOf(g, g.vertices(ring)), index: null });
    else if (a < 0) holes.push(ring);
  }
  shells.sort((p, q) => p.area - q.area);
  const polygons = shells.map((s) => [s.ring]);
  const realHoles: EdgeRing[] = [];
  const inverted: EdgeRing[] = [];
  for (const hole of holes) {
    const [px, py] = insideNextTo(g, g.vertices(hole));
    const i = shells.findIndex((s) => {
      if (px < s.bbox[0] || px > s.bbox[2] || py < s.bbox[1] || py > s.bbox[3]) return false;
      s.index ??= new RingIndex(g, g.vertices(s.ring));
      return s.index.contains(px, py);
    });
    if (i >= 0) {
      polygons[i].push(hole);
      realHoles.push(hole);
    } else inverted.push(hole);
  }
  for (const ring of inverted) polygons.push([ring]);
  return { polygons, holes: realHoles, reversed: new Set(inverted) };
}

/**
 * Point in ring by ray casting, with the ring's edges listed by horizontal band so a test reads
 * one band, not the whole ring. A district's outline can have 100,000 vertices and thousands
 * of holes to place, where `turf.booleanPointInPolygon` would read every vertex for each.
 */
class RingIndex {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly minY: number;
  private readonly maxY: number;
  private readonly bandHeight: number;
  private readonly bands: number[][];

  constructor(g: EdgeGraph, ids: number[]) {
    const n = ids.length;
    this.xs = Float64Array.from(ids, (v) => g.vx[v]);
    this.ys = Float64Array.from(ids, (v) => g.vy[v]);
    let [minY, maxY] = [Infinity, -Infinity];
    for (const y of this.ys) [minY, maxY] = [Math.min(minY, y), Math.max(maxY, y)];
    [this.minY, this.maxY] = [minY, maxY];
    const count = Math.max(1, Math.min(4096, Math.ceil(Math.sqrt(n))));
    this.bandHeight = (this.maxY - this.minY) / count || 1;
    this.bands = Array.from({ length: count }, () => []);
    for (let i = 0; i < n; i++) {
      const j = i + 1 === n ? 0 : i + 1;
      const b0 = this.band(Math.min(this.ys[i], this.ys[j]));
      const b1 = this.band(Math.max(this.ys[i], this.ys[j]));
      for (let b = b0; b <= b1; b++) this.bands[b].push(i);
    }
  }

  private band(y: number): number {
    return Math.min(this.bands.length - 1, Math.max(0, Math.floor((y - this.minY) / this.bandHeight)));
  }

  contains(px: number, py: number): boolean {
    if (py < this.minY || py > this.maxY) return false;
    const { xs, ys } = this;
    const n = xs.length;
    let inside = false;
    for (const i of this.bands[this.band(py)]) {
      const j = i + 1 === n ? 0 : i + 1;
      if (ys[i] > py !== ys[j] > py && px < xs[i] + ((py - ys[i]) * (xs[j] - xs[i])) / (ys[j] - ys[i])) inside = !inside;
    }
    return inside;
  }
}

function bboxOf(g: EdgeGraph, ring: number[]): number[] {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const v of ring) {
    b[0] = Math.min(b[0], g.vx[v]);
    b[1] = Math.min(b[1], g.vy[v]);
    b[2] = Math.max(b[2], g.vx[v]);
    b[3] = Math.max(b[3], g.vy[v]);
  }
  return b;
}

/** A point a fraction of a unit left of the middle of a ring's longest-enough first edge: inside the polygon. */
function insideNextTo(g: EdgeGraph, ring: number[]): [number, number] {
  let best = 0;
  let bestLen = 0;
  for (let i = 0; i < ring.length && i < 16; i++) {
    const [a, b] = [ring[i], ring[(i + 1) % ring.length]];
    const len = Math.hypot(g.vx[b] - g.vx[a], g.vy[b] - g.vy[a]);
    if (len > bestLen) [best, bestLen] = [i, len];
  }
  const [a, b] = [ring[best], ring[(best + 1) % ring.length]];
  const dx = (g.vx[b] - g.vx[a]) / bestLen;
  const dy = (g.vy[b] - g.vy[a]) / bestLen;
  const off = Math.min(0.25, bestLen / 8);
  return [(g.vx[a] + g.vx[b]) / 2 - dy * off, (g.vy[a] + g.vy[b]) / 2 + dx * off];
}

/**
 * Whether end `v` of one edge touches edge `e` (a→b): it is one of its ends, or it lies inside
 * it within `tol`, in which case `e` is to be split there.
 */
function endOnEdge(
  v: number, px: number, py: number, e: number, a: number, b: number,
  x0: number, y0: number, x1: number, y1: number, tol: number,
  addSplit: (e: number, t: number, v: number) => void,
): boolean {
  if (v === a || v === b) return true;
  const t = onSegment(px, py, x0, y0, x1, y1, tol);
  if (t === null) return false;
  addSplit(e, t, v);
  return true;
}

/** Where (px, py) projects on segment (x0,y0)-(x1,y1), if strictly inside it and within `tol`. */
function onSegment(px: number, py: number, x0: number, y0: number, x1: number, y1: number, tol: number): number | null {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return null;
  const t = ((px - x0) * dx + (py - y0) * dy) / len2;
  if (t <= 0 || t >= 1) return null;
  const len = Math.sqrt(len2);
  if (t * len <= tol || (1 - t) * len <= tol) return null;
  const off = Math.abs((px - x0) * dy - (py - y0) * dx) / len;
  return off <= tol ? t : null;
}

function hash2(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 15), 0x85ebca77);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 16);
}

function pow2Above(n: number): number {
  let p = 64;
  while (p < n) p *= 2;
  return p;
}

function grow<T extends Int32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
