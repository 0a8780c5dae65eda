import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The font families a sheet is set in: Noto Sans for Latin text, Noto Sans Lao for Lao script. */
export type FontFamily = 'latin' | 'lao';
export type FontWeight = 'regular' | 'bold';

/** pdfkit font names under which the TTFs are registered on a document. */
export function fontName(family: FontFamily, weight: FontWeight): string {
  return `${family}-${weight}`;
}

const FONT_FILES: Record<string, string> = {
  [fontName('latin', 'regular')]: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  [fontName('latin', 'bold')]: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  [fontName('lao', 'regular')]: '@expo-google-fonts/noto-sans-lao/400Regular/NotoSansLao_400Regular.ttf',
  [fontName('lao', 'bold')]: '@expo-google-fonts/noto-sans-lao/700Bold/NotoSansLao_700Bold.ttf',
};

/** Absolute paths of the TTFs in the installed npm packages (fonts are never fetched). */
export function fontFiles(): Map<string, string> {
  const require = createRequire(import.meta.url);
  return new Map(Object.entries(FONT_FILES).map(([name, spec]) => [name, require.resolve(spec)]));
}

/** The part of fontkit's API used here; pdfkit calls `create` on the same module instance. */
interface Fontkit {
  create(buffer: Uint8Array): object;
  registerFormat(format: unknown): void;
}

const TOKEN_PREFIX = 'tessera-font:';
let parsedFonts: Map<string, object> | undefined;

/**
 * Parses each TTF once per process and lets every document reuse the parsed font. Noto Sans
 * has large OpenType layout tables: decoding them for each PDF cost ~100 ms a page, most of the
 * render. pdfkit only accepts font bytes, so documents register a short token instead, and a
 * format added to pdfkit's own fontkit instance answers the token with the parsed font
 * (fontkit builds fonts with `new format(stream)`, so the constructor hands back the cached
 * object). Each document still subsets and embeds only the glyphs it uses.
 */
function fontTokens(): Map<string, Buffer> {
  if (!parsedFonts) {
    const requireFromPdfkit = createRequire(createRequire(import.meta.url).resolve('pdfkit'));
    const fontkit = requireFromPdfkit('fontkit') as Fontkit;
    const fonts = new Map<string, object>();
    for (const [name, path] of fontFiles()) fonts.set(name, fontkit.create(readFileSync(path)));
    const nameOf = (buffer: Uint8Array) => {
      if (buffer.length > 64) return undefined;
      const text = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length).toString('latin1');
      return text.startsWith(TOKEN_PREFIX) ? text.slice(TOKEN_PREFIX.length) : undefined;
    };
    function CachedFont(stream: { buffer: Uint8Array }): object {
      const font = fonts.get(nameOf(stream.buffer) ?? '');
      if (!font) throw new Error('unknown Tessera font token');
      return font;
    }
    CachedFont.probe = (buffer: Uint8Array) => fonts.has(nameOf(buffer) ?? '');
    fontkit.registerFormat(CachedFont);
    parsedFonts = fonts;
  }
  return new Map([...parsedFonts.keys()].map((name) => [name, Buffer.from(TOKEN_PREFIX + name, 'latin1')]));
}

/** Registers the sheet fonts on a pdfkit document; only glyphs actually used are embedded. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, token] of fontTokens()) doc.registerFont(name, token);
}
