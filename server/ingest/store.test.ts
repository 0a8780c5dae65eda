import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test/helpers/app.js';
import type pg from 'pg';
import { copyText, readingCopyRow } from './bulk.js';
import { KEPT, verdictOf, type CleanedReading, type CleanedSegment } from './clean.js';
import { ReadingColumns, type Reading } from './readings.js';
import { completeTrack, insertTrack, insertUpload, keptLineEwkb, StreamedReadings } from './store.js';

const db = testDatabase();
/** The two ways readings reach the table: streamed by COPY (PostgreSQL servers) or by insertTrack (embedded). */
type StoreWay = 'streamed' | 'unnest';
const WAYS: StoreWay[] = db.kind === 'server' ? ['streamed', 'unnest'] : ['unnest'];
/** The way ingest uses on this test run's database. */
const INGEST_WAY: StoreWay = db.kind === 'server' ? 'streamed' : 'unnest';
afterAll(() => db.close());

/** Readings that have broken naive COPY writers: every character COPY's text format gives a meaning to, and more. */
const AWKWARD: CleanedReading[] = [
  { seq: 0, lon: 106.7000001, lat: 15.3500001, ele: 180.1, time: '2024-01-31T01:00:00.000Z', hdop: 0.1 + 0.2, sat: 7, kept: true,
    fix: '3d', extensions: { hr: 92, note: 'tab\there, "quoted", back\\slash', 'key\nwith newline': 'cr\rlf' } },
  { seq: 1, lon: -0.000001, lat: 1e-7, kept: false, dropReason: 'null_island' },
  { seq: 2, lon: 106.7000105, lat: 15.3500107, ele: -12.5, time: '2024-01-31T01:00:01.250Z', vdop: 1.5, pdop: 2.25, sat: 7.6, kept: true,
    fix: 'dgps\\N', extensions: { village: 'ບ້ານ ຫ້ວຍໄຊ', emoji: '🛰️', empty: '\\N' } },
  { seq: 3, lon: 106.79, lat: 15.41, time: '2024-01-31T01:00:02.000Z', hdop: 9, kept: false, dropReason: 'high_hdop', fix: 'tab\tfix' },
  { seq: 4, lon: 106.7000213, lat: 15.3500219, time: '2024-01-31T01:00:03.000Z', kept: true, extensions: { n: 1.5e-9 } },
];

interface StoredRow {
  seq: number;
  taken_at: string | null;
  /** The time to the microsecond, which taken_at's text (milliseconds) would not show. */
  taken_us: string | null;
  lon: number;
  lat: number;
  srid: number;
  elevation: number | null;
  hdop: number | null;
  vdop: number | null;
  pdop: number | null;
  satellites: number | null;
  fix: string | null;
  extensions: unknown;
  kept: boolean;
  drop_reason: string | null;
}

/** What each reading should read back as: the values it went in with, to the last bit, satellites rounded. */
function expectedRows(readings: CleanedReading[]): StoredRow[] {
  return readings.map((r) => ({
    seq: r.seq,
    taken_at: r.time ?? null,
    taken_us: r.time === undefined ? null : String(BigInt(Date.parse(r.time)) * 1000n),
    lon: r.lon,
    lat: r.lat,
    srid: 4326,
    elevation: r.ele ?? null,
    hdop: r.hdop ?? null,
    vdop: r.vdop ?? null,
    pdop: r.pdop ?? null,
    satellites: r.sat === undefined ? null : Math.round(r.sat),
    fix: r.fix ?? null,
    extensions: r.extensions ?? null,
    kept: r.kept,
    drop_reason: r.dropReason ?? null,
  }));
}

/** Cleaned readings as ingest holds them: the readings as read (objects or columns) and a verdict each. */
function asSegment(cleaned: CleanedReading[], form: 'objects' | 'columns'): CleanedSegment {
  const readings: Reading[] = cleaned.map(({ kept: _kept, dropReason: _reason, ...r }) => r);
  return {
    readings: form === 'columns' ? ReadingColumns.from(readings) : readings,
    verdicts: Uint8Array.from(cleaned, (r) => (r.kept ? KEPT : verdictOf(r.dropReason))),
  };
}

