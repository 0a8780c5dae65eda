import * as turf from '@turf/turf';
import type { Position } from 'geojson';
import { extentOf, formatDistance, formatScale, groupThousands, mm, scaleBarSpec } from './layout.js';
import type { VillageMapInput } from './model.js';
import { drawQr } from './qr.js';
import type { PanelKind, Rect } from './sheet.js';
import { villageMeasures, type SheetData } from './sheetData.js';
import { drawSwatch, STYLE, traceMultiPolygon, type LegendKey } from './symbols.js';
import { drawText, fitText, textWidth, wrapText } from './text.js';

/** What every panel may read. */
export interface PanelContext {
  doc: PDFKit.PDFDocument;
  input: VillageMapInput;
  data: SheetData;
  scaleDenominator: number;
  gridIntervalM: number;
  legend: LegendKey[];
}

/** A block of the sheet: its height for a column width, and how to draw it into a rectangle. */
interface Panel {
  height(width: number): number;
  draw(rect: Rect): void;
}

const PANEL_GAP = mm(3);
const HEADING_SIZE = 6.5;
const BODY_SIZE = 6.8;
const ROW = mm(3.5);

/**
 * Stacks a column's panels top to bottom at their own heights; the last one stretches to the
 * bottom of the column, so a long marker table or the inset uses whatever room is left.
 */
export function drawColumn(ctx: PanelContext, rect: Rect, kinds: PanelKind[]): void {
  const panels = kinds.map((k) => panelFor(ctx, k));
  let y = rect.y;
  panels.forEach((panel, i) => {
    const last = i === panels.length - 1;
    const height = last ? Math.max(0, rect.y + rect.height - y) : panel.height(rect.width);
    // A panel with nothing to show (no disputes) takes no room, not even a gap.
    if (!last && height === 0) return;
    panel.draw({ x: rect.x, y, width: rect.width, height });
    y += height + PANEL_GAP;
  });
}

function panelFor(ctx: PanelContext, kind: PanelKind): Panel {
  switch (kind) {
    case 'title':
      return titlePanel(ctx);
    case 'scale':
      return scalePanel(ctx);
    case 'legend':
      return legendPanel(ctx);
    case 'inset':
      return insetPanel(ctx);
    case 'facts':
      return factsPanel(ctx);
    case 'markers':
      return markersPanel(ctx);
    case 'disputes':
      return disputesPanel(ctx);
  }
}

function heading(doc: PDFKit.PDFDocument, text: string, rect: Rect): number {
  drawText(doc, text.toUpperCase(), rect.x, rect.y + HEADING_SIZE, { size: HEADING_SIZE, weight: 'bold', color: STYLE.text.dark });
  const y = rect.y + HEADING_SIZE + mm(1.2);
  doc.moveTo(rect.x, y).lineTo(rect.x + rect.width, y).lineWidth(0.4).strokeColor('#999999').stroke();
  return y + mm(1.5);
}

