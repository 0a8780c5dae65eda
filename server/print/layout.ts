import type { Position } from 'geojson';

/** PDF points per millimetre: pdfkit draws in points, map sheets are specified in millimetres. */
export const PT_PER_MM = 72 / 25.4;

/** Millimetres to PDF points. */
export function mm(value: number): number {
  return value * PT_PER_MM;
}

export type Paper = 'A4' | 'A3';
export type Orientation = 'portrait' | 'landscape';

/** ISO 216 paper sizes, portrait, in millimetres. */
export const PAPER_MM: Record<Paper, { width: number; height: number }> = {
  A4: { width: 210, height: 297 },
  A3: { width: 297, height: 420 },
};

/** Page size in millimetres for a paper and orientation. */
export function pageSizeMm(paper: Paper, orientation: Orientation): { width: number; height: number } {
  const { width, height } = PAPER_MM[paper];
  return orientation === 'portrait' ? { width, height } : { width: height, height: width };
}

/**
 * Scales a district surveyor expects on a village sheet, largest first. The fallback scales
 * keep unusually large areas at a round scale.
 */
export const STANDARD_SCALES = [5_000, 10_000, 25_000, 50_000] as const;
/** Past 1:50,000 a village is better served on A3 at a standard scale than on A4 at 1:100,000. */
const FALLBACK_SCALES = [100_000, 250_000, 500_000, 1_000_000];

/** A rectangle in projected metres. */
export interface Extent {
  minE: number;
  minN: number;
  maxE: number;
  maxN: number;
}

/**
 * The bounding rectangle of projected positions, in one pass: spreading hundreds of thousands
 * of coordinates into `Math.min` overflows the call stack on a large atlas.
 */
export function extentOf(positions: Iterable<Position>): Extent {
  let minE = Infinity;
  let minN = Infinity;
  let maxE = -Infinity;
  let maxN = -Infinity;
  for (const [e, n] of positions) {
    if (e < minE) minE = e;
    if (e > maxE) maxE = e;
    if (n < minN) minN = n;
    if (n > maxN) maxN = n;
  }
  return { minE, minN, maxE, maxN };
}

/**
 * Grows an extent by a share of its size on every side (at least `minMarginM` metres), so the
 * village outline never touches the map frame and its neighbours show around it.
 */
export function paddedExtent(extent: Extent, marginRatio = 0.08, minMarginM = 50): Extent {
  const margin = Math.max(minMarginM, marginRatio * Math.max(extent.maxE - extent.minE, extent.maxN - extent.minN));
  return { minE: extent.minE - margin, minN: extent.minN - margin, maxE: extent.maxE + margin, maxN: extent.maxN + margin };
}

/** Where a sheet falls back to a non-standard scale, `standard` is false. */
export interface ScaleChoice {
  denominator: number;
  standard: boolean;
}

/**
 * The largest standard scale (smallest denominator) at which a ground extent fits a map frame.
 * Both sizes in their own units: ground in metres, frame in millimetres of paper.
 */
export function chooseScale(groundM: { width: number; height: number }, frameMm: { width: number; height: number }): ScaleChoice {
  if (!(frameMm.width > 0 && frameMm.height > 0)) throw new RangeError('map frame has no area');
  const fits = (denominator: number) =>
    (groundM.width * 1000) / denominator <= frameMm.width && (groundM.height * 1000) / denominator <= frameMm.height;
  const standard = STANDARD_SCALES.find(fits);
  if (standard !== undefined) return { denominator: standard, standard: true };
  const fallback = FALLBACK_SCALES.find(fits);
  if (fallback !== undefined) return { denominator: fallback, standard: false };
  const needed = Math.max((groundM.width * 1000) / frameMm.width, (groundM.height * 1000) / frameMm.height);
  return { denominator: roundUpNice(needed), standard: false };
}

/** Rounds up to 1, 2 or 5 times a power of ten. */
export function roundUpNice(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * power >= value) ?? 10;
  return step * power;
}

