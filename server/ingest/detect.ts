import fs from 'node:fs/promises';

export type DetectedKind = 'gpx' | 'kml' | 'xml' | 'zip' | 'geojson' | 'nmea' | 'csv' | 'binary';

const MAGIC: [string, number[]][] = [
  ['PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG image', [0xff, 0xd8, 0xff]],
  ['PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['gzip archive', [0x1f, 0x8b]],
  ['ESRI shapefile (.shp without its .dbf/.shx, upload them zipped)', [0x00, 0x00, 0x27, 0x0a]],
];

/** What a file is, from its first bytes: never from its name or Content-Type. */
export function detectKind(head: Buffer): { kind: DetectedKind; label: string } {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return { kind: 'zip', label: 'zip archive' };
  }
  for (const [label, bytes] of MAGIC) {
    if (bytes.every((b, i) => head[i] === b)) return { kind: 'binary', label };
  }
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    return { kind: 'binary', label: 'UTF-16 text (save it as UTF-8)' };
  }
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.includes('\u0000')) return { kind: 'binary', label: 'binary data' };
  if (text.startsWith('<')) {
    if (/<gpx[\s>]/.test(text)) return { kind: 'gpx', label: 'GPX' };
    if (/<kml[\s>]/.test(text)) return { kind: 'kml', label: 'KML' };
    // A DOCTYPE or a long prologue may push the root past the sniffed bytes: let the GPX
    // reader decide (it refuses DOCTYPEs and names the root it found).
    return { kind: 'xml', label: 'XML' };
  }
  if (text.startsWith('{') || text.startsWith('[')) return { kind: 'geojson', label: 'JSON' };
  if (/^\$(G[PNLAB]|BD)[A-Z]{3},/.test(text) || mostlyNmea(text)) return { kind: 'nmea', label: 'NMEA 0183' };
  return { kind: 'csv', label: 'text' };
}

/**
 * Logs that open with a receiver's own sentences ($PMTK, $PGRM) or whose logger prefixes each
 * line with a timestamp: NMEA when most lines carry a standard position or satellite sentence.
 */
function mostlyNmea(text: string): boolean {
  const lines = text.split('\n').slice(0, 40).filter((l) => l.trim() !== '');
  const sentences = lines.filter((l) => /\$[A-Z]{2}(GGA|RMC|GSA|GSV|VTG|GLL|ZDA),/.test(l)).length;
  return sentences > 0 && sentences * 2 > lines.length;
}

export async function readHead(file: string, bytes = 4096): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
