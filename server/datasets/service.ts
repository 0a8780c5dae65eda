import crypto from 'node:crypto';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import * as areas from '../areas/store.js';
import type { ReceivedFile } from '../ingest/receive.js';
import { findUploadBySha } from '../ingest/store.js';
import { RETIRE_AFTER_BYTES, sandboxFor, type ParseLimits, type SandboxRun } from '../ingest/sandbox.js';
import type { CrsProposal } from './crs.js';
import type { Bbox } from './geometry.js';
import type { ZipLister } from './layers.js';
import { suggestFields, type FieldMapping, type FieldReport } from './mapping.js';
import type { DatasetFormat } from './detect.js';
import { PROBLEM_LIST_MAX, type DatasetDone, type DatasetMessage, type DatasetOpened, type DatasetRequest } from './read.js';
import * as store from './store.js';
import { stagingWriterFor } from './staging.js';

export { parseFieldMapping, type FieldMapping } from './mapping.js';

export interface DatasetOptions {
  /** Whether the files are a shapefile, when the caller already looked (datasetUpload): saves listing a zip twice. */
  shapefile?: boolean;
  dryRun: boolean;
  level?: string;
  /** A parent code, or `contains` to find each feature's parent spatially. */
  parent?: string;
  fields: FieldMapping;
  layer?: string;
  crs?: string;
  encoding?: string;
  country: string;
  actor: string | null;
  /** Limits of the thread the dataset is read in (the parse sandbox's); PARSE_DEFAULTS for those not given. */
  parse?: Partial<ParseLimits>;
}

/** What a dry run shows a mapper, and what an import reports (stored with the upload). */
export interface DatasetReport {
  file: string;
  layer: string;
  layers: string[];
  format: DatasetFormat;
  crs: string | null;
  datum: string | null;
  crs_proposals: CrsProposal[];
  /** The bounding box in the file's own units (metres for UTM): what the CRS proposals were made from. */
  source_bbox: Bbox | null;
  encoding: { encoding: string; source: string };
  features: number;
  geometry_types: Record<string, number>;
  /** WGS 84, once the CRS is known. */
  bbox: Bbox | null;
  fields: FieldReport[];
  /** Best guesses of the mapping (`code`, `name`, `name_local`, `parent`, `population`...): to confirm, never applied unasked. */
  suggested_fields: FieldMapping;
  /** The levels areas can be imported at, top first. */
  levels: { key: string; rank: number; label: string; label_local: string | null }[];
  problems: { record: number; problem: string }[];
  /** All problems, when more than the listed first PROBLEM_LIST_MAX. */
  problem_count: number;
  repairs: { record: number; code?: string; reason: string; area_change_pct: number }[];
  created: number;
  updated: number;
  skipped: number;
  warnings: string[];
  duplicate?: boolean;
}

/** The upload's identity for re-upload detection: its one file's hash, or a hash over its files' hashes. */
function uploadSha(files: ReceivedFile[]): string {
  if (files.length === 1) return files[0].sha256;
  return crypto.createHash('sha256').update(files.map((f) => f.sha256).join('\n')).digest('hex');
}

