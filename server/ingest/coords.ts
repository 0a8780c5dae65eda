import proj4 from 'proj4';

/**
 * Coordinates as mappers really write them: decimal degrees with a dot or a comma,
 * degrees-minutes(-seconds) with hemisphere letters, and projected metres (UTM, Web Mercator)
 * that must be brought to WGS84. Everything here is pure; callers turn a failed read into a
 * UserError that names their file and row.
 */

/** Why a coordinate text could not be read. */
export type AngleProblem = 'empty' | 'not-finite' | 'unreadable' | 'out-of-range' | 'wrong-hemisphere';

export type AngleResult = { ok: true; value: number } | { ok: false; problem: AngleProblem };

/** A plain decimal number, with a dot or (European and Lao office exports) a comma as decimal mark. */
const DECIMAL = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(?:inf|infinity|nan)$/i;
/** What a spreadsheet or database writes in an empty cell. */
const EMPTY = /^(?:|-|null|n\/a|na|none)$/i;

/**
 * A decimal number as written in a file, accepting one decimal comma; `undefined` when the text
 * is not a plain number (hex, words, two decimal marks), `NaN`/`Infinity` when the text says so or
 * overflows (`1e309`), so a caller can tell "not a number" from "not finite".
 */
export function parseDecimal(raw: string): number | undefined {
  const s = raw.trim();
  if (NOT_FINITE.test(s)) return s.toLowerCase().includes('nan') ? NaN : s.startsWith('-') ? -Infinity : Infinity;
  if (!DECIMAL.test(s)) return undefined;
  return Number(s.replace(',', '.'));
}

const HEMISPHERES = { N: 1, S: -1, E: 1, W: -1 } as const;
type Hemisphere = keyof typeof HEMISPHERES;

