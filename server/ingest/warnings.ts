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
