/**
 * One catalogue of user errors. Each has a stable code and an HTTP status; the app's error
 * handler turns them into the contract's `{error, message, details}` body. Anything that is
 * not a UserError is a bug and is answered with a bare 500.
 */
export const ERROR_STATUS = {
  // 400: unreadable input
  BAD_REQUEST: 400,
  INVALID_REQUEST: 400,
  JSON_MALFORMED: 400,
  XML_MALFORMED: 400,
  XML_DOCTYPE_FORBIDDEN: 400,
  XML_TOO_DEEP: 400,
  CSV_MALFORMED: 400,
  JSON_TOO_DEEP: 400,
  MULTIPART_MALFORMED: 400,
  ARCHIVE_PATH_TRAVERSAL: 400,
  ARCHIVE_LINK_FORBIDDEN: 400,
  TILE_OUT_OF_RANGE: 400,
  // 401/403
  UNAUTHENTICATED: 401,
  TOKEN_INVALID: 401,
  FORBIDDEN_ROLE: 403,
  // 404
  NOT_FOUND: 404,
  // 409, 412
  CONFLICT: 409,
  CODE_TAKEN: 409,
  STALE_VERSION: 412,
  PRECONDITION_REQUIRED: 428,
  // 413
  BODY_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  TOO_MANY_POINTS: 413,
  TOO_MANY_FILES: 413,
  TEXT_FIELD_TOO_LONG: 413,
  ARCHIVE_TOO_LARGE_UNCOMPRESSED: 413,
  ARCHIVE_TOO_MANY_ENTRIES: 413,
  CSV_LINE_TOO_LONG: 413,
  // 415
  UNSUPPORTED_FILE_TYPE: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // 422: readable but unacceptable
  VALIDATION_FAILED: 422,
  NO_POINTS: 422,
  BAD_COORDINATE: 422,
  NON_FINITE_COORDINATE: 422,
  COORDINATE_OUT_OF_RANGE: 422,
  GEOMETRY_INVALID: 422,
  DEGENERATE_POLYGON: 422,
  WRONG_GEOMETRY_TYPE: 422,
  WRONG_LEVEL: 422,
  WRONG_PARENT: 422,
  CRS_UNSUPPORTED: 422,
  CRS_REQUIRED: 422,
  CSV_COLUMNS_UNRESOLVED: 422,
  CSV_ENCODING: 422,
  GEOJSON_INVALID: 422,
  TRACK_NOT_CLOSED: 422,
  NOT_ENOUGH_DATA: 422,
  EXPORT_TOO_LARGE: 422,
  /** The parse sandbox stopped a file's reading at its time limit. */
  PARSE_TIMEOUT: 422,
  /**
   * The parse sandbox stopped a file's reading at its heap limit. A killed parse is a 422, as
   * for the time limit (BAD-INPUTS S2): the file was received whole, within the size limits.
   */
  PARSE_OUT_OF_MEMORY: 422,
  // 503
  DATABASE_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error caused by the caller's input or the state of their data: never a bug. */
export class UserError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown[];

  constructor(code: ErrorCode, message: string, details: unknown[] = []) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The contract's error body. */
export interface ErrorBody {
  error: string;
  message: string;
  details: unknown[];
}

export function errorBody(e: UserError): ErrorBody {
  return { error: e.code, message: e.message, details: e.details };
}
