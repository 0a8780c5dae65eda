import { UserError } from '../errors.js';
import { detectKind, readHead } from '../ingest/detect.js';
import type { ReceivedFile } from '../ingest/receive.js';
import { isShapefileUpload, type ZipLister } from './layers.js';

export type DatasetFormat = 'shapefile' | 'geojson' | 'kml';

/**
 * Whether an upload is a boundary dataset rather than GPS readings: null for readings, else
 * whether it is a shapefile, which reading the dataset then need not find out again (for a zip
 * that is a second listing of every entry). A shapefile always is a dataset (Tessera reads no
 * GPS from shapefiles). A GeoJSON or KML/KMZ file is one only when the upload says so, with a
 * `level` field (the level its polygons are imported at) or a `dataset=1` field (a dry run
 * before the level is chosen): a GPS upload never carries either, so a walk saved as GeoJSON
 * or KML is never taken for a dataset, polygons or not.
 */
export async function datasetUpload(
  files: ReceivedFile[],
  fields: Record<string, string | undefined>,
  listZip: ZipLister,
): Promise<{ shapefile: boolean } | null> {
  if (await isShapefileUpload(files, listZip)) return { shapefile: true };
  return isDatasetRequest(fields) ? { shapefile: false } : null;
}

/** The fields by which an upload asks to be read as a dataset: `level=...` or `dataset=1`. */
export function isDatasetRequest(fields: Record<string, string | undefined>): boolean {
  return !!fields.level?.trim() || ['1', 'true'].includes(String(fields.dataset ?? '').trim().toLowerCase());
}

/** How far into an XML file to look for a `<kml>` root behind a long prologue. */
const XML_SNIFF_BYTES = 64 * 1024;

/**
 * Which reader a dataset upload needs, from the files' bytes (never their names or types);
 * `shapefile` is the answer datasetUpload already gave, when there was one.
 */
export async function datasetKind(files: ReceivedFile[], listZip: ZipLister, shapefile?: boolean): Promise<'shapefile' | 'geojson' | 'kml' | 'kmz'> {
  if (shapefile ?? (await isShapefileUpload(files, listZip))) return 'shapefile';
  if (files.length !== 1) {
    throw new UserError('VALIDATION_FAILED', `A GeoJSON or KML dataset is one file; this upload holds ${files.length}. Upload shapefile parts zipped or together, or one file at a time.`);
  }
  const f = files[0];
  const { kind, label } = detectKind(await readHead(f.path));
  if (kind === 'geojson') return 'geojson';
  if (kind === 'kml') return 'kml';
  if (kind === 'xml' && /<(?:[\w-]+:)?kml[\s>]/.test((await readHead(f.path, XML_SNIFF_BYTES)).toString('latin1'))) return 'kml';
  if (kind === 'zip') return 'kmz';
  throw new UserError('UNSUPPORTED_FILE_TYPE', `File '${f.name}' is ${label}; boundary datasets are zipped shapefiles, GeoJSON FeatureCollections or KML/KMZ.`, [
    { file: f.name, detected: label },
  ]);
}
