import type { Feature, MultiPolygon, Point } from 'geojson';
import type pg from 'pg';
import type { Queryable } from '../db/database.js';
import { UserError } from '../errors.js';
import type { LevelName } from './levels.js';

export const STATUSES = ['planned', 'provisional', 'surveyed', 'disputed', 'agreed', 'approved'] as const;
export type AreaStatus = (typeof STATUSES)[number];

export interface Level {
  key: string;
  rank: number;
  label: string;
  label_local: string | null;
}

export interface Area {
  id: number;
  code: string;
  name: string;
  name_local: string | null;
  level: string;
  parent_id: number | null;
  parent_code: string | null;
  status: AreaStatus;
  version: number;
  area_m2: number | null;
  perimeter_m: number | null;
  population: number | null;
  households: number | null;
  centre: Point | null;
  bbox: [number, number, number, number] | null;
  method: string | null;
  attributes: Record<string, unknown>;
  updated_at: string;
}

export interface AreaVersion {
  version: number;
  status: string;
  name: string;
  name_local: string | null;
  method: string | null;
  reason: string | null;
  inputs: Record<string, unknown>;
  changed_by: string | null;
  changed_at: string;
  area_m2: number | null;
  perimeter_m: number | null;
}

// The one projection of an area row the API serves; geometry itself is only sent on request.
const AREA_COLUMNS = `
  a.id, a.code, a.name, a.name_local, a.level, a.parent_id, p.code AS parent_code, a.status, a.version,
  a.area_m2, a.perimeter_m, a.population, a.households,
  ST_AsGeoJSON(a.centre, 7)::json AS centre,
  CASE WHEN a.geom IS NULL THEN NULL
       ELSE json_build_array(ST_XMin(a.geom), ST_YMin(a.geom), ST_XMax(a.geom), ST_YMax(a.geom)) END AS bbox,
  a.method, a.attributes, to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at`;

const AREA_FROM = 'area a LEFT JOIN area p ON p.id = a.parent_id';

// `:id` in the API is a code or a numeric id; a code wins, because codes may be digits too.
const BY_KEY = `(a.code = $1 OR a.id = $2) ORDER BY (a.code = $1) DESC LIMIT 1`;

function keyParams(key: string | number): [string, number | null] {
  const s = String(key);
  return [s, /^\d{1,15}$/.test(s) ? Number(s) : null];
}

export async function listLevels(db: Queryable): Promise<Level[]> {
  const { rows } = await db.query<Level>('SELECT key, rank, label, label_local FROM admin_level ORDER BY rank');
  return rows;
}

/**
 * Give the levels these names, from the top; returns how many changed. The keys stay as they
 * are. Refuses (changing nothing) a list that does not name every level once.
 */
export async function nameLevels(db: Queryable, names: readonly LevelName[]): Promise<number> {
  const levels = await listLevels(db);
  if (names.length !== levels.length) {
    throw new Error(`${names.length} level names were given for ${levels.length} levels (${levels.map((l) => l.key).join(', ')})`);
  }
  const { rowCount } = await db.query(
    `UPDATE admin_level l SET label = n.label, label_local = n.label_local
     FROM unnest($1::text[], $2::text[], $3::text[]) AS n(key, label, label_local)
     WHERE l.key = n.key AND (l.label, l.label_local) IS DISTINCT FROM (n.label, n.label_local)`,
    [levels.map((l) => l.key), names.map((n) => n.label), names.map((n) => n.label_local)],
  );
  return rowCount ?? 0;
}

export interface AreaFilter {
  level?: string;
  parent?: string;
  q?: string;
  status?: string;
  limit?: number;
}

/** Areas matching a filter; `q` matches romanised and local names and codes, ignoring case. */
export async function listAreas(db: Queryable, f: AreaFilter): Promise<Area[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('$?', `$${params.length}`));
  };
  if (f.level) add('a.level = $?', f.level);
  if (f.status) add('a.status = $?', f.status);
  if (f.parent) {
    const parent = await getArea(db, f.parent);
    if (!parent) throw new UserError('NOT_FOUND', `No area '${f.parent}' to list the children of.`);
    add('a.parent_id = $?', parent.id);
  }
  if (f.q) {
    add(`(a.code ILIKE $? OR a.name ILIKE $? OR a.name_local ILIKE $?
          OR regexp_replace(lower(a.name), '^(ban|b\\.)\\s*', '') LIKE lower($?))`, `%${f.q.replace(/[%_\\]/g, '\\$&')}%`);
  }
  params.push(f.limit ?? 1000);
  const sql = `SELECT ${AREA_COLUMNS} FROM ${AREA_FROM}
    ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
    ORDER BY a.level, a.code LIMIT $${params.length}`;
  const { rows } = await db.query<Area>(sql, params);
  return rows;
}

