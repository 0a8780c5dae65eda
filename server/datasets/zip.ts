import yauzl from 'yauzl';
import { UserError } from '../errors.js';

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  maxEntryBytes: number;
  /** Largest uncompressed/compressed ratio of one entry: real shapefiles compress 2-10x. */
  maxRatio: number;
}

export const ZIP_LIMITS: ZipLimits = { maxEntries: 500, maxTotalBytes: 500 * 1024 * 1024, maxEntryBytes: 300 * 1024 * 1024, maxRatio: 200 };

/** The entries a caller wants, read into memory; never extracted to disk by their names. */
export interface ZipEntry {
  path: string;
  data: Buffer;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Refuse names that would escape a folder or hide what they are. */
function checkEntryName(fileName: string, name: string): void {
  if (name.includes('\u0000') || name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split(/[\\/]/).includes('..')) {
    throw new UserError('ARCHIVE_PATH_TRAVERSAL', `${fileName}: archive entry '${name}' is not allowed (absolute path or '..').`, [{ entry: name }]);
  }
}

/**
 * Read the entries of a zip that `wanted` accepts, counting the bytes really inflated (the
 * sizes in the headers can lie) against the limits, so a zip bomb stops at the first limit.
 */
export function readZip(file: string, fileName: string, wanted: (path: string) => boolean, limits: ZipLimits = ZIP_LIMITS, names?: string[]): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) {
        reject(new UserError('BAD_REQUEST', `${fileName} is not a readable zip archive: ${err?.message ?? 'unknown error'}.`));
        return;
      }
      const entries: ZipEntry[] = [];
      let count = 0;
      let total = 0;
      const fail = (e: unknown) => {
        zip.close();
        reject(e);
      };
      zip.on('error', (e: Error) => {
        // yauzl validates entry names itself and reports '..' or absolute paths as errors.
        const traversal = /^(invalid relative path|absolute path): (.*)$/.exec(e.message);
        fail(traversal
          ? new UserError('ARCHIVE_PATH_TRAVERSAL', `${fileName}: archive entry '${traversal[2]}' is not allowed (absolute path or '..').`, [{ entry: traversal[2] }])
          : new UserError('BAD_REQUEST', `${fileName}: the zip archive is damaged: ${e.message}.`));
      });
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        count++;
        if (count > limits.maxEntries) {
          fail(new UserError('ARCHIVE_TOO_MANY_ENTRIES', `${fileName} holds more than ${limits.maxEntries} entries.`));
          return;
        }
        try {
          checkEntryName(fileName, entry.fileName);
        } catch (e) {
          fail(e);
          return;
        }
        const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
        if (mode === S_IFLNK) {
          fail(new UserError('ARCHIVE_LINK_FORBIDDEN', `${fileName}: archive entry '${entry.fileName}' is a symbolic link; only regular files are allowed.`));
          return;
        }
        names?.push(entry.fileName);
        if (entry.fileName.endsWith('/') || !wanted(entry.fileName)) {
          zip.readEntry();
          return;
        }
        if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio) {
          fail(new UserError('ARCHIVE_TOO_LARGE_UNCOMPRESSED', `${fileName}: entry '${entry.fileName}' inflates ${Math.round(entry.uncompressedSize / entry.compressedSize)}x: refused as a zip bomb.`));
          return;
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            fail(new UserError('BAD_REQUEST', `${fileName}: entry '${entry.fileName}' cannot be read: ${e?.message}.`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            total += chunk.length;
            if (size > limits.maxEntryBytes || total > limits.maxTotalBytes) {
              stream.destroy();
              fail(new UserError('ARCHIVE_TOO_LARGE_UNCOMPRESSED', `${fileName} inflates to more than ${Math.round(limits.maxTotalBytes / 1048576)} MB.`));
              return;
            }
            chunks.push(chunk);
          });
          stream.on('error', (se: Error) => fail(new UserError('BAD_REQUEST', `${fileName}: entry '${entry.fileName}' is damaged: ${se.message}.`)));
          stream.on('end', () => {
            entries.push({ path: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
