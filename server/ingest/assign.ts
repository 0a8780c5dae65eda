import { matchVillage, type VillageCandidate } from './match.js';

/** How a walked track relates to the areas it was walked for. */
export interface TrackAssignment {
  kind: 'line' | 'perimeter' | 'segment' | 'route';
  areaCode: string | null;
  otherAreaCode: string | null;
}

const OUTSIDE = new Set(['outside', 'out', 'external', '-']);

/**
 * Read what a track was walked for from its name: `A|B` (or `A / B`, `A - B` with codes) is
 * the shared boundary of areas A and B; a name that is an area code is that area's perimeter.
 * Otherwise the track belongs to the area the upload was made for, if any.
 */
export function assignTrack(
  track: { name?: string; kind: 'track' | 'route' },
  known: ReadonlySet<string> | ((name: string) => string | null),
  uploadArea: string | null,
): TrackAssignment {
  const codeOf = typeof known === 'function' ? known : (n: string) => (known.has(n) ? n : null);
  const name = (track.name ?? '').trim();
  const parts = name.split(/\s*[|/]\s*/).filter(Boolean);
  if (parts.length === 2) {
    const [a, b] = [codeOf(parts[0]), OUTSIDE.has(parts[1].toLowerCase()) ? null : codeOf(parts[1])];
    if (a !== null && (b !== null || OUTSIDE.has(parts[1].toLowerCase()))) return { kind: 'segment', areaCode: a, otherAreaCode: b };
  }
  const whole = name === '' ? null : codeOf(name);
  if (whole !== null) return { kind: 'perimeter', areaCode: whole, otherAreaCode: null };
  if (track.kind === 'route') return { kind: 'route', areaCode: uploadArea, otherAreaCode: null };
  return { kind: uploadArea ? 'perimeter' : 'line', areaCode: uploadArea, otherAreaCode: null };
}

/** Area codes a track name may mention, to look up in one query. */
export function candidateCodes(names: (string | undefined)[]): string[] {
  const codes = new Set<string>();
  for (const n of names) {
    for (const part of (n ?? '').split(/\s*[|/]\s*/)) {
      const p = part.trim();
      if (p && p.length <= 64) codes.add(p);
    }
  }
  return [...codes];
}

/**
 * Turns the names in one file (track names, track-name parts, waypoint names) into area codes:
 * a known code as written, else the village `matchVillage` finds by name. Names that fit several
 * villages are assigned to none and listed for the file's report, so nothing is guessed.
 */
export class VillageNames {
  private readonly seen = new Map<string, string | null>();
  private readonly ambiguous: string[] = [];

  constructor(private readonly knownCodes: ReadonlySet<string>, private readonly candidates: readonly VillageCandidate[]) {}

  /** The code `name` refers to, or null; `what` says where the name came from, for the warning. */
  code(name: string, what: string): string | null {
    const typed = name.trim();
    if (this.knownCodes.has(typed)) return typed;
    const cached = this.seen.get(typed);
    if (cached !== undefined) return cached;
    const m = matchVillage(typed, this.candidates);
    if (m.ambiguous.length > 0) {
      this.ambiguous.push(`${what} '${typed.slice(0, 80)}' could be any of the villages ${m.ambiguous.slice(0, 6).join(', ')}${m.ambiguous.length > 6 ? ', …' : ''}; it was not assigned to one (name it by code)`);
    }
    this.seen.set(typed, m.match);
    return m.match;
  }

  warnings(): string[] {
    return [...this.ambiguous];
  }
}
