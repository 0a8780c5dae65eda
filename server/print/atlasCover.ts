import * as turf from '@turf/turf';
import type { MultiPolygon, Position } from 'geojson';
import { STATUS_COLOURS } from '../export/style.js';
import type { AtlasInput, IndexEntry } from './atlasModel.js';
import { areaLabelCandidates, placeLabels, type Box, type LabelRequest } from './labels.js';
import { extentOf, formatDistance, formatScale, mapTransform, mm, scaleBarSpec, type MapTransform } from './layout.js';
import type { Rect } from './sheet.js';
import { visibleLabelAnchor } from './sheetData.js';
import { drawNorthArrow, setDash, STYLE, traceMultiPolygon } from './symbols.js';
import { drawBlock, drawText, fitText, measureLines, type Line, type MeasuredBlock } from './text.js';
import { gridConvergenceDeg, mapPositions, utmProjection, utmZoneFor } from './utm.js';

/** The cover and its index pages are A4 portrait, the paper every district office has. */
export const COVER_PAGE = { width: mm(210), height: mm(297) };
const MARGIN = mm(10);
const USABLE: Rect = { x: MARGIN, y: MARGIN, width: COVER_PAGE.width - 2 * MARGIN, height: COVER_PAGE.height - 2 * MARGIN };
const TITLE_HEIGHT = mm(31);
const CONTINUED_TITLE_HEIGHT = mm(12);
const STRIP_HEIGHT = mm(12);
const GAP = mm(3);
const ROW = mm(4.6);
const FOOTER = mm(6);
const MAP_MIN = mm(100);
const MAP_MAX = mm(165);
const UNMAPPED = '#ffffff';

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const bilingual = (a: { name: string; name_local: string | null }) => (a.name_local ? `${a.name} ${a.name_local}` : a.name);

/** How the index is split: rows on the cover and on each continuation page, and the map height. */
export interface CoverPlan {
  mapHeight: number;
  coverRows: number;
  rowsPerPage: number;
  /** Index pages after the cover (0 when the cover holds every row). */
  continuationPages: number;
}

/**
 * Gives the overview map the room the index does not need, between 100 and 165 mm, and spills
 * index rows that still do not fit onto continuation pages before the first village sheet.
 */
export function planCover(villageCount: number): CoverPlan {
  const fixed = TITLE_HEIGHT + GAP + STRIP_HEIGHT + GAP + ROW + FOOTER;
  const tableRoom = (mapHeight: number) => USABLE.height - fixed - mapHeight;
  const mapHeight = Math.min(MAP_MAX, Math.max(MAP_MIN, USABLE.height - fixed - villageCount * ROW));
  // The epsilon keeps float noise from turning exactly 16 rows of room into 15.
  const coverRows = Math.max(0, Math.floor(tableRoom(mapHeight) / ROW + 1e-9));
  const rowsPerPage = Math.floor((USABLE.height - CONTINUED_TITLE_HEIGHT - ROW - FOOTER) / ROW);
  const continuationPages = Math.max(0, Math.ceil((villageCount - coverRows) / rowsPerPage));
  return { mapHeight, coverRows, rowsPerPage, continuationPages };
}

/** Numbers the villages and gives each mapped one the page its sheet will be printed on. */
export function indexEntries(input: Pick<AtlasInput, 'villages'>, plan: CoverPlan): IndexEntry[] {
  let page = 1 + plan.continuationPages;
  return input.villages.map((village, i) => ({ number: i + 1, village, page: village.geometry ? ++page : null }));
}

/** An overview scale that fills the frame: the needed denominator rounded up to a tidy step. */
export function overviewDenominator(needed: number): number {
  const step = 10 ** Math.floor(Math.log10(needed)) / 2;
  return Math.ceil(needed / step) * step;
}

