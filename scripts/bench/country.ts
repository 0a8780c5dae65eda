/**
 * A synthetic country for the web and tile benchmarks: villages tiling a grid, grouped into
 * kumbans, districts and provinces, written by bulk SQL into the tables the app reads.
 *
 * Grid corners are jittered and every village edge wiggles, so outlines look surveyed rather
 * than ruled; an edge is computed from its own identity, so the two villages on either side of
 * it get exactly the same vertices and the country has no gaps or overlaps. Parents are the
 * union of their children, as the app's own derive would make them.
 */
import type pg from 'pg';

export interface CountryShape {
  /** Villages along each side of the square grid (side² villages in all). */
  side: number;
  /** South-west corner of the grid, degrees. */
  west: number;
  south: number;
  /** Width and height of one grid cell, degrees. */
  cell: number;
  /** Vertices along each village edge between two corners. */
  edgeSteps: number;
  /** Villages along each side of a kumban, kumbans along each side of a district. */
  kumbanSide: number;
  districtSide: number;
}

/** 10,000 villages of ~30 km² each (Laos has ~8,500 villages on 237,000 km²), on 5° × 5°. */
export const BENCH_COUNTRY: CountryShape = {
  side: 100,
  west: 101.0,
  south: 15.0,
  cell: 0.05,
  edgeSteps: 24,
  kumbanSide: 5,
  districtSide: 4,
};

/** Every code of the synthetic country starts with this, so it can be told from real data. */
export const CODE_PREFIX = 'SYN-';

type Position = [number, number];

