import fs from 'node:fs';
import { UserError } from '../errors.js';
import { detectKind, readHead } from './detect.js';
import { parseGpx } from './gpx.js';
import type { ParsedFile } from './readings.js';
import type { ReceivedFile } from './receive.js';

export interface ParseOptions {
  maxPoints: number;
  crs?: string;
  encoding?: string;
}

/** Read one received file, whatever its format, from what its bytes say it is. */
export async function parseReceivedFile(file: ReceivedFile, opts: ParseOptions): Promise<ParsedFile> {
  const { kind, label } = detectKind(await readHead(file.path));
  if (kind === 'gpx' || kind === 'xml') {
    return parseGpx(fs.createReadStream(file.path), { fileName: file.name, maxPoints: opts.maxPoints, encoding: opts.encoding });
  }
  throw new UserError('UNSUPPORTED_FILE_TYPE', `File '${file.name}' is ${label}; this server reads GPX track files.`, [{ file: file.name, detected: label }]);
}
