import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import type pg from 'pg';
import type { Database, Queryable } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import * as areas from '../areas/store.js';
import { openOverlapDisputes, type OverlapDisputes } from '../disputes/overlaps.js';
import { boundaryLines } from './boundaries.js';
import { dissolve } from './dissolve.js';
import { markerPolygon } from './markers.js';
import { perimeterPolygon, polygonMetrics, type PolygonMetrics } from './perimeter.js';
import { segmentsTessellation, type SegmentTrack } from './segments.js';
import * as store from './store.js';
import { voronoiFill } from './voronoi.js';

export const DERIVE_METHODS = ['perimeter', 'segments', 'markers', 'voronoi', 'dissolve'] as const;
export type DeriveMethod = (typeof DERIVE_METHODS)[number];

export interface DeriveRequest {
  method: DeriveMethod;
  tolerance_m?: number;
  commit?: boolean;
}

/** Something a derivation found wrong or missing; `kind` is stable, `message` is for people. */
export interface DeriveProblem {
  kind: string;
  message: string;
  villages?: string[];
  area_m2?: number;
  at?: Position;
  track_id?: number;
  geometry?: Polygon | MultiPolygon;
}

export type DeriveMetrics = PolygonMetrics & {
  readings_used: number;
  method: DeriveMethod;
  tolerance_m: number | null;
  track_ids: number[];
  marker_ids?: number[];
};

/** One village's derived polygon (or null when the method found none for it). */
export interface DerivedVillage {
  area: areas.Area;
  geometry: MultiPolygon | null;
  metrics: DeriveMetrics | null;
  problems: DeriveProblem[];
}

/** The answer for one village: its polygon. */
export interface VillageDeriveResult {
  area: areas.Area;
  method: DeriveMethod;
  geometry: MultiPolygon;
  metrics: DeriveMetrics;
  problems: DeriveProblem[];
  disputes?: OverlapDisputes;
  committed: boolean;
}

/** The answer for a kumban or higher: every village it derived, and the area rebuilt from them. */
export interface GroupDeriveResult {
  area: areas.Area;
  method: DeriveMethod;
  villages: DerivedVillage[];
  parent: { geometry: MultiPolygon | null; metrics: (PolygonMetrics & { children: number; fill_mismatch_m2?: number }) | null };
  problems: DeriveProblem[];
  boundaries?: { left: string; right: string | null; length_m: number; track_ids: number[] }[];
  disputes?: OverlapDisputes;
  committed: boolean;
}

export type DeriveResult = VillageDeriveResult | GroupDeriveResult;

const DEFAULT_TOLERANCE_M = 30;
/** Overlaps and gaps between separately walked perimeters smaller than this are GPS scatter. */
const PERIMETER_REPORT_M2 = 100;
/** Holes in a rebuilt parent smaller than this are slivers of coordinate rounding, absorbed. */
const DISSOLVE_SLIVER_M2 = 1;

function multi(g: Polygon | MultiPolygon): MultiPolygon {
  return g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g;
}

function bboxOf(points: Position[], padM: number): [number, number, number, number] {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    w = Math.min(w, p[0]);
    e = Math.max(e, p[0]);
    s = Math.min(s, p[1]);
    n = Math.max(n, p[1]);
  }
  const dLat = padM / 110_574;
  const dLon = padM / (111_320 * Math.cos((((s + n) / 2) * Math.PI) / 180));
  return [w - dLon, s - dLat, e + dLon, n + dLat];
}

/**
 * Derive polygons from field data. On a village, `perimeter` and `markers` give its polygon;
 * on a kumban (or anything above, taken kumban by kumban) every method derives all its villages
 * at once and the parent is rebuilt from them. Without `commit` nothing is written; with it,
 * every village becomes a new version, boundary lines are recorded and the parents are
 * rebuilt by dissolve, all in one transaction.
 */
