import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Queryable } from '../db/database.js';
import {
  BINARY_COPY_HEADER, BINARY_COPY_TRAILER, binaryRowPrefix, binaryRowsOk, copyRowPrefix, keptTimeSpan, READING_COPY_COLUMNS,
  ROWS_PER_PIECE, segmentCopyBinary, segmentCopyText,
} from './bulk.js';
import { dropReasonOf, fixVerdicts, KEPT, type CleanedSegment, type CleaningOptions } from './clean.js';
import { readingAt, ReadingColumns, type ParsedFile, type ParsedTrack, type ParsedWaypoint, type ParseProgress, type ReadingSegment } from './readings.js';

export interface StoredUpload {
  id: string;
  filename: string;
  sha256: string;
  size_bytes: number;
  kind: string;
  crs: string | null;
  area_code: string | null;
  uploaded_by: string | null;
  uploaded_at: string;
  report: Record<string, unknown>;
}

const UPLOAD_COLUMNS = `u.id, u.filename, u.sha256, u.size_bytes, u.kind, u.crs, a.code AS area_code, u.uploaded_by,
  to_char(u.uploaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS uploaded_at, u.report`;

export async function findUploadBySha(db: Queryable, sha256: string): Promise<StoredUpload | null> {
  const { rows } = await db.query<StoredUpload>(
    `SELECT ${UPLOAD_COLUMNS} FROM upload u LEFT JOIN area a ON a.id = u.area_id WHERE u.sha256 = $1`,
    [sha256],
  );
  return rows[0] ?? null;
}

export async function getUpload(db: Queryable, id: string): Promise<StoredUpload | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await db.query<StoredUpload>(`SELECT ${UPLOAD_COLUMNS} FROM upload u LEFT JOIN area a ON a.id = u.area_id WHERE u.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function insertUpload(
  db: pg.PoolClient,
  u: { filename: string; sha256: string; size: number; kind: string; crs: string | null; areaId: number | null; actor: string | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO upload (filename, sha256, size_bytes, kind, crs, area_id, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [u.filename, u.sha256, u.size, u.kind, u.crs, u.areaId, u.actor],
  );
  return rows[0].id;
}

export async function saveReport(db: pg.PoolClient, uploadId: string, report: object): Promise<void> {
  await db.query('UPDATE upload SET report = $2 WHERE id = $1', [uploadId, JSON.stringify(report)]);
}

export interface NewTrack {
  uploadId: string;
  areaId: number | null;
  otherAreaId: number | null;
  name: string | null;
  description: string | null;
  kind: 'line' | 'perimeter' | 'segment' | 'route';
  /** The track's segments in file order, each reading with its cleaning verdict. */
  segments: readonly CleanedSegment[];
}

/**
 * How readings reach the `reading` table: on a PostgreSQL server by COPY while the file is read
 * (StreamedReadings, then completeTrack); on the embedded database by insertTrack, with parallel
 * arrays as parameters, because its socket bridge cannot carry COPY FROM STDIN (the session loses
 * protocol synchronisation).
 */
/**
 * Insert a track with its line of kept readings, then its readings (kept and dropped, with
 * reasons). The line is sent as binary EWKB (16 bytes a point) with the track rather than
 * gathered back from the stored readings, which made the server read, sort and aggregate every
 * row it had just written; sent first, its buffers are gone before the readings' are made.
 */
export async function insertTrack(db: pg.PoolClient, t: NewTrack): Promise<number> {
  const span = keptTimeSpan(t.segments);
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO track (upload_id, area_id, other_area_id, name, description, kind, reading_count, started_at, ended_at, geom)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ST_GeomFromEWKB($10)) RETURNING id`,
    [t.uploadId, t.areaId, t.otherAreaId, t.name, t.description, t.kind, span.kept, span.start, span.end, keptLineEwkb(t.segments)],
  );
  const trackId = rows[0].id;
  await unnestReadings(db, t.uploadId, trackId, t.segments);
  return trackId;
}

