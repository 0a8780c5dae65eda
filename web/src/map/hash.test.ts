import { describe, expect, it } from 'vitest';
import { coordinateDecimals, formatHash, parseHash } from './hash.js';

describe('URL hash', () => {
  it('round-trips a view and a selected area', () => {
    const hash = formatHash({ view: { zoom: 11.256, lat: 19.88561234, lon: 102.13512345 }, area: 'LP-01-003' });
    expect(hash).toBe('#map=11.26/19.8856/102.1351&area=LP-01-003');
    expect(parseHash(hash)).toEqual({ view: { zoom: 11.26, lat: 19.8856, lon: 102.1351 }, area: 'LP-01-003' });
  });

  it('writes only the view when nothing is selected', () => {
    expect(formatHash({ view: { zoom: 8, lat: 18, lon: 102.5 }, area: null })).toBe('#map=8/18.000/102.500');
  });

  it('ignores a malformed or out-of-range view but keeps the area', () => {
    expect(parseHash('#map=abc/1/2&area=X1')).toEqual({ view: null, area: 'X1' });
    expect(parseHash('#map=10/95/102')).toEqual({ view: null, area: null });
    expect(parseHash('#map=10/18')).toEqual({ view: null, area: null });
    expect(parseHash('')).toEqual({ view: null, area: null });
  });

  it('keeps more decimals the closer the zoom', () => {
    expect(coordinateDecimals(4)).toBeLessThan(coordinateDecimals(16));
  });
});
