/**
 * config.json must be a usable JSON Schema (draft-04, as Universe uses) describing an object. This
 * checks the structure the way the draft-04 meta-schema does, without compiling the schema: a typo
 * in a package's own config is reported against the package, not against the user's options.
 */
import { nestedTooDeep, TOO_DEEP } from '../core/json-checks.js';
import { Checker, escapePointer, type Problem } from './json-checks.js';

const SIMPLE_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];
const NUMERIC = ['multipleOf', 'maximum', 'minimum'];
const COUNTS = ['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'];
const BOOLEANS = ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];

export function validateConfigSchema(config: unknown, base = ''): Problem[] {
  const c = new Checker();
  if (!c.object(config, base)) return c.problems;
  // checkSchema recurses once per level.
  if (nestedTooDeep(config)) {
    c.add(base, TOO_DEEP);
    return c.problems;
  }
  if (config.type !== undefined && config.type !== 'object') {
    c.add(`${base}/type`, `the options schema must describe an object, got type ${JSON.stringify(config.type)}`);
  }
  checkSchema(c, config, base);
  return c.problems;
}

function checkSchema(c: Checker, schema: unknown, path: string): void {
  if (!c.object(schema, path)) return;
  const type = schema.type;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    for (const t of types) {
      if (typeof t !== 'string' || !SIMPLE_TYPES.includes(t)) c.add(`${path}/type`, `unknown type ${JSON.stringify(t)}`);
    }
  }
  for (const key of NUMERIC) if (schema[key] !== undefined) c.number(schema[key], `${path}/${key}`);
  for (const key of COUNTS) {
    const v = schema[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) c.add(`${path}/${key}`, 'must be a non-negative integer');
  }
  for (const key of BOOLEANS) if (schema[key] !== undefined) c.boolean(schema[key], `${path}/${key}`);
  if (schema.description !== undefined) c.string(schema.description, `${path}/description`);
  if (schema.title !== undefined) c.string(schema.title, `${path}/title`);
  if (schema.pattern !== undefined && c.string(schema.pattern, `${path}/pattern`)) {
    try {
      new RegExp(schema.pattern);
    } catch (err) {
      c.add(`${path}/pattern`, `is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  if (schema.enum !== undefined && !Array.isArray(schema.enum)) c.add(`${path}/enum`, 'must be an array');
  if (schema.required !== undefined && typeof schema.required !== 'boolean') {
    c.stringArray(schema.required, `${path}/required`);
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (map === undefined || !c.object(map, `${path}/${key}`)) continue;
    for (const [name, sub] of Object.entries(map)) checkSchema(c, sub, `${path}/${key}/${escapePointer(name)}`);
  }
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0) c.add(`${path}/${key}`, 'must be a non-empty array of schemas');
    else list.forEach((sub, i) => checkSchema(c, sub, `${path}/${key}/${i}`));
  }
  for (const key of ['additionalProperties', 'additionalItems']) {
    const v = schema[key];
    if (v !== undefined && typeof v !== 'boolean') checkSchema(c, v, `${path}/${key}`);
  }
  if (schema.items !== undefined) {
    if (Array.isArray(schema.items)) schema.items.forEach((sub, i) => checkSchema(c, sub, `${path}/items/${i}`));
    else checkSchema(c, schema.items, `${path}/items`);
  }
  if (schema.not !== undefined) checkSchema(c, schema.not, `${path}/not`);
}
