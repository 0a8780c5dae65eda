/**
 * Benchmark: derive a synthetic district of N villages from noisy boundary-segment walks with
 * the pure `segmentsTessellation` (one call per kumban, as the API does), then dissolve the
 * derived villages into their kumbans with `dissolve`; N = 100, 1,000, 5,000 by default.
 * Then, when the realdata is there, the national-scale dissolve: the 35,357 French communes
 * into their 101 départements, beside PostGIS `ST_Union … GROUP BY` on the server database.
 *
 *   npx tsx scripts/bench/derive.ts [--villages 100,1000,5000] [--seed 7] [--runs 3]
 *                                   [--realdata DIR] [--database-url URL] [--no-postgis]
 *
 * The synthetic district is the fixture generator's province (scripts/fixtures) scaled to N
 * villages: Voronoi villages with irregular shared boundaries, grouped in kumbans of about 5,
 * every shared boundary walked once with the demo's noise model (1 fix a minute, 3-10 m
 * scatter, spikes, poor fixes, gaps, duplicates, ends ±20 m off the junction), junction markers
 * GPS-averaged (2 m). Walks are generated in memory and cleaned as ingest would (not timed as
 * derivation; reported apart). The database defaults to DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/tessera_bench (prepare it with
 * `bash scripts/postgis-server.sh tessera_bench`).
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Position } from 'geojson';
import pg from 'pg';
import { createRng } from '../fixtures/random.js';
import { buildProvince } from '../fixtures/province.js';
import { NOISE_MODEL, WALK_FIX_INTERVAL_S, simulateWalk } from '../fixtures/walk.js';
import { fieldClock } from '../fixtures/clock.js';
import { offsetLonLat } from '../fixtures/plane.js';
import { cleanReadings } from '../../server/ingest/clean.js';
import type { Reading } from '../../server/ingest/readings.js';
import { segmentsTessellation, type Junction, type SegmentTrack } from '../../server/derive/segments.js';
import { dissolve } from '../../server/derive/dissolve.js';
import { communesZip, departementOf, loadCommunes, readCommunes, type Commune } from './france-communes.js';

const { values } = parseArgs({
  options: {
    villages: { type: 'string', default: '100,1000,5000' },
    seed: { type: 'string', default: '7' },
    runs: { type: 'string', default: '3' },
    realdata: { type: 'string' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tessera_bench' },
    'no-postgis': { type: 'boolean', default: false },
  },
});
const sizes = values.villages!.split(',').map(Number);
const seed = Number(values.seed);
const runs = Number(values.runs);
if (values.realdata) process.env.TESSERA_REALDATA = values.realdata;

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface District {
  kumbans: { code: string; geometry: MultiPolygon; villages: { code: string; centre: Position }[] }[];
  tracks: SegmentTrack[];
  /** Junction markers with the villages meeting there: a kumban's derivation gets those of its villages. */
  junctions: (Junction & { areas: string[] })[];
  truthM2: number;
  readings: number;
}

/** Segment walks log as the demo's do. */
const SEGMENT_WALK_MODEL = { ...NOISE_MODEL, fixIntervalS: WALK_FIX_INTERVAL_S.boundary };

/** The generator's province at N villages, with every shared boundary walked and cleaned. */
function makeDistrict(villageCount: number): { district: District; generateS: number; cleanS: number } {
  const t0 = performance.now();
  const province = buildProvince({ seed, villageCount });
  const rng = createRng(seed).fork('bench walks');
  const clock = fieldClock();
  const walks = province.boundaries.map((b) => {
    const walkRng = rng.fork(`${b.name} ${b.junctions.join(' ')}`);
    const line = walkRng.chance(0.5) ? b.line.slice().reverse() : b.line;
    return { b, walk: simulateWalk(walkRng, line, false, Date.UTC(2026, 0, 5, 0, 30), clock, SEGMENT_WALK_MODEL) };
  });
  const markerRng = rng.fork('markers');
  const junctions = province.junctions.map((j) => ({ name: j.name, areas: j.areas, point: offsetLonLat(j.position, markerRng.normal(2), markerRng.normal(2)) as Position }));
  const generateS = seconds(t0);

  const t1 = performance.now();
  let readings = 0;
  const tracks: SegmentTrack[] = walks.map(({ b, walk }, i) => {
    let seq = 0;
    const kept = walk.segments.flatMap((segment) => {
      const rs: Reading[] = segment.map((f) => ({ seq: seq++, lon: f.position[0], lat: f.position[1], ele: f.ele, time: new Date(f.time).toISOString(), hdop: f.hdop, sat: f.sat }));
      return cleanReadings(rs).filter((r) => r.kept);
    });
    readings += kept.length;
    const [a, other] = b.name.split('|');
    return { id: i + 1, areaCode: a, otherAreaCode: other === 'outside' ? null : other, line: kept.map((r) => [r.lon, r.lat]), readings: kept.length };
  });
  const cleanS = seconds(t1);

  const areas = province.areas;
  const kumbans = areas.filter((a) => a.level === 'kumban').map((k) => ({
    code: k.code,
    geometry: { type: 'MultiPolygon' as const, coordinates: k.geometry },
    villages: areas.filter((v) => v.level === 'ban' && v.parent_code === k.code).map((v) => ({ code: v.code, centre: v.centre })),
  }));
  const truthM2 = areas.filter((a) => a.level === 'ban').reduce((s, v) => s + turf.area({ type: 'MultiPolygon', coordinates: v.geometry }), 0);
  return { district: { kumbans, tracks, junctions, truthM2, readings }, generateS, cleanS };
}

