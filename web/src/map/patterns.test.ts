import { describe, expect, it } from 'vitest';
import { hatchPattern } from './patterns.js';

describe('hatchPattern', () => {
  it('draws stripes of the colour at 45 degrees and leaves the rest transparent', () => {
    const image = hatchPattern('#b71c1c', 8, 2, 200);
    expect(image.data.length).toBe(8 * 8 * 4);
    const pixel = (x: number, y: number) => Array.from(image.data.slice((y * 8 + x) * 4, (y * 8 + x) * 4 + 4));
    expect(pixel(0, 0)).toEqual([0xb7, 0x1c, 0x1c, 200]);
    expect(pixel(7, 1)).toEqual([0xb7, 0x1c, 0x1c, 200]);
    expect(pixel(3, 0)).toEqual([0, 0, 0, 0]);
    const painted = Array.from({ length: 64 }, (_, i) => image.data[i * 4 + 3]).filter((a) => a > 0).length;
    expect(painted).toBe(16);
  });
});
