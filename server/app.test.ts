import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../test/helpers/app.js';

/** A built page as Vite writes it: index.html, and assets named by their content hash. */
const webDist = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-web-'));
fs.mkdirSync(path.join(webDist, 'assets'));
fs.writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>Tessera</title><script type="module" src="/assets/app-Ab12Cd34.js"></script>');
fs.writeFileSync(path.join(webDist, 'assets', 'app-Ab12Cd34.js'), 'console.log("tessera");');
fs.writeFileSync(path.join(webDist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

describe('the built web page', () => {
  let app: FastifyInstance;
  useTestApp((t) => ({ app } = t), { TESSERA_WEB_DIST: webDist });
  afterAll(() => fs.rmSync(webDist, { recursive: true, force: true }));

  it('lets browsers keep hashed assets for good and revalidate everything else', async () => {
    const asset = await app.inject('/assets/app-Ab12Cd34.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("tessera");');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/', '/favicon.svg']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });
});
