import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';

/** One file as received: on disk under a generated name, with its hash and size. */
export interface ReceivedFile {
  /** Display name: the client's file name, sanitised; never used as a path. */
  name: string;
  path: string;
  sha256: string;
  size: number;
}

export interface ReceivedUpload {
  files: ReceivedFile[];
  fields: Record<string, string>;
  dir: string;
  /** Remove the temporary files; safe to call twice. */
  dispose(): Promise<void>;
}

/** A file name fit to show in a report: no path, no control characters, bounded length. */
export function displayName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'upload';
}

/**
 * Stream every file part of a multipart request to a private temporary directory, hashing as
 * it goes, so no upload is ever held whole in memory and nothing touches the database yet.
 */
export async function receiveMultipart(req: FastifyRequest): Promise<ReceivedUpload> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-upload-'));
  const dispose = () => fsp.rm(dir, { recursive: true, force: true });
  const files: ReceivedFile[] = [];
  const fields: Record<string, string> = Object.create(null);
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      const target = path.join(dir, `${files.length}.bin`);
      const hash = crypto.createHash('sha256');
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(part.file, tap, fs.createWriteStream(target));
      if (part.file.truncated) {
        throw new UserError('FILE_TOO_LARGE', `File '${displayName(part.filename)}' is larger than the upload limit.`);
      }
      files.push({ name: displayName(part.filename), path: target, sha256: hash.digest('hex'), size });
    }
  } catch (err) {
    await dispose();
    if (err instanceof UserError) throw err;
    const e = err as { code?: string; message?: string };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw new UserError('FILE_TOO_LARGE', 'A file is larger than the upload limit.');
    if (e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT') {
      throw new UserError('TOO_MANY_FILES', `Too many parts in one upload: ${e.message}`);
    }
    if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
      throw new UserError('UNSUPPORTED_MEDIA_TYPE', 'Uploads are multipart/form-data with one or more `file` parts.');
    }
    throw new UserError('MULTIPART_MALFORMED', `The upload could not be read as multipart/form-data: ${e.message ?? err}`);
  }
  if (files.length === 0) {
    await dispose();
    throw new UserError('BAD_REQUEST', 'The upload holds no file: send one or more `file` parts.');
  }
  return { files, fields, dir, dispose };
}

/**
 * A file already on disk, as the ingest code takes it: hashed and measured the same way an
 * upload is while it streams in. For the CLI, the demo loader and the benchmarks.
 */
export async function receiveLocalFile(file: string, name = path.basename(file)): Promise<ReceivedFile> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { name: displayName(name), path: file, sha256: hash.digest('hex'), size };
}
