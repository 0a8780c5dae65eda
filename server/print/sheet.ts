import { chooseScale, mm, pageSizeMm, type Orientation, type Paper, type ScaleChoice } from './layout.js';

/** A rectangle on the page in PDF points, origin top left (pdfkit's convention). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The blocks of the sheet outside the map frame, stacked in columns. */
export type PanelKind = 'title' | 'scale' | 'legend' | 'inset' | 'facts' | 'markers' | 'disputes';

/** Where everything goes on one sheet. */
export interface SheetLayout {
  paper: Paper;
  orientation: Orientation;
  page: { width: number; height: number };
  /** The neatline of the map; grid labels sit in a band just outside it. */
  map: Rect;
  /** Panel columns, each filled top to bottom in the given order. */
  columns: { rect: Rect; panels: PanelKind[] }[];
  /** Strip of signature blocks along the bottom. */
  signatures: Rect;
  signaturesPerRow: number;
}

const MARGIN_MM = 10;
const GAP_MM = 4;
/** Room outside the neatline for grid coordinate labels. */
export const GRID_LABEL_BAND_MM = 5;
const SIDEBAR_MM = 84;
const PORTRAIT_BAND_MM = 74;
const SIGNATURE_MIN_WIDTH_MM = 36;
const SIGNATURE_ROW_MM = 22;

/**
 * Partitions a page into map frame, panel columns and signature strip. Landscape sheets carry a
 * sidebar on the right (the usual cadastral layout); portrait sheets a band of three columns
 * under the map. The signature strip grows by rows when a village has many neighbours.
 */
export function sheetLayout(paper: Paper, orientation: Orientation, signatureCount: number): SheetLayout {
  const sizeMm = pageSizeMm(paper, orientation);
  const usable: Rect = {
    x: mm(MARGIN_MM),
    y: mm(MARGIN_MM),
    width: mm(sizeMm.width - 2 * MARGIN_MM),
    height: mm(sizeMm.height - 2 * MARGIN_MM),
  };
  const gap = mm(GAP_MM);
  const band = mm(GRID_LABEL_BAND_MM);
  const signatureStrip = (width: number) => {
    const perRow = Math.max(1, Math.floor(width / mm(SIGNATURE_MIN_WIDTH_MM)));
    const rows = Math.max(1, Math.ceil(signatureCount / perRow));
    return { perRow, height: rows * mm(SIGNATURE_ROW_MM) };
  };

  if (orientation === 'landscape') {
    const sidebarWidth = mm(SIDEBAR_MM);
    const leftWidth = usable.width - sidebarWidth - gap;
    const strip = signatureStrip(leftWidth);
    const mapOuterHeight = usable.height - strip.height - gap;
    return {
      paper,
      orientation,
      page: { width: mm(sizeMm.width), height: mm(sizeMm.height) },
      map: { x: usable.x + band, y: usable.y + band, width: leftWidth - 2 * band, height: mapOuterHeight - 2 * band },
      columns: [
        {
          rect: { x: usable.x + leftWidth + gap, y: usable.y, width: sidebarWidth, height: usable.height },
          panels: ['title', 'scale', 'legend', 'disputes', 'markers', 'facts', 'inset'],
        },
      ],
      signatures: { x: usable.x, y: usable.y + usable.height - strip.height, width: leftWidth, height: strip.height },
      signaturesPerRow: strip.perRow,
    };
  }

  const strip = signatureStrip(usable.width);
  const bandHeight = mm(PORTRAIT_BAND_MM);
  const mapOuterHeight = usable.height - strip.height - bandHeight - 2 * gap;
  const columnWidth = (usable.width - 2 * gap) / 3;
  const bandY = usable.y + mapOuterHeight + gap;
  const column = (index: number, panels: PanelKind[]) => ({
    rect: { x: usable.x + index * (columnWidth + gap), y: bandY, width: columnWidth, height: bandHeight },
    panels,
  });
  return {
    paper,
    orientation,
    page: { width: mm(sizeMm.width), height: mm(sizeMm.height) },
    map: { x: usable.x + band, y: usable.y + band, width: usable.width - 2 * band, height: mapOuterHeight - 2 * band },
    columns: [column(0, ['title', 'facts']), column(1, ['scale', 'legend', 'disputes', 'inset']), column(2, ['markers'])],
    signatures: { x: usable.x, y: usable.y + usable.height - strip.height, width: usable.width, height: strip.height },
    signaturesPerRow: strip.perRow,
  };
}

/** What the caller asked for; anything left undefined is chosen to fit. */
export interface PageRequest {
  paper?: Paper;
  orientation?: Orientation;
}

/** A page and scale chosen for a village. */
export interface PageChoice {
  layout: SheetLayout;
  scale: ScaleChoice;
}

/**
 * Picks paper, orientation and scale: the largest standard scale at which the ground extent
 * fits. A4 is preferred (every district office can print it); A3 only when A4 cannot hold the
 * village at any standard scale. Between orientations at the same scale, the one whose frame
 * shape is closer to the village's wins.
 */
export function choosePage(groundM: { width: number; height: number }, request: PageRequest, signatureCount: number): PageChoice {
  const papers: Paper[] = request.paper ? [request.paper] : ['A4', 'A3'];
  const orientations: Orientation[] = request.orientation ? [request.orientation] : ['landscape', 'portrait'];
  const groundAspect = Math.log(Math.max(groundM.width, 1) / Math.max(groundM.height, 1));
  let best: PageChoice | undefined;
  for (const paper of papers) {
    for (const orientation of orientations) {
      const layout = sheetLayout(paper, orientation, signatureCount);
      const scale = chooseScale(groundM, { width: layout.map.width / mm(1), height: layout.map.height / mm(1) });
      const candidate = { layout, scale };
      if (!best || isBetter(candidate, best, groundAspect)) best = candidate;
    }
    if (best && best.scale.standard) return best;
  }
  if (!best) throw new Error('no page candidates');
  return best;
}

function isBetter(a: PageChoice, b: PageChoice, groundAspect: number): boolean {
  if (a.scale.denominator !== b.scale.denominator) return a.scale.denominator < b.scale.denominator;
  if (a.layout.paper !== b.layout.paper) return false;
  const aspectError = (c: PageChoice) => Math.abs(Math.log(c.layout.map.width / c.layout.map.height) - groundAspect);
  return aspectError(a) < aspectError(b);
}
