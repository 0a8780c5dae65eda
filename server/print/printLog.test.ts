import { execFileSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import { startTestServer } from '../../test/helpers/server.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { Database } from '../db/database.js';

const hasPoppler = hasTool('pdfinfo', ['-v']);
const MARKER = /%Tessera atlas page (\d+) of (\d+)/g;

let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

/** Kumban Dakchung SK-03-01: no other test prints its maps or changes its villages. */
const KUMBAN = 'SK-03-01';

async function mappedVillages(): Promise<{ code: string; version: number }[]> {
  const { rows } = await db.pool.query<{ code: string; version: number }>(
    `SELECT v.code, v.version FROM area v JOIN area k ON k.id = v.parent_id WHERE k.code = $1 AND v.geom IS NOT NULL ORDER BY v.code`,
    [KUMBAN],
  );
  return rows;
}

/** Prints of an area recorded after `sinceId` (other test files print demo maps too). */
const printsOf = async (code: string, sinceId = 0) =>
  (await db.pool.query<{ version: number; kind: string; printed_by: string | null; atlas: string | null }>(
    `SELECT mp.version, mp.kind, mp.printed_by, at.code AS atlas FROM map_print mp JOIN area a ON a.id = mp.area_id
     LEFT JOIN area at ON at.id = mp.atlas_area_id WHERE a.code = $1 AND mp.id > $2 ORDER BY mp.id`,
    [code, sinceId],
  )).rows;

const lastPrintId = async () => Number((await db.pool.query(`SELECT coalesce(max(id), 0) AS id FROM map_print`)).rows[0].id);

/** All prints of the kumban's villages, counted in the database. */
const kumbanPrints = async () =>
  Number((await db.pool.query(
    `SELECT count(*) AS n FROM map_print mp JOIN area v ON v.id = mp.area_id JOIN area k ON k.id = v.parent_id WHERE k.code = $1`,
    [KUMBAN],
  )).rows[0].n);

/** The kumban's progress, with the database's count of its prints just before and after it was asked. */
async function kumbanProgress() {
  const before = await kumbanPrints();
  const progress = (await app.inject(`/api/progress?area=${KUMBAN}`)).json();
  return { progress, before, after: await kumbanPrints() };
}

describe('maps printed', () => {
  let villages: { code: string; version: number }[];
  let atlasPages: number;
  let since: number;

  it('records a village map with its version, kind and who printed it when known', async () => {
    villages = await mappedVillages();
    expect(villages.length).toBeGreaterThanOrEqual(2);
    since = await lastPrintId();
    const [first] = villages;
    expect((await app.inject({ url: `/api/maps/${first.code}.pdf`, headers: adminAuth() })).statusCode).toBe(200);
    expect((await app.inject(`/api/maps/${first.code}.png?dpi=36`)).statusCode).toBe(200);
    // Anonymous PDFs may come from the test that prints every demo village at the same time.
    const prints = (await printsOf(first.code, since)).filter((p) => p.kind !== 'pdf' || p.printed_by !== null);
    expect(prints.map((p) => p.kind)).toEqual(['pdf', 'png']);
    expect(prints[0]).toMatchObject({ version: first.version, kind: 'pdf', atlas: null });
    expect(prints[0].printed_by).toEqual(expect.any(String));
    expect(prints[1]).toMatchObject({ version: first.version, kind: 'png', printed_by: null });
  });

  it('streams the atlas with a progress comment after every page, and records every sheet', async () => {
    const res = await app.inject(`/api/areas/${KUMBAN}/atlas.pdf`);
    expect(res.statusCode).toBe(200);
    atlasPages = Number(res.headers['x-atlas-pages']);
    const marks = [...res.rawPayload.toString('latin1').matchAll(MARKER)].map((m) => [Number(m[1]), Number(m[2])]);
    // The cover (page 1), then each village sheet, each reported once, in order, of the same total.
    expect(marks).toEqual([1, ...villages.map((_, i) => i + 2)].map((page) => [page, atlasPages]));
    expect(atlasPages).toBe(1 + villages.length);
    if (hasPoppler) expect(execFileSync('pdfinfo', ['-'], { input: res.rawPayload }).toString()).toMatch(new RegExp(`Pages:\\s+${atlasPages}\\n`));
    for (const v of villages) expect(await printsOf(v.code, since)).toContainEqual({ version: v.version, kind: 'atlas', printed_by: null, atlas: KUMBAN });
    expect(await printsOf(KUMBAN, since)).toEqual([expect.objectContaining({ kind: 'atlas', atlas: KUMBAN })]);
  });

  it('counts villages with a print of their current version, and all prints, per node of GET /api/progress', async () => {
    const { progress: kumban, before, after } = await kumbanProgress();
    // Every mapped village now has a print of its current version (the atlas).
    expect(kumban.area.maps_printed.villages).toBe(villages.length);
    expect(kumban.area.maps_printed.prints).toBeGreaterThanOrEqual(Math.max(before, villages.length + 2));
    expect(kumban.area.maps_printed.prints).toBeLessThanOrEqual(after);
    const district = (await app.inject('/api/progress?area=SK-03')).json();
    expect(district.children.find((c: { code: string }) => c.code === KUMBAN).maps_printed.villages).toBe(villages.length);
    expect(district.area.maps_printed.villages).toBeGreaterThanOrEqual(villages.length);
  });

  it('stops counting a village whose boundary changed after its map was printed', async () => {
    const [first] = villages;
    const patched = await app.inject({
      method: 'PATCH', url: `/api/areas/${first.code}`, headers: { ...adminAuth(), 'if-match': String(first.version) },
      payload: { population: 1234, reason: 'census' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().area.version).toBe(first.version + 1);
    const { progress: kumban, before, after } = await kumbanProgress();
    expect(kumban.area.maps_printed.villages).toBe(villages.length - 1);
    // Its old prints still count as prints.
    expect(kumban.area.maps_printed.prints).toBeGreaterThanOrEqual(before);
    expect(kumban.area.maps_printed.prints).toBeLessThanOrEqual(after);
  });
});

describe('atlas progress over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('sends each page and its progress comment while later pages are still being drawn', async () => {
    const response = await fetch(`${server.url}/api/areas/SK-01/atlas.pdf`);
    expect(response.status).toBe(200);
    const pages = Number(response.headers.get('x-atlas-pages'));
    expect(pages).toBeGreaterThan(3);
    const reader = response.body!.getReader();
    const seen: { page: number; chunk: number }[] = [];
    let carry = '';
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = carry + Buffer.from(value).toString('latin1');
      for (const m of text.matchAll(MARKER)) if (!seen.some((s) => s.page === Number(m[1]))) seen.push({ page: Number(m[1]), chunk: chunks });
      carry = text.slice(-40);
      chunks++;
    }
    expect(seen.map((s) => s.page)).toEqual(Array.from({ length: pages }, (_, i) => i + 1).slice(pages - seen.length));
    expect(seen.at(-1)!.page).toBe(pages);
    // The first page's comment arrived in an earlier piece of the body than the last page's.
    expect(seen[0].chunk).toBeLessThan(seen.at(-1)!.chunk);
  });
});