/** Checks on the mapping that need no feature: the level, the fields, the parent given. */
async function checkMapping(db: Database, opts: DatasetOptions, fields: FieldReport[], levels: readonly { key: string; rank: number }[]): Promise<void> {
  if (!opts.level) throw new UserError('VALIDATION_FAILED', 'Say which level the areas are with the level field (e.g. ban), or preview with dry_run=1.');
  const level = levels.find((l) => l.key === opts.level);
  if (!level) throw new UserError('WRONG_LEVEL', `Unknown level '${opts.level}'; the levels are ${levels.map((l) => l.key).join(', ')}.`);
  if (!opts.fields.code || !opts.fields.name) {
    const s = suggestFields(fields);
    throw new UserError('VALIDATION_FAILED', `Map at least code and name with the fields field, e.g. fields=code=${s.code ?? fields[0]?.name ?? 'CODE'},name=${s.name ?? fields[1]?.name ?? 'NAME'}. Fields: ${fields.map((f) => f.name).join(', ')}.`);
  }
  const names = new Set(fields.map((f) => f.name));
  const unknown = Object.entries(opts.fields).filter(([, f]) => fields.length > 0 && !names.has(f!));
  if (unknown.length > 0) {
    throw new UserError('VALIDATION_FAILED', `fields: ${unknown.map(([t, f]) => `${t}=${f}`).join(', ')} names no field of the dataset; its fields are ${[...names].join(', ')}.`);
  }
  if (opts.parent && opts.parent !== 'contains' && !opts.fields.parent) {
    const parent = await areas.getArea(db.pool, opts.parent);
    const above = levels.find((l) => l.rank === level.rank - 1);
    if (!parent) throw new UserError('WRONG_PARENT', `Parent area '${opts.parent}' does not exist.`);
    if (above && parent.level !== above.key) throw new UserError('WRONG_PARENT', `Parent area '${opts.parent}' is a ${parent.level}; areas at level ${level.key} belong to a ${above.key}.`);
  }
}

/** Lists a zip's entries in the parse sandbox, with these limits: how the main thread tells a zipped shapefile from a KMZ. */
export function zipLister(limits: Partial<ParseLimits> = {}): ZipLister {
  return (file) => {
    const { sandbox, timeoutMs } = sandboxFor(limits);
    return sandbox.runToEnd<never, string[]>('zip-names', { file: receivedOnly(file) }, { timeoutMs, files: [file.name], advice: ADVICE });
  };
}

const ADVICE = 'Split the dataset into smaller ones (a district or a province each) and upload them again.';

/** A received file as it crosses to the sandbox: its description, not the caller's object. */
function receivedOnly(f: ReceivedFile): ReceivedFile {
  return { name: f.name, path: f.path, size: f.size, sha256: f.sha256 };
}

/** A problem counted, and listed while the list has room. */
function listProblem(report: DatasetReport, record: number, problem: string): void {
  report.problem_count++;
  if (report.problems.length < PROBLEM_LIST_MAX) report.problems.push({ record, problem });
}

/** What the reading thread found, merged into the report in the order it was found (it lists no more than PROBLEM_LIST_MAX either). */
function mergeFindings(report: DatasetReport, f: Pick<DatasetDone, 'problems' | 'problemCount' | 'repairs'>): void {
  report.problem_count += f.problemCount;
  for (const p of f.problems) if (report.problems.length < PROBLEM_LIST_MAX) report.problems.push(p);
  for (const r of f.repairs) report.repairs.push(r);
}

/**
 * Import (or, with dryRun, preview) the polygons of a dataset (a shapefile layer, a GeoJSON
 * FeatureCollection or a KML/KMZ) as areas at one level. The preview shows fields, samples,
 * suggested mapping, CRS, bbox and problems so a mapper can map fields; the commit writes every
 * area (new ones, or new versions of existing codes) in one transaction, streaming the layer in
 * chunks. The dataset is read in the parse sandbox (read.ts, with its heap and time limits):
 * each chunk is read, reprojected, checked, measured and encoded there while PostGIS writes
 * the chunk before it; this thread only checks the mapping against the database and writes.
 */