/**
 * Readings stored while their file is still being read (PostgreSQL servers, inside the upload's
 * transaction), so that the server stores one part of a long walk while Node parses the next:
 * the upload row first, then each track as a row completed later (completeTrack) and its
 * readings by COPY as the parser hands them over, each with its per-fix verdict (fixVerdicts).
 * Track rows are made in file order, as insertTrack makes them.
 */
export class StreamedReadings {
  private uploadId: string | null = null;
  private readonly trackIds = new Map<ParsedTrack<ReadingSegment>, number>();
  /** How many readings of each segment are written. */
  private readonly written = new Map<ReadingSegment, number>();
  /** Tracks of the progress already written to their end. */
  private finishedTracks = 0;
  private copy: {
    track: ParsedTrack<ReadingSegment>;
    stream: Writable;
    done: Promise<void>;
    binary: boolean;
    textPrefix: string;
    binaryPrefix: Buffer;
  } | null = null;
  private readonly verdictOf: (readings: ReadingSegment, i: number) => number;

  constructor(
    private readonly db: pg.PoolClient,
    private readonly upload: { filename: string; sha256: string; size: number; areaId: number | null; actor: string | null },
    cleaning: CleaningOptions,
  ) {
    this.verdictOf = fixVerdicts(cleaning);
  }

  /** Write what the parser has read since the last call: the upload row, new tracks, new readings. */
  async take(progress: ParseProgress): Promise<void> {
    this.uploadId ??= await insertUpload(this.db, { ...this.upload, kind: progress.format, crs: progress.crs ?? 'EPSG:4326' });
    for (; this.finishedTracks < progress.tracks.length; this.finishedTracks++) {
      await this.writeTrack(progress.tracks[this.finishedTracks], null);
    }
    if (progress.openTrack !== null) await this.writeTrack(progress.openTrack, progress.openSegment);
  }

  /** Write the rest of a parsed file; returns its upload id and the ids of its tracks. */
  async finish(parsed: ParsedFile<ReadingSegment>): Promise<{ uploadId: string; trackIds: ReadonlyMap<ParsedTrack<ReadingSegment>, number> }> {
    await this.take({ format: parsed.format, crs: parsed.crs, tracks: parsed.tracks, openTrack: null, openSegment: null });
    await this.endCopy();
    return { uploadId: this.uploadId!, trackIds: this.trackIds };
  }

  /** Give up a COPY in progress (the upload failed), so the transaction can be rolled back. */
  async abort(reason: unknown): Promise<void> {
    const copy = this.copy;
    if (copy === null) return;
    this.copy = null;
    copy.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    await copy.done.catch(() => undefined);
  }

  private async writeTrack(track: ParsedTrack<ReadingSegment>, openSegment: ReadingSegment | null): Promise<void> {
    for (const segment of track.segments) await this.writeSegment(track, segment);
    if (openSegment !== null) await this.writeSegment(track, openSegment);
  }

  private async writeSegment(track: ParsedTrack<ReadingSegment>, segment: ReadingSegment): Promise<void> {
    const to = segment.length;
    const verdictAt = (i: number) => this.verdictOf(segment, i);
    for (let from = this.written.get(segment) ?? 0; from < to; from += ROWS_PER_PIECE) {
      const end = Math.min(to, from + ROWS_PER_PIECE);
      const binary = binaryRowsOk(segment, from, end);
      const copy = await this.copyFor(track, binary);
      const data = binary
        ? segmentCopyBinary(copy.binaryPrefix, segment, from, end, verdictAt)
        : segmentCopyText(copy.textPrefix, segment, from, end, verdictAt, 'ewkb');
      // Waiting for the socket to drain keeps at most a piece or two of COPY data in memory.
      if (!copy.stream.write(data)) await Promise.race([once(copy.stream, 'drain'), copy.done]);
      this.written.set(segment, end);
    }
  }