/** A deterministic pseudo-random number in [0, 1) from integers, so runs rebuild the same country. */
function noise(...keys: number[]): number {
  let h = 2166136261;
  for (const k of keys) {
    h ^= k + 0x9e3779b9;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return (h >>> 0) / 2 ** 32;
}

/** Rounded to 1e-7° (~1 cm), the precision the API serves; identical on both sides of an edge. */
function round(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}

function corner(shape: CountryShape, i: number, j: number): Position {
  // Outer corners stay on the frame; inner ones move by up to a fifth of a cell, which keeps
  // every cell star-shaped around its centre, so no ring can cross itself.
  const inner = i > 0 && j > 0 && i < shape.side && j < shape.side;
  const dx = inner ? (noise(1, i, j) - 0.5) * 0.4 * shape.cell : 0;
  const dy = inner ? (noise(2, i, j) - 0.5) * 0.4 * shape.cell : 0;
  return [shape.west + i * shape.cell + dx, shape.south + j * shape.cell + dy];
}

/**
 * The vertices of one grid edge from corner a to corner b (both included), wiggling sideways by
 * up to 4% of a cell and not at all at the corners. `key` names the edge, not the village.
 */
function edge(shape: CountryShape, a: Position, b: Position, key: number[]): Position[] {
  const [nx, ny] = [-(b[1] - a[1]), b[0] - a[0]];
  const length = Math.hypot(nx, ny);
  const phase = noise(3, ...key) * 2 * Math.PI;
  const wobble = 1 + Math.floor(noise(4, ...key) * 3);
  const points: Position[] = [];
  for (let s = 0; s <= shape.edgeSteps; s++) {
    const t = s / shape.edgeSteps;
    const offset = 0.04 * shape.cell * Math.sin(Math.PI * t) * Math.sin(wobble * Math.PI * t + phase);
    points.push([round(a[0] + (b[0] - a[0]) * t + (nx / length) * offset), round(a[1] + (b[1] - a[1]) * t + (ny / length) * offset)]);
  }
  return points;
}

/** The ring of village (i, j), counter-clockwise: bottom, right, top and left edges. */
export function villageRing(shape: CountryShape, i: number, j: number): Position[] {
  const c00 = corner(shape, i, j);
  const c10 = corner(shape, i + 1, j);
  const c11 = corner(shape, i + 1, j + 1);
  const c01 = corner(shape, i, j + 1);
  // Horizontal edges are keyed (0, i, j) and always built west to east, vertical ones (1, i, j)
  // south to north; the village on the other side walks the same points backwards.
  const bottom = edge(shape, c00, c10, [0, i, j]);
  const right = edge(shape, c10, c11, [1, i + 1, j]);
  const top = edge(shape, c01, c11, [0, i, j + 1]).reverse();
  const left = edge(shape, c00, c01, [1, i, j]).reverse();
  return [...bottom, ...right.slice(1), ...top.slice(1), ...left.slice(1)];
}

const SYLLABLES: [string, string][] = [
  ['Na', 'ນາ'], ['Phon', 'ໂພນ'], ['Xay', 'ໄຊ'], ['Done', 'ໂດນ'], ['Houay', 'ຫ້ວຍ'], ['Nong', 'ໜອງ'],
  ['Khok', 'ໂຄກ'], ['Sa', 'ສະ'], ['Vang', 'ວັງ'], ['Thong', 'ທົ່ງ'], ['Sy', 'ສີ'], ['Kham', 'ຄຳ'],
  ['Mai', 'ໃໝ່'], ['Keo', 'ແກ້ວ'], ['Pak', 'ປາກ'], ['Tha', 'ທ່າ'], ['Lak', 'ຫຼັກ'], ['Phou', 'ພູ'],
  ['Hat', 'ຫາດ'], ['Don', 'ດອນ'], ['Sang', 'ຊຽງ'], ['Noy', 'ນ້ອຍ'], ['Kang', 'ກາງ'], ['Tai', 'ໃຕ້'],
];

/** A Lao-sounding name from two syllables, and its Lao script (given to ~70% of areas). */
function names(prefix: [string, string], ...keys: number[]): { name: string; name_local: string | null } {
  const [a, b] = [SYLLABLES[Math.floor(noise(5, ...keys) * SYLLABLES.length)], SYLLABLES[Math.floor(noise(6, ...keys) * SYLLABLES.length)]];
  const name = `${prefix[0]} ${a[0]}${b[0].toLowerCase()} ${keys.at(-1)}`;
  return { name, name_local: noise(7, ...keys) < 0.7 ? `${prefix[1]}${a[1]}${b[1]} ${keys.at(-1)}` : null };
}

const STATUSES = ['planned', 'provisional', 'surveyed', 'agreed', 'approved', 'disputed'];

export interface CountryRow {
  level: 'province' | 'district' | 'kumban' | 'ban';
  code: string;
  parent: string | null;
  name: string;
  name_local: string | null;
  status: string;
  /** Only villages carry geometry here; parents get the union of their children. */
  ring: Position[] | null;
}

/** Every area of the country, parents before children. */
export function countryRows(shape: CountryShape): CountryRow[] {
  const perDistrict = shape.kumbanSide * shape.districtSide;
  const districtsPerSide = Math.ceil(shape.side / perDistrict);
  const kumbansPerSide = Math.ceil(shape.side / shape.kumbanSide);
  // Four provinces of unequal size: the district grid cut at 60% each way.
  const cut = Math.ceil(districtsPerSide * 0.6);
  const provinceOf = (di: number, dj: number) => 1 + (di < cut ? 0 : 1) + (dj < cut ? 0 : 2);
  const code = {
    province: (p: number) => `${CODE_PREFIX}P${p}`,
    district: (di: number, dj: number) => `${CODE_PREFIX}D${String(dj * districtsPerSide + di + 1).padStart(2, '0')}`,
    kumban: (ki: number, kj: number) => `${CODE_PREFIX}K${String(kj * kumbansPerSide + ki + 1).padStart(3, '0')}`,
  };
  const rows: CountryRow[] = [];
  for (let p = 1; p <= 4; p++) {
    rows.push({ level: 'province', code: code.province(p), parent: null, ...names(['Khoueng', 'ແຂວງ'], 0, p), status: 'planned', ring: null });
  }
  for (let dj = 0; dj < districtsPerSide; dj++) {
    for (let di = 0; di < districtsPerSide; di++) {
      const n = dj * districtsPerSide + di + 1;
      rows.push({ level: 'district', code: code.district(di, dj), parent: code.province(provinceOf(di, dj)), ...names(['Mueang', 'ເມືອງ'], 1, n), status: 'planned', ring: null });
    }
  }
  for (let kj = 0; kj < kumbansPerSide; kj++) {
    for (let ki = 0; ki < kumbansPerSide; ki++) {
      const n = kj * kumbansPerSide + ki + 1;
      const parent = code.district(Math.floor(ki / shape.districtSide), Math.floor(kj / shape.districtSide));
      rows.push({ level: 'kumban', code: code.kumban(ki, kj), parent, ...names(['Kumban', 'ກຸ່ມບ້ານ'], 2, n), status: 'planned', ring: null });
    }
  }
  for (let j = 0; j < shape.side; j++) {
    for (let i = 0; i < shape.side; i++) {
      const n = j * shape.side + i + 1;
      rows.push({
        level: 'ban',
        code: `${CODE_PREFIX}B${String(n).padStart(5, '0')}`,
        parent: code.kumban(Math.floor(i / shape.kumbanSide), Math.floor(j / shape.kumbanSide)),
        ...names(['Ban', 'ບ້ານ'], 3, n),
        status: STATUSES[Math.floor(noise(8, n) ** 0.7 * STATUSES.length)],
        ring: villageRing(shape, i, j),
      });
    }
  }
  return rows;
}

/** How many areas of the synthetic country are stored, and how many others. */
async function census(db: pg.Pool): Promise<{ ours: number; villages: number; others: number }> {
  const { rows } = await db.query<{ ours: number; villages: number; others: number }>(
    `SELECT count(*) FILTER (WHERE code LIKE $1)::int AS ours,
            count(*) FILTER (WHERE code LIKE $1 AND level = 'ban')::int AS villages,
            count(*) FILTER (WHERE code NOT LIKE $1)::int AS others
     FROM area`,
    [`${CODE_PREFIX}%`],
  );
  return rows[0];
}

/**
 * Writes the country unless it is already there. Refuses a database holding other areas: the
 * benchmark replaces its own country wholesale and must never touch real data.
 */
export async function ensureCountry(db: pg.Pool, shape: CountryShape): Promise<{ areas: number; villages: number; builtMs: number | null }> {
  const rows = countryRows(shape);
  const before = await census(db);
  if (before.others > 0) {
    throw new Error(`The database holds ${before.others} areas that are not the benchmark's; point DATABASE_URL at a database of its own.`);
  }
  const villages = rows.filter((row) => row.level === 'ban').length;
  if (before.ours === rows.length && before.villages === villages) return { areas: rows.length, villages, builtMs: null };

  const t0 = performance.now();
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM area WHERE code LIKE $1', [`${CODE_PREFIX}%`]);
    // Level by level, top down, so each statement's parent check finds the parents stored.
    for (const level of ['province', 'district', 'kumban', 'ban'] as const) {
      const ofLevel = rows.filter((row) => row.level === level);
      for (let start = 0; start < ofLevel.length; start += 2000) {
        const chunk = ofLevel.slice(start, start + 2000).map((row, k) => ({
          ...row,
          geom: row.ring ? JSON.stringify({ type: 'Polygon', coordinates: [row.ring] }) : null,
          ring: undefined,
          population: row.level === 'ban' ? 200 + Math.floor(noise(9, start + k) * 1800) : null,
        }));
        await client.query(
          `INSERT INTO area (level, parent_id, code, name, name_local, status, geom, population, method)
           SELECT r.level, p.id, r.code, r.name, r.name_local, r.status,
                  ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(r.geom), 4326)), r.population, 'benchmark'
           FROM json_to_recordset($1::json) AS r(level text, code text, parent text, name text, name_local text, status text, geom text, population int)
           LEFT JOIN area p ON p.code = r.parent`,
          [JSON.stringify(chunk)],
        );
      }
    }
    // Parents from their children, bottom up.
    for (const level of ['kumban', 'district', 'province']) {
      await client.query(
        `UPDATE area p SET geom = u.geom
         FROM (SELECT c.parent_id, ST_Multi(ST_Union(c.geom)) AS geom FROM area c
               JOIN area p2 ON p2.id = c.parent_id WHERE p2.level = $1 AND p2.code LIKE $2 GROUP BY c.parent_id) u
         WHERE p.id = u.parent_id`,
        [level, `${CODE_PREFIX}%`],
      );
    }
    // What createArea stores besides: metric measures, a label point and the first version.
    await client.query(
      `UPDATE area SET area_m2 = ST_Area(geom::geography), perimeter_m = ST_Perimeter(geom::geography),
              centre = ST_PointOnSurface(geom)
       WHERE code LIKE $1`,
      [`${CODE_PREFIX}%`],
    );
    await client.query(
      `INSERT INTO area_version (area_id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
          population, households, attributes, method, inputs, reason, changed_by)
       SELECT id, version, status, name, name_local, geom, centre, area_m2, perimeter_m,
          population, households, attributes, method, '{}', 'created', 'benchmark'
       FROM area WHERE code LIKE $1`,
      [`${CODE_PREFIX}%`],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
  await db.query('ANALYZE area');
  return { areas: rows.length, villages, builtMs: performance.now() - t0 };
}
