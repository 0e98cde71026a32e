import { describe, expect, it } from 'vitest';
import { deepMerge, dropNulls, extractDefaults, validateOptions } from '../../../src/universe/options.js';
import { flattenOptions } from '../../../src/universe/options-listing.js';

const schema = {
  $schema: 'http://json-schema.org/schema#',
  type: 'object',
  properties: {
    service: {
      type: 'object',
      description: 'Service',
      properties: {
        name: { type: 'string', default: 'svc', description: 'App id', pattern: '^[a-z-]+$' },
        count: { type: 'integer', minimum: 1, maximum: 5, default: 1, description: 'How many' },
        secret: { type: 'string', id: 'http://example/secret', description: 'No default' },
      },
      required: ['name', 'count'],
      additionalProperties: false,
    },
    ports: { type: 'array', items: { type: 'integer' }, default: [1, 2] },
    ratio: { type: 'number', maximum: 1, exclusiveMaximum: true, default: 0.5 },
  },
};

describe('options', () => {
  it('extracts defaults and merges user options with arrays replaced', () => {
    const defaults = extractDefaults(schema);
    expect(defaults).toEqual({ service: { name: 'svc', count: 1 }, ports: [1, 2], ratio: 0.5 });
    expect(deepMerge(defaults, { service: { count: 3 }, ports: [9] })).toEqual({ service: { name: 'svc', count: 3 }, ports: [9], ratio: 0.5 });
  });

  it('drops null values the way Cosmos stores options', () => {
    expect(dropNulls({ a: null, b: { c: null, d: 1 } })).toEqual({ b: { d: 1 } });
  });

  it('accepts valid options', async () => {
    expect(await validateOptions(schema, deepMerge(extractDefaults(schema), { service: { count: 5 } }))).toEqual([]);
  });

  it('reports every error with a dotted path and the description, draft-04 semantics included', async () => {
    const merged = deepMerge(extractDefaults(schema), { service: { name: 'Bad Name', count: 9, extra: true }, ports: ['x'], ratio: 1 });
    const details = await validateOptions(schema, merged);
    expect(details).toEqual(
      expect.arrayContaining([
        { path: 'service.name', message: 'must match pattern "^[a-z-]+$" (App id)' },
        { path: 'service.count', message: 'must be <= 5 (How many)' },
        { path: 'service.extra', message: 'is not an option of this package (allowed here: name, count, secret)' },
        { path: 'ports[0]', message: 'must be integer' },
        { path: 'ratio', message: 'must be < 1' },
      ]),
    );
    expect(details).toHaveLength(5);
  });

  it('reports missing required options', async () => {
    const details = await validateOptions(schema, { service: { name: 'ok' } });
    expect(details).toEqual([{ path: 'service.count', message: 'is required (How many)' }]);
  });

  it('flattens options for listing', () => {
    expect(flattenOptions(schema).map((o) => [o.path, o.type, o.defaultText])).toEqual([
      ['service.name', 'string', '"svc"'],
      ['service.count', 'integer', '1'],
      ['service.secret', 'string', ''],
      ['ports', 'array', '[1,2]'],
      ['ratio', 'number', '0.5'],
    ]);
  });
});
