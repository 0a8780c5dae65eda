import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { useTestApp } from '../../test/helpers/app.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { Database } from '../db/database.js';

const hasPoppler = hasTool('pdftotext', ['-v']);

let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

describe.skipIf(!hasPoppler)('every demo village with a boundary prints', () => {
  it('as a one-page PDF naming the village in both scripts, with its scale', async () => {
    const { rows } = await db.pool.query<{ code: string; name: string; name_local: string }>(
      `SELECT code, name, name_local FROM area WHERE level = 'ban' AND geom IS NOT NULL AND code LIKE 'SK-%' ORDER BY code`);
    expect(rows.length).toBeGreaterThanOrEqual(45);
    for (const v of rows) {
      const res = await app.inject(`/api/maps/${v.code}.pdf`);
      expect(res.statusCode, v.code).toBe(200);
      const text = execFileSync('pdftotext', ['-', '-'], { input: res.rawPayload }).toString();
      expect(text, v.code).toContain(v.name);
      // pdftotext reads Lao through the invisible original-spelling layer the map carries.
      expect(text.replace(/\s+/g, ''), v.code).toContain(v.name_local.replace(/\s+/g, ''));
      expect(text, v.code).toMatch(/1:(5|10|25|50|100),000/);
      const pages = execFileSync('pdfinfo', ['-'], { input: res.rawPayload }).toString().match(/Pages:\s+(\d+)/)![1];
      expect(Number(pages), v.code).toBe(1);
    }
  }, 300_000);
});
