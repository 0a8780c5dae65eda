/**
 * Pure geometry of dataset import, on flat coordinate arrays: a hundred thousand polygons of
 * 33 vertices are 3.3 million positions, and one Float64Array per ring instead of one array
 * per position is what keeps reading, reprojecting and measuring them cheap.
 */
import { interiorPointOfRings } from '../geo/interior.js';

/** A ring or line as flat `[x0, y0, x1, y1, ...]`. */
export type Coords = Float64Array;
/** Polygons, each a shell followed by its holes. */
export type Polygons = Coords[][];

export type PolygonalType = 'Polygon' | 'MultiPolygon';
export type OtherType = 'Point' | 'MultiPoint' | 'LineString' | 'MultiLineString';

/** A feature's geometry as read from a dataset, in the dataset's own coordinates. */
export type DatasetGeometry =
  | { type: PolygonalType; polygons: Polygons }
  | { type: OtherType; parts: Coords[] };

export type Bbox = [number, number, number, number];

export function isPolygonal(g: DatasetGeometry): g is { type: PolygonalType; polygons: Polygons } {
  return g.type === 'Polygon' || g.type === 'MultiPolygon';
}

function allCoords(g: DatasetGeometry): Coords[] {
  return isPolygonal(g) ? g.polygons.flat() : g.parts;
}

/** Grow `box` (or start it) by every position of `g`; non-finite values are ignored. */
export function extendBbox(box: Bbox | null, g: DatasetGeometry): Bbox | null {
  let b = box;
  for (const c of allCoords(g)) {
    for (let i = 0; i < c.length; i += 2) {
      const x = c[i];
      const y = c[i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (b === null) b = [x, y, x, y];
      else {
        if (x < b[0]) b[0] = x;
        if (y < b[1]) b[1] = y;
        if (x > b[2]) b[2] = x;
        if (y > b[3]) b[3] = y;
      }
    }
  }
  return b;
}

export function allFinite(g: DatasetGeometry): boolean {
  for (const c of allCoords(g)) for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i])) return false;
  return true;
}

/** The same geometry with every coordinate array replaced by `fn` of it. */
export function mapCoords(g: DatasetGeometry, fn: (c: Coords) => Coords): DatasetGeometry {
  return isPolygonal(g)
    ? { type: g.type, polygons: g.polygons.map((p) => p.map(fn)) }
    : { type: g.type, parts: g.parts.map(fn) };
}

/** Twice the signed area of a ring (shoelace), positive when counter-clockwise. */
export function ringArea2(r: Coords): number {
  const n = r.length;
  if (n < 6) return 0;
  // Relative to the first vertex, so that large projected coordinates keep their precision.
  const x0 = r[0];
  const y0 = r[1];
  let s = 0;
  for (let i = 2; i + 3 < n; i += 2) s += (r[i] - x0) * (r[i + 3] - y0) - (r[i + 2] - x0) * (r[i + 1] - y0);
  return s;
}

/** -1 outside, 0 on the boundary, 1 inside (even-odd rule). */
function ringContains(r: Coords, x: number, y: number): number {
  let inside = -1;
  const n = r.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = r[i];
    const yi = r[i + 1];
    const xj = r[j];
    const yj = r[j + 1];
    if (onSegment(xi, yi, xj, yj, x, y)) return 0;
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = -inside;
  }
  return inside;
}

function onSegment(x0: number, y0: number, x1: number, y1: number, x: number, y: number): boolean {
  const x20 = x - x0;
  const y20 = y - y0;
  if (x20 === 0 && y20 === 0) return true;
  const x10 = x1 - x0;
  const y10 = y1 - y0;
  if (x10 === 0 && y10 === 0) return false;
  const t = (x20 * x10 + y20 * y10) / (x10 * x10 + y10 * y10);
  return t < 0 || t > 1 ? false : t === 0 || t === 1 ? true : t * x10 === x20 && t * y10 === y20;
}

