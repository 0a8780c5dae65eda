/** An axis-aligned box on the page (points, y down). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A label wanting a place: candidate boxes in order of preference. */
export interface LabelRequest<K> {
  key: K;
  candidates: Box[];
}

/** True when two boxes share any area (touching edges do not count). */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** True when `inner` lies completely inside `outer`. */
export function boxInside(inner: Box, outer: Box): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/**
 * Greedy label placement: requests are served in the order given (most important first); each
 * takes its first candidate that stays inside `bounds` and clears the obstacles and every label
 * placed before it. A label with no free candidate is left out rather than printed over another,
 * because an overprinted name on an official map is worse than a missing one.
 */
export function placeLabels<K>(requests: LabelRequest<K>[], obstacles: Box[], bounds: Box): Map<K, Box> {
  const placed = new Map<K, Box>();
  const taken = [...obstacles];
  for (const request of requests) {
    const box = request.candidates.find((c) => boxInside(c, bounds) && !taken.some((t) => boxesOverlap(c, t)));
    if (box) {
      placed.set(request.key, box);
      taken.push(box);
    }
  }
  return placed;
}

/**
 * The eight classic positions around a point symbol (right, left, above, below, then the
 * diagonals), `gap` points clear of a symbol of radius `radius`.
 */
export function pointLabelCandidates(x: number, y: number, width: number, height: number, radius: number, gap = 1.5): Box[] {
  const d = radius + gap;
  const right = x + d;
  const left = x - d - width;
  const midY = y - height / 2;
  const above = y - d - height;
  const below = y + d;
  const centreX = x - width / 2;
  return [
    { x: right, y: midY, width, height },
    { x: left, y: midY, width, height },
    { x: centreX, y: above, width, height },
    { x: centreX, y: below, width, height },
    { x: right, y: above + height / 3, width, height },
    { x: left, y: above + height / 3, width, height },
    { x: right, y: below - height / 3, width, height },
    { x: left, y: below - height / 3, width, height },
  ];
}

/**
 * Candidate boxes centred on an anchor and then shifted outwards in a ring of steps, for area
 * labels that may move a little off the centre of their polygon to avoid a clash.
 */
export function areaLabelCandidates(x: number, y: number, width: number, height: number, step: number, rings = 3): Box[] {
  const boxes: Box[] = [{ x: x - width / 2, y: y - height / 2, width, height }];
  for (let ring = 1; ring <= rings; ring++) {
    for (let i = 0; i < 8; i++) {
      const angle = (i * Math.PI) / 4;
      const dx = Math.round(Math.cos(angle)) * ring * step;
      const dy = Math.round(Math.sin(angle)) * ring * step;
      boxes.push({ x: x + dx - width / 2, y: y + dy - height / 2, width, height });
    }
  }
  return boxes;
}
