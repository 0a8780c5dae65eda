import { en, lo, type StringKey } from './strings.js';

export type { StringKey } from './strings.js';

/** The interface languages offered in the header switch. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'lo', name: 'ລາວ' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const TABLES: Record<Language, Record<StringKey, string>> = { en, lo };
const STORAGE_KEY = 'tessera.lang';

/**
 * Looks a string up and fills its `{name}` placeholders. A missing parameter is left visible
 * as `{name}` so the gap shows up in review instead of printing "undefined".
 */
export function translate(language: Language, key: StringKey, params: Record<string, string | number> = {}): string {
  const template: string = TABLES[language][key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** Accepts only the codes we have tables for, so a stale stored value cannot break the page. */
export function parseLanguage(value: string | null | undefined): Language | null {
  return LANGUAGES.some((language) => language.code === value) ? (value as Language) : null;
}

let current: Language = 'en';
const listeners = new Set<(language: Language) => void>();

/** The language the page is shown in now. */
export function currentLanguage(): Language {
  return current;
}

/** Translates into the current language; panels call it while rendering. */
export function t(key: StringKey, params?: Record<string, string | number>): string {
  return translate(current, key, params);
}

/** Switches the page language, remembers it for the next visit and lets panels re-render. */
export function setLanguage(language: Language): void {
  current = language;
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage can be disabled (private mode); the switch still works for this visit.
  }
  for (const listener of listeners) listener(language);
}

/** Registers a re-render for language changes; returns the unsubscribe function. */
export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The remembered language, else Lao when the browser prefers it, else English. */
export function initialLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  return parseLanguage(stored) ?? (navigator.language.toLowerCase().startsWith('lo') ? 'lo' : 'en');
}
