import type { ExpressionSpecification } from 'maplibre-gl';
import type { LevelKey } from '../api/types.js';
import { FONT_STACK, LAO_FONT_STACK } from './fonts.js';
import { MAP_COLOURS } from './palette.js';

/** One line of a label: its text and the CSS font it is drawn with. */
export interface LabelLine {
  text: string;
  font: string;
  colour: string;
  /** Font size in CSS pixels; also the line's share of the label height. */
  size: number;
  /** Extra space between letters in CSS pixels: spaced capitals mark administrative units. */
  tracking: number;
}

/** Where each line goes inside the label image, in CSS pixels. */
export interface LabelLayout {
  width: number;
  height: number;
  lines: { line: LabelLine; x: number; baseline: number }[];
}

/** Width of the white halo around the letters, in CSS pixels. */
export const HALO_PX = 3;
/** Lao stacks vowels and tone marks above and below the letters: lines need more room than Latin. */
const LINE_HEIGHT_RATIO = 1.45;
const BASELINE_RATIO = 1.1;

interface LevelStyle {
  size: number;
  weight: number;
  colour: string;
  capitals: boolean;
  tracking: number;
}

/** Districts in large spaced capitals, kumbans in small spaced capitals, villages plain. */
const LEVEL_STYLES: Record<LevelKey, LevelStyle> = {
  province: { size: 17, weight: 700, colour: MAP_COLOURS.labelText, capitals: true, tracking: 2 },
  district: { size: 15, weight: 700, colour: MAP_COLOURS.labelText, capitals: true, tracking: 1.5 },
  kumban: { size: 11.5, weight: 700, colour: '#404040', capitals: true, tracking: 1 },
  ban: { size: 12, weight: 400, colour: MAP_COLOURS.labelText, capitals: false, tracking: 0 },
};

/**
 * The lines of an area's label: romanised name over the Lao name, larger and bolder for higher
 * levels so a district reads before its villages. A missing or duplicate Lao name is skipped.
 */
export function labelLines(area: LabelText): LabelLine[] {
  const style = LEVEL_STYLES[area.level] ?? LEVEL_STYLES.ban;
  const name = style.capitals ? area.name.toUpperCase() : area.name;
  const line = (text: string, fonts: string, size: number, tracking: number): LabelLine => ({
    text,
    font: `${style.weight} ${size}px ${fonts}`,
    colour: style.colour,
    size,
    tracking,
  });
  const lines = [line(name, FONT_STACK, style.size, style.tracking)];
  const local = area.name_local?.trim();
  // Lao has no capitals and its marks collide when spaced out: no tracking for it.
  if (local && local !== area.name) lines.push(line(local, LAO_FONT_STACK, style.size - 0.5, 0));
  return lines;
}

/**
 * Centres the lines in a box that leaves room for the halo. Pure: `measure` is the canvas's
 * `measureText` width, passed in so the arithmetic can be tested without a browser.
 */
export function layoutLabel(lines: readonly LabelLine[], measure: (line: LabelLine) => number): LabelLayout {
  const pad = HALO_PX + 1;
  const widths = lines.map(measure);
  const width = Math.ceil(Math.max(0, ...widths) + 2 * pad);
  let top = pad;
  const placed = lines.map((line, index) => {
    const baseline = top + line.size * BASELINE_RATIO;
    top += line.size * LINE_HEIGHT_RATIO;
    return { line, x: (width - widths[index]) / 2, baseline };
  });
  return { width, height: Math.ceil(top + pad), lines: placed };
}

/**
 * Draws a label with the browser's own text engine (which shapes Lao script, unlike MapLibre's
 * glyph renderer) and returns its pixels for `map.addImage(id, image, { pixelRatio })`.
 */
export function renderLabel(lines: readonly LabelLine[], pixelRatio: number): ImageData {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('2D canvas is not available');
  const useLine = (line: LabelLine) => {
    context.font = line.font;
    context.letterSpacing = `${line.tracking}px`;
  };
  const layout = layoutLabel(lines, (line) => {
    useLine(line);
    return context.measureText(line.text).width;
  });
  canvas.width = Math.max(1, Math.ceil(layout.width * pixelRatio));
  canvas.height = Math.max(1, Math.ceil(layout.height * pixelRatio));
  context.scale(pixelRatio, pixelRatio);
  context.lineJoin = 'round';
  context.textBaseline = 'alphabetic';
  for (const { line, x, baseline } of layout.lines) {
    useLine(line);
    context.lineWidth = HALO_PX * 2;
    context.strokeStyle = MAP_COLOURS.labelHalo;
    context.strokeText(line.text, x, baseline);
    context.fillStyle = line.colour;
    context.fillText(line.text, x, baseline);
  }
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** What a label says: the names of an area and its level, which sets the lettering. */
export interface LabelText {
  name: string;
  /** Empty or missing when the area has no Lao name. */
  name_local?: string | null;
  level: LevelKey;
}

/**
 * Label images are named after their text: the map's label points come in the vector tiles
 * with the names, and MapLibre asks for a missing image by name alone, so the name carries
 * all that is needed to draw it (and areas with the same names share one picture). Fields are
 * joined by the unit separator, which no name contains.
 */
const SEPARATOR = '\u001f';
const PREFIX = `label${SEPARATOR}`;

/** The image name of a label (what `labelImageExpression` computes from a label point). */
export function labelImageId(text: LabelText): string {
  return `${PREFIX}${text.level}${SEPARATOR}${text.name}${SEPARATOR}${text.name_local ?? ''}`;
}

/** The same name, computed by MapLibre from a label point's properties. */
export function labelImageExpression(): ExpressionSpecification {
  return ['concat', PREFIX, ['get', 'level'], SEPARATOR, ['get', 'name'], SEPARATOR, ['coalesce', ['get', 'name_local'], '']];
}

/** The text a label image name stands for, or null for an image that is not a label. */
export function labelTextOf(id: string): LabelText | null {
  if (!id.startsWith(PREFIX)) return null;
  const [level, name, local] = id.slice(PREFIX.length).split(SEPARATOR);
  if (!level || name === undefined || local === undefined) return null;
  return { level: level as LevelKey, name, name_local: local };
}