/** Fixed decimals with thousands separators: 1234.5 → "1,234.50". */
function formatDecimal(value: number, decimals: number): string {
  const [whole, fraction] = value.toFixed(decimals).split('.');
  return fraction ? `${groupThousands(Number(whole))}.${fraction}` : groupThousands(Number(whole));
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function titlePanel({ doc, input }: PanelContext): Panel {
  const { village, parents } = input;
  const draft = village.status !== 'approved';
  const bandHeight = mm(6);
  const rows = parents.length + 1;
  const height = bandHeight + mm(2) + (village.name_local ? 19 : 0) + 15 + rows * ROW + (draft ? ROW + mm(1) : 0) + mm(2);
  return {
    height: () => height,
    draw(rect) {
      doc.rect(rect.x, rect.y, rect.width, height).lineWidth(0.9).strokeColor('#000000').stroke();
      doc.rect(rect.x, rect.y, rect.width, bandHeight).fill('#1f2a36');
      drawText(doc, 'VILLAGE BOUNDARY MAP', rect.x + mm(2), rect.y + bandHeight * 0.68, { size: 7.5, weight: 'bold', color: '#ffffff' });
      drawText(doc, 'ແຜນທີ່ເຂດແດນບ້ານ', rect.x + rect.width - mm(2), rect.y + bandHeight * 0.7, {
        size: 7.5,
        weight: 'bold',
        color: '#ffffff',
        align: 'right',
      });
      const x = rect.x + mm(2.5);
      let y = rect.y + bandHeight + mm(2);
      if (village.name_local) {
        y += 16;
        drawText(doc, village.name_local, x, y, { size: 15, weight: 'bold' });
        y += 3;
      }
      y += 12;
      drawText(doc, fitText(doc, village.name, { size: 12, weight: 'bold' }, rect.width - mm(5)), x, y, { size: 12, weight: 'bold' });
      y += 3;
      const labelWidth = mm(15);
      const rowsToDraw: [string, string][] = [
        ...parents.map((p): [string, string] => [capitalise(p.level), p.name_local ? `${p.name}  ${p.name_local}` : p.name]),
        ['Code', `${village.code}  ·  ${capitalise(village.level)}`],
      ];
      for (const [label, value] of rowsToDraw) {
        y += ROW;
        drawText(doc, label, x, y, { size: BODY_SIZE, color: STYLE.text.muted });
        const valueStyle = { size: BODY_SIZE, weight: 'bold' as const };
        drawText(doc, fitText(doc, value, valueStyle, rect.width - labelWidth - mm(5)), x + labelWidth, y, valueStyle);
      }
      if (draft) {
        y += ROW + mm(1);
        drawText(doc, `DRAFT: status "${village.status}", not yet approved`, x, y, { size: BODY_SIZE, weight: 'bold', color: '#b3261e' });
      }
    },
  };
}

function scalePanel({ doc, data, scaleDenominator, gridIntervalM }: PanelContext): Panel {
  const height = mm(20);
  return {
    height: () => height,
    draw(rect) {
      let y = heading(doc, 'Scale and grid', rect);
      y += 9;
      drawText(doc, formatScale(scaleDenominator), rect.x, y, { size: 11, weight: 'bold' });
      const ratioWidth = textWidth(doc, formatScale(scaleDenominator), { size: 11, weight: 'bold' });
      const barX = rect.x + ratioWidth + mm(5);
      const bar = scaleBarSpec(scaleDenominator, Math.min(mm(50), rect.width - ratioWidth - mm(12)) / mm(1));
      const segmentPt = mm(bar.lengthMm) / bar.segments;
      const barY = y - 5;
      for (let i = 0; i < bar.segments; i++) {
        doc.rect(barX + i * segmentPt, barY, segmentPt, 2.6).lineWidth(0.5).fillAndStroke(i % 2 === 0 ? '#000000' : '#ffffff', '#000000');
      }
      const labelEvery = segmentPt >= mm(6) ? 1 : bar.segments;
      for (let i = 0; i <= bar.segments; i += labelEvery) {
        const label = i === bar.segments ? formatDistance(i * bar.segmentM) : formatDistance(i * bar.segmentM).replace(/ (m|km)$/, '');
        drawText(doc, label, barX + i * segmentPt, barY + 2.6 + 6, { size: 5.5, align: 'center' });
      }
      y += ROW + 1;
      const zone = data.projection.zone;
      drawText(doc, `${zone.name} (EPSG:${zone.epsg}) · grid ${formatDistance(gridIntervalM)}`, rect.x, y, {
        size: 6,
        color: STYLE.text.muted,
      });
      y += ROW * 0.85;
      drawText(doc, `Arrow shows true north; grid convergence ${data.convergenceDeg.toFixed(2)}°`, rect.x, y, {
        size: 6,
        color: STYLE.text.muted,
      });
    },
  };
}

function legendLabel(key: LegendKey, ctx: PanelContext): string {
  switch (key) {
    case 'village':
      return 'This village';
    case 'neighbour':
      return 'Neighbouring village';
    case 'parent':
      return `${capitalise(ctx.input.parents[0]?.level ?? 'parent')} boundary`;
    case 'dispute':
      return 'Disputed area';
    case 'disputedLine':
      return 'Disputed boundary';
    case 'track':
      return 'GPS track';
    case 'marker':
      return 'Boundary marker';
    case 'grid':
      return `UTM grid ${formatDistance(ctx.gridIntervalM)}`;
  }
}

function legendPanel(ctx: PanelContext): Panel {
  const { doc, legend } = ctx;
  const perColumn = Math.ceil(legend.length / 2);
  const height = HEADING_SIZE + mm(2.7) + perColumn * mm(4.2);
  return {
    height: () => height,
    draw(rect) {
      const top = heading(doc, 'Legend', rect);
      const columnWidth = rect.width / 2;
      const swatchW = mm(5.5);
      const swatchH = mm(2.8);
      legend.forEach((key, i) => {
        const x = rect.x + Math.floor(i / perColumn) * columnWidth;
        const y = top + (i % perColumn) * mm(4.2);
        drawSwatch(doc, key, x, y, swatchW, swatchH);
        const style = { size: 6 };
        drawText(doc, fitText(doc, legendLabel(key, ctx), style, columnWidth - swatchW - mm(3)), x + swatchW + mm(1.5), y + swatchH - 1, style);
      });
    },
  };
}

function insetPanel({ doc, data }: PanelContext): Panel {
  const insetArea = data.insetArea;
  return {
    height: (width) => (insetArea?.geometry ? Math.min(mm(40), width * 0.5) + HEADING_SIZE + mm(2.7) : 0),
    draw(rect) {
      if (!insetArea?.geometry || rect.height < mm(15)) return;
      const area = insetArea.area;
      const top = heading(doc, `Location in ${area.name}${area.name_local ? ` ${area.name_local}` : ''}`, rect);
      const box: Rect = { x: rect.x, y: top, width: rect.width, height: rect.y + rect.height - top };
      doc.rect(box.x, box.y, box.width, box.height).lineWidth(0.5).fillAndStroke('#fbfbf8', '#777777');
      const { minE, maxE, minN, maxN } = extentOf(insetArea.geometry.coordinates.flat(2));
      const pad = mm(3);
      const k = Math.min((box.width - 2 * pad) / Math.max(maxE - minE, 1), (box.height - 2 * pad) / Math.max(maxN - minN, 1));
      const offsetX = box.x + (box.width - (maxE - minE) * k) / 2;
      const offsetY = box.y + (box.height - (maxN - minN) * k) / 2;
      const toInset = (p: Position): [number, number] => [offsetX + (p[0] - minE) * k, offsetY + (maxN - p[1]) * k];
      doc.save();
      doc.rect(box.x, box.y, box.width, box.height).clip();
      traceMultiPolygon(doc, insetArea.geometry, toInset);
      doc.lineWidth(0.8).fillAndStroke('#ffffff', '#333333');
      if (data.parent?.geometry && data.parent.area.code !== area.code) {
        traceMultiPolygon(doc, data.parent.geometry, toInset);
        doc.lineWidth(0.6).fillAndStroke('#e6dcef', STYLE.parent.stroke);
      }
      if (data.village.geometry) {
        traceMultiPolygon(doc, data.village.geometry, toInset);
        doc.lineWidth(0.6).fillAndStroke('#d0021b', '#8c1d18');
        const [vx, vy] = toInset(data.villageAnchor);
        doc.circle(vx, vy, mm(2.2)).lineWidth(0.8).strokeColor('#d0021b').stroke();
      }
      doc.restore();
    },
  };
}

function factsPanel({ doc, input }: PanelContext): Panel {
  const { village } = input;
  const measures = villageMeasures(village);
  const rows: [string, string][] = [
    ['Area', `${formatDecimal(measures.areaHa, 2)} ha`],
    ['Perimeter', `${formatDecimal(measures.perimeterKm, 2)} km`],
    ['Status', village.status],
    ['Method', village.method ?? 'not recorded'],
    ['Version', `${village.version} of ${village.updated_at.slice(0, 10)}`],
  ];
  if (village.population !== null) rows.push(['Population', groupThousands(village.population)]);
  if (village.households !== null) rows.push(['Households', groupThousands(village.households)]);
  rows.push(['Printed', `${input.printedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`]);
  const qrSize = mm(18);
  const height = Math.max(rows.length * ROW, qrSize + mm(4)) + HEADING_SIZE + mm(3);
  return {
    height: () => height,
    draw(rect) {
      const top = heading(doc, 'Village record', rect);
      const hasQr = Boolean(input.versionUrl);
      const textWidthAvailable = rect.width - (hasQr ? qrSize + mm(3) : 0);
      const labelWidth = mm(15);
      rows.forEach(([label, value], i) => {
        const y = top + (i + 1) * ROW - mm(0.8);
        drawText(doc, label, rect.x, y, { size: BODY_SIZE, color: STYLE.text.muted });
        const style = { size: BODY_SIZE, weight: 'bold' as const };
        drawText(doc, fitText(doc, value, style, textWidthAvailable - labelWidth), rect.x + labelWidth, y, style);
      });
      if (input.versionUrl) {
        const x = rect.x + rect.width - qrSize;
        drawQr(doc, input.versionUrl, x, top, qrSize);
        drawText(doc, `version ${village.version} online`, x + qrSize / 2, top + qrSize + mm(2.8), {
          size: 5.5,
          color: STYLE.text.muted,
          align: 'center',
        });
      }
    },
  };
}

function markersPanel({ doc, data }: PanelContext): Panel {
  return {
    height: () => HEADING_SIZE + mm(3) + (data.markers.length + 1) * ROW,
    draw(rect) {
      if (rect.height < HEADING_SIZE + 2 * ROW) return;
      const zone = data.projection.zone;
      const top = heading(doc, `Boundary markers (UTM ${zone.zone}${zone.hemisphere})`, rect);
      const columns = [
        { title: 'No.', x: rect.x, align: 'left' as const },
        { title: 'Name', x: rect.x + mm(7), align: 'left' as const },
        { title: 'Easting (m)', x: rect.x + rect.width - mm(17), align: 'right' as const },
        { title: 'Northing (m)', x: rect.x + rect.width, align: 'right' as const },
      ];
      const headStyle = { size: 6, weight: 'bold' as const, color: STYLE.text.muted };
      let y = top + ROW - mm(1);
      for (const c of columns) drawText(doc, c.title, c.x, y, { ...headStyle, align: c.align });
      const bottom = rect.y + rect.height;
      const nameWidth = columns[2].x - columns[1].x - mm(11);
      const style = { size: BODY_SIZE };
      const wrapLead = ROW * 0.8;
      let shown = 0;
      for (const [i, m] of data.markers.entries()) {
        const nameLines = wrapText(doc, m.name, style, nameWidth, 2);
        const rowHeight = ROW + (nameLines.length - 1) * wrapLead;
        const reserve = i < data.markers.length - 1 ? ROW : 0;
        if (y + rowHeight + reserve > bottom) break;
        y += ROW;
        if (i % 2 === 0) doc.rect(rect.x, y - ROW + mm(1), rect.width, rowHeight).fill('#f1f3f5');
        drawText(doc, String(m.number), columns[0].x + mm(1), y, style);
        nameLines.forEach((line, l) => drawText(doc, line, columns[1].x, y + l * wrapLead, style));
        drawText(doc, String(m.easting), columns[2].x, y, { ...style, align: 'right' });
        drawText(doc, String(m.northing), columns[3].x, y, { ...style, align: 'right' });
        y += rowHeight - ROW;
        shown++;
      }
      if (data.markers.length === 0) {
        y += ROW;
        drawText(doc, 'No boundary markers recorded.', rect.x, y, { ...style, color: STYLE.text.muted });
      } else if (shown < data.markers.length) {
        y += ROW;
        drawText(doc, `… and ${data.markers.length - shown} more (see the data export)`, rect.x, y, { ...style, color: STYLE.text.muted });
      }
    },
  };
}

/** One row of the disputes panel: what is disputed, with whom, how much, how far it has come. */
export interface DisputeRow {
  kind: 'dispute' | 'disputedLine';
  /** What it is: a contested area, a boundary stretch, or one side's claimed line. */
  label: string;
  other: string;
  measure: string;
  status: string;
}

/** The disputes of a sheet as listed: contested areas with their surface, then boundary stretches with their length. */
export function disputeRows(data: Pick<SheetData, 'disputes' | 'disputedLines'>): DisputeRow[] {
  return [
    ...data.disputes.map((d): DisputeRow => ({
      kind: 'dispute',
      label: 'Area',
      other: d.other,
      measure: `${formatDecimal((d.area_m2 ?? turf.area(d.geometry)) / 10_000, 2)} ha`,
      status: d.status,
    })),
    ...data.disputedLines.map((l): DisputeRow => ({
      kind: 'disputedLine',
      label: l.claim === 'own' ? 'Our claim' : l.claim === 'other' ? 'Their claim' : 'Boundary',
      other: l.other ?? 'outer edge',
      measure: l.length_m >= 1000 ? `${formatDecimal(l.length_m / 1000, 2)} km` : `${Math.round(l.length_m)} m`,
      status: l.status,
    })),
  ];
}

/**
 * Lists what is hatched or dashed on the map, each row with the legend's swatch, so every
 * dispute can be named at the boundary meeting: the other village, the size, the status.
 */
function disputesPanel({ doc, data }: PanelContext): Panel {
  const rows = disputeRows(data);
  return {
    height: () => (rows.length === 0 ? 0 : HEADING_SIZE + mm(3) + (rows.length + 1) * ROW),
    draw(rect) {
      if (rows.length === 0 || rect.height < HEADING_SIZE + 2 * ROW) return;
      const top = heading(doc, 'Disputes', rect);
      const style = { size: BODY_SIZE - 0.4 };
      const headStyle = { size: 6, weight: 'bold' as const, color: STYLE.text.muted };
      const widest = (texts: string[], s: typeof style | typeof headStyle) => Math.max(...texts.map((t) => textWidth(doc, t, s)));
      const swatchW = mm(4.5);
      const gap = mm(2);
      const statusX = rect.x + rect.width;
      const sizeX = statusX - Math.max(widest(rows.map((r) => r.status), style), widest(['Status'], headStyle)) - gap;
      const withX = rect.x + swatchW + mm(1.2) + Math.max(widest(rows.map((r) => r.label), style), widest(['Disputed'], headStyle) - swatchW) + gap;
      const sizeWidth = Math.max(widest(rows.map((r) => r.measure), style), widest(['Size'], headStyle));
      let y = top + ROW - mm(1);
      drawText(doc, 'Disputed', rect.x, y, headStyle);
      drawText(doc, 'With', withX, y, headStyle);
      drawText(doc, 'Size', sizeX, y, { ...headStyle, align: 'right' });
      drawText(doc, 'Status', statusX, y, { ...headStyle, align: 'right' });
      const bottom = rect.y + rect.height;
      for (const row of rows) {
        if (y + ROW > bottom) break;
        y += ROW;
        drawSwatch(doc, row.kind, rect.x, y - mm(2.3), swatchW, mm(2.4));
        drawText(doc, row.label, rect.x + swatchW + mm(1.2), y, style);
        drawText(doc, fitText(doc, row.other, style, sizeX - sizeWidth - gap - withX), withX, y, style);
        drawText(doc, row.measure, sizeX, y, { ...style, align: 'right' });
        drawText(doc, row.status, statusX, y, { ...style, align: 'right' });
      }
    },
  };
}

/** Who signs a village boundary sheet, in the order the blocks are printed. */
export function signatories(input: VillageMapInput): { role: string; roleLocal: string; who: string }[] {
  const nameOf = (a: { name: string; name_local: string | null }) => (a.name_local ? `${a.name} ${a.name_local}` : a.name);
  const district = input.parents[1] ?? input.parents[0];
  return [
    { role: 'Village chief', roleLocal: 'ນາຍບ້ານ', who: nameOf(input.village) },
    ...input.neighbours.map((n) => ({ role: 'Neighbouring village chief', roleLocal: 'ນາຍບ້ານໃກ້ຄຽງ', who: nameOf(n) })),
    { role: 'District official', roleLocal: 'ເຈົ້າໜ້າທີ່ເມືອງ', who: district ? nameOf(district) : '' },
  ];
}

/** The strip of signature blocks: role in English and Lao, whose, a line to sign, name and date. */
export function drawSignatures(doc: PDFKit.PDFDocument, input: VillageMapInput, rect: Rect, perRow: number): void {
  const blocks = signatories(input);
  const rowHeight = rect.height / Math.ceil(blocks.length / perRow);
  const gap = mm(3);
  const columns = Math.min(perRow, blocks.length);
  const width = (rect.width - gap * (columns - 1)) / columns;
  blocks.forEach((block, i) => {
    const x = rect.x + (i % perRow) * (width + gap);
    const y = rect.y + Math.floor(i / perRow) * rowHeight;
    doc.rect(x, y, width, rowHeight - mm(1.5)).lineWidth(0.4).strokeColor('#8a8a8a').stroke();
    const inner = x + mm(1.5);
    const innerWidth = width - mm(3);
    const roleStyle = { size: 6.3, weight: 'bold' as const };
    drawText(doc, fitText(doc, block.role, roleStyle, innerWidth), inner, y + mm(3.2), roleStyle);
    drawText(doc, fitText(doc, block.roleLocal, { size: 6 }, innerWidth), inner, y + mm(6.6), { size: 6 });
    drawText(doc, fitText(doc, block.who, { size: 6 }, innerWidth), inner, y + mm(9.8), { size: 6, color: STYLE.text.muted });
    const lineY = y + rowHeight - mm(7);
    doc.moveTo(inner, lineY).lineTo(inner + innerWidth, lineY).lineWidth(0.4).strokeColor('#000000').stroke();
    drawText(doc, 'Signature, name', inner, lineY + mm(2.6), { size: 5, color: STYLE.text.muted });
    drawText(doc, 'Date', inner + innerWidth, lineY + mm(2.6), { size: 5, color: STYLE.text.muted, align: 'right' });
  });
}
