import PDFDocument from 'pdfkit';
import { drawCoverPages, indexEntries, planCover } from './atlasCover.js';
import type { AtlasInput } from './atlasModel.js';
import { registerFonts } from './fonts.js';
import { drawVillageSheet, planVillageSheet } from './villageMap.js';

export type { AtlasContent, AtlasInput } from './atlasModel.js';

/** Options that shape an atlas without changing what it shows. */
export interface AtlasOptions {
  /** Called after each page is drawn, so a long atlas can report progress. */
  onPage?: (page: number, pages: number) => void;
  /** Bytes the reader may leave unread before drawing pauses (memory stays flat on slow links). */
  highWaterBytes?: number;
}

/** Pages an atlas will have: the cover, index continuation pages, one sheet per mapped village. */
export function atlasPageCount(input: Pick<AtlasInput, 'villages' | 'sheets'>): number {
  return 1 + planCover(input.villages.length).continuationPages + input.sheets.length;
}

/** Resolves once the reader has taken enough of the document's buffered output. */
async function readerCaughtUp(doc: PDFKit.PDFDocument, highWaterBytes: number): Promise<void> {
  while (doc.readableLength > highWaterBytes && !doc.destroyed) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * Renders the atlas of a kumban or district as one PDF stream: the cover with overview map and
 * index (village → page), then each village's boundary sheet on A4 (drawn by the same code as
 * the single village map). Pages are drawn one at a time, yielding between pages and waiting
 * for a slow reader, so a 70-village atlas never sits whole in memory. Deterministic for a
 * given input, like the village map.
 */
export function renderAtlas(input: AtlasInput, options: AtlasOptions = {}): PDFKit.PDFDocument {
  const plan = planCover(input.villages.length);
  const entries = indexEntries(input, plan);
  const pages = atlasPageCount(input);
  const doc = new PDFDocument({
    autoFirstPage: false,
    margin: 0,
    compress: true,
    lang: 'lo',
    info: {
      Title: `${input.area.name}${input.area.name_local ? ` (${input.area.name_local})` : ''}: ${input.area.level} atlas of village boundaries`,
      Subject: `${input.area.code}: ${input.sheets.length} village sheets`,
      Creator: 'Tessera',
      Producer: 'Tessera (pdfkit)',
      CreationDate: input.printedAt,
      ModDate: input.printedAt,
    },
  });
  registerFonts(doc);
  const highWater = options.highWaterBytes ?? 4 * 1024 * 1024;

  const draw = async () => {
    drawCoverPages(doc, input, plan, entries, pages);
    let page = 1 + plan.continuationPages;
    options.onPage?.(page, pages);
    for (const sheet of input.sheets) {
      await new Promise((resolve) => setImmediate(resolve));
      await readerCaughtUp(doc, highWater);
      if (doc.destroyed) return;
      page++;
      const plannedSheet = planVillageSheet({
        ...sheet,
        printedAt: input.printedAt,
        paper: 'A4',
        versionUrl: input.versionUrl?.(sheet.village.code, sheet.village.version),
      });
      drawVillageSheet(doc, plannedSheet, `${input.area.name} atlas · page ${page} of ${pages}`);
      options.onPage?.(page, pages);
    }
    doc.end();
  };
  draw().catch((err: Error) => doc.destroy(err));
  return doc;
}
