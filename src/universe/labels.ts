/** The DCOS_PACKAGE_* labels Cosmos sets on an installed app, and reading them back. */
import { gunzipSync, gzipSync } from 'node:zlib';
import { isObject } from '../core/json-checks.js';
import type { PackageDefinition } from './model.js';
import type { JsonObject } from './options.js';

export const LABEL = {
  name: 'DCOS_PACKAGE_NAME',
  version: 'DCOS_PACKAGE_VERSION',
  source: 'DCOS_PACKAGE_SOURCE',
  options: 'DCOS_PACKAGE_OPTIONS',
  definition: 'DCOS_PACKAGE_DEFINITION',
} as const;

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** Drops keys whose value is null/undefined, as Cosmos's JSON printer does. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = compact(v);
    return out;
  }
  return value;
}

export function packageLabels(def: PackageDefinition, sourceUri: string, userOptions: JsonObject): Record<string, string> {
  const major = def.packagingVersion.split('.')[0];
  const definition = {
    metadata: {
      'Content-Type': `application/vnd.dcos.universe.package+json;charset=utf-8;version=v${major}`,
      'Content-Encoding': 'gzip',
    },
    data: b64(gzipSync(JSON.stringify(compact(def)))),
  };
  return {
    [LABEL.name]: def.name,
    [LABEL.version]: def.version,
    [LABEL.source]: sourceUri,
    [LABEL.options]: b64(JSON.stringify(compact(userOptions))),
    [LABEL.definition]: b64(JSON.stringify(definition)),
  };
}

export function decodeOptionsLabel(value: string): JsonObject {
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as JsonObject;
}

export function decodeDefinitionLabel(value: string): PackageDefinition {
  const wrapper = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { data: string; metadata?: Record<string, string> };
  const raw = Buffer.from(wrapper.data, 'base64');
  const text = wrapper.metadata?.['Content-Encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text) as PackageDefinition;
}