/**
 * Derive every kumban's villages from the walks and markers touching them (what the kumban's
 * team brings back), then dissolve them into kumbans. Selecting a kumban's tracks and markers
 * is done beforehand, as the database would: it is not derivation.
 */
function deriveAndDissolve(d: District) {
  const inputs = d.kumbans.map((k) => {
    const mine = new Set(k.villages.map((v) => v.code));
    return {
      tracks: d.tracks.filter((t) => mine.has(t.areaCode) || (t.otherAreaCode !== null && mine.has(t.otherAreaCode))),
      junctions: d.junctions.filter((j) => j.areas.some((a) => mine.has(a))).map((j) => ({ name: j.name, point: j.point })),
    };
  });
  const t0 = performance.now();
  const derived: Feature<MultiPolygon, { code: string; kumban: string }>[] = [];
  let gaps = 0;
  let missing = 0;
  let failed = 0;
  d.kumbans.forEach((k, i) => {
    let result: ReturnType<typeof segmentsTessellation>;
    try {
      result = segmentsTessellation({ ...inputs[i], villages: k.villages, parent: k.geometry });
    } catch (err) {
      // Counted, not fatal: one kumban's failure should not hide the other figures.
      if (failed++ === 0) console.error(`segments failed on kumban ${k.code}:`, (err as Error).stack ?? err);
      missing += k.villages.length;
      return;
    }
    gaps += result.gaps.length;
    missing += k.villages.length - result.villages.length;
    for (const v of result.villages) derived.push({ type: 'Feature', properties: { code: v.code, kumban: k.code }, geometry: v.geometry });
  });
  const segmentsS = seconds(t0);
  const t1 = performance.now();
  const kumbans = dissolve(derived, (f) => (f.properties as { kumban: string }).kumban);
  const dissolveS = seconds(t1);
  const derivedM2 = derived.reduce((s, f) => s + turf.area(f), 0);
  const kumbanM2 = kumbans.reduce((s, k) => s + turf.area(k.geometry), 0);
  return {
    segmentsS, dissolveS, villages: derived.length, missing, gaps, derivedM2, kumbanM2, failed,
    kumbanGaps: kumbans.reduce((n, k) => n + k.gaps.length, 0),
    slivers: kumbans.reduce((n, k) => n + k.slivers_absorbed, 0),
  };
}

