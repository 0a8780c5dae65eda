import proj4 from 'proj4';
import type { Position } from 'geojson';
import { UserError } from '../errors.js';
import { isPolygonal, mapCoords, round7, type Coords, type DatasetGeometry } from './geometry.js';

/** A source coordinate system and how to bring its coordinates to WGS84 lon/lat. */
export interface SourceCrs {
  /** What to call it in a report: an EPSG code or the .prj's own name. */
  label: string;
  /** The datum as recognised, and whether a shift to WGS84 is applied. */
  datum: string;
  shifted: boolean;
  toWgs84(p: Position): Position;
  /** True when coordinates are already WGS 84 longitude/latitude. */
  identity?: boolean;
}

/**
 * Datums of the countries Tessera serves, recognised by name because ESRI-flavoured .prj
 * files (ArcView, and GDAL writing shapefiles) carry no TOWGS84. Shifts are the EPSG
 * Helmert parameters PROJ and PostGIS use by default for each datum (see docs/crs.md).
 */
const DATUMS: { match: RegExp; name: string; towgs84: number[] | null }[] = [
  { match: /^(d_)?wgs_?(19)?84$|^world_geodetic_system_1984$/, name: 'WGS 84', towgs84: [0, 0, 0, 0, 0, 0, 0] },
  { match: /^(d_)?indian_?1960$/, name: 'Indian 1960 (EPSG:4131)', towgs84: [198, 881, 317, 0, 0, 0, 0] },
  { match: /^(d_)?indian_?1954$/, name: 'Indian 1954 (EPSG:4239)', towgs84: [217, 823, 299, 0, 0, 0, 0] },
  { match: /^(d_)?indian_?1975$/, name: 'Indian 1975 (EPSG:4240)', towgs84: [210, 814, 289, 0, 0, 0, 0] },
  { match: /^(d_)?lao_?(national_?datum_?)?1997$/, name: 'Lao 1997 (EPSG:4678)', towgs84: [44.585, -131.212, -39.544, 0, 0, 0, 0] },
  // EPSG publishes no transformation for Lao 1993 that PROJ applies by default.
  { match: /^(d_)?lao_?1993$/, name: 'Lao 1993 (EPSG:4677)', towgs84: null },
  { match: /^(d_)?point_?58$/, name: 'Point 58 (EPSG:4620)', towgs84: [-106, -129, 165, 0, 0, 0, 0] },
  { match: /^(d_)?pulkovo_?1942$/, name: 'Pulkovo 1942 (EPSG:4284)', towgs84: [23.92, -141.27, -80.9, 0, 0.35, 0.82, -0.12] },
];

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s-]+/g, '_');
}

