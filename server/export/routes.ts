import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { errors } from '../schemas.js';
import { EXPORT_FORMATS, type ExportFormat } from './model.js';
import { exportBaseName, FORMAT_INFO, renderExport } from './formats.js';
import { exportData, withSnapshot } from './store.js';

const ExportParams = Type.Object({
  file: Type.String({
    pattern: `^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\\.(${EXPORT_FORMATS.join('|')})$`,
    maxLength: 80,
    description: 'area code (or id) and format, e.g. SK-02-01.zip',
  }),
});

const ExportQuery = Type.Object(
  {
    level: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 32, description: 'export the descendants at this level, e.g. ban' })),
  },
  { additionalProperties: false },
);

/** `GET /api/export/CODE.{geojson,zip,kml,gpx,csv}?level=`: an area and what lies below it, as a file. */
export async function exportRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/api/export/:file', {
    schema: {
      tags: ['export'],
      summary: 'Export an area and its descendants as GeoJSON, zipped Shapefile, KML, GPX or CSV',
      description:
        'Without `level`: the area itself and every descendant that has a boundary. With `level`: every descendant at that level, ' +
        'those without a boundary as null geometries (CSV lists them all).',
      params: ExportParams,
      querystring: ExportQuery,
      response: { ...errors(400, 404, 422) },
    },
  }, async (req, reply) => {
    const { file } = req.params as { file: string };
    const { level } = req.query as typeof ExportQuery.static;
    const dot = file.lastIndexOf('.');
    const [key, format] = [file.slice(0, dot), file.slice(dot + 1) as ExportFormat];
    // The snapshot is read and released before the bytes are written out.
    const data = await withSnapshot(db.pool, (client) => exportData(client, key, { level }));
    const base = exportBaseName(data, level);
    const body = await renderExport(format, data, base);
    return reply
      .type(FORMAT_INFO[format].mediaType)
      .header('content-disposition', `attachment; filename="${base}.${format}"`)
      .header('x-feature-count', String(data.areas.length))
      .send(body);
  });
}
