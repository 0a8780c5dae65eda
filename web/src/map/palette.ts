import type { AreaStatus } from '../api/types.js';

/**
 * One colour per status, shared by the map fill, the legend and the area panel so a planner
 * learns the code once. Ordered from pale (nothing done) to deep green (approved); disputed is
 * the only warm red so a problem jumps out. Chosen to stay distinguishable for red-green
 * colour blindness by lightness as well as hue.
 */
export const STATUS_COLOURS: Record<AreaStatus, string> = {
  planned: '#d9d9d9',
  provisional: '#f7dc6f',
  surveyed: '#85c1e9',
  disputed: '#e74c3c',
  agreed: '#82c99a',
  approved: '#1e8449',
};

/** Colours of everything on the map that is not a status fill. */
export const MAP_COLOURS = {
  background: '#f3f1ea',
  villageOutline: '#ffffff',
  kumbanOutline: '#4d4d4d',
  districtOutline: '#1c1c1c',
  districtCasing: '#ffffff',
  selection: '#0b57d0',
  selectionCasing: '#ffffff',
  track: '#6a1b9a',
  trackCasing: '#ffffff',
  preview: '#d81b60',
  compare: '#ef6c00',
  dropped: '#c62828',
  uploadRaw: '#8c8c8c',
  marker: '#263238',
  overlap: '#b71c1c',
  gap: '#e65100',
  otherProblem: '#4a148c',
  labelText: '#1a1a1a',
  labelHalo: '#ffffff',
} as const;