function drawTitle(doc: PDFKit.PDFDocument, input: AtlasInput, entries: IndexEntry[]): void {
  const { area, parents } = input;
  const band = mm(7);
  const x = USABLE.x;
  doc.rect(x, USABLE.y, USABLE.width, band).fill('#1f2a36');
  drawText(doc, `${area.level.toUpperCase()} ATLAS OF VILLAGE BOUNDARIES`, x + mm(2.5), USABLE.y + band * 0.68, {
    size: 9, weight: 'bold', color: '#ffffff',
  });
  drawText(doc, 'ແຜນທີ່ເຂດແດນບ້ານ', x + USABLE.width - mm(2.5), USABLE.y + band * 0.7, { size: 9, weight: 'bold', color: '#ffffff', align: 'right' });
  let y = USABLE.y + band + mm(8);
  const heading = area.name_local ? `${area.name_local}  ${area.name}` : area.name;
  drawText(doc, heading, x, y, { size: 18, weight: 'bold' });
  drawText(doc, `${capitalise(area.level)} ${area.code}`, x + USABLE.width, y, { size: 11, weight: 'bold', align: 'right', color: STYLE.text.muted });
  y += mm(6);
  drawText(doc, parents.map((p) => `${capitalise(p.level)} ${bilingual(p)}`).join('  ·  '), x, y, { size: 8.5 });
  y += mm(5);
  const sheets = entries.filter((e) => e.page !== null).length;
  const unmapped = entries.length - sheets;
  const summary = `${entries.length} villages · ${sheets} boundary sheets${unmapped ? ` · ${unmapped} without a boundary yet` : ''} · printed ${input.printedAt.toISOString().slice(0, 10)}`;
  drawText(doc, summary, x, y, { size: 7.5, color: STYLE.text.muted });
}

/** Projects the atlas area and fits it to the frame. */
function overviewTransform(input: AtlasInput, frame: Rect) {
  const lonLat = [input.area, ...input.villages].flatMap((a) => (a.geometry ? a.geometry.coordinates.flat(2) : a.centre ? [a.centre.coordinates] : []));
  if (lonLat.length === 0) return null;
  const [lonMin, latMin, lonMax, latMax] = turf.bbox(turf.multiPoint(lonLat));
  const centreLonLat = input.area.centre?.coordinates ?? [(lonMin + lonMax) / 2, (latMin + latMax) / 2];
  const projection = utmProjection(utmZoneFor(centreLonLat[0], centreLonLat[1]));
  const projected = lonLat.map((p) => projection.forward(p));
  const extent = extentOf(projected);
  const pad = mm(4);
  const groundW = Math.max(extent.maxE - extent.minE, 100);
  const groundH = Math.max(extent.maxN - extent.minN, 100);
  // Denominator = ground mm per paper mm.
  const needed = Math.max((groundW * 1000) / ((frame.width - 2 * pad) / mm(1)), (groundH * 1000) / ((frame.height - 2 * pad) / mm(1)));
  const denominator = overviewDenominator(needed);
  const centre: [number, number] = [(extent.minE + extent.maxE) / 2, (extent.minN + extent.maxN) / 2];
  return {
    projection,
    denominator,
    transform: mapTransform(frame, centre, denominator),
    convergenceDeg: gridConvergenceDeg(projection, centreLonLat[0], centreLonLat[1]),
  };
}

type LabelKey = { kind: 'village'; index: number } | { kind: 'group'; index: number };

/** Label boxes whose centre falls inside the polygon first, the rest dropped. */
function insideFirst(candidates: Box[], geometry: MultiPolygon | null, t: MapTransform): Box[] {
  if (!geometry) return candidates;
  return candidates.filter((b) => turf.booleanPointInPolygon(t.toGround(b.x + b.width / 2, b.y + b.height / 2), geometry));
}

/**
 * The overview: villages filled in their status colour and outlined, unmapped villages as an
 * open circle at their centre, kumban boundaries dashed, the area's boundary bold, names placed
 * without overlaps (a village whose name finds no room is labelled by its index number).
 */
