/**
 * One Tessera ingest of one GPX file, in a process of its own so that its peak RSS is the
 * ingest's and nothing else's. Run by ingest-gpx.ts; prints one JSON line:
 *   npx tsx scripts/bench/ingest-once.ts FILE SHA256 DATABASE_URL
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { parseSandbox } from '../../server/ingest/sandbox.js';
import { ingestFiles } from '../../server/ingest/service.js';

/** Peak resident set size of this process so far, from the kernel's high-water mark, in bytes. */
function peakRssBytes(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const [file, sha256, url] = process.argv.slice(2);
  if (!file || !sha256 || !url) throw new Error('usage: ingest-once.ts FILE SHA256 DATABASE_URL');
  const config = loadConfig({ ...process.env, DATABASE_URL: url });
  const db = await openDatabase({ databaseUrl: url, dataDir: config.dataDir }, { poolSize: 2 });
  // A running server has its parsing thread loaded already (it is kept between uploads).
  await parseSandbox(config.parse).warm();
  const baselineRss = process.memoryUsage().rss;
  let sampledPeak = baselineRss;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
  }, 25);
  try {
    const size = fs.statSync(file).size;
    const started = performance.now();
    // The API's own options: limits and cleaning thresholds from the configuration.
    const result = await ingestFiles(db, [{ name: path.basename(file), path: file, size, sha256 }], {
      area: null,
      actor: 'bench',
      maxPoints: config.limits.points,
      cleaning: { maxHdop: config.cleaning.maxHdop, maxSpeedMps: config.cleaning.maxSpeedMps },
      parse: config.parse,
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const report = result.report.files[0];
    if (report.duplicate) throw new Error('the file was already stored: the bench must delete it before each run');
    process.stdout.write(
      `${JSON.stringify({
        seconds,
        peakRssBytes: peakRssBytes(),
        sampledPeakRssBytes: sampledPeak,
        baselineRssBytes: baselineRss,
        read: report.readings.read,
        kept: report.readings.kept,
        dropped: report.readings.dropped,
        uploadId: report.upload_id,
      })}\n`,
    );
  } finally {
    clearInterval(sampler);
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