/**
 * Shapefile rings to polygons, the way ArcView meant them: clockwise rings are shells,
 * counter-clockwise rings are holes of the shell that holds them; a hole no shell holds is
 * read as a shell of its own (files written with the ring order reversed).
 */
export function ringsToPolygons(rings: Coords[]): Polygons {
  const polygons: Polygons = [];
  const holes: Coords[] = [];
  for (const r of rings) {
    if (r.length >= 8 && ringArea2(r) <= 0) polygons.push([r]);
    else holes.push(r);
  }
  for (const hole of holes) {
    const shell = polygons.find((p) => {
      for (let i = 0; i < hole.length; i += 2) {
        const c = ringContains(p[0], hole[i], hole[i + 1]);
        if (c !== 0) return c > 0;
      }
      return false;
    });
    if (shell) shell.push(hole);
    else polygons.push([hole]);
  }
  return polygons;
}

/**
 * Make the rings of polygons acceptable to PostGIS's WKB reader: an unclosed ring is closed,
 * a ring of fewer than 4 positions is dropped (a dropped shell takes its holes with it).
 * Returns what was done, for the report, and null when no polygon is left.
 */
export function closeRings(polygons: Polygons): { polygons: Polygons; repairs: string[] } | null {
  const repairs: string[] = [];
  const out: Polygons = [];
  for (const poly of polygons) {
    const rings: Coords[] = [];
    for (let k = 0; k < poly.length; k++) {
      let r = poly[k];
      const n = r.length;
      if (n >= 2 && (r[0] !== r[n - 2] || r[1] !== r[n - 1])) {
        const closed = new Float64Array(n + 2);
        closed.set(r);
        closed[n] = r[0];
        closed[n + 1] = r[1];
        r = closed;
        repairs.push('unclosed ring closed');
      }
      if (r.length < 8) {
        repairs.push(k === 0 ? 'polygon with fewer than 4 positions dropped' : 'hole with fewer than 4 positions dropped');
        if (k === 0) break;
        continue;
      }
      rings.push(r);
    }
    if (rings.length > 0) out.push(rings);
  }
  return out.length > 0 ? { polygons: out, repairs } : null;
}

/** Round every coordinate to 1e-7 degrees (about 1 cm), what Tessera stores. */
export function round7(c: Coords): Coords {
  for (let i = 0; i < c.length; i++) c[i] = Math.round(c[i] * 1e7) / 1e7;
  return c;
}

// Orientation with a forward error bound: a sign is trusted only when it cannot be a rounding
// artefact (Shewchuk's first-stage bound, with margin).
const ORIENT_EPS = 1e-14;

/** 1 left turn, -1 right turn, 0 collinear or too close to tell. */
function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const l = (bx - ax) * (cy - ay);
  const r = (by - ay) * (cx - ax);
  const det = l - r;
  const bound = ORIENT_EPS * (Math.abs(l) + Math.abs(r));
  return det > bound ? 1 : det < -bound ? -1 : 0;
}

/**
 * Whether a ring is certainly simple: no two segments meet except neighbours at their shared
 * vertex, no spike doubles back, and it encloses an area. Any doubt (a touch, a collinear
 * meeting, numbers too close to call) answers false, and PostGIS decides.
 */
