import PDFDocument from 'pdfkit';

/** Bytes of content gathered before they are handed to the page. */
const CONTENT_CHUNK_BYTES = 64 * 1024;

/**
 * pdfkit's document with page content written in large pieces. pdfkit makes one Buffer per
 * drawing operator and keeps them all until the page ends: an atlas sheet has about 6,600, each
 * living long enough to be promoted out of V8's young generation, so every page left megabytes
 * of dead objects in the old space for the next full collection. Here operators are copied into
 * one reusable buffer outside the JavaScript heap and handed to the page 64 KB at a time and
 * when the page ends; the PDF bytes are exactly what pdfkit writes operator by operator.
 */
export class PrintDocument extends PDFDocument {
  private readonly chunk = Buffer.alloc(CONTENT_CHUNK_BYTES);
  private used = 0;

  override addContent(data: string): this {
    // Content strings are latin1 (pdfkit's 'binary'): one byte per character, plus the newline.
    const length = data.length + 1;
    if (this.used + length > this.chunk.length) this.flushContent();
    if (length > this.chunk.length) {
      this.page.write(Buffer.from(`${data}\n`, 'latin1'));
      return this;
    }
    this.used += this.chunk.write(data, this.used, 'latin1');
    this.chunk[this.used++] = 0x0a;
    return this;
  }

  /** Hands the gathered operators to the current page. */
  flushContent(): void {
    if (this.used === 0 || !this.page) return;
    this.page.write(Buffer.from(this.chunk.subarray(0, this.used)));
    this.used = 0;
  }

  override flushPages(): void {
    this.flushContent();
    super.flushPages();
  }

  /**
   * Ends the pages drawn so far, writes them to the stream, and follows them with a one-line
   * PDF comment (`%` to the end of the line, which readers skip between objects). pdfkit only
   * writes a page when the next one starts; this puts finished pages on the wire at once and
   * marks them for a reader counting progress. The comment goes through pdfkit's writer so the
   * cross-reference offsets stay right.
   */
  writeComment(text: string): void {
    if (/[\r\n]/.test(text)) throw new RangeError('a PDF comment is one line');
    this.flushPages();
    (this as unknown as { _write(data: string): void })._write(`%${text}`);
  }
}

/**
 * A coordinate as pdfkit prints it (rounded to 10⁻⁶ pt), so paths written as one string are
 * byte for byte what `moveTo`/`lineTo` would write.
 */
export function pdfNumber(n: number): number {
  if (!(n > -1e21 && n < 1e21)) throw new RangeError(`unsupported number in PDF content: ${n}`);
  return Math.round(n * 1e6) / 1e6;
}
