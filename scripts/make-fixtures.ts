/**
 * Regenerates the demo fixtures (Sekong province) or a synthetic province for benchmarks:
 *
 *   npx tsx scripts/make-fixtures.ts                     # fixtures/demo, byte-identical every run
 *   npx tsx scripts/make-fixtures.ts --out /tmp/bench --villages 1000 --seed 7 [--perimeter-fix-interval 60] [--segment-fix-interval 12]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_OPTIONS, generateFixtures, type FixtureOptions } from './fixtures/generate.js';
import { summarise } from './fixtures/preview.js';

const DEFAULT_OUT = fileURLToPath(new URL('../fixtures/demo/', import.meta.url));

/** Files and folders the generator owns in an output directory, removed before writing. */
const GENERATED = ['gpx', 'areas.geojson', 'boundaries.geojson', 'manifest.json', 'preview.svg'];

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      villages: { type: 'string' },
      seed: { type: 'string' },
      'perimeter-fix-interval': { type: 'string' },
      'segment-fix-interval': { type: 'string' },
    },
  });
  const options: FixtureOptions = {
    villageCount: positiveInteger('villages', values.villages, DEMO_OPTIONS.villageCount),
    seed: positiveInteger('seed', values.seed, DEMO_OPTIONS.seed),
    perimeterFixIntervalS: positiveInteger('perimeter-fix-interval', values['perimeter-fix-interval'], DEMO_OPTIONS.perimeterFixIntervalS),
    segmentFixIntervalS: positiveInteger('segment-fix-interval', values['segment-fix-interval'], DEMO_OPTIONS.segmentFixIntervalS),
  };
  const out = resolve(values.out ?? DEFAULT_OUT);
  const started = performance.now();
  const fixtures = generateFixtures(options);
  const generatedMs = performance.now() - started;
  for (const name of GENERATED) await rm(join(out, name), { recursive: true, force: true });
  let bytes = 0;
  for (const [path, content] of fixtures.files) {
    const target = join(out, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    bytes += Buffer.byteLength(content);
  }
  const points = fixtures.manifest.files.reduce((sum, f) => sum + f.points, 0);
  console.log(`seed ${options.seed}, ${options.villageCount} villages, a fix every ${options.perimeterFixIntervalS} s on perimeter walks, ${options.segmentFixIntervalS} s on segment walks`);
  console.log(`wrote ${fixtures.files.size} files (${(bytes / 1e6).toFixed(1)} MB, ${points} GPS points) to ${out}`);
  console.log(`generated in ${(generatedMs / 1000).toFixed(1)} s`);
  for (const line of summarise(fixtures.province.areas)) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
