import { drawCoverPages, indexEntries, planCover } from './atlasCover.js';
import type { AtlasInput } from './atlasModel.js';
import { PrintDocument } from './document.js';
import { registerFonts } from './fonts.js';
import { ProjectionCache } from './sheetData.js';
import { drawVillageSheet, planVillageSheet } from './villageMap.js';

export type { AtlasContent, AtlasInput } from './atlasModel.js';

/** Options that shape an atlas without changing what it shows. */
export interface AtlasOptions {
  /** Called after each page is drawn, so a long atlas can report progress. */
  onPage?: (page: number, pages: number) => void;
  /** Bytes the reader may leave unread before drawing pauses (memory stays flat on slow links). */
  highWaterBytes?: number;
  /** Awaited after the last page and before the file ends, e.g. to record the print. */
  beforeEnd?: () => Promise<void>;
}

/**
 * The comment written after each finished page: `%Tessera atlas page 3 of 72`. A client reading
 * the response as it arrives counts progress by it (docs/print.md).
 */
export const ATLAS_PROGRESS_PREFIX = 'Tessera atlas page';

/** The progress comment for a page, without the leading `%`. */
export function atlasProgressComment(page: number, pages: number): string {
  return `${ATLAS_PROGRESS_PREFIX} ${page} of ${pages}`;
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
 * for a slow reader, so a 70-village atlas never sits whole in memory. Each finished page is
 * written at once and followed by a progress comment (`atlasProgressComment`). Deterministic
 * for a given input, like the village map.
 */
export function renderAtlas(input: AtlasInput, options: AtlasOptions = {}): PrintDocument {
  const plan = planCover(input.villages.length);
  const entries = indexEntries(input, plan);
  const pages = atlasPageCount(input);
  const doc = new PrintDocument({
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

  // The kumban and district are on every sheet, neighbours on several: project each once.
  const projections = new ProjectionCache();
  const finishPage = (page: number) => {
    doc.writeComment(atlasProgressComment(page, pages));
    options.onPage?.(page, pages);
  };

  const draw = async () => {
    drawCoverPages(doc, input, plan, entries, pages);
    let page = 1 + plan.continuationPages;
    finishPage(page);
    for (const sheet of input.sheets) {
      await new Promise((resolve) => setImmediate(resolve));
      await readerCaughtUp(doc, highWater);
      if (doc.destroyed) return;
      page++;
      const plannedSheet = planVillageSheet(
        {
          ...sheet,
          printedAt: input.printedAt,
          paper: 'A4',
          versionUrl: input.versionUrl?.(sheet.village.code, sheet.village.version),
        },
        projections,
      );
      drawVillageSheet(doc, plannedSheet, `${input.area.name} atlas · page ${page} of ${pages}`);
      finishPage(page);
    }
    if (doc.destroyed) return;
    await options.beforeEnd?.();
    if (!doc.destroyed) doc.end();
  };
  draw().catch((err: Error) => doc.destroy(err));
  return doc;
}
