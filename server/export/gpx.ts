import type { ExportArea, ExportData, ExportMarker } from './model.js';
import { orientRings, roundCoordinate } from './rings.js';
import { el, serializeXml, textEl, type XmlElement } from './xml.js';

/**
 * A boundary as a track: one segment per ring. Tracks rather than routes because handhelds cap
 * routes at a few hundred points and would re-route between them; a track is drawn as walked.
 * Rings are oriented like RFC 7946 polygons. The romanised name leads because many handhelds have no Lao font; the Lao name follows in
 * the description.
 */
function boundaryTrack(area: ExportArea): XmlElement | null {
  if (!area.geometry) return null;
  // Exteriors counter-clockwise and holes clockwise, so a reader can tell them apart again.
  const rings = orientRings(area.geometry, 'ccw').coordinates.flat();
  return el(
    'trk',
    {},
    el('name', {}, area.name),
    el('cmt', {}, area.code),
    textEl('desc', [area.name_local, `${area.level} ${area.code}`, area.status].filter(Boolean).join(' · ')),
    el('type', {}, area.level),
    ...rings.map((ring) =>
      el('trkseg', {}, ...ring.map((p) => el('trkpt', { lat: roundCoordinate(p[1]), lon: roundCoordinate(p[0]) }))),
    ),
  );
}

function markerWaypoint(marker: ExportMarker): XmlElement {
  return el(
    'wpt',
    { lat: roundCoordinate(marker.lat), lon: roundCoordinate(marker.lon) },
    textEl('ele', marker.elevation === null ? null : marker.elevation.toFixed(1)),
    el('name', {}, marker.name),
    textEl('cmt', marker.area_code),
    textEl('desc', marker.description),
    el('sym', {}, 'Flag, Red'),
    el('type', {}, 'boundary marker'),
  );
}

/**
 * GPX 1.1 to load onto a handheld GPS for checking boundaries in the field: boundary markers as
 * waypoints (GPX wants them first) and every area boundary as a track.
 */
export function writeGpx(data: ExportData): Buffer {
  const root = el(
    'gpx',
    {
      version: '1.1',
      creator: 'Tessera',
      xmlns: 'http://www.topografix.com/GPX/1/1',
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation': 'http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd',
    },
    el(
      'metadata',
      {},
      el('name', {}, `${data.root.name} ${data.root.code}`),
      textEl('desc', data.root.name_local),
      el('time', {}, data.exportedAt.toISOString()),
    ),
    ...data.markers.map(markerWaypoint),
    ...data.areas.map(boundaryTrack),
  );
  return Buffer.from(serializeXml(root), 'utf8');
}
