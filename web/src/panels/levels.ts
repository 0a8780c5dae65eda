import type { Level, LevelKey } from '../api/types.js';
import { translate, type Language, type StringKey } from '../i18n/index.js';

/**
 * The name of a level in the page language. The server's level table wins (a country can
 * rename its levels by configuration); the built-in strings cover the default hierarchy until
 * the table has loaded.
 */
export function levelLabel(levels: readonly Level[], key: LevelKey, language: Language): string {
  const level = levels.find((candidate) => candidate.key === key);
  if (level) return language === 'lo' && level.label_local ? level.label_local : level.label;
  const builtIn = `level.${key}` as StringKey;
  return translate(language, builtIn);
}
