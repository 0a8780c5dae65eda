import { UserError } from '../errors.js';

/** What a dataset field can become on an area. */
export const MAPPABLE = ['code', 'name', 'name_local', 'parent', 'status', 'population', 'households'] as const;
export type MappingTarget = (typeof MAPPABLE)[number];

/** How dataset fields become area attributes: `code=VIL_CODE,name=NAME_E,...`. */
export type FieldMapping = Partial<Record<MappingTarget, string>>;

export function parseFieldMapping(spec: string | undefined): FieldMapping {
  const out: FieldMapping = {};
  if (!spec) return out;
  for (const pair of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, field] = pair.split('=').map((s) => s.trim());
    if (!(MAPPABLE as readonly string[]).includes(key) || !field) {
      throw new UserError('VALIDATION_FAILED', `fields: '${pair}' is not of the form target=FIELD with target one of ${MAPPABLE.join(', ')}.`);
    }
    out[key as MappingTarget] = field;
  }
  return out;
}

/** One field of a dataset as the dry run describes it to a mapper. */
export interface FieldReport {
  name: string;
  /** Kinds of the values seen: `string`, `number`, `boolean`, `date`, `object`, joined by `|`; `empty` when none. */
  type: string;
  /** The .dbf declaration, e.g. `C(50)`, `N(10,0)` (shapefiles only). */
  dbf_type?: string;
  /** Up to three distinct values, as text. */
  samples: string[];
  /** Records with a value (not null or blank). */
  filled: number;
  /** Whether every value seen is different (checked on the first 10,000 values). */
  unique: boolean;
  /** Present when sample values are in Lao, Thai, Khmer or Cyrillic script. */
  script?: 'non-latin';
}

const SAMPLE_WINDOW = 50;
const UNIQUE_WINDOW = 10_000;
const NON_LATIN = /[\u0400-\u04FF\u0E00-\u0E7F\u0E80-\u0EFF\u1780-\u17FF]/;

interface FieldStats {
  types: Set<string>;
  samples: string[];
  seenSamples: number;
  filled: number;
  distinct: Set<string>;
  unique: boolean;
  nonLatin: number;
}

/** Field names, kinds, samples and uniqueness, gathered one record at a time. */
export class FieldSummary {
  private readonly stats = new Map<string, FieldStats>();

  constructor(declared: { name: string; dbf_type?: string }[] = [], private readonly dbfTypes = new Map(declared.map((f) => [f.name, f.dbf_type]))) {
    for (const f of declared) this.field(f.name);
  }

  private field(name: string): FieldStats {
    let s = this.stats.get(name);
    if (!s) {
      s = { types: new Set(), samples: [], seenSamples: 0, filled: 0, distinct: new Set(), unique: true, nonLatin: 0 };
      this.stats.set(name, s);
    }
    return s;
  }

  add(properties: Record<string, unknown>): void {
    for (const name of Object.keys(properties)) {
      const v = properties[name];
      const s = this.field(name);
      if (v === null || v === undefined || v === '') continue;
      s.filled++;
      s.types.add(v instanceof Date ? 'date' : typeof v);
      const text = v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (s.seenSamples < SAMPLE_WINDOW) {
        s.seenSamples++;
        if (s.samples.length < 3 && !s.samples.includes(text)) s.samples.push(text.slice(0, 200));
        if (NON_LATIN.test(text)) s.nonLatin++;
      }
      if (s.unique && s.distinct.size < UNIQUE_WINDOW) {
        if (s.distinct.has(text)) {
          s.unique = false;
          s.distinct.clear();
        } else s.distinct.add(text);
      }
    }
  }

  report(): FieldReport[] {
    return [...this.stats].map(([name, s]) => {
      const out: FieldReport = { name, type: [...s.types].join('|') || 'empty', samples: s.samples, filled: s.filled, unique: s.unique && s.filled > 0 };
      const dbf = this.dbfTypes.get(name);
      if (dbf) out.dbf_type = dbf;
      if (s.nonLatin > 0) out.script = 'non-latin';
      return out;
    });
  }
}

const key = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '');
const PARENTISH = /^(PARENT|KB|KUMBAN|KUMBANG|DIST|DISTRICT|DISTR|DIS|PROV|PROVINCE|PRO|ADM[0-2])/;
const LOCALISH = /(LO|LAO|LA|L|LOC|LOCAL|KH|KHM|TH|THA|RU|NATIVE|NAT)$/;

/**
 * Best guesses of which field fills which area attribute, from field names and values, e.g.
 * NAME_E → name, NAME_LO (Lao script) → name_local, VIL_CODE (unique) → code, KB_CODE
 * (repeated) → parent. The mapper confirms or corrects them; nothing is imported by a guess.
 */
export function suggestFields(fields: FieldReport[]): FieldMapping {
  const out: FieldMapping = {};
  const taken = new Set<string>();
  const pick = (target: MappingTarget, score: (f: FieldReport) => number) => {
    let best: string | undefined;
    let bestScore = 0;
    for (const f of fields) {
      if (taken.has(f.name) || f.filled === 0) continue;
      const s = score(f);
      if (s > bestScore) {
        best = f.name;
        bestScore = s;
      }
    }
    if (best !== undefined) {
      out[target] = best;
      taken.add(best);
    }
  };
  const codeLike = (k: string) => /P?CODE$|^CODE|^PCODE|CODE[0-9]?$/.test(k) || /(^|[^A-Z])ID$/.test(k) || k === 'ID' || k.endsWith('ID');
  pick('code', (f) => {
    const k = key(f.name);
    if (!codeLike(k)) return 0;
    return (f.unique ? 10 : 1) + (PARENTISH.test(k) ? 0 : 3) + (/CODE/.test(k) ? 2 : 0) + (/^(VIL|VILL|VILLAGE|BAN|V)/.test(k) ? 2 : 0);
  });
  pick('name_local', (f) => {
    const k = key(f.name);
    if (!f.type.includes('string')) return 0;
    const named = /NAME|NAM|^TEN|^NOM/.test(k);
    return (f.script === 'non-latin' ? 10 : 0) + (named && LOCALISH.test(k) && !/(E|EN|ENG)$/.test(k) ? 4 : 0);
  });
  pick('name', (f) => {
    const k = key(f.name);
    if (!f.type.includes('string') || f.script === 'non-latin') return 0;
    if (!/NAME|NAM|^TEN$|^NOM$|^LABEL$|^TITLE$/.test(k)) return 0;
    return 5 + (/(E|EN|ENG|ENGLISH|ROM)$/.test(k) ? 3 : 0) + (k === 'NAME' ? 2 : 0) + (PARENTISH.test(k) ? -4 : 0);
  });
  pick('parent', (f) => {
    const k = key(f.name);
    if (k.includes('PARENT')) return 10;
    return codeLike(k) && PARENTISH.test(k) ? 6 + (f.unique ? 0 : 2) : codeLike(k) && !f.unique ? 3 : 0;
  });
  pick('population', (f) => (f.type === 'number' && /^(POP|POPULATION|POPTOT|POPTOTAL|TOTPOP|TOTALPOP|POPN)/.test(key(f.name)) ? 5 : 0));
  pick('households', (f) => (f.type === 'number' && /^(HH|HHS|HOUSEHOLD|HOUSEHOLDS|NUMHH|HHNUM|HHTOT|HHTOTAL|FAMILIES|FAMILY)$/.test(key(f.name)) ? 5 : 0));
  pick('status', (f) => (key(f.name) === 'STATUS' ? 5 : 0));
  return out;
}
