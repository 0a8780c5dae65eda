/**
 * `npm start` runs this first: build the web bundle when it is missing or older than its
 * sources, so a fresh clone serves the map without a separate build step.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../server/config.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

const web = path.join(PROJECT_ROOT, 'web');
const built = path.join(web, 'dist', 'index.html');
const sources = Math.max(newestMtime(path.join(web, 'src')), fs.statSync(path.join(web, 'index.html')).mtimeMs);
if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < sources) {
  console.log('building the web app...');
  execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}
