import fs from 'node:fs';
import path from 'node:path';
import * as turf from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import type { Feature, MultiPolygon, Position } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config.js';
import type { Database } from '../db/database.js';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import { boundaryHausdorffM, iou } from './measure.js';
import { multipart } from '../../test/helpers/multipart.js';

/**
 * `POST /api/areas/:id/derive` on the demo province, on the real database. Everything a test
 * writes (uploads, versions, boundary records) is taken back after it, so the demo stays as the
 * other test files expect it.
 */
let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

const demo = path.join(PROJECT_ROOT, 'fixtures', 'demo');
type TruthProps = { code: string; level: string; parent_code: string; centre: Position };
const truth = JSON.parse(fs.readFileSync(path.join(demo, 'areas.geojson'), 'utf8')).features as Feature<MultiPolygon, TruthProps>[];
const truthOf = (code: string) => truth.find((f) => f.properties.code === code)!.geometry;

async function upload(name: string, content: Buffer | string, area: string): Promise<string> {
  const { payload, headers } = multipart([{ name, content }], { area });
  const res = await app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, ...adminAuth() }, payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().uploads[0].id as string;
}

const derive = (code: string, body: object) => app.inject({ method: 'POST', url: `/api/areas/${code}/derive`, headers: adminAuth(), payload: body });

