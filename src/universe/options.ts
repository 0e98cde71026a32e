/**
 * Package options: defaults from config.json, deep-merged with the user's options (objects merge
 * key by key, anything else replaces), validated against config.json (JSON Schema draft-04) with
 * every error reported with its path and the property's description.
 */
import { DcosError, type ErrorDetail } from '../core/errors.js';
import { isObject, MAX_JSON_DEPTH, TOO_DEEP } from '../core/json-checks.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The recursive helpers below stop at MAX_JSON_DEPTH instead of overflowing the stack. */
function checkDepth(depth: number, what: string): void {
  if (depth > MAX_JSON_DEPTH) throw new DcosError('ETOO_DEEP', `${what} ${TOO_DEEP}`);
}

/**
 * Cosmos's defaults: a property with `default` takes it; otherwise, if it has `properties`, its
 * defaults are collected recursively and kept when not empty.
 */
export function extractDefaults(schema: unknown, depth = 1): JsonObject {
  checkDepth(depth, "The package's config.json");
  const out: JsonObject = {};
  if (!isObject(schema) || !isObject(schema.properties)) return out;
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (!isObject(prop)) continue;
    if ('default' in prop) out[key] = prop.default as Json;
    else if (isObject(prop.properties)) {
      const nested = extractDefaults(prop, depth + 1);
      if (Object.keys(nested).length > 0) out[key] = nested;
    }
  }
  return out;
}

export function deepMerge(base: JsonObject, override: JsonObject, depth = 1): JsonObject {
  checkDepth(depth, 'The options object');
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current as JsonObject, value as JsonObject, depth + 1) : value;
  }
  return out;
}

/** Drops null-valued keys (recursively), as Cosmos does before storing the user's options. */
export function dropNulls(value: JsonObject, depth = 1): JsonObject {
  checkDepth(depth, 'The options object');
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null) continue;
    out[key] = isObject(v) ? dropNulls(v as JsonObject, depth + 1) : v;
  }
  return out;
}

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: Record<string, unknown>;
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let ajvInstance: { compile(schema: object): Validator } | undefined;

async function compile(schema: object): Promise<Validator> {
  if (!ajvInstance) {
    const { default: Ajv } = await import('ajv-draft-04');
    ajvInstance = new (Ajv as unknown as new (opts: object) => { compile(schema: object): Validator })({
      allErrors: true,
      strict: false,
      verbose: true,
      validateFormats: false,
      logger: false,
    });
  }
  const copy = withoutIds(schema) as Record<string, unknown>;
  // Universe configs name draft-04 in many spellings; the validator is draft-04 regardless.
  delete copy.$schema;
  try {
    return ajvInstance.compile(copy);
  } catch (err) {
    throw new DcosError('EPACKAGE_CONFIG', `The package's config.json is not a valid JSON Schema: ${(err as Error).message}`);
  }
}

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', 'dependencies'];
const SUBSCHEMA_KEYS = ['items', 'additionalItems', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'];

/**
 * Removes draft-04 `id` keywords. Universe packages use them as labels (several properties often
 * share one), but a validator reads them as base URIs and refuses duplicates; Cosmos ignored them.
 */
function withoutIds(schema: unknown, depth = 1): unknown {
  checkDepth(depth, "The package's config.json");
  if (Array.isArray(schema)) return schema.map((item) => withoutIds(item, depth + 1));
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'id' && typeof value === 'string') continue;
    if (SUBSCHEMA_MAPS.includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutIds(v, depth + 1)]));
    } else if (SUBSCHEMA_KEYS.includes(key)) {
      out[key] = withoutIds(value, depth + 1);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Validates merged options; returns one detail per error, naming the path and what the option means. */
export async function validateOptions(schema: object, merged: JsonObject): Promise<ErrorDetail[]> {
  const validate = await compile(schema);
  if (validate(merged)) return [];
  const details: ErrorDetail[] = [];
  for (const e of validate.errors ?? []) {
    // anyOf/oneOf failures repeat their branches' errors; the branches say more.
    if (e.keyword === 'if') continue;
    details.push({ path: optionPath(e), message: describeError(e, schema) });
  }
  return dedupe(details);
}

function optionPath(e: AjvError): string {
  let pointer = e.instancePath;
  if (e.keyword === 'required') pointer += `/${String(e.params.missingProperty)}`;
  if (e.keyword === 'additionalProperties') pointer += `/${String(e.params.additionalProperty)}`;
  const dotted = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
  return dotted || '(root)';
}

function describeError(e: AjvError, root: object): string {
  let message: string;
  switch (e.keyword) {
    case 'required':
      message = 'is required';
      break;
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema?.properties as object) ?? {});
      message = `is not an option of this package${allowed.length ? ` (allowed here: ${allowed.join(', ')})` : ''}`;
      break;
    }
    case 'type':
      message = `must be ${String(e.params.type)}`;
      break;
    case 'enum':
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    default:
      message = e.message ?? e.keyword;
  }
  const description = descriptionAt(root, e);
  return description ? `${message} (${description})` : message;
}

/** The description of the property the error is about, if the schema has one. */
function descriptionAt(root: object, e: AjvError): string | undefined {
  if (e.keyword === 'required' || e.keyword === 'additionalProperties') {
    const props = e.parentSchema?.properties as Record<string, { description?: string }> | undefined;
    const key = String(e.params.missingProperty ?? e.params.additionalProperty);
    return props?.[key]?.description;
  }
  const own = e.parentSchema?.description;
  if (typeof own === 'string') return own;
  return undefined;
}

function dedupe(details: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((d) => {
    const key = `${d.path}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
