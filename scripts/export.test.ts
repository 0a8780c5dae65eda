import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../server/config.js';

const run = promisify(execFile);
const hasPoppler = fs.existsSync('/usr/bin/pdfinfo');

/** `npm run export -- atlas CODE FILE` on the suite's database: the atlas a member of staff prints from the command line. */
describe.skipIf(!hasPoppler)('npm run export -- atlas', () => {
  it('writes the kumban atlas: a cover and one page per village with a boundary, and says so', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-export-')), 'houiysai.pdf');
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/export.ts', 'atlas', 'SK-01-01', out], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    const info = (await run('pdfinfo', [out])).stdout;
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(`${stdout}${stderr}`).toContain(`${pages} pages in`);
    expect(stderr).toContain(`page ${pages} of ${pages}\n`);
    const cover = (await run('pdftotext', ['-f', '1', '-l', '1', out, '-'])).stdout;
    expect(cover).toContain('Houiysai');
    expect(cover).toContain('SK-01-01-001');
  }, 180_000);
});
