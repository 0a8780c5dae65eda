import fs from 'node:fs/promises';
import path from 'node:path';
import type { Bbox, DatasetGeometry } from './geometry.js';
import { DbfReader, ShpReader } from './shp.js';
import { readHead } from '../ingest/detect.js';
import type { ReceivedFile } from '../ingest/receive.js';
import { readZip } from './zip.js';
import { UserError } from '../errors.js';

/** The parts of one shapefile layer, in memory. */
export interface ShapefileLayer {
  name: string;
  shp: Buffer;
  dbf?: Buffer;
  shx?: Buffer;
  prj?: string;
  cpg?: string;
}

const PART = /\.(shp|shx|dbf|prj|cpg)$/i;

/** Lists the entry names of an uploaded zip (in the parse sandbox, or in its thread directly). */
export type ZipLister = (file: ReceivedFile) => Promise<string[]>;

/** True when the upload is a shapefile: a zip holding a .shp, or loose .shp parts. */
export async function isShapefileUpload(files: ReceivedFile[], listZip: ZipLister): Promise<boolean> {
  for (const f of files) {
    if (/\.shp$/i.test(f.name)) return true;
    const head = await readHead(f.path, 4);
    // Listing checks every entry's name (traversal, links) for any zip, KMZ included.
    if (head[0] === 0x50 && head[1] === 0x4b && (await listZip(f)).some((n) => /\.shp$/i.test(n))) return true;
  }
  return false;
}

/** Group zip entries and loose files into layers by base name (any folder depth). */
export async function collectLayers(files: ReceivedFile[]): Promise<ShapefileLayer[]> {
  const parts = new Map<string, Partial<Record<string, Buffer>>>();
  const add = (p: string, data: Buffer) => {
    const ext = path.extname(p).slice(1).toLowerCase();
    const base = p.slice(0, -(ext.length + 1));
    const entry = parts.get(base.toLowerCase()) ?? { __name: Buffer.from(path.basename(base)) };
    entry[ext] = data;
    parts.set(base.toLowerCase(), entry);
  };
  for (const f of files) {
    if (PART.test(f.name)) {
      add(f.name, await fs.readFile(f.path));
      continue;
    }
    const head = await readHead(f.path, 4);
    if (head[0] === 0x50 && head[1] === 0x4b) {
      for (const e of await readZip(f.path, f.name, (p) => PART.test(p) && !path.basename(p).startsWith('._'))) add(e.path, e.data);
    }
  }
  const layers: ShapefileLayer[] = [];
  for (const [, p] of parts) {
    if (!p.shp) continue;
    layers.push({
      name: p.__name!.toString(),
      shp: p.shp,
      dbf: p.dbf,
      shx: p.shx,
      prj: p.prj?.toString('utf8'),
      cpg: p.cpg?.toString('utf8').trim(),
    });
  }
  return layers.sort((a, b) => a.name.localeCompare(b.name));
}

// dBASE language driver ids (byte 29) that old ArcView and QGIS files carry.
const LDID: Record<number, string> = {
  0x01: 'ibm437', 0x02: 'ibm850', 0x03: 'windows-1252', 0x57: 'windows-1252', 0x58: 'windows-1252', 0x59: 'windows-1252',
  0x64: 'ibm852', 0x65: 'ibm866', 0x7c: 'windows-874', 0xc8: 'windows-1250', 0xc9: 'windows-1251', 0xca: 'windows-1254', 0xcb: 'windows-1253',
};

const CPG: [RegExp, string][] = [
  [/^(utf-?8|65001)$/i, 'utf-8'],
  [/^(ansi\s*)?(cp|windows-?)?1252$/i, 'windows-1252'],
  [/^(cp|windows-?)?874$|^tis-?620$/i, 'windows-874'],
  [/^(cp|windows-?)?1251$/i, 'windows-1251'],
  [/^(cp|windows-?)?1250$/i, 'windows-1250'],
  [/^(iso-?)?8859-?1$|^latin-?1$|^88591$/i, 'iso-8859-1'],
  [/^(cp|ibm)?866$/i, 'ibm866'],
];

function validUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

/**
 * The encoding of a layer's attribute text: the upload's `encoding` field, else the .cpg,
 * else the DBF language driver byte, else UTF-8 when every byte is valid UTF-8, else
 * Windows-1252 (what ArcView wrote).
 */
export function layerEncoding(layer: ShapefileLayer, override?: string): { encoding: string; source: string } {
  const check = (enc: string, source: string) => {
    try {
      new TextDecoder(enc);
    } catch {
      throw new UserError('VALIDATION_FAILED', `Unknown text encoding '${enc}' (from ${source}).`);
    }
    return { encoding: enc, source };
  };
  if (override) return check(override, 'the encoding field');
  if (layer.cpg) {
    const known = CPG.find(([re]) => re.test(layer.cpg!));
    return check(known ? known[1] : layer.cpg, '.cpg');
  }
  const ldid = layer.dbf?.[29];
  if (ldid && LDID[ldid]) return { encoding: LDID[ldid], source: `DBF language driver 0x${ldid.toString(16)}` };
  if (!layer.dbf || validUtf8(layer.dbf)) return { encoding: 'utf-8', source: 'detected (valid UTF-8)' };
  return { encoding: 'windows-1252', source: 'default for files without .cpg' };
}

/** One feature as read from a dataset, in the dataset's own coordinates. */
export interface LayerRecord {
  /** 1-based record (or feature) number, as GIS tools show it. */
  record: number;
  geometry: DatasetGeometry | null;
  properties: Record<string, unknown>;
  /** Why the geometry could not be read, when it could not. */
  problem?: string;
}

/** The attribute fields of a layer as its .dbf declares them, e.g. `C(50)` or `N(10,0)`. */
export function layerFields(layer: ShapefileLayer, encoding: string): { name: string; dbf_type: string }[] {
  if (!layer.dbf) return [];
  return new DbfReader(layer.dbf, encoding, `${layer.name}.dbf`).fields.map((f) => ({ name: f.name, dbf_type: `${f.type}(${f.length})` }));
}

/** The coordinate range the .shp header declares, in the layer's own units. */
export function layerBbox(layer: ShapefileLayer): Bbox | null {
  if (layer.shp.length < 100) return null;
  const b: Bbox = [layer.shp.readDoubleLE(36), layer.shp.readDoubleLE(44), layer.shp.readDoubleLE(52), layer.shp.readDoubleLE(60)];
  return b.every(Number.isFinite) && b[0] <= b[2] && b[1] <= b[3] ? b : null;
}

/**
 * The records of a layer one at a time, geometry in the layer's own coordinates: a layer is
 * never held as a whole list of features. Broken records are yielded with their problem.
 */
export function* readLayer(layer: ShapefileLayer, encoding: string): Generator<LayerRecord> {
  const shp = new ShpReader(layer.shp, `${layer.name}.shp`);
  const dbf = layer.dbf ? new DbfReader(layer.dbf, encoding, `${layer.name}.dbf`) : null;
  for (let record = 1; ; record++) {
    const shape = shp.next();
    if (!shape) return;
    const properties = dbf?.next() ?? {};
    yield shape.problem
      ? { record, geometry: null, properties, problem: shape.problem }
      : { record, geometry: shape.geometry, properties };
  }
}