export async function deriveArea(db: Database, key: string, req: DeriveRequest, actor: string | null): Promise<DeriveResult> {
  const area = await areas.requireArea(db.pool, key);
  const leaf = await store.leafLevel(db.pool);
  const tolerance = req.tolerance_m ?? DEFAULT_TOLERANCE_M;
  if (area.level === leaf) {
    if (req.method !== 'perimeter' && req.method !== 'markers') {
      throw new UserError(
        'WRONG_LEVEL',
        `'${req.method}' derives all the villages of a kumban at once: run it on ${area.parent_code ?? 'the kumban'}, not on the village ${area.code}.`,
        [{ method: req.method, level: area.level, parent: area.parent_code }],
      );
    }
    return deriveVillage(db, area, req.method, tolerance, req.commit ?? false, actor);
  }
  return deriveGroup(db, area, leaf, req.method, tolerance, req.commit ?? false, actor);
}

// ---------------------------------------------------------------------------------------------
// One village

interface Derivation {
  geometry: MultiPolygon;
  metrics: DeriveMetrics;
  problems: DeriveProblem[];
}

async function perimeterOf(db: Queryable, area: { id: number; code: string; name: string }, tolerance: number): Promise<Derivation | null> {
  const walks = await store.perimeterTracks(db, area.id);
  if (walks.length === 0) return null;
  const geometry = perimeterPolygon(walks.map((w) => w.line.coordinates), { closeGapM: Math.max(100, tolerance * 2) });
  return {
    geometry,
    metrics: {
      ...polygonMetrics(geometry),
      readings_used: walks.reduce((n, w) => n + w.readings, 0),
      method: 'perimeter',
      tolerance_m: tolerance,
      track_ids: walks.map((w) => w.id),
    },
    problems: [],
  };
}

async function markersOf(db: Queryable, area: { id: number }): Promise<Derivation | null> {
  const markers = await store.areaMarkers(db, area.id);
  if (markers.length === 0) return null;
  const ring = markerPolygon(markers.map((m) => ({ id: m.id, name: m.name, point: m.point.coordinates })));
  return {
    geometry: ring.geometry,
    metrics: { ...polygonMetrics(ring.geometry), readings_used: ring.used.length, method: 'markers', tolerance_m: null, track_ids: [], marker_ids: ring.used.map((m) => m.id) },
    problems: ring.problems,
  };
}

async function deriveVillage(db: Database, area: areas.Area, method: 'perimeter' | 'markers', tolerance: number, commit: boolean, actor: string | null): Promise<VillageDeriveResult> {
  const derived = method === 'perimeter' ? await perimeterOf(db.pool, area, tolerance) : await markersOf(db.pool, area);
  if (!derived) {
    throw new UserError(
      'NOT_ENOUGH_DATA',
      method === 'perimeter'
        ? `No perimeter walk has been uploaded for ${area.name} (${area.code}): upload a GPS track with area=${area.code}.`
        : `No boundary markers have been uploaded for ${area.name} (${area.code}): upload the waypoints M1, M2, … with area=${area.code}.`,
    );
  }
  if (!commit) return { area, method, ...derived, committed: false };
  return withTransaction(db.pool, async (client) => {
    const updated = await writeVillage(client, area.id, derived, 'surveyed', actor);
    const problems = [...derived.problems];
    let disputes: OverlapDisputes | undefined;
    if (area.parent_id !== null) {
      disputes = await openOverlapDisputes(client, area.parent_id, { minM2: PERIMETER_REPORT_M2 }, actor);
      problems.push(...(await rebuildAncestors(client, area.parent_id, actor)));
    }
    return { area: (await areas.getArea(client, updated.id))!, method, ...derived, problems, disputes, committed: true };
  });
}

/** A derived polygon as a new version of its village, saying what it was made from. */
async function writeVillage(client: pg.PoolClient, areaId: number, d: Derivation, newStatus: areas.AreaStatus, actor: string | null): Promise<areas.Area> {
  const current = await areas.lockForUpdate(client, areaId, null);
  // Fresh field work moves a village forward, never back: agreed or approved villages keep their status.
  const status = current.status === 'planned' || current.status === 'provisional' ? newStatus : undefined;
  const { method, tolerance_m, track_ids, readings_used, marker_ids } = d.metrics;
  return areas.updateArea(client, current, { geometry: d.geometry, method, status }, {
    actor,
    reason: `derived by ${method}`,
    inputs: { method, tolerance_m, track_ids, readings_used, ...(marker_ids ? { marker_ids } : {}) },
  });
}

