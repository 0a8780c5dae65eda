import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { testApp } from './app.js';

/** The real app listening on a random localhost port, for browser tests. */
export async function startTestServer(): Promise<{ url: string; adminToken: string; close(): Promise<void> }> {
  const { app, db } = await testApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    adminToken: inject('adminToken'),
    async close() {
      await app.close();
      await db.close();
    },
  };
}
