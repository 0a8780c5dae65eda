import fs from 'node:fs/promises';
import sjson from 'secure-json-parse';
import { UserError } from '../errors.js';
import { toMultiPolygon } from '../geo/geojson.js';
import { checkDepth, GEOJSON_MAX_BYTES } from '../ingest/geojson.js';
import { crsFromCode, type SourceCrs } from './crs.js';
import type { Coords, DatasetGeometry } from './geometry.js';
import type { LayerRecord } from './layers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface GeoJsonDataset {
  /** The CRS the file names (legacy `crs` member); null when it names none (RFC 7946: WGS 84). */
  crsName: string | null;
  features: Json[];
}

/**
 * A GeoJSON FeatureCollection read whole (secure-json-parse: no prototype poisoning; nesting
 * checked first, without recursion). Its features are read one by one by `geoJsonRecords`.
 */
export async function readGeoJsonDataset(file: string, fileName: string): Promise<GeoJsonDataset> {
  const stat = await fs.stat(file);
  if (stat.size > GEOJSON_MAX_BYTES) {
    throw new UserError('FILE_TOO_LARGE', `${fileName}: GeoJSON datasets are read whole and may be at most ${Math.round(GEOJSON_MAX_BYTES / 1048576)} MB; upload a zipped shapefile instead.`, [{ file: fileName }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await fs.readFile(file)).replace(/^\uFEFF/, '');
  } catch {
    throw new UserError('JSON_MALFORMED', `${fileName}: the text is not valid UTF-8, which GeoJSON requires.`, [{ file: fileName }]);
  }
  checkDepth(text, fileName);
  let doc: Json;
  try {
    doc = sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }) as Json;
  } catch (e) {
    throw new UserError('JSON_MALFORMED', `${fileName}: the JSON is malformed: ${(e as Error).message.slice(0, 120)}.`, [{ file: fileName }]);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw new UserError('GEOJSON_INVALID', `${fileName}: a dataset is a GeoJSON FeatureCollection with a "features" array.`, [{ file: fileName }]);
  }
  return { crsName: legacyCrsName(doc, fileName), features: doc.features };
}

/** The 2008 format's named `crs` member, e.g. `urn:ogc:def:crs:EPSG::32648`. Linked CRSs are never fetched. */
function legacyCrsName(doc: JsonObject, fileName: string): string | null {
  const member = doc.crs;
  if (member === undefined || member === null) return null;
  const props = typeof member === 'object' && !Array.isArray(member) && member.properties && typeof member.properties === 'object' && !Array.isArray(member.properties)
    ? member.properties as JsonObject : null;
  if (props && typeof props.name === 'string') return props.name;
  if (props && (typeof props.code === 'number' || typeof props.code === 'string')) return `EPSG:${props.code}`;
  throw new UserError('CRS_UNSUPPORTED', `${fileName}: the "crs" member is not a named CRS (linked definitions are never fetched); give the crs field, e.g. EPSG:32648.`, [{ file: fileName }]);
}

function flat(positions: Json[], where: string): Coords {
  const c = new Float64Array(positions.length * 2);
  positions.forEach((p, i) => {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') {
      throw new UserError('VALIDATION_FAILED', `${where}, position ${i}: a position must be an array of numbers [x, y].`);
    }
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new UserError('NON_FINITE_COORDINATE', `${where}, position ${i}: coordinate is not finite.`);
    c[i * 2] = p[0];
    c[i * 2 + 1] = p[1];
  });
  return c;
}

function arrayOf(v: Json | undefined, where: string, what: string): Json[] {
  if (!Array.isArray(v)) throw new UserError('VALIDATION_FAILED', `${where}: ${what} must be an array.`);
  return v;
}

/**
 * One feature's geometry in the file's CRS. Polygons are checked by the same rules as every
 * geometry Tessera accepts from a request (server/geo/geojson.ts: numbers, finite, closed
 * rings of 4 positions, within lon/lat range once in WGS 84).
 */
function featureGeometry(g: JsonObject, where: string, crs: SourceCrs): DatasetGeometry {
  const coords = g.coordinates;
  switch (g.type) {
    case 'Polygon':
    case 'MultiPolygon': {
      const polys = g.type === 'Polygon' ? [arrayOf(coords, where, 'coordinates')] : arrayOf(coords, where, 'coordinates');
      const polygons = polys.map((p, i) => arrayOf(p, `${where}, polygon ${i}`, 'a polygon').map((r, k) => flat(arrayOf(r, `${where}, ring ${k}`, 'a ring'), `${where}, ring ${k}`)));
      // The shared checks run on WGS 84 positions; for a projected file, on converted copies.
      const wgs = crs.identity ? g : {
        type: 'MultiPolygon',
        coordinates: polygons.map((p) => p.map((r) => {
          const out: number[][] = [];
          for (let i = 0; i < r.length; i += 2) out.push(crs.toWgs84([r[i], r[i + 1]]));
          return out;
        })),
      };
      toMultiPolygon(wgs, where);
      return { type: polygons.length === 1 ? 'Polygon' : 'MultiPolygon', polygons };
    }
    case 'Point':
      return { type: 'Point', parts: [flat([coords as Json], where)] };
    case 'MultiPoint':
      return { type: 'MultiPoint', parts: arrayOf(coords, where, 'coordinates').map((p) => flat([p], where)) };
    case 'LineString':
      return { type: 'LineString', parts: [flat(arrayOf(coords, where, 'coordinates'), where)] };
    case 'MultiLineString':
      return { type: 'MultiLineString', parts: arrayOf(coords, where, 'coordinates').map((l, i) => flat(arrayOf(l, `${where}, line ${i}`, 'a line'), `${where}, line ${i}`)) };
    default:
      throw new UserError('WRONG_GEOMETRY_TYPE', `${where}: geometry type ${JSON.stringify(g.type)} is not read as a dataset feature.`);
  }
}

/** The CRS of a GeoJSON dataset: the `crs` field, else the file's legacy member, else WGS 84. */
export function geoJsonCrs(ds: GeoJsonDataset, override: string | undefined): SourceCrs {
  return crsFromCode(override ?? ds.crsName ?? 'EPSG:4326');
}

/** The features one at a time; a broken one is yielded with its problem, named by its number. */
export function* geoJsonRecords(ds: GeoJsonDataset, crs: SourceCrs): Generator<LayerRecord> {
  for (let i = 0; i < ds.features.length; i++) {
    const record = i + 1;
    const where = `feature ${record}`;
    const f = ds.features[i];
    if (!f || typeof f !== 'object' || Array.isArray(f) || f.type !== 'Feature') {
      yield { record, geometry: null, properties: {}, problem: `${where} is not a GeoJSON Feature` };
      continue;
    }
    const properties = (f.properties && typeof f.properties === 'object' && !Array.isArray(f.properties) ? f.properties : {}) as Record<string, unknown>;
    if (f.geometry === null || f.geometry === undefined) {
      yield { record, geometry: null, properties };
      continue;
    }
    if (typeof f.geometry !== 'object' || Array.isArray(f.geometry)) {
      yield { record, geometry: null, properties, problem: `${where}: geometry must be a GeoJSON object` };
      continue;
    }
    try {
      yield { record, geometry: featureGeometry(f.geometry, where, crs), properties };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      yield { record, geometry: null, properties, problem: e.message.replace(/\.$/, '') };
    }
  }
}
