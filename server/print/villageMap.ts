import PDFDocument from 'pdfkit';
import { registerFonts } from './fonts.js';
import { formatScale, gridInterval, mapTransform, mm, paddedExtent } from './layout.js';
import { drawMapFrame } from './mapFrame.js';
import type { VillageMapInput } from './model.js';
import { drawColumn, drawSignatures, signatories } from './panels.js';
import { choosePage } from './sheet.js';
import { prepareSheet } from './sheetData.js';
import { drawText } from './text.js';

export type { PrintArea, PrintDispute, PrintMarker, VillageMapInput } from './model.js';
export { renderPng } from './png.js';

/**
 * Renders the official boundary sheet of one village as a single-page vector PDF: map frame in
 * the village's UTM zone at a standard scale, grid, legend, inset, marker table, record and
 * signature blocks. Deterministic: the same input gives the same bytes (dates come from
 * `printedAt`), so sheets can be cached and compared.
 */
export async function renderVillageMap(input: VillageMapInput): Promise<Buffer> {
  const data = prepareSheet(input);
  const extent = paddedExtent(data.villageExtent);
  const ground = { width: extent.maxE - extent.minE, height: extent.maxN - extent.minN };
  const signatureCount = signatories(input).length;
  const { layout, scale } = choosePage(ground, { paper: input.paper, orientation: input.orientation }, signatureCount);
  const centre: [number, number] = [(extent.minE + extent.maxE) / 2, (extent.minN + extent.maxN) / 2];
  const transform = mapTransform(layout.map, centre, scale.denominator);
  const interval = gridInterval(scale.denominator);
  const title = `${input.village.name}${input.village.name_local ? ` (${input.village.name_local})` : ''}: village boundary map ${formatScale(scale.denominator)}`;

  const doc = new PDFDocument({
    size: [layout.page.width, layout.page.height],
    margin: 0,
    autoFirstPage: false,
    compress: true,
    lang: 'lo',
    info: {
      Title: title,
      Subject: `${input.village.code} version ${input.village.version}`,
      Creator: 'Tessera',
      Producer: 'Tessera (pdfkit)',
      CreationDate: input.printedAt,
      ModDate: input.printedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  registerFonts(doc);
  doc.addPage({ size: [layout.page.width, layout.page.height], margin: 0 });
  const legend = drawMapFrame(doc, data, layout.map, transform, interval);
  const ctx = { doc, input, data, scaleDenominator: scale.denominator, gridIntervalM: interval, legend };
  for (const column of layout.columns) drawColumn(ctx, column.rect, column.panels);
  drawSignatures(doc, input, layout.signatures, layout.signaturesPerRow);
  drawFooter(doc, input, layout.page, scale.denominator);
  doc.end();
  return finished;
}

/** The line under the frame that identifies a loose sheet: code, version, scale, print date. */
function drawFooter(doc: PDFKit.PDFDocument, input: VillageMapInput, page: { width: number; height: number }, denominator: number): void {
  const y = page.height - mm(5.5);
  const printed = input.printedAt.toISOString().slice(0, 10);
  const left = `${input.village.code} · version ${input.village.version} · ${formatScale(denominator)} · printed ${printed}`;
  drawText(doc, left, mm(10), y, { size: 5.5, color: '#666666' });
  drawText(doc, 'Tessera · boundaries are valid only with the signatures above', page.width - mm(10), y, {
    size: 5.5,
    color: '#666666',
    align: 'right',
  });
}
