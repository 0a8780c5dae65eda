/**
 * Diagonal hatching as a small repeating image, drawn pixel by pixel so it needs no canvas (and
 * can be tested outside a browser). MapLibre tiles it with `fill-pattern`.
 */
export interface PatternImage {
  width: number;
  height: number;
  data: Uint8Array;
}

function rgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Stripes at 45° of `colour`, `lineWidth` px wide every `spacing` px; transparent between them. */
export function hatchPattern(colour: string, spacing = 8, lineWidth = 2, alpha = 220): PatternImage {
  const [r, g, b] = rgb(colour);
  const data = new Uint8Array(spacing * spacing * 4);
  for (let y = 0; y < spacing; y++) {
    for (let x = 0; x < spacing; x++) {
      // Distance along the anti-diagonal, wrapped, so the tile repeats without seams.
      if ((x + y) % spacing < lineWidth) {
        const i = (y * spacing + x) * 4;
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
        data[i + 3] = alpha;
      }
    }
  }
  return { width: spacing, height: spacing, data };
}
