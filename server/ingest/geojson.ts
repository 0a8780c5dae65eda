import { createRequire } from 'node:module';
import sjson from 'secure-json-parse';
import { UserError } from '../errors.js';
import { resolveCrs, type SourceCrs } from './coords.js';
import type { ByteSource } from './lines.js';
import { parseDateTime } from './gpx.js';
import type { ParsedFile, ParsedTrack, ParsedWaypoint, Reading } from './readings.js';
import { clip, fmtNumber, plural, WarningTally } from './warnings.js';

/** geojson-validation ships no types: the two checks used here, each returning its list of problems. */
interface GeoJsonValidation {
  valid(object: unknown, trace: true): string[];
  isFeature(object: unknown, trace: true): string[];
}
const gjv = createRequire(import.meta.url)('geojson-validation') as GeoJsonValidation;

export interface GeoJsonOptions {
  fileName: string;
  maxPoints: number;
  /** CRS the uploader names; it overrides a legacy `crs` member in the file. */
  crs?: string;
  /** Largest file read: GeoJSON is parsed whole, so it is capped well below the upload limit. */
  maxBytes?: number;
}

export const GEOJSON_MAX_BYTES = 100 * 1024 * 1024;
/** A MultiPolygon inside a FeatureCollection is 7 deep; 32 leaves room for GeometryCollections. */
const MAX_DEPTH = 32;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Reads GeoJSON (RFC 7946, and the 2008 format's `crs` member when it names WGS84, Web Mercator
 * or a WGS84 UTM zone, whose coordinates are reprojected). Points become waypoints; LineStrings,
 * MultiLineStrings and polygon outer rings become tracks, with times from the `coordTimes`
 * (togeojson) or `coordinateProperties.times` property when present. The text is parsed with
 * secure-json-parse (prototype poisoning refused), after a nesting check that keeps a depth
 * bomb from reaching any recursive code.
 */
export async function parseGeoJson(input: ByteSource, opts: GeoJsonOptions): Promise<ParsedFile> {
  const file = opts.fileName;
  const text = await readText(input, file, opts.maxBytes ?? GEOJSON_MAX_BYTES);
  checkDepth(text, file);
  const doc = parseJson(text, file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalid(file, 'the file is JSON but not a GeoJSON object (a FeatureCollection, Feature or geometry)');
  }
  const crs = fileCrs(doc, opts.crs, file);
  const reader = new FeatureReader(file, opts.maxPoints, crs);
  if (doc.type === 'FeatureCollection') {
    if (!Array.isArray(doc.features)) throw invalid(file, 'the FeatureCollection has no "features" array');
    doc.features.forEach((f, i) => reader.feature(f, i + 1));
  } else if (doc.type === 'Feature') {
    reader.feature(doc, 1);
  } else {
    const problems = gjv.valid(doc, true);
    if (problems.length > 0) throw invalid(file, `not valid GeoJSON: ${problems.slice(0, 3).join('; ')}`);
    reader.geometry(doc, 'the geometry', {}, {});
  }
  return reader.finish(crs);
}

async function readText(input: ByteSource, file: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxBytes) {
      throw new UserError('FILE_TOO_LARGE', `${file}: GeoJSON files are read whole and may be at most ${Math.round(maxBytes / 1048576)} MB; split it or upload GPX`, [
        { file, limit: maxBytes },
      ]);
    }
    chunks.push(buf);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UserError('JSON_MALFORMED', `${file}: the text is not valid UTF-8, which GeoJSON requires`, [{ file }]);
  }
}

/**
 * Refuses nesting deeper than GeoJSON ever needs, scanning characters without recursion, so a
 * depth bomb costs one pass and never the parser's stack. Datasets use it too.
 */
export function checkDepth(text: string, file: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) {
        throw new UserError('JSON_TOO_DEEP', `${file}: arrays and objects are nested more than ${MAX_DEPTH} levels deep (at character ${fmtNumber(i + 1)})`, [
          { file, position: i + 1, limit: MAX_DEPTH },
        ]);
      }
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
}

function parseJson(text: string, file: string): Json {
  try {
    return sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }) as Json;
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const position = at ? Number(at[1]) : undefined;
    const line = position === undefined ? undefined : text.slice(0, position).split('\n').length;
    const forbidden = /prototype|constructor/i.test(message);
    throw new UserError('JSON_MALFORMED', `${file}: ${forbidden
      ? 'the JSON holds a forbidden "__proto__" or "constructor.prototype" key'
      : `the JSON is malformed${line === undefined ? '' : ` at line ${fmtNumber(line)}`}: ${clip(message, 120)}`}`, [{ file, line, position }]);
  }
}

