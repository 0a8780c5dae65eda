/**
 * Warnings grouped by kind: a million rows with a bad elevation make one line in the upload
 * report, with the count and the first place to look, not a million lines.
 */
export class WarningTally {
  private readonly byKind = new Map<string, { count: number; where: string; text: (n: number, where: string) => string }>();

  /** Count one occurrence of `kind`; `where` (e.g. "row 12: '1O6.5'") is kept from the first. */
  note(kind: string, where: string, text: (n: number, where: string) => string): void {
    const seen = this.byKind.get(kind);
    if (seen !== undefined) seen.count++;
    else this.byKind.set(kind, { count: 1, where, text });
  }

  /** A warning that stands alone (said once, whatever the count). */
  say(kind: string, sentence: string): void {
    if (!this.byKind.has(kind)) this.byKind.set(kind, { count: 1, where: '', text: () => sentence });
  }

  list(): string[] {
    return [...this.byKind.values()].map(({ count, where, text }) => text(count, where));
  }
}

/** "1 value was" / "1,204 values were": counts as the report prints them. */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Echoes a value from the file in a message without letting a huge value flood the report. */
export function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Line and row numbers as people read them: 5,120. */
export function fmtNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A track assigned to an area but walked this far from the area's centre (at its nearest
 * reading) was most likely uploaded for the wrong village, or its coordinates are wrong. Villages
 * are a few kilometres across, so a walk around or along one passes well within this distance.
 */
export const DISTANT_TRACK_M = 10_000;

/** The nearest of `points` to `centre`, in metres (haversine), or null when there are none. */
export function nearestDistanceM(points: Iterable<{ lon: number; lat: number }>, centre: { lon: number; lat: number }): number | null {
  const rad = Math.PI / 180;
  const cosLat = Math.cos(centre.lat * rad);
  let best = Infinity;
  for (const p of points) {
    const dLat = (p.lat - centre.lat) * rad;
    const dLon = (p.lon - centre.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + cosLat * Math.cos(p.lat * rad) * Math.sin(dLon / 2) ** 2;
    if (h < best) best = h;
  }
  // Mean Earth radius (IUGG), as Turf and the cleaner use.
  return best === Infinity ? null : 2 * 6_371_008.8 * Math.asin(Math.sqrt(Math.min(1, best)));
}

/** The report's sentence for a track walked far from the area it was assigned to. */
export function distantTrackWarning(track: string | null, km: number, area: { code: string; name: string }): string {
  const what = track ? `Track '${clip(track)}'` : 'A track';
  return `${what} lies ${fmtNumber(Math.round(km))} km from ${area.name} (${area.code}), the area it was assigned to: check the area chosen or the file's coordinates`;
}
