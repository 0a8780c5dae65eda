import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { SaxesTagPlain } from 'saxes';
import { UserError } from '../errors.js';
import { decodeXml, guardedXmlParser, type XmlParser } from '../ingest/xml.js';
import { KMZ_LIMITS, readFirstKml } from '../ingest/kml.js';
import { type Coords, type DatasetGeometry } from './geometry.js';
import type { LayerRecord } from './layers.js';

/** Deepest nesting accepted; Google Earth folders rarely pass 15. */
const MAX_DEPTH = 64;
/** Longest text kept from one element, in characters. */
const MAX_TEXT = 64 * 1024;

interface PlacemarkState {
  properties: Record<string, unknown>;
  polygons: Coords[][];
  points: Coords[];
  lines: Coords[];
  problem?: string;
}

/**
 * The Placemarks of a KML (or the first KML of a KMZ) as dataset features: `name`,
 * `description` and ExtendedData (`Data`/`value` and `SchemaData`/`SimpleData`, what Google
 * Earth, QGIS and ogr2ogr write) become fields; Polygons keep their holes, MultiGeometry its
 * parts. The XML goes through the same guards as every KML upload: the shared decoder, a
 * DOCTYPE refused before anything could be expanded, depth and text caps, no link fetched.
 */
export async function readKmlDataset(file: string, fileName: string, isKmz: boolean): Promise<LayerRecord[]> {
  const input = isKmz ? Readable.from([await readFirstKml(file, fileName, KMZ_LIMITS)]) : fs.createReadStream(file);
  const reader = new KmlDatasetReader(fileName);
  for await (const text of decodeXml(input as AsyncIterable<Buffer>, { fileName })) reader.write(text);
  return reader.finish();
}

class KmlDatasetReader {
  private readonly parser: XmlParser;
  private readonly stack: string[] = [];
  private readonly records: LayerRecord[] = [];
  private placemark: PlacemarkState | null = null;
  private placemarkDepth = 0;
  private text = '';
  private collecting = false;
  private dataName: string | null = null;
  private rings: { outer: Coords | null; inner: Coords[] } | null = null;
  private skipDepth = 0;
  private sawRoot = false;

  constructor(private readonly fileName: string) {
    this.parser = guardedXmlParser('KML', {
      open: (tag) => this.open(tag),
      close: () => this.close(),
      text: (t) => this.onText(t),
      refuse: (code, message, details) => this.error(code, message, details),
    });
  }

  write(chunk: string): void {
    this.parser.write(chunk);
  }

  finish(): LayerRecord[] {
    this.parser.close();
    if (!this.sawRoot) throw this.error('UNSUPPORTED_FILE_TYPE', 'no <kml> document found');
    return this.records;
  }

  private error(code: 'XML_DOCTYPE_FORBIDDEN' | 'XML_MALFORMED' | 'XML_TOO_DEEP' | 'TEXT_FIELD_TOO_LONG' | 'UNSUPPORTED_FILE_TYPE', message: string, details: Record<string, unknown> = {}): UserError {
    return new UserError(code, `${this.fileName}: ${message}.`, [{ file: this.fileName, line: this.parser.line, ...details }]);
  }

  private open(tag: SaxesTagPlain): void {
    const name = tag.name.slice(tag.name.indexOf(':') + 1);
    this.stack.push(name);
    const depth = this.stack.length;
    if (depth > MAX_DEPTH) throw this.error('XML_TOO_DEEP', `elements are nested more than ${MAX_DEPTH} levels deep at line ${this.parser.line}`);
    if (this.skipDepth) return;
    if (depth === 1) {
      if (name !== 'kml') throw this.error('UNSUPPORTED_FILE_TYPE', `the root element is <${tag.name.slice(0, 40)}>, not <kml>`);
      this.sawRoot = true;
      return;
    }
    const pm = this.placemark;
    switch (name) {
      case 'Placemark':
        this.placemark = { properties: Object.create(null) as Record<string, unknown>, polygons: [], points: [], lines: [] };
        this.placemarkDepth = depth;
        return;
      case 'NetworkLink': case 'Style': case 'StyleMap': case 'GroundOverlay': case 'ScreenOverlay': case 'PhotoOverlay': case 'Model': case 'Schema':
        this.skipDepth = depth;
        return;
      case 'Polygon':
        if (pm) this.rings = { outer: null, inner: [] };
        return;
      case 'Data': case 'SimpleData': {
        const key = tag.attributes.name;
        this.dataName = pm && typeof key === 'string' && key !== '' && !['__proto__', 'constructor', 'prototype'].includes(key) ? key.slice(0, 100) : null;
        if (name === 'SimpleData') this.collect();
        return;
      }
      case 'value':
        if (this.dataName !== null) this.collect();
        return;
      case 'name': case 'description':
        if (pm && depth === this.placemarkDepth + 1) this.collect();
        return;
      case 'coordinates':
        if (pm) this.collect();
        return;
      default:
    }
  }

