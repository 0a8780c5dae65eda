import { execFileSync, spawnSync } from 'node:child_process';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, Geometry, Polygon, Position } from 'geojson';
import { signedArea2 } from '../rings.js';

/** Whether GDAL's command-line tools are installed (Debian gdal-bin); tests skip without them. */
export const hasOgr = spawnSync('ogrinfo', ['--version']).error === undefined;

/** `ogrinfo -al -so`: each layer's name, feature count, geometry type and fields, as GDAL reads them. */
export function ogrSummary(source: string): string {
  return execFileSync('ogrinfo', ['-ro', '-al', '-so', source], { encoding: 'utf8' });
}

/** `ogrinfo -al`: every feature with its values, as GDAL reads them. */
export function ogrDump(source: string): string {
  return execFileSync('ogrinfo', ['-ro', '-al', source], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Feature counts per layer from `ogrinfo -al -so` output. */
export function layerCounts(summary: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const block of summary.split(/\nLayer name: /).slice(1)) {
    const name = block.split('\n')[0].trim();
    const count = /Feature Count: (\d+)/.exec(block);
    if (count) counts[name] = Number(count[1]);
  }
  return counts;
}

/** One layer converted by ogr2ogr to GeoJSON: what GDAL really decoded, to measure with Turf. */
export function ogrLayer(source: string, layer?: string): FeatureCollection<Geometry | null, Record<string, unknown>> {
  const args = ['-f', 'GeoJSON', '/vsistdout/', source, ...(layer ? [layer] : [])];
  return JSON.parse(execFileSync('ogr2ogr', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}

/**
 * Geodesic area in m² of what a reader decoded: polygons as they are; for GPX tracks each
 * ring counts positive when counter-clockwise (an exterior) and negative otherwise (a hole).
 */
export function decodedAreaM2(feature: Feature<Geometry | null>): number {
  const g = feature.geometry;
  if (!g) return 0;
  if (g.type === 'Polygon' || g.type === 'MultiPolygon') return turf.area(g);
  const lines: Position[][] = g.type === 'MultiLineString' ? g.coordinates : g.type === 'LineString' ? [g.coordinates] : [];
  return lines.reduce((sum, ring) => {
    const polygon: Polygon = { type: 'Polygon', coordinates: [ring] };
    return sum + Math.sign(signedArea2(ring)) * turf.area(polygon);
  }, 0);
}