function drawOverview(doc: PDFKit.PDFDocument, input: AtlasInput, entries: IndexEntry[], frame: Rect) {
  const fit = overviewTransform(input, frame);
  doc.rect(frame.x, frame.y, frame.width, frame.height).fill('#f3f1ea');
  if (!fit) return null;
  const { projection, transform: t } = fit;
  const project = (g: MultiPolygon) => mapPositions(g, (p) => projection.forward(p));
  const toPage = (p: Position) => t.toPage(p[0], p[1]);
  const villages = entries.map((e) => ({ entry: e, geometry: e.village.geometry ? project(e.village.geometry) : null }));
  const groups = input.groups.map((g) => ({ area: g, geometry: g.geometry ? project(g.geometry) : null }));
  const outline = input.area.geometry ? project(input.area.geometry) : null;

  doc.save();
  doc.rect(frame.x, frame.y, frame.width, frame.height).clip();
  if (outline) {
    traceMultiPolygon(doc, outline, toPage);
    doc.fill('#ffffff', 'even-odd');
  }
  for (const { entry, geometry } of villages) {
    if (!geometry) continue;
    traceMultiPolygon(doc, geometry, toPage);
    doc.lineWidth(0.6).fillAndStroke(STATUS_COLOURS[entry.village.status] ?? '#cccccc', '#ffffff', 'even-odd');
  }
  for (const { geometry } of groups) {
    if (!geometry) continue;
    traceMultiPolygon(doc, geometry, toPage);
    doc.lineWidth(1.1).strokeColor('#4d4d4d');
    setDash(doc, [5, 2]);
    doc.stroke().undash();
  }
  if (outline) {
    traceMultiPolygon(doc, outline, toPage);
    doc.lineWidth(1.8).lineJoin('round').strokeColor('#1c1c1c').stroke();
  }
  const obstacles: Box[] = [];
  for (const { entry, geometry } of villages) {
    if (geometry || !entry.village.centre) continue;
    const [x, y] = toPage(projection.forward(entry.village.centre.coordinates));
    doc.circle(x, y, 3).lineWidth(0.9).fillAndStroke(UNMAPPED, '#555555');
    obstacles.push({ x: x - 3.5, y: y - 3.5, width: 7, height: 7 });
  }

  const arrow: Box = { x: frame.x + frame.width - mm(15), y: frame.y + mm(3), width: mm(12), height: mm(15) };
  doc.rect(arrow.x, arrow.y, arrow.width, arrow.height).fillOpacity(0.85).fill('#ffffff').fillOpacity(1);
  drawText(doc, 'N', arrow.x + arrow.width / 2, arrow.y + mm(3), { size: 8, weight: 'bold', align: 'center' });
  drawNorthArrow(doc, arrow.x + arrow.width / 2, arrow.y + mm(9), arrow.width, fit.convergenceDeg);
  obstacles.push(arrow);

  const blocks = new Map<LabelKey, MeasuredBlock>();
  const requests: LabelRequest<LabelKey>[] = [];
  const anchorOf = (geometry: MultiPolygon | null, centre: Position | undefined): [number, number] | null => {
    const anchor = geometry ? visibleLabelAnchor(geometry, t.extent) : centre ? projection.forward(centre) : null;
    return anchor ? t.toPage(anchor[0], anchor[1]) : null;
  };
  villages.forEach(({ entry, geometry }, index) => {
    const at = anchorOf(geometry, entry.village.centre?.coordinates);
    if (!at) return;
    const lines: Line[] = [];
    if (entry.village.name_local) lines.push({ text: entry.village.name_local, size: 7, weight: 'bold', color: STYLE.text.dark });
    lines.push({ text: entry.village.name, size: 6.3, color: STYLE.text.dark });
    const key: LabelKey = { kind: 'village', index };
    const block = measureLines(doc, lines);
    blocks.set(key, block);
    const candidates = areaLabelCandidates(at[0], geometry ? at[1] : at[1] - block.height / 2 - 5, block.width, block.height, mm(2.5), 4);
    requests.push({ key, candidates: geometry ? insideFirst(candidates, geometry, t) : candidates });
  });
  const inner: Box = { x: frame.x + 2, y: frame.y + 2, width: frame.width - 4, height: frame.height - 4 };
  const placed = placeLabels(requests, obstacles, inner);
  const fallback: LabelRequest<LabelKey>[] = [];
  villages.forEach(({ entry, geometry }, index) => {
    const key = [...blocks.keys()].find((k) => k.kind === 'village' && k.index === index);
    if (!key || placed.has(key)) return;
    const at = anchorOf(geometry, entry.village.centre?.coordinates)!;
    const block = measureLines(doc, [{ text: String(entry.number), size: 7, weight: 'bold', color: STYLE.text.dark }]);
    blocks.set(key, block);
    fallback.push({ key, candidates: areaLabelCandidates(at[0], at[1], block.width, block.height, mm(1.5), 3) });
  });
  for (const [key, box] of placeLabels(fallback, [...obstacles, ...placed.values()], inner)) placed.set(key, box);
  groups.forEach(({ area, geometry }, index) => {
    const at = anchorOf(geometry, area.centre?.coordinates);
    if (!at) return;
    const key: LabelKey = { kind: 'group', index };
    const block = measureLines(doc, [{ text: `${capitalise(area.level)} ${area.name}`.toUpperCase(), size: 6.5, weight: 'bold', color: '#4d4d4d' }]);
    blocks.set(key, block);
    const [box] = placeLabels([{ key, candidates: areaLabelCandidates(at[0], at[1], block.width, block.height, mm(4), 5) }], [...obstacles, ...placed.values()], inner).values();
    if (box) placed.set(key, box);
  });
  for (const [key, box] of placed) drawBlock(doc, blocks.get(key)!, box.x, box.y, true);
  doc.restore();
  doc.rect(frame.x, frame.y, frame.width, frame.height).lineWidth(STYLE.frame.width).strokeColor('#000000').stroke();
  return fit;
}

