import { describe, expect, it } from 'vitest';
import { TileCache } from './cache.js';

describe('TileCache', () => {
  it('forgets the least recently used entry first', () => {
    const cache = new TileCache(2);
    cache.set('a', Buffer.from('a'));
    cache.set('b', Buffer.from('b'));
    expect(cache.get('a')?.toString()).toBe('a');
    cache.set('c', Buffer.from('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.toString()).toBe('a');
    expect(cache.get('c')?.toString()).toBe('c');
  });

  it('remembers empty tiles as null, distinct from a miss', () => {
    const cache = new TileCache();
    cache.set('empty', null);
    expect(cache.get('empty')).toBeNull();
    expect(cache.get('other')).toBeUndefined();
  });

  it('stays within its byte budget and counts replaced entries once', () => {
    const cache = new TileCache(100, 10);
    cache.set('a', Buffer.alloc(4));
    cache.set('a', Buffer.alloc(6));
    expect(cache.byteSize).toBe(6);
    cache.set('b', Buffer.alloc(6));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.byteSize).toBe(6);
    cache.set('huge', Buffer.alloc(11));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