  /**
   * The COPY that takes the track's readings in that format: a track row is made, and the
   * previous COPY ended, first. Binary unless a piece's rows need PostgreSQL to read them as text.
   */
  private async copyFor(track: ParsedTrack<ReadingSegment>, binary: boolean) {
    if (this.copy?.track === track && this.copy.binary === binary) return this.copy;
    await this.endCopy();
    let trackId = this.trackIds.get(track);
    if (trackId === undefined) {
      const { rows } = await this.db.query<{ id: number }>('INSERT INTO track (upload_id) VALUES ($1) RETURNING id', [this.uploadId]);
      trackId = rows[0].id;
      this.trackIds.set(track, trackId);
    }
    const columns = READING_COPY_COLUMNS.join(', ');
    const stream = this.db.query(copyFrom(`COPY reading (${columns}) FROM STDIN${binary ? ' (FORMAT binary)' : ''}`));
    const done = finished(stream);
    // Awaited when the COPY ends; until then a failure only has to stop the next write.
    done.catch(() => undefined);
    if (binary) stream.write(BINARY_COPY_HEADER);
    this.copy = {
      track, stream, done, binary,
      textPrefix: copyRowPrefix(this.uploadId!, trackId),
      binaryPrefix: binaryRowPrefix(this.uploadId!, trackId),
    };
    return this.copy;
  }

  private async endCopy(): Promise<void> {
    const copy = this.copy;
    if (copy === null) return;
    this.copy = null;
    if (copy.binary) copy.stream.write(BINARY_COPY_TRAILER);
    copy.stream.end();
    await copy.done;
  }
}

/**
 * Complete a track made by StreamedReadings: its line, counts and assignment, and the verdicts
 * of the readings the sequence checks dropped after they were written (duplicates, times out of
 * order, spikes: a few in a thousand for a logger). The rows end up as insertTrack writes them.
 */
export async function completeTrack(db: pg.PoolClient, trackId: number, t: Omit<NewTrack, 'uploadId'>, cleaning: CleaningOptions): Promise<void> {
  const span = keptTimeSpan(t.segments);
  await db.query(
    `UPDATE track SET area_id = $2, other_area_id = $3, name = $4, description = $5, kind = $6, reading_count = $7,
       started_at = $8, ended_at = $9, geom = ST_GeomFromEWKB($10)
     WHERE id = $1`,
    [trackId, t.areaId, t.otherAreaId, t.name, t.description, t.kind, span.kept, span.start, span.end, keptLineEwkb(t.segments)],
  );
  const written = fixVerdicts(cleaning);
  let seqs: number[] = [];
  let reasons: (string | null)[] = [];
  const amend = async () => {
    await db.query(
      `UPDATE reading r SET kept = d.reason IS NULL, drop_reason = d.reason
       FROM unnest($2::int[], $3::text[]) AS d(seq, reason)
       WHERE r.track_id = $1 AND r.seq = d.seq`,
      [trackId, seqs, reasons],
    );
    seqs = [];
    reasons = [];
  };
  for (const { readings, verdicts } of t.segments) {
    for (let i = 0; i < verdicts.length; i++) {
      if (verdicts[i] === written(readings, i)) continue;
      seqs.push(readings instanceof ReadingColumns ? readings.seq(i) : readings[i].seq);
      reasons.push(dropReasonOf(verdicts[i]) ?? null);
      if (seqs.length === READING_CHUNK) await amend();
    }
  }
  if (seqs.length > 0) await amend();
}

// Parallel arrays through unnest: one round trip per chunk instead of per row.
const READING_CHUNK = 20_000;