export async function getArea(db: Queryable, key: string | number): Promise<Area | null> {
  const { rows } = await db.query<Area>(`SELECT ${AREA_COLUMNS} FROM ${AREA_FROM} WHERE ${BY_KEY}`, keyParams(key));
  return rows[0] ?? null;
}

export async function requireArea(db: Queryable, key: string | number): Promise<Area> {
  const area = await getArea(db, key);
  if (!area) throw new UserError('NOT_FOUND', `No area with id or code '${key}'.`);
  return area;
}

export async function getAreaGeometry(db: Queryable, id: number): Promise<MultiPolygon | null> {
  const { rows } = await db.query<{ geom: MultiPolygon | null }>('SELECT ST_AsGeoJSON(geom, 7)::json AS geom FROM area WHERE id = $1', [id]);
  return rows[0]?.geom ?? null;
}

export async function areaFeature(db: Queryable, key: string): Promise<Feature<MultiPolygon | null>> {
  const area = await requireArea(db, key);
  const geometry = await getAreaGeometry(db, area.id);
  return { type: 'Feature', id: area.id, geometry, properties: area as unknown as Record<string, unknown> };
}

/**
 * Areas as one FeatureCollection, serialised by PostgreSQL: building the JSON in SQL keeps
 * a province's thousands of polygons out of the JS heap.
 */
export async function areasCollection(db: Queryable, f: { level?: string; parent?: string }): Promise<string> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (f.level) {
    params.push(f.level);
    where.push(`a.level = $${params.length}`);
  }
  if (f.parent) {
    const parent = await requireArea(db, f.parent);
    params.push(parent.id);
    where.push(`a.parent_id = $${params.length}`);
  }
  const { rows } = await db.query<{ fc: string }>(
    `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', a.id,
        'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(a.geom), 7)::json,
        'properties', json_build_object('id', a.id, 'code', a.code, 'name', a.name, 'name_local', a.name_local,
          'level', a.level, 'status', a.status, 'version', a.version, 'parent_code', p.code,
          'area_m2', a.area_m2, 'centre', ST_AsGeoJSON(a.centre, 7)::json)
      ) ORDER BY a.code), '[]'::json))::text AS fc
     FROM ${AREA_FROM} ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`,
    params,
  );
  return rows[0].fc;
}

export async function history(db: Queryable, areaId: number): Promise<AreaVersion[]> {
  const { rows } = await db.query<AreaVersion>(
    `SELECT version, status, name, name_local, method, reason, inputs, changed_by,
            to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS changed_at, area_m2, perimeter_m
     FROM area_version WHERE area_id = $1 ORDER BY version DESC`,
    [areaId],
  );
  return rows;
}

export async function versionGeometry(db: Queryable, areaId: number, version: number): Promise<MultiPolygon | null | undefined> {
  const { rows } = await db.query<{ geom: MultiPolygon | null }>(
    'SELECT ST_AsGeoJSON(geom, 7)::json AS geom FROM area_version WHERE area_id = $1 AND version = $2',
    [areaId, version],
  );
  return rows.length ? rows[0].geom : undefined;
}

/** Translate constraint violations into the user error they stand for. */
function asUserError(err: unknown, what: string): never {
  const e = err as pg.DatabaseError;
  if (e?.code === '23505') throw new UserError('CODE_TAKEN', `${what}: an area with this code already exists.`, [{ constraint: e.constraint }]);
  if (e?.code === '23514' && /parent|level/.test(e.message)) throw new UserError('WRONG_PARENT', `${what}: ${e.message}.`);
  if (e?.code === '23503') throw new UserError('VALIDATION_FAILED', `${what}: it refers to something that does not exist (${e.constraint}).`);
  throw err;
}

