import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/db/database.js';
import { prepareDatabase } from '../server/db/migrate.js';
import { isUserError } from '../server/errors.js';
import { receiveLocalFile, type ReceivedFile } from '../server/ingest/receive.js';
import { ingestFiles, type FileReport } from '../server/ingest/service.js';
import { datasetUpload } from '../server/datasets/detect.js';
import { importDataset, parseFieldMapping, zipLister } from '../server/datasets/service.js';

const USAGE = `usage: npm run import -- FILES... [--area CODE] [--crs EPSG:xxxx] [--encoding NAME]
       npm run import -- SHAPEFILE.zip|.shp... --level LEVEL [--parent CODE|contains] --fields code=F,name=F[,name_local=F,...] [--layer NAME] [--crs EPSG:xxxx] [--dry-run]
       npm run import -- VILLAGES.geojson|.kml|.kmz --level LEVEL ...   (or --dataset --dry-run to preview)`;

/**
 * Imports GPS files from the command line through the same code path as `POST /api/uploads`:
 * all files are one upload (one transaction), and each file's report is printed as text.
 * Exits 1 with the message of the first user error (nothing is stored then).
 */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      area: { type: 'string' }, crs: { type: 'string' }, encoding: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      level: { type: 'string' }, parent: { type: 'string' }, fields: { type: 'string' }, layer: { type: 'string' }, 'dry-run': { type: 'boolean' },
      dataset: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length === 0) {
    console.error(USAGE);
    return values.help ? 0 : 1;
  }
  let files: ReceivedFile[];
  try {
    files = await Promise.all(positionals.map((f) => receiveLocalFile(f)));
  } catch (err) {
    console.error(`cannot read ${(err as { path?: string }).path ?? 'a file'}: ${(err as Error).message}`);
    return 1;
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await prepareDatabase(db.pool, config.levelNames);
    const dataset = await datasetUpload(files, { level: values.level, dataset: values.dataset ? '1' : undefined }, zipLister(config.parse));
    if (dataset) {
      const imported = await importDataset(db, files, {
        shapefile: dataset.shapefile, dryRun: !!values['dry-run'], level: values.level, parent: values.parent, fields: parseFieldMapping(values.fields),
        layer: values.layer, crs: values.crs, encoding: values.encoding, country: config.country, actor: `cli:${process.env.USER ?? 'unknown'}`,
        parse: config.parse,
      });
      console.log(JSON.stringify(imported.report, null, 2));
      return 0;
    }
    const result = await ingestFiles(db, files, {
      area: values.area ?? null,
      crs: values.crs,
      encoding: values.encoding,
      actor: `cli:${process.env.USER ?? 'unknown'}`,
      maxPoints: config.limits.points,
      cleaning: { maxHdop: config.cleaning.maxHdop, maxSpeedMps: config.cleaning.maxSpeedMps },
      parse: config.parse,
    });
    for (const report of result.report.files) console.log(formatReport(report));
    return 0;
  } catch (err) {
    if (!isUserError(err)) throw err;
    console.error(`${err.code}: ${err.message}`);
    return 1;
  } finally {
    await db.close();
  }
}

/** One file's upload report as a few lines of text for a terminal. */
export function formatReport(r: FileReport): string {
  const lines: string[] = [];
  const what = [r.format + (r.version ? ` ${r.version}` : ''), r.crs, r.creator].filter(Boolean).join(', ');
  lines.push(`${r.file} (${what})${r.duplicate ? ' — already uploaded, nothing stored again' : ''}`);
  lines.push(`  upload ${r.upload_id}`);
  const dropped = Object.entries(r.readings.dropped).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`);
  lines.push(`  readings: ${r.readings.read} read, ${r.readings.kept} kept${dropped.length ? `, dropped: ${dropped.join(', ')}` : ''}`);
  for (const t of r.tracks) {
    const areas = [t.area_code, t.other_area_code].filter(Boolean).join(' | ');
    lines.push(`  track ${t.id}${t.name ? ` '${t.name}'` : ''}: ${t.kind}${areas ? ` of ${areas}` : ''}, ${t.kept} kept, ${t.dropped} dropped`);
  }
  lines.push(`  markers: ${r.markers}`);
  if (r.bbox) lines.push(`  bbox: ${r.bbox.map((v) => v.toFixed(6)).join(', ')}`);
  if (r.time_span) lines.push(`  time: ${r.time_span.start} to ${r.time_span.end}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.stack ?? err.message : err);
      process.exit(2);
    },
  );
}