/** Every area's current version, to put back with `restoreAreas`. */
async function snapshotVersions(): Promise<Map<number, number>> {
  const { rows } = await db.pool.query<{ id: number; version: number }>('SELECT id, version FROM area');
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** Put every area back at the version it had, dropping the versions written since. */
async function restoreAreas(saved: Map<number, number>): Promise<void> {
  const { rows } = await db.pool.query<{ id: number; version: number }>('SELECT id, version FROM area');
  for (const r of rows) {
    const v = saved.get(r.id);
    if (v === undefined || v === r.version) continue;
    await db.pool.query(
      `UPDATE area a SET status = v.status, geom = v.geom, centre = v.centre, area_m2 = v.area_m2, perimeter_m = v.perimeter_m,
         method = v.method, version = v.version FROM area_version v WHERE a.id = $1 AND v.area_id = a.id AND v.version = $2`,
      [r.id, v],
    );
    await db.pool.query('DELETE FROM area_version WHERE area_id = $1 AND version > $2', [r.id, v]);
  }
}

function overlapM2(a: MultiPolygon, b: MultiPolygon): number {
  const i = turf.intersect(turf.featureCollection([turf.feature(a), turf.feature(b)]));
  return i ? turf.area(i) : 0;
}

describe('segments through the API on the demo kumban Houiysai', () => {
  let uploadId: string;
  const villages = truth.filter((f) => f.properties.parent_code === 'SK-01-01');

  beforeAll(async () => {
    uploadId = await upload('SK-01-01.gpx', fs.readFileSync(path.join(demo, 'gpx', 'segments', 'SK-01-01.gpx')), 'SK-01-01');
  });
  afterAll(async () => {
    await db.pool.query('DELETE FROM upload WHERE id = $1', [uploadId]);
  });

  it('previews all 8 villages close to the truth, with metrics and no gap or overlap between them', async () => {
    const res = await derive('SK-01-01', { method: 'segments' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ method: 'segments', committed: false, area: { code: 'SK-01-01' } });
    expect(body.villages).toHaveLength(8);
    const figures: string[] = [];
    for (const t of villages) {
      const v = body.villages.find((x: { area: { code: string } }) => x.area.code === t.properties.code);
      expect(v.metrics).toMatchObject({ method: 'segments', tolerance_m: 30 });
      expect(v.metrics.readings_used).toBeGreaterThan(50);
      expect(v.metrics.track_ids.length).toBeGreaterThanOrEqual(3);
      expect(v.metrics.area_ha).toBeCloseTo(turf.area(v.geometry) / 10_000, 1);
      const score = iou(t.geometry, v.geometry);
      const hausdorff = boundaryHausdorffM(t.geometry, v.geometry, 5);
      figures.push(`${t.properties.code} IoU ${score.toFixed(4)} Hausdorff ${hausdorff.toFixed(1)} m`);
      expect(score, t.properties.code).toBeGreaterThanOrEqual(0.97);
    }
    console.log(figures.join('\n'));
    for (let i = 0; i < body.villages.length; i++) {
      for (let j = i + 1; j < body.villages.length; j++) expect(overlapM2(body.villages[i].geometry, body.villages[j].geometry)).toBeLessThan(1);
    }
    expect(body.problems.filter((p: { kind: string; area_m2?: number }) => p.kind === 'GAP' && p.area_m2! > 1)).toEqual([]);
    expect(body.parent.metrics.children).toBe(8);
    expect(iou(body.parent.geometry, truthOf('SK-01-01'))).toBeGreaterThanOrEqual(0.99);
    // One record per line between two villages, and lines on the kumban's edge.
    const inner = body.boundaries.filter((b: { right: string | null }) => b.right !== null);
    expect(inner.length).toBeGreaterThanOrEqual(14);
    for (const b of inner) expect(b.track_ids.length, `${b.left}|${b.right}`).toBeGreaterThanOrEqual(1);
  });

  it('commits every village, the boundary lines and the rebuilt kumban in one go', async () => {
    const saved = await snapshotVersions();
    try {
      const res = await derive('SK-01-01', { method: 'segments', commit: true });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.committed).toBe(true);
      const { rows } = await db.pool.query<{ code: string; method: string; status: string; inputs: { track_ids: number[]; tolerance_m: number }; changed_by: string }>(
        `SELECT a.code, a.method, a.status, v.inputs, v.changed_by FROM area a JOIN area_version v ON v.area_id = a.id AND v.version = a.version
         JOIN area k ON k.id = a.parent_id WHERE k.code = 'SK-01-01' ORDER BY a.code`,
      );
      expect(rows).toHaveLength(8);
      for (const r of rows) {
        expect(r.method).toBe('segments');
        expect(['surveyed', 'agreed', 'approved', 'disputed']).toContain(r.status);
        expect(r.inputs.track_ids.length).toBeGreaterThanOrEqual(3);
        expect(r.inputs.tolerance_m).toBe(30);
        expect(r.changed_by).toBeTruthy();
      }
      const lines = await db.pool.query<{ left: string; right: string | null; status: string; track_ids: number[]; walked_at: string | null; walked_by: string | null }>(
        `SELECT l.code AS left, r.code AS right, b.status, b.track_ids, b.walked_at, b.walked_by
         FROM boundary b JOIN area l ON l.id = b.left_area_id LEFT JOIN area r ON r.id = b.right_area_id WHERE l.code LIKE 'SK-01-01-%'`,
      );
      expect(lines.rows.length).toBe(body.boundaries.length);
      const between = lines.rows.filter((l) => l.right !== null);
      expect(between.length).toBeGreaterThanOrEqual(14);
      for (const l of between) {
        expect(l.status).toBe('walked');
        expect(l.track_ids.length).toBeGreaterThanOrEqual(1);
        expect(l.walked_at).not.toBeNull();
        expect(l.walked_by).toBeTruthy();
      }
      // The shared line is one line: both villages' polygons contain it exactly.
      const shared = await db.pool.query<{ on_left: boolean; on_right: boolean }>(
        `SELECT ST_Covers(ST_Boundary(l.geom), b.geom) AS on_left, ST_Covers(ST_Boundary(r.geom), b.geom) AS on_right
         FROM boundary b JOIN area l ON l.id = b.left_area_id JOIN area r ON r.id = b.right_area_id WHERE l.code LIKE 'SK-01-01-%'`,
      );
      for (const s of shared.rows) expect(s).toEqual({ on_left: true, on_right: true });
      // The kumban is the union of its villages, exactly, and still matches the truth.
      const kumban = await db.pool.query<{ method: string; mismatch: number; gaps: number }>(
        `SELECT k.method, ST_Area(ST_SymDifference(k.geom, (SELECT ST_Union(c.geom) FROM area c WHERE c.parent_id = k.id))::geography) AS mismatch,
                (SELECT sum(ST_NumInteriorRings(d.geom)) FROM ST_Dump(k.geom) d)::int AS gaps
         FROM area k WHERE k.code = 'SK-01-01'`,
      );
      expect(kumban.rows[0].method).toBe('dissolve');
      expect(kumban.rows[0].mismatch).toBeLessThan(1);
      expect(kumban.rows[0].gaps).toBe(0);
      expect(body.parent.metrics.fill_mismatch_m2).toBeLessThan(1);
      const pairs = await db.pool.query<{ m2: number }>(
        `SELECT coalesce(max(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0) AS m2 FROM area a JOIN area b ON a.id < b.id AND a.parent_id = b.parent_id
         WHERE a.code LIKE 'SK-01-01-%' AND ST_Intersects(a.geom, b.geom)`,
      );
      expect(pairs.rows[0].m2).toBeLessThan(1);
    } finally {
      await db.pool.query(`DELETE FROM boundary b USING area l WHERE l.id = b.left_area_id AND l.code LIKE 'SK-01-01-%'`);
      await restoreAreas(saved);
    }
  });

  it('on the district derives kumban by kumban, saying which kumbans have no walks', async () => {
    const res = await derive('SK-01', { method: 'segments' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.area.code).toBe('SK-01');
    expect(body.villages.filter((v: { geometry: unknown }) => v.geometry).map((v: { area: { code: string } }) => v.area.code).sort()).toEqual(villages.map((v) => v.properties.code).sort());
    const noData = body.problems.filter((p: { kind: string }) => p.kind === 'NO_DATA').map((p: { message: string }) => p.message).join(' ');
    expect(noData).toMatch(/SK-01-02/);
    expect(noData).toMatch(/SK-01-03/);
  });

  it('refuses segments on a single village, naming the kumban to run it on', async () => {
    const res = await derive('SK-01-01-001', { method: 'segments' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'WRONG_LEVEL' });
    expect(res.json().message).toMatch(/SK-01-01/);
  });
});

describe('markers through the API', () => {
  it('builds a village from its numbered boundary markers, in number order whatever the file order', async () => {
    const ring = truthOf('SK-01-01-005').coordinates[0][0];
    // Every fourth vertex of the true boundary, named B-01.., listed out of order.
    const picks = ring.slice(0, -1).filter((_, i) => i % 4 === 0);
    const wpts = picks.map((p, i) => `<wpt lat="${p[1]}" lon="${p[0]}"><name>B-${String(i + 1).padStart(2, '0')}</name></wpt>`);
    const gpx = `<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">${[...wpts.slice(5), ...wpts.slice(0, 5)].join('')}<wpt lat="${picks[0][1]}" lon="${picks[0][0]}"><name>Office</name></wpt></gpx>`;
    const uploadId = await upload('markers-005.gpx', gpx, 'SK-01-01-005');
    try {
      const res = await derive('SK-01-01-005', { method: 'markers' });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.method).toBe('markers');
      expect(body.metrics.vertices).toBe(picks.length);
      expect(body.metrics.marker_ids).toHaveLength(picks.length);
      expect(iou(body.geometry, truthOf('SK-01-01-005'))).toBeGreaterThan(0.9);
      expect(body.problems.map((p: { kind: string }) => p.kind)).toEqual(['MARKER_SKIPPED']);
    } finally {
      await db.pool.query('DELETE FROM upload WHERE id = $1', [uploadId]);
    }
  });

  it('answers 422 naming what to upload when a village has no markers', async () => {
    const res = await derive('SK-01-01-008', { method: 'markers' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'NOT_ENOUGH_DATA' });
    expect(res.json().message).toMatch(/area=SK-01-01-008/);
  });
});

