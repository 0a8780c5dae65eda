import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Queryable } from '../db/database.js';
import { multiPolygonEwkb, pointEwkbHex } from './geometry.js';
import { STAGING_COLUMNS, type EncodedChunk } from './staging.js';

/** The bounding box of an area, to check proposals of a CRS against the target district. */
export async function areaBbox(db: Queryable, key: string): Promise<[number, number, number, number] | null> {
  const { rows } = await db.query<{ b: [number, number, number, number] | null }>(
    `SELECT CASE WHEN geom IS NULL THEN NULL ELSE json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) END AS b
     FROM area WHERE code = $1`,
    [key],
  );
  return rows[0]?.b ?? null;
}

/**
 * PostGIS's verdict on polygons the JS preflight could not prove valid (holes, several parts,
 * touching or doubtful rings): the reason for each invalid one, by record. Read-only; used by
 * the dry run.
 */
export async function invalidReasons(db: Queryable, records: number[], ewkbHex: string[]): Promise<{ record: number; reason: string }[]> {
  if (records.length === 0) return [];
  const { rows } = await db.query<{ record: number; reason: string }>(
    `SELECT r.record, ST_IsValidReason(g) AS reason
     FROM unnest($1::int[], $2::text[]) AS r(record, wkb), LATERAL (SELECT r.wkb::geometry AS g) x
     WHERE NOT ST_IsValid(g) ORDER BY r.record`,
    [records, ewkbHex],
  );
  return rows;
}

export async function insertUpload(
  db: pg.PoolClient,
  u: { filename: string; sha256: string; size: number; kind: string; crs: string; encoding: string | null; actor: string | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO upload (filename, sha256, size_bytes, kind, crs, encoding, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [u.filename, u.sha256, u.size, u.kind, u.crs, u.encoding, u.actor],
  );
  return rows[0].id;
}

export async function saveReport(db: pg.PoolClient, uploadId: string, report: object): Promise<void> {
  await db.query('UPDATE upload SET report = $2 WHERE id = $1', [uploadId, JSON.stringify(report)]);
}

/**
 * A private table for one import's features, dropped at commit. Features arrive here in
 * chunks (COPY on a server), are checked and repaired here, and move to `area` in one
 * statement per chunk. The session's work_mem is raised for the transaction so that a chunk's
 * rows, which the version snapshot and the parent check each hold once, stay in memory
 * instead of spilling to temporary files.
 */
export async function createStaging(db: pg.PoolClient): Promise<void> {
  await db.query(`SET LOCAL work_mem = '64MB'`);
  // Compiling each chunk's statement with LLVM costs more than it saves on 5,000 rows.
  await db.query('SET LOCAL jit = off');
  await db.query(
    `CREATE TEMP TABLE dataset_staging (
       record int NOT NULL, code text NOT NULL, name text NOT NULL, name_local text, parent_code text, status text,
       population int, households int, area_m2 float8, perimeter_m float8, checked bool NOT NULL, centre geometry, geom geometry
     ) ON COMMIT DROP`,
  );
}

/** Write an encoded chunk into the staging table. */
export async function stageChunk(db: pg.PoolClient, chunk: EncodedChunk): Promise<void> {
  if (chunk.size === 0) return;
  if (chunk.copy) {
    const bytes = Buffer.from(chunk.copy.buffer, 0, chunk.copy.length);
    const copy = db.query(copyFrom(`COPY dataset_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`));
    // Pieces of 1 MB: the socket takes them without one large write holding the event loop.
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1 << 20) parts.push(bytes.subarray(i, Math.min(bytes.length, i + (1 << 20))));
    await pipeline(Readable.from(parts), copy);
    return;
  }
  const rows = chunk.rows ?? [];
  await db.query(
    // Geometry arrays are sent as text: PostGIS's geometry type separates array elements with ':'.
    `INSERT INTO dataset_staging (${STAGING_COLUMNS.join(', ')})
     SELECT r, c, n, nl, pc, st, pop, hh, a, p, ok, centre::geometry, geom::geometry
     FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[],
                 $9::float8[], $10::float8[], $11::bool[], $12::text[], $13::text[]) AS t(r, c, n, nl, pc, st, pop, hh, a, p, ok, centre, geom)`,
    [
      rows.map((r) => r.record), rows.map((r) => r.code), rows.map((r) => r.name), rows.map((r) => r.name_local),
      rows.map((r) => r.parent_code), rows.map((r) => r.status), rows.map((r) => r.population), rows.map((r) => r.households),
      rows.map((r) => r.area_m2), rows.map((r) => r.perimeter_m), rows.map((r) => r.checked),
      rows.map((r) => (r.centre ? pointEwkbHex(r.centre[0], r.centre[1]) : null)), rows.map((r) => multiPolygonEwkb(r.polygons).toString('hex')),
    ],
  );
}

export interface StagedRepair {
  record: number;
  code: string;
  reason: string;
  /** Null when nothing polygonal is left: the feature is skipped. */
  area_change_pct: number | null;
}

/**
 * Check the staged polygons the preflight could not prove valid, and repair the invalid ones
 * the way that keeps their meaning: rings unioned as shells minus holes ('structure'),
 * polygons only, measured again on the spheroid. Features with nothing polygonal left are
 * removed. Only unproven rows are looked at, so a layer of simple rings costs nothing here.
 */
