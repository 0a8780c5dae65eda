/**
 * The reading of a boundary dataset, as the parse sandbox's `dataset` job runs it (in a worker
 * thread, with the sandbox's heap and time limits): zip listing and extraction, .shp/.dbf
 * records, GeoJSON and KML parsing, reprojection, the JS checks and measures, and the encoding
 * of each chunk of features for the staging table. No database here: what needs one (levels,
 * parents, re-uploads, PostGIS's validity checks, the writes) is the main thread's, in
 * service.ts, which gets what this reads as messages, a chunk at a time.
 */
import { UserError } from '../errors.js';
import type { JobChannel, JobResult } from '../ingest/job.js';
import type { ReceivedFile } from '../ingest/receive.js';
import { STATUSES } from '../areas/store.js';
import { crsFromCode, crsFromPrj, proposeCrs, projectGeometry, type CrsProposal, type SourceCrs } from './crs.js';
import {
  allFinite, certainlyValid, closeRings, extendBbox, geodesicMeasures, interiorPoint, isPolygonal, multiPolygonEwkb, type Bbox, type Polygons,
} from './geometry.js';
import { geoJsonCrs, geoJsonRecords, readGeoJsonDataset } from './geojson.js';
import { readKmlDataset } from './kml.js';
import { collectLayers, layerBbox, layerEncoding, layerFields, readLayer, type LayerRecord, type ShapefileLayer } from './layers.js';
import { FieldSummary, type FieldMapping, type FieldReport } from './mapping.js';
import { datasetKind, type DatasetFormat } from './detect.js';
import { countDbfRecords, countShpRecords } from './shp.js';
import { chunkBuffers, StagingChunk, type EncodedChunk, type StagingWriter } from './staging.js';
import { readZip } from './zip.js';

/** What the main thread asks of a dataset read. */
export interface DatasetRequest {
  files: ReceivedFile[];
  /** Whether the files are a shapefile, when the caller already looked (datasetUpload). */
  shapefile?: boolean;
  dryRun: boolean;
  layer?: string;
  crs?: string;
  encoding?: string;
  country: string;
  /** A parent code, or `contains`. */
  parent?: string;
  fields: FieldMapping;
  /** The bounding box of the parent area given, to rank the CRS proposals of a file without .prj. */
  targetBbox: Bbox | null;
  writer: StagingWriter;
}

/** The dataset as opened, before any record: what the main thread checks the mapping against. */
export interface DatasetOpened {
  type: 'opened';
  format: DatasetFormat;
  layer: string;
  layers: string[];
  encoding: { encoding: string; source: string };
  warnings: string[];
  crs: { label: string; datum: string } | null;
  proposals: CrsProposal[];
  sourceBbox: Bbox | null;
  /** The declared fields (a .dbf), or those of the first records (GeoJSON, KML). */
  fields: FieldReport[];
}

/** Problems and repairs found in the records read since the message before, in the order found. */
interface Findings {
  problems: { record: number; problem: string }[];
  /** Problems found, including those beyond the listed ones. */
  problemCount: number;
  repairs: { record: number; code?: string; reason: string; area_change_pct: number }[];
}

/** A chunk of features to stage (an import). */
export interface DatasetChunk extends Findings {
  type: 'chunk';
  chunk: EncodedChunk;
}

/** Polygons for PostGIS to judge (a dry run), with the EWKB of each. */
export interface DatasetDoubtful extends Findings {
  type: 'doubtful';
  records: number[];
  ewkb: string[];
}

export type DatasetMessage = DatasetOpened | DatasetChunk | DatasetDoubtful;

/** The end of the read: the last findings and chunk, and the counts over every record. */
export interface DatasetDone extends Findings {
  chunk: EncodedChunk | null;
  features: number;
  skipped: number;
  geometry_types: Record<string, number>;
  bbox: Bbox | null;
  fields: FieldReport[];
}

/** The most problems listed (the main thread lists no more either); the count goes on. */
export const PROBLEM_LIST_MAX = 1000;
/** Features per staged chunk: big enough to amortise a statement, small enough to overlap reading with writing. */
export const CHUNK = 5000;
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

