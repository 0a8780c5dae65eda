import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { Geometry, MultiPolygon, Position } from 'geojson';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import * as areas from '../areas/store.js';
import type { ReceivedFile } from '../ingest/receive.js';
import { crsFromCode, crsFromPrj, proposeCrs, type CrsProposal, type SourceCrs } from './crs.js';
import { collectLayers, layerEncoding, readLayer, type LayerRecord, type ShapefileLayer } from './layers.js';
import * as store from './store.js';
import { findUploadBySha } from '../ingest/store.js';

/** How dataset fields become area attributes: `code=VIL_CODE,name=NAME_E,...`. */
export type FieldMapping = Partial<Record<'code' | 'name' | 'name_local' | 'parent' | 'status' | 'population' | 'households', string>>;

const MAPPABLE = ['code', 'name', 'name_local', 'parent', 'status', 'population', 'households'];

export function parseFieldMapping(spec: string | undefined): FieldMapping {
  const out: FieldMapping = {};
  if (!spec) return out;
  for (const pair of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, field] = pair.split('=').map((s) => s.trim());
    if (!MAPPABLE.includes(key) || !field) {
      throw new UserError('VALIDATION_FAILED', `fields: '${pair}' is not of the form target=FIELD with target one of ${MAPPABLE.join(', ')}.`);
    }
    out[key as keyof FieldMapping] = field;
  }
  return out;
}

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

function mapPositions(g: Geometry, fn: (p: Position) => Position): Geometry {
  const ring = (r: Position[]) => r.map(fn);
  switch (g.type) {
    case 'Point': return { type: 'Point', coordinates: fn(g.coordinates) };
    case 'MultiPoint': return { type: 'MultiPoint', coordinates: ring(g.coordinates) };
    case 'LineString': return { type: 'LineString', coordinates: ring(g.coordinates) };
    case 'MultiLineString': return { type: 'MultiLineString', coordinates: g.coordinates.map(ring) };
    case 'Polygon': return { type: 'Polygon', coordinates: g.coordinates.map(ring) };
    case 'MultiPolygon': return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map(ring)) };
    default: return g;
  }
}

const round7 = (p: Position): Position => [Math.round(p[0] * 1e7) / 1e7, Math.round(p[1] * 1e7) / 1e7];

function bboxOf(records: LayerRecord[]): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null;
  const visit = (p: Position) => {
    if (!b) b = [p[0], p[1], p[0], p[1]];
    else b = [Math.min(b[0], p[0]), Math.min(b[1], p[1]), Math.max(b[2], p[0]), Math.max(b[3], p[1])];
    return p;
  };
  for (const r of records) if (r.geometry) mapPositions(r.geometry, visit);
  return b;
}

function fieldSummary(records: LayerRecord[]) {
  const names = new Set<string>();
  for (const r of records.slice(0, 1000)) for (const k of Object.keys(r.properties)) names.add(k);
  return [...names].map((name) => {
    const values = records.map((r) => r.properties[name]).filter((v) => v !== null && v !== undefined && v !== '');
    const types = new Set(values.map((v) => (v instanceof Date ? 'date' : typeof v)));
    return { name, type: [...types].join('|') || 'empty', samples: [...new Set(values.slice(0, 50).map(String))].slice(0, 3) };
  });
}

/** The CRS a layer is in: the `crs` field, else its .prj, else a proposal to confirm. */
function resolveCrs(layer: ShapefileLayer, records: LayerRecord[], opts: DatasetOptions, target: [number, number, number, number] | null):
  { crs: SourceCrs | null; proposals: CrsProposal[] } {
  if (opts.crs) return { crs: crsFromCode(opts.crs), proposals: [] };
  if (layer.prj) return { crs: crsFromPrj(layer.prj, `${layer.name}.prj`), proposals: [] };
  const bbox = bboxOf(records);
  return { crs: null, proposals: bbox ? proposeCrs(bbox, opts.country, target) : [] };
}

export interface DatasetReport {
  file: string;
  layer: string;
  layers: string[];
  format: 'shapefile';
  crs: string | null;
  datum: string | null;
  crs_proposals: CrsProposal[];
  encoding: { encoding: string; source: string };
  features: number;
  geometry_types: Record<string, number>;
  bbox: [number, number, number, number] | null;
  fields: { name: string; type: string; samples: string[] }[];
  problems: { record: number; problem: string }[];
  repairs: { record: number; code?: string; reason: string; area_change_pct: number }[];
  created: number;
  updated: number;
  skipped: number;
  warnings: string[];
}

