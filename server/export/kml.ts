import type { MultiPolygon } from 'geojson';
import { STATUS_COLOURS } from './style.js';
import type { ExportArea, ExportData, ExportMarker } from './model.js';
import { orientRings, roundCoordinate } from './rings.js';
import { el, serializeXml, textEl, type XmlElement } from './xml.js';

const SCHEMA_ID = 'tessera_area';

/**
 * The typed attributes each placemark carries, read by Google Earth's balloon and by GDAL. The
 * romanised name is `romanised`, not `name`: readers fold SimpleData `name` into the
 * placemark's own <name> (which holds both scripts) and one of the two would be lost.
 */
const FIELDS: { name: string; type: 'string' | 'int' | 'double'; value(a: ExportArea): string | number | null }[] = [
  { name: 'code', type: 'string', value: (a) => a.code },
  { name: 'romanised', type: 'string', value: (a) => a.name },
  { name: 'name_local', type: 'string', value: (a) => a.name_local },
  { name: 'level', type: 'string', value: (a) => a.level },
  { name: 'parent', type: 'string', value: (a) => a.parent_code },
  { name: 'status', type: 'string', value: (a) => a.status },
  { name: 'version', type: 'int', value: (a) => a.version },
  { name: 'area_ha', type: 'double', value: (a) => (a.area_m2 === null ? null : Number((a.area_m2 / 10_000).toFixed(4))) },
  { name: 'perimeter_km', type: 'double', value: (a) => (a.perimeter_m === null ? null : Number((a.perimeter_m / 1000).toFixed(4))) },
  { name: 'population', type: 'int', value: (a) => a.population },
  { name: 'households', type: 'int', value: (a) => a.households },
];

/** `#rrggbb` and an opacity to KML's `aabbggrr`. */
export function kmlColour(hex: string, opacity: number): string {
  const alpha = Math.round(opacity * 255).toString(16).padStart(2, '0');
  return `${alpha}${hex.slice(5, 7)}${hex.slice(3, 5)}${hex.slice(1, 3)}`.toLowerCase();
}

/** "Ban Kok Champa (ບ້ານກົກຈຳປາ)": the name as Google Earth lists it, in both scripts. */
export function bilingualName(name: string, nameLocal: string | null): string {
  return nameLocal ? `${name} (${nameLocal})` : name;
}

function statusStyle(status: string): XmlElement {
  const colour = STATUS_COLOURS[status] ?? '#808080';
  return el(
    'Style',
    { id: `status-${status}` },
    el('LineStyle', {}, el('color', {}, kmlColour(colour === '#d9d9d9' ? '#7f7f7f' : colour, 1)), el('width', {}, '2')),
    el('PolyStyle', {}, el('color', {}, kmlColour(colour, 0.45))),
  );
}

const coordinates = (ring: number[][]) => ring.map((p) => `${roundCoordinate(p[0])},${roundCoordinate(p[1])}`).join(' ');

/** KML polygons: outer boundaries counter-clockwise as the KML reference asks, holes inside. */
function kmlGeometry(geometry: MultiPolygon): XmlElement {
  const polygons = orientRings(geometry, 'ccw').coordinates.map(([outer, ...holes]) =>
    el(
      'Polygon',
      {},
      el('tessellate', {}, '1'),
      el('outerBoundaryIs', {}, el('LinearRing', {}, el('coordinates', {}, coordinates(outer)))),
      ...holes.map((hole) => el('innerBoundaryIs', {}, el('LinearRing', {}, el('coordinates', {}, coordinates(hole))))),
    ),
  );
  return polygons.length === 1 ? polygons[0] : el('MultiGeometry', {}, ...polygons);
}

function areaPlacemark(area: ExportArea): XmlElement {
  const ha = area.area_m2 === null ? null : `${(area.area_m2 / 10_000).toFixed(2)} ha`;
  const description = [`${area.code} · ${area.level} · ${area.status} · version ${area.version}`, ha].filter(Boolean).join(' · ');
  const point = area.centre ? el('Point', {}, el('coordinates', {}, coordinates([area.centre.coordinates]))) : null;
  return el(
    'Placemark',
    { id: area.code },
    el('name', {}, bilingualName(area.name, area.name_local)),
    el('description', {}, description),
    el('styleUrl', {}, `#status-${area.status}`),
    el(
      'ExtendedData',
      {},
      el('SchemaData', { schemaUrl: `#${SCHEMA_ID}` }, ...FIELDS.map((f) => {
        const v = f.value(area);
        return v === null ? null : el('SimpleData', { name: f.name }, String(v));
      })),
    ),
    area.geometry ? kmlGeometry(area.geometry) : point,
  );
}

function markerPlacemark(marker: ExportMarker): XmlElement {
  return el(
    'Placemark',
    {},
    el('name', {}, marker.name),
    textEl('description', [marker.description, marker.area_code].filter(Boolean).join(' · ')),
    el('styleUrl', {}, '#marker'),
    el('Point', {}, el('coordinates', {}, coordinates([[marker.lon, marker.lat]]))),
  );
}

/**
 * KML 2.2 for Google Earth: one folder per level and one for boundary markers; each area
 * named in romanised and local script, filled in its status colour, with its attributes as
 * typed ExtendedData. Areas without a boundary are placed at their centre point.
 */
export function writeKml(data: ExportData): Buffer {
  const levels = [...new Set(data.areas.map((a) => a.level))];
  const statuses = [...new Set(data.areas.map((a) => a.status))].sort();
  const doc = el(
    'kml',
    { xmlns: 'http://www.opengis.net/kml/2.2' },
    el(
      'Document',
      { id: data.root.code },
      el('name', {}, `${bilingualName(data.root.name, data.root.name_local)} ${data.root.code}`),
      el('description', {}, `Exported from Tessera ${data.exportedAt.toISOString()}`),
      el('Schema', { name: SCHEMA_ID, id: SCHEMA_ID }, ...FIELDS.map((f) => el('SimpleField', { name: f.name, type: f.type }))),
      ...statuses.map(statusStyle),
      el('Style', { id: 'marker' }, el('IconStyle', {}, el('color', {}, 'ff1a1a1a'), el('scale', {}, '0.8'))),
      ...levels.map((level) =>
        el('Folder', {}, el('name', {}, data.levelLabels[level] ?? level), ...data.areas.filter((a) => a.level === level).map(areaPlacemark)),
      ),
      data.markers.length ? el('Folder', {}, el('name', {}, 'Boundary markers'), ...data.markers.map(markerPlacemark)) : null,
    ),
  );
  return Buffer.from(serializeXml(doc), 'utf8');
}