/** Scale ratio and bar at the left under the map, status legend at the right. */
function drawStrip(doc: PDFKit.PDFDocument, entries: IndexEntry[], rect: Rect, fit: { denominator: number; projection: { zone: { name: string; epsg: number } } } | null): void {
  if (fit) {
    const ratio = formatScale(fit.denominator);
    drawText(doc, ratio, rect.x, rect.y + mm(4.5), { size: 10, weight: 'bold' });
    const bar = scaleBarSpec(fit.denominator, 45);
    const segment = mm(bar.lengthMm) / bar.segments;
    const barX = rect.x + mm(24);
    for (let i = 0; i < bar.segments; i++) {
      doc.rect(barX + i * segment, rect.y + mm(2), segment, 2.6).lineWidth(0.5).fillAndStroke(i % 2 === 0 ? '#000000' : '#ffffff', '#000000');
    }
    drawText(doc, '0', barX, rect.y + mm(5.6), { size: 5.5, align: 'center' });
    drawText(doc, formatDistance(bar.totalM), barX + mm(bar.lengthMm), rect.y + mm(5.6), { size: 5.5, align: 'center' });
    drawText(doc, `${fit.projection.zone.name} (EPSG:${fit.projection.zone.epsg}) · overview, not for measuring`, rect.x, rect.y + mm(9.5), {
      size: 6, color: STYLE.text.muted,
    });
  }
  const statuses = Object.keys(STATUS_COLOURS).filter((s) => entries.some((e) => e.page !== null && e.village.status === s));
  const items: [string, (x: number, y: number) => void][] = statuses.map((s) => [
    capitalise(s),
    (x, y) => doc.rect(x, y, mm(5), mm(2.8)).lineWidth(0.5).fillAndStroke(STATUS_COLOURS[s], '#777777'),
  ]);
  if (entries.some((e) => e.page === null)) items.push(['No boundary yet', (x, y) => doc.circle(x + mm(2.5), y + mm(1.4), 3).lineWidth(0.9).fillAndStroke(UNMAPPED, '#555555')]);
  const columnWidth = mm(30);
  const perColumn = 2;
  const legendX = rect.x + rect.width - Math.ceil(items.length / perColumn) * columnWidth;
  items.forEach(([label, swatch], i) => {
    const x = legendX + Math.floor(i / perColumn) * columnWidth;
    const y = rect.y + mm(1) + (i % perColumn) * mm(4.6);
    swatch(x, y);
    drawText(doc, label, x + mm(6.5), y + mm(2.5), { size: 6.5 });
  });
}

interface Column {
  title: string;
  width: number;
  align?: 'left' | 'right';
  cell(e: IndexEntry): string;
}

function indexColumns(input: AtlasInput): Column[] {
  const group = (code: string | null) => input.groups.find((g) => g.code === code)?.name ?? code ?? '';
  const columns: (Column | false)[] = [
    { title: 'No.', width: 9, align: 'right', cell: (e) => String(e.number) },
    { title: 'Code', width: 25, cell: (e) => e.village.code },
    { title: 'Village', width: input.groups.length ? 40 : 52, cell: (e) => e.village.name },
    { title: 'ຊື່ບ້ານ', width: input.groups.length ? 34 : 44, cell: (e) => e.village.name_local ?? '' },
    input.groups.length > 0 && { title: capitalise(input.groups[0].level), width: 22, cell: (e) => group(e.village.parent_code) },
    { title: 'Status', width: 22, cell: (e) => e.village.status },
    { title: 'Area (ha)', width: 18, align: 'right', cell: (e) => (e.village.area_m2 === null ? '–' : (e.village.area_m2 / 10_000).toFixed(1)) },
    { title: 'Page', width: 0, align: 'right', cell: (e) => (e.page === null ? '–' : String(e.page)) },
  ];
  const kept = columns.filter((c): c is Column => !!c);
  const used = kept.reduce((n, c) => n + c.width, 0);
  kept[kept.length - 1].width = USABLE.width / mm(1) - used;
  return kept;
}

