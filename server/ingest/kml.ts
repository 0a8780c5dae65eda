import { Readable } from 'node:stream';
import type { SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import { UserError, type ErrorCode } from '../errors.js';
import { parseDateTime } from './gpx.js';
import type { ByteSource } from './lines.js';
import type { ParsedFile, ParsedTrack, ParsedWaypoint, Reading } from './readings.js';
import { clip, fmtNumber, plural, WarningTally } from './warnings.js';
import { decodeXml, guardedXmlParser, type XmlParser } from './xml.js';

export interface KmlOptions {
  fileName: string;
  maxPoints: number;
  encoding?: string;
}

/** Deepest nesting accepted; Google Earth folders rarely pass 15. */
const MAX_DEPTH = 64;
/** Longest name, time or description kept, in characters (descriptions longer are cut). */
const MAX_TEXT = 64 * 1024;
/** Longest single coordinate tuple: a real one is under 60 characters. */
const MAX_TUPLE = 1024;

/**
 * Reads KML 2.2 (Google Earth, Maps.me, QGIS, Avenza exports) as a stream of XML events:
 * Placemark Points become waypoints; LineStrings, Polygon outer rings and gx:Tracks (with their
 * `when` times) become tracks, one segment per line in a MultiGeometry or gx:MultiTrack.
 * Coordinates are `lon,lat[,alt]`. Links (NetworkLink, hrefs) are never fetched, and a DOCTYPE is
 * refused before anything could be expanded, as for GPX.
 */
export async function parseKml(input: ByteSource, opts: KmlOptions): Promise<ParsedFile> {
  const reader = new KmlReader(opts);
  for await (const text of decodeXml(input as AsyncIterable<Buffer | string>, opts)) reader.write(text);
  return reader.finish();
}

interface PlacemarkState {
  depth: number;
  name?: string;
  desc?: string;
  points: Reading[];
  segments: Reading[][];
}

class KmlReader {
  private readonly parser: XmlParser;
  private readonly file: string;
  private readonly maxPoints: number;
  private readonly warnings = new WarningTally();
  private readonly stack: string[] = [];
  private readonly tracks: ParsedTrack[] = [];
  private readonly waypoints: ParsedWaypoint[] = [];
  private skipDepth = 0;
  private pointCount = 0;
  private seq = 0;
  private docName: string | undefined;
  private placemark: PlacemarkState | null = null;
  /** Element whose text is being collected (name, description, when, coord) and its text. */
  private leaf: string | null = null;
  private text = '';
  /** Inside <coordinates>: which geometry they belong to, and the unfinished tuple between chunks. */
  private coordsOf: 'Point' | 'LineString' | 'LinearRing' | null = null;
  private carry = '';
  private line: Reading[] = [];
  private gxTrack: { whens: (string | undefined)[]; coords: Reading[] } | null = null;

  constructor(opts: KmlOptions) {
    this.file = opts.fileName;
    this.maxPoints = opts.maxPoints;
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

  finish(): ParsedFile {
    this.parser.close();
    if (this.pointCount === 0) throw this.error('NO_POINTS', 'no Placemark with a Point, LineString, Polygon or gx:Track found');
    const parsed: ParsedFile = {
      format: 'kml',
      tracks: this.tracks,
      waypoints: this.waypoints,
      pointCount: this.pointCount,
      warnings: this.warnings.list(),
    };
    if (this.docName !== undefined) parsed.name = this.docName;
    return parsed;
  }

  private open(tag: SaxesTagPlain): void {
    const name = localName(tag.name);
    this.stack.push(name);
    const depth = this.stack.length;
    if (depth > MAX_DEPTH) {
      throw this.error('XML_TOO_DEEP', `elements are nested more than ${MAX_DEPTH} levels deep at line ${fmtNumber(this.parser.line)}`);
    }
    this.leaf = null;
    if (this.skipDepth !== 0) return;
    if (depth === 1) {
      if (name !== 'kml') throw this.error('UNSUPPORTED_FILE_TYPE', `the root element is <${clip(tag.name)}>, not <kml>`);
      return;
    }
    const parent = this.stack[depth - 2];
    switch (name) {
      case 'NetworkLink': {
        this.warnings.note('network-link', `first at line ${fmtNumber(this.parser.line)}`, (n, where) =>
          `EXTERNAL_LINK_IGNORED: ${plural(n, 'NetworkLink was', 'NetworkLinks were')} not fetched; only what is inside the file is read (${where})`);
        this.skipDepth = depth;
        return;
      }
      case 'Style': case 'StyleMap': case 'ExtendedData': case 'Schema': case 'LookAt': case 'Camera': case 'Region':
      case 'GroundOverlay': case 'ScreenOverlay': case 'PhotoOverlay': case 'Model':
        this.skipDepth = depth; // nothing Tessera reads lives here; hrefs inside are never fetched
        return;
      case 'Placemark':
        this.placemark = { depth, points: [], segments: [] };
        return;
      case 'innerBoundaryIs':
        this.warnings.note('inner-ring', `first at line ${fmtNumber(this.parser.line)}`, (n, where) =>
          `${plural(n, 'polygon hole was', 'polygon holes were')} ignored: only outer boundaries become tracks (${where})`);
        this.skipDepth = depth;
        return;
      case 'coordinates':
        if (this.placemark !== null && (parent === 'Point' || parent === 'LineString' || parent === 'LinearRing')) {
          this.coordsOf = parent;
          this.carry = '';
          this.line = [];
        }
        return;
      case 'Track':
        if (this.placemark !== null) this.gxTrack = { whens: [], coords: [] };
        return;
      case 'when':
      case 'coord':
        if (this.gxTrack !== null && parent === 'Track') this.collect(name);
        return;
      case 'name':
      case 'description':
        if (this.placemark !== null ? depth === this.placemark.depth + 1 : parent === 'Document' && this.docName === undefined) this.collect(name);
        return;
      default:
    }
  }

  private collect(name: string): void {
    this.leaf = name;
    this.text = '';
  }

  private onText(t: string): void {
    if (this.skipDepth !== 0) return;
    if (this.coordsOf !== null && this.stack[this.stack.length - 1] === 'coordinates') {
      this.coordinateText(t);
      return;
    }
    if (this.leaf === null) return;
    if (this.text.length + t.length > MAX_TEXT) {
      if (this.leaf !== 'description') {
        throw this.error('TEXT_FIELD_TOO_LONG', `a <${this.leaf}> near line ${fmtNumber(this.parser.line)} is longer than ${fmtNumber(MAX_TEXT)} characters`);
      }
      this.text = (this.text + t).slice(0, MAX_TEXT);
      return;
    }
    this.text += t;
  }

  /** Tuples are split on whitespace; spaces around commas (`106.8, 15.5`) are tolerated. */
  private coordinateText(t: string): void {
    const s = (this.carry + t).replace(/\s*,\s*/g, ',');
    const tuples = s.split(/\s+/);
    this.carry = tuples.pop() ?? '';
    if (this.carry.length > MAX_TUPLE) throw this.error('BAD_COORDINATE', `a coordinate near line ${fmtNumber(this.parser.line)} is not a lon,lat[,alt] tuple`);
    for (const tuple of tuples) if (tuple !== '') this.line.push(this.tuple(tuple, ','));
  }

  private close(): void {
    const name = this.stack.pop() as string;
    const depth = this.stack.length + 1;
    if (this.skipDepth !== 0) {
      if (depth === this.skipDepth) this.skipDepth = 0;
      return;
    }
    const pm = this.placemark;
    if (this.leaf !== null && name === this.leaf) {
      this.closeLeaf(name, this.text.trim());
      this.leaf = null;
      this.text = '';
      return;
    }
    if (name === 'coordinates' && this.coordsOf !== null && pm !== null) {
      if (this.carry !== '') this.line.push(this.tuple(this.carry, ','));
      if (this.coordsOf === 'Point') pm.points.push(...this.line);
      else if (this.line.length > 0) pm.segments.push(this.line);
      this.coordsOf = null;
      this.carry = '';
      this.line = [];
    } else if (name === 'Track' && this.gxTrack !== null && pm !== null) {
      this.closeGxTrack(pm);
    } else if (name === 'Placemark' && pm !== null && depth === pm.depth) {
      this.closePlacemark(pm);
    }
  }

  private closeLeaf(name: string, text: string): void {
    const pm = this.placemark;
    if (name === 'when' && this.gxTrack !== null) {
      const parsed = text === '' ? null : parseDateTime(text);
      if (parsed === null && text !== '') {
        this.warnings.note('unreadable-time', `first at line ${fmtNumber(this.parser.line)}: ${clip(text)}`, (n, where) =>
          `${plural(n, 'time was', 'times were')} unreadable and ignored (${where})`);
      }
      this.gxTrack.whens.push(parsed?.iso);
    } else if (name === 'coord' && this.gxTrack !== null) {
      this.gxTrack.coords.push(this.tuple(text, ' '));
    } else if (text === '') {
      return;
    } else if (pm !== null) {
      if (name === 'name') pm.name = clip(text, 500);
      else pm.desc = text;
    } else if (name === 'name') {
      this.docName = clip(text, 500);
    }
  }

  private closeGxTrack(pm: PlacemarkState): void {
    const { whens, coords } = this.gxTrack as { whens: (string | undefined)[]; coords: Reading[] };
    if (whens.length !== coords.length && whens.length > 0) {
      this.warnings.note('track-times', `first at line ${fmtNumber(this.parser.line)}`, (n, where) =>
        `${plural(n, 'gx:Track has', 'gx:Tracks have')} a different number of <when> and <gx:coord>; times were matched in order (${where})`);
    }
    coords.forEach((r, i) => {
      if (whens[i] !== undefined) r.time = whens[i];
    });
    if (coords.length > 0) pm.segments.push(coords);
    this.gxTrack = null;
  }

  private closePlacemark(pm: PlacemarkState): void {
    for (const r of pm.points) {
      const w: ParsedWaypoint = { lon: r.lon, lat: r.lat };
      if (pm.name !== undefined) w.name = pm.name;
      if (pm.desc !== undefined) w.desc = pm.desc;
      if (r.ele !== undefined) w.ele = r.ele;
      this.waypoints.push(w);
    }
    if (pm.segments.length > 0) {
      const track: ParsedTrack = { kind: 'track', segments: pm.segments };
      if (pm.name !== undefined) track.name = pm.name;
      if (pm.desc !== undefined) track.desc = pm.desc;
      this.tracks.push(track);
    }
    this.placemark = null;
  }

  /** One `lon,lat[,alt]` (or gx:coord's `lon lat alt`) as a reading, range-checked. */
  private tuple(text: string, separator: string): Reading {
    if (++this.pointCount > this.maxPoints) {
      throw this.error('TOO_MANY_POINTS', `more than ${fmtNumber(this.maxPoints)} points (stopped at line ${fmtNumber(this.parser.line)}); split the file`, { limit: this.maxPoints });
    }
    const parts = text.trim().split(separator === ' ' ? /\s+/ : separator);
    const where = `Coordinate '${clip(text)}' near line ${fmtNumber(this.parser.line)}`;
    if (parts.length < 2 || parts.length > 3) throw this.error('BAD_COORDINATE', `${where} is not lon,lat[,alt]`, { value: clip(text) });
    const [lon, lat, ele] = parts.map((p) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(p) ? Number(p) : /^[+-]?(inf(inity)?|nan)$/i.test(p) ? NaN : undefined));
    if (lon === undefined || lat === undefined || (parts.length === 3 && ele === undefined)) {
      throw this.error('BAD_COORDINATE', `${where} holds something that is not a number`, { value: clip(text) });
    }
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw this.error('NON_FINITE_COORDINATE', `${where} is not finite`, { value: clip(text) });
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      throw this.error('COORDINATE_OUT_OF_RANGE', `${where} is outside -180..180, -90..90 (KML writes longitude first)`, { value: clip(text) });
    }
    const r: Reading = { seq: this.seq++, lon, lat };
    if (ele !== undefined && Number.isFinite(ele)) r.ele = ele;
    return r;
  }

  private error(code: ErrorCode, message: string, details: Record<string, unknown> = {}): UserError {
    return new UserError(code, `${this.file}: ${message}`, [{ file: this.file, line: this.parser.line, ...details }]);
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Limits on a KMZ (a zip): real ones hold doc.kml and a few icons, compressing 5-20x. */
export interface KmzLimits {
  maxEntries: number;
  /** Largest inflated .kml, counted as it inflates (the sizes in the zip headers can lie). */
  maxKmlBytes: number;
  /** Largest inflated/compressed ratio once past 1 MB inflated. */
  maxRatio: number;
}

export const KMZ_LIMITS: KmzLimits = { maxEntries: 1000, maxKmlBytes: 100 * 1024 * 1024, maxRatio: 100 };

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Reads a KMZ: every entry's name is checked (no `..`, no absolute path, no symbolic link, at
 * most `maxEntries`), and only the first `.kml` entry is inflated, into memory, never to disk,
 * under a byte and ratio cap. The KML is then read as any other.
 */
export async function parseKmz(path: string, opts: KmlOptions, limits: KmzLimits = KMZ_LIMITS): Promise<ParsedFile> {
  const kml = await readFirstKml(path, opts.fileName, limits);
  return parseKml(Readable.from([kml]), opts);
}

/** The first `.kml` entry of a zip, or a 415 naming what the archive holds instead. */
export function readFirstKml(path: string, fileName: string, limits: KmzLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) {
        reject(new UserError('BAD_REQUEST', `${fileName} is not a readable zip archive: ${err?.message ?? 'unknown error'}`, [{ file: fileName }]));
        return;
      }
      let done = false;
      let kml: Buffer | null = null;
      let count = 0;
      const names: string[] = [];
      const fail = (e: UserError) => {
        if (done) return;
        done = true;
        zip.close();
        reject(e);
      };
      zip.on('error', (e: Error) => {
        const traversal = /^(invalid relative path|absolute path): (.*)$/.exec(e.message);
        fail(traversal
          ? new UserError('ARCHIVE_PATH_TRAVERSAL', `${fileName}: archive entry '${clip(traversal[2], 100)}' is not allowed (absolute path or '..')`, [{ file: fileName, entry: clip(traversal[2], 100) }])
          : new UserError('BAD_REQUEST', `${fileName}: the zip archive is damaged: ${e.message}`, [{ file: fileName }]));
      });
      zip.on('end', () => {
        if (done) return;
        done = true;
        if (kml !== null) resolve(kml);
        else {
          reject(new UserError('UNSUPPORTED_FILE_TYPE', `${fileName} is a zip archive without a .kml document (it holds ${names.slice(0, 5).map((n) => `'${clip(n)}'`).join(', ') || 'nothing'}${names.length > 5 ? ', …' : ''}); GPS files are read from KMZ, GPX, KML, CSV, NMEA or GeoJSON`, [
            { file: fileName, detected: 'zip archive', entries: names.slice(0, 20) },
          ]));
        }
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (done) return;
        const name = entry.fileName;
        if (++count > limits.maxEntries) {
          fail(new UserError('ARCHIVE_TOO_MANY_ENTRIES', `${fileName} holds more than ${fmtNumber(limits.maxEntries)} entries`, [{ file: fileName, limit: limits.maxEntries }]));
          return;
        }
        if (name.includes('\u0000') || /^[\\/]/.test(name) || /^[A-Za-z]:/.test(name) || name.split(/[\\/]/).includes('..')) {
          fail(new UserError('ARCHIVE_PATH_TRAVERSAL', `${fileName}: archive entry '${clip(name, 100)}' is not allowed (absolute path or '..')`, [{ file: fileName, entry: clip(name, 100) }]));
          return;
        }
        if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
          fail(new UserError('ARCHIVE_LINK_FORBIDDEN', `${fileName}: archive entry '${clip(name, 100)}' is a symbolic link; only regular files are allowed`, [{ file: fileName, entry: clip(name, 100) }]));
          return;
        }
        if (names.length < 20) names.push(name);
        if (kml !== null || !/\.kml$/i.test(name) || name.split('/').some((p) => p === '__MACOSX' || p.startsWith('._'))) {
          zip.readEntry();
          return;
        }
        if ((entry.generalPurposeBitFlag & 1) !== 0) {
          fail(new UserError('UNSUPPORTED_FILE_TYPE', `${fileName}: '${clip(name, 100)}' is encrypted; upload the KMZ without a password`, [{ file: fileName, entry: clip(name, 100) }]));
          return;
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            fail(new UserError('BAD_REQUEST', `${fileName}: entry '${clip(name, 100)}' cannot be read: ${e?.message ?? 'unknown error'}`, [{ file: fileName }]));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            const ratio = size / Math.max(1, entry.compressedSize);
            if (size > limits.maxKmlBytes || (size > 1024 * 1024 && ratio > limits.maxRatio)) {
              stream.destroy();
              fail(new UserError('ARCHIVE_TOO_LARGE_UNCOMPRESSED', `${fileName}: '${clip(name, 100)}' inflates to more than ${size > limits.maxKmlBytes ? `${Math.round(limits.maxKmlBytes / 1048576)} MB` : `${limits.maxRatio} times its packed size`}; refused as a zip bomb`, [
                { file: fileName, entry: clip(name, 100) },
              ]));
              return;
            }
            chunks.push(chunk);
          });
          stream.on('error', (se: Error) => fail(new UserError('BAD_REQUEST', `${fileName}: entry '${clip(name, 100)}' is damaged: ${se.message}`, [{ file: fileName }])));
          stream.on('end', () => {
            if (done) return;
            kml = Buffer.concat(chunks);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
