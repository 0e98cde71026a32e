/** The validators and the renderer bound how deep they recurse: deep input gets a clear error. */
import { describe, expect, it } from 'vitest';
import { validateIndexEntry } from '../../../src/universe/read-revision.js';
import { validateConfigSchema } from '../../../src/universe/validate-config-schema.js';
import { MustacheSyntaxError, parseTemplate, renderTemplate } from '../../../src/universe/mustache.js';
import { deepMerge, dropNulls, extractDefaults, type JsonObject } from '../../../src/universe/options.js';
import { flattenOptions } from '../../../src/universe/options-listing.js';

const DEPTH = 5000;
function deepObject(depth: number, leaf: unknown = 1): JsonObject {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value as JsonObject;
}
function deepSchema(depth: number): JsonObject {
  let schema: unknown = { type: 'string', default: 'x', description: 'd' };
  for (let i = 0; i < depth; i++) schema = { type: 'object', description: 'd', properties: { a: schema } };
  return schema as JsonObject;
}

describe('deeply nested input', () => {
  it('config.json: a problem, not a stack overflow', () => {
    expect(validateConfigSchema(deepSchema(DEPTH))).toEqual([{ path: '/', message: 'is nested too deep: more than 100 levels of objects and arrays' }]);
    expect(validateConfigSchema(deepSchema(20))).toEqual([]);
  });

  it('an index entry: a broken revision', () => {
    const entry = { packagingVersion: '4.0', name: 'p', version: '1.0.0', releaseVersion: 0, maintainer: 'm', description: 'd', tags: [], config: deepSchema(DEPTH) };
    const result = validateIndexEntry(entry, 3, 'index.json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.broken.problems).toEqual([{ path: '/packages/3', message: 'is nested too deep: more than 100 levels of objects and arrays' }]);
  });

  it('templates: sections nested too deep are a syntax error with their position', () => {
    expect(() => parseTemplate('{{#a}}'.repeat(DEPTH) + '{{/a}}'.repeat(DEPTH))).toThrow(MustacheSyntaxError);
    expect(() => parseTemplate('{{#a}}'.repeat(DEPTH) + '{{/a}}'.repeat(DEPTH))).toThrow('Sections nested too deep: more than 100 levels at line 1, column 601');
    expect(parseTemplate('{{#a}}'.repeat(50) + '{{/a}}'.repeat(50))).toHaveLength(1);
  });

  it('rendering a value nested too deep names the variable', () => {
    expect(() => renderTemplate('{"x": "{{x}}"}', { x: deepObject(DEPTH) })).toThrow('The value of {{x}} at line 1, column 8 is nested too deep');
    expect(renderTemplate('{{x}}', { x: deepObject(3) })).toBe('{a={a={a=1}}}');
  });

  it('options: merging, dropping nulls and defaults stop with a clear error', () => {
    expect(() => deepMerge(deepObject(DEPTH), deepObject(DEPTH))).toThrow('The options object is nested too deep');
    expect(() => dropNulls(deepObject(DEPTH))).toThrow('nested too deep');
    expect(() => extractDefaults(deepSchema(DEPTH))).toThrow("The package's config.json is nested too deep");
    expect(() => flattenOptions(deepSchema(DEPTH))).not.toThrow();
    expect(deepMerge(deepObject(30, 1), deepObject(30, 2))).toEqual(deepObject(30, 2));
  });
});