async function synthetic() {
  console.log(`## Derive: synthetic district, segments + dissolve (seed ${seed}, ${runs} run(s) each, median)\n`);
  console.log('| villages | kumbans | tracks | readings kept | generate walks (s) | clean (s) | segments (s) | dissolve (s) | end to end (s) | per village (ms) | growth ÷ n log n growth | derived / truth area | kumban area / villages | villages without face (kumbans failed) | segments gap faces | dissolve: gaps / slivers absorbed |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  let previous: { n: number; t: number } | null = null;
  for (const n of sizes) {
    const { district, generateS, cleanS } = makeDistrict(n);
    const results = Array.from({ length: runs }, () => deriveAndDissolve(district));
    const seg = median(results.map((r) => r.segmentsS));
    const dis = median(results.map((r) => r.dissolveS));
    const total = median(results.map((r) => r.segmentsS + r.dissolveS));
    const r = results[0];
    const nlogn = (x: number) => x * Math.log(x);
    const growth = previous ? ((total / previous.t) / (nlogn(n) / nlogn(previous.n))).toFixed(2) : '–';
    previous = { n, t: total };
    console.log(`| ${n.toLocaleString('en')} | ${district.kumbans.length} | ${district.tracks.length.toLocaleString('en')} | ${district.readings.toLocaleString('en')} | ${generateS.toFixed(1)} | ${cleanS.toFixed(2)} | ${seg.toFixed(2)} | ${dis.toFixed(3)} | **${total.toFixed(2)}** | ${((total / n) * 1000).toFixed(2)} | ${growth} | ${(r.derivedM2 / district.truthM2).toFixed(5)} | ${(r.kumbanM2 / r.derivedM2).toFixed(7)} | ${r.missing} (${r.failed}) | ${r.gaps} | ${r.kumbanGaps} / ${r.slivers} |`);
  }
  console.log('\n"growth ÷ n log n growth": (t(n) / t(previous n)) ÷ (n log n / previous n log previous n); at most 1 means growing no faster than n log n.\n');
}

async function france() {
  const zip = communesZip();
  if (!fs.existsSync(zip)) {
    console.log(`## Dissolve: French communes\n\nskipped: ${zip} not found (set TESSERA_REALDATA or --realdata).\n`);
    return;
  }
  console.log('## Dissolve: 35,357 French communes into 101 départements\n');
  const t0 = performance.now();
  const communes: Commune[] = await readCommunes(zip);
  const readS = seconds(t0);
  const times: number[] = [];
  const cpu: number[] = [];
  let out: ReturnType<typeof dissolve> = [];
  for (let i = 0; i < Math.max(3, runs); i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    out = dissolve(communes, (f) => departementOf((f as Commune).properties.code));
    times.push(seconds(t));
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1e6);
  }
  const vertices = communes.reduce((n, c) => n + turf.coordAll(c).length, 0);
  const gaps = out.flatMap((r) => r.gaps.map((g) => `${r.key}: ${(turf.area(g) / 1e6).toFixed(1)} km²`));
  console.log(`| step | time (s) |\n|---|---|`);
  console.log(`| read the zipped shapefile (${communes.length.toLocaleString('en')} communes, ${vertices.toLocaleString('en')} vertices) | ${readS.toFixed(2)} |`);
  console.log(`| Tessera \`dissolve\` (runs: ${times.map((t) => t.toFixed(2)).join(' / ')}; CPU time of the process: ${cpu.map((t) => t.toFixed(2)).join(' / ')}) | **${median(times).toFixed(2)}** (median), ${Math.min(...times).toFixed(2)} (best) |`);
  console.log(`\n${out.length} départements; gaps reported: ${gaps.join(', ') || 'none'}; slivers absorbed: ${out.reduce((n, r) => n + r.slivers_absorbed, 0)}.\n`);

  if (values['no-postgis']) return;
  const pool = new pg.Pool({ connectionString: values['database-url'], max: 1 });
  try {
    const have = await pool.query(`SELECT to_regclass('bench_commune') IS NOT NULL AS t`);
    const count = have.rows[0].t ? Number((await pool.query('SELECT count(*) AS n FROM bench_commune')).rows[0].n) : 0;
    if (count !== communes.length) {
      await loadCommunes(pool, 'bench_commune', communes, true);
      // GEOS refuses to union the one self-intersecting commune: repaired once, outside the timing.
      await pool.query('UPDATE bench_commune SET geom = ST_MakeValid(geom) WHERE NOT ST_IsValid(geom)');
      await pool.query('ANALYZE bench_commune');
    }
    const version = (await pool.query('SELECT postgis_lib_version() AS v, version() AS pg')).rows[0];
    const pgTimes: number[] = [];
    for (let i = 0; i < Math.min(runs, 2); i++) {
      const t = performance.now();
      // ST_NPoints keeps the result small: the time is the union, not shipping 101 polygons.
      await pool.query('SELECT dep, ST_NPoints(ST_Union(geom)) FROM bench_commune GROUP BY dep');
      pgTimes.push(seconds(t));
    }
    const pgS = median(pgTimes);
    console.log(`| PostGIS ${version.v} \`ST_Union(geom) GROUP BY dep\` on the server (runs: ${pgTimes.map((t) => t.toFixed(1)).join(' / ')}) | ${pgS.toFixed(1)} |`);
    console.log(`\nTessera dissolve / PostGIS ST_Union: **${(median(times) / pgS).toFixed(3)}** (${(pgS / median(times)).toFixed(0)}x faster). ${String(version.pg).split(',')[0]}.\n`);
  } finally {
    await pool.end();
  }
}

console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start.\n`);
await synthetic();
await france();
console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