export async function importDataset(db: Database, files: ReceivedFile[], opts: DatasetOptions): Promise<{ created: boolean; uploadId?: string; report: DatasetReport }> {
  const levels = await areas.listLevels(db.pool);
  const targetBbox: Bbox | null = opts.parent && opts.parent !== 'contains' ? await store.areaBbox(db.pool, opts.parent) : null;
  const request: DatasetRequest = {
    files: files.map(receivedOnly), shapefile: opts.shapefile, dryRun: opts.dryRun, layer: opts.layer, crs: opts.crs, encoding: opts.encoding, country: opts.country,
    parent: opts.parent, fields: opts.fields, targetBbox, writer: stagingWriterFor(db.kind),
  };
  const { sandbox, timeoutMs } = sandboxFor(opts.parse);
  const run = sandbox.run<DatasetMessage, DatasetDone>('dataset', request, {
    timeoutMs, files: files.map((f) => f.name), advice: ADVICE, retire: files.reduce((n, f) => n + f.size, 0) >= RETIRE_AFTER_BYTES,
  });
  try {
    const first = await run.next();
    if (first.done || first.value.type !== 'opened') throw new Error('the dataset job did not open the dataset first');
    const ds = first.value;
    // A large GeoJSON or KML dataset is read whole into the thread's heap, which grows with it:
    // it ends the thread, as a large GPS file does. A shapefile's bytes are buffers outside the
    // heap and its records pass a chunk at a time, so its thread is kept (starting one costs
    // most of a second, which every import of a large layer would pay).
    if (ds.format === 'shapefile') run.retire(false);
    const report: DatasetReport = {
      file: files.map((f) => f.name).join(', '), layer: ds.layer, layers: ds.layers, format: ds.format,
      crs: ds.crs?.label ?? null, datum: ds.crs?.datum ?? null, crs_proposals: ds.proposals, source_bbox: ds.sourceBbox,
      encoding: ds.encoding, features: 0, geometry_types: {}, bbox: null, fields: [], suggested_fields: {},
      levels: levels.map((l) => ({ key: l.key, rank: l.rank, label: l.label, label_local: l.label_local })),
      problems: [], problem_count: 0, repairs: [], created: 0, updated: 0, skipped: 0, warnings: ds.warnings,
    };
    if (opts.dryRun) {
      await previewRecords(db, run, report);
      return { created: false, report };
    }
    return await importRecords(db, files, opts, ds, run, report);
  } finally {
    run.close();
  }
}

/** The counts of the whole read, once it is done. */
function finish(report: DatasetReport, done: DatasetDone): void {
  mergeFindings(report, done);
  report.features = done.features;
  report.skipped += done.skipped;
  report.geometry_types = done.geometry_types;
  report.bbox = done.bbox;
  report.fields = done.fields;
  report.suggested_fields = suggestFields(done.fields);
}

