import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../server/config.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-start-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `npm start` as a process manager runs it (systemd, a container, `kill`): the stop signal goes
 * to npm, and must reach the server, which closes the app and the embedded database and
 * releases its lock. Through `sh -c` it did not: the server kept running after npm was told to stop.
 */
describe('npm start', () => {
  it('stops the server cleanly when npm is sent SIGTERM, releasing the embedded database', async () => {
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, TESSERA_DEMO: '0', PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => output, { timeout: 150_000, interval: 250 }).toContain('Tessera is up');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const lock = path.join(dataDir, 'pglite', 'tessera.pid');
      expect(fs.existsSync(lock)).toBe(true);
      child.kill('SIGTERM');
      await exited;
      expect(output).toContain('SIGTERM: shutting down');
      expect(fs.existsSync(lock)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 200_000);
});
