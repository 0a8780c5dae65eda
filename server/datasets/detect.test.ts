import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReceivedFile } from '../ingest/receive.js';
import { datasetKind, datasetUpload } from './detect.js';
import { zipLister } from './service.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-detect-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function zipFile(name: string, entries: string[]): Promise<ReceivedFile> {
  const z = new yazl.ZipFile();
  for (const entry of entries) z.addBuffer(Buffer.from('x'), entry);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat(chunks));
  return { name, path: file, size: fs.statSync(file).size, sha256: name };
}

/** The server's zip lister (in the parse sandbox), counting its calls. */
function countingLister() {
  const list = zipLister();
  const lister = async (file: ReceivedFile) => {
    lister.calls++;
    return list(file);
  };
  lister.calls = 0;
  return lister;
}

describe('telling a dataset upload apart', () => {
  const shpEntries = ['data/villages.shp', 'data/villages.shx', 'data/villages.dbf'];
  const kmzEntries = ['doc.kml'];

  it('lists a zip once: the answer is handed to the reader rather than found again', async () => {
    const shp = await zipFile('villages.zip', shpEntries);
    const kmz = await zipFile('villages.kmz', kmzEntries);
    const list = countingLister();
    expect(await datasetUpload([shp], {}, list)).toEqual({ shapefile: true });
    expect(list.calls).toBe(1);
    expect(await datasetKind([shp], list, true)).toBe('shapefile');
    expect(list.calls).toBe(1);

    expect(await datasetUpload([kmz], { dataset: '1' }, list)).toEqual({ shapefile: false });
    expect(list.calls).toBe(2);
    expect(await datasetKind([kmz], list, false)).toBe('kmz');
    expect(list.calls).toBe(2);
    // Without an earlier answer the reader looks for itself.
    expect(await datasetKind([kmz], list)).toBe('kmz');
    expect(list.calls).toBe(3);
  });

  it('takes a GeoJSON or KML file for GPS readings unless the upload asks for a dataset', async () => {
    const kmz = await zipFile('walk.kmz', kmzEntries);
    const list = countingLister();
    expect(await datasetUpload([kmz], {}, list)).toBeNull();
    expect(await datasetUpload([kmz], { level: 'ban' }, list)).toEqual({ shapefile: false });
  });
});
