import fs from 'node:fs/promises';
import path from 'node:path';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { createArea, type AreaStatus } from '../areas/store.js';
import { ingestFiles } from '../ingest/service.js';
import { receiveLocalFile } from '../ingest/receive.js';

interface DemoProps {
  level: string;
  code: string;
  name: string;
  name_local: string;
  parent_code: string | null;
  status: AreaStatus;
  population: number | null;
  households: number | null;
  centre: [number, number];
}

/** Villages still to be walked have no boundary yet: their polygon is what the demo derives. */
export function demoHasBoundary(p: DemoProps): boolean {
  return p.level !== 'ban' || p.status !== 'planned';
}

export async function isEmpty(db: Database): Promise<boolean> {
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM area');
  return rows[0].n === 0;
}

/**
 * Load the demo province from `fixtures/demo`: every area (parents first) in one transaction,
 * then the perimeter walks of the villages that have no boundary yet, through the same ingest
 * path as an upload.
 */
export async function loadDemo(db: Database, fixturesDir: string): Promise<{ areas: number; walks: number }> {
  const dir = path.join(fixturesDir, 'demo');
  const fc = JSON.parse(await fs.readFile(path.join(dir, 'areas.geojson'), 'utf8')) as FeatureCollection<MultiPolygon, DemoProps>;
  await withTransaction(db.pool, async (client) => {
    for (const f of fc.features as Feature<MultiPolygon, DemoProps>[]) {
      const p = f.properties;
      await createArea(client, {
        level: p.level,
        parent: p.parent_code,
        code: p.code,
        name: p.name,
        name_local: p.name_local,
        centre: { type: 'Point', coordinates: p.centre },
        geometry: demoHasBoundary(p) ? f.geometry : null,
        status: p.status,
        population: p.population,
        households: p.households,
        method: demoHasBoundary(p) ? 'imported' : null,
      }, 'demo loader', { source: 'fixtures/demo/areas.geojson' });
    }
  });
  const planned = fc.features.filter((f) => !demoHasBoundary(f.properties)).map((f) => f.properties.code);
  let walks = 0;
  for (const code of planned) {
    const file = path.join(dir, 'gpx', 'perimeter', `${code}.gpx`);
    const walk = await receiveLocalFile(file).catch(() => null);
    if (!walk) continue;
    await ingestFiles(db, [walk], {
      area: code, actor: 'demo loader', maxPoints: 2_000_000, cleaning: {},
    });
    walks++;
  }
  return { areas: fc.features.length, walks };
}