// ---------------------------------------------------------------------------------------------
// A kumban, district or province: village by village within each kumban

interface KumbanPlan {
  kumban: areas.Area;
  children: store.ChildArea[];
  derived: Map<string, Derivation>;
  problems: DeriveProblem[];
  villageProblems: Map<string, DeriveProblem[]>;
  boundaries: store.NewBoundary[];
  boundaryInfo: NonNullable<GroupDeriveResult['boundaries']>;
  status: areas.AreaStatus;
}

async function deriveGroup(db: Database, area: areas.Area, leaf: string, method: DeriveMethod, tolerance: number, commit: boolean, actor: string | null): Promise<GroupDeriveResult> {
  if (method === 'dissolve') return dissolveArea(db, area, commit, actor);
  // The areas right above the villages under this one; for a kumban, itself.
  const kumbanIds = await kumbansUnder(db.pool, area.id, leaf);
  if (kumbanIds.length === 0) throw new UserError('NOT_ENOUGH_DATA', `${area.name} (${area.code}) has no villages to derive.`);

  const plans: KumbanPlan[] = [];
  for (const id of kumbanIds) {
    const kumban = (await areas.getArea(db.pool, id))!;
    plans.push(await planKumban(db.pool, kumban, method, tolerance));
  }

  const build = async (q: Queryable, committed: boolean, extra: { disputes?: OverlapDisputes; problems: DeriveProblem[] }): Promise<GroupDeriveResult> => {
    const villages: DerivedVillage[] = [];
    for (const p of plans) {
      for (const c of p.children) {
        const d = p.derived.get(c.code);
        const problems = p.villageProblems.get(c.code) ?? [];
        if (!d && problems.length === 0) continue;
        villages.push({ area: (await areas.getArea(q, c.id))!, geometry: d?.geometry ?? null, metrics: d?.metrics ?? null, problems });
      }
    }
    const leaves = plans.flatMap((p) => p.children.map((c) => p.derived.get(c.code)?.geometry ?? c.geometry).filter((g): g is MultiPolygon => g !== null));
    const parentGeometry = leaves.length ? unionOf(leaves) : null;
    const parentArea = (await areas.getArea(q, area.id))!;
    return {
      area: parentArea,
      method,
      villages,
      parent: {
        geometry: parentGeometry,
        metrics: parentGeometry
          ? { ...polygonMetrics(parentGeometry), children: leaves.length, ...(committed ? { fill_mismatch_m2: round2(await store.fillMismatchM2(q, area.id)) } : {}) }
          : null,
      },
      problems: [...plans.flatMap((p) => p.problems), ...extra.problems],
      ...(method === 'segments' ? { boundaries: plans.flatMap((p) => p.boundaryInfo) } : {}),
      ...(extra.disputes ? { disputes: extra.disputes } : {}),
      committed,
    };
  };

  if (!commit) {
    const problems: DeriveProblem[] = [];
    if (method === 'perimeter') for (const p of plans) problems.push(...(await perimeterChecks(db.pool, p)));
    return build(db.pool, false, { problems });
  }
  return withTransaction(db.pool, async (client) => {
    const problems: DeriveProblem[] = [];
    const disputes: OverlapDisputes = { opened: [], already_open: [] };
    for (const p of plans) {
      for (const c of p.children) {
        const d = p.derived.get(c.code);
        if (d) await writeVillage(client, c.id, d, p.status, actor);
      }
      if (method === 'segments') await store.replaceWalkedBoundaries(client, p.children.filter((c) => p.derived.has(c.code)).map((c) => c.id), p.boundaries);
      if (method === 'perimeter') {
        problems.push(...(await perimeterChecks(client, p)));
        const opened = await openOverlapDisputes(client, p.kumban.id, { minM2: PERIMETER_REPORT_M2 }, actor);
        disputes.opened.push(...opened.opened);
        disputes.already_open.push(...opened.already_open);
      }
    }
    for (const p of plans) problems.push(...(await rebuildAncestors(client, p.kumban.id, actor, area.id)));
    problems.push(...(await rebuildAncestors(client, area.id, actor)));
    return build(client, true, { problems: dedupeProblems(problems), ...(method === 'perimeter' ? { disputes } : {}) });
  });
}

