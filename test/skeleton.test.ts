import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as turf from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { adminAuth, useTestApp } from './helpers/app.js';
import type { Database } from '../server/db/database.js';
import { multipart } from './helpers/multipart.js';

/**
 * The walking skeleton, end to end on the real database: a village walked with a GPS is
 * uploaded, its perimeter derived into the village polygon, and its map printed.
 */
let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

// A village boundary: a 1.6 km x 1.2 km hexagon-ish ring near Thateng, walked at ~1 m/s.
const TRUTH: [number, number][] = [
  [106.86, 15.55], [106.875, 15.548], [106.876, 15.556], [106.872, 15.561], [106.861, 15.56], [106.858, 15.555], [106.86, 15.55],
];

function walk(ring: [number, number][], stepM: number, sigmaM: number, seed = 7): [number, number][] {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand());
  const out: [number, number][] = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const a = turf.point(ring[i]);
    const b = turf.point(ring[i + 1]);
    const len = turf.distance(a, b, { units: 'meters' });
    const n = Math.max(1, Math.round(len / stepM));
    for (let k = 0; k < n; k++) {
      const p = turf.along(turf.lineString([ring[i], ring[i + 1]]), (len * k) / n, { units: 'meters' });
      const moved = turf.destination(p, Math.abs(gauss()) * sigmaM, rand() * 360, { units: 'meters' });
      out.push(moved.geometry.coordinates as [number, number]);
    }
  }
  return out;
}