/** The CRS of the file: the upload's `crs` field, else a legacy `crs` member, else WGS84 (RFC 7946). */
function fileCrs(doc: JsonObject, override: string | undefined, file: string): SourceCrs {
  let name: string | undefined = override;
  if (name === undefined && doc.crs !== undefined && doc.crs !== null) {
    const member = doc.crs as JsonObject;
    const props = (typeof member === 'object' && !Array.isArray(member) ? member.properties : null) as JsonObject | null;
    if (member.type === 'name' && props && typeof props.name === 'string') name = props.name;
    else if (member.type === 'EPSG' && props && (typeof props.code === 'number' || typeof props.code === 'string')) name = `EPSG:${props.code}`;
    else {
      throw new UserError('CRS_UNSUPPORTED', `${file}: the "crs" member is not a named CRS (linked CRS definitions are never fetched); give the upload a crs field such as EPSG:32648`, [
        { file, crs: clip(JSON.stringify(member), 100) },
      ]);
    }
  }
  if (name === undefined) return resolveCrs('EPSG:4326') as SourceCrs;
  const crs = resolveCrs(name);
  if (crs === null) {
    throw new UserError('CRS_UNSUPPORTED', `${file}: the CRS '${clip(name, 80)}' is not supported; GeoJSON is read in WGS84 (EPSG:4326/CRS84), EPSG:3857 or a WGS84 UTM zone such as EPSG:32647 or EPSG:32648`, [
      { file, crs: clip(name, 80) },
    ]);
  }
  return crs;
}

function invalid(file: string, problem: string, details: Record<string, unknown> = {}): UserError {
  return new UserError('GEOJSON_INVALID', `${file}: ${problem}`, [{ file, ...details }]);
}

/** Properties that carry a feature's name and description in the files of common tools. */
const NAME_KEYS = ['name', 'Name', 'NAME', 'title', 'label'];
const DESC_KEYS = ['description', 'desc', 'Description', 'comment'];

class FeatureReader {
  private readonly tracks: ParsedTrack[] = [];
  private readonly waypoints: ParsedWaypoint[] = [];
  private readonly warnings = new WarningTally();
  private pointCount = 0;
  private seq = 0;

  constructor(private readonly file: string, private readonly maxPoints: number, private readonly crs: SourceCrs) {}

  feature(f: Json, index: number): void {
    const where = `feature ${fmtNumber(index)}`;
    const problems = gjv.isFeature(f, true).filter((p) => !/name "properties"/.test(p));
    if (problems.length > 0) throw invalid(this.file, `${where} is not valid GeoJSON: ${problems.slice(0, 3).join('; ')}`, { feature: index });
    const feature = f as JsonObject;
    if (feature.geometry === null) {
      this.warnings.note('null-geometry', `first: ${where}`, (n, w) => `${plural(n, 'feature has', 'features have')} no geometry and ${n === 1 ? 'was' : 'were'} skipped (${w})`);
      return;
    }
    const props = (feature.properties && typeof feature.properties === 'object' && !Array.isArray(feature.properties) ? feature.properties : {}) as JsonObject;
    this.geometry(feature.geometry as JsonObject, where, props, { name: pick(props, NAME_KEYS), desc: pick(props, DESC_KEYS) });
  }

  geometry(g: JsonObject, where: string, props: JsonObject, label: { name?: string; desc?: string }): void {
    const coords = g.coordinates as Json[];
    switch (g.type) {
      case 'Point':
        this.waypoints.push(this.waypoint(coords as number[], where, label, timeOf(props.time)));
        break;
      case 'MultiPoint':
        coords.forEach((p, i) => this.waypoints.push(this.waypoint(p as number[], `${where}, point ${i + 1}`, label)));
        break;
      case 'LineString':
        this.track([coords as number[][]], where, label, [lineTimes(props, 0, false)]);
        break;
      case 'MultiLineString':
        this.track(coords as number[][][], where, label, coords.map((_, i) => lineTimes(props, i, true)));
        break;
      case 'Polygon':
        this.track([(coords as number[][][])[0]], where, label, []);
        if (coords.length > 1) this.holes(where);
        break;
      case 'MultiPolygon':
        this.track((coords as number[][][][]).map((poly) => poly[0]), where, label, []);
        if ((coords as number[][][][]).some((poly) => poly.length > 1)) this.holes(where);
        break;
      case 'GeometryCollection':
        (g.geometries as JsonObject[]).forEach((child, i) => this.geometry(child, `${where}, geometry ${i + 1}`, {}, label));
        break;
      default:
        throw invalid(this.file, `${where} has the geometry type '${clip(String(g.type))}'`);
    }
  }