function ringCertainlySimple(r: Coords): boolean {
  const small = smallRingCertainlySimple(r);
  if (small !== null) return small;
  // Consecutive duplicate positions are valid; they are skipped so segments have a length.
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < r.length; i += 2) {
    const k = xs.length;
    if (k > 0 && xs[k - 1] === r[i] && ys[k - 1] === r[i + 1]) continue;
    xs.push(r[i]);
    ys.push(r[i + 1]);
  }
  const n = xs.length - 1; // segments; the last position repeats the first
  if (n < 3 || xs[0] !== xs[n] || ys[0] !== ys[n]) return false;
  // Neighbouring segments may meet only at their shared vertex: no reversal along a line.
  for (let i = 0; i < n; i++) {
    const a = i === 0 ? n - 1 : i - 1;
    const o = orient(xs[a], ys[a], xs[i], ys[i], xs[i + 1], ys[i + 1]);
    if (o === 0) {
      const dot = (xs[i] - xs[a]) * (xs[i + 1] - xs[i]) + (ys[i] - ys[a]) * (ys[i + 1] - ys[i]);
      if (!(dot > 0)) return false;
    }
  }
  // Sweep along x: only segments whose x-ranges overlap are tested against each other.
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const minX = (i: number) => Math.min(xs[i], xs[i + 1]);
  order.sort((p, q) => minX(p) - minX(q));
  for (let u = 0; u < n; u++) {
    const i = order[u];
    const ix1 = Math.max(xs[i], xs[i + 1]);
    const iy0 = Math.min(ys[i], ys[i + 1]);
    const iy1 = Math.max(ys[i], ys[i + 1]);
    for (let v = u + 1; v < n; v++) {
      const j = order[v];
      if (minX(j) > ix1) break;
      if (Math.max(ys[j], ys[j + 1]) < iy0 || Math.min(ys[j], ys[j + 1]) > iy1) continue;
      const d = Math.abs(i - j);
      if (d === 1 || d === n - 1) continue; // neighbours, checked above
      const o1 = orient(xs[i], ys[i], xs[i + 1], ys[i + 1], xs[j], ys[j]);
      const o2 = orient(xs[i], ys[i], xs[i + 1], ys[i + 1], xs[j + 1], ys[j + 1]);
      if (o1 === 0 || o2 === 0 || o1 === o2) {
        if (o1 === o2 && o1 !== 0) continue;
        return false;
      }
      const o3 = orient(xs[j], ys[j], xs[j + 1], ys[j + 1], xs[i], ys[i]);
      const o4 = orient(xs[j], ys[j], xs[j + 1], ys[j + 1], xs[i + 1], ys[i + 1]);
      if (o3 === 0 || o4 === 0 || o3 !== o4) return false;
    }
  }
  return ringArea2(r) !== 0;
}

/**
 * The same test for a ring of at most 64 segments without repeated positions, every pair of
 * segments compared directly on the flat array: for a village's 33 vertices this is several
 * times faster than sorting. Null when the ring is not such a ring.
 */
function smallRingCertainlySimple(r: Coords): boolean | null {
  const n = r.length / 2 - 1;
  if (n > 64 || n < 3) return null;
  for (let i = 0; i < n; i++) if (r[2 * i] === r[2 * i + 2] && r[2 * i + 1] === r[2 * i + 3]) return null;
  if (r[0] !== r[2 * n] || r[1] !== r[2 * n + 1]) return false;
  for (let i = 0; i < n; i++) {
    const a = i === 0 ? n - 1 : i - 1;
    const o = orient(r[2 * a], r[2 * a + 1], r[2 * i], r[2 * i + 1], r[2 * i + 2], r[2 * i + 3]);
    if (o === 0) {
      const dot = (r[2 * i] - r[2 * a]) * (r[2 * i + 2] - r[2 * i]) + (r[2 * i + 1] - r[2 * a + 1]) * (r[2 * i + 3] - r[2 * i + 1]);
      if (!(dot > 0)) return false;
    }
  }
  for (let i = 0; i < n; i++) {
    const ax = r[2 * i];
    const ay = r[2 * i + 1];
    const bx = r[2 * i + 2];
    const by = r[2 * i + 3];
    const x0 = ax < bx ? ax : bx;
    const x1 = ax < bx ? bx : ax;
    const y0 = ay < by ? ay : by;
    const y1 = ay < by ? by : ay;
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // neighbours through the closing vertex
      const cx = r[2 * j];
      const cy = r[2 * j + 1];
      const dx = r[2 * j + 2];
      const dy = r[2 * j + 3];
      if ((cx < x0 && dx < x0) || (cx > x1 && dx > x1) || (cy < y0 && dy < y0) || (cy > y1 && dy > y1)) continue;
      const o1 = orient(ax, ay, bx, by, cx, cy);
      const o2 = orient(ax, ay, bx, by, dx, dy);
      if (o1 !== 0 && o1 === o2) continue;
      if (o1 === 0 || o2 === 0) return false;
      const o3 = orient(cx, cy, dx, dy, ax, ay);
      const o4 = orient(cx, cy, dx, dy, bx, by);
      if (o3 === 0 || o4 === 0 || o3 !== o4) return false;
    }
  }
  return ringArea2(r) !== 0;
}

