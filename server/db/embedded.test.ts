import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbedded } from './embedded.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-embedded-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function count(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_class')).rows[0].n;
  } finally {
    await client.end();
  }
}

describe('the embedded database directory', () => {
  it('is opened by one process at a time, and released when it stops', async () => {
    const first = await startEmbedded(dataDir);
    try {
      expect(fs.readFileSync(path.join(dataDir, 'pglite', 'tessera.pid'), 'utf8')).toBe(`${process.pid}\n`);
      await expect(startEmbedded(dataDir)).rejects.toThrow(`is in use by process ${process.pid}`);
      expect(await count(first.url)).toBeGreaterThan(0);
    } finally {
      await first.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'tessera.pid'))).toBe(false);
    const again = await startEmbedded(dataDir);
    await again.stop();
  });

  it('takes over the lock of a process that is gone', async () => {
    // The pid of a process that has ended: a server that was killed and left its lock.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(path.join(dataDir, 'pglite', 'tessera.pid'), `${gone}\n`);
    const server = await startEmbedded(dataDir);
    try {
      expect(fs.readFileSync(path.join(dataDir, 'pglite', 'tessera.pid'), 'utf8')).toBe(`${process.pid}\n`);
    } finally {
      await server.stop();
    }
  });
});
