import * as turf from '@turf/turf';
import type { MultiPolygon, Position } from 'geojson';
import { areaLabelCandidates, placeLabels, pointLabelCandidates, type Box, type LabelRequest } from './labels.js';
import { gridValues, mm, type MapTransform } from './layout.js';
import type { SheetData } from './sheetData.js';
import { visibleLabelAnchor } from './sheetData.js';
import type { Rect } from './sheet.js';
import { drawMarkerSymbol, drawNorthArrow, hatchBox, setDash, strokeDisputedLine, STYLE, traceMultiPolygon, traceRing, type LegendKey } from './symbols.js';
import { drawBlock, drawText, measureLines, type Line, type MeasuredBlock } from './text.js';

const NORTH_ARROW_MM = 14;

/**
 * Draws the map frame: areas, boundaries, tracks, markers and the UTM grid clipped to the
 * neatline, grid coordinates outside it, the north arrow, and labels placed without overlaps.
 * Returns what was drawn, in legend order, so the legend lists only what the reader can find.
 */
export function drawMapFrame(
  doc: PDFKit.PDFDocument,
  data: SheetData,
  frame: Rect,
  transform: MapTransform,
  gridIntervalM: number,
): LegendKey[] {
  const toPage = (p: Position) => transform.toPage(p[0], p[1]);
  const drawn = new Set<LegendKey>(['village', 'grid']);

  doc.save();
  doc.rect(frame.x, frame.y, frame.width, frame.height).clip();
  doc.rect(frame.x, frame.y, frame.width, frame.height).fill('#ffffff');

  const visible = (positions: Position[]) => positions.some((p) => insideExtent(p, transform.extent));
  for (const neighbour of data.neighbours) {
    if (!neighbour.geometry) continue;
    traceMultiPolygon(doc, neighbour.geometry, toPage);
    doc.lineWidth(STYLE.neighbour.width).fillAndStroke(STYLE.neighbour.fill, STYLE.neighbour.stroke, 'even-odd');
    if (visible(neighbour.geometry.coordinates.flat(2))) drawn.add('neighbour');
  }
  const villageGeometry = data.village.geometry;
  if (villageGeometry) {
    traceMultiPolygon(doc, villageGeometry, toPage);
    doc.fill(STYLE.village.fill, 'even-odd');
  }
  for (const dispute of data.disputes) {
    doc.save();
    traceMultiPolygon(doc, dispute.projected, toPage);
    doc.clip('even-odd');
    hatchBox(doc, frame.x, frame.y, frame.width, frame.height, STYLE.dispute.hatchSpacing);
    doc.restore();
    traceMultiPolygon(doc, dispute.projected, toPage);
    doc.lineWidth(STYLE.dispute.width).strokeColor(STYLE.dispute.stroke).stroke();
    if (visible(dispute.projected.coordinates.flat(2))) drawn.add('dispute');
  }
  drawGrid(doc, frame, transform, gridIntervalM);
  if (data.parent?.geometry) {
    traceMultiPolygon(doc, data.parent.geometry, toPage);
    doc.lineWidth(STYLE.parent.width).strokeColor(STYLE.parent.stroke);
    setDash(doc, STYLE.parent.dash);
    doc.stroke().undash();
    if (visible(data.parent.geometry.coordinates.flat(2))) drawn.add('parent');
  }
  for (const track of data.tracks) {
    traceRing(doc, track.coordinates, toPage, false);
    doc.lineWidth(STYLE.track.width).strokeColor(STYLE.track.stroke).stroke();
    if (visible(track.coordinates)) drawn.add('track');
  }
  if (villageGeometry) {
    traceMultiPolygon(doc, villageGeometry, toPage);
    doc.lineWidth(STYLE.village.width).lineJoin('round').strokeColor(STYLE.village.stroke).stroke();
  }
  for (const line of data.disputedLines) {
    strokeDisputedLine(doc, () => {
      for (const part of line.projected.coordinates) traceRing(doc, part, toPage, false);
    });
    if (visible(line.projected.coordinates.flat())) drawn.add('disputedLine');
  }

  const markerPoints = data.markers.map((m) => ({ marker: m, at: transform.toPage(m.easting, m.northing) }));
  for (const { at } of markerPoints) {
    drawMarkerSymbol(doc, at[0], at[1]);
    drawn.add('marker');
  }

  const arrowSize = mm(NORTH_ARROW_MM);
  const arrowBox: Box = { x: frame.x + frame.width - arrowSize - mm(3), y: frame.y + mm(3), width: arrowSize, height: arrowSize * 1.25 };
  drawNorthArrowBox(doc, arrowBox, data.convergenceDeg);

  drawLabels(doc, data, frame, transform, markerPoints, arrowBox);
  doc.restore();

  doc.rect(frame.x, frame.y, frame.width, frame.height).lineWidth(STYLE.frame.width).strokeColor(STYLE.frame.stroke).stroke();
  drawGridLabels(doc, frame, transform, gridIntervalM);

  const order: LegendKey[] = ['village', 'neighbour', 'parent', 'dispute', 'disputedLine', 'track', 'marker', 'grid'];
  return order.filter((k) => drawn.has(k));
}

/** Whether a projected position falls in the frame: what is listed in the legend must be seen. */
function insideExtent(p: Position, extent: MapTransform['extent']): boolean {
  return p[0] >= extent.minE && p[0] <= extent.maxE && p[1] >= extent.minN && p[1] <= extent.maxN;
}

function drawGrid(doc: PDFKit.PDFDocument, frame: Rect, t: MapTransform, interval: number): void {
  for (const e of gridValues(t.extent.minE, t.extent.maxE, interval)) {
    const [x] = t.toPage(e, t.extent.minN);
    doc.moveTo(x, frame.y).lineTo(x, frame.y + frame.height);
  }
  for (const n of gridValues(t.extent.minN, t.extent.maxN, interval)) {
    const [, y] = t.toPage(t.extent.minE, n);
    doc.moveTo(frame.x, y).lineTo(frame.x + frame.width, y);
  }
  doc.lineWidth(STYLE.grid.width).strokeColor(STYLE.grid.stroke).stroke();
}

/**
 * Full UTM coordinates at each grid line, eastings above and below the frame and northings
 * rotated along its sides, as on national topographic sheets. The outermost value on each edge
 * carries its unit (mE, mN). Values too close to a corner are dropped so they never collide.
 */
function drawGridLabels(doc: PDFKit.PDFDocument, frame: Rect, t: MapTransform, interval: number): void {
  const size = 5.6;
  const style = { size, color: STYLE.text.dark };
  const tick = mm(1.2);
  const clearance = mm(9);
  const eastings = gridValues(t.extent.minE, t.extent.maxE, interval).filter((e) => {
    const [x] = t.toPage(e, t.extent.minN);
    return x - frame.x >= clearance && frame.x + frame.width - x >= clearance;
  });
  eastings.forEach((e, i) => {
    const [x] = t.toPage(e, t.extent.minN);
    const text = i === 0 ? `${e.toFixed(0)} mE` : e.toFixed(0);
    doc.moveTo(x, frame.y - tick).lineTo(x, frame.y).moveTo(x, frame.y + frame.height).lineTo(x, frame.y + frame.height + tick);
    doc.lineWidth(0.5).strokeColor('#000000').stroke();
    drawText(doc, text, x, frame.y - tick - 1, { ...style, align: 'center' });
    drawText(doc, text, x, frame.y + frame.height + tick + size * 0.85, { ...style, align: 'center' });
  });
  const northings = gridValues(t.extent.minN, t.extent.maxN, interval).filter((n) => {
    const [, y] = t.toPage(t.extent.minE, n);
    return y - frame.y >= clearance && frame.y + frame.height - y >= clearance;
  });
  northings.forEach((n, i) => {
    const [, y] = t.toPage(t.extent.minE, n);
    const text = i === 0 ? `${n.toFixed(0)} mN` : n.toFixed(0);
    doc.moveTo(frame.x - tick, y).lineTo(frame.x, y).moveTo(frame.x + frame.width, y).lineTo(frame.x + frame.width + tick, y);
    doc.lineWidth(0.5).strokeColor('#000000').stroke();
    doc.save();
    doc.rotate(-90, { origin: [frame.x - tick - 1, y] });
    drawText(doc, text, frame.x - tick - 1, y, { ...style, align: 'center' });
    doc.restore();
    doc.save();
    doc.rotate(-90, { origin: [frame.x + frame.width + tick + size * 0.85, y] });
    drawText(doc, text, frame.x + frame.width + tick + size * 0.85, y, { ...style, align: 'center' });
    doc.restore();
  });
}

function drawNorthArrowBox(doc: PDFKit.PDFDocument, box: Box, convergenceDeg: number): void {
  doc.save();
  doc.rect(box.x, box.y, box.width, box.height).fillOpacity(0.85).fill('#ffffff');
  doc.restore();
  const labelHeight = box.height - box.width;
  drawText(doc, 'N', box.x + box.width / 2, box.y + labelHeight * 0.95, { size: 8, weight: 'bold', align: 'center' });
  drawNorthArrow(doc, box.x + box.width / 2, box.y + labelHeight + box.width / 2, box.width, convergenceDeg);
}

/**
 * Orders area-label candidates so boxes lying wholly inside their own area come first, then
 * boxes whose centre is inside; boxes centred outside are dropped, so a neighbour's name is
 * never printed inside the village.
 */