/**
 * Import (or, with dryRun, preview) the polygons of a shapefile as areas at one level. The
 * preview shows fields, samples, CRS, bbox and problems so a mapper can map fields; the
 * commit writes every area (new ones, or new versions of existing codes) in one transaction.
 */
export async function importDataset(db: Database, files: ReceivedFile[], opts: DatasetOptions) {
  const layers = await collectLayers(files);
  if (layers.length === 0) throw new UserError('VALIDATION_FAILED', 'The upload holds no .shp file.');
  let layer = layers[0];
  if (opts.layer) {
    const found = layers.find((l) => l.name.toLowerCase() === opts.layer!.toLowerCase());
    if (!found) throw new UserError('VALIDATION_FAILED', `No layer '${opts.layer}'; the upload holds ${layers.map((l) => l.name).join(', ')}.`);
    layer = found;
  } else if (layers.length > 1 && !opts.dryRun) {
    throw new UserError('VALIDATION_FAILED', `The upload holds ${layers.length} shapefiles (${layers.map((l) => l.name).join(', ')}); choose one with the layer field.`, [
      { code: 'MULTIPLE_LAYERS', layers: layers.map((l) => l.name) },
    ]);
  }
  const fileName = files.map((f) => f.name).join(', ');
  const warnings: string[] = [];
  if (!layer.shx) warnings.push(`${layer.name}: no .shx index; records were read in file order from the .shp.`);
  if (!layer.dbf) warnings.push(`${layer.name}: no .dbf; features have no attributes.`);
  const encoding = layerEncoding(layer, opts.encoding);
  const records = await readLayer(layer, encoding.encoding);
  const problems: DatasetReport['problems'] = [];
  for (const r of records) {
    for (const [k, v] of Object.entries(r.properties)) {
      if (typeof v === 'string' && v.includes('\uFFFD')) {
        problems.push({ record: r.record, problem: `field ${k} has bytes that are not ${encoding.encoding}: set the encoding field` });
      }
    }
  }
  const target = opts.parent && opts.parent !== 'contains' ? await store.areaBbox(db.pool, opts.parent) : null;
  const { crs, proposals } = resolveCrs(layer, records, opts, target);
  const geometryTypes: Record<string, number> = {};
  for (const r of records) {
    const t = r.geometry?.type ?? 'null';
    geometryTypes[t] = (geometryTypes[t] ?? 0) + 1;
    if (!r.geometry) problems.push({ record: r.record, problem: 'null shape (no geometry)' });
  }
  const wgs = crs ? records.map((r) => ({ ...r, geometry: r.geometry && mapPositions(r.geometry, (p) => round7(crs.toWgs84(p))) })) : records;
  const report: DatasetReport = {
    file: fileName,
    layer: layer.name,
    layers: layers.map((l) => l.name),
    format: 'shapefile',
    crs: crs?.label ?? null,
    datum: crs?.datum ?? null,
    crs_proposals: proposals,
    encoding,
    features: records.length,
    geometry_types: geometryTypes,
    bbox: crs ? bboxOf(wgs) : null,
    fields: fieldSummary(records),
    problems,
    repairs: [],
    created: 0,
    updated: 0,
    skipped: 0,
    warnings,
  };
  if (crs) {
    const validity = await store.validity(db.pool, wgs);
    for (const v of validity) problems.push({ record: v.record, problem: `invalid geometry: ${v.reason}` });
  } else if (!opts.dryRun) {
    if (proposals.length === 0) {
      throw new UserError('CRS_UNSUPPORTED', `${layer.name} has no .prj and no usual CRS of the country puts it inside the country; give the CRS with the crs field (e.g. EPSG:32648).`, [{ bbox: bboxOf(records) }]);
    }
    throw new UserError('CRS_UNSUPPORTED', `${layer.name} has no .prj. It fits ${proposals.map((p) => p.crs).join(', ')}; confirm one with the crs field (best guess: ${proposals[0].crs}, ${proposals[0].datum}).`, [{ proposals }]);
  }
  if (opts.dryRun) return { created: false, report };

  if (!opts.level) throw new UserError('VALIDATION_FAILED', 'Say which level the areas are with the level field (e.g. ban), or preview with dry_run=1.');
  const levels = await areas.listLevels(db.pool);
  if (!levels.some((l) => l.key === opts.level)) {
    throw new UserError('WRONG_LEVEL', `Unknown level '${opts.level}'; the levels are ${levels.map((l) => l.key).join(', ')}.`);
  }
  if (!opts.fields.code || !opts.fields.name) {
    throw new UserError('VALIDATION_FAILED', `Map at least code and name with the fields field, e.g. fields=code=${report.fields[0]?.name ?? 'CODE'},name=${report.fields[1]?.name ?? 'NAME'}. Fields: ${report.fields.map((f) => f.name).join(', ')}.`);
  }
  const bytes = await Promise.all(files.map((f) => fs.readFile(f.path)));
  const sha256 = crypto.createHash('sha256').update(Buffer.concat(bytes)).digest('hex');
  const earlier = await findUploadBySha(db.pool, sha256);
  if (earlier) return { created: false, uploadId: earlier.id, report: { ...(earlier.report as unknown as DatasetReport), duplicate: true } };
  const result = await withTransaction(db.pool, async (client) => {
    const uploadId = await store.insertUpload(client, { filename: fileName, sha256, size: bytes.reduce((n, b) => n + b.length, 0), crs: crs!.label, encoding: encoding.encoding, actor: opts.actor });
    const invalid = new Set(problems.filter((p) => p.problem.startsWith('invalid geometry')).map((p) => p.record));
    const rows: store.AreaRow[] = [];
    const seen = new Set<string>();
    const text = (r: LayerRecord, field?: string) => (field ? String(r.properties[field] ?? '').trim() : '');
    const num = (r: LayerRecord, field?: string) => {
      const v = Number(field ? r.properties[field] : NaN);
      return field && Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
    };
    for (const r of wgs) {
      const code = text(r, opts.fields.code);
      const name = text(r, opts.fields.name);
      const skip = (problem: string) => {
        report.skipped++;
        problems.push({ record: r.record, problem });
      };
      if (!r.geometry) { report.skipped++; continue; }
      if (r.geometry.type !== 'Polygon' && r.geometry.type !== 'MultiPolygon') { skip(`${r.geometry.type} is not a polygon: not an area`); continue; }
      if (!code || !name) { skip(`no ${!code ? 'code' : 'name'} in field ${!code ? opts.fields.code : opts.fields.name}`); continue; }
      if (seen.has(code)) { skip(`code ${code} appears again; the first record with it was imported`); continue; }
      seen.add(code);
      let geometry = (r.geometry.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [r.geometry.coordinates] } : r.geometry) as MultiPolygon;
      if (invalid.has(r.record)) {
        const repaired = await store.repair(client, geometry);
        if (!repaired) { skip('invalid geometry that cannot be repaired into a polygon'); continue; }
        report.repairs.push({ record: r.record, code, reason: repaired.reason, area_change_pct: repaired.changePct });
        geometry = repaired.geometry;
      }
      const status = text(r, opts.fields.status).toLowerCase();
      rows.push({
        record: r.record, code, name, geometry,
        name_local: text(r, opts.fields.name_local) || null,
        parent_code: opts.fields.parent ? text(r, opts.fields.parent) || null : opts.parent && opts.parent !== 'contains' ? opts.parent : null,
        status: (areas.STATUSES as readonly string[]).includes(status) ? status : null,
        population: num(r, opts.fields.population),
        households: num(r, opts.fields.households),
      });
    }
    const written = await store.upsertAreas(client, rows, {
      level: opts.level!, parentByContainment: opts.parent === 'contains', actor: opts.actor,
      inputs: { upload_id: uploadId, layer: layer.name }, reason: `imported from ${fileName}`,
    }).catch((e: { code?: string; message?: string }) => {
      // The parent trigger names the area whose parent is missing or at the wrong level.
      if (e.code === '23514' && /parent/.test(e.message ?? '')) {
        throw new UserError('WRONG_PARENT', `${layer.name}: ${e.message}. Map a parent field, give parent=<code>, or parent=contains.`);
      }
      throw e;
    });
    report.created = written.created;
    report.updated = written.updated;
    await store.saveReport(client, uploadId, report);
    return { uploadId };
  });
  return { created: true, uploadId: result.uploadId, report };
}