/**
 * A cheap proof of validity for the common case, a polygon that is one simple ring. Polygons
 * with holes, several parts and anything in doubt return false: PostGIS checks those (with
 * ST_IsValid and its reason) and repairs what is invalid. The table's CHECK stays the guard.
 */
export function certainlyValid(polygons: Polygons): boolean {
  if (polygons.length !== 1 || polygons[0].length !== 1) return false;
  const r = polygons[0][0];
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i])) return false;
  return ringCertainlySimple(r);
}

// WGS 84 ellipsoid.
const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const D2R = Math.PI / 180;
/** q(φ) of the authalic latitude at the pole, and the authalic radius squared. */
const QP = (1 - E2) * (1 / (1 - E2) + Math.atanh(E) / E);
const RQ2 = (A * A * QP) / 2;

/** q(φ) / q(90°) = sin(authalic latitude). */
function sinAuthalic(lat: number): number {
  const s = Math.sin(lat * D2R);
  return ((1 - E2) * (s / (1 - E2 * s * s) + Math.atanh(E * s) / E)) / QP;
}

/**
 * Area (m²) and perimeter (m) of WGS 84 polygons on the ellipsoid, without a database. Area:
 * the polygon in the ellipsoidal cylindrical equal-area projection (longitude, sine of the
 * authalic latitude), which preserves area exactly; edges are straight there instead of
 * geodesic, a difference that vanishes for the short edges of surveyed boundaries. Perimeter:
 * each edge measured with the meridian and prime-vertical radii of its mid-latitude. Both agree
 * with PostGIS's spheroidal ST_Area/ST_Perimeter on geography to far better than 0.1 %
 * (see geometry.test.ts), at a fraction of their cost.
 */
export function geodesicMeasures(polygons: Polygons): { area: number; perimeter: number } {
  let area = 0;
  let perimeter = 0;
  for (const poly of polygons) {
    for (let k = 0; k < poly.length; k++) {
      const r = poly[k];
      const n = r.length / 2;
      if (n < 2) continue;
      // Terms relative to the first vertex's sine: the constant cancels over a closed ring and
      // leaves the small differences exact enough for polygons of a few metres.
      const s0 = sinAuthalic(r[1]);
      let ringSum = 0;
      let prevLon = r[0];
      let prevLat = r[1];
      let prevS = 0;
      for (let i = 1; i < n; i++) {
        const lon = r[2 * i];
        const lat = r[2 * i + 1];
        const s = sinAuthalic(lat) - s0;
        let dLon = lon - prevLon;
        if (dLon > 180) dLon -= 360;
        else if (dLon < -180) dLon += 360;
        ringSum += dLon * D2R * (s + prevS);
        const mid = ((lat + prevLat) / 2) * D2R;
        const sm = Math.sin(mid);
        const w = 1 - E2 * sm * sm;
        const nu = A / Math.sqrt(w);
        const rho = (A * (1 - E2)) / (w * Math.sqrt(w));
        const dx = nu * Math.cos(mid) * dLon * D2R;
        const dy = rho * (lat - prevLat) * D2R;
        perimeter += Math.sqrt(dx * dx + dy * dy);
        prevLon = lon;
        prevLat = lat;
        prevS = s;
      }
      const ringArea = Math.abs((ringSum * RQ2) / 2);
      area += k === 0 ? ringArea : -ringArea;
    }
  }
  return { area: Math.abs(area), perimeter };
}