function openShapefile(layers: ShapefileLayer[], req: DatasetRequest): OpenedDataset {
  if (layers.length === 0) throw new UserError('VALIDATION_FAILED', 'The upload holds no .shp file.');
  let layer: ShapefileLayer = layers[0];
  if (req.layer) {
    const found = layers.find((l) => l.name.toLowerCase() === req.layer!.toLowerCase());
    if (!found) throw new UserError('VALIDATION_FAILED', `No layer '${req.layer}'; the upload holds ${layers.map((l) => l.name).join(', ')}.`);
    layer = found;
  } else if (layers.length > 1 && !req.dryRun) {
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
      if (!req.dryRun) throw new UserError('VALIDATION_FAILED', `${text} Export the layer again from the GIS.`, [{ code: 'SHP_DBF_MISMATCH', shapes, records: rows }]);
      warnings.push(text);
    }
  }
  const encoding = layerEncoding(layer, req.encoding);
  const sourceBbox = layerBbox(layer);
  let crs: SourceCrs | null = null;
  let proposals: CrsProposal[] = [];
  if (req.crs) crs = crsFromCode(req.crs);
  else if (layer.prj) crs = crsFromPrj(layer.prj, `${layer.name}.prj`);
  else if (sourceBbox) proposals = proposeCrs(sourceBbox, req.country, req.targetBbox);
  return {
    format: 'shapefile', layer: layer.name, layers: layers.map((l) => l.name), encoding, warnings,
    declaredFields: layerFields(layer, encoding.encoding), crs, proposals, sourceBbox,
    records: () => readLayer(layer, encoding.encoding),
  };
}

async function openDataset(req: DatasetRequest): Promise<OpenedDataset> {
  const { files } = req;
  const kind = await datasetKind(files, listZip, req.shapefile);
  if (kind === 'shapefile') return openShapefile(await collectLayers(files), req);
  const file = files[0];
  const utf8 = { encoding: 'utf-8', source: kind === 'geojson' ? 'GeoJSON is UTF-8' : 'XML declaration' };
  if (kind === 'geojson') {
    const ds = await readGeoJsonDataset(file.path, file.name);
    const crs = geoJsonCrs(ds, req.crs);
    return {
      format: 'geojson', layer: file.name, layers: [file.name], encoding: utf8, warnings: [], declaredFields: [], crs, proposals: [], sourceBbox: null,
      records: () => geoJsonRecords(ds, crs),
    };
  }
  const records = await readKmlDataset(file.path, file.name, kind === 'kmz');
  const warnings = req.crs && crsFromCode(req.crs).label !== 'EPSG:4326' ? [`KML is always WGS 84 longitude/latitude; the crs field (${req.crs}) was ignored.`] : [];
  return {
    format: 'kml', layer: file.name, layers: [file.name], encoding: utf8, warnings, declaredFields: [], crs: crsFromCode('EPSG:4326'), proposals: [], sourceBbox: null,
    records: () => records,
  };
}

