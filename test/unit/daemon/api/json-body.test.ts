import { describe, expect, it } from 'vitest';
import { depthExceededAt, MAX_JSON_DEPTH, parseJsonBody } from '../../../../src/daemon/api/json-body.js';
import { ApiError } from '../../../../src/daemon/model/api-error.js';

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('depthExceededAt', () => {
  it('finds the first bracket past the limit, for arrays and objects alike', () => {
    expect(depthExceededAt(nested(3), 3)).toBe(-1);
    expect(depthExceededAt(nested(4), 3)).toBe(3);
    expect(depthExceededAt('{"a":{"b":[{}]}}', 3)).toBe(11);
    expect(depthExceededAt('{"a":{"b":[{}]}}', 4)).toBe(-1);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(depthExceededAt(`{"s":"${'['.repeat(500)}"}`, 1)).toBe(-1);
    expect(depthExceededAt(`{"s":"\\"${'{'.repeat(50)}"}`, 1)).toBe(-1);
    expect(depthExceededAt(`["\\\\",[[]]]`, 2)).toBe(7);
  });

  it('scans a very deep document without recursing', () => {
    expect(depthExceededAt(nested(1_000_000), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH);
  });
});

describe('parseJsonBody', () => {
  it('answers 400 Invalid JSON for a document nested too deep, before parsing it', () => {
    try {
      parseJsonBody(nested(MAX_JSON_DEPTH + 1));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).body).toMatchObject({ message: 'Invalid JSON', details: expect.stringMatching(/nested deeper than 100 levels/) });
    }
    expect(parseJsonBody(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
    expect(parseJsonBody('  ')).toBeUndefined();
  });
});
