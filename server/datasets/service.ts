import crypto from 'node:crypto';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import * as areas from '../areas/store.js';
import type { ReceivedFile } from '../ingest/receive.js';
import { findUploadBySha } from '../ingest/store.js';
import { crsFromCode, crsFromPrj, proposeCrs, projectGeometry, type CrsProposal, type SourceCrs } from './crs.js';
import {
  allFinite, certainlyValid, closeRings, extendBbox, geodesicMeasures, interiorPoint, isPolygonal, multiPolygonEwkb, type Bbox, type Polygons,
} from './geometry.js';
import { geoJsonCrs, geoJsonRecords, readGeoJsonDataset } from './geojson.js';
import { readKmlDataset } from './kml.js';
import { collectLayers, layerBbox, layerEncoding, layerFields, readLayer, type LayerRecord, type ShapefileLayer } from './layers.js';
import { FieldSummary, suggestFields, type FieldMapping, type FieldReport } from './mapping.js';
import { datasetKind, type DatasetFormat } from './detect.js';
import { countDbfRecords, countShpRecords } from './shp.js';
import * as store from './store.js';

export { parseFieldMapping, type FieldMapping } from './mapping.js';

export interface DatasetOptions {
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

const PROBLEM_LIST_MAX = 1000;
/** Features per staged chunk: big enough to amortise a statement, small enough to overlap reading with writing. */
const CHUNK = 5000;
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A dataset opened for reading: its description and its records, one at a time. */
interface OpenedDataset {
  format: DatasetFormat;
  layer: string;
  layers: string[];
  encoding: { encoding: string; source: string };
  warnings: string[];
  declaredFields: { name: string; dbf_type?: string }[];
  crs: SourceCrs | null;
  proposals: CrsProposal[];
  sourceBbox: Bbox | null;
  records: () => Iterable<LayerRecord>;
}

async function openShapefile(db: Database, files: ReceivedFile[], opts: DatasetOptions): Promise<OpenedDataset> {
  const layers = await collectLayers(files);
  if (layers.length === 0) throw new UserError('VALIDATION_FAILED', 'The upload holds no .shp file.');
  let layer: ShapefileLayer = layers[0];
  if (opts.layer) {
    const found = layers.find((l) => l.name.toLowerCase() === opts.layer!.toLowerCase());
    if (!found) throw new UserError('VALIDATION_FAILED', `No layer '${opts.layer}'; the upload holds ${layers.map((l) => l.name).join(', ')}.`);
    layer = found;
  } else if (layers.length > 1 && !opts.dryRun) {
    throw new UserError('VALIDATION_FAILED', `The upload holds ${layers.length} shapefiles (${layers.map((l) => l.name).join(', ')}); choose one with the layer field.`, [
      { code: 'MULTIPLE_LAYERS', layers: layers.map((l) => l.name) },
    ]);
  }
  const warnings: string[] = [];
  if (!layer.shx) warnings.push(`${layer.name}: no .shx index; records were read in file order from the .shp.`);
  if (!layer.dbf) warnings.push(`${layer.name}: no .dbf; features have no attributes.`);
  else {
    // Attributes are joined to shapes by position: with different counts they would be misjoined.
    const shapes = countShpRecords(layer.shp);
    const rows = countDbfRecords(layer.dbf);
    if (shapes !== rows) {
      const text = `${layer.name}: the .shp has ${shapes} shapes and the .dbf ${rows} records; attributes would land on the wrong shapes.`;
      if (!opts.dryRun) throw new UserError('VALIDATION_FAILED', `${text} Export the layer again from the GIS.`, [{ code: 'SHP_DBF_MISMATCH', shapes, records: rows }]);
      warnings.push(text);
    }
  }
  const encoding = layerEncoding(layer, opts.encoding);
  const sourceBbox = layerBbox(layer);
  let crs: SourceCrs | null = null;
  let proposals: CrsProposal[] = [];
  if (opts.crs) crs = crsFromCode(opts.crs);
  else if (layer.prj) crs = crsFromPrj(layer.prj, `${layer.name}.prj`);
  else if (sourceBbox) {
    const target = opts.parent && opts.parent !== 'contains' ? await store.areaBbox(db.pool, opts.parent) : null;
    proposals = proposeCrs(sourceBbox, opts.country, target);
  }
  return {
    format: 'shapefile', layer: layer.name, layers: layers.map((l) => l.name), encoding, warnings,
    declaredFields: layerFields(layer, encoding.encoding), crs, proposals, sourceBbox,
    records: () => readLayer(layer, encoding.encoding),
  };
}

async function openDataset(db: Database, files: ReceivedFile[], opts: DatasetOptions): Promise<OpenedDataset> {
  const kind = await datasetKind(files);
  if (kind === 'shapefile') return openShapefile(db, files, opts);
  const file = files[0];
  const utf8 = { encoding: 'utf-8', source: kind === 'geojson' ? 'GeoJSON is UTF-8' : 'XML declaration' };
  if (kind === 'geojson') {
    const ds = await readGeoJsonDataset(file.path, file.name);
    const crs = geoJsonCrs(ds, opts.crs);
    return {
      format: 'geojson', layer: file.name, layers: [file.name], encoding: utf8, warnings: [], declaredFields: [], crs, proposals: [], sourceBbox: null,
      records: () => geoJsonRecords(ds, crs),
    };
  }
  const records = await readKmlDataset(file.path, file.name, kind === 'kmz');
  const warnings = opts.crs && crsFromCode(opts.crs).label !== 'EPSG:4326' ? [`KML is always WGS 84 longitude/latitude; the crs field (${opts.crs}) was ignored.`] : [];
  return {
    format: 'kml', layer: file.name, layers: [file.name], encoding: utf8, warnings, declaredFields: [], crs: crsFromCode('EPSG:4326'), proposals: [], sourceBbox: null,
    records: () => records,
  };
}

/** The upload's identity for re-upload detection: its one file's hash, or a hash over its files' hashes. */
function uploadSha(files: ReceivedFile[]): string {
  if (files.length === 1) return files[0].sha256;
  return crypto.createHash('sha256').update(files.map((f) => f.sha256).join('\n')).digest('hex');
}

/** Checks on the mapping that need no feature: the level, the fields, the parent given. */
async function checkMapping(db: Database, opts: DatasetOptions, fields: FieldReport[]): Promise<void> {
  if (!opts.level) throw new UserError('VALIDATION_FAILED', 'Say which level the areas are with the level field (e.g. ban), or preview with dry_run=1.');
  const levels = await areas.listLevels(db.pool);
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

/** One feature's polygons in WGS 84, closed, measured and proven valid when cheaply possible. */
interface PreparedPolygon {
  polygons: Polygons;
  repairs: string[];
  checked: boolean;
  area: number;
  perimeter: number;
}

function preparePolygon(crs: SourceCrs, g: { type: 'Polygon' | 'MultiPolygon'; polygons: Polygons }): PreparedPolygon | null {
  const closed = closeRings(g.polygons);
  if (!closed) return null;
  const wgs = projectGeometry(crs, { type: g.type, polygons: closed.polygons }) as { polygons: Polygons };
  const { area, perimeter } = geodesicMeasures(wgs.polygons);
  return { polygons: wgs.polygons, repairs: closed.repairs, checked: certainlyValid(wgs.polygons), area, perimeter };
}

/**
 * Import (or, with dryRun, preview) the polygons of a dataset (a shapefile layer, a GeoJSON
 * FeatureCollection or a KML/KMZ) as areas at one level. The preview shows fields, samples,
 * suggested mapping, CRS, bbox and problems so a mapper can map fields; the commit writes every
 * area (new ones, or new versions of existing codes) in one transaction, streaming the layer in
 * chunks: each chunk is read, reprojected, checked and measured in JS while PostGIS writes the
 * chunk before it.
 */
export async function importDataset(db: Database, files: ReceivedFile[], opts: DatasetOptions): Promise<{ created: boolean; uploadId?: string; report: DatasetReport }> {
  const ds = await openDataset(db, files, opts);
  const fileName = files.map((f) => f.name).join(', ');
  const levels = await areas.listLevels(db.pool);
  const report: DatasetReport = {
    file: fileName, layer: ds.layer, layers: ds.layers, format: ds.format,
    crs: ds.crs?.label ?? null, datum: ds.crs?.datum ?? null, crs_proposals: ds.proposals, source_bbox: ds.sourceBbox,
    encoding: ds.encoding, features: 0, geometry_types: {}, bbox: null, fields: [], suggested_fields: {},
    levels: levels.map((l) => ({ key: l.key, rank: l.rank, label: l.label, label_local: l.label_local })),
    problems: [], problem_count: 0, repairs: [], created: 0, updated: 0, skipped: 0, warnings: ds.warnings,
  };
  const problem = (record: number, text: string) => {
    report.problem_count++;
    if (report.problems.length < PROBLEM_LIST_MAX) report.problems.push({ record, problem: text });
  };
  const summary = new FieldSummary(ds.declaredFields);

  if (opts.dryRun) {
    await previewRecords(db, ds, report, summary, problem);
    report.fields = summary.report();
    report.suggested_fields = suggestFields(report.fields);
    return { created: false, report };
  }

  if (!ds.crs) {
    const layer = ds.layer;
    if (ds.proposals.length === 0) {
      throw new UserError('CRS_UNSUPPORTED', `${layer} has no .prj and no usual CRS of the country puts it inside the country; give the CRS with the crs field (e.g. EPSG:32648).`, [{ bbox: ds.sourceBbox }]);
    }
    throw new UserError('CRS_UNSUPPORTED', `${layer} has no .prj. It fits ${ds.proposals.map((p) => p.crs).join(', ')}; confirm one with the crs field (best guess: ${ds.proposals[0].crs}, ${ds.proposals[0].datum}).`, [{ proposals: ds.proposals }]);
  }
  const crs = ds.crs;
  // Attribute-only datasets (GeoJSON, KML) declare no fields up front: the first records tell.
  let firstRecords: LayerRecord[] = [];
  if (ds.declaredFields.length === 0) {
    for (const r of ds.records()) {
      firstRecords.push(r);
      if (firstRecords.length >= 1000) break;
    }
    for (const r of firstRecords) summary.add(r.properties);
    firstRecords = [];
  }
  await checkMapping(db, opts, summary.report());
  const sha256 = uploadSha(files);
  const earlier = await findUploadBySha(db.pool, sha256);
  if (earlier) {
    const before = earlier.report as unknown as DatasetReport;
    if (!Array.isArray(before?.fields)) {
      throw new UserError('CONFLICT', `These bytes were uploaded before as GPS readings (upload ${earlier.id}); the same file cannot also be imported as a dataset.`, [{ upload_id: earlier.id }]);
    }
    return { created: false, uploadId: earlier.id, report: { ...before, duplicate: true } };
  }

  const writer = store.stagingWriterFor(db.kind);
  const fields = opts.fields;
  const text = (r: LayerRecord, field?: string) => (field ? String(r.properties[field] ?? '').trim() : '');
  const num = (r: LayerRecord, field?: string) => {
    const v = Number(field ? r.properties[field] : NaN);
    return field && Number.isFinite(v) && v >= 0 && v <= 2_147_483_647 ? Math.round(v) : null;
  };
  const statusMapped = !!fields.status;
  const uploadId = await withTransaction(db.pool, async (client) => {
    const id = await store.insertUpload(client, {
      filename: fileName, sha256, size: files.reduce((n, f) => n + f.size, 0), kind: ds.format, crs: crs.label, encoding: ds.encoding.encoding, actor: opts.actor,
    });
    await store.createStaging(client);
    const writeOpts = {
      level: opts.level!, parentByContainment: opts.parent === 'contains', statusMapped, actor: opts.actor,
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
    let chunk = new store.StagingChunk(writer);
    // While PostGIS writes one chunk, the loop below reads, reprojects and encodes the next.
    const flush = async () => {
      const ready = chunk;
      chunk = new store.StagingChunk(writer);
      await settle();
      await ready.stage(client);
      for (const fix of ready.doubtful > 0 ? await store.repairStaged(client) : []) {
        if (fix.area_change_pct === null) {
          report.skipped++;
          problem(fix.record, `invalid geometry (${fix.reason}) that cannot be repaired into a polygon`);
        } else report.repairs.push({ record: fix.record, code: fix.code, reason: fix.reason, area_change_pct: fix.area_change_pct });
      }
      const started = store.writeStaged(client, writeOpts);
      started.catch(() => undefined);
      pending = started;
    };
    const seen = new Set<string>();
    let sampled = 0;
    for (const r of ds.records()) {
      report.features++;
      if (sampled < 1000 && ds.declaredFields.length > 0) {
        summary.add(r.properties);
        sampled++;
      }
      checkEncoding(r, ds.encoding.encoding, problem);
      const type = r.geometry?.type ?? 'null';
      report.geometry_types[type] = (report.geometry_types[type] ?? 0) + 1;
      const skip = (why: string) => {
        report.skipped++;
        problem(r.record, why);
      };
      if (!r.geometry) {
        skip(r.problem ?? 'null shape (no geometry)');
        continue;
      }
      if (!isPolygonal(r.geometry)) { skip(`${r.geometry.type} is not a polygon: not an area`); continue; }
      if (!allFinite(r.geometry)) { skip('a coordinate is NaN or infinite'); continue; }
      const code = text(r, fields.code);
      const name = text(r, fields.name);
      if (!code || !name) { skip(`no ${!code ? 'code' : 'name'} in field ${!code ? fields.code : fields.name}`); continue; }
      if (!CODE_PATTERN.test(code)) { skip(`code '${code.slice(0, 80)}' is not a code (letters, digits, '_', '.', '-'; at most 64)`); continue; }
      if (name.length > 200) { skip(`name in field ${fields.name} is longer than 200 characters`); continue; }
      if (seen.has(code)) { skip(`code ${code} appears again; the first record with it was imported`); continue; }
      const prepared = preparePolygon(crs, r.geometry);
      if (!prepared) { skip('no ring with 4 positions or more: not a polygon'); continue; }
      seen.add(code);
      const status = text(r, fields.status).toLowerCase();
      report.bbox = extendBbox(report.bbox, { type: 'MultiPolygon', polygons: prepared.polygons });
      for (const fix of prepared.repairs) report.repairs.push({ record: r.record, code, reason: fix, area_change_pct: 0 });
      const centre = prepared.checked ? interiorPoint(prepared.polygons) : null;
      chunk.add({
        record: r.record, code, name,
        name_local: text(r, fields.name_local).slice(0, 200) || null,
        parent_code: fields.parent ? text(r, fields.parent) || null : opts.parent && opts.parent !== 'contains' ? opts.parent : null,
        status: (areas.STATUSES as readonly string[]).includes(status) ? status : null,
        population: num(r, fields.population),
        households: num(r, fields.households),
        area_m2: prepared.area,
        perimeter_m: prepared.perimeter,
        checked: prepared.checked,
        centre,
        polygons: prepared.polygons,
      });
      if (chunk.size >= CHUNK) await flush();
    }
    await flush();
    await settle();
    report.repairs.sort((a, b) => a.record - b.record);
    report.fields = summary.report();
    report.suggested_fields = suggestFields(report.fields);
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

function checkEncoding(r: LayerRecord, encoding: string, problem: (record: number, text: string) => void): void {
  for (const [k, v] of Object.entries(r.properties)) {
    if (typeof v === 'string' && v.includes('\uFFFD')) problem(r.record, `field ${k} has bytes that are not ${encoding}: set the encoding field`);
  }
}

/**
 * The dry run: every record read and described, polygons reprojected and checked (in JS, and
 * by PostGIS for those JS cannot prove valid), nothing written.
 */
async function previewRecords(
  db: Database, ds: OpenedDataset, report: DatasetReport, summary: FieldSummary, problem: (record: number, text: string) => void,
): Promise<void> {
  let doubtful: { records: number[]; ewkb: string[] } = { records: [], ewkb: [] };
  const askPostgis = async () => {
    for (const v of await store.invalidReasons(db.pool, doubtful.records, doubtful.ewkb)) problem(v.record, `invalid geometry: ${v.reason}`);
    doubtful = { records: [], ewkb: [] };
  };
  for (const r of ds.records()) {
    report.features++;
    summary.add(r.properties);
    checkEncoding(r, ds.encoding.encoding, problem);
    const type = r.geometry?.type ?? 'null';
    report.geometry_types[type] = (report.geometry_types[type] ?? 0) + 1;
    if (!r.geometry) {
      problem(r.record, r.problem ?? 'null shape (no geometry)');
      continue;
    }
    if (!allFinite(r.geometry)) {
      problem(r.record, 'a coordinate is NaN or infinite');
      continue;
    }
    if (!ds.crs) continue;
    if (!isPolygonal(r.geometry)) {
      report.bbox = extendBbox(report.bbox, projectGeometry(ds.crs, r.geometry));
      continue;
    }
    const prepared = preparePolygon(ds.crs, r.geometry);
    if (!prepared) {
      problem(r.record, 'no ring with 4 positions or more: not a polygon');
      continue;
    }
    for (const fix of prepared.repairs) problem(r.record, `${fix} (repaired on import)`);
    report.bbox = extendBbox(report.bbox, { type: 'MultiPolygon', polygons: prepared.polygons });
    if (!prepared.checked) {
      doubtful.records.push(r.record);
      doubtful.ewkb.push(multiPolygonEwkb(prepared.polygons).toString('hex'));
      if (doubtful.records.length >= CHUNK) await askPostgis();
    }
  }
  await askPostgis();
  report.problems.sort((a, b) => a.record - b.record);
}
