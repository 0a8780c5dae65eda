import { fontName, type FontFamily, type FontWeight } from './fonts.js';

/** A stretch of text set in one font family. */
export interface TextRun {
  text: string;
  family: FontFamily;
}

const LAO = /[\u0E80-\u0EFF]/;
const NEUTRAL = /[\s\d.,:;!?()[\]\-–—·/'"+#%&*]/;

/**
 * Splits text into runs by script so Lao goes to Noto Sans Lao and everything else to Noto Sans.
 * Spaces, digits and punctuation stay in the run they follow, so "ບ້ານ 3" is a single Lao run.
 */
export function textRuns(text: string): TextRun[] {
  const runs: TextRun[] = [];
  for (const char of text) {
    const current = runs[runs.length - 1];
    const family: FontFamily = LAO.test(char) ? 'lao' : NEUTRAL.test(char) && current ? current.family : 'latin';
    if (current && current.family === family) current.text += char;
    else runs.push({ text: char, family });
  }
  return runs;
}

/**
 * Reorders Lao SARA AM after tone marks the way HarfBuzz's Thai/Lao shaper does: the NIGGAHITA
 * part of ◌ຳ moves in front of the tone mark so the ring sits on the consonant and the tone mark
 * above it (ນ້ຳ). fontkit does not do this, and without it the ring is drawn above the tone mark.
 */
export function laoForRendering(text: string): string {
  return text.replace(/([\u0EC8-\u0ECB]+)\u0EB3/g, '\u0ECD$1\u0EB2');
}

/** How a piece of text is set. */
export interface TextStyle {
  size: number;
  weight?: FontWeight;
  color?: string;
}

/** Width of text in points as it will be drawn, summing the runs in their own fonts. */
export function textWidth(doc: PDFKit.PDFDocument, text: string, style: TextStyle): number {
  let width = 0;
  for (const run of textRuns(text)) {
    doc.font(fontName(run.family, style.weight ?? 'regular')).fontSize(style.size);
    width += doc.widthOfString(run.family === 'lao' ? laoForRendering(run.text) : run.text);
  }
  return width;
}

/** Shortens text with an ellipsis until it fits a width, for table cells and signature captions. */
export function fitText(doc: PDFKit.PDFDocument, text: string, style: TextStyle, maxWidth: number): string {
  if (textWidth(doc, text, style) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(doc, `${chars.join('')}…`, style) > maxWidth) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

/**
 * Breaks text at spaces into at most `maxLines` lines of `maxWidth`; the last line is shortened
 * with an ellipsis if words remain, so a long marker name takes two table lines, not the margin.
 */
export function wrapText(doc: PDFKit.PDFDocument, text: string, style: TextStyle, maxWidth: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = '';
  const words = text.split(/\s+/).filter(Boolean);
  for (const [i, word] of words.entries()) {
    const candidate = current ? `${current} ${word}` : word;
    if (!current || textWidth(doc, candidate, style) <= maxWidth) {
      current = candidate;
      continue;
    }
    if (lines.length === maxLines - 1) {
      // Last line allowed: it takes every remaining word and is cut with an ellipsis below.
      current = words.slice(i - current.split(' ').length).join(' ');
      break;
    }
    lines.push(current);
    current = word;
  }
  if (current) lines.push(current);
  return lines.map((line) => fitText(doc, line, style, maxWidth));
}

/** Where `x` is measured from. */
export type Align = 'left' | 'center' | 'right';

/** Options for one line of text. */
export interface DrawTextOptions extends TextStyle {
  align?: Align;
  /** Draw a white outline under the text so it reads over fills and lines. */
  halo?: boolean;
}

/**
 * Draws one line of mixed-script text with its baseline at `baselineY`. Lao text is wrapped in
 * an ActualText span: the glyphs are reordered and mark-positioned for display, and the span
 * makes copy/paste and search return the original spelling.
 */
export function drawText(doc: PDFKit.PDFDocument, text: string, x: number, baselineY: number, options: DrawTextOptions): number {
  const width = textWidth(doc, text, options);
  const startX = options.align === 'center' ? x - width / 2 : options.align === 'right' ? x - width : x;
  const runs = textRuns(text);
  if (options.halo) {
    // An empty ActualText keeps the outline copy out of text extraction and search.
    doc.save();
    doc.addContent('/Span <</ActualText ()>> BDC');
    doc.lineWidth(Math.max(1.6, options.size * 0.3)).lineJoin('round').strokeColor('#ffffff');
    drawRuns(doc, runs, startX, baselineY, options, 'stroke');
    doc.addContent('EMC');
    doc.restore();
  }
  const hasLao = runs.some((r) => r.family === 'lao');
  if (hasLao) doc.markContent('Span', { actual: text });
  doc.fillColor(options.color ?? '#000000');
  drawRuns(doc, runs, startX, baselineY, options, 'fill');
  if (hasLao) doc.endMarkedContent();
  return width;
}

function drawRuns(
  doc: PDFKit.PDFDocument,
  runs: TextRun[],
  x: number,
  baselineY: number,
  style: TextStyle,
  mode: 'fill' | 'stroke',
): void {
  let cursor = x;
  for (const run of runs) {
    const glyphs = run.family === 'lao' ? laoForRendering(run.text) : run.text;
    doc.font(fontName(run.family, style.weight ?? 'regular')).fontSize(style.size);
    doc.text(glyphs, cursor, baselineY, {
      lineBreak: false,
      baseline: 'alphabetic',
      stroke: mode === 'stroke',
      fill: mode === 'fill',
    });
    cursor += doc.widthOfString(glyphs);
  }
}

/** One line of a label block. */
export interface Line extends TextStyle {
  text: string;
}

/** A stack of centred lines with its size and each line's baseline from the top. */
export interface MeasuredBlock {
  width: number;
  height: number;
  lines: (Line & { baseline: number })[];
}

/**
 * Measures a stack of lines. Lao lines get more leading than Latin ones because vowels and tone
 * marks stack above and below the consonants.
 */
export function measureLines(doc: PDFKit.PDFDocument, lines: Line[]): MeasuredBlock {
  let height = 0;
  let width = 0;
  const placed = lines.map((line) => {
    const lao = LAO.test(line.text);
    const baseline = height + line.size * (lao ? 1.0 : 0.8);
    height += line.size * (lao ? 1.4 : 1.08);
    width = Math.max(width, textWidth(doc, line.text, line));
    return { ...line, baseline };
  });
  return { width, height, lines: placed };
}

/** Draws a measured block centred in a box of its own size at (x, y). */
export function drawBlock(doc: PDFKit.PDFDocument, block: MeasuredBlock, x: number, y: number, halo: boolean): void {
  for (const line of block.lines) {
    drawText(doc, line.text, x + block.width / 2, y + line.baseline, { ...line, align: 'center', halo });
  }
}
