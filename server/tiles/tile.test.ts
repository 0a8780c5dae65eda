import { describe, expect, it } from 'vitest';
import { isUserError } from '../errors.js';
import { parseTileAddress, simplifyToleranceDegrees, tileContaining, tileLonLatBox } from './tile.js';

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (isUserError(err)) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('parseTileAddress', () => {
  it('accepts every tile of the zoom', () => {
    expect(parseTileAddress('0', '0', '0')).toEqual({ z: 0, x: 0, y: 0 });
    expect(parseTileAddress('12', '3258', '1863')).toEqual({ z: 12, x: 3258, y: 1863 });
    expect(parseTileAddress('3', '7', '7')).toEqual({ z: 3, x: 7, y: 7 });
  });

  it.each([
    ['31', '5', '5', 'z must be a whole number from 0 to 22'],
    ['3', '9', '1', 'x must be a whole number from 0 to 7'],
    ['3', '1', '8', 'y must be a whole number from 0 to 7'],
    ['-1', '0', '0', 'z must be a whole number'],
    ['12', 'abc', '1', "x must be a whole number from 0 to 4095, got 'abc'"],
    ['2.5', '0', '0', 'z must be'],
  ])('refuses %s/%s/%s with TILE_OUT_OF_RANGE', (z, x, y, message) => {
    const err = errorOf(() => parseTileAddress(z, x, y));
    expect(err.code).toBe('TILE_OUT_OF_RANGE');
    expect(err.status).toBe(400);
    expect(err.message).toContain(`Tile ${z}/${x}/${y}`);
    expect(err.message).toContain(message);
  });
});

describe('tile geometry', () => {
  it('covers the world at z0 and halves it at z1', () => {
    const [west, south, east, north] = tileLonLatBox({ z: 0, x: 0, y: 0 });
    expect([west, east]).toEqual([-180, 180]);
    expect(north).toBeCloseTo(85.0511, 4);
    expect(south).toBeCloseTo(-85.0511, 4);
    expect(tileLonLatBox({ z: 1, x: 1, y: 0 })).toEqual([0, 0, 180, expect.closeTo(85.0511, 4)]);
  });

  it('widens the box by the buffer', () => {
    const tile = { z: 12, x: 3258, y: 1863 };
    const plain = tileLonLatBox(tile);
    const buffered = tileLonLatBox(tile, 64);
    const width = plain[2] - plain[0];
    expect(plain[0] - buffered[0]).toBeCloseTo((width * 64) / 4096, 9);
    expect(buffered[3]).toBeGreaterThan(plain[3]);
  });

  it('finds the tile holding a point, inside that tile\'s box', () => {
    const tile = tileContaining(106.7, 15.6, 12);
    const [west, south, east, north] = tileLonLatBox(tile);
    expect(106.7).toBeGreaterThanOrEqual(west);
    expect(106.7).toBeLessThan(east);
    expect(15.6).toBeGreaterThanOrEqual(south);
    expect(15.6).toBeLessThan(north);
  });

  it('simplifies less as the zoom grows, and not at all close up', () => {
    expect(simplifyToleranceDegrees(8)).toBeGreaterThan(simplifyToleranceDegrees(12));
    expect(simplifyToleranceDegrees(12)).toBeCloseTo(360 / 4096 / 2048, 12);
    expect(simplifyToleranceDegrees(16)).toBe(0);
  });
});
