import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { UserError } from '../errors.js';
import { actorOf } from '../areas/routes.js';
import { errors } from '../schemas.js';
import { receiveMultipart } from './receive.js';
import { datasetUpload } from '../datasets/detect.js';
import { importDataset, parseFieldMapping, zipLister } from '../datasets/service.js';
import { ingestFiles, previewFiles } from './service.js';
import { getUpload } from './store.js';

export async function ingestRoutes(app: FastifyInstance, { db, config }: { db: Database; config: Config }) {
  app.post('/api/uploads', {
    onRequest: app.requireRole('admin', 'mapper'),
    bodyLimit: config.limits.uploadBytes,
    schema: {
      tags: ['uploads'],
      summary: 'Upload GPS files (multipart `file` parts; fields area, crs, encoding), or a boundary dataset: a zipped shapefile, or a GeoJSON FeatureCollection or KML/KMZ sent with a `level` field (import) or `dataset=1` (dry run); dataset fields level, parent (code or `contains`), fields (`code=F,name=F,...`), layer, crs, encoding; `?dry_run=1` stores nothing and answers what the upload would make (GPS: reports and a map preview of tracks as read and cleaned; datasets: fields, CRS, problems)',
      querystring: Type.Object({ dry_run: Type.Optional(Type.String({ pattern: '^(0|1|true|false)$' })) }, { additionalProperties: false }),
      consumes: ['multipart/form-data'],
      response: { 200: Type.Any(), 201: Type.Any(), ...errors(400, 401, 403, 413, 415, 422) },
    },
  }, async (req, reply) => {
    if (!req.isMultipart()) {
      throw new UserError('UNSUPPORTED_MEDIA_TYPE', 'Uploads are multipart/form-data with one or more `file` parts.');
    }
    const received = await receiveMultipart(req);
    try {
      const dryRun = ['1', 'true'].includes(String((req.query as { dry_run?: string }).dry_run ?? ''));
      const dataset = await datasetUpload(received.files, received.fields, zipLister(config.parse));
      if (dataset) {
        const f = received.fields;
        const result = await importDataset(db, received.files, {
          shapefile: dataset.shapefile, dryRun, level: f.level || undefined, parent: f.parent || undefined, fields: parseFieldMapping(f.fields), layer: f.layer || undefined,
          crs: f.crs || undefined, encoding: f.encoding || undefined, country: config.country, actor: actorOf(req), parse: config.parse,
        });
        const upload = result.uploadId ? await getUpload(db.pool, result.uploadId) : null;
        return reply.code(result.created ? 201 : 200).send({ upload, uploads: upload ? [upload] : [], report: { files: [result.report] }, dry_run: dryRun });
      }
      const options = {
        area: received.fields.area || null,
        crs: received.fields.crs || undefined,
        encoding: received.fields.encoding || undefined,
        actor: actorOf(req),
        maxPoints: config.limits.points,
        cleaning: { maxHdop: config.cleaning.maxHdop, maxSpeedMps: config.cleaning.maxSpeedMps },
        parse: config.parse,
      };
      if (dryRun) {
        const preview = await previewFiles(db, received.files, options);
        return reply.code(200).send({ upload: preview.uploads[0] ?? null, uploads: preview.uploads, report: preview.report, dry_run: true, preview: preview.preview });
      }
      const result = await ingestFiles(db, received.files, options);
      return reply.code(result.created ? 201 : 200).send({ upload: result.uploads[0], uploads: result.uploads, report: result.report });
    } finally {
      await received.dispose();
    }
  });

  app.get('/api/uploads/:id', {
    schema: {
      tags: ['uploads'],
      summary: 'An upload and its report',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 200: Type.Any(), ...errors(404) },
    },
  }, async (req) => {
    const upload = await getUpload(db.pool, (req.params as { id: string }).id);
    if (!upload) throw new UserError('NOT_FOUND', 'No such upload.');
    return { upload, report: upload.report };
  });
}
