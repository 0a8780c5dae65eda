import type { MultiPolygon, Position } from 'geojson';

/** Which way exterior rings run; holes always run the other way. */
export type Winding = 'ccw' | 'cw';

/**
 * Twice the signed shoelace area of a closed ring in lon/lat (y up): positive when the ring runs
 * counter-clockwise. Only the sign is used, so the planar formula is enough.
 */
export function signedArea2(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum;
}

/**
 * A copy of a MultiPolygon with exterior rings in the given winding and holes in the opposite
 * one: RFC 7946 and KML want exteriors counter-clockwise, the shapefile spec clockwise. The input
 * is not mutated.
 */
export function orientRings(geometry: MultiPolygon, exterior: Winding): MultiPolygon {
  const wantCcw = (isExterior: boolean) => (exterior === 'ccw') === isExterior;
  return {
    type: 'MultiPolygon',
    coordinates: geometry.coordinates.map((polygon) =>
      polygon.map((ring, i) => {
        const ccw = signedArea2(ring) > 0;
        return ccw === wantCcw(i === 0) ? ring.map((p) => [p[0], p[1]]) : ring.map((p) => [p[0], p[1]]).reverse();
      }),
    ),
  };
}

/** Rounds a coordinate to `decimals` places (7 ≈ 1 cm), dropping float noise from the output. */
export function roundCoordinate(value: number, decimals = 7): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
