import type { Language } from '../i18n/index.js';

const LOCALES: Record<Language, string> = { en: 'en-GB', lo: 'lo-LA' };

function formatter(language: Language, fractionDigits: number): Intl.NumberFormat {
  // Lao offices write Western digits; `latn` keeps numbers readable across both languages.
  return new Intl.NumberFormat(LOCALES[language], {
    numberingSystem: 'latn',
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

/** Square metres as hectares: one decimal below 100 ha, whole hectares above. */
export function formatHectares(squareMetres: number | null | undefined, language: Language): string | null {
  if (squareMetres === null || squareMetres === undefined || !Number.isFinite(squareMetres)) return null;
  const hectares = squareMetres / 10_000;
  return formatter(language, hectares < 100 ? 1 : 0).format(hectares);
}

/** Metres as kilometres with two decimals: a perimeter walk is measured to about ten metres. */
export function formatKilometres(metres: number | null | undefined, language: Language): string | null {
  if (metres === null || metres === undefined || !Number.isFinite(metres)) return null;
  return formatter(language, 2).format(metres / 1000);
}

/** A count (people, households, readings) with thousands separators. */
export function formatCount(value: number | null | undefined, language: Language): string | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return formatter(language, 0).format(value);
}

/** A timestamp as a date and time in the page language (Western digits, the viewer's time zone). */
export function formatDate(iso: string | null | undefined, language: Language): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return new Intl.DateTimeFormat(LOCALES[language], { numberingSystem: 'latn', dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
