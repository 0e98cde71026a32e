/** Marathon's error answers as typed errors that say what went wrong, not just a status code. */
import { DcosError, type ErrorDetail } from '../../core/errors.js';
import type { Response } from '../http-client.js';

interface MarathonErrorBody {
  message?: string;
  details?: Array<{ path?: string; errors?: string[] }> | string;
  deployments?: Array<{ id: string }>;
  errors?: Array<{ error?: string }>;
}

export function marathonError(method: string, path: string, res: Response, base: string): DcosError {
  let body: MarathonErrorBody = {};
  try {
    body = JSON.parse(res.text) as MarathonErrorBody;
  } catch {
    // not JSON: described by status below
  }
  const message = body.message ?? body.errors?.map((e) => e.error).join('; ') ?? '';
  const details: ErrorDetail[] = Array.isArray(body.details)
    ? body.details.flatMap((d) => (d.errors ?? []).map((e) => ({ path: d.path, message: e })))
    : typeof body.details === 'string'
      ? [{ message: body.details }]
      : [];
  switch (res.status) {
    case 401:
      return new DcosError('EUNAUTHORIZED', `The cluster at ${base} refused the request: the token is missing or wrong`, {
        hint: 'Attach the cluster again ("dcos cluster attach <name>", or "dcos cluster setup" with --token).',
      });
    case 403:
      return new DcosError('EFORBIDDEN', `The cluster at ${base} does not allow this (${method} ${path})`);
    case 404:
      return new DcosError('ENOT_FOUND', message || `Not found: ${path}`);
    case 409:
      if (body.deployments?.length) {
        return new DcosError('ELOCKED', message || 'The app is locked by a deployment', {
          details: body.deployments.map((d) => ({ message: `deployment ${d.id}` })),
          hint: 'Wait for the deployment to finish ("dcos marathon deployment list"), or use --force.',
        });
      }
      return new DcosError('ECONFLICT', message || 'Conflict');
    case 400:
    case 422:
      return new DcosError('EINVALID', message ? `The cluster refused the request: ${message}` : `The cluster refused the request (HTTP ${res.status})`, {
        details,
        showDetails: true,
      });
    default:
      return new DcosError('ECLUSTER', `The cluster at ${base} answered ${method} ${path} with HTTP ${res.status}${message ? `: ${message}` : ''}`, {
        details,
      });
  }
}
