import { STATUS_COLOURS as MAP_STATUS_COLOURS } from '../../web/src/map/palette.js';

/**
 * Status colours of the web map, used as they are so a file opened in Google Earth or QGIS and
 * the atlas cover read like the map a planner already knows. One definition (a pure module of
 * the web app) keeps the three in step; looked up by the status text stored in the database.
 */
export const STATUS_COLOURS: Readonly<Record<string, string>> = MAP_STATUS_COLOURS;