async function importRecords(
  db: Database, files: ReceivedFile[], opts: DatasetOptions, ds: DatasetOpened, run: SandboxRun<DatasetMessage, DatasetDone>, report: DatasetReport,
): Promise<{ created: boolean; uploadId?: string; report: DatasetReport }> {
  if (!ds.crs) {
    const layer = ds.layer;
    if (ds.proposals.length === 0) {
      throw new UserError('CRS_UNSUPPORTED', `${layer} has no .prj and no usual CRS of the country puts it inside the country; give the CRS with the crs field (e.g. EPSG:32648).`, [{ bbox: ds.sourceBbox }]);
    }
    throw new UserError('CRS_UNSUPPORTED', `${layer} has no .prj. It fits ${ds.proposals.map((p) => p.crs).join(', ')}; confirm one with the crs field (best guess: ${ds.proposals[0].crs}, ${ds.proposals[0].datum}).`, [{ proposals: ds.proposals }]);
  }
  const crs = ds.crs;
  await checkMapping(db, opts, ds.fields, report.levels);
  const sha256 = uploadSha(files);
  const earlier = await findUploadBySha(db.pool, sha256);
  if (earlier) {
    const before = earlier.report as unknown as DatasetReport;
    if (!Array.isArray(before?.fields)) {
      throw new UserError('CONFLICT', `These bytes were uploaded before as GPS readings (upload ${earlier.id}); the same file cannot also be imported as a dataset.`, [{ upload_id: earlier.id }]);
    }
    return { created: false, uploadId: earlier.id, report: { ...before, duplicate: true } };
  }
  const fileName = report.file;
  const uploadId = await withTransaction(db.pool, async (client) => {
    const id = await store.insertUpload(client, {
      filename: fileName, sha256, size: files.reduce((n, f) => n + f.size, 0), kind: ds.format, crs: crs.label, encoding: ds.encoding.encoding, actor: opts.actor,
    });
    await store.createStaging(client);
    const writeOpts = {
      level: opts.level!, parentByContainment: opts.parent === 'contains', statusMapped: !!opts.fields.status, actor: opts.actor,
      inputs: { upload_id: id, layer: ds.layer }, reason: `imported from ${fileName}`,
    };
    let pending: Promise<{ created: number; updated: number }> | null = null;
    const settle = async () => {
      if (!pending) return;
      const p = pending;
      pending = null;
      const written = await p.catch(asImportError);
      report.created += written.created;
      report.updated += written.updated;
    };
    // While PostGIS writes one chunk into `area`, the reading thread prepares the next.
    const write = async (chunk: DatasetDone['chunk']) => {
      await settle();
      if (!chunk || chunk.size === 0) return;
      await store.stageChunk(client, chunk);
      for (const fix of chunk.doubtful > 0 ? await store.repairStaged(client) : []) {
        if (fix.area_change_pct === null) {
          report.skipped++;
          listProblem(report, fix.record, `invalid geometry (${fix.reason}) that cannot be repaired into a polygon`);
        } else report.repairs.push({ record: fix.record, code: fix.code, reason: fix.reason, area_change_pct: fix.area_change_pct });
      }
      const started = store.writeStaged(client, writeOpts);
      started.catch(() => undefined);
      pending = started;
    };
    try {
      for (;;) {
        const step = await run.next();
        if (step.done) {
          finish(report, step.value);
          await write(step.value.chunk);
          break;
        }
        if (step.value.type !== 'chunk') throw new Error(`the dataset job sent '${step.value.type}' during an import`);
        mergeFindings(report, step.value);
        await write(step.value.chunk);
      }
      await settle();
    } catch (err) {
      // The read failed (a limit, the file's own error): the write still running ends before the rollback.
      await settle().catch(() => undefined);
      throw err;
    }
    report.repairs.sort((a, b) => a.record - b.record);
    await store.saveReport(client, id, report);
    return id;
  });
  return { created: true, uploadId, report };
}

/** A database error of the import as the user error it stands for. */
function asImportError(e: { code?: string; message?: string; constraint?: string }): never {
  // The parent trigger names the area whose parent is missing or at the wrong level.
  if (e.code === '23514' && /parent/.test(e.message ?? '')) {
    throw new UserError('WRONG_PARENT', `${e.message}. Map a parent field, give parent=<code>, or parent=contains.`);
  }
  if (e.code === '23514' && e.constraint === 'area_geom_check') {
    throw new UserError('GEOMETRY_INVALID', 'A polygon of the dataset is not valid and could not be stored; preview it with dry_run=1 to see which.');
  }
  throw e;
}

/**
 * The dry run: every record read and described in the reading thread, polygons reprojected and
 * checked there, and by PostGIS here for those JS cannot prove valid; nothing written.
 */
async function previewRecords(db: Database, run: SandboxRun<DatasetMessage, DatasetDone>, report: DatasetReport): Promise<void> {
  for (;;) {
    const step = await run.next();
    if (step.done) {
      finish(report, step.value);
      break;
    }
    if (step.value.type !== 'doubtful') throw new Error(`the dataset job sent '${step.value.type}' during a dry run`);
    const { records, ewkb } = step.value;
    mergeFindings(report, step.value);
    for (const v of await store.invalidReasons(db.pool, records, ewkb)) listProblem(report, v.record, `invalid geometry: ${v.reason}`);
  }
  report.problems.sort((a, b) => a.record - b.record);
}
