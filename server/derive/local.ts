import type { Position } from 'geojson';

/**
 * A local equirectangular frame in metres around a point. Over one village (a few km) its
 * distortion is far below GPS error, and it lets every tolerance be stated in metres.
 */
export interface LocalFrame {
  lon0: number;
  lat0: number;
  mPerDegLon: number;
  mPerDegLat: number;
}

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQUATOR = 111_320;

export function localFrame(points: Position[]): LocalFrame {
  let lon = 0;
  let lat = 0;
  for (const p of points) {
    lon += p[0];
    lat += p[1];
  }
  const lon0 = lon / points.length;
  const lat0 = lat / points.length;
  return { lon0, lat0, mPerDegLon: M_PER_DEG_LON_EQUATOR * Math.cos((lat0 * Math.PI) / 180), mPerDegLat: M_PER_DEG_LAT };
}

export function toLocal(f: LocalFrame, p: Position): Position {
  return [(p[0] - f.lon0) * f.mPerDegLon, (p[1] - f.lat0) * f.mPerDegLat];
}

export function fromLocal(f: LocalFrame, p: Position): Position {
  return [round7(f.lon0 + p[0] / f.mPerDegLon), round7(f.lat0 + p[1] / f.mPerDegLat)];
}

/** 7 decimals of a degree is about 1 cm: finer digits are GPS noise (RFC 7946 §11.2). */
function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}
