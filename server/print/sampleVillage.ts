import type { MultiPolygon, Position } from 'geojson';
import type { PrintArea, VillageMapInput } from './model.js';

const CENTRE: [number, number] = [106.7, 15.4];
const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON = 111_320 * Math.cos((CENTRE[1] * Math.PI) / 180);

/** Offsets in metres east/north of the sample centre to lon/lat. */
function offset(dx: number, dy: number): Position {
  return [CENTRE[0] + dx / M_PER_DEG_LON, CENTRE[1] + dy / M_PER_DEG_LAT];
}

/** An irregular closed radius profile, so the sample looks like a walked boundary, not a circle. */
function ring(radius: (angle: number) => number, from: number, to: number, steps: number): Position[] {
  const points: Position[] = [];
  for (let i = 0; i <= steps; i++) {
    const a = from + ((to - from) * i) / steps;
    points.push(offset(radius(a) * Math.cos(a), radius(a) * Math.sin(a)));
  }
  return points;
}

const villageRadius = (a: number) => 1400 + 320 * Math.sin(3 * a) + 160 * Math.cos(5 * a + 1) + 60 * Math.sin(11 * a);
const outerRadius = (a: number) => 3600 + 400 * Math.sin(2 * a + 0.5) + 200 * Math.cos(7 * a);

function area(code: string, name: string, nameLocal: string | null, level: string, geometry: MultiPolygon | null): PrintArea {
  return {
    code,
    name,
    name_local: nameLocal,
    level,
    status: 'surveyed',
    version: 3,
    area_m2: null,
    perimeter_m: null,
    method: 'perimeter walk',
    updated_at: '2024-11-05T08:30:00Z',
    population: null,
    households: null,
    geometry,
    centre: null,
  };
}

/**
 * A plausible village near Lamam, Sekong (15.4° N, 106.7° E): an irregular polygon with three
 * neighbours sharing its boundary exactly, a kumban around them, a district around that, five
 * markers on the boundary, a GPS track, one open dispute over an area and one disputed stretch
 * of the boundary. Deterministic, for tests and
 * layout previews.
 */
export function sampleVillageInput(overrides: Partial<VillageMapInput> = {}): VillageMapInput {
  const full = 2 * Math.PI;
  const villageRing = ring(villageRadius, 0, full, 96);
  villageRing[villageRing.length - 1] = villageRing[0];
  const sectors: [number, number][] = [
    [0, full / 3],
    [full / 3, (2 * full) / 3],
    [(2 * full) / 3, full],
  ];
  const neighbourRings = sectors.map(([from, to]) => {
    const inner = ring(villageRadius, from, to, 32);
    const outer = ring(outerRadius, to, from, 32);
    return [...inner, ...outer, inner[0]];
  });
  const kumbanRing = ring(outerRadius, 0, full, 96);
  kumbanRing[kumbanRing.length - 1] = kumbanRing[0];
  const districtRing = ring((a) => 16_000 + 3_000 * Math.sin(2 * a) + 1_500 * Math.cos(5 * a), 0, full, 60).map(
    (p): Position => [p[0] + 0.06, p[1] - 0.04],
  );
  districtRing[districtRing.length - 1] = districtRing[0];

  const village: PrintArea = {
    ...area('SK-03-02-007', 'Ban Nongbua', 'ບ້ານໜອງບົວ', 'ban', { type: 'MultiPolygon', coordinates: [[villageRing]] }),
    population: 812,
    households: 143,
    area_m2: null,
  };
  const neighbourNames: [string, string][] = [
    ['Ban Kalum', 'ບ້ານກະລຶມ'],
    ['Ban Dakchung', 'ບ້ານດາກຈຶງ'],
    ['Ban Nam Tok', 'ບ້ານນ້ຳຕົກ'],
  ];
  const neighbours = neighbourRings.map((r, i) =>
    area(`SK-03-02-00${i + 8}`, neighbourNames[i][0], neighbourNames[i][1], 'ban', { type: 'MultiPolygon', coordinates: [[r]] }),
  );
  const markerAngles = [0, full / 3, (2 * full) / 3, 0.5, 3.6];
  const markerNames = ['Stream junction Houay Kong', 'Big tamarind tree', 'Hill top Phou Sang', 'Concrete post KM12', 'Old rice barn'];
  const markers = markerAngles.map((a, i) => {
    const [lon, lat] = offset(villageRadius(a) * Math.cos(a), villageRadius(a) * Math.sin(a));
    return { name: markerNames[i], lon, lat };
  });
  const track = ring((a) => villageRadius(a) + 25 * Math.sin(17 * a), 0.2, 2.6, 60);
  const dispute = ring((a) => villageRadius(a) + 120, 3.3, 3.9, 12);
  const disputeInner = ring((a) => villageRadius(a) - 140, 3.9, 3.3, 12);
  const disputedStretch = ring(villageRadius, 4.4, 5.0, 12);

  return {
    village,
    neighbours,
    parents: [
      area('SK-03-02', 'Kumban Nongbua', 'ກຸ່ມບ້ານໜອງບົວ', 'kumban', { type: 'MultiPolygon', coordinates: [[kumbanRing]] }),
      area('SK-03', 'Lamam', 'ລະມາມ', 'district', { type: 'MultiPolygon', coordinates: [[districtRing]] }),
      area('SK', 'Sekong', 'ເຊກອງ', 'province', null),
    ],
    markers,
    tracks: [{ type: 'LineString', coordinates: track }],
    disputes: [
      {
        geometry: { type: 'MultiPolygon', coordinates: [[[...dispute, ...disputeInner, dispute[0]]]] },
        other: 'Ban Nam Tok',
        status: 'open',
        area_m2: null,
      },
    ],
    disputedLines: [
      {
        geometry: { type: 'MultiLineString', coordinates: [disputedStretch] },
        other: 'Ban Nam Tok',
        status: 'negotiating',
        length_m: 1234,
      },
    ],
    printedAt: new Date('2025-01-15T09:00:00Z'),
    versionUrl: 'https://tessera.example.la/areas/SK-03-02-007/versions/3',
    ...overrides,
  };
}
