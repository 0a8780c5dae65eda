import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { UserError } from '../errors.js';
import { errors, IdParam } from '../schemas.js';
import { findToken } from '../auth/tokens.js';
import { atlasPageCount, renderAtlas } from './atlas.js';
import { atlasData } from './atlasStore.js';
import { recordAtlasPrint, recordMapPrint } from './printLog.js';
import { villageMapData } from './store.js';
import { renderPng, renderVillageMap } from './villageMap.js';

const MapQuery = Type.Object(
  {
    paper: Type.Optional(Type.Union([Type.Literal('A4'), Type.Literal('A3')])),
    orientation: Type.Optional(Type.Union([Type.Literal('portrait'), Type.Literal('landscape')])),
    dpi: Type.Optional(Type.Integer({ minimum: 36, maximum: 300 })),
    tracks: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function printRoutes(app: FastifyInstance, { db, config }: { db: Database; config: Config }) {
  /** Who prints, when known: printing needs no token, but a request that carries one is named. */
  const printedBy = async (req: FastifyRequest): Promise<string | null> => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return match ? ((await findToken(db.pool, match[1]))?.name ?? null) : null;
  };

  app.get('/api/maps/:file', {
    schema: {
      tags: ['print'],
      summary: 'The printable village map: `/api/maps/CODE.pdf` (vector) or `/api/maps/CODE.png`',
      params: Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9_.-]+\\.(pdf|png)$', maxLength: 80 }) }),
      querystring: MapQuery,
      response: { ...errors(400, 404, 422) },
    },
  }, async (req, reply) => {
    const { file } = req.params as { file: string };
    const q = req.query as typeof MapQuery.static;
    const dot = file.lastIndexOf('.');
    const [key, ext] = [file.slice(0, dot), file.slice(dot + 1)];
    const data = await villageMapData(db.pool, key);
    if (!data.village.geometry) throw new UserError('NOT_ENOUGH_DATA', 'This area has no boundary to print.');
    const pdf = await renderVillageMap({
      ...data,
      tracks: q.tracks ? data.tracks : undefined,
      paper: q.paper,
      orientation: q.orientation,
      printedAt: new Date(),
      versionUrl: `${config.publicUrl}/#area=${encodeURIComponent(data.village.code)}&version=${data.village.version}`,
    });
    const name = `${data.village.code}-v${data.village.version}`;
    const sheet = { code: data.village.code, version: data.village.version };
    if (ext === 'png') {
      const png = await renderPng(pdf, q.dpi ?? 100);
      if (req.method === 'GET') await recordMapPrint(db.pool, sheet, 'png', await printedBy(req));
      return reply.type('image/png').header('content-disposition', `inline; filename="${name}.png"`).send(png);
    }
    // A HEAD request runs this handler too, but prints nothing.
    if (req.method === 'GET') await recordMapPrint(db.pool, sheet, 'pdf', await printedBy(req));
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${name}.pdf"`).send(pdf);
  });

  app.get('/api/areas/:id/atlas.pdf', {
    schema: {
      tags: ['print'],
      summary: 'The atlas of a kumban or district: cover with overview map and index, then one sheet per mapped village',
      description:
        'Streamed as it is drawn. The `x-atlas-pages` header gives the page count up front, and each page is followed in the ' +
        'stream by a PDF comment line `%Tessera atlas page N of M` as soon as it is written, so a client reading the body ' +
        'counts progress. The atlas and its sheets are recorded as printed once the last page is drawn.',
      params: IdParam,
      response: { ...errors(404, 422) },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    // Read everything first: no database connection is held while the PDF streams out.
    const content = await atlasData(db.pool, id);
    const input = {
      ...content,
      printedAt: new Date(),
      versionUrl: (code: string, version: number) => `${config.publicUrl}/#area=${encodeURIComponent(code)}&version=${version}`,
    };
    const pages = atlasPageCount(input);
    const by = await printedBy(req);
    const doc = renderAtlas(input, {
      onPage: (page) => req.log.debug({ page, pages }, 'atlas page drawn'),
      // Recorded before the file ends, so a client that has the whole file finds it counted.
      beforeEnd: async () => {
        if (req.method !== 'GET') return;
        await recordAtlasPrint(db.pool, content.area, content.sheets.map((s) => s.village), by).catch((err: Error) =>
          req.log.error({ err }, 'could not record the atlas as printed'),
        );
      },
    });
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${content.area.code}-atlas.pdf"`)
      .header('x-atlas-pages', String(pages))
      .send(doc);
  });
}
