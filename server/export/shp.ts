import type { MultiPolygon } from 'geojson';
import { orientRings } from './rings.js';

const FILE_CODE = 9994;
const VERSION = 1000;
const HEADER_BYTES = 100;
const RECORD_HEADER_BYTES = 8;
export const SHAPE_NULL = 0;
export const SHAPE_POLYGON = 5;

/** The main file and its index, which readers need to find each record. */
export interface ShpFiles {
  shp: Buffer;
  shx: Buffer;
}

type Box = [number, number, number, number];

function boxOf(geometry: MultiPolygon): Box {
  const box: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of geometry.coordinates) {
    for (const ring of polygon) {
      for (const [x, y] of ring) {
        box[0] = Math.min(box[0], x);
        box[1] = Math.min(box[1], y);
        box[2] = Math.max(box[2], x);
        box[3] = Math.max(box[3], y);
      }
    }
  }
  return box;
}

/**
 * One Polygon record's content. A shapefile polygon is a flat list of rings; readers tell
 * exteriors from holes by winding, so exteriors are written clockwise and holes
 * counter-clockwise, as the ESRI specification requires.
 */
function polygonContent(geometry: MultiPolygon): Buffer {
  const rings = orientRings(geometry, 'cw').coordinates.flat();
  const points = rings.reduce((n, ring) => n + ring.length, 0);
  const content = Buffer.alloc(44 + 4 * rings.length + 16 * points);
  content.writeInt32LE(SHAPE_POLYGON, 0);
  boxOf(geometry).forEach((v, i) => content.writeDoubleLE(v, 4 + 8 * i));
  content.writeInt32LE(rings.length, 36);
  content.writeInt32LE(points, 40);
  let start = 0;
  rings.forEach((ring, i) => {
    content.writeInt32LE(start, 44 + 4 * i);
    start += ring.length;
  });
  let at = 44 + 4 * rings.length;
  for (const ring of rings) {
    for (const [x, y] of ring) {
      content.writeDoubleLE(x, at);
      content.writeDoubleLE(y, at + 8);
      at += 16;
    }
  }
  return content;
}

function nullContent(): Buffer {
  const content = Buffer.alloc(4);
  content.writeInt32LE(SHAPE_NULL, 0);
  return content;
}

/** The 100-byte header shared by .shp and .shx; lengths are in 16-bit words, big-endian. */
function header(fileBytes: number, box: Box): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeInt32BE(FILE_CODE, 0);
  out.writeInt32BE(fileBytes / 2, 24);
  out.writeInt32LE(VERSION, 28);
  out.writeInt32LE(SHAPE_POLYGON, 32);
  box.forEach((v, i) => out.writeDoubleLE(v, 36 + 8 * i));
  return out;
}

/**
 * Writes a Polygon shapefile (.shp and .shx) with one record per geometry, in order; a null
 * geometry becomes a Null shape so records stay aligned with the attribute table.
 */
export function writeShp(geometries: (MultiPolygon | null)[]): ShpFiles {
  const contents = geometries.map((g) => (g && g.coordinates.length > 0 ? polygonContent(g) : nullContent()));
  const present = geometries.filter((g): g is MultiPolygon => !!g && g.coordinates.length > 0).map(boxOf);
  // Folded, not spread into Math.min: a level of 100,000 areas would overflow the call stack.
  const box: Box = present.length
    ? present.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])])
    : [0, 0, 0, 0];
  const shpBytes = HEADER_BYTES + contents.reduce((n, c) => n + RECORD_HEADER_BYTES + c.length, 0);
  const shxBytes = HEADER_BYTES + 8 * contents.length;
  const shp = Buffer.alloc(shpBytes);
  const shx = Buffer.alloc(shxBytes);
  header(shpBytes, box).copy(shp, 0);
  header(shxBytes, box).copy(shx, 0);
  let offset = HEADER_BYTES;
  contents.forEach((content, i) => {
    shp.writeInt32BE(i + 1, offset);
    shp.writeInt32BE(content.length / 2, offset + 4);
    content.copy(shp, offset + RECORD_HEADER_BYTES);
    shx.writeInt32BE(offset / 2, HEADER_BYTES + 8 * i);
    shx.writeInt32BE(content.length / 2, HEADER_BYTES + 8 * i + 4);
    offset += RECORD_HEADER_BYTES + content.length;
  });
  return { shp, shx };
}
