import type { DatabaseKind } from '../db/database.js';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, BinaryRows } from '../ingest/bulk.js';
import { multiPolygonEwkbSize, writeMultiPolygonEwkb, writePointEwkb, type Polygons } from './geometry.js';

/**
 * Dataset features encoded for the staging table (store.ts), without the database: chunks are
 * encoded in the parse sandbox's thread as the dataset is read, and cross to the main thread,
 * which only writes them.
 */

/** One feature of a dataset, mapped to an area, measured, ready to be written. */
export interface StagedArea {
  record: number;
  code: string;
  name: string;
  name_local: string | null;
  parent_code: string | null;
  status: string | null;
  population: number | null;
  households: number | null;
  area_m2: number;
  perimeter_m: number;
  /** The JS preflight proved the polygon valid; otherwise PostGIS checks (and repairs) it. */
  checked: boolean;
  /** A point inside (WGS 84 lon, lat); null to let PostGIS place it (ST_PointOnSurface). */
  centre: [number, number] | null;
  /** The polygons in WGS 84, written as one MultiPolygon. */
  polygons: Polygons;
}

export const STAGING_COLUMNS = [
  'record', 'code', 'name', 'name_local', 'parent_code', 'status', 'population', 'households', 'area_m2', 'perimeter_m', 'checked', 'centre', 'geom',
] as const;

/**
 * Binary COPY on a PostgreSQL server; parameter arrays on the embedded database, whose socket
 * bridge cannot carry COPY FROM STDIN.
 */
export type StagingWriter = 'copy' | 'unnest';

export function stagingWriterFor(kind: DatabaseKind): StagingWriter {
  return kind === 'server' ? 'copy' : 'unnest';
}

/** Bytes of a binary COPY row besides its texts and polygons: count, lengths, numbers, flag, centre. */
const ROW_FIXED_BYTES = 2 + STAGING_COLUMNS.length * 4 + 4 * 3 + 8 * 2 + 1 + 25;

/**
 * A chunk of features on its way to the staging table, encoded as they are added (binary COPY
 * rows, or the rows for parameter arrays) in the thread that reads the dataset, while the main
 * thread writes the chunk before. Binary rows carry the geometry as EWKB bytes, which PostGIS reads without the hex
 * and text parsing of COPY's text format, and which Node writes without a string per feature.
 */
export class StagingChunk {
  private readonly binary: BinaryRows | null;
  private readonly rows: StagedArea[] = [];
  size = 0;
  /** Features the JS preflight could not prove valid: PostGIS checks them. */
  doubtful = 0;

  /** `initialBytes`: the binary row buffer's first size; it doubles as rows need. */
  constructor(private readonly writer: StagingWriter, initialBytes = 1 << 20) {
    this.binary = writer === 'copy' ? new BinaryRows(initialBytes) : null;
    if (this.binary) this.binary.bytes(BINARY_COPY_HEADER);
  }

  add(r: StagedArea): void {
    this.size++;
    if (!r.checked) this.doubtful++;
    const b = this.binary;
    if (!b) {
      this.rows.push(r);
      return;
    }
    const geomBytes = multiPolygonEwkbSize(r.polygons);
    // Non-null texts grow the buffer themselves; everything else needs room reserved.
    b.room(ROW_FIXED_BYTES + geomBytes);
    b.row(STAGING_COLUMNS.length);
    b.int4(r.record);
    b.text(r.code);
    b.text(r.name);
    b.text(r.name_local ?? undefined);
    b.text(r.parent_code ?? undefined);
    b.text(r.status ?? undefined);
    b.room(ROW_FIXED_BYTES + geomBytes);
    b.int4(r.population);
    b.int4(r.households);
    b.float8(r.area_m2);
    b.float8(r.perimeter_m);
    b.bool(r.checked);
    if (r.centre) {
      b.int32(25);
      b.at = writePointEwkb(r.centre[0], r.centre[1], b.buf, b.at);
    } else b.null();
    b.int32(geomBytes);
    b.at = writeMultiPolygonEwkb(r.polygons, b.buf, b.at);
  }

  /** The chunk as it crosses to the thread that stages it: its row buffer moved, not copied. */
  encoded(): EncodedChunk {
    const b = this.binary;
    if (!b) return { size: this.size, doubtful: this.doubtful, rows: this.rows, copy: null };
    b.bytes(BINARY_COPY_TRAILER);
    // A buffer of its own can be moved; one from Node's pool of small buffers is copied out of it.
    const own = b.buf.byteOffset === 0 && b.buf.buffer.byteLength === b.buf.length ? b.buf : new Uint8Array(b.buf.subarray(0, b.at));
    return { size: this.size, doubtful: this.doubtful, rows: null, copy: { buffer: own.buffer as ArrayBuffer, length: b.at } };
  }
}

/** A finished chunk: binary COPY rows (header and trailer included) on a server, the rows themselves on the embedded database. */
export interface EncodedChunk {
  size: number;
  doubtful: number;
  rows: StagedArea[] | null;
  copy: { buffer: ArrayBuffer; length: number } | null;
}

/** The buffers of encoded chunks to move to another thread. */
export function chunkBuffers(chunk: EncodedChunk | null): ArrayBuffer[] {
  return chunk?.copy ? [chunk.copy.buffer] : [];
}
