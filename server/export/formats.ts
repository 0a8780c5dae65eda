import { writeCsv } from './csv.js';
import { writeGeoJson } from './geojson.js';
import { writeGpx } from './gpx.js';
import { writeKml } from './kml.js';
import type { ExportData, ExportFormat } from './model.js';
import { writeShapefileZip } from './shapefile.js';

/** How each format is served: media type, and the writer that turns export data into bytes. */
export const FORMAT_INFO: Record<ExportFormat, { mediaType: string; write(data: ExportData, baseName: string): Buffer | Promise<Buffer> }> = {
  geojson: { mediaType: 'application/geo+json', write: (d) => writeGeoJson(d) },
  zip: { mediaType: 'application/zip', write: (d, base) => writeShapefileZip(d, base) },
  kml: { mediaType: 'application/vnd.google-earth.kml+xml', write: (d) => writeKml(d) },
  gpx: { mediaType: 'application/gpx+xml', write: (d) => writeGpx(d) },
  csv: { mediaType: 'text/csv; charset=utf-8', write: (d) => writeCsv(d.areas) },
};

/** The file name of an export: the root's code, the level when one was chosen. */
export function exportBaseName(data: ExportData, level: string | undefined): string {
  return level ? `${data.root.code}_${level}` : data.root.code;
}

/** Writes export data in one format. */
export async function renderExport(format: ExportFormat, data: ExportData, baseName: string): Promise<Buffer> {
  return FORMAT_INFO[format].write(data, baseName);
}