/** The entry names of a zip (every name checked for traversal and links on the way). */
async function listZip(file: ReceivedFile): Promise<string[]> {
  const names: string[] = [];
  await readZip(file.path, file.name, () => false, undefined, names);
  return names;
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

/** The counts over every record read, and the findings not yet handed over. */
class Tally {
  features = 0;
  skipped = 0;
  geometryTypes: Record<string, number> = {};
  bbox: Bbox | null = null;
  private listed = 0;
  private findings: Findings = { problems: [], problemCount: 0, repairs: [] };

  constructor(private readonly encoding: string) {}

  problem(record: number, text: string): void {
    this.findings.problemCount++;
    if (this.listed < PROBLEM_LIST_MAX) {
      this.listed++;
      this.findings.problems.push({ record, problem: text });
    }
  }

  skip(record: number, why: string): void {
    this.skipped++;
    this.problem(record, why);
  }

  repair(r: Findings['repairs'][number]): void {
    this.findings.repairs.push(r);
  }

  /** A record's type counted, and its text values checked against the encoding. */
  count(r: LayerRecord): void {
    this.features++;
    const type = r.geometry?.type ?? 'null';
    this.geometryTypes[type] = (this.geometryTypes[type] ?? 0) + 1;
    for (const [k, v] of Object.entries(r.properties)) {
      if (typeof v === 'string' && v.includes('\uFFFD')) this.problem(r.record, `field ${k} has bytes that are not ${this.encoding}: set the encoding field`);
    }
  }

  /** The findings since the last call. */
  take(): Findings {
    const out = this.findings;
    this.findings = { problems: [], problemCount: 0, repairs: [] };
    return out;
  }
}

/**
 * The `dataset` job: open the dataset and hand over its description, then (an import) its
 * features mapped, reprojected, checked, measured and encoded, a chunk of CHUNK at a time, or
 * (a dry run) the polygons JS could not prove valid, for PostGIS to judge.
 */
export async function datasetJob(req: DatasetRequest, channel: JobChannel): Promise<JobResult> {
  const ds = await openDataset(req);
  const summary = new FieldSummary(ds.declaredFields);
  // Datasets that declare no fields up front (GeoJSON, KML): the first records tell.
  if (ds.declaredFields.length === 0 && !req.dryRun) {
    let n = 0;
    for (const r of ds.records()) {
      summary.add(r.properties);
      if (++n >= 1000) break;
    }
  }
  const opened: DatasetOpened = {
    type: 'opened', format: ds.format, layer: ds.layer, layers: ds.layers, encoding: ds.encoding, warnings: ds.warnings,
    crs: ds.crs ? { label: ds.crs.label, datum: ds.crs.datum } : null, proposals: ds.proposals, sourceBbox: ds.sourceBbox, fields: summary.report(),
  };
  await channel.send(opened);
  const tally = new Tally(ds.encoding.encoding);
  let chunk: EncodedChunk | null = null;
  if (req.dryRun) await preview(ds, tally, summary, channel);
  else if (ds.crs) chunk = await stageRecords(ds, ds.crs, req, tally, summary, channel);
  const done: DatasetDone = {
    ...tally.take(), chunk, features: tally.features, skipped: tally.skipped, geometry_types: tally.geometryTypes, bbox: tally.bbox, fields: summary.report(),
  };
  return { payload: done, transfer: chunkBuffers(chunk) };
}

/** An import's records as chunks of areas; the last chunk is returned, the others sent. */
async function stageRecords(
  ds: OpenedDataset, crs: SourceCrs, req: DatasetRequest, tally: Tally, summary: FieldSummary, channel: JobChannel,
): Promise<EncodedChunk> {
  const fields = req.fields;
  const text = (r: LayerRecord, field?: string) => (field ? String(r.properties[field] ?? '').trim() : '');
  const num = (r: LayerRecord, field?: string) => {
    const v = Number(field ? r.properties[field] : NaN);
    return field && Number.isFinite(v) && v >= 0 && v <= 2_147_483_647 ? Math.round(v) : null;
  };
  const seen = new Set<string>();
  let sampled = 0;
  let chunk = new StagingChunk(req.writer);
  for (const r of ds.records()) {
    tally.count(r);
    if (sampled < 1000 && ds.declaredFields.length > 0) {
      summary.add(r.properties);
      sampled++;
    }
    if (!r.geometry) { tally.skip(r.record, r.problem ?? 'null shape (no geometry)'); continue; }
    if (!isPolygonal(r.geometry)) { tally.skip(r.record, `${r.geometry.type} is not a polygon: not an area`); continue; }
    if (!allFinite(r.geometry)) { tally.skip(r.record, 'a coordinate is NaN or infinite'); continue; }
    const code = text(r, fields.code);
    const name = text(r, fields.name);
    if (!code || !name) { tally.skip(r.record, `no ${!code ? 'code' : 'name'} in field ${!code ? fields.code : fields.name}`); continue; }
    if (!CODE_PATTERN.test(code)) { tally.skip(r.record, `code '${code.slice(0, 80)}' is not a code (letters, digits, '_', '.', '-'; at most 64)`); continue; }
    if (name.length > 200) { tally.skip(r.record, `name in field ${fields.name} is longer than 200 characters`); continue; }
    if (seen.has(code)) { tally.skip(r.record, `code ${code} appears again; the first record with it was imported`); continue; }
    const prepared = preparePolygon(crs, r.geometry);
    if (!prepared) { tally.skip(r.record, 'no ring with 4 positions or more: not a polygon'); continue; }
    seen.add(code);
    const status = text(r, fields.status).toLowerCase();
    tally.bbox = extendBbox(tally.bbox, { type: 'MultiPolygon', polygons: prepared.polygons });
    for (const fix of prepared.repairs) tally.repair({ record: r.record, code, reason: fix, area_change_pct: 0 });
    chunk.add({
      record: r.record, code, name,
      name_local: text(r, fields.name_local).slice(0, 200) || null,
      parent_code: fields.parent ? text(r, fields.parent) || null : req.parent && req.parent !== 'contains' ? req.parent : null,
      status: (STATUSES as readonly string[]).includes(status) ? status : null,
      population: num(r, fields.population),
      households: num(r, fields.households),
      area_m2: prepared.area,
      perimeter_m: prepared.perimeter,
      checked: prepared.checked,
      centre: prepared.checked ? interiorPoint(prepared.polygons) : null,
      polygons: prepared.polygons,
    });
    if (chunk.size >= CHUNK) {
      const ready = chunk.encoded();
      chunk = new StagingChunk(req.writer);
      const message: DatasetChunk = { type: 'chunk', ...tally.take(), chunk: ready };
      await channel.send(message, chunkBuffers(ready));
    }
  }
  return chunk.encoded();
}

/**
 * The dry run: every record read and described, polygons reprojected and checked in JS; those
 * JS cannot prove valid go to the main thread for PostGIS, CHUNK at a time.
 */
async function preview(ds: OpenedDataset, tally: Tally, summary: FieldSummary, channel: JobChannel): Promise<void> {
  let doubtful: { records: number[]; ewkb: string[] } = { records: [], ewkb: [] };
  const askPostgis = async () => {
    const message: DatasetDoubtful = { type: 'doubtful', ...tally.take(), ...doubtful };
    doubtful = { records: [], ewkb: [] };
    await channel.send(message);
  };
  for (const r of ds.records()) {
    tally.count(r);
    summary.add(r.properties);
    if (!r.geometry) {
      tally.problem(r.record, r.problem ?? 'null shape (no geometry)');
      continue;
    }
    if (!allFinite(r.geometry)) {
      tally.problem(r.record, 'a coordinate is NaN or infinite');
      continue;
    }
    if (!ds.crs) continue;
    if (!isPolygonal(r.geometry)) {
      tally.bbox = extendBbox(tally.bbox, projectGeometry(ds.crs, r.geometry));
      continue;
    }
    const prepared = preparePolygon(ds.crs, r.geometry);
    if (!prepared) {
      tally.problem(r.record, 'no ring with 4 positions or more: not a polygon');
      continue;
    }
    for (const fix of prepared.repairs) tally.problem(r.record, `${fix} (repaired on import)`);
    tally.bbox = extendBbox(tally.bbox, { type: 'MultiPolygon', polygons: prepared.polygons });
    if (!prepared.checked) {
      doubtful.records.push(r.record);
      doubtful.ewkb.push(multiPolygonEwkb(prepared.polygons).toString('hex'));
      if (doubtful.records.length >= CHUNK) await askPostgis();
    }
  }
  if (doubtful.records.length > 0) await askPostgis();
}

/** The `zip-names` job: the entry names of an uploaded zip, every name checked on the way. */
export async function zipNamesJob(req: { file: ReceivedFile }): Promise<JobResult> {
  return { payload: await listZip(req.file) };
}
