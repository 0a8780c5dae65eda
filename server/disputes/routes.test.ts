import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { Database } from '../db/database.js';
import { SANDBOX_KUMBAN } from '../../test/helpers/sandbox.js';

const hasPoppler = hasTool('pdftotext', ['-v']);

let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

// Two walked villages whose perimeters overlap by a 0.002° x 0.01° strip (215 m x 1,106 m: about 23.7 ha at 15.4 N).
const rect = (x0: number, x1: number) => ({ type: 'Polygon', coordinates: [[[x0, 15.4], [x1, 15.4], [x1, 15.41], [x0, 15.41], [x0, 15.4]]] });

async function village(code: string, x0: number, x1: number) {
  const res = await app.inject({
    method: 'POST', url: '/api/areas', headers: adminAuth(),
    payload: { level: 'ban', parent: SANDBOX_KUMBAN, code, name: `Ban ${code}`, centre: { type: 'Point', coordinates: [(x0 + x1) / 2, 15.405] }, geometry: rect(x0, x1), status: 'surveyed' },
  });
  expect(res.statusCode).toBe(201);
}

const overlapM2 = async (a: string, b: string) =>
  (await db.pool.query(`SELECT coalesce(ST_Area(ST_Intersection(x.geom, y.geom)::geography), 0) AS m2 FROM area x, area y WHERE x.code = $1 AND y.code = $2`, [a, b])).rows[0].m2;

describe('dispute workflow', () => {
  let id: number;

  it('opens a dispute over the overlap and marks both villages disputed', async () => {
    await village('DSP-A', 106.9, 106.912);
    await village('DSP-B', 106.91, 106.92);
    const res = await app.inject({
      method: 'POST', url: '/api/disputes', headers: adminAuth(),
      payload: { area_a: 'DSP-A', area_b: 'DSP-B', note: { date: '2026-03-02', attendees: ['Chief of Ban DSP-A', 'Chief of Ban DSP-B'], outcome: 'Both claim the strip along the stream.' } },
    });
    expect(res.statusCode).toBe(201);
    const d = res.json().dispute;
    id = d.id;
    expect(d).toMatchObject({ area_a: 'DSP-A', area_b: 'DSP-B', status: 'open' });
    expect(d.area_m2).toBeCloseTo(await overlapM2('DSP-A', 'DSP-B'), -1);
    expect(d.area_m2 / 10_000).toBeGreaterThan(23.3);
    expect(d.area_m2 / 10_000).toBeLessThan(24.1);
    for (const code of ['DSP-A', 'DSP-B']) expect((await app.inject(`/api/areas/${code}`)).json().area.status).toBe('disputed');
    expect((await app.inject('/api/disputes?area=DSP-B&status=open')).json().disputes.map((x: { id: number }) => x.id)).toEqual([id]);
    // The village map draws the contested land hatched and names it in the legend.
    const map = await app.inject('/api/maps/DSP-A.pdf');
    expect(map.statusCode).toBe(200);
    if (hasPoppler) expect(execFileSync('pdftotext', ['-', '-'], { input: map.rawPayload }).toString()).toContain('Disputed area');
  });

  it('refuses a dispute between areas that do not overlap, unless the contested land is drawn', async () => {
    await village('DSP-C', 106.95, 106.96);
    const res = await app.inject({ method: 'POST', url: '/api/disputes', headers: adminAuth(), payload: { area_a: 'DSP-A', area_b: 'DSP-C' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/do not overlap/);
  });

  it('logs a negotiation meeting and refuses a step backwards', async () => {
    const res = await app.inject({
      method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(),
      payload: { status: 'negotiating', note: { date: '2026-03-10', attendees: ['District official'], outcome: 'Walked the stream together.' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().dispute.status).toBe('negotiating');
    expect(res.json().dispute.notes).toHaveLength(2);
    const back = await app.inject({ method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(), payload: { status: 'open' } });
    expect(back.statusCode).toBe(409);
    const noWinner = await app.inject({ method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(), payload: { status: 'resolved' } });
    expect(noWinner.statusCode).toBe(422);
  });

  it('resolves by giving the strip to one village, writing new versions of both', async () => {
    const before = (await db.pool.query(`SELECT code, area_m2, version FROM area WHERE code IN ('DSP-A','DSP-B') ORDER BY code`)).rows;
    const res = await app.inject({
      method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(),
      payload: { status: 'resolved', assign_to: 'DSP-B', note: { date: '2026-03-20', attendees: ['Chief of Ban DSP-A', 'Chief of Ban DSP-B', 'Witness'], outcome: 'The stream bank goes to DSP-B.' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().dispute).toMatchObject({ status: 'resolved', resolution: { assigned_to: 'DSP-B' } });
    const after = (await db.pool.query(`SELECT code, area_m2, version, status FROM area WHERE code IN ('DSP-A','DSP-B') ORDER BY code`)).rows;
    const strip = res.json().dispute.area_m2;
    expect(after[0].area_m2).toBeCloseTo(before[0].area_m2 - strip, -2);
    expect(after[1].area_m2).toBeCloseTo(before[1].area_m2, -2);
    expect(after.map((r) => r.status)).toEqual(['agreed', 'agreed']);
    expect(after[0].version).toBe(before[0].version + 1);
    expect(await overlapM2('DSP-A', 'DSP-B')).toBeLessThan(1);
    const closed = await app.inject({ method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(), payload: { note: { date: '2026-03-21', outcome: 'Map printed.' } } });
    expect(closed.statusCode).toBe(200);
    const reopen = await app.inject({ method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(), payload: { status: 'negotiating' } });
    expect(reopen.statusCode).toBe(409);
  });
});
