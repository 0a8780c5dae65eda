import { describe, expect, it } from 'vitest';
import { qrVector } from './qr.js';

/** Whether a module is dark, read back from the merged rectangles. */
function dark(rects: ReturnType<typeof qrVector>['rects'], row: number, col: number): boolean {
  return rects.some((r) => r.y === row && col >= r.x && col < r.x + r.width);
}

describe('qrVector', () => {
  const url = 'https://tessera.example.la/areas/SK-03-02-007/versions/3';
  const qr = qrVector(url);

  it('has a valid symbol size (21 + 4k modules)', () => {
    expect((qr.size - 21) % 4).toBe(0);
    expect(qr.size).toBeGreaterThanOrEqual(29);
  });

  it('draws the three finder patterns', () => {
    for (const [r0, c0] of [
      [0, 0],
      [0, qr.size - 7],
      [qr.size - 7, 0],
    ]) {
      expect(dark(qr.rects, r0, c0)).toBe(true);
      expect(dark(qr.rects, r0 + 1, c0 + 1)).toBe(false);
      expect(dark(qr.rects, r0 + 3, c0 + 3)).toBe(true);
    }
  });

  it('merges runs into rectangles that stay in the symbol and never touch in a row', () => {
    for (const r of qr.rects) {
      expect(r.x + r.width).toBeLessThanOrEqual(qr.size);
      expect(r.height).toBe(1);
    }
    const rowZero = qr.rects.filter((r) => r.y === 0).sort((a, b) => a.x - b.x);
    for (let i = 1; i < rowZero.length; i++) expect(rowZero[i].x).toBeGreaterThan(rowZero[i - 1].x + rowZero[i - 1].width);
  });

  it('encodes different text differently', () => {
    expect(qrVector(`${url}x`).rects).not.toEqual(qr.rects);
  });
});
