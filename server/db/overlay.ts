/**
 * The precision grid, in degrees (about 0.1 mm), given to PostGIS overlays (ST_Difference,
 * ST_Intersection, ST_SymDifference). With a grid, GEOS runs its snap-rounding overlay, which
 * never fails on nearly coincident edges; without one it can throw a topology exception, which
 * the embedded PGlite build cannot recover from: the session is left broken ("snapshot still
 * active", then "portal does not exist" for the next queries). A tenth of a millimetre changes
 * no area or boundary a survey can measure.
 */
export const OVERLAY_GRID = '1e-9';
