import notoSansRegular from '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf?url';
import notoSansBold from '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf?url';
import notoLaoRegular from '@expo-google-fonts/noto-sans-lao/400Regular/NotoSansLao_400Regular.ttf?url';
import notoLaoBold from '@expo-google-fonts/noto-sans-lao/700Bold/NotoSansLao_700Bold.ttf?url';

/** The font stack for labels and the interface: Latin first, Lao for what Latin lacks. */
export const FONT_STACK = '"Noto Sans", "Noto Sans Lao", sans-serif';
/** The stack for text known to be in Lao script, so its vowels and tone marks shape correctly. */
export const LAO_FONT_STACK = '"Noto Sans Lao", "Noto Sans", sans-serif';

const FACES = [
  { family: 'Noto Sans', url: notoSansRegular, weight: '400' },
  { family: 'Noto Sans', url: notoSansBold, weight: '700' },
  { family: 'Noto Sans Lao', url: notoLaoRegular, weight: '400' },
  { family: 'Noto Sans Lao', url: notoLaoBold, weight: '700' },
];

/**
 * Loads the bundled Noto fonts from our own origin and registers them for CSS and canvas.
 * Field computers often have no Lao font installed and no internet, and labels are drawn into
 * canvases once: drawing before the font is ready would bake fallback boxes into the map.
 * A face that fails to load is reported and skipped; the page still works with fallbacks.
 */
export async function loadFonts(): Promise<void> {
  await Promise.all(
    FACES.map(async ({ family, url, weight }) => {
      const face = new FontFace(family, `url(${url})`, { weight, style: 'normal', display: 'swap' });
      try {
        document.fonts.add(await face.load());
      } catch (error) {
        console.warn(`Font ${family} ${weight} did not load`, error);
      }
    }),
  );
}
