import type { PrintArea, VillageMapInput } from './model.js';

/** An area on the atlas cover; `parent_code` tells which kumban a village of a district is in. */
export interface AtlasArea extends PrintArea {
  parent_code: string | null;
}

/** What the store reads for an atlas. */
export interface AtlasContent {
  /** The kumban or district the atlas covers. */
  area: AtlasArea;
  /** Its parents, nearest first. */
  parents: AtlasArea[];
  /** The kumbans of a district atlas, outlined on the cover; empty for a kumban atlas. */
  groups: AtlasArea[];
  /** Every village in the area, by code, with or without a boundary. */
  villages: AtlasArea[];
  /** One sheet per village that has a boundary, in the order of `villages`. */
  sheets: Omit<VillageMapInput, 'printedAt' | 'paper' | 'orientation' | 'versionUrl'>[];
}

/** An atlas ready to print. */
export interface AtlasInput extends AtlasContent {
  /** Passed in so the same data always gives the same bytes. */
  printedAt: Date;
  /** The QR link of a village version, when the service has a public address. */
  versionUrl?: (code: string, version: number) => string;
}

/** Where a village appears in the atlas: its row on the cover and the page of its sheet. */
export interface IndexEntry {
  number: number;
  village: AtlasArea;
  /** Null when the village has no boundary yet and so no sheet. */
  page: number | null;
}
