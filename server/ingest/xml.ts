import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { UserError } from '../errors.js';
import { clip, fmtNumber } from './warnings.js';

/** The saxes parser every GPX and KML reader uses: plain names, with line and column. */
export type XmlParser = SaxesParser<{ xmlns: false; position: true }>;

/** What a streaming XML reader does with the parser's events. */
export interface XmlEvents {
  open(tag: SaxesTagPlain): void;
  close(): void;
  /** Text and CDATA alike. */
  text(t: string): void;
  /** The reader's own error (its file name and details) for what the parser refuses. */
  refuse(code: 'XML_DOCTYPE_FORBIDDEN' | 'XML_MALFORMED', message: string, details: { line: number; column?: number; reason?: string }): UserError;
}

/**
 * A parser with the guards every GPX and KML upload goes through: a DOCTYPE is refused before
 * anything it declares could be expanded or fetched (XXE, billion laughs), and malformed XML is
 * reported with its line, column and the parser's reason, so a mapper can find it.
 */
export function guardedXmlParser(format: 'GPX' | 'KML', events: XmlEvents): XmlParser {
  const p: XmlParser = new SaxesParser({ xmlns: false, position: true });
  p.on('doctype', () => {
    throw events.refuse(
      'XML_DOCTYPE_FORBIDDEN',
      `a DOCTYPE declaration at line ${fmtNumber(p.line)} is not allowed in ${format} (it could pull in other files)`,
      { line: p.line },
    );
  });
  p.on('error', (e) => {
    const { line, column } = p;
    // saxes prefixes its message with "line:column: "; the position is reported separately.
    const reason = e.message.replace(/^\d+:\d+: /, '');
    const hint = /entity/.test(reason) ? ' (only &amp; &lt; &gt; &quot; &apos; and numeric character references are allowed)' : '';
    throw events.refuse('XML_MALFORMED', `the XML is malformed at line ${fmtNumber(line)}, column ${column + 1}: ${reason}${hint}`, {
      line,
      column: column + 1,
      reason,
    });
  });
  p.on('opentag', (tag) => events.open(tag));
  p.on('closetag', () => events.close());
  p.on('text', (t) => events.text(t));
  p.on('cdata', (t) => events.text(t));
  return p;
}

/** How many bytes to look at for a BOM or an XML declaration before choosing a decoder. */
const SNIFF_BYTES = 1024;
const DECLARED_ENCODING = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/;

export interface DecodeOptions {
  fileName: string;
  /** Text encoding to use instead of what the file declares (an upload's `encoding` field). */
  encoding?: string;
}

/**
 * Turns the upload's bytes into text chunks for saxes, which only takes strings. The encoding
 * is chosen once from the override, a byte-order mark or the XML declaration (UTF-8 when none),
 * and characters split between chunks are carried over.
 */
export async function* decodeXml(input: AsyncIterable<Buffer | string>, opts: DecodeOptions): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  let head: Buffer | null = null;
  let first = true;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      const text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      first = false;
      if (text !== '') yield text;
      continue;
    }
    first = false;
    if (decoder === null) {
      head = head === null ? Buffer.from(chunk) : Buffer.concat([head, chunk]);
      if (head.length < SNIFF_BYTES) continue;
      decoder = openDecoder(head, opts);
      const text = decoder.decode(head, { stream: true });
      head = null;
      if (text !== '') yield text;
      continue;
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  if (head !== null) {
    decoder = openDecoder(head, opts);
    const text = decoder.decode(head, { stream: true });
    if (text !== '') yield text;
  }
  if (decoder !== null) {
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  }
}

function openDecoder(head: Buffer, opts: DecodeOptions): TextDecoder {
  const label = opts.encoding ?? sniffEncoding(head);
  try {
    return new TextDecoder(label);
  } catch {
    throw new UserError('UNSUPPORTED_FILE_TYPE', `${opts.fileName}: the text encoding '${clip(label)}' is not supported`, [
      { file: opts.fileName, encoding: clip(label) },
    ]);
  }
}

function sniffEncoding(head: Buffer): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const declared = DECLARED_ENCODING.exec(head.subarray(0, SNIFF_BYTES).toString('latin1'));
  return declared === null ? 'utf-8' : declared[1];
}