async function kumbansUnder(db: Queryable, areaId: number, leaf: string): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `WITH RECURSIVE sub AS (SELECT id FROM area WHERE id = $1 UNION ALL SELECT a.id FROM area a JOIN sub ON a.parent_id = sub.id WHERE a.level <> $2)
     SELECT DISTINCT a.parent_id AS id FROM area a WHERE a.level = $2 AND a.parent_id IN (SELECT id FROM sub) ORDER BY 1`,
    [areaId, leaf],
  );
  return rows.map((r) => r.id);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function unionOf(polygons: MultiPolygon[]): MultiPolygon {
  const [group] = dissolve(polygons.map((g) => turf.feature(g) as Feature<MultiPolygon>), () => 'all', { sliverM2: DISSOLVE_SLIVER_M2 });
  return multi(group.geometry);
}

function dedupeProblems(problems: DeriveProblem[]): DeriveProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.kind}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function planKumban(db: Queryable, kumban: areas.Area, method: Exclude<DeriveMethod, 'dissolve'>, tolerance: number): Promise<KumbanPlan> {
  const children = await store.childAreas(db, kumban.id);
  const plan: KumbanPlan = {
    kumban, children, derived: new Map(), problems: [], villageProblems: new Map(), boundaries: [], boundaryInfo: [],
    status: method === 'voronoi' ? 'provisional' : 'surveyed',
  };
  const noteFor = (code: string, p: DeriveProblem) => plan.villageProblems.set(code, [...(plan.villageProblems.get(code) ?? []), p]);

  if (method === 'perimeter' || method === 'markers') {
    for (const c of children) {
      try {
        const d = method === 'perimeter' ? await perimeterOf(db, c, tolerance) : await markersOf(db, c);
        if (d) {
          plan.derived.set(c.code, d);
          for (const p of d.problems) noteFor(c.code, p);
        }
      } catch (err) {
        // One village's unusable walk must not stop the others: it is reported against the village.
        if (!(err instanceof UserError)) throw err;
        noteFor(c.code, { kind: err.code, message: err.message, villages: [c.code] });
      }
    }
    if (plan.derived.size === 0) {
      plan.problems.push({
        kind: 'NO_DATA',
        message: method === 'perimeter' ? `No village of ${kumban.name} (${kumban.code}) has a perimeter walk.` : `No village of ${kumban.name} (${kumban.code}) has numbered boundary markers.`,
      });
    }
    return plan;
  }

  const parent = await areas.getAreaGeometry(db, kumban.id);
  if (method === 'voronoi') {
    if (!parent) throw new UserError('NOT_ENOUGH_DATA', `${kumban.name} (${kumban.code}) has no polygon to share out among its villages.`);
    // Villages without a polygon, or with a provisional one from an earlier run, get a cell.
    const targets = children.filter((c) => c.geometry === null || c.method === 'voronoi');
    const fixed = children.filter((c) => !targets.includes(c) && c.geometry !== null);
    const sites = targets.filter((c) => c.centre !== null);
    for (const c of targets.filter((t) => t.centre === null)) noteFor(c.code, { kind: 'NO_CENTRE', message: `${c.code} has no centre point: set one to give it a provisional polygon.`, villages: [c.code] });
    if (sites.length === 0) {
      plan.problems.push({ kind: 'NO_DATA', message: `Every village of ${kumban.name} (${kumban.code}) already has a polygon; voronoi only fills villages nobody has walked.` });
      return plan;
    }
    const result = voronoiFill({ sites: sites.map((c) => ({ code: c.code, centre: c.centre!.coordinates })), parent, fixed: fixed.map((c) => c.geometry!) });
    for (const v of result.villages) {
      plan.derived.set(v.code, {
        geometry: v.geometry,
        metrics: { ...polygonMetrics(v.geometry), readings_used: 0, method: 'voronoi', tolerance_m: null, track_ids: [] },
        problems: [],
      });
    }
    for (const p of result.problems) {
      if (p.villages?.length === 1) noteFor(p.villages[0], p);
      else plan.problems.push(p);
    }
    return plan;
  }

  // segments
  const ids = children.map((c) => c.id);
  const stored = await store.segmentTracks(db, ids);
  const inKumban = new Set(children.map((c) => c.code));
  // Walks along the kumban's edge alone divide nothing inside it.
  if (!stored.some((t) => inKumban.has(t.area_code) && t.other_code !== null && inKumban.has(t.other_code))) {
    plan.problems.push({ kind: 'NO_DATA', message: `No shared boundary walk between two of its villages (a track named like 'VILLAGE|NEIGHBOUR') has been uploaded for ${kumban.name} (${kumban.code}).` });
    return plan;
  }
  const tracks: SegmentTrack[] = stored.map((t) => ({ id: t.id, areaCode: t.area_code, otherAreaCode: t.other_code, line: t.line.coordinates, readings: t.readings }));
  const extent = tracks.flatMap((t) => t.line).concat(parent ? parent.coordinates.flat(2) : []);
  const junctions = await store.junctionMarkers(db, bboxOf(extent, tolerance * 2));
  const sites = children.filter((c) => c.centre !== null);
  for (const c of children.filter((x) => x.centre === null)) noteFor(c.code, { kind: 'NO_CENTRE', message: `${c.code} has no centre point, so no face can be given to it.`, villages: [c.code] });
  const result = segmentsTessellation(
    {
      tracks,
      junctions: junctions.map((j) => ({ name: j.name, point: j.point.coordinates })),
      villages: sites.map((c) => ({ code: c.code, centre: c.centre!.coordinates })),
      parent,
    },
    { toleranceM: tolerance },
  );
  for (const v of result.villages) {
    plan.derived.set(v.code, {
      geometry: v.geometry,
      metrics: { ...polygonMetrics(v.geometry), readings_used: v.readings_used, method: 'segments', tolerance_m: tolerance, track_ids: v.track_ids },
      problems: [],
    });
  }
  for (const p of result.problems) {
    const problem: DeriveProblem = { ...p };
    if (p.kind === 'GAP') problem.geometry = result.gaps.find((g) => g.area_m2 === p.area_m2)?.geometry;
    if (p.villages?.length === 1) noteFor(p.villages[0], problem);
    else plan.problems.push(problem);
  }

  // The lines between the derived villages, each once, with the walks they came from.
  const byCode = new Map(children.map((c) => [c.code, c]));
  const lines = boundaryLines(result.villages.map((v) => ({ code: v.code, geometry: v.geometry })));
  for (const l of lines) {
    const walked = stored.filter((t) =>
      l.right !== null
        ? (t.area_code === l.left && t.other_code === l.right) || (t.area_code === l.right && t.other_code === l.left)
        : (t.area_code === l.left && (t.other_code === null || !inKumban.has(t.other_code))) ||
          (t.other_code === l.left && !inKumban.has(t.area_code)),
    ).filter((t) => l.right !== null || nearLine(t.line.coordinates, l.line, tolerance * 3));
    const times = walked.map((t) => t.started_at).filter((s): s is string => s !== null).sort();
    const walkers = [...new Set(walked.map((t) => t.walked_by).filter((w): w is string => !!w))];
    plan.boundaries.push({
      leftId: byCode.get(l.left)!.id,
      rightId: l.right === null ? null : byCode.get(l.right)!.id,
      line: l.line,
      trackIds: walked.map((t) => t.id),
      walkedBy: walkers.length ? walkers.join(', ') : null,
      walkedAt: times[0] ?? null,
    });
    plan.boundaryInfo.push({ left: l.left, right: l.right, length_m: Math.round(turf.length(turf.lineString(l.line), { units: 'meters' })), track_ids: walked.map((t) => t.id) });
  }
  return plan;
}

