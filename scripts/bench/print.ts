/**
 * Print benchmark: 1000- and 300-page atlases (memory as pages grow), the Thateng district atlas
 * (SK-01) and a 70-village atlas, rendered by the server's own code into a discarding stream.
 *   DATABASE_URL=... npx tsx scripts/bench/print.ts      (unset: the embedded database in DATA_DIR)
 * The 70-, 300- and 1000-village atlases repeat the demo province's mapped villages (35) under one
 * cover, since the demo has no single area with that many; every sheet is a full village sheet.
 * Reports the time of the cover with its index pages, ms per village sheet (mean and slowest),
 * the process RSS at pages 10, 70, 300 and 1000 as a server would see it (no forced
 * collection), and the live JavaScript heap after a full collection at pages 30, 300 and 1000:
 * what the atlas really holds on to.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrate.js';
import { isEmpty, loadDemo } from '../../server/demo/load.js';
import { atlasPageCount, renderAtlas, type AtlasContent, type AtlasInput } from '../../server/print/atlas.js';
import { atlasData } from '../../server/print/atlasStore.js';
import { villageMapData } from '../../server/print/store.js';
import { renderVillageMap } from '../../server/print/villageMap.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const RSS_PAGES = [10, 70, 300, 1000];
const HEAP_PAGES = [30, 300, 1000];

interface Result {
  atlas: string;
  pages: number;
  mb: number;
  /** The cover and its index continuation pages, drawn in one go before the first sheet. */
  coverMs: string;
  msPerSheet: number;
  slowestSheetMs: number;
  rss: Record<number, number>;
  liveHeap: Record<number, number>;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function bench(name: string, content: AtlasContent): Promise<Result> {
  const input: AtlasInput = {
    ...content,
    printedAt: new Date('2025-01-15T00:00:00Z'),
    versionUrl: (code, version) => `http://127.0.0.1:3000/#area=${encodeURIComponent(code)}&version=${version}`,
  };
  const rss: Record<number, number> = {};
  const liveHeap: Record<number, number> = {};
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done();
    },
  });
  let slowest = 0;
  let coverMs = '';
  let sheetsMs = 0;
  let last = performance.now();
  const doc = renderAtlas(input, {
    onPage: (page) => {
      const now = performance.now();
      if (coverMs === '') coverMs = `${Math.round(now - last)} (${page} p.)`;
      else {
        slowest = Math.max(slowest, now - last);
        sheetsMs += now - last;
      }
      if (RSS_PAGES.includes(page)) rss[page] = mb(process.memoryUsage().rss);
      if (HEAP_PAGES.includes(page)) {
        collectGarbage();
        liveHeap[page] = mb(process.memoryUsage().heapUsed);
      }
      last = performance.now();
    },
  });
  await pipeline(doc, sink);
  return {
    atlas: name,
    pages: atlasPageCount(input),
    mb: mb(bytes),
    coverMs,
    msPerSheet: Math.round(sheetsMs / input.sheets.length),
    slowestSheetMs: Math.round(slowest),
    rss,
    liveHeap,
  };
}

/**
 * The memory an atlas's input holds per sheet: read as the atlas store reads it (each area once,
 * shared by the sheets that show it) and, for comparison, sheet by sheet as it was read before
 * (each sheet its own copies of kumban, district, province, neighbours and tracks).
 */
async function inputHeld(db: Awaited<ReturnType<typeof openDatabase>>, code: string): Promise<void> {
  const heap = () => {
    collectGarbage();
    return process.memoryUsage().heapUsed;
  };
  const start = heap();
  const atlas = await atlasData(db.pool, code);
  const shared = heap();
  const copies = [];
  for (const sheet of atlas.sheets) copies.push(await villageMapData(db.pool, sheet.village.code));
  const separate = heap();
  const kb = (bytes: number) => Math.round(bytes / atlas.sheets.length / 1024);
  console.log(
    `input of the ${code} atlas (${atlas.sheets.length} sheets): ${kb(shared - start)} KB per sheet as read now, ` +
      `${kb(separate - shared)} KB per sheet read sheet by sheet (kept: ${copies.length + atlas.sheets.length} sheets)`,
  );
}

/** An atlas of `count` sheets made by repeating the mapped villages of the given atlases. */
function repeated(count: number, districts: AtlasContent[]): AtlasContent {
  const sheets = districts.flatMap((d) => d.sheets);
  const villages = districts.flatMap((d) => d.villages.filter((v) => v.geometry));
  const copy = (i: number) => Math.floor(i / sheets.length);
  return {
    ...districts[0],
    groups: [],
    villages: Array.from({ length: count }, (_, i) => ({ ...villages[i % villages.length], code: `${villages[i % villages.length].code}${copy(i) ? `-${copy(i)}` : ''}` })),
    sheets: Array.from({ length: count }, (_, i) => sheets[i % sheets.length]),
  };
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const db = await openDatabase(config);
  let districts: AtlasContent[];
  try {
    await migrate(db.pool);
    if (await isEmpty(db)) await loadDemo(db, config.fixturesDir);
    districts = await Promise.all(['SK-01', 'SK-02', 'SK-03', 'SK-04'].map((code) => atlasData(db.pool, code)));
    await inputHeld(db, 'SK-02');
  } finally {
    await db.close();
  }
  // Warm-up: parse the fonts once, as a running server has.
  const warm = performance.now();
  await renderVillageMap({ ...districts[0].sheets[0], printedAt: new Date() });
  console.log(`warm-up (font parsing + first sheet): ${Math.round(performance.now() - warm)} ms`);
  const results = [
    await bench('1000-village atlas', repeated(1000, districts)),
    await bench('300-village atlas', repeated(300, districts)),
    await bench('Thateng district (SK-01)', districts[0]),
    await bench('70-village atlas', repeated(70, districts)),
  ];
  const cell = (r: Record<number, number>, page: number) => (r[page] === undefined ? '' : String(r[page]));
  console.log(`\n| atlas | pages | MB | cover + index ms | ms per sheet | slowest sheet ms | ${RSS_PAGES.map((p) => `RSS p${p}`).join(' | ')} | ${HEAP_PAGES.map((p) => `live heap p${p}`).join(' | ')} |`);
  console.log(`|---|---|---|---|---|---|${RSS_PAGES.map(() => '---').join('|')}|${HEAP_PAGES.map(() => '---').join('|')}|`);
  for (const r of results) {
    console.log(`| ${r.atlas} | ${r.pages} | ${r.mb} | ${r.coverMs} | ${r.msPerSheet} | ${r.slowestSheetMs} | ${RSS_PAGES.map((p) => cell(r.rss, p)).join(' | ')} | ${HEAP_PAGES.map((p) => cell(r.liveHeap, p)).join(' | ')} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
