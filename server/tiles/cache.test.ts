import { describe, expect, it } from 'vitest';
import { TileCache, type EncodedTile } from './cache.js';

const tile = (body: Buffer, gzip: Buffer | null = null): EncodedTile => ({ body, gzip });

describe('TileCache', () => {
  it('forgets the least recently used entry first', () => {
    const cache = new TileCache(2);
    cache.set('a', tile(Buffer.from('a')));
    cache.set('b', tile(Buffer.from('b')));
    expect(cache.get('a')?.body.toString()).toBe('a');
    cache.set('c', tile(Buffer.from('c')));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.body.toString()).toBe('a');
    expect(cache.get('c')?.body.toString()).toBe('c');
  });

  it('remembers empty tiles as null, distinct from a miss', () => {
    const cache = new TileCache();
    cache.set('empty', null);
    expect(cache.get('empty')).toBeNull();
    expect(cache.get('other')).toBeUndefined();
  });

  it('stays within its byte budget and counts replaced entries once', () => {
    const cache = new TileCache(100, 10);
    cache.set('a', tile(Buffer.alloc(4)));
    cache.set('a', tile(Buffer.alloc(6)));
    expect(cache.byteSize).toBe(6);
    cache.set('b', tile(Buffer.alloc(6)));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.byteSize).toBe(6);
    cache.set('huge', tile(Buffer.alloc(11)));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('counts a tile\'s gzipped copy in its byte budget', () => {
    const cache = new TileCache(100, 10);
    cache.set('a', tile(Buffer.alloc(4)));
    cache.set('a', tile(Buffer.alloc(4), Buffer.alloc(3)));
    expect(cache.byteSize).toBe(7);
    expect(cache.get('a')?.gzip?.length).toBe(3);
    cache.set('b', tile(Buffer.alloc(2), Buffer.alloc(2)));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.byteSize).toBe(4);
  });
});
