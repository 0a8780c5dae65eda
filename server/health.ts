import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from './db/database.js';

export async function healthRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/healthz', {
    schema: {
      tags: ['health'],
      summary: 'Service and database health',
      response: {
        200: Type.Object({ status: Type.Literal('ok'), database: Type.Union([Type.Literal('embedded'), Type.Literal('server')]), postgis: Type.String() }),
      },
    },
  }, async () => {
    const { rows } = await db.pool.query<{ v: string }>('SELECT postgis_lib_version() AS v');
    return { status: 'ok' as const, database: db.kind, postgis: rows[0].v };
  });
}
