import { Type } from '@sinclair/typebox';
import { GeoJsonGeometry } from '../schemas.js';
import { STATUSES } from './store.js';

export const Status = Type.Union(STATUSES.map((s) => Type.Literal(s)));

export const AreaSchema = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    name: Type.String(),
    name_local: Type.Union([Type.String(), Type.Null()]),
    level: Type.String(),
    parent_id: Type.Union([Type.Integer(), Type.Null()]),
    parent_code: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    version: Type.Integer(),
    area_m2: Type.Union([Type.Number(), Type.Null()]),
    perimeter_m: Type.Union([Type.Number(), Type.Null()]),
    population: Type.Union([Type.Integer(), Type.Null()]),
    households: Type.Union([Type.Integer(), Type.Null()]),
    centre: Type.Union([Type.Any(), Type.Null()]),
    bbox: Type.Union([Type.Array(Type.Number()), Type.Null()]),
    method: Type.Union([Type.String(), Type.Null()]),
    attributes: Type.Record(Type.String(), Type.Any()),
    updated_at: Type.String(),
  },
  { $id: 'Area' },
);

export const ListQuery = Type.Object(
  {
    level: Type.Optional(Type.String({ maxLength: 32 })),
    parent: Type.Optional(Type.String({ maxLength: 64 })),
    q: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(Status),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
);

export const CreateBody = Type.Object(
  {
    level: Type.String({ minLength: 1, maxLength: 32 }),
    parent: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Integer(), Type.Null()])),
    code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    name_local: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    centre: GeoJsonGeometry,
    geometry: Type.Optional(Type.Union([GeoJsonGeometry, Type.Null()])),
    status: Type.Optional(Status),
    population: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    households: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Any())),
  },
  { additionalProperties: false },
);

export const PatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    name_local: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    status: Type.Optional(Status),
    population: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    households: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Any())),
    centre: Type.Optional(GeoJsonGeometry),
    geometry: Type.Optional(Type.Union([GeoJsonGeometry, Type.Null()])),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RestoreBody = Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