  finish(crs: SourceCrs): ParsedFile {
    if (this.pointCount === 0) throw new UserError('NO_POINTS', `${this.file}: no feature with a point, line or polygon found`, [{ file: this.file }]);
    const parsed: ParsedFile = { format: 'geojson', tracks: this.tracks, waypoints: this.waypoints, pointCount: this.pointCount, warnings: this.warnings.list() };
    if (crs.code !== 'EPSG:4326') parsed.crs = crs.code;
    return parsed;
  }

  private holes(where: string): void {
    this.warnings.note('holes', `first: ${where}`, (n, w) => `${plural(n, 'polygon hole was', 'polygon holes were')} ignored: only outer rings become tracks (${w})`);
  }

  private waypoint(p: number[], where: string, label: { name?: string; desc?: string }, time?: string): ParsedWaypoint {
    const r = this.position(p, where);
    const w: ParsedWaypoint = { lon: r.lon, lat: r.lat };
    if (label.name !== undefined) w.name = label.name;
    if (label.desc !== undefined) w.desc = label.desc;
    if (r.ele !== undefined) w.ele = r.ele;
    if (time !== undefined) w.time = time;
    return w;
  }

  private track(lines: number[][][], where: string, label: { name?: string; desc?: string }, times: (Json[] | undefined)[]): void {
    const segments: Reading[][] = [];
    lines.forEach((line, li) => {
      const segment = line.map((p, i) => {
        const r = this.position(p, `${where}, position ${fmtNumber(i + 1)}`);
        const t = times[li]?.[i];
        const iso = timeOf(t);
        if (iso !== undefined) r.time = iso;
        else if (t !== undefined && t !== null) this.warnings.note('time', `first: ${where}: ${clip(String(t))}`, (n, w) => `${plural(n, 'time was', 'times were')} unreadable and ignored (${w})`);
        return r;
      });
      if (segment.length > 0) segments.push(segment);
    });
    if (segments.length === 0) return;
    const track: ParsedTrack = { kind: 'track', segments };
    if (label.name !== undefined) track.name = label.name;
    if (label.desc !== undefined) track.desc = label.desc;
    this.tracks.push(track);
  }

  private position(p: number[], where: string): Reading {
    if (++this.pointCount > this.maxPoints) {
      throw new UserError('TOO_MANY_POINTS', `${this.file}: more than ${fmtNumber(this.maxPoints)} points (stopped at ${where}); split the file`, [{ file: this.file, limit: this.maxPoints }]);
    }
    const [x, y, z] = p;
    const details = [{ file: this.file, where, position: p.slice(0, 3) }];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new UserError('NON_FINITE_COORDINATE', `${this.file}: ${where}: [${p.slice(0, 3).join(', ')}] is not a finite position`, details);
    }
    const [lon, lat] = this.crs.toWgs84(x, y);
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
      const metres = !this.crs.projected && (Math.abs(x) > 1000 || Math.abs(y) > 1000);
      throw new UserError('COORDINATE_OUT_OF_RANGE', `${this.file}: ${where}: [${x}, ${y}] is not a position in ${this.crs.code}${metres
        ? '; the values look like metres: give the file a "crs" member or the upload a crs field such as EPSG:32648'
        : ''}`, metres ? [{ ...details[0], hint: 'LOOKS_PROJECTED_SPECIFY_CRS' }] : details);
    }
    const r: Reading = { seq: this.seq++, lon, lat };
    if (typeof z === 'number' && Number.isFinite(z)) r.ele = z;
    return r;
  }
}

function pick(props: JsonObject, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = props[k];
    if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') return clip(String(v).trim(), 500);
  }
  return undefined;
}

/** Times of line `i`: togeojson's `coordTimes` (an array, or one per line) or `coordinateProperties.times`. */
function lineTimes(props: JsonObject, i: number, multi: boolean): Json[] | undefined {
  const cp = props.coordinateProperties;
  const source = props.coordTimes ?? (cp && typeof cp === 'object' && !Array.isArray(cp) ? cp.times : undefined);
  if (!Array.isArray(source)) return undefined;
  const line = multi || Array.isArray(source[0]) ? source[i] : source;
  return Array.isArray(line) ? line : undefined;
}

function timeOf(v: Json | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  return parseDateTime(v.trim())?.iso;
}
