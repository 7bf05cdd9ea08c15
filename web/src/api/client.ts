// The typed API client, generated from openapi/openapi.json (npm run gen:api). Every call
// sends the UI language so server messages come back in it; errors become ApiError.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { currentLocale } from '../i18n';

export type Schemas = components['schemas'];

export const api = createClient<paths>({ baseUrl: '' });

api.use({
  onRequest({ request }) {
    request.headers.set('Accept-Language', currentLocale());
    return request;
  },
});

export interface FieldProblem {
  code: string;
  message: string;
}

/** The server's one error body, thrown by `unwrap`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, FieldProblem>;
  readonly requestId: string;

  constructor(status: number, body: unknown) {
    const b = (body ?? {}) as Partial<Schemas['ErrorBody']>;
    super(b.message || `HTTP ${status}`);
    this.status = status;
    this.code = b.code ?? 'internal';
    this.fields = (b.fields as Record<string, FieldProblem>) ?? {};
    this.requestId = b.requestId ?? '';
  }
}

/** Returns the data of a 2xx response or throws the error body as ApiError. */
export async function unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok) throw new ApiError(response.status, error);
  return data as T;
}

/** If-Match header value for a record version. */
export const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });
