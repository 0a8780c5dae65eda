import type { MultiPolygon, Position } from 'geojson';
import { pdfNumber } from './document.js';

/** Things that can appear on the map and therefore in the legend. */
export type LegendKey = 'village' | 'neighbour' | 'parent' | 'dispute' | 'disputedLine' | 'track' | 'marker' | 'grid';

/**
 * One place for the map's cartography, so the legend swatches are drawn with exactly the
 * styles used in the frame.
 */
export const STYLE = {
  village: { fill: '#fbe7a1', stroke: '#8c1d18', width: 1.8 },
  neighbour: { fill: '#f4f4f1', stroke: '#6b6b6b', width: 0.8 },
  parent: { stroke: '#5b2a86', width: 1.3, dash: [7, 2.5, 1.5, 2.5] as number[] },
  dispute: { stroke: '#d0021b', width: 0.8, hatchSpacing: 3 },
  /** A disputed boundary stretch: a pale band under a dashed red line, readable over any fill. */
  disputedLine: { stroke: '#d0021b', width: 1.6, dash: [4, 2] as number[], band: '#f7b9c0', bandWidth: 3.5 },
  track: { stroke: '#1f5fbf', width: 0.5 },
  marker: { radius: 2.4, fill: '#ffffff', stroke: '#000000', width: 0.8 },
  grid: { stroke: '#7d8b99', width: 0.35 },
  frame: { stroke: '#000000', width: 0.9 },
  text: { dark: '#1a1a1a', muted: '#555555', label: '#3a3a3a' },
} as const;

/** Sets a dash array; pdfkit accepts one at runtime though its typings admit a single length. */
export function setDash(doc: PDFKit.PDFDocument, pattern: readonly number[]): void {
  (doc.dash as unknown as (this: PDFKit.PDFDocument, p: readonly number[], o: object) => void).call(doc, pattern, {});
}

/** Adds every ring of a MultiPolygon to the current path (page coordinates). */
export function traceMultiPolygon(
  doc: PDFKit.PDFDocument,
  geometry: MultiPolygon,
  toPage: (p: Position) => [number, number],
): void {
  for (const polygon of geometry.coordinates) {
    for (const ring of polygon) traceRing(doc, ring, toPage, true);
  }
}

/**
 * Adds a line or ring to the current path: the operators `moveTo`/`lineTo`/`closePath` write,
 * handed straight to the document (which copies them out of the JavaScript heap at once).
 */
export function traceRing(
  doc: PDFKit.PDFDocument,
  ring: Position[],
  toPage: (p: Position) => [number, number],
  close: boolean,
): void {
  for (let i = 0; i < ring.length; i++) {
    const [x, y] = toPage(ring[i]);
    doc.addContent(`${pdfNumber(x)} ${pdfNumber(y)} ${i === 0 ? 'm' : 'l'}`);
  }
  if (close && ring.length > 0) doc.addContent('h');
}

/** Diagonal hatching across a box; the caller clips it to the disputed polygon. */
export function hatchBox(doc: PDFKit.PDFDocument, x: number, y: number, width: number, height: number, spacing: number): void {
  for (let offset = -height; offset < width; offset += spacing) {
    doc.moveTo(x + offset, y + height).lineTo(x + offset + height, y);
  }
  doc.lineWidth(0.5).strokeColor(STYLE.dispute.stroke).stroke();
}

/**
 * Draws a disputed boundary stretch: `trace` adds the line to the path and is called twice,
 * for a pale band and for the dashed red line over it.
 */
export function strokeDisputedLine(doc: PDFKit.PDFDocument, trace: () => void): void {
  const s = STYLE.disputedLine;
  doc.save();
  trace();
  doc.lineWidth(s.bandWidth).lineCap('round').lineJoin('round').strokeColor(s.band).stroke();
  trace();
  doc.lineWidth(s.width).lineCap('butt');
  setDash(doc, s.dash);
  doc.strokeColor(s.stroke).stroke();
  doc.restore();
}

/** The boundary marker symbol: a ringed point, drawn the same in map and legend. */
export function drawMarkerSymbol(doc: PDFKit.PDFDocument, x: number, y: number): void {
  const { radius, fill, stroke, width } = STYLE.marker;
  doc.circle(x, y, radius).lineWidth(width).fillAndStroke(fill, stroke);
  doc.circle(x, y, radius * 0.38).fill(stroke);
}

/**
 * A north arrow pointing to true north, rotated from grid north by the convergence, inside a
 * box of `size` points centred on (cx, cy).
 */
export function drawNorthArrow(doc: PDFKit.PDFDocument, cx: number, cy: number, size: number, convergenceDeg: number): void {
  const half = size * 0.36;
  doc.save();
  doc.rotate(convergenceDeg, { origin: [cx, cy] });
  doc.moveTo(cx, cy - half).lineTo(cx + half * 0.42, cy + half * 0.75).lineTo(cx, cy + half * 0.4).closePath().fill('#000000');
  doc.moveTo(cx, cy - half).lineTo(cx - half * 0.42, cy + half * 0.75).lineTo(cx, cy + half * 0.4).closePath();
  doc.lineWidth(0.6).fillAndStroke('#ffffff', '#000000');
  doc.restore();
}

/** Draws the legend swatch for a key in a `width` × `height` box at (x, y). */
export function drawSwatch(doc: PDFKit.PDFDocument, key: LegendKey, x: number, y: number, width: number, height: number): void {
  doc.save();
  const midY = y + height / 2;
  switch (key) {
    case 'village':
    case 'neighbour': {
      const s = STYLE[key];
      doc.rect(x, y, width, height).lineWidth(s.width).fillAndStroke(s.fill, s.stroke);
      break;
    }
    case 'parent':
      doc.moveTo(x, midY).lineTo(x + width, midY).lineWidth(STYLE.parent.width);
      setDash(doc, STYLE.parent.dash);
      doc.strokeColor(STYLE.parent.stroke).stroke().undash();
      break;
    case 'dispute':
      doc.rect(x, y, width, height).clip();
      hatchBox(doc, x, y, width, height, STYLE.dispute.hatchSpacing);
      break;
    case 'disputedLine':
      strokeDisputedLine(doc, () => doc.moveTo(x + 2, midY).lineTo(x + width - 2, midY));
      break;
    case 'track':
      doc.moveTo(x, midY + 2).bezierCurveTo(x + width / 3, y, x + (2 * width) / 3, y + height, x + width, midY - 2);
      doc.lineWidth(STYLE.track.width).strokeColor(STYLE.track.stroke).stroke();
      break;
    case 'marker':
      drawMarkerSymbol(doc, x + width / 2, midY);
      break;
    case 'grid':
      doc.moveTo(x, midY).lineTo(x + width, midY).moveTo(x + width / 2, y).lineTo(x + width / 2, y + height);
      doc.lineWidth(STYLE.grid.width).strokeColor(STYLE.grid.stroke).stroke();
      break;
  }
  doc.restore();
}
