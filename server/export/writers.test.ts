import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as turf from '@turf/turf';
import type { MultiPolygon } from 'geojson';
import { afterAll, describe, expect, it } from 'vitest';
import { neutraliseFormula, writeCsv } from './csv.js';
import { truncateUtf8, writeDbf } from './dbf.js';
import { renderExport } from './formats.js';
import type { ExportArea, ExportData, ExportFormat } from './model.js';
import { orientRings, signedArea2 } from './rings.js';
import { decodedAreaM2, hasOgr, layerCounts, ogrDump, ogrLayer, ogrSummary } from './testing/gdal.js';

/** A square of `sideDeg` degrees at (lon, lat), its ring in the given winding. */
function square(lon: number, lat: number, sideDeg: number, ccw: boolean): number[][] {
  const ring = [[lon, lat], [lon + sideDeg, lat], [lon + sideDeg, lat + sideDeg], [lon, lat + sideDeg], [lon, lat]];
  return ccw ? ring : ring.reverse();
}

// Two parts, the first with a hole, written in the "wrong" windings on purpose: every writer
// must orient rings itself rather than trust its input.
const twoParts: MultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    [square(106.7, 15.3, 0.02, false), square(106.705, 15.305, 0.005, true)],
    [square(106.75, 15.3, 0.01, false)],
  ],
};
const single: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(106.8, 15.35, 0.015, true)]] };

function area(overrides: Partial<ExportArea>): ExportArea {
  return {
    code: 'SK-09-01-001', name: 'Ban Test', name_local: 'ບ້ານທົດສອບ', level: 'ban', parent_code: 'SK-09-01', status: 'agreed', version: 2,
    area_m2: null, perimeter_m: null, population: 512, households: 97, updated_at: '2025-01-15T08:00:00Z', geometry: null, centre: null,
    ...overrides,
  };
}

const measured = (g: MultiPolygon) => ({ area_m2: turf.area(g), perimeter_m: turf.length(turf.polygonToLine(g) as never, { units: 'meters' }) });

const sample: ExportData = {
  root: { code: 'SK-09-01', name: 'Nam Tok', name_local: 'ນ້ຳຕົກ', level: 'kumban' },
  areas: [
    area({ code: 'SK-09-01-001', name: 'Ban Nong <Bua> & "Sons"', name_local: 'ບ້ານໜອງບົວ', geometry: twoParts, status: 'approved', ...measured(twoParts) }),
    area({ code: 'SK-09-01-002', name: '=HYPERLINK("http://evil/")', name_local: 'ບ້ານນ້ຳຕົກ', geometry: single, ...measured(single) }),
    area({ code: 'SK-09-01-003', name: 'Ban Lak Muang', name_local: 'ບ້ານຫຼັກມ່ວງ', status: 'planned', population: null, households: null,
      centre: { type: 'Point', coordinates: [106.9, 15.4] } }),
  ],
  markers: [{ name: 'Big tamarind tree', description: 'ຕົ້ນຂາມໃຫຍ່', area_code: 'SK-09-01-001', lon: 106.71, lat: 15.3, elevation: 212.4 }],
  levelLabels: { ban: 'Village', kumban: 'Kumban' },
  exportedAt: new Date('2025-01-15T09:30:00Z'),
};

describe('ring orientation', () => {
  it('turns exteriors and holes the requested way without touching the input', () => {
    const before = JSON.stringify(twoParts);
    const ccw = orientRings(twoParts, 'ccw');
    const cw = orientRings(twoParts, 'cw');
    expect(ccw.coordinates.map((p) => p.map((r) => Math.sign(signedArea2(r))))).toEqual([[1, -1], [1]]);
    expect(cw.coordinates.map((p) => p.map((r) => Math.sign(signedArea2(r))))).toEqual([[-1, 1], [-1]]);
    expect(JSON.stringify(twoParts)).toBe(before);
  });
});

describe('DBF text', () => {
  it('cuts UTF-8 on character boundaries, counting bytes', () => {
    expect(truncateUtf8('ບ້ານ', 7)).toBe('ບ້');
    expect(Buffer.byteLength(truncateUtf8('ບ້ານ'.repeat(100), 254))).toBeLessThanOrEqual(254);
  });

  it('refuses field names over 10 characters', () => {
    expect(() => writeDbf([{ name: 'VILLAGE_NAME', type: 'C', length: 10 }], [], new Date())).toThrow(/1-10 ASCII/);
  });
});