/** The size in bytes of polygons as EWKB (see writeMultiPolygonEwkb). */
export function multiPolygonEwkbSize(polygons: Polygons): number {
  let size = 13;
  for (const poly of polygons) {
    size += 9;
    for (const ring of poly) size += 4 + ring.length * 8;
  }
  return size;
}

/**
 * Polygons as a MultiPolygon in little-endian EWKB with SRID 4326, written into `buf` at `at`
 * (multiPolygonEwkbSize bytes must be free there); returns the offset after it. Writing in
 * place lets a binary COPY row hold the geometry without a buffer of its own per feature.
 */
export function writeMultiPolygonEwkb(polygons: Polygons, buf: Buffer, at: number): number {
  buf.writeUInt8(1, at);
  buf.writeUInt32LE(0x20000006, at + 1);
  buf.writeUInt32LE(4326, at + 5);
  buf.writeUInt32LE(polygons.length, at + 9);
  at += 13;
  for (const poly of polygons) {
    buf.writeUInt8(1, at);
    buf.writeUInt32LE(3, at + 1);
    buf.writeUInt32LE(poly.length, at + 5);
    at += 9;
    for (const ring of poly) {
      buf.writeUInt32LE(ring.length / 2, at);
      at += 4;
      const bytes = new Uint8Array(ring.buffer, ring.byteOffset, ring.byteLength);
      if (isLittleEndian) buf.set(bytes, at);
      else for (let i = 0; i < ring.length; i++) buf.writeDoubleLE(ring[i], at + i * 8);
      at += ring.length * 8;
    }
  }
  return at;
}

/** Polygons as a MultiPolygon in little-endian EWKB with SRID 4326. */
export function multiPolygonEwkb(polygons: Polygons): Buffer {
  const buf = Buffer.allocUnsafe(multiPolygonEwkbSize(polygons));
  writeMultiPolygonEwkb(polygons, buf, 0);
  return buf;
}

/** A point as little-endian EWKB with SRID 4326, written into `buf` at `at` (25 bytes); returns the offset after it. */
export function writePointEwkb(x: number, y: number, buf: Buffer, at: number): number {
  buf.writeUInt8(1, at);
  buf.writeUInt32LE(0x20000001, at + 1);
  buf.writeUInt32LE(4326, at + 5);
  buf.writeDoubleLE(x, at + 9);
  return buf.writeDoubleLE(y, at + 17);
}

/** A point as little-endian EWKB with SRID 4326, in hex. */
export function pointEwkbHex(x: number, y: number): string {
  const buf = Buffer.allocUnsafe(25);
  writePointEwkb(x, y, buf, 0);
  return buf.toString('hex');
}

/**
 * A point strictly inside a polygon that is one simple ring (interiorPointOfRings); null for
 * anything else, which PostGIS places.
 */
export function interiorPoint(polygons: Polygons): [number, number] | null {
  if (polygons.length !== 1 || polygons[0].length !== 1) return null;
  return interiorPointOfRings(polygons[0]);
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Polygons as GeoJSON coordinates (for reports and tests). */
export function toGeoJson(g: DatasetGeometry): { type: string; coordinates: unknown } {
  const positions = (c: Coords) => {
    const out: number[][] = [];
    for (let i = 0; i < c.length; i += 2) out.push([c[i], c[i + 1]]);
    return out;
  };
  if (isPolygonal(g)) {
    const polys = g.polygons.map((p) => p.map(positions));
    return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys };
  }
  switch (g.type) {
    case 'Point': return { type: 'Point', coordinates: positions(g.parts[0])[0] };
    case 'MultiPoint': return { type: 'MultiPoint', coordinates: g.parts.flatMap(positions) };
    case 'LineString': return { type: 'LineString', coordinates: positions(g.parts[0]) };
    default: return { type: 'MultiLineString', coordinates: g.parts.map(positions) };
  }
}
