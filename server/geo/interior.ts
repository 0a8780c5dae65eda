/**
 * A point strictly inside a polygon given as rings of flat coordinates (x0, y0, x1, y1, ...,
 * first point repeated last), shell first, holes after: on a horizontal line through the
 * middle of the shell's height that passes through no vertex, the middle of the widest
 * stretch inside (the idea of GEOS's InteriorPointArea, which ST_PointOnSurface uses). A
 * centroid can lie outside a concave polygon or in a hole, and a vertex lies on the boundary.
 * Null when no such line crosses the polygon (no height, or rings that do not close).
 */
export function interiorPointOfRings(rings: readonly ArrayLike<number>[]): [number, number] | null {
  const shell = rings[0];
  if (shell === undefined) return null;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 1; i < shell.length; i += 2) {
    if (shell[i] < ymin) ymin = shell[i];
    if (shell[i] > ymax) ymax = shell[i];
  }
  const centre = (ymin + ymax) / 2;
  // The nearest vertices below and above the middle, over every ring: halfway between them
  // the line meets no vertex, so each crossing is a clean cut through one edge.
  let below = -Infinity;
  let above = Infinity;
  for (const r of rings) {
    for (let i = 1; i < r.length; i += 2) {
      const y = r[i];
      if (y <= centre && y > below) below = y;
      if (y > centre && y < above) above = y;
    }
  }
  if (!Number.isFinite(below) || !Number.isFinite(above)) return null;
  const y = (below + above) / 2;
  if (!(y > below && y < above)) return null;
  const xs: number[] = [];
  for (const r of rings) {
    for (let i = 0; i + 3 < r.length; i += 2) {
      const ya = r[i + 1];
      const yb = r[i + 3];
      if ((ya < y) !== (yb < y)) xs.push(r[i] + ((y - ya) * (r[i + 2] - r[i])) / (yb - ya));
    }
  }
  if (xs.length < 2 || xs.length % 2 !== 0) return null;
  xs.sort((a, b) => a - b);
  // Crossings pair up as inside stretches: (x0, x1), (x2, x3), ...
  let best = -1;
  let width = 0;
  for (let i = 0; i < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > width) {
      width = xs[i + 1] - xs[i];
      best = i;
    }
  }
  return best < 0 ? null : [(xs[best] + xs[best + 1]) / 2, y];
}