/** Whether a walk runs along a boundary piece: some of its fixes lie within `withinM` of the piece. */
function nearLine(walk: Position[], piece: Position[], withinM: number): boolean {
  const line = turf.lineString(piece);
  const step = Math.max(1, Math.floor(walk.length / 20));
  let near = 0;
  let tried = 0;
  for (let i = 0; i < walk.length; i += step) {
    tried++;
    if (turf.pointToLineDistance(turf.point(walk[i]), line, { units: 'meters' }) <= withinM) near++;
  }
  return near >= Math.max(2, tried / 4);
}

/** Overlaps between separately walked perimeters and the land none of them covers, as problems. */
async function perimeterChecks(db: Queryable, plan: KumbanPlan): Promise<DeriveProblem[]> {
  const polygons = plan.children
    .map((c) => ({ code: c.code, geometry: plan.derived.get(c.code)?.geometry ?? c.geometry }))
    .filter((p): p is { code: string; geometry: MultiPolygon } => p.geometry !== null);
  if (polygons.length === 0) return [];
  const walked = new Set(plan.derived.keys());
  const parent = await areas.getAreaGeometry(db, plan.kumban.id);
  const { overlaps, gaps } = await store.overlapsAndGaps(db, polygons, parent, PERIMETER_REPORT_M2);
  const problems: DeriveProblem[] = [];
  for (const o of overlaps) {
    if (!walked.has(o.a) && !walked.has(o.b)) continue;
    problems.push({
      kind: 'OVERLAP',
      message: `${o.a} and ${o.b} both claim ${formatArea(o.area_m2)}: their walked perimeters overlap. Committing opens a dispute between them.`,
      villages: [o.a, o.b],
      area_m2: Math.round(o.area_m2),
      geometry: o.geometry,
    });
  }
  for (const g of gaps) {
    problems.push({
      kind: 'GAP',
      message: `${formatArea(g.area_m2)} of ${plan.kumban.code} lies in no village: the walked perimeters leave it uncovered.`,
      area_m2: Math.round(g.area_m2),
      at: turf.pointOnFeature(g.geometry).geometry.coordinates,
      geometry: g.geometry,
    });
  }
  return problems;
}

