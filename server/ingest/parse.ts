import fs from 'node:fs';
import { UserError } from '../errors.js';
import { parseCsv } from './csv.js';
import { detectKind, readHead } from './detect.js';
import { parseGeoJson } from './geojson.js';
import { parseGpx } from './gpx.js';
import { parseKml, parseKmz } from './kml.js';
import { parseNmea } from './nmea.js';
import type { ParsedFile, ParseProgress, ReadingSegment } from './readings.js';
import type { ReceivedFile } from './receive.js';

export interface ParseOptions {
  maxPoints: number;
  /** CRS the uploader says the coordinates are in; overrides what the file says (CSV, GeoJSON). */
  crs?: string;
  /** Text encoding the uploader names; overrides what the file says. */
  encoding?: string;
  /** For GPX: called as the file is read with what has been read so far (see GpxOptions). */
  onProgress?: (progress: ParseProgress) => Promise<void>;
}

/** How far into an XML file to look for its root element when a prologue pushes it past the first bytes. */
const XML_SNIFF_BYTES = 64 * 1024;

/**
 * Read one received file, whatever its format, from what its bytes say it is (never from its
 * name): GPX, KML, KMZ, GeoJSON, NMEA 0183 or CSV/TSV. Anything else is a 415 that names the
 * file and what it looks like.
 */
export async function parseReceivedFile(file: ReceivedFile, opts: ParseOptions): Promise<ParsedFile<ReadingSegment>> {
  const { kind, label } = detectKind(await readHead(file.path));
  const common = { fileName: file.name, maxPoints: opts.maxPoints, encoding: opts.encoding };
  // GPX logger files are the long ones: their segments come as columns, a tenth of the memory.
  const gpx = { ...common, columns: true as const, onProgress: opts.onProgress };
  const stream = () => fs.createReadStream(file.path);
  switch (kind) {
    case 'gpx':
      return parseGpx(stream(), gpx);
    case 'kml':
      return parseKml(stream(), common);
    case 'xml':
      // A DOCTYPE or a long prologue may hide the root from the first sniff; both readers refuse DOCTYPEs.
      return /<(?:[\w-]+:)?kml[\s>]/.test((await readHead(file.path, XML_SNIFF_BYTES)).toString('latin1'))
        ? parseKml(stream(), common)
        : parseGpx(stream(), gpx);
    case 'zip':
      return parseKmz(file.path, common);
    case 'geojson':
      return parseGeoJson(stream(), { fileName: file.name, maxPoints: opts.maxPoints, crs: opts.crs });
    case 'nmea':
      return parseNmea(stream(), common);
    case 'csv':
      return parseCsv(stream(), { ...common, crs: opts.crs });
    default:
      throw new UserError(
        'UNSUPPORTED_FILE_TYPE',
        `File '${file.name}' is ${label}; Tessera reads GPS files: GPX, KML or KMZ, CSV or TSV, NMEA logs and GeoJSON.`,
        [{ file: file.name, detected: label }],
      );
  }
}
