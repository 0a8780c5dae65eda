import { Type, type TSchema } from '@sinclair/typebox';

/** Schemas shared by several route modules. */
export const ErrorReply = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Any()),
  },
  { $id: 'ErrorReply' },
);

/** GeoJSON geometry as it travels: checked structurally in code, never coerced by Ajv. */
export const GeoJsonGeometry = Type.Object(
  { type: Type.String(), coordinates: Type.Any() },
  { additionalProperties: true, description: 'GeoJSON geometry (RFC 7946), lon/lat in WGS84' },
);

export const IdParam = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'numeric id or code' }),
});

/** The error responses every route may give, for the OpenAPI document. */
export function errors(...codes: number[]): Record<number, TSchema> {
  return Object.fromEntries(codes.map((c) => [c, Type.Ref('ErrorReply')]));
}