function preferInside(candidates: Box[], geometry: MultiPolygon, t: MapTransform): Box[] {
  const inside = (x: number, y: number) => turf.booleanPointInPolygon(t.toGround(x, y), geometry);
  const whole: Box[] = [];
  const centred: Box[] = [];
  for (const box of candidates) {
    if (!inside(box.x + box.width / 2, box.y + box.height / 2)) continue;
    const corners = [
      [box.x, box.y],
      [box.x + box.width, box.y],
      [box.x, box.y + box.height],
      [box.x + box.width, box.y + box.height],
    ];
    (corners.every(([x, y]) => inside(x, y)) ? whole : centred).push(box);
  }
  return [...whole, ...centred];
}

type LabelKey = { kind: 'village' } | { kind: 'neighbour'; index: number } | { kind: 'marker'; index: number };

/**
 * Names on the map, most important first: the village, then its neighbours, then markers.
 * Each gets the first free candidate position; one that finds none is not printed (markers stay
 * identified by number in the table).
 */
function drawLabels(
  doc: PDFKit.PDFDocument,
  data: SheetData,
  frame: Rect,
  t: MapTransform,
  markerPoints: { marker: SheetData['markers'][number]; at: [number, number] }[],
  arrowBox: Box,
): void {
  const blocks = new Map<LabelKey, MeasuredBlock>();
  const requests: LabelRequest<LabelKey>[] = [];
  const nameLines = (name: string, local: string | null, size: number, bold: boolean, color: string): Line[] => {
    const lines: Line[] = [];
    if (local) lines.push({ text: local, size: size * 1.1, weight: bold ? 'bold' : 'regular', color });
    lines.push({ text: name, size, weight: bold ? 'bold' : 'regular', color });
    return lines;
  };

  const villageKey: LabelKey = { kind: 'village' };
  const villageBlock = measureLines(doc, nameLines(data.village.area.name, data.village.area.name_local, 10, true, STYLE.village.stroke));
  blocks.set(villageKey, villageBlock);
  const [vx, vy] = t.toPage(data.villageAnchor[0], data.villageAnchor[1]);
  const villageCandidates = areaLabelCandidates(vx, vy, villageBlock.width, villageBlock.height, mm(4), 4);
  requests.push({
    key: villageKey,
    candidates: data.village.geometry ? preferInside(villageCandidates, data.village.geometry, t) : villageCandidates,
  });

  data.neighbours.forEach((neighbour, index) => {
    if (!neighbour.geometry) return;
    const anchor = visibleLabelAnchor(neighbour.geometry, t.extent);
    if (!anchor) return;
    const key: LabelKey = { kind: 'neighbour', index };
    const block = measureLines(doc, nameLines(neighbour.area.name, neighbour.area.name_local, 7.5, false, STYLE.text.label));
    blocks.set(key, block);
    const [x, y] = t.toPage(anchor[0], anchor[1]);
    const candidates = areaLabelCandidates(x, y, block.width, block.height, mm(4), 6);
    requests.push({ key, candidates: preferInside(candidates, neighbour.geometry, t) });
  });

  markerPoints.forEach(({ marker, at }, index) => {
    const key: LabelKey = { kind: 'marker', index };
    const block = measureLines(doc, [{ text: `${marker.number}  ${marker.name}`, size: 6.5, color: STYLE.text.dark }]);
    blocks.set(key, block);
    requests.push({ key, candidates: pointLabelCandidates(at[0], at[1], block.width, block.height, STYLE.marker.radius) });
  });

  const symbolBoxes: Box[] = markerPoints.map(({ at }) => {
    const r = STYLE.marker.radius + 0.5;
    return { x: at[0] - r, y: at[1] - r, width: 2 * r, height: 2 * r };
  });
  const inner: Box = { x: frame.x + 2, y: frame.y + 2, width: frame.width - 4, height: frame.height - 4 };
  const obstacles = [...symbolBoxes, arrowBox];
  const placed = placeLabels(requests, obstacles, inner);
  // A marker whose name finds no room keeps at least its number, which the table resolves.
  const numberOnly: LabelRequest<LabelKey>[] = [];
  markerPoints.forEach(({ marker, at }, index) => {
    if ([...placed.keys()].some((k) => k.kind === 'marker' && k.index === index)) return;
    const key: LabelKey = { kind: 'marker', index };
    const block = measureLines(doc, [{ text: String(marker.number), size: 6.5, weight: 'bold', color: STYLE.text.dark }]);
    blocks.set(key, block);
    numberOnly.push({ key, candidates: pointLabelCandidates(at[0], at[1], block.width, block.height, STYLE.marker.radius, 0.8) });
  });
  for (const [key, box] of placeLabels(numberOnly, [...obstacles, ...placed.values()], inner)) placed.set(key, box);
  for (const [key, box] of placed) {
    const block = blocks.get(key);
    if (block) drawBlock(doc, block, box.x, box.y, true);
  }
}
