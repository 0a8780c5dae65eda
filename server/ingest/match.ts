/** A village a name may refer to. */
export interface VillageCandidate {
  code: string;
  name: string;
  name_local: string | null;
}

/** Which village a name refers to: one `match`, or the equally good `ambiguous` codes (never a guess). */
export interface VillageMatch {
  match: string | null;
  ambiguous: string[];
  /** How the match was made (`code`, `name`, `spelling`), or why there is none, for the report. */
  how: string;
}

/** Village prefixes in romanised Lao ("Ban", "Bane", "B.") and Lao script ("ບ້ານ", "ບ."). */
const ROMAN_PREFIX = /^(?:(?:ban|bane|baan)(?:[\s._-]+|$)|b\.\s*)/i;
const LAO_PREFIX = /^(?:ບ້ານ|ບານ|ບ\.)\s*/u;
/** Lao tone marks, often left out when typing on a phone. */
const LAO_TONES = /[\u0EC8-\u0ECB]/gu;

/**
 * A name as typed, reduced to what identifies it: case, accents, the village prefix, spaces,
 * hyphens and punctuation removed. Lao script keeps its letters (and loses spaces and tone marks).
 */
export function basicKey(raw: string): string {
  let s = raw.normalize('NFKC').trim();
  s = s.replace(LAO_PREFIX, '').replace(ROMAN_PREFIX, '');
  s = s.normalize('NFD').replace(/\p{M}/gu, (m) => (/[\u0E80-\u0EFF]/u.test(m) ? m : ''));
  return s.toLowerCase().replace(LAO_TONES, '').replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * The romanisation-blind form of a name: Lao names are written in Latin letters in several
 * systems (French-era "Houay", "Xieng", "Phonsavanh"; newer "Huay", "Sieng", "Ponsavan"), so
 * ou/u, x/s, ph/p, kh/k, th/t, w/v, doubled letters and a final h are folded together.
 */
export function spellingKey(raw: string): string {
  const s = basicKey(raw);
  if (/[\u0E80-\u0EFF]/u.test(s)) return s;
  return s
    .replace(/ph/g, 'p').replace(/kh/g, 'k').replace(/th/g, 't')
    .replace(/ou/g, 'u').replace(/x/g, 's').replace(/w/g, 'v').replace(/ie/g, 'ia')
    .replace(/(.)\1+/g, '$1')
    .replace(/h$/, '');
}

/**
 * The village a track or waypoint name refers to, tolerant of how people type names in the
 * field: "B. Phonsavanh", "ban phon-savan", "Ponsavan", "ບ້ານໂພນສະຫວັນ". An exact code wins;
 * otherwise the best level that finds anything decides (same letters, then same spelling). Two
 * or more villages found at that level are reported as ambiguous, never chosen between.
 */
export function matchVillage(name: string, candidates: readonly VillageCandidate[]): VillageMatch {
  const typed = name.trim();
  if (typed === '') return { match: null, ambiguous: [], how: 'no name' };
  const byCode = candidates.filter((c) => c.code.toLowerCase() === typed.toLowerCase());
  if (byCode.length === 1) return { match: byCode[0].code, ambiguous: [], how: 'code' };
  const levels: [string, (s: string) => string][] = [['name', basicKey], ['spelling', spellingKey]];
  for (const [how, key] of levels) {
    const k = key(typed);
    if (k === '') return { match: null, ambiguous: [], how: 'no name' };
    const found = new Set<string>();
    for (const c of candidates) {
      if (key(c.name) === k || (c.name_local !== null && c.name_local !== '' && key(c.name_local) === k)) found.add(c.code);
    }
    if (found.size === 1) return { match: [...found][0], ambiguous: [], how };
    if (found.size > 1) return { match: null, ambiguous: [...found].sort(), how: `${how} (ambiguous)` };
  }
  return { match: null, ambiguous: [], how: 'no village of that name' };
}