/** Run `work` on one connection inside a transaction that is rolled back afterwards, leaving the database as it was. */
async function inRolledBackTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client: pg.PoolClient = await db.pool.connect();
  try {
    await client.query('BEGIN');
    return await work(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/** An upload row named after the test, for the tests that write readings by hand. */
const testUpload = (client: pg.PoolClient, name: string) =>
  insertUpload(client, { filename: `${name}.gpx`, sha256: `store-test-${name}`, size: 1, kind: 'gpx', crs: null, areaId: null, actor: 'test' });

/** A bare track of these readings, stored as ingest on the embedded database does. */
const testTrack = (client: pg.PoolClient, uploadId: string, segment: CleanedSegment) =>
  insertTrack(client, { uploadId, areaId: null, otherAreaId: null, name: null, description: null, kind: 'line', segments: [segment] });

/**
 * Store the readings as one track the given way (streamed while read, then completed, as ingest
 * on a server does; or with insertTrack), read everything back, and leave the database as it was.
 */
async function storeAndReadBack(writer: StoreWay, readings: CleanedReading[], form: 'objects' | 'columns' = 'objects') {
  return inRolledBackTransaction(async (client) => {
    const upload = { filename: 'awkward.gpx', sha256: `store-test-${writer}`, size: 1, areaId: null, actor: 'test' };
    const segment = asSegment(readings, form);
    const newTrack = { areaId: null, otherAreaId: null, name: 'awkward', description: null, kind: 'line' as const, segments: [segment] };
    let trackId: number;
    if (writer === 'streamed') {
      const parsedTrack = { kind: 'track' as const, segments: [segment.readings] };
      const sink = new StreamedReadings(client, upload, {});
      const { trackIds } = await sink.finish({ format: 'gpx', tracks: [parsedTrack], waypoints: [], pointCount: readings.length, warnings: [] });
      trackId = trackIds.get(parsedTrack)!;
      await completeTrack(client, trackId, newTrack, {});
    } else {
      const uploadId = await insertUpload(client, { ...upload, kind: 'gpx', crs: 'EPSG:4326' });
      trackId = await insertTrack(client, { uploadId, ...newTrack });
    }
    const rows = await client.query<StoredRow>(
      `SELECT seq, to_char(taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS taken_at,
              (extract(epoch FROM taken_at) * 1000000)::bigint::text AS taken_us,
              ST_X(geom) AS lon, ST_Y(geom) AS lat, ST_SRID(geom) AS srid, elevation, hdop, vdop, pdop, satellites, fix, extensions, kept, drop_reason
       FROM reading WHERE track_id = $1 ORDER BY seq`,
      [trackId],
    );
    const track = await client.query<{ line: string | null; reading_count: number; started_at: string | null; ended_at: string | null }>(
      `SELECT ST_AsText(geom, 15) AS line, reading_count,
              to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
              to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ended_at
       FROM track WHERE id = $1`,
      [trackId],
    );
    return { readings: rows.rows, track: track.rows[0] };
  });
}

describe('COPY text encoding of readings', () => {
  it('escapes backslash, tab, newline and carriage return, and writes absent values as \\N', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText('ບ້ານ "x"')).toBe('ບ້ານ "x"');
    expect(copyText(null)).toBe('\\N');
    expect(copyText('\\N')).toBe('\\\\N');
  });

  it('puts one reading on one line, fourteen columns, whatever its text holds', () => {
    const row = readingCopyRow('u', 1, { ...AWKWARD[0], fix: 'line\nbreak\tand tab\r' }, 'ewkb');
    expect(row.endsWith('\n')).toBe(true);
    expect(row.slice(0, -1)).not.toMatch(/[\n\r]/);
    expect(row.split('\t')).toHaveLength(14);
    expect(row.split('\t')[4]).toBe('0101000020e6100000' + hexDouble(106.7000001) + hexDouble(15.3500001));
  });
});

function hexDouble(v: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.toString('hex');
}

