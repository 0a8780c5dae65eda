import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test/helpers/app.js';
import type { Polygons } from './geometry.js';
import { createStaging, stageChunk } from './store.js';
import { chunkBuffers, StagingChunk, stagingWriterFor, type StagedArea } from './staging.js';

const db = testDatabase();
afterAll(() => db.close());

/** A 33-vertex ring around (x, y), as the shapefile reader and reprojection hand it over. */
function ring(x: number, y: number, r: number): Polygons {
  const c = new Float64Array(66);
  for (let k = 0; k < 32; k++) {
    c[k * 2] = x + r * Math.cos((k / 32) * 2 * Math.PI);
    c[k * 2 + 1] = y + r * Math.sin((k / 32) * 2 * Math.PI);
  }
  c[64] = c[0];
  c[65] = c[1];
  return [[c]];
}

function feature(i: number): StagedArea {
  return {
    record: i + 1,
    code: `ST-${i}`,
    // Tabs, backslashes, newlines and Lao text: what COPY's text format would have to escape.
    name: i % 7 === 0 ? `Ban\t${i}\\n\nບ້ານ` : `Ban ${i}`,
    name_local: i % 3 === 0 ? null : `ບ້ານ ${i}`,
    parent_code: i % 5 === 0 ? null : 'P-1',
    status: i % 4 === 0 ? null : 'surveyed',
    population: i % 6 === 0 ? null : i,
    households: i % 9 === 0 ? null : 2_147_483_647 - i,
    area_m2: 1234.5 + i / 3,
    perimeter_m: -0 + i * 0.1,
    checked: i % 2 === 0,
    centre: i % 8 === 0 ? null : [106 + i * 1e-4, 15 + i * 1e-5],
    polygons: ring(106 + i * 1e-3, 15, 4e-4),
  };
}

describe('staging chunk', () => {
  it('encodes rows whichever field the buffer fills up at', () => {
    // Each first size puts the end of the buffer at a different field of the first rows.
    for (let initialBytes = 19; initialBytes < 19 + 1200; initialBytes++) {
      const chunk = new StagingChunk('copy', initialBytes);
      for (let i = 0; i < 4; i++) chunk.add(feature(i * 3));
      expect(chunk.size).toBe(4);
    }
  });

  it('stages thousands of features (more than one buffer of binary COPY rows) with every value and null intact', async () => {
    // 3,000 features of 33 vertices are about 1.8 MB of rows: the row buffer grows mid-chunk.
    const features = Array.from({ length: 3000 }, (_, i) => feature(i));
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await createStaging(client);
      const chunk = new StagingChunk(stagingWriterFor(db.kind));
      for (const f of features) chunk.add(f);
      expect(chunk.doubtful).toBe(1500);
      // Encoded in the reading thread, the chunk crosses to the main thread with its buffer moved.
      const encoded = chunk.encoded();
      const crossed = structuredClone(encoded, { transfer: chunkBuffers(encoded) });
      await stageChunk(client, crossed);
      const { rows } = await client.query(
        `SELECT record, code, name, name_local, parent_code, status, population, households, area_m2, perimeter_m, checked,
                CASE WHEN centre IS NULL THEN NULL ELSE json_build_array(ST_X(centre), ST_Y(centre)) END AS centre,
                ST_SRID(geom) AS srid, GeometryType(geom) AS type, ST_NPoints(geom) AS points,
                ST_X(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 9)) AS x9
         FROM dataset_staging ORDER BY record`,
      );
      expect(rows).toHaveLength(features.length);
      rows.forEach((r, i) => {
        const f = features[i];
        expect(r).toEqual({
          record: f.record, code: f.code, name: f.name, name_local: f.name_local, parent_code: f.parent_code, status: f.status,
          population: f.population, households: f.households, area_m2: f.area_m2, perimeter_m: f.perimeter_m, checked: f.checked,
          centre: f.centre, srid: 4326, type: 'MULTIPOLYGON', points: 33, x9: f.polygons[0][0][16],
        });
      });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
