import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, hexToRgb, shareUnlike } from './png.js';

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  // Our decoder does not check CRCs, so zeros stand in for them.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]);
}

/** A 2x2 RGB PNG whose second row uses the "up" filter. */
function tinyPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.from([0, 10, 20, 30, 200, 200, 200, 2, 5, 5, 5, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodePng', () => {
  it('undoes row filters and expands to RGBA', () => {
    const pixels = decodePng(tinyPng());
    expect(pixels.width).toBe(2);
    expect(Array.from(pixels.rgba)).toEqual([10, 20, 30, 255, 200, 200, 200, 255, 15, 25, 35, 255, 200, 200, 200, 255]);
  });

  it('counts pixels unlike the background', () => {
    expect(shareUnlike(decodePng(tinyPng()), [200, 200, 200])).toBe(0.5);
    expect(hexToRgb('#f3f1ea')).toEqual([243, 241, 234]);
  });

  it('refuses what is not a PNG', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow('not a PNG');
  });
});