/** Insert the readings as parameter arrays, a chunk at a time; works on every database Tessera runs on. */
async function unnestReadings(db: pg.PoolClient, uploadId: string, trackId: number, segments: readonly CleanedSegment[]): Promise<void> {
  for (const chunk of readingChunks(segments, READING_CHUNK)) {
    await db.query(
      `INSERT INTO reading (upload_id, track_id, seq, taken_at, geom, elevation, hdop, vdop, pdop, satellites, fix, extensions, kept, drop_reason)
       SELECT $1, $2, r.seq, r.taken_at, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326), r.ele, r.hdop, r.vdop, r.pdop, r.sat, r.fix,
              r.ext, r.kept, r.reason
       FROM unnest($3::int[], $4::timestamptz[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[],
                   $11::int[], $12::text[], $13::jsonb[], $14::bool[], $15::text[])
            AS r(seq, taken_at, lon, lat, ele, hdop, vdop, pdop, sat, fix, ext, kept, reason)`,
      [
        uploadId, trackId,
        chunk.map((r) => r.seq), chunk.map((r) => r.time ?? null), chunk.map((r) => r.lon), chunk.map((r) => r.lat),
        chunk.map((r) => r.ele ?? null), chunk.map((r) => r.hdop ?? null), chunk.map((r) => r.vdop ?? null), chunk.map((r) => r.pdop ?? null),
        chunk.map((r) => (r.sat === undefined ? null : Math.round(r.sat))), chunk.map((r) => r.fix ?? null),
        chunk.map((r) => (r.extensions ? JSON.stringify(r.extensions) : null)),
        chunk.map((r) => r.kept), chunk.map((r) => r.dropReason ?? null),
      ],
    );
  }
}