describe('insertTrack', () => {
  for (const writer of WAYS) {
    it(`stores every value exactly ${writer}, and draws the line from kept readings only`, async () => {
      const stored = await storeAndReadBack(writer, AWKWARD);
      expect(stored.readings).toEqual(expectedRows(AWKWARD));
      expect(stored.track).toEqual({
        line: 'LINESTRING(106.7000001 15.3500001,106.7000105 15.3500107,106.7000213 15.3500219)',
        reading_count: 3,
        started_at: '2024-01-31T01:00:00.000Z',
        ended_at: '2024-01-31T01:00:03.000Z',
      });
    });
  }

  /**
   * Binary COPY next to text: -0 (text writes `0`), times far enough from 2000 that their
   * microseconds pass 2^53, a time not in canonical form and one PostgreSQL reads as text only,
   * satellites to round; verdicts the per-fix checks would not give, amended afterwards.
   */
  const BINARY_AWKWARD: CleanedReading[] = [
    ...AWKWARD,
    { seq: 5, lon: 106.70003, lat: 15.35003, ele: -0, hdop: -0, time: '1500-06-01T12:00:00.123Z', sat: -0.4, kept: true },
    { seq: 6, lon: 106.70004, lat: 15.35004, time: '9999-12-31T23:59:59.999Z', kept: false, dropReason: 'speed_spike' },
    { seq: 7, lon: 106.70005, lat: 15.35005, time: '2024-01-31T01:00:04.5Z', kept: true, fix: '3d' },
    { seq: 8, lon: 106.70006, lat: 15.35006, time: '0001-01-01T00:00:00.000Z', kept: false, dropReason: 'duplicate' },
  ];

  it.runIf(db.kind === 'server')('stores the same rows streamed (binary COPY where it can, then amended) as through unnest', async () => {
    for (const form of ['objects', 'columns'] as const) {
      const streamed = await storeAndReadBack('streamed', AWKWARD, form);
      expect(streamed).toEqual(await storeAndReadBack('unnest', AWKWARD));
      // All in binary but for the piece with the non-canonical time, which goes as text.
      const all = await storeAndReadBack('streamed', BINARY_AWKWARD, form);
      expect(all).toEqual(await storeAndReadBack('unnest', BINARY_AWKWARD));
      const binaryOnly = BINARY_AWKWARD.filter((r) => r.seq !== 7);
      expect(await storeAndReadBack('streamed', binaryOnly, form)).toEqual(await storeAndReadBack('unnest', binaryOnly));
    }
  });

  for (const writer of WAYS) {
    it(`stores the same rows from readings held as columns as from objects, ${writer}`, async () => {
      const fromColumns = await storeAndReadBack(writer, AWKWARD, 'columns');
      expect(fromColumns.readings).toEqual(expectedRows(AWKWARD));
      expect(fromColumns).toEqual(await storeAndReadBack(writer, AWKWARD, 'objects'));
    });
  }

  it('draws the line in seq order across segments, whatever order the readings came in', () => {
    const p = (seq: number, lon: number): CleanedReading => ({ seq, lon, lat: 15, kept: true });
    const segments = [asSegment([p(2, 102), p(0, 100)], 'objects'), asSegment([p(1, 101), { ...p(3, 103), kept: false, dropReason: 'duplicate' }], 'columns')];
    const line = keptLineEwkb(segments)!;
    expect(line.readUInt32LE(9)).toBe(3);
    expect([0, 1, 2].map((k) => line.readDoubleLE(13 + 16 * k))).toEqual([100, 101, 102]);
    expect(keptLineEwkb([asSegment([p(0, 100)], 'columns')])).toBeNull();
  });

  it('leaves a track with fewer than two kept readings without a line', async () => {
    const stored = await storeAndReadBack(INGEST_WAY, AWKWARD.slice(0, 2));
    expect(stored.track.line).toBeNull();
    expect(stored.track.reading_count).toBe(1);
    expect(stored.readings.map((r) => r.kept)).toEqual([true, false]);
  });
});

