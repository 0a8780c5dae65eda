import { describe, expect, it } from 'vitest';
import { parseAngle, parseDecimal, parseNmeaAngle, parseUtmZone, resolveCrs } from './coords.js';

describe('parseAngle', () => {
  const value = (s: string, axis: 'lat' | 'lon' = 'lat') => {
    const r = parseAngle(s, axis);
    return r.ok ? Number(r.value.toFixed(7)) : r.problem;
  };

  it.each([
    ['15.41', 15.41],
    ['15,41', 15.41],
    ['-15.41', -15.41],
    [`15°24'36.4"N`, 15.4101111],
    [`15° 24' 36.4" S`, -15.4101111],
    ['N15 24.606', 15.4101],
    ['S15 24.606', -15.4101],
    ['15 24 36.4 N', 15.4101111],
    ['15°24,606\'N', 15.4101],
    ['15.4101N', 15.4101],
    [`-15°24.606'`, -15.4101],
    ['15°24′36.4″N', 15.4101111],
  ])('reads %s as %d', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('reads longitudes with E/W', () => {
    expect(value(`106°50'12"E`, 'lon')).toBe(106.8366667);
    expect(value('W106 50.2', 'lon')).toBe(-106.8366667);
  });

  it('says what is wrong with what it cannot read', () => {
    expect(value('')).toBe('empty');
    expect(value('NULL')).toBe('empty');
    expect(value('NaN')).toBe('not-finite');
    expect(value('-Infinity')).toBe('not-finite');
    expect(value('1e309')).toBe('not-finite');
    expect(value('1706543.2')).toBe('out-of-range');
    expect(value(`106°50'12"E`)).toBe('wrong-hemisphere');
    expect(value(`15°75'N`)).toBe('unreadable');
    expect(value(`15.5°30'N`)).toBe('unreadable');
    expect(value('N15 24.6 S')).toBe('unreadable');
    expect(value('fifteen')).toBe('unreadable');
    expect(value('0x1F')).toBe('unreadable');
  });
});

describe('parseDecimal', () => {
  it('accepts one decimal comma and tells non-numbers from non-finite numbers', () => {
    expect(parseDecimal(' 412,5 ')).toBe(412.5);
    expect(parseDecimal('1.2.3')).toBeUndefined();
    expect(parseDecimal('inf')).toBe(Infinity);
    expect(parseDecimal('nan')).toBeNaN();
  });
});

describe('parseNmeaAngle', () => {
  it('reads ddmm.mmmm with its hemisphere', () => {
    expect(parseNmeaAngle('1524.6060', 'N', 'lat')).toBeCloseTo(15.4101, 7);
    expect(parseNmeaAngle('10650.2000', 'W', 'lon')).toBeCloseTo(-106.8366667, 6);
    expect(parseNmeaAngle('1575.0000', 'N', 'lat')).toBeUndefined();
    expect(parseNmeaAngle('1524.6', 'E', 'lat')).toBeUndefined();
    expect(parseNmeaAngle('', 'N', 'lat')).toBeUndefined();
  });
});

describe('resolveCrs', () => {
  it('knows WGS84, Web Mercator and the WGS84 UTM zones in their usual spellings', () => {
    for (const name of ['EPSG:4326', 'urn:ogc:def:crs:OGC:1.3:CRS84', 'WGS84', '4326']) expect(resolveCrs(name)?.code).toBe('EPSG:4326');
    for (const name of ['EPSG:32648', 'urn:ogc:def:crs:EPSG::32648', 'http://www.opengis.net/def/crs/EPSG/0/32648', 'UTM 48N', 'epsg:32648']) {
      expect(resolveCrs(name)?.code).toBe('EPSG:32648');
    }
    expect(resolveCrs('EPSG:32748')?.code).toBe('EPSG:32748');
    expect(resolveCrs('EPSG:900913')?.code).toBe('EPSG:3857');
    expect(resolveCrs('EPSG:2154')).toBeNull();
    expect(resolveCrs('EPSG:4240')).toBeNull();
  });

  it('reprojects UTM 48N and Web Mercator to lon/lat', () => {
    // Pakse airport, 105.7814 E 15.1321 N: the projected values are PROJ's (cs2cs EPSG:4326 EPSG:32648 / EPSG:3857).
    const [lon, lat] = resolveCrs('EPSG:32648')!.toWgs84(583956.80, 1673086.38);
    expect(lon).toBeCloseTo(105.7814, 6);
    expect(lat).toBeCloseTo(15.1321, 6);
    const [x, y] = resolveCrs('EPSG:3857')!.toWgs84(11775531.58, 1704428.91);
    expect(x).toBeCloseTo(105.7814, 6);
    expect(y).toBeCloseTo(15.1321, 6);
  });
});

describe('parseUtmZone', () => {
  it('reads zones with a hemisphere or an MGRS band letter', () => {
    expect(parseUtmZone('48N')).toEqual({ zone: 48, south: false });
    expect(parseUtmZone('48 S')).toEqual({ zone: 48, south: true });
    expect(parseUtmZone('48P')).toEqual({ zone: 48, south: false });
    expect(parseUtmZone('48M')).toEqual({ zone: 48, south: true });
    expect(parseUtmZone('47')).toEqual({ zone: 47 });
    expect(parseUtmZone('61N')).toBeNull();
    expect(parseUtmZone('48I')).toBeNull();
  });
});
