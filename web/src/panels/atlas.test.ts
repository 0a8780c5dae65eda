import { describe, expect, it } from 'vitest';
import { atlasFileName, scanAtlasProgress } from './atlas.js';

describe('scanAtlasProgress', () => {
  it('takes the highest finished page of a piece of the stream', () => {
    const text = 'endobj\n%Tessera atlas page 1 of 9\n1 0 obj\n%Tessera atlas page 2 of 9\n';
    expect(scanAtlasProgress('', text).done).toBe(2);
    expect(scanAtlasProgress('', 'stream\nx\x9c\xff binary without a marker').done).toBeNull();
  });

  it('finds a marker split between two chunks, and only once', () => {
    const first = scanAtlasProgress('', 'endobj\n%Tessera atl');
    expect(first.done).toBeNull();
    const second = scanAtlasProgress(first.carry, 'as page 3 of 9\n3 0 obj');
    expect(second.done).toBe(3);
    // The carried tail still holds the marker, but never a larger page than was written.
    expect(scanAtlasProgress(second.carry, '<< >>').done).toBe(3);
  });
});

describe('atlasFileName', () => {
  it('uses the name the server gives, else one from the code', () => {
    expect(atlasFileName('inline; filename="SK-02-01-atlas.pdf"', 'SK-02-01')).toBe('SK-02-01-atlas.pdf');
    expect(atlasFileName(null, 'SK-02')).toBe('SK-02-atlas.pdf');
  });
});
