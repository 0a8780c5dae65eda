import { describe, expect, it } from 'vitest';
import { gridConvergenceDeg, mapPositions, utmProjection, utmZoneFor } from './utm.js';

describe('utmZoneFor', () => {
  it('puts Sekong province, Laos, in WGS 84 / UTM zone 48N', () => {
    expect(utmZoneFor(106.7, 15.4)).toEqual({ zone: 48, hemisphere: 'N', epsg: 32648, name: 'WGS 84 / UTM zone 48N' });
  });

  it('puts Bamako, Mali, in zone 29N and Timbuktu in zone 30N', () => {
    expect(utmZoneFor(-8.0, 12.65).epsg).toBe(32629);
    expect(utmZoneFor(-3.0, 16.77).epsg).toBe(32630);
  });

  it('uses the southern EPSG range below the equator', () => {
    expect(utmZoneFor(35.5, -6.2)).toMatchObject({ zone: 36, hemisphere: 'S', epsg: 32736 });
  });

  it('applies the Norway and Svalbard exceptions', () => {
    expect(utmZoneFor(5.3, 60.4).zone).toBe(32);
    expect(utmZoneFor(15.6, 78.2).zone).toBe(33);
  });

  it('refuses latitudes outside UTM', () => {
    expect(() => utmZoneFor(0, 85)).toThrow(RangeError);
  });
});

describe('utmProjection', () => {
  const projection = utmProjection(utmZoneFor(106.7, 15.4));

  it('maps the central meridian on the equator to the false origin', () => {
    const [e, n] = projection.forward([105, 0]);
    expect(e).toBeCloseTo(500_000, 3);
    expect(n).toBeCloseTo(0, 3);
  });

  it('round-trips a Sekong coordinate to well under a millimetre', () => {
    const [lon, lat] = projection.inverse(projection.forward([106.7, 15.4]));
    expect(lon).toBeCloseTo(106.7, 9);
    expect(lat).toBeCloseTo(15.4, 9);
  });

  it('places 106.7 E, 15.4 N about 682 km east, 1703 km north', () => {
    const [e, n] = projection.forward([106.7, 15.4]);
    expect(Math.round(e / 1000)).toBe(682);
    expect(Math.round(n / 1000)).toBe(1703);
  });

  it('gives negative convergence east of the central meridian in the north', () => {
    const gamma = gridConvergenceDeg(projection, 106.7, 15.4);
    expect(gamma).toBeLessThan(0);
    expect(gamma).toBeGreaterThan(-1);
  });
});

describe('mapPositions', () => {
  it('transforms every ring without mutating the input', () => {
    const input = { type: 'MultiPolygon' as const, coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]] };
    const copy = structuredClone(input);
    const out = mapPositions(input, ([x, y]) => [x * 10, y * 10]);
    expect(out.coordinates[0][0][2]).toEqual([10, 10]);
    expect(input).toEqual(copy);
  });
});