/** Reject geometry PostGIS finds invalid, naming the reason and where. */
export async function assertValidGeometry(db: Queryable, geometry: MultiPolygon, where = 'geometry'): Promise<void> {
  const { rows } = await db.query<{ valid: boolean; reason: string; location: string | null }>(
    `SELECT (d).valid, (d).reason, ST_AsText((d).location) AS location
     FROM (SELECT ST_IsValidDetail(ST_GeomFromGeoJSON($1)) AS d) s`,
    [JSON.stringify(geometry)],
  );
  const r = rows[0];
  if (!r.valid) {
    throw new UserError('GEOMETRY_INVALID', `${where} is not a valid polygon: ${r.reason}${r.location ? ` at ${r.location}` : ''}.`, [
      { reason: r.reason, location: r.location },
    ]);
  }
}

/** Record the area's current state as a version row. */
async function snapshot(db: Queryable, areaId: number, meta: { reason?: string | null; inputs?: object; actor?: string | null }) {
  await db.query(
    `INSERT INTO area_version (area_id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
        population, households, attributes, method, inputs, reason, changed_by)
     SELECT id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
        population, households, attributes, method, $2, $3, $4
     FROM area WHERE id = $1`,
    [areaId, JSON.stringify(meta.inputs ?? {}), meta.reason ?? null, meta.actor ?? null],
  );
}

/**
 * The head of a recursive query ($1: an area id, or null for the top-level areas): `leaf` is
 * the village level, `scope` the area and its descendants down to the villages' parents, and
 * `pairs` each of them with every descendant (itself included). Progress and maps-printed
 * counts both walk the hierarchy this way, so their answers cover the same nodes.
 */
export const DESCENDANT_PAIRS = `WITH RECURSIVE leaf AS (SELECT key FROM admin_level ORDER BY rank DESC LIMIT 1),
     scope AS (
       SELECT id FROM area WHERE CASE WHEN $1::bigint IS NULL THEN parent_id IS NULL ELSE id = $1 END
       UNION ALL
       SELECT a.id FROM area a JOIN scope s ON a.parent_id = s.id WHERE a.level <> (SELECT key FROM leaf)
     ),
     pairs AS (
       SELECT id AS ancestor, id FROM scope
       UNION ALL
       SELECT p.ancestor, a.id FROM pairs p JOIN area a ON a.parent_id = p.id
     )`;

export interface NewArea {
  level: string;
  parent?: string | number | null;
  code: string;
  name: string;
  name_local?: string | null;
  centre?: Point | null;
  geometry?: MultiPolygon | null;
  status?: AreaStatus;
  population?: number | null;
  households?: number | null;
  attributes?: Record<string, unknown>;
  method?: string | null;
}

// Metric measures come from the geography type, so they hold at any latitude.
const MEASURE = `area_m2 = ST_Area(geom::geography), perimeter_m = ST_Perimeter(geom::geography)`;

