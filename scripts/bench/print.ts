/**
 * Print benchmark: the Thateng district atlas (SK-01) and a 70-village atlas, rendered by the
 * server's own code into a discarding stream; reports ms per page and RSS as pages grow.
 *   DATABASE_URL=... npx tsx scripts/bench/print.ts      (unset: the embedded database in DATA_DIR)
 * The 70-village atlas repeats the demo province's mapped villages (35) twice under one cover,
 * since the demo has no single area with 70 mapped villages.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrate.js';
import { isEmpty, loadDemo } from '../../server/demo/load.js';
import { atlasPageCount, renderAtlas, type AtlasContent, type AtlasInput } from '../../server/print/atlas.js';
import { atlasData } from '../../server/print/atlasStore.js';
import { renderVillageMap } from '../../server/print/villageMap.js';

interface Result {
  name: string;
  pages: number;
  bytes: number;
  totalMs: number;
  msPerPage: number;
  rssAtPage10Mb: number;
  rssPeakMb: number;
  rssLastMb: number;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function bench(name: string, content: AtlasContent): Promise<Result> {
  const input: AtlasInput = { ...content, printedAt: new Date('2025-01-15T00:00:00Z') };
  const rss: number[] = [];
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done();
    },
  });
  const started = performance.now();
  const doc = renderAtlas(input, { onPage: () => rss.push(process.memoryUsage().rss) });
  await pipeline(doc, sink);
  const totalMs = performance.now() - started;
  return {
    name,
    pages: atlasPageCount(input),
    bytes,
    totalMs: Math.round(totalMs),
    msPerPage: Math.round(totalMs / atlasPageCount(input)),
    rssAtPage10Mb: mb(rss[Math.min(9, rss.length - 1)]),
    rssPeakMb: mb(Math.max(...rss)),
    rssLastMb: mb(rss[rss.length - 1]),
  };
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const db = await openDatabase(config);
  try {
    await migrate(db.pool);
    if (await isEmpty(db)) await loadDemo(db, config.fixturesDir);
    const thateng = await atlasData(db.pool, 'SK-01');
    const districts = await Promise.all(['SK-01', 'SK-02', 'SK-03', 'SK-04'].map((code) => atlasData(db.pool, code)));
    const mapped = districts.flatMap((d) => d.villages.filter((v) => v.geometry));
    const sheets = districts.flatMap((d) => d.sheets);
    const seventy: AtlasContent = {
      ...districts[0],
      villages: [...mapped, ...mapped.map((v) => ({ ...v, code: `${v.code}-B` }))].slice(0, 70),
      sheets: [...sheets, ...sheets].slice(0, 70),
      groups: [],
    };
    // Warm-up: parse the fonts once, as a running server has.
    const warm = performance.now();
    await renderVillageMap({ ...thateng.sheets[0], printedAt: new Date() });
    console.log(`warm-up (font parsing + first sheet): ${Math.round(performance.now() - warm)} ms`);
    const results = [await bench('Thateng district (SK-01)', thateng), await bench(`${seventy.sheets.length}-village atlas`, seventy)];
    console.table(results);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
