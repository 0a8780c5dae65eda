import iconv from 'iconv-lite';
import { UserError } from '../errors.js';

/** How to turn the bytes of a line-oriented text file (CSV, TSV, NMEA) into lines. */
export interface LineOptions {
  /** Name of the uploaded file, for every error. */
  fileName: string;
  /** Text encoding the uploader named (an upload's `encoding` field); strict UTF-8 when absent. */
  encoding?: string;
  /** Longest line accepted, in characters: a file with no newline must not be buffered whole. */
  maxLineLength: number;
}

/** File contents as parsers take them: a file stream, or chunks in memory (a KMZ entry, a test). */
export type ByteSource = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

/** Longest line a CSV or NMEA log needs; a real row is a few hundred characters. */
export const MAX_LINE_LENGTH = 64 * 1024;

/**
 * The lines of a text file, streamed: CRLF, LF and a UTF-8 byte-order mark are all accepted,
 * memory is bounded by the longest line, and bytes that are not valid in the file's encoding
 * stop the read with the line they are on, never a page of mojibake in the village names.
 * Every physical line is yielded (blank ones too) so callers can number rows as an editor does.
 */
export async function* readLines(input: ByteSource, opts: LineOptions): AsyncGenerator<string> {
  const decode = openDecoder(opts);
  let pending = '';
  let line = 0;
  const tooLong = (): never => {
    throw new UserError(
      'CSV_LINE_TOO_LONG',
      `${opts.fileName}: line ${(line + 1).toLocaleString('en-US')} is longer than ${opts.maxLineLength.toLocaleString('en-US')} characters; this is not a table of readings`,
      [{ file: opts.fileName, line: line + 1, limit: opts.maxLineLength }],
    );
  };
  const split = function* (text: string): Generator<string> {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end - start > opts.maxLineLength) tooLong();
      line++;
      yield text.slice(start, end);
      start = nl + 1;
    }
    pending = text.slice(start);
    if (pending.length > opts.maxLineLength) tooLong();
  };
  for await (const chunk of input) {
    let text: string;
    try {
      text = decode(chunk, false);
    } catch {
      throw encodingError(opts, line + 1);
    }
    if (text === '') continue;
    yield* split(pending + text);
  }
  let rest: string;
  try {
    rest = decode(Buffer.alloc(0), true);
  } catch {
    throw encodingError(opts, line + 1);
  }
  yield* split(pending + rest);
  if (pending !== '') {
    line++;
    yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
  }
}

type Decode = (chunk: Buffer | string, end: boolean) => string;

function openDecoder(opts: LineOptions): Decode {
  if (opts.encoding === undefined || /^utf-?8$/i.test(opts.encoding)) {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let first = true;
    return (chunk, end) => {
      if (typeof chunk === 'string') {
        const text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
        first = false;
        return text;
      }
      first = false;
      return decoder.decode(chunk, { stream: !end });
    };
  }
  const encoding: string = opts.encoding;
  const shown = encoding.slice(0, 40);
  if (!iconv.encodingExists(encoding)) {
    throw new UserError('CSV_ENCODING', `${opts.fileName}: the text encoding '${shown}' is not known (try utf-8 or windows-1252)`, [
      { file: opts.fileName, encoding: shown },
    ]);
  }
  const decoder = iconv.getDecoder(encoding);
  return (chunk, end) => {
    if (typeof chunk === 'string') return chunk;
    const text = decoder.write(chunk);
    return end ? text + (decoder.end() ?? '') : text;
  };
}

function encodingError(opts: LineOptions, line: number): UserError {
  return new UserError(
    'CSV_ENCODING',
    `${opts.fileName}: the text is not valid UTF-8 (near line ${line.toLocaleString('en-US')}); save it as UTF-8, or give the upload an encoding field such as windows-1252`,
    [{ file: opts.fileName, line, encoding: opts.encoding ?? 'utf-8' }],
  );
}