describe('reading to track integrity (checked per statement, migration 008)', () => {
  it('refuses readings of a track that does not exist, as the foreign key did', () => inRolledBackTransaction(async (client) => {
    const uploadId = await testUpload(client, 'orphan');
    const failure = await client.query(
      `INSERT INTO reading (upload_id, track_id, seq, geom, kept) VALUES ($1, -1, 0, ST_SetSRID(ST_MakePoint(106.7, 15.35), 4326), true)`,
      [uploadId],
    ).then(() => null, (e: { code?: string }) => e);
    expect(failure).toMatchObject({ code: '23503' });
  }));

  it('keys a reading by its track and seq (migration 011): the same place twice is refused', () => inRolledBackTransaction(async (client) => {
    const uploadId = await testUpload(client, 'twice');
    const trackId = await testTrack(client, uploadId, asSegment(AWKWARD, 'objects'));
    const failure = await client.query(
      `INSERT INTO reading (upload_id, track_id, seq, geom, kept) VALUES ($1, $2, 3, ST_SetSRID(ST_MakePoint(106.7, 15.35), 4326), true)`,
      [uploadId, trackId],
    ).then(() => null, (e: { code?: string; constraint?: string }) => e);
    expect(failure).toMatchObject({ code: '23505', constraint: 'reading_pkey' });
  }));

  it('deletes the readings of a deleted upload through its tracks', () => inRolledBackTransaction(async (client) => {
    const uploadId = await testUpload(client, 'gone');
    const trackId = await testTrack(client, uploadId, asSegment(AWKWARD, 'columns'));
    const count = async () => (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM reading WHERE track_id = $1', [trackId])).rows[0].n;
    expect(await count()).toBe(AWKWARD.length);
    await client.query('DELETE FROM upload WHERE id = $1', [uploadId]);
    expect(await count()).toBe(0);
  }));
});

describe('statement-level cascades (migration 012)', () => {
  /**
   * A DELETE that joins a transition table (`USING removed`) keeps a whole-row copy of the joined
   * row per row deleted, detoasted: with a million readings and their track's 16 MB line, deleting
   * one upload ran for minutes when PostgreSQL put the transition table on the inner side of a
   * nested loop. That plan depends on table statistics, so the rule is checked on the functions.
   */
  it('no trigger function deletes through a join with its transition table', async () => {
    const { rows } = await db.pool.query<{ proname: string }>(
      `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype
         AND p.prosrc ~* 'DELETE\\s+FROM\\s+[^;]*\\sUSING\\s+(removed|written)\\y'`,
    );
    expect(rows.map((r) => r.proname)).toEqual([]);
    const { rows: defined } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_proc WHERE proname IN ('track_delete_readings', 'area_removed') AND prosrc ~ 'ANY \\(ARRAY\\(SELECT id FROM removed\\)\\)'");
    expect(defined[0].n).toBe(2);
  });
});

describe('track lines (stored EXTERNAL since migration 008)', () => {
  /**
   * A walk's line is doubles that pglz cannot shrink, and trying cost a third of a second per
   * million fixes inside the upload. This line would compress (it goes back and forth over the
   * same few points), so storing it at its full size shows that no compression was tried.
   */
  it('stores a long line out of line without trying to compress it', () => inRolledBackTransaction(async (client) => {
    const readings: CleanedReading[] = Array.from({ length: 5000 }, (_, i) => ({ seq: i, lon: 106.7 + (i % 4) * 1e-4, lat: 15.35 + (i % 2) * 1e-4, kept: true }));
    const trackId = await testTrack(client, await testUpload(client, 'long-line'), asSegment(readings, 'columns'));
    const { rows } = await client.query<{ stored: number; raw: number; points: number }>(
      'SELECT pg_column_size(geom) AS stored, ST_MemSize(geom) AS raw, ST_NPoints(geom) AS points FROM track WHERE id = $1', [trackId]);
    expect(rows[0].points).toBe(5000);
    expect(rows[0].raw).toBeGreaterThan(5000 * 16);
    // pg_column_size counts the value without the 4-byte length word ST_MemSize includes.
    expect(rows[0].stored).toBe(rows[0].raw - 4);
  }));
});