/** The readings of the segments as objects with their verdicts, `size` at a time. */
function* readingChunks(segments: readonly CleanedSegment[], size: number) {
  let chunk = [];
  for (const { readings, verdicts } of segments) {
    for (let i = 0; i < readings.length; i++) {
      chunk.push({ ...readingAt(readings, i), kept: verdicts[i] === KEPT, dropReason: dropReasonOf(verdicts[i]) });
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * The track's line as EWKB (little-endian LineString, SRID 4326): its kept readings in `seq`
 * order, as `ST_MakeLine(geom ORDER BY seq)` over the stored readings would draw it; null when
 * fewer than two readings are kept, which leaves the track without a line.
 */
export function keptLineEwkb(segments: readonly CleanedSegment[]): Buffer | null {
  let kept = 0;
  for (const { verdicts } of segments) for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === KEPT) kept++;
  if (kept < 2) return null;
  // The EWKB is built in place: its 13-byte header starts at byte 3 of the buffer, so the
  // points start at byte 16 and are written as doubles rather than byte by byte.
  const bytes = new ArrayBuffer(16 + 16 * kept);
  const xy = new Float64Array(bytes, 16);
  let k = 0;
  let lastSeq = -Infinity;
  let ordered = true;
  for (const { readings, verdicts } of segments) {
    const columns = readings instanceof ReadingColumns ? readings : null;
    for (let i = 0; i < verdicts.length; i++) {
      if (verdicts[i] !== KEPT) continue;
      const r = columns === null ? readingAt(readings, i) : null;
      const seq = r === null ? columns!.seq(i) : r.seq;
      xy[2 * k] = r === null ? columns!.lon(i) : r.lon;
      xy[2 * k + 1] = r === null ? columns!.lat(i) : r.lat;
      if (seq < lastSeq) ordered = false;
      lastSeq = seq;
      k++;
    }
  }
  // Parsers hand readings over in file order, so this is one pass; sorting is only for a file whose seq says otherwise.
  if (!ordered) xy.set(inSeqOrder(segments, xy));
  const ewkb = Buffer.from(bytes, 3);
  ewkb.writeUInt8(1, 0);
  ewkb.writeUInt32LE(0x20000002, 1);
  ewkb.writeUInt32LE(4326, 5);
  ewkb.writeUInt32LE(kept, 9);
  if (!LITTLE_ENDIAN) ewkb.subarray(13).swap64();
  return ewkb;
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The x, y pairs of the kept readings reordered by ascending seq (stable, so equal seqs keep their order). */
function inSeqOrder(segments: readonly CleanedSegment[], xy: Float64Array): Float64Array {
  const seq: number[] = [];
  for (const { readings, verdicts } of segments) {
    for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === KEPT) seq.push(readingAt(readings, i).seq);
  }
  const order = Array.from(seq.keys()).sort((a, b) => seq[a] - seq[b] || a - b);
  const out = new Float64Array(xy.length);
  order.forEach((from, to) => {
    out[2 * to] = xy[2 * from];
    out[2 * to + 1] = xy[2 * from + 1];
  });
  return out;
}

export async function insertMarkers(db: pg.PoolClient, uploadId: string, areaId: number | null, waypoints: ParsedWaypoint[]): Promise<void> {
  if (waypoints.length === 0) return;
  await db.query(
    `INSERT INTO marker (upload_id, area_id, name, description, symbol, geom, elevation, taken_at)
     SELECT $1, $2, w.name, w.descr, w.sym, ST_SetSRID(ST_MakePoint(w.lon, w.lat), 4326), w.ele, w.taken_at
     FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::timestamptz[])
          AS w(name, descr, sym, lon, lat, ele, taken_at)`,
    [
      uploadId, areaId,
      waypoints.map((w) => w.name ?? null), waypoints.map((w) => w.desc ?? null), waypoints.map((w) => w.sym ?? null),
      waypoints.map((w) => w.lon), waypoints.map((w) => w.lat), waypoints.map((w) => w.ele ?? null), waypoints.map((w) => w.time ?? null),
    ],
  );
}

/** Area ids by code, for matching track names like `SK-01-01-001|SK-01-01-002`. */
export async function areaIdsByCode(db: Queryable, codes: string[]): Promise<Map<string, number>> {
  if (codes.length === 0) return new Map();
  const { rows } = await db.query<{ code: string; id: number }>('SELECT code, id FROM area WHERE code = ANY($1)', [codes]);
  return new Map(rows.map((r) => [r.code, r.id]));
}

/** Where each area is, to check that tracks were walked near the area they are assigned to: its centre, else a point on its polygon. */
export async function areaPlaces(db: Queryable, ids: number[]): Promise<Map<number, { code: string; name: string; lon: number; lat: number }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: number; code: string; name: string; lon: number | null; lat: number | null }>(
    `SELECT id, code, name, ST_X(p) AS lon, ST_Y(p) AS lat
     FROM (SELECT id, code, name, coalesce(centre, ST_PointOnSurface(geom)) AS p FROM area WHERE id = ANY($1)) a`,
    [ids],
  );
  return new Map(rows.filter((r) => r.lon !== null && r.lat !== null).map((r) => [Number(r.id), { code: r.code, name: r.name, lon: r.lon!, lat: r.lat! }]));
}

/** Tracks of an area (walked around it or along one of its boundaries) as GeoJSON. */
export async function tracksCollection(db: Queryable, areaId: number | null): Promise<string> {
  const { rows } = await db.query<{ fc: string }>(
    `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', t.id, 'geometry', ST_AsGeoJSON(t.geom, 7)::json,
        'properties', json_build_object('id', t.id, 'name', t.name, 'kind', t.kind, 'upload_id', t.upload_id,
          'area_code', a.code, 'other_area_code', o.code, 'reading_count', t.reading_count,
          'started_at', t.started_at, 'ended_at', t.ended_at)) ORDER BY t.id), '[]'::json))::text AS fc
     FROM track t LEFT JOIN area a ON a.id = t.area_id LEFT JOIN area o ON o.id = t.other_area_id
     WHERE t.geom IS NOT NULL AND ($1::bigint IS NULL OR t.area_id = $1 OR t.other_area_id = $1)`,
    [areaId],
  );
  return rows[0].fc;
}
