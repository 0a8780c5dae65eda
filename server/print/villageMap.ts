import { PrintDocument } from './document.js';
import { registerFonts } from './fonts.js';
import { formatScale, gridInterval, mapTransform, mm, paddedExtent, type ScaleChoice } from './layout.js';
import { drawMapFrame } from './mapFrame.js';
import type { VillageMapInput } from './model.js';
import { drawColumn, drawSignatures, signatories } from './panels.js';
import { choosePage, type SheetLayout } from './sheet.js';
import { prepareSheet, type ProjectionCache, type SheetData } from './sheetData.js';
import { drawText } from './text.js';

export type { PrintArea, PrintDispute, PrintDisputedLine, PrintMarker, VillageMapInput } from './model.js';
export { renderPng } from './png.js';

/** A village sheet worked out before drawing: projected content, page layout and scale. */
export interface VillageSheetPlan {
  input: VillageMapInput;
  data: SheetData;
  layout: SheetLayout;
  scale: ScaleChoice;
}

/** Projects a village and picks its paper, orientation and standard scale. */
export function planVillageSheet(input: VillageMapInput, cache?: ProjectionCache): VillageSheetPlan {
  const data = prepareSheet(input, cache);
  const extent = paddedExtent(data.villageExtent);
  const ground = { width: extent.maxE - extent.minE, height: extent.maxN - extent.minN };
  const { layout, scale } = choosePage(ground, { paper: input.paper, orientation: input.orientation }, signatories(input).length);
  return { input, data, layout, scale };
}

/** The sheet's title, also the PDF's Title so a file manager shows which village it is. */
export function villageSheetTitle({ input, scale }: VillageSheetPlan): string {
  return `${input.village.name}${input.village.name_local ? ` (${input.village.name_local})` : ''}: village boundary map ${formatScale(scale.denominator)}`;
}

/**
 * Adds one page to `doc` and draws the village sheet on it. The document must have the sheet
 * fonts registered; an atlas calls this once per village on one shared document. `pageNote`
 * is appended to the footer (e.g. "Vangsai atlas · page 3 of 7").
 */
export function drawVillageSheet(doc: PDFKit.PDFDocument, plan: VillageSheetPlan, pageNote?: string): void {
  const { input, data, layout, scale } = plan;
  const extent = paddedExtent(data.villageExtent);
  const centre: [number, number] = [(extent.minE + extent.maxE) / 2, (extent.minN + extent.maxN) / 2];
  const transform = mapTransform(layout.map, centre, scale.denominator);
  const interval = gridInterval(scale.denominator);
  doc.addPage({ size: [layout.page.width, layout.page.height], margin: 0 });
  const legend = drawMapFrame(doc, data, layout.map, transform, interval);
  const ctx = { doc, input, data, scaleDenominator: scale.denominator, gridIntervalM: interval, legend };
  for (const column of layout.columns) drawColumn(ctx, column.rect, column.panels);
  drawSignatures(doc, input, layout.signatures, layout.signaturesPerRow);
  drawFooter(doc, input, layout.page, scale.denominator, pageNote);
}

/**
 * Renders the official boundary sheet of one village as a single-page vector PDF: map frame in
 * the village's UTM zone at a standard scale, grid, legend, inset, marker table, record and
 * signature blocks. Deterministic: the same input gives the same bytes (dates come from
 * `printedAt`), so sheets can be cached and compared.
 */
export async function renderVillageMap(input: VillageMapInput): Promise<Buffer> {
  const plan = planVillageSheet(input);
  const doc = new PrintDocument({
    size: [plan.layout.page.width, plan.layout.page.height],
    margin: 0,
    autoFirstPage: false,
    compress: true,
    lang: 'lo',
    info: {
      Title: villageSheetTitle(plan),
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
  drawVillageSheet(doc, plan);
  doc.end();
  return finished;
}

/** The line under the frame that identifies a loose sheet: code, version, scale, print date. */
function drawFooter(
  doc: PDFKit.PDFDocument,
  input: VillageMapInput,
  page: { width: number; height: number },
  denominator: number,
  pageNote?: string,
): void {
  const y = page.height - mm(5.5);
  const printed = input.printedAt.toISOString().slice(0, 10);
  const left = `${input.village.code} · version ${input.village.version} · ${formatScale(denominator)} · printed ${printed}${pageNote ? ` · ${pageNote}` : ''}`;
  drawText(doc, left, mm(10), y, { size: 5.5, color: '#666666' });
  drawText(doc, 'Tessera · boundaries are valid only with the signatures above', page.width - mm(10), y, {
    size: 5.5,
    color: '#666666',
    align: 'right',
  });
}
