/**
 * Errors that carry the contract's `{ error: { code, message, details? } }` shape. Services throw them;
 * the error handler plugin turns them into responses, so routes never format errors themselves.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[] | Record<string, unknown>[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new HttpError(400, 'validation_failed', message, details);
export const unauthorized = (message = 'Missing or invalid credentials.') =>
  new HttpError(401, 'unauthorized', message);
export const forbidden = (message = 'You are not allowed to do this.') =>
  new HttpError(403, 'forbidden', message);
export const notFound = (what: string, id?: string) =>
  new HttpError(404, 'not_found', id === undefined ? `${what} not found.` : `${what} ${id} not found.`);
export const conflict = (code: string, message: string, details?: Record<string, unknown>[]) =>
  new HttpError(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: Record<string, unknown>[]) =>
  new HttpError(422, code, message, details);
export const unavailable = (message = 'A dependency is unavailable; nothing was stored. Retry shortly.') =>
  new HttpError(503, 'unavailable', message);
