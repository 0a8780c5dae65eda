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
  knownCodes: ReadonlySet<string>,
  uploadArea: string | null,
): TrackAssignment {
  const name = (track.name ?? '').trim();
  const parts = name.split(/\s*[|/]\s*/).filter(Boolean);
  if (parts.length === 2 && knownCodes.has(parts[0]) && (knownCodes.has(parts[1]) || OUTSIDE.has(parts[1].toLowerCase()))) {
    return { kind: 'segment', areaCode: parts[0], otherAreaCode: knownCodes.has(parts[1]) ? parts[1] : null };
  }
  if (knownCodes.has(name)) return { kind: 'perimeter', areaCode: name, otherAreaCode: null };
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
