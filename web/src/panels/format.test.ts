import { describe, expect, it } from 'vitest';
import { formatCount, formatHectares, formatKilometres } from './format.js';

describe('number formatting', () => {
  it('shows areas in hectares, with a decimal only for small ones', () => {
    expect(formatHectares(123_456, 'en')).toBe('12.3');
    expect(formatHectares(25_000_000, 'en')).toBe('2,500');
  });

  it('shows perimeters in kilometres with two decimals', () => {
    expect(formatKilometres(12_345, 'en')).toBe('12.35');
  });

  it('keeps Western digits in Lao', () => {
    expect(formatCount(1234, 'lo')).toMatch(/^1\D?234$/);
  });

  it('returns null for unknown values so the panel can show a dash', () => {
    expect(formatHectares(null, 'en')).toBeNull();
    expect(formatKilometres(undefined, 'en')).toBeNull();
    expect(formatCount(Number.NaN, 'en')).toBeNull();
  });
});