function gpx(name: string, points: [number, number][], spikeAt: number): string {
  const t0 = Date.parse('2026-02-03T01:00:00Z');
  const pts = points.map(([lon, lat], i) => {
    const [x, y] = i === spikeAt ? [lon + 0.004, lat + 0.003] : [lon, lat];
    return `<trkpt lat="${y.toFixed(7)}" lon="${x.toFixed(7)}"><ele>${412 + (i % 7)}</ele><time>${new Date(t0 + i * 15_000).toISOString()}</time><hdop>1.4</hdop><sat>9</sat></trkpt>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Garmin eTrex 30x" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="15.55" lon="106.86"><name>Big tamarind tree</name></wpt>
  <trk><name>${name}</name><trkseg>
${pts.join('\n')}
  </trkseg></trk>
</gpx>`;
}

describe('walking skeleton: GPX upload → perimeter derive → PDF map', () => {
  const code = 'SKEL-001';
  const points = walk(TRUTH, 15, 5);
  const file = gpx('Perimeter walk with the chief', points, 40);

  it('creates the village without a boundary', async () => {
    // Its own kumban: committing the village rebuilds the kumban from its villages, and other
    // test files' made-up villages must not take part.
    const kumban = await app.inject({
      method: 'POST', url: '/api/areas', headers: adminAuth(),
      payload: { level: 'kumban', parent: 'SK-04', code: 'SKEL-K', name: 'Skeleton kumban', centre: { type: 'Point', coordinates: [106.867, 15.555] } },
    });
    expect(kumban.statusCode, kumban.body).toBe(201);
    const res = await app.inject({
      method: 'POST', url: '/api/areas', headers: adminAuth(),
      payload: { level: 'ban', parent: 'SKEL-K', code, name: 'Ban Skeleton', name_local: 'ບ້ານທົດສອບ', centre: { type: 'Point', coordinates: [106.867, 15.555] } },
    });
    expect(res.statusCode).toBe(201);
  });

  it('stores the readings and the track of an uploaded GPX, one spike dropped', async () => {
    const { payload, headers } = multipart([{ name: 'walk.gpx', content: file }], { area: code });
    const res = await app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, ...adminAuth() }, payload });
    expect(res.statusCode).toBe(201);
    const report = res.json().report.files[0];
    expect(report.format).toBe('gpx');
    expect(report.readings.read).toBe(points.length);
    expect(report.readings.dropped.speed_spike).toBe(1);
    expect(report.tracks).toHaveLength(1);
    expect(report.tracks[0]).toMatchObject({ kind: 'perimeter', area_code: code });
    expect(report.markers).toBe(1);

    const uploadId = res.json().upload.id;
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE kept)::int AS kept FROM reading WHERE upload_id = $1', [uploadId]);
    expect(rows[0]).toEqual({ n: points.length, kept: points.length - 1 });
    const tracks = await app.inject(`/api/tracks.geojson?area=${code}`);
    expect(tracks.json().features).toHaveLength(1);
    expect(tracks.json().features[0].geometry.coordinates).toHaveLength(points.length - 1);
  });

  it('recognises the same bytes uploaded again and stores nothing twice', async () => {
    const { payload, headers } = multipart([{ name: 'same-walk-renamed.gpx', content: file }], { area: code });
    const res = await app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, ...adminAuth() }, payload });
    expect(res.statusCode).toBe(200);
    expect(res.json().report.files[0].duplicate).toBe(true);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM track t JOIN area a ON a.id = t.area_id WHERE a.code = $1", [code]);
    expect(rows[0].n).toBe(1);
  });

  it('previews, then commits, the village polygon from the walk', async () => {
    const preview = await app.inject({ method: 'POST', url: `/api/areas/${code}/derive`, headers: adminAuth(), payload: { method: 'perimeter' } });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().committed).toBe(false);
    expect((await app.inject(`/api/areas/${code}`)).json().area.version).toBe(1);

    const res = await app.inject({ method: 'POST', url: `/api/areas/${code}/derive`, headers: adminAuth(), payload: { method: 'perimeter', commit: true } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.committed).toBe(true);
    expect(body.area).toMatchObject({ version: 2, status: 'surveyed', method: 'perimeter' });

    // The derived polygon matches the walked truth: IoU over 0.95, area within 3 %.
    const truth = turf.polygon([TRUTH]);
    const derived = turf.multiPolygon(body.geometry.coordinates);
    const pair = turf.featureCollection<Polygon | MultiPolygon>([truth, derived]);
    const inter = turf.intersect(pair)!;
    const union = turf.union(pair)!;
    expect(turf.area(inter) / turf.area(union)).toBeGreaterThan(0.95);
    expect(body.area.area_m2 / turf.area(truth)).toBeGreaterThan(0.97);
    expect(body.area.area_m2 / turf.area(truth)).toBeLessThan(1.03);
    expect(body.metrics.readings_used).toBe(points.length - 1);
    const history = (await app.inject(`/api/areas/${code}/history`)).json().versions;
    expect(history[0].inputs.track_ids).toHaveLength(1);
  });

  it('refuses to derive a village nobody has walked', async () => {
    const created = await app.inject({
      method: 'POST', url: '/api/areas', headers: adminAuth(),
      payload: { level: 'ban', parent: 'SKEL-K', code: 'SKEL-002', name: 'Ban Unwalked', centre: { type: 'Point', coordinates: [106.9, 15.52] } },
    });
    expect(created.statusCode).toBe(201);
    const res = await app.inject({ method: 'POST', url: '/api/areas/SKEL-002/derive', headers: adminAuth(), payload: { method: 'perimeter' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toContain('SKEL-002');
    expect(res.json().error).toBe('NOT_ENOUGH_DATA');
  });

  it('prints the village map as a one-page vector PDF with its name and scale', async () => {
    const res = await app.inject(`/api/maps/${code}.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const hasPoppler = (() => { try { execFileSync('pdftotext', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();
    if (!hasPoppler) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pdf-'));
    const out = path.join(dir, 'map.pdf');
    fs.writeFileSync(out, pdf);
    const text = execFileSync('pdftotext', ['-layout', out, '-']).toString();
    expect(text).toContain('Ban Skeleton');
    expect(text).toMatch(/1\s?:\s?\d{1,3}(,\d{3})+/);
    const pages = execFileSync('pdfinfo', [out]).toString().match(/Pages:\s+(\d+)/)![1];
    expect(Number(pages)).toBe(1);
    fs.mkdirSync('artifacts/skeleton', { recursive: true });
    fs.copyFileSync(out, 'artifacts/skeleton/village-map.pdf');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
