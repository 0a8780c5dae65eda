import PDFDocument from 'pdfkit';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { PrintDocument } from './document.js';
import { registerFonts } from './fonts.js';
import { traceRing } from './symbols.js';

/** The same drawing on a document: many small operators, text, several pages, a long path. */
function draw(doc: PDFKit.PDFDocument): void {
  registerFonts(doc);
  for (let page = 0; page < 3; page++) {
    doc.addPage({ size: [400, 300], margin: 0 });
    for (let i = 0; i < 5_000; i++) doc.moveTo(i % 400, (i * 7) % 300).lineTo((i * 3) % 400, (i * 11) % 300);
    doc.lineWidth(0.3).strokeColor('#335577').stroke();
    doc.font('latin-regular').fontSize(9).text(`page ${page + 1} · ບ້ານ`, 20, 20, { lineBreak: false });
    doc.rect(10, 10, 100.123456789, 50).fill('#ff0000');
  }
}

const options = { autoFirstPage: false, compress: true, info: { CreationDate: new Date('2025-01-15T00:00:00Z') } };

describe('PrintDocument', () => {
  it('writes exactly the bytes pdfkit writes operator by operator', async () => {
    const plain = new PDFDocument(options);
    const batched = new PrintDocument(options);
    const [a, b] = [buffer(plain), buffer(batched)];
    draw(plain);
    draw(batched);
    plain.end();
    batched.end();
    expect((await b).equals(await a)).toBe(true);
  });

  it('traces a ring as moveTo/lineTo/closePath would', async () => {
    const ring = [[0.1234567, 1], [10, 2.5], [3, 4.0000004], [0.1234567, 1]];
    const byCalls = new PrintDocument(options);
    const byTrace = new PrintDocument(options);
    const [a, b] = [buffer(byCalls), buffer(byTrace)];
    for (const doc of [byCalls, byTrace]) doc.addPage({ size: [100, 100], margin: 0 });
    ring.forEach(([x, y], i) => (i === 0 ? byCalls.moveTo(x, y) : byCalls.lineTo(x, y)));
    byCalls.closePath().stroke();
    traceRing(byTrace, ring, (p) => [p[0], p[1]], true);
    byTrace.stroke();
    byCalls.end();
    byTrace.end();
    expect((await b).equals(await a)).toBe(true);
  });

  it('follows the finished pages with a comment line, keeping the cross-reference table right', async () => {
    const doc = new PrintDocument(options);
    const out = buffer(doc);
    doc.addPage({ size: [100, 100], margin: 0 }).rect(10, 10, 20, 20).fill('#000000');
    doc.writeComment('Tessera atlas page 1 of 2');
    doc.addPage({ size: [100, 100], margin: 0 }).rect(10, 10, 20, 20).fill('#000000');
    doc.writeComment('Tessera atlas page 2 of 2');
    expect(() => doc.writeComment('two\nlines')).toThrow(RangeError);
    doc.end();
    const pdf = (await out).toString('latin1');
    expect(pdf.match(/%Tessera atlas page \d of 2\n/g)).toHaveLength(2);
    // Every object starts where the xref table says it does.
    const xref = pdf.slice(pdf.lastIndexOf('\nxref\n'));
    const offsets = [...xref.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets.length).toBeGreaterThan(5);
    offsets.forEach((offset, i) => expect(pdf.slice(offset, offset + 12)).toMatch(new RegExp(`^${i + 1} 0 obj`)));
  });
});