/** Rounds down to 1, 2 or 5 times a power of ten. */
export function roundDownNice(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [5, 2, 1].find((s) => s * power <= value) ?? 1;
  return step * power;
}

/** Grid intervals in metres that read well on a UTM sheet. */
const GRID_INTERVALS_M = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

/**
 * The UTM grid interval for a scale: the widest round interval whose lines are at most 5 cm
 * apart on paper (1 km at 1:25,000, as on national topographic sheets).
 */
export function gridInterval(denominator: number): number {
  const maxGroundM = (50 / 1000) * denominator;
  const fitting = GRID_INTERVALS_M.filter((interval) => interval <= maxGroundM);
  return fitting.length > 0 ? fitting[fitting.length - 1] : GRID_INTERVALS_M[0];
}

/** Multiples of `interval` strictly inside (min, max): the grid lines crossing a frame. */
export function gridValues(min: number, max: number, interval: number): number[] {
  const values: number[] = [];
  for (let v = Math.floor(min / interval) * interval + interval; v < max; v += interval) {
    if (v > min) values.push(v);
  }
  return values;
}

/** A scale bar with round lengths: `segments` blocks of `segmentM` metres each. */
export interface ScaleBarSpec {
  segmentM: number;
  segments: number;
  totalM: number;
  /** Length of the whole bar on paper. */
  lengthMm: number;
}

/**
 * The longest round scale bar (1, 2 or 5 × 10ⁿ metres) that fits `maxLengthMm` of paper,
 * split into 4 or 5 segments so intermediate distances can be read.
 */
export function scaleBarSpec(denominator: number, maxLengthMm: number): ScaleBarSpec {
  const maxGroundM = (maxLengthMm / 1000) * denominator;
  const totalM = roundDownNice(maxGroundM);
  const leading = Math.round(totalM / 10 ** Math.floor(Math.log10(totalM)));
  const segments = leading === 2 ? 4 : 5;
  return { segmentM: totalM / segments, segments, totalM, lengthMm: (totalM * 1000) / denominator };
}

/** "1:25,000", the ratio as printed on Lao and international sheets. */
export function formatScale(denominator: number): string {
  return `1:${groupThousands(Math.round(denominator))}`;
}

/** 25000 → "25,000"; done by hand because the first Intl call costs tens of milliseconds. */
export function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A distance for a scale bar tick: metres below 1 km, kilometres from there. */
export function formatDistance(metres: number): string {
  if (metres === 0) return '0';
  if (metres < 1000) return `${Number(metres.toFixed(1))} m`;
  return `${Number((metres / 1000).toFixed(2))} km`;
}

/** Affine mapping from projected metres to page points for a frame at a given scale. */
export interface MapTransform {
  /** Page points per ground metre. */
  ptPerM: number;
  extent: Extent;
  toPage(e: number, n: number): [number, number];
  toGround(x: number, y: number): [number, number];
}

/**
 * Centres a ground point in a page rectangle at a scale. Page y grows downwards (pdfkit), so
 * northings are flipped.
 */
export function mapTransform(
  frame: { x: number; y: number; width: number; height: number },
  centre: [number, number],
  denominator: number,
): MapTransform {
  const ptPerM = mm(1000 / denominator);
  const halfWidthM = frame.width / ptPerM / 2;
  const halfHeightM = frame.height / ptPerM / 2;
  const extent = {
    minE: centre[0] - halfWidthM,
    maxE: centre[0] + halfWidthM,
    minN: centre[1] - halfHeightM,
    maxN: centre[1] + halfHeightM,
  };
  return {
    ptPerM,
    extent,
    toPage: (e, n) => [frame.x + (e - extent.minE) * ptPerM, frame.y + (extent.maxN - n) * ptPerM],
    toGround: (x, y) => [extent.minE + (x - frame.x) / ptPerM, extent.maxN - (y - frame.y) / ptPerM],
  };
}
