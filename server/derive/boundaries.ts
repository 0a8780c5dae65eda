import type { MultiPolygon, Position } from 'geojson';

/**
 * The lines between neighbouring villages of one tessellation, as boundary records: a line
 * shared by two villages is one record (left and right village), a line a village shares with
 * nobody in the set lies on the parent's edge (right = null, the outside). Works on polygons
 * that share their vertices exactly (faces of one planar network, or one dissolve), so a common
 * edge is recognised by its two end coordinates.
 */
export interface BoundaryLine {
  /** The village on the left of the line, walking it from its first to its last point. */
  left: string;
  right: string | null;
  line: Position[];
}

const key = (p: Position) => `${p[0]},${p[1]}`;

function signedArea(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

/** Rings with the polygon's interior on the left of every edge: shells anticlockwise, holes clockwise. */
function interiorLeftRings(g: MultiPolygon): Position[][] {
  return g.coordinates.flatMap((poly) =>
    poly.map((ring, i) => ((signedArea(ring) > 0) === (i === 0) ? ring : [...ring].reverse())),
  );
}

export function boundaryLines(villages: { code: string; geometry: MultiPolygon }[]): BoundaryLine[] {
  // Who has each directed edge on their left: the neighbour across a->b is who has b->a.
  const leftOf = new Map<string, string>();
  const rings = villages.map((v) => ({ code: v.code, rings: interiorLeftRings(v.geometry) }));
  for (const v of rings) for (const r of v.rings) for (let i = 0; i < r.length - 1; i++) leftOf.set(`${key(r[i])}|${key(r[i + 1])}`, v.code);

  const out: BoundaryLine[] = [];
  for (const v of rings) {
    for (const r of v.rings) {
      const n = r.length - 1;
      if (n < 3) continue;
      const across = (i: number) => leftOf.get(`${key(r[(i + 1) % n])}|${key(r[i])}`) ?? null;
      // Start at a change of neighbour so no run is split by the ring's seam.
      let start = 0;
      for (let i = 0; i < n; i++) {
        if (across(i) !== across((i + n - 1) % n)) {
          start = i;
          break;
        }
      }
      let run: Position[] = [];
      let runRight: string | null | undefined;
      const flush = () => {
        // A line between two villages is recorded once, by the one whose code sorts first.
        if (run.length >= 2 && (runRight === null || v.code < runRight!)) out.push({ left: v.code, right: runRight!, line: run });
        run = [];
      };
      for (let k = 0; k < n; k++) {
        const i = (start + k) % n;
        const right = across(i);
        if (right !== runRight) {
          flush();
          runRight = right;
          run = [r[i]];
        }
        run.push(r[(i + 1) % n]);
      }
      flush();
    }
  }
  return out;
}