describe('voronoi through the API', () => {
  it('gives the unwalked villages of Houiysai provisional cells that fill what the mapped ones leave', async () => {
    const res = await derive('SK-01-01', { method: 'voronoi' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const { rows } = await db.pool.query<{ code: string; geom: MultiPolygon | null }>(
      `SELECT a.code, ST_AsGeoJSON(a.geom, 7)::json AS geom FROM area a JOIN area k ON k.id = a.parent_id WHERE k.code = 'SK-01-01' ORDER BY a.code`,
    );
    const unmapped = rows.filter((r) => r.geom === null).map((r) => r.code);
    expect(unmapped.length).toBeGreaterThanOrEqual(4);
    expect(body.villages.map((v: { area: { code: string } }) => v.area.code).sort()).toEqual(unmapped);
    const mapped = rows.filter((r) => r.geom !== null);
    let total = mapped.reduce((s, r) => s + turf.area(r.geom!), 0);
    for (const v of body.villages) {
      expect(v.metrics.method).toBe('voronoi');
      total += turf.area(v.geometry);
      for (const m of mapped) expect(overlapM2(v.geometry, m.geom!)).toBeLessThan(1);
      // Each village's own centre lies in its cell.
      const centre = truth.find((t) => t.properties.code === v.area.code)!.properties.centre;
      expect(turf.booleanPointInPolygon(centre, v.geometry)).toBe(true);
    }
    expect(total / turf.area(truthOf('SK-01-01'))).toBeCloseTo(1, 3);
  });

  it('commits the cells as provisional versions', async () => {
    const saved = await snapshotVersions();
    try {
      const res = await derive('SK-01-01', { method: 'voronoi', commit: true });
      expect(res.statusCode, res.body).toBe(200);
      const { rows } = await db.pool.query<{ status: string; method: string }>(
        `SELECT a.status, a.method FROM area a JOIN area k ON k.id = a.parent_id WHERE k.code = 'SK-01-01' AND a.method = 'voronoi'`,
      );
      expect(rows.length).toBe(res.json().villages.length);
      for (const r of rows) expect(r.status).toBe('provisional');
    } finally {
      await restoreAreas(saved);
    }
  });
});

describe('dissolve through the API', () => {
  it('rebuilds the kumban Thasang from its villages, equal to the truth, the same as a PostGIS union', async () => {
    const res = await derive('SK-04-03', { method: 'dissolve' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.parent.metrics.children).toBe(5);
    expect(iou(body.parent.geometry, truthOf('SK-04-03'))).toBeGreaterThanOrEqual(0.99);
    const { rows } = await db.pool.query<{ m2: number }>(
      `SELECT ST_Area(ST_SymDifference(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), (SELECT ST_Union(a.geom) FROM area a JOIN area k ON k.id = a.parent_id WHERE k.code = 'SK-04-03'))::geography) AS m2`,
      [JSON.stringify(body.parent.geometry)],
    );
    expect(rows[0].m2).toBeLessThan(1);
    expect(body.problems.filter((p: { kind: string }) => p.kind === 'GAP')).toEqual([]);
  });

  it('lists the villages with no polygon, whose land the union leaves out', async () => {
    const res = await derive('SK-01-01', { method: 'dissolve' });
    expect(res.statusCode, res.body).toBe(200);
    const missing = res.json().problems.find((p: { kind: string }) => p.kind === 'CHILD_WITHOUT_POLYGON');
    expect(missing.villages.length).toBeGreaterThanOrEqual(4);
  });
});

describe('perimeter on a kumban', () => {
  it('derives every walked village and reports each overlap and gap over 100 m² between them', async () => {
    const res = await derive('SK-01-01', { method: 'perimeter' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.villages.length).toBeGreaterThanOrEqual(4);
    const overlaps = body.problems.filter((p: { kind: string }) => p.kind === 'OVERLAP');
    const gaps = body.problems.filter((p: { kind: string }) => p.kind === 'GAP');
    expect(overlaps.length).toBeGreaterThanOrEqual(3);
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    for (const p of [...overlaps, ...gaps]) expect(p.area_m2).toBeGreaterThanOrEqual(100);
    // Every pair of walked villages overlapping by more than 100 m² (checked here with Turf) is reported.
    const walked = body.villages.filter((v: { geometry: MultiPolygon | null }) => v.geometry);
    const reported = new Set(overlaps.map((o: { villages: string[] }) => o.villages.join('|')));
    for (let i = 0; i < walked.length; i++) {
      for (let j = i + 1; j < walked.length; j++) {
        const [a, b] = [walked[i], walked[j]].sort((x: { area: { code: string } }, y: { area: { code: string } }) => (x.area.code < y.area.code ? -1 : 1));
        if (overlapM2(a.geometry, b.geometry) > 110) expect(reported.has(`${a.area.code}|${b.area.code}`), `${a.area.code}|${b.area.code}`).toBe(true);
      }
    }
  });

  it('on commit opens a dispute for each overlap and rebuilds the kumban from the overlapping villages', async () => {
    const saved = await snapshotVersions();
    const before = await db.pool.query<{ n: number }>('SELECT coalesce(max(id), 0) AS n FROM dispute');
    try {
      const res = await derive('SK-01-01', { method: 'perimeter', commit: true });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      const overlaps = body.problems.filter((p: { kind: string }) => p.kind === 'OVERLAP');
      expect(body.disputes.opened.length + body.disputes.already_open.length).toBeGreaterThanOrEqual(overlaps.length);
      expect(body.disputes.opened.length).toBeGreaterThanOrEqual(1);
      const { rows } = await db.pool.query<{ valid: boolean; method: string }>(`SELECT ST_IsValid(geom) AS valid, method FROM area WHERE code = 'SK-01-01'`);
      expect(rows[0]).toEqual({ valid: true, method: 'dissolve' });
    } finally {
      await db.pool.query('DELETE FROM dispute WHERE id > $1', [before.rows[0].n]);
      await restoreAreas(saved);
    }
  });

  it('keeps the old answer for one village, with its method', async () => {
    const res = await derive('SK-01-01-001', { method: 'perimeter' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ method: 'perimeter', committed: false, metrics: { method: 'perimeter' } });
    expect(res.json().geometry.type).toBe('MultiPolygon');
  });

  it('rejects an unknown method with 400', async () => {
    const res = await derive('SK-01-01', { method: 'kriging' });
    expect(res.statusCode).toBe(400);
  });
});