export async function repairStaged(db: pg.PoolClient): Promise<StagedRepair[]> {
  const { rows } = await db.query<{ record: number; code: string; reason: string; before: number; after: number | null }>(
    `WITH doubtful AS MATERIALIZED (
       SELECT record, geom FROM dataset_staging WHERE NOT checked
     ), bad AS (
       SELECT record, geom AS g, ST_IsValidReason(geom) AS reason FROM doubtful WHERE NOT ST_IsValid(geom)
     ), fixed AS (
       SELECT record, reason, g, ST_Multi(ST_CollectionExtract(ST_MakeValid(g, 'method=structure'), 3)) AS f FROM bad
     )
     UPDATE dataset_staging s
     SET geom = CASE WHEN ST_IsEmpty(fixed.f) THEN NULL ELSE fixed.f END, centre = NULL,
         area_m2 = ST_Area(fixed.f::geography), perimeter_m = ST_Perimeter(fixed.f::geography), checked = true
     FROM fixed WHERE s.record = fixed.record
     RETURNING s.record, s.code, fixed.reason, abs(ST_Area(fixed.g::geography, false)) AS before,
               CASE WHEN s.geom IS NULL THEN NULL ELSE s.area_m2 END AS after`,
  );
  if (rows.some((r) => r.after === null || r.after === 0)) await db.query('DELETE FROM dataset_staging WHERE geom IS NULL OR ST_IsEmpty(geom)');
  return rows
    .sort((a, b) => a.record - b.record)
    .map((r) => ({
      record: r.record, code: r.code, reason: r.reason,
      area_change_pct: r.after === null || r.after === 0 ? null : r.before > 0 ? Math.round(((r.after - r.before) / r.before) * 10000) / 100 : 0,
    }));
}

/**
 * Move the staged features into `area` (new codes inserted, existing codes updated as a new
 * version) and record a version row for each, in one statement: the version rows are written
 * from what the insert returns, so no area is read back. Parents come from the mapped code,
 * the `parent` given, or spatial containment of a point on the surface.
 */
export async function writeStaged(
  db: pg.PoolClient,
  opts: { level: string; parentByContainment: boolean; statusMapped: boolean; actor: string | null; inputs: object; reason: string },
): Promise<{ created: number; updated: number }> {
  const { rows } = await db.query<{ created: number; updated: number }>(
    `WITH parent AS (
       -- Looked up once per distinct code through the unique index: a hash join would read the
       -- whole area table for every chunk.
       SELECT d.parent_code, (SELECT id FROM area WHERE code = d.parent_code) AS id
       FROM (SELECT DISTINCT parent_code FROM dataset_staging WHERE parent_code IS NOT NULL) d
     ), placed AS (
       SELECT s.code, s.name, s.name_local, s.status, s.population, s.households, s.area_m2, s.perimeter_m, s.geom,
              coalesce(s.centre, ST_PointOnSurface(s.geom)) AS centre, coalesce(p.id, c.id) AS parent_id
       FROM dataset_staging s
       LEFT JOIN parent p ON p.parent_code = s.parent_code
       LEFT JOIN LATERAL (
         SELECT a.id FROM area a JOIN admin_level l ON l.key = a.level
         WHERE l.rank = (SELECT rank - 1 FROM admin_level WHERE key = $1)
           AND a.geom && ST_PointOnSurface(s.geom) AND ST_Contains(a.geom, ST_PointOnSurface(s.geom))
         LIMIT 1) c ON $2
     ), written AS (
       INSERT INTO area AS a (level, code, name, name_local, parent_id, status, geom, centre, area_m2, perimeter_m, population, households, method)
       SELECT $1, code, name, name_local, parent_id, coalesce(status, 'surveyed'), geom, centre, area_m2, perimeter_m, population, households, 'imported'
       FROM placed
       ON CONFLICT (code) DO UPDATE SET
         name = EXCLUDED.name, name_local = coalesce(EXCLUDED.name_local, a.name_local),
         parent_id = coalesce(EXCLUDED.parent_id, a.parent_id),
         status = CASE WHEN $3 THEN EXCLUDED.status ELSE a.status END,
         geom = EXCLUDED.geom, centre = EXCLUDED.centre, area_m2 = EXCLUDED.area_m2, perimeter_m = EXCLUDED.perimeter_m,
         population = coalesce(EXCLUDED.population, a.population), households = coalesce(EXCLUDED.households, a.households),
         method = 'imported', version = a.version + 1, updated_at = now()
       RETURNING a.id, a.version, a.status, a.name, a.name_local, a.geom, a.centre, a.area_m2, a.perimeter_m,
                 a.population, a.households, a.attributes, a.method, (a.xmax = 0) AS inserted
     ), versions AS (
       INSERT INTO area_version (area_id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
                                 population, households, attributes, method, inputs, reason, changed_by)
       SELECT id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
              population, households, attributes, method, $4, $5, $6
       FROM written
     )
     SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`,
    [opts.level, opts.parentByContainment, opts.statusMapped, JSON.stringify(opts.inputs), opts.reason, opts.actor],
  );
  await db.query('TRUNCATE dataset_staging');
  return rows[0];
}