  private collect(): void {
    this.collecting = true;
    this.text = '';
  }

  private onText(t: string): void {
    if (!this.collecting || this.skipDepth) return;
    if (this.text.length + t.length > MAX_TEXT) {
      if (this.stack[this.stack.length - 1] === 'coordinates') {
        // Coordinates may be long: a polygon of many vertices. Keep them whole up to the upload limit.
        this.text += t;
        return;
      }
      throw this.error('TEXT_FIELD_TOO_LONG', `a <${this.stack[this.stack.length - 1]}> near line ${this.parser.line} is longer than ${MAX_TEXT} characters`);
    }
    this.text += t;
  }

  private close(): void {
    const name = this.stack.pop() as string;
    const depth = this.stack.length + 1;
    if (this.skipDepth) {
      if (depth === this.skipDepth) this.skipDepth = 0;
      return;
    }
    const pm = this.placemark;
    if (!pm) return;
    const text = this.collecting ? this.text.trim() : '';
    switch (name) {
      case 'name': case 'description':
        if (this.collecting && depth === this.placemarkDepth + 1) pm.properties[name] = text === '' ? null : text;
        break;
      case 'value': case 'SimpleData':
        if (this.dataName !== null && this.collecting) pm.properties[this.dataName] = text === '' ? null : text;
        if (name === 'SimpleData') this.dataName = null;
        break;
      case 'Data':
        this.dataName = null;
        break;
      case 'coordinates':
        if (this.collecting) this.coordinates(pm, text);
        break;
      case 'Polygon':
        if (this.rings) {
          if (this.rings.outer) pm.polygons.push([this.rings.outer, ...this.rings.inner]);
          else pm.problem ??= 'a Polygon without an outer boundary';
          this.rings = null;
        }
        break;
      case 'Placemark':
        if (depth === this.placemarkDepth) this.closePlacemark(pm);
        break;
      default:
    }
    if (name === 'coordinates' || name === 'name' || name === 'description' || name === 'value' || name === 'SimpleData') this.collecting = false;
  }

  private coordinates(pm: PlacemarkState, text: string): void {
    const tuples = text.replace(/\s*,\s*/g, ',').split(/\s+/).filter(Boolean);
    const c = new Float64Array(tuples.length * 2);
    for (let i = 0; i < tuples.length; i++) {
      const parts = tuples[i].split(',');
      const lon = Number(parts[0]);
      const lat = Number(parts[1]);
      if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '' || !Number.isFinite(lon) || !Number.isFinite(lat)) {
        pm.problem ??= `coordinate '${tuples[i].slice(0, 40)}' near line ${this.parser.line} is not lon,lat[,alt]`;
        return;
      }
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
        pm.problem ??= `coordinate '${tuples[i].slice(0, 40)}' near line ${this.parser.line} is outside -180..180, -90..90 (KML writes longitude first)`;
        return;
      }
      c[i * 2] = lon;
      c[i * 2 + 1] = lat;
    }
    const parent = this.stack[this.stack.length - 1];
    const grand = this.stack[this.stack.length - 2];
    if (parent === 'LinearRing' && this.rings) {
      if (grand === 'outerBoundaryIs') this.rings.outer = c;
      else if (grand === 'innerBoundaryIs') this.rings.inner.push(c);
    } else if (parent === 'Point') pm.points.push(c);
    else if (parent === 'LineString') pm.lines.push(c);
  }

  private closePlacemark(pm: PlacemarkState): void {
    const record = this.records.length + 1;
    let geometry: DatasetGeometry | null = null;
    if (pm.polygons.length > 0) {
      // Holes stay with the outer boundary they were written in, whatever the ring order.
      geometry = { type: pm.polygons.length === 1 ? 'Polygon' : 'MultiPolygon', polygons: pm.polygons };
    } else if (pm.lines.length > 0) geometry = { type: pm.lines.length === 1 ? 'LineString' : 'MultiLineString', parts: pm.lines };
    else if (pm.points.length > 0) geometry = { type: pm.points.length === 1 ? 'Point' : 'MultiPoint', parts: pm.points };
    const properties = { ...pm.properties };
    this.records.push(pm.problem ? { record, geometry: null, properties, problem: `placemark ${record}: ${pm.problem}` } : { record, geometry, properties });
    this.placemark = null;
  }
}
