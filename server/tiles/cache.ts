/**
 * A tile's bytes, and the same bytes gzipped once (null until compressed, or when the tile is
 * too small to gain from it), so a cached tile is sent as stored, never compressed per request.
 */
export interface EncodedTile {
  body: Buffer;
  gzip: Buffer | null;
}

function sizeOf(tile: EncodedTile | null): number {
  return tile ? tile.body.length + (tile.gzip?.length ?? 0) : 0;
}

/**
 * A least-recently-used cache of encoded tiles, bounded by entry count and by bytes. An empty
 * tile is cached as `null`, so repeated requests for empty sea or unmapped land stay cheap.
 * Keys carry the data version, so an edit makes old entries unreachable; they age out.
 */
export class TileCache {
  private readonly entries = new Map<string, EncodedTile | null>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 20_000,
    private readonly maxBytes = 128 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** The cached tile (`null` = known empty), or `undefined` when not cached. */
  get(key: string): EncodedTile | null | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key)!;
    // Re-inserting moves the key to the end of the Map's order: the most recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: EncodedTile | null): void {
    const size = sizeOf(value);
    if (size > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, value);
    this.bytes += size;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private delete(key: string): void {
    if (!this.entries.has(key)) return;
    this.bytes -= sizeOf(this.entries.get(key)!);
    this.entries.delete(key);
  }
}
