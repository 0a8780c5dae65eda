import type { MultiPolygon } from 'geojson';

/**
 * A MultiPolygon as little-endian WKB. PostGIS reads WKB several times faster than GeoJSON
 * text, which matters when a dataset brings a hundred thousand polygons.
 */
export function multiPolygonWkb(g: MultiPolygon): Buffer {
  let size = 9;
  for (const poly of g.coordinates) {
    size += 9;
    for (const ring of poly) size += 4 + ring.length * 16;
  }
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  const header = (type: number, n: number) => {
    buf.writeUInt8(1, at);
    buf.writeUInt32LE(type, at + 1);
    buf.writeUInt32LE(n, at + 5);
    at += 9;
  };
  header(6, g.coordinates.length);
  for (const poly of g.coordinates) {
    header(3, poly.length);
    for (const ring of poly) {
      buf.writeUInt32LE(ring.length, at);
      at += 4;
      for (const p of ring) {
        buf.writeDoubleLE(p[0], at);
        buf.writeDoubleLE(p[1], at + 8);
        at += 16;
      }
    }
  }
  return buf;
}
