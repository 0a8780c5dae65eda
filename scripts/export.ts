/**
 * Exports from the command line, with the server's own code and database:
 *   npm run export -- atlas KUMBAN_OR_DISTRICT_CODE out.pdf
 *   npm run export -- geojson|zip|kml|gpx|csv CODE out.ext [--level=ban]
 * The database is opened as `npm start` opens it (DATABASE_URL, else the embedded one in
 * DATA_DIR). Files are written to a temporary name and renamed, so a failed export never leaves
 * a half-written file under the requested name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../server/config.js';
import { openDatabase, type Database } from '../server/db/database.js';
import { prepareDatabase } from '../server/db/migrate.js';
import { isEmpty, loadDemo } from '../server/demo/load.js';
import { isUserError } from '../server/errors.js';
import { exportBaseName, renderExport } from '../server/export/formats.js';
import { EXPORT_FORMATS, type ExportFormat } from '../server/export/model.js';
import { exportData, withSnapshot } from '../server/export/store.js';
import { atlasPageCount, renderAtlas } from '../server/print/atlas.js';
import { atlasData } from '../server/print/atlasStore.js';
import { recordAtlasPrint } from '../server/print/printLog.js';

const USAGE = `usage: npm run export -- atlas CODE out.pdf
       npm run export -- ${EXPORT_FORMATS.join('|')} CODE out.ext [--level=LEVEL]`;

interface Command {
  kind: 'atlas' | ExportFormat;
  code: string;
  out: string;
  level?: string;
}

function parseArgs(argv: string[]): Command {
  const level = argv.find((a) => a.startsWith('--level='))?.slice('--level='.length);
  const [kind, code, out, ...rest] = argv.filter((a) => !a.startsWith('--level='));
  if (!kind || !code || !out || rest.length > 0) throw new Error(USAGE);
  if (kind !== 'atlas' && !(EXPORT_FORMATS as readonly string[]).includes(kind)) throw new Error(`unknown export '${kind}'\n${USAGE}`);
  if (kind === 'atlas' && level) throw new Error('--level does not apply to an atlas');
  return { kind: kind as Command['kind'], code, out: path.resolve(out), level };
}

async function writeAtlas(db: Database, cmd: Command, publicUrl: string, tmp: string): Promise<string> {
  const content = await atlasData(db.pool, cmd.code);
  const input = {
    ...content,
    printedAt: new Date(),
    versionUrl: (code: string, version: number) => `${publicUrl}/#area=${encodeURIComponent(code)}&version=${version}`,
  };
  const pages = atlasPageCount(input);
  const started = performance.now();
  const doc = renderAtlas(input, {
    // On a terminal the count rewrites itself in place; in a log, one line per page.
    onPage: (page) => process.stderr.write(process.stderr.isTTY ? `\rpage ${page} of ${pages}` : `page ${page} of ${pages}\n`),
    beforeEnd: () => recordAtlasPrint(db.pool, content.area, content.sheets.map((s) => s.village), 'cli'),
  });
  await pipeline(doc, fs.createWriteStream(tmp));
  if (process.stderr.isTTY) process.stderr.write('\n');
  return `${pages} pages in ${((performance.now() - started) / 1000).toFixed(1)} s`;
}

async function writeData(db: Database, cmd: Command & { kind: ExportFormat }, tmp: string): Promise<string> {
  const data = await withSnapshot(db.pool, (client) => exportData(client, cmd.code, { level: cmd.level }));
  await fs.promises.writeFile(tmp, await renderExport(cmd.kind, data, exportBaseName(data, cmd.level)));
  return `${data.areas.length} areas, ${data.markers.length} markers`;
}

async function main(): Promise<void> {
  const cmd = parseArgs(process.argv.slice(2));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const db = await openDatabase(config);
  const tmp = `${cmd.out}.${process.pid}.tmp`;
  try {
    await prepareDatabase(db.pool, config.levelNames);
    if (config.loadDemo && (await isEmpty(db))) await loadDemo(db, config.fixturesDir);
    const summary = cmd.kind === 'atlas'
      ? await writeAtlas(db, cmd, config.publicUrl, tmp)
      : await writeData(db, cmd as Command & { kind: ExportFormat }, tmp);
    await fs.promises.rename(tmp, cmd.out);
    console.log(`${cmd.out}: ${summary}`);
  } finally {
    await fs.promises.rm(tmp, { force: true });
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(isUserError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : err);
  process.exit(1);
});
