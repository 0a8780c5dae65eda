import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, queryString } from './client.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local server standing in for the API, recording what the client sends. */
describe('API client', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
        response.setHeader('content-type', 'application/json');
        if (request.url === '/api/areas/NOPE') {
          response.statusCode = 404;
          response.end(JSON.stringify({ error: 'area_not_found', message: 'No area NOPE', details: ['NOPE'] }));
        } else if (request.url?.startsWith('/api/areas?')) {
          response.end(JSON.stringify({ areas: [{ code: 'LP-01' }] }));
        } else if (request.url?.startsWith('/api/uploads')) {
          response.statusCode = 201;
          response.end(JSON.stringify({ upload: { id: 7 }, report: { files: [] } }));
        } else if (request.url?.endsWith('/derive')) {
          response.end(JSON.stringify({ committed: JSON.parse(body).commit }));
        } else {
          response.statusCode = 500;
          response.end('not json');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends only the filters that are set', async () => {
    const api = createApiClient({ baseUrl });
    expect(await api.areas({ q: 'ນາຄຳ', level: 'ban' })).toEqual([{ code: 'LP-01' }]);
    const url = new URL(seen.at(-1)!.url, baseUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'ນາຄຳ', level: 'ban' });
  });

  it("turns an error body into an ApiError with the server's message", async () => {
    const api = createApiClient({ baseUrl });
    const error = await api.area('NOPE').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'area_not_found', message: 'No area NOPE', details: ['NOPE'] });
  });

  it('reports a non-JSON failure by its status', async () => {
    const error = await createApiClient({ baseUrl }).history('X').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 500, code: 'http_error' });
  });

  it('uploads files as multipart with the token and the area', async () => {
    const api = createApiClient({ baseUrl });
    const file = new File(['<gpx/>'], 'walk.gpx', { type: 'application/gpx+xml' });
    const result = await api.upload([file], { area: 'LP-01', token: 'tok' });
    expect(result.upload?.id).toBe(7);
    const request = seen.at(-1)!;
    expect(request.headers.authorization).toBe('Bearer tok');
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(request.body).toContain('name="area"');
    expect(request.body).toContain('filename="walk.gpx"');
  });

  it('asks for a dry run with the dataset mapping as form fields', async () => {
    const api = createApiClient({ baseUrl });
    const file = new File(['x'], 'villages.zip');
    await api.upload([file], { token: 'tok', dryRun: true, fields: { level: 'ban', parent: '', fields: 'code=VIL_CODE' } });
    const request = seen.at(-1)!;
    expect(request.url).toBe('/api/uploads?dry_run=1');
    expect(request.body).toContain('name="level"');
    expect(request.body).toContain('code=VIL_CODE');
    expect(request.body).not.toContain('name="parent"');
  });

  it('asks for a perimeter derive as preview or commit', async () => {
    const api = createApiClient({ baseUrl });
    expect((await api.derive('LP-01', { method: 'perimeter', commit: false, token: 'tok' })).committed).toBe(false);
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ method: 'perimeter', commit: false });
    await api.derive('LP', { method: 'segments', toleranceM: 25, commit: true, token: 'tok' });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ method: 'segments', tolerance_m: 25, commit: true });
    expect(api.mapPdfUrl('LP 01')).toBe(`${baseUrl}/api/maps/LP%2001.pdf`);
  });

  it('builds query strings without empty values', () => {
    expect(queryString({ a: 'x', b: undefined, c: '' })).toBe('?a=x');
    expect(queryString({})).toBe('');
  });
});