/** Degree, minute and second marks as keyboards, GPS units and word processors write them. */
const UNIT_MARKS = /[°º˚'′’"″”]/g;
const LEADING_HEMISPHERE = /^([NSEW])\s*/i;
const TRAILING_HEMISPHERE = /\s*([NSEW])$/i;
const PART = /^\d+(?:[.,]\d+)?$/;

/**
 * Reads a latitude or longitude in the forms GPS units, phones and survey sheets print:
 * `15.41`, `15,41`, `15°24'36.4"N`, `N15 24.606`, `15 24 36.4 N`, `-15°24.606'`, `106°50′12″E`,
 * and checks its range and hemisphere letter (an `E` on a latitude means swapped columns,
 * not a value to accept).
 */
export function parseAngle(raw: string, axis: 'lat' | 'lon'): AngleResult {
  let s = raw.trim();
  if (EMPTY.test(s)) return { ok: false, problem: 'empty' };
  const limit = axis === 'lat' ? 90 : 180;
  const plain = parseDecimal(s);
  if (plain !== undefined) {
    if (!Number.isFinite(plain)) return { ok: false, problem: 'not-finite' };
    return plain >= -limit && plain <= limit ? { ok: true, value: plain } : { ok: false, problem: 'out-of-range' };
  }
  const before = LEADING_HEMISPHERE.exec(s)?.[1];
  if (before !== undefined) s = s.replace(LEADING_HEMISPHERE, '');
  const after = TRAILING_HEMISPHERE.exec(s)?.[1];
  if (after !== undefined) s = s.replace(TRAILING_HEMISPHERE, '');
  if (before !== undefined && after !== undefined) return { ok: false, problem: 'unreadable' };
  const hemisphere = (before ?? after)?.toUpperCase() as Hemisphere | undefined;
  if (hemisphere !== undefined && (axis === 'lat') !== (hemisphere === 'N' || hemisphere === 'S')) {
    return { ok: false, problem: 'wrong-hemisphere' };
  }
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (hemisphere !== undefined && s.startsWith('-')) return { ok: false, problem: 'unreadable' };
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  const parts = s.replace(UNIT_MARKS, ' ').trim().split(/\s+/);
  if (parts.length > 3 || !parts.every((p) => PART.test(p))) return { ok: false, problem: 'unreadable' };
  const [degrees, minutes = 0, seconds = 0] = parts.map((p) => Number(p.replace(',', '.')));
  // A fraction is only allowed on the last unit written: 15.5°30' means nothing.
  if (parts.slice(0, -1).some((p) => !/^\d+$/.test(p))) return { ok: false, problem: 'unreadable' };
  if (minutes >= 60 || seconds >= 60) return { ok: false, problem: 'unreadable' };
  const value = sign * (hemisphere ? HEMISPHERES[hemisphere] : 1) * (degrees + minutes / 60 + seconds / 3600);
  if (!Number.isFinite(value)) return { ok: false, problem: 'not-finite' };
  return value >= -limit && value <= limit ? { ok: true, value } : { ok: false, problem: 'out-of-range' };
}

/** NMEA's `ddmm.mmmm` / `dddmm.mmmm` with a hemisphere letter, or `undefined` when malformed. */
export function parseNmeaAngle(raw: string, hemisphere: string, axis: 'lat' | 'lon'): number | undefined {
  if (!/^\d{3,5}\.\d+$|^\d{3,5}$/.test(raw)) return undefined;
  const v = Number(raw);
  const degrees = Math.floor(v / 100);
  const minutes = v - degrees * 100;
  if (minutes >= 60) return undefined;
  const h = hemisphere.toUpperCase();
  if (axis === 'lat' ? h !== 'N' && h !== 'S' : h !== 'E' && h !== 'W') return undefined;
  const value = (h === 'S' || h === 'W' ? -1 : 1) * (degrees + minutes / 60);
  return Math.abs(value) <= (axis === 'lat' ? 90 : 180) ? value : undefined;
}

/** A coordinate reference system Tessera can bring to WGS84, and what to call it in a report. */
export interface SourceCrs {
  /** Canonical name: `EPSG:4326`, `EPSG:3857`, `EPSG:32648`... */
  code: string;
  /** True when coordinates are metres (easting, northing) rather than degrees. */
  projected: boolean;
  /** [x, y] in the CRS to [lon, lat] in WGS84. */
  toWgs84(x: number, y: number): [number, number];
}

const WGS84: SourceCrs = { code: 'EPSG:4326', projected: false, toWgs84: (x, y) => [x, y] };
const WEB_MERCATOR_PROJ = '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';

/**
 * The CRS a name refers to, in the spellings files and people use: `EPSG:32648`, `epsg:32648`,
 * `32648`, `urn:ogc:def:crs:EPSG::32648`, `http://www.opengis.net/def/crs/EPSG/0/32648`,
 * `urn:ogc:def:crs:OGC:1.3:CRS84`, `WGS84`, `UTM 48N`. Only WGS84, Web Mercator and the WGS84 UTM
 * zones are known: every other grid needs datum shifts this module does not guess at.
 * Returns `null` for anything else.
 */
export function resolveCrs(name: string): SourceCrs | null {
  const s = name.trim().toUpperCase();
  if (/^(?:WGS ?84|CRS ?84|URN:OGC:DEF:CRS:OGC:1\.3:CRS84|HTTPS?:\/\/WWW\.OPENGIS\.NET\/DEF\/CRS\/OGC\/1\.3\/CRS84|OGC:CRS84)$/.test(s)) return WGS84;
  const utm = /^(?:WGS ?84 ?\/ ?)?UTM ?(?:ZONE ?)?(\d{1,2}) ?([NS])$/.exec(s);
  if (utm) return utmCrs(Number(utm[1]), utm[2] === 'S');
  const epsg = /^(?:EPSG:{1,2}|URN:OGC:DEF:CRS:EPSG:[\d.]*:|HTTPS?:\/\/WWW\.OPENGIS\.NET\/DEF\/CRS\/EPSG\/\d+\/)?(\d{4,6})$/.exec(s);
  if (!epsg) return null;
  const code = Number(epsg[1]);
  if (code === 4326) return WGS84;
  if (code === 3857 || code === 900913 || code === 3785) return projected('EPSG:3857', WEB_MERCATOR_PROJ);
  if (code > 32600 && code <= 32660) return utmCrs(code - 32600, false);
  if (code > 32700 && code <= 32760) return utmCrs(code - 32700, true);
  return null;
}

/** WGS84 / UTM zone `zone` (1-60), north or south. */
export function utmCrs(zone: number, south: boolean): SourceCrs | null {
  if (!Number.isInteger(zone) || zone < 1 || zone > 60) return null;
  return projected(`EPSG:${(south ? 32700 : 32600) + zone}`, `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`);
}

/**
 * A UTM zone as written in a zone column: `48`, `48N`, `48 S`, or with the MGRS latitude band
 * (`48P`, `48Q`: bands C-M are south, N-X north). `south` is `undefined` when only a number
 * is given, so the caller can decide (and say in the report) which hemisphere it assumed.
 */
export function parseUtmZone(raw: string): { zone: number; south?: boolean } | null {
  const m = /^(\d{1,2})\s*([A-Z])?$/i.exec(raw.trim());
  if (!m) return null;
  const zone = Number(m[1]);
  if (zone < 1 || zone > 60) return null;
  const letter = m[2]?.toUpperCase();
  if (letter === undefined) return { zone };
  if (letter === 'N' || letter === 'S') return { zone, south: letter === 'S' };
  if (letter < 'C' || letter > 'X' || letter === 'I' || letter === 'O') return null;
  return { zone, south: letter < 'N' };
}

function projected(code: string, proj: string): SourceCrs {
  const converter = proj4(proj, 'EPSG:4326');
  return {
    code,
    projected: true,
    toWgs84(x, y) {
      const [lon, lat] = converter.forward([x, y]);
      return [lon, lat];
    },
  };
}

/** Whether a lon/lat pair is a position on Earth. */
export function inWgs84Range(lon: number, lat: number): boolean {
  return Number.isFinite(lon) && Number.isFinite(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}