export async function createArea(db: pg.PoolClient, input: NewArea, actor: string | null, inputs: object = {}): Promise<Area> {
  const level = (await db.query<{ key: string }>('SELECT key FROM admin_level WHERE key = $1', [input.level])).rows[0];
  if (!level) throw new UserError('WRONG_LEVEL', `Unknown level '${input.level}'.`);
  let parentId: number | null = null;
  if (input.parent !== undefined && input.parent !== null && input.parent !== '') {
    const parent = await getArea(db, input.parent);
    if (!parent) throw new UserError('WRONG_PARENT', `Parent area '${input.parent}' does not exist.`);
    parentId = parent.id;
  }
  if (input.geometry) await assertValidGeometry(db, input.geometry);
  await db.query('SAVEPOINT create_area');
  let id: number;
  try {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO area (level, parent_id, code, name, name_local, centre, geom, status, population, households, attributes, method)
       VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_GeomFromGeoJSON($6), 4326), ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($7), 4326)),
               $8, $9, $10, $11, $12)
       RETURNING id`,
      [
        input.level, parentId, input.code, input.name, input.name_local ?? null,
        input.centre ? JSON.stringify(input.centre) : null,
        input.geometry ? JSON.stringify(input.geometry) : null,
        input.status ?? 'planned', input.population ?? null, input.households ?? null,
        JSON.stringify(input.attributes ?? {}), input.method ?? null,
      ],
    );
    id = rows[0].id;
    await db.query('RELEASE SAVEPOINT create_area');
  } catch (err) {
    await db.query('ROLLBACK TO SAVEPOINT create_area');
    asUserError(err, `Area ${input.code}`);
  }
  await db.query(`UPDATE area SET ${MEASURE}, centre = coalesce(centre, ST_PointOnSurface(geom)) WHERE id = $1 AND geom IS NOT NULL`, [id]);
  await snapshot(db, id, { reason: 'created', actor, inputs });
  return (await getArea(db, id))!;
}

export interface AreaPatch {
  name?: string;
  name_local?: string | null;
  status?: AreaStatus;
  population?: number | null;
  households?: number | null;
  attributes?: Record<string, unknown>;
  centre?: Point | null;
  geometry?: MultiPolygon | null;
  method?: string | null;
}

/** The If-Match guard: the caller must have seen the version it is changing. */
export async function lockForUpdate(db: Queryable, key: string | number, expectedVersion: number | null): Promise<Area> {
  const [code, id] = keyParams(key);
  const { rows } = await db.query<{ id: number; version: number }>(
    `SELECT a.id, a.version FROM area a WHERE ${BY_KEY} FOR UPDATE`,
    [code, id],
  );
  if (!rows[0]) throw new UserError('NOT_FOUND', `No area with id or code '${key}'.`);
  const current = (await getArea(db, rows[0].id))!;
  if (expectedVersion !== null && rows[0].version !== expectedVersion) {
    throw new UserError(
      'STALE_VERSION',
      `Area ${current.code} is at version ${current.version}, not ${expectedVersion}: someone changed it since you loaded it. Reload and try again.`,
      [{ current }],
    );
  }
  return current;
}

/** Change an area and record the new version, in the caller's transaction. */
export async function updateArea(
  db: pg.PoolClient,
  area: Area,
  patch: AreaPatch,
  meta: { actor: string | null; reason?: string | null; inputs?: object },
): Promise<Area> {
  if (patch.geometry) await assertValidGeometry(db, patch.geometry);
  const sets: string[] = [];
  const params: unknown[] = [area.id];
  const set = (col: string, value: unknown, expr = `$?`) => {
    params.push(value);
    sets.push(`${col} = ${expr.replaceAll('$?', `$${params.length}`)}`);
  };
  if (patch.name !== undefined) set('name', patch.name);
  if (patch.name_local !== undefined) set('name_local', patch.name_local);
  if (patch.status !== undefined) set('status', patch.status);
  if (patch.population !== undefined) set('population', patch.population);
  if (patch.households !== undefined) set('households', patch.households);
  if (patch.attributes !== undefined) set('attributes', JSON.stringify(patch.attributes));
  if (patch.method !== undefined) set('method', patch.method);
  if (patch.centre !== undefined) set('centre', patch.centre && JSON.stringify(patch.centre), 'ST_SetSRID(ST_GeomFromGeoJSON($?), 4326)');
  if (patch.geometry !== undefined) {
    set('geom', patch.geometry && JSON.stringify(patch.geometry), 'ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($?), 4326))');
  }
  if (sets.length === 0) throw new UserError('VALIDATION_FAILED', 'Nothing to change: the request names no field.');
  await db.query('SAVEPOINT update_area');
  try {
    await db.query(`UPDATE area SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`, params);
    if (patch.geometry !== undefined) {
      await db.query(`UPDATE area SET ${MEASURE} WHERE id = $1`, [area.id]);
    }
    await db.query('RELEASE SAVEPOINT update_area');
  } catch (err) {
    await db.query('ROLLBACK TO SAVEPOINT update_area');
    asUserError(err, `Area ${area.code}`);
  }
  await snapshot(db, area.id, meta);
  return (await getArea(db, area.id))!;
}

/** Bring back an earlier version's state as a new version (history is never rewritten). */
export async function restoreVersion(db: pg.PoolClient, area: Area, version: number, actor: string | null): Promise<Area> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM area_version WHERE area_id = $1 AND version = $2', [area.id, version]);
  if (rows[0].n === 0) throw new UserError('NOT_FOUND', `Area ${area.code} has no version ${version}.`);
  await db.query(
    `UPDATE area a SET status = v.status, name = v.name, name_local = v.name_local, geom = v.geom, centre = v.centre,
        area_m2 = v.area_m2, perimeter_m = v.perimeter_m, population = v.population, households = v.households,
        attributes = v.attributes, method = v.method, version = a.version + 1, updated_at = now()
     FROM area_version v WHERE a.id = $1 AND v.area_id = a.id AND v.version = $2`,
    [area.id, version],
  );
  await snapshot(db, area.id, { reason: `restored version ${version}`, actor, inputs: { restored_version: version } });
  return (await getArea(db, area.id))!;
}