/** The index table: a header row, then one row per village with a status swatch and its page. */
function drawIndex(doc: PDFKit.PDFDocument, input: AtlasInput, entries: IndexEntry[], x: number, top: number): void {
  const columns = indexColumns(input);
  const width = USABLE.width;
  doc.rect(x, top, width, ROW).fill('#e8e6df');
  let cx = x;
  for (const c of columns) {
    const w = mm(c.width);
    const tx = c.align === 'right' ? cx + w - mm(1.5) : cx + mm(1.5);
    drawText(doc, c.title, tx, top + ROW * 0.7, { size: 6.8, weight: 'bold', align: c.align ?? 'left' });
    cx += w;
  }
  entries.forEach((entry, i) => {
    const y = top + ROW * (i + 1);
    if (i % 2 === 1) doc.rect(x, y, width, ROW).fill('#f7f6f2');
    let colX = x;
    for (const c of columns) {
      const w = mm(c.width);
      const style = { size: 7, weight: c.title === 'Page' ? ('bold' as const) : ('regular' as const), color: entry.page === null ? STYLE.text.muted : STYLE.text.dark };
      const text = fitText(doc, c.cell(entry), style, w - mm(3));
      if (c.title === 'Status') {
        doc.rect(colX + mm(1.5), y + ROW * 0.25, mm(3.2), ROW * 0.5).lineWidth(0.4).fillAndStroke(STATUS_COLOURS[entry.village.status] ?? '#cccccc', '#777777');
        drawText(doc, text, colX + mm(6), y + ROW * 0.7, style);
      } else {
        drawText(doc, text, c.align === 'right' ? colX + w - mm(1.5) : colX + mm(1.5), y + ROW * 0.7, { ...style, align: c.align ?? 'left' });
      }
      colX += w;
    }
  });
  const bottom = top + ROW * (entries.length + 1);
  doc.moveTo(x, bottom).lineTo(x + width, bottom).lineWidth(0.5).strokeColor('#777777').stroke();
}

/** Footer on cover and index pages: what the atlas is, its print date and the page number. */
export function drawAtlasFooter(doc: PDFKit.PDFDocument, input: AtlasInput, page: number, pages: number): void {
  const y = COVER_PAGE.height - mm(5.5);
  const left = `${input.area.code} · ${capitalise(input.area.level)} atlas · printed ${input.printedAt.toISOString().slice(0, 10)}`;
  drawText(doc, left, MARGIN, y, { size: 5.5, color: '#666666' });
  drawText(doc, `page ${page} of ${pages}`, COVER_PAGE.width - MARGIN, y, { size: 5.5, color: '#666666', align: 'right' });
}

/**
 * Draws the cover (title, overview map, scale and legend, first part of the index) and any
 * index continuation pages onto `doc`, each on a page of its own.
 */
export function drawCoverPages(doc: PDFKit.PDFDocument, input: AtlasInput, plan: CoverPlan, entries: IndexEntry[], totalPages: number): void {
  doc.addPage({ size: [COVER_PAGE.width, COVER_PAGE.height], margin: 0 });
  drawTitle(doc, input, entries);
  const frame: Rect = { x: USABLE.x, y: USABLE.y + TITLE_HEIGHT + GAP, width: USABLE.width, height: plan.mapHeight };
  const fit = drawOverview(doc, input, entries, frame);
  drawStrip(doc, entries, { x: USABLE.x, y: frame.y + frame.height + mm(1.5), width: USABLE.width, height: STRIP_HEIGHT }, fit);
  const tableTop = frame.y + frame.height + STRIP_HEIGHT + GAP;
  drawIndex(doc, input, entries.slice(0, plan.coverRows), USABLE.x, tableTop);
  drawAtlasFooter(doc, input, 1, totalPages);
  for (let p = 0; p < plan.continuationPages; p++) {
    doc.addPage({ size: [COVER_PAGE.width, COVER_PAGE.height], margin: 0 });
    const title = `${input.area.name_local ? `${input.area.name_local}  ` : ''}${input.area.name} · index of villages (continued)`;
    drawText(doc, title, USABLE.x, USABLE.y + mm(6), { size: 11, weight: 'bold' });
    const start = plan.coverRows + p * plan.rowsPerPage;
    drawIndex(doc, input, entries.slice(start, start + plan.rowsPerPage), USABLE.x, USABLE.y + CONTINUED_TITLE_HEIGHT);
    drawAtlasFooter(doc, input, p + 2, totalPages);
  }
}