function formatArea(m2: number): string {
  return m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} ha` : `${Math.round(m2)} m²`;
}

// ---------------------------------------------------------------------------------------------
// Dissolve: an area as the union of its children, and the rebuild of parents after a commit

async function dissolveArea(db: Database, area: areas.Area, commit: boolean, actor: string | null): Promise<GroupDeriveResult> {
  const children = await store.childAreas(db.pool, area.id);
  const plan = dissolvePlan(area, children);
  if (!plan.geometry) {
    throw new UserError('NOT_ENOUGH_DATA', `No area under ${area.name} (${area.code}) has a polygon to dissolve.`, [{ children: children.length }]);
  }
  const result = (a: areas.Area, committed: boolean, extra: DeriveProblem[] = [], mismatch?: number): GroupDeriveResult => ({
    area: a,
    method: 'dissolve',
    villages: [],
    parent: { geometry: plan.geometry, metrics: { ...polygonMetrics(plan.geometry!), children: plan.used, ...(mismatch !== undefined ? { fill_mismatch_m2: round2(mismatch) } : {}) } },
    problems: [...plan.problems, ...extra],
    committed,
  });
  if (!commit) return result(area, false);
  return withTransaction(db.pool, async (client) => {
    const current = await areas.lockForUpdate(client, area.id, null);
    await areas.updateArea(client, current, { geometry: plan.geometry!, method: 'dissolve' }, {
      actor, reason: 'dissolved from its children', inputs: { method: 'dissolve', children: plan.codes, slivers_absorbed: plan.slivers },
    });
    const mismatch = await store.fillMismatchM2(client, area.id);
    const extra = area.parent_id !== null ? await rebuildAncestors(client, area.parent_id, actor) : [];
    return result((await areas.getArea(client, area.id))!, true, extra, mismatch);
  });
}

interface DissolvePlan {
  geometry: MultiPolygon | null;
  problems: DeriveProblem[];
  used: number;
  codes: string[];
  slivers: number;
}

function dissolvePlan(area: { code: string; name: string }, children: store.ChildArea[]): DissolvePlan {
  const withGeometry = children.filter((c) => c.geometry !== null);
  const problems: DeriveProblem[] = [];
  const missing = children.filter((c) => c.geometry === null).map((c) => c.code);
  if (missing.length) {
    problems.push({
      kind: 'CHILD_WITHOUT_POLYGON',
      message: `${missing.length} of the ${children.length} areas under ${area.code} have no polygon yet (${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}): the union leaves their land out.`,
      villages: missing,
    });
  }
  if (withGeometry.length === 0) return { geometry: null, problems, used: 0, codes: [], slivers: 0 };
  const [group] = dissolve(withGeometry.map((c) => turf.feature(c.geometry!) as Feature<MultiPolygon>), () => area.code, { sliverM2: DISSOLVE_SLIVER_M2 });
  for (const gap of group.gaps) {
    const m2 = turf.area(gap);
    problems.push({
      kind: 'GAP',
      message: `A hole of ${formatArea(m2)} inside ${area.code} lies in none of its areas.`,
      area_m2: Math.round(m2),
      at: turf.pointOnFeature(gap).geometry.coordinates,
      geometry: gap,
    });
  }
  return { geometry: multi(group.geometry), problems, used: withGeometry.length, codes: withGeometry.map((c) => c.code), slivers: group.slivers_absorbed };
}

/**
 * Rebuild `areaId` and each area above it as the dissolve of its children, in the caller's
 * transaction, stopping below `stopAt` (already rebuilt by the caller) or at the first area
 * some of whose children have no polygon yet: a union of part of them would shrink it.
 */
async function rebuildAncestors(client: pg.PoolClient, areaId: number, actor: string | null, stopAt?: number): Promise<DeriveProblem[]> {
  const problems: DeriveProblem[] = [];
  let id: number | null = areaId;
  while (id !== null && id !== stopAt) {
    const current = await areas.lockForUpdate(client, id, null);
    const children = await store.childAreas(client, id);
    const missing = children.filter((c) => c.geometry === null);
    if (children.length === 0) break;
    if (missing.length > 0) {
      problems.push({
        kind: 'PARENT_NOT_REBUILT',
        message: `${current.code} keeps its polygon: ${missing.length} of its ${children.length} areas have none yet (${missing.slice(0, 8).map((c) => c.code).join(', ')}${missing.length > 8 ? ', …' : ''}).`,
        villages: missing.map((c) => c.code),
      });
      break;
    }
    const plan = dissolvePlan(current, children);
    // The edge dissolve assumes children that tessellate; overlapping ones (separate perimeter
    // walks) can give rings PostGIS rejects, and then its polygon union is used instead.
    let geometry = plan.geometry!;
    if (!(await store.isValid(client, geometry))) {
      geometry = await store.unionOfChildren(client, id);
      problems.push({ kind: 'CHILDREN_OVERLAP', message: `The areas of ${current.code} overlap, so it was rebuilt by a polygon union of them.` });
    }
    await areas.updateArea(client, current, { geometry, method: 'dissolve' }, {
      actor, reason: 'rebuilt from its children', inputs: { method: 'dissolve', children: plan.codes, slivers_absorbed: plan.slivers },
    });
    const mismatch = await store.fillMismatchM2(client, id);
    if (mismatch > DISSOLVE_SLIVER_M2) {
      problems.push({ kind: 'PARENT_NOT_FILLED', message: `${current.code} and the union of its areas differ by ${formatArea(mismatch)}.`, area_m2: Math.round(mismatch) });
    }
    problems.push(...plan.problems);
    id = current.parent_id;
  }
  return problems;
}