/** The CRSs a mapper may name with the `crs` field, as PROJ strings (EPSG definitions). */
const EVEREST_1937 = '+a=6377276.345 +b=6356075.41314024';
const KNOWN_CODES: Record<string, { proj: string; datum: string }> = {
  'EPSG:4326': { proj: '+proj=longlat +datum=WGS84 +no_defs', datum: 'WGS 84' },
  'EPSG:3857': { proj: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs', datum: 'WGS 84' },
  'EPSG:32647': { proj: '+proj=utm +zone=47 +datum=WGS84 +units=m +no_defs', datum: 'WGS 84' },
  'EPSG:32648': { proj: '+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs', datum: 'WGS 84' },
  'EPSG:32628': { proj: '+proj=utm +zone=28 +datum=WGS84 +units=m +no_defs', datum: 'WGS 84' },
  'EPSG:32629': { proj: '+proj=utm +zone=29 +datum=WGS84 +units=m +no_defs', datum: 'WGS 84' },
  'EPSG:32630': { proj: '+proj=utm +zone=30 +datum=WGS84 +units=m +no_defs', datum: 'WGS 84' },
  'EPSG:32640': { proj: '+proj=utm +zone=40 +datum=WGS84 +units=m +no_defs', datum: 'WGS 84' },
  'EPSG:3148': { proj: `+proj=utm +zone=48 ${EVEREST_1937} +towgs84=198,881,317,0,0,0,0 +units=m +no_defs`, datum: 'Indian 1960 (EPSG:4131)' },
  'EPSG:3149': { proj: `+proj=utm +zone=49 ${EVEREST_1937} +towgs84=198,881,317,0,0,0,0 +units=m +no_defs`, datum: 'Indian 1960 (EPSG:4131)' },
  'EPSG:23947': { proj: `+proj=utm +zone=47 ${EVEREST_1937} +towgs84=217,823,299,0,0,0,0 +units=m +no_defs`, datum: 'Indian 1954 (EPSG:4239)' },
  'EPSG:23948': { proj: `+proj=utm +zone=48 ${EVEREST_1937} +towgs84=217,823,299,0,0,0,0 +units=m +no_defs`, datum: 'Indian 1954 (EPSG:4239)' },
  'EPSG:24047': { proj: `+proj=utm +zone=47 ${EVEREST_1937} +towgs84=210,814,289,0,0,0,0 +units=m +no_defs`, datum: 'Indian 1975 (EPSG:4240)' },
  'EPSG:24048': { proj: `+proj=utm +zone=48 ${EVEREST_1937} +towgs84=210,814,289,0,0,0,0 +units=m +no_defs`, datum: 'Indian 1975 (EPSG:4240)' },
};

function converter(def: string | object): (p: Position) => Position {
  const t = proj4(def as string, 'EPSG:4326');
  return (p) => t.forward([p[0], p[1]]);
}

/** `EPSG:32648` from the ways files and forms write it: `32648`, `epsg::32648`, `urn:ogc:def:crs:EPSG::32648`, CRS84. */
export function normaliseCrsCode(code: string): string {
  const key = code.trim().toUpperCase();
  if (/^(URN:OGC:DEF:CRS:OGC:1\.3:)?CRS84$|^OGC:CRS84$/.test(key)) return 'EPSG:4326';
  const m = /^(?:URN:OGC:DEF:CRS:)?EPSG:(?:[\d.]*:)?:?(\d+)$/.exec(key) ?? /^(\d+)$/.exec(key);
  return m ? `EPSG:${m[1]}` : key;
}

/** A CRS named by its EPSG code (the upload's `crs` field). */
export function crsFromCode(code: string): SourceCrs {
  const key = normaliseCrsCode(code);
  const known = KNOWN_CODES[key];
  if (!known) {
    throw new UserError('CRS_UNSUPPORTED', `CRS '${code}' is not one Tessera converts; use one of ${Object.keys(KNOWN_CODES).join(', ')}, or upload the .prj.`);
  }
  return { label: key, datum: known.datum, shifted: true, toWgs84: converter(known.proj), identity: key === 'EPSG:4326' };
}

/** Largest feature extent, in source units, reprojected through a local fit (see projectGeometry). */
const FIT_MAX_EXTENT = 5000;
/**
 * Side of the grid cells whose fits are shared, in source units: a fit spans two cells each
 * way (FIT_MAX_EXTENT), so it covers every feature at most one cell wide whose bounding box
 * starts in its lower-left cell.
 */
const FIT_CELL = FIT_MAX_EXTENT / 2;
/** Shared fits kept per CRS; a layer's villages lie in a few hundred cells. */
const FIT_CACHE_MAX = 4096;
/** Largest disagreement, in degrees, between the local fit and the exact conversion (about 0.1 mm). */
const FIT_TOLERANCE = 1e-9;

type Fit = (c: Coords, out: Float64Array) => void;
const sharedFits = new WeakMap<SourceCrs, Map<string, Fit | null>>();

/**
 * The fit of the grid cell pair holding a feature of at most one cell's extent whose bounding
 * box starts at (x0, y0), made once per cell and CRS: neighbouring villages share it, so a
 * layer costs ten exact conversions per cell instead of per feature. Null when the fit misses.
 */
function sharedFit(crs: SourceCrs, x0: number, y0: number): Fit | null {
  let cache = sharedFits.get(crs);
  if (!cache) sharedFits.set(crs, (cache = new Map()));
  const kx = Math.floor(x0 / FIT_CELL);
  const ky = Math.floor(y0 / FIT_CELL);
  const key = `${kx},${ky}`;
  let fit = cache.get(key);
  if (fit === undefined) {
    if (cache.size >= FIT_CACHE_MAX) cache.clear();
    fit = localFit(crs, (kx + 1) * FIT_CELL, (ky + 1) * FIT_CELL, FIT_CELL, FIT_CELL);
    cache.set(key, fit);
  }
  return fit;
}

/**
 * A feature's geometry in WGS 84, rounded to 1e-7 degrees. A small feature (a village in
 * metres) is converted through a biquadratic fit of the exact conversion at nine points of a
 * box around it, checked at a tenth point against the exact conversion: within 0.1 mm. The
 * box is a grid cell pair shared by the features around (see sharedFit), or, for a feature
 * too big for it or where the shared fit misses, the feature's own bounding box. Larger
 * features, or a fit that misses, convert every vertex exactly.
 */
export function projectGeometry(crs: SourceCrs, g: DatasetGeometry): DatasetGeometry {
  if (crs.identity) return mapCoords(g, (c) => round7(Float64Array.from(c)));
  const arrays = isPolygonal(g) ? g.polygons.flat() : g.parts;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const c of arrays) {
    for (let i = 0; i < c.length; i += 2) {
      const x = c[i];
      const y = c[i + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const hx = (x1 - x0) / 2;
  const hy = (y1 - y0) / 2;
  const small = hx > 0 && hy > 0 && hx * 2 <= FIT_MAX_EXTENT && hy * 2 <= FIT_MAX_EXTENT;
  const shared = small && hx * 2 <= FIT_CELL && hy * 2 <= FIT_CELL ? sharedFit(crs, x0, y0) : null;
  const fit = shared ?? (small ? localFit(crs, x0 + hx, y0 + hy, hx, hy) : null);
  return mapCoords(g, (c) => {
    const out = new Float64Array(c.length);
    if (fit) fit(c, out);
    else {
      for (let i = 0; i < c.length; i += 2) {
        const p = crs.toWgs84([c[i], c[i + 1]]);
        out[i] = p[0];
        out[i + 1] = p[1];
      }
    }
    return round7(out);
  });
}

/**
 * A biquadratic interpolation of the conversion over a box (centre mx, my; half sizes hx, hy)
 * through nine exact conversions, or null when it misses the exact conversion by more than
 * FIT_TOLERANCE at a probe where the interpolation error of a quadratic is near its largest.
 */
function localFit(crs: SourceCrs, mx: number, my: number, hx: number, hy: number): Fit | null {
  const lon = new Float64Array(9);
  const lat = new Float64Array(9);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      const p = crs.toWgs84([mx + (i - 1) * hx, my + (j - 1) * hy]);
      lon[j * 3 + i] = p[0];
      lat[j * 3 + i] = p[1];
    }
  }
  const ihx = 1 / hx;
  const ihy = 1 / hy;
  const apply = (c: Coords, out: Float64Array) => {
    for (let k = 0; k < c.length; k += 2) {
      const u = (c[k] - mx) * ihx;
      const v = (c[k + 1] - my) * ihy;
      const u0 = (u * (u - 1)) * 0.5;
      const u1 = 1 - u * u;
      const u2 = (u * (u + 1)) * 0.5;
      const v0 = (v * (v - 1)) * 0.5;
      const v1 = 1 - v * v;
      const v2 = (v * (v + 1)) * 0.5;
      out[k] = v0 * (u0 * lon[0] + u1 * lon[1] + u2 * lon[2]) + v1 * (u0 * lon[3] + u1 * lon[4] + u2 * lon[5]) + v2 * (u0 * lon[6] + u1 * lon[7] + u2 * lon[8]);
      out[k + 1] = v0 * (u0 * lat[0] + u1 * lat[1] + u2 * lat[2]) + v1 * (u0 * lat[3] + u1 * lat[4] + u2 * lat[5]) + v2 * (u0 * lat[6] + u1 * lat[7] + u2 * lat[8]);
    }
  };
  const probe = new Float64Array(2);
  const at = new Float64Array([mx + 0.5 * hx, my + 0.5 * hy]);
  apply(at, probe);
  const exact = crs.toWgs84([at[0], at[1]]);
  return Math.abs(probe[0] - exact[0]) <= FIT_TOLERANCE && Math.abs(probe[1] - exact[1]) <= FIT_TOLERANCE ? apply : null;
}

interface ParsedWkt {
  datumCode?: string;
  datum_params?: number[];
  GEOGCS?: { DATUM?: { name?: string } };
  DATUM?: { name?: string };
  name?: string;
  projName?: string;
}

/**
 * A CRS from a .prj (WKT1, OGC or ESRI flavour). proj4 reads the projection; the datum shift
 * is added from the table above when the file names a known datum without TOWGS84.
 */
export function crsFromPrj(wkt: string, fileName: string): SourceCrs {
  let def: ParsedWkt;
  try {
    proj4.defs('TESSERA_PRJ', wkt.trim());
    def = { ...(proj4.defs('TESSERA_PRJ') as unknown as ParsedWkt) };
  } catch (e) {
    throw new UserError('CRS_UNSUPPORTED', `${fileName}: the .prj could not be read (${(e as Error).message}); give the CRS with the crs field, e.g. EPSG:32648.`);
  }
  const datumName = def.GEOGCS?.DATUM?.name ?? def.DATUM?.name ?? def.datumCode ?? 'unknown';
  const known = DATUMS.find((d) => d.match.test(normalise(datumName)));
  const hasShift = Array.isArray(def.datum_params) && def.datum_params.some((v) => v !== 0);
  // Zeros would still send every point through geocentric coordinates: only a real shift is set.
  if (!hasShift && known?.towgs84?.some((v) => v !== 0)) def.datum_params = known.towgs84;
  if (!hasShift && !known && !/wgs|84/i.test(datumName)) {
    throw new UserError(
      'CRS_UNSUPPORTED',
      `${fileName}: the .prj names datum '${datumName}', which Tessera does not know how to shift to WGS84; give the CRS with the crs field (e.g. EPSG:3148 for Indian 1960 / UTM 48N).`,
      [{ datum: datumName }],
    );
  }
  let toWgs84: (p: Position) => Position;
  try {
    toWgs84 = converter(def);
  } catch (e) {
    throw new UserError('CRS_UNSUPPORTED', `${fileName}: the projection in the .prj is not supported (${(e as Error).message}).`);
  }
  return {
    label: def.name ?? datumName,
    datum: known?.name ?? datumName,
    shifted: hasShift || !!known?.towgs84,
    toWgs84,
  };
}

/** Where each supported country lies, and the CRSs its old data is usually in. */
export const COUNTRIES: Record<string, { name: string; extent: [number, number, number, number]; candidates: string[] }> = {
  LA: {
    name: 'Laos',
    extent: [100.08, 13.9, 107.7, 22.5],
    candidates: ['EPSG:4326', 'EPSG:32648', 'EPSG:32647', 'EPSG:3148', 'EPSG:23948', 'EPSG:23947', 'EPSG:24048', 'EPSG:24047'],
  },
  KH: { name: 'Cambodia', extent: [102.3, 10.4, 107.7, 14.7], candidates: ['EPSG:4326', 'EPSG:32648', 'EPSG:32647', 'EPSG:3148', 'EPSG:24048', 'EPSG:24047'] },
  ML: { name: 'Mali', extent: [-12.3, 10.1, 4.3, 25.0], candidates: ['EPSG:4326', 'EPSG:32629', 'EPSG:32630', 'EPSG:32628'] },
  TM: { name: 'Turkmenistan', extent: [52.4, 35.1, 66.7, 42.8], candidates: ['EPSG:4326', 'EPSG:32640'] },
};

function inside(p: Position, box: [number, number, number, number]): boolean {
  return Number.isFinite(p[0]) && Number.isFinite(p[1]) && p[0] >= box[0] && p[0] <= box[2] && p[1] >= box[1] && p[1] <= box[3];
}

export interface CrsProposal {
  crs: string;
  datum: string;
  /** Also inside the district the data was uploaded for. */
  inTarget: boolean;
}

/**
 * For data without a .prj: the CRSs of the country's usual set that put the data's bounding
 * box inside the country (and the target area, when given), best first. Several datums on
 * the same grid all fit a country; the mapper confirms which.
 */
export function proposeCrs(bbox: [number, number, number, number], country: string, target?: [number, number, number, number] | null): CrsProposal[] {
  const c = COUNTRIES[country] ?? COUNTRIES.LA;
  const corners: Position[] = [[bbox[0], bbox[1]], [bbox[2], bbox[3]]];
  const out: CrsProposal[] = [];
  for (const code of c.candidates) {
    const crs = crsFromCode(code);
    const looksGeographic = code === 'EPSG:4326';
    if (looksGeographic && (Math.abs(bbox[0]) > 180 || Math.abs(bbox[3]) > 90)) continue;
    if (!looksGeographic && Math.abs(bbox[0]) <= 360) continue;
    let points: Position[];
    try {
      points = corners.map((p) => crs.toWgs84(p));
    } catch {
      continue;
    }
    if (!points.every((p) => inside(p, c.extent))) continue;
    out.push({ crs: code, datum: crs.datum, inTarget: !!target && points.every((p) => inside(p, target)) });
  }
  return out.sort((a, b) => Number(b.inTarget) - Number(a.inTarget));
}
