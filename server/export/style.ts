/**
 * Status colours of the web map (web/src/map/palette.ts), repeated here so a file opened in
 * Google Earth or QGIS reads like the map a planner already knows.
 */
export const STATUS_COLOURS: Record<string, string> = {
  planned: '#d9d9d9',
  provisional: '#f7dc6f',
  surveyed: '#85c1e9',
  disputed: '#e74c3c',
  agreed: '#82c99a',
  approved: '#1e8449',
};