describe('CSV', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const cell of ['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseFormula(cell)).toBe(`'${cell}`);
    expect(neutraliseFormula('Ban Kalum')).toBe('Ban Kalum');
  });

  it('writes the statistics columns with a BOM and CRLF', () => {
    const text = writeCsv(sample.areas).toString('utf8');
    expect(text.startsWith('\uFEFFcode,name,name_local,level,parent,status,area_ha,perimeter_km,population,households,version\r\n')).toBe(true);
    expect(text).toContain(`SK-09-01-002,"'=HYPERLINK(""http://evil/"")",ບ້ານນ້ຳຕົກ,ban,SK-09-01,agreed,`);
    expect(text).toContain('SK-09-01-003,Ban Lak Muang,ບ້ານຫຼັກມ່ວງ,ban,SK-09-01,planned,,,,,2\r\n');
  });
});

describe.skipIf(!hasOgr)('every format read back by GDAL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function written(format: ExportFormat): Promise<string> {
    const path = join(dir, `SK-09-01.${format}`);
    writeFileSync(path, await renderExport(format, sample, 'SK-09-01'));
    return format === 'zip' ? `/vsizip/${path}/SK-09-01.shp` : path;
  }

  /** Checks each decoded area against the stored one within 0.5 %. */
  function expectAreas(features: { properties: Record<string, unknown> | null; geometry: unknown }[], codeField: string) {
    for (const stored of sample.areas.filter((a) => a.geometry)) {
      const feature = features.find((f) => f.properties?.[codeField] === stored.code);
      expect(feature, stored.code).toBeDefined();
      const decoded = decodedAreaM2(feature as never);
      expect(Math.abs(decoded / stored.area_m2! - 1), stored.code).toBeLessThan(0.005);
    }
  }

  it('GeoJSON: three features, names intact, holes kept', async () => {
    const source = await written('geojson');
    expect(layerCounts(ogrSummary(source))).toEqual({ 'SK-09-01': 3 });
    const layer = ogrLayer(source);
    expect(layer.features.map((f) => f.properties.name_local)).toEqual(['ບ້ານໜອງບົວ', 'ບ້ານນ້ຳຕົກ', 'ບ້ານຫຼັກມ່ວງ']);
    expect(layer.features[0].properties.name).toBe('Ban Nong <Bua> & "Sons"');
    expect(layer.features[2].geometry).toBeNull();
    expectAreas(layer.features, 'code');
  });

  it('Shapefile: UTF-8 attributes in short fields, a null shape for the planned village', async () => {
    const source = await written('zip');
    const summary = ogrSummary(source);
    expect(layerCounts(summary)).toEqual({ 'SK-09-01': 3 });
    expect(summary).toMatch(/Geometry: Polygon/);
    expect(summary).toMatch(/GEOGCRS\["WGS 84"|GEOGCS\["GCS_WGS_1984"/);
    expect(summary).toMatch(/NAME_LOCAL: String \(\d+\.0\)/);
    const layer = ogrLayer(source);
    expect(layer.features.map((f) => f.properties.NAME_LOCAL)).toEqual(['ບ້ານໜອງບົວ', 'ບ້ານນ້ຳຕົກ', 'ບ້ານຫຼັກມ່ວງ']);
    expect(layer.features[0].properties).toMatchObject({ CODE: 'SK-09-01-001', STATUS: 'approved', POPULATION: 512, VERSION: 2 });
    expect(layer.features[2].properties.POPULATION).toBeNull();
    expect(layer.features[2].geometry).toBeNull();
    expect(layer.features[0].geometry?.type).toBe('MultiPolygon');
    expect(layer.features[0].properties.AREA_HA).toBeCloseTo(sample.areas[0].area_m2! / 10_000, 3);
    expectAreas(layer.features, 'CODE');
  });

  it('KML: a folder per level and one of markers, bilingual names, typed data', async () => {
    const source = await written('kml');
    expect(layerCounts(ogrSummary(source))).toEqual({ Village: 3, 'Boundary markers': 1 });
    const villages = ogrLayer(source, 'Village');
    expect(villages.features[1].properties).toMatchObject({
      Name: '=HYPERLINK("http://evil/") (ບ້ານນ້ຳຕົກ)', romanised: '=HYPERLINK("http://evil/")', code: 'SK-09-01-002', name_local: 'ບ້ານນ້ຳຕົກ',
    });
    expect(villages.features[0].properties.Name).toBe('Ban Nong <Bua> & "Sons" (ບ້ານໜອງບົວ)');
    expect(villages.features[2].geometry?.type).toBe('Point');
    expectAreas(villages.features, 'code');
    expect(ogrDump(source)).toContain('Big tamarind tree');
  });

  it('GPX: markers as waypoints, boundaries as tracks', async () => {
    const source = await written('gpx');
    const counts = layerCounts(ogrSummary(source));
    expect(counts).toMatchObject({ waypoints: 1, tracks: 2 });
    const waypoints = ogrLayer(source, 'waypoints');
    expect(waypoints.features[0].properties).toMatchObject({ name: 'Big tamarind tree', desc: 'ຕົ້ນຂາມໃຫຍ່', ele: 212.4 });
    const tracks = ogrLayer(source, 'tracks');
    expect(tracks.features.map((f) => f.properties.cmt)).toEqual(['SK-09-01-001', 'SK-09-01-002']);
    expect(String(tracks.features[0].properties.desc)).toContain('ບ້ານໜອງບົວ');
    expectAreas(tracks.features, 'cmt');
  });

  it('CSV: GDAL reads the header, the rows and the Lao names', async () => {
    const source = await written('csv');
    const layer = ogrLayer(source);
    expect(layer.features).toHaveLength(3);
    expect(Object.keys(layer.features[0].properties)).toEqual(['code', 'name', 'name_local', 'level', 'parent', 'status', 'area_ha', 'perimeter_km', 'population', 'households', 'version']);
    expect(layer.features.map((f) => f.properties.name_local)).toEqual(['ບ້ານໜອງບົວ', 'ບ້ານນ້ຳຕົກ', 'ບ້ານຫຼັກມ່ວງ']);
    expect(Number(layer.features[1].properties.area_ha)).toBeCloseTo(sample.areas[1].area_m2! / 10_000, 3);
  });
});
