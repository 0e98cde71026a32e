/** Locating JSON syntax errors by line and column, agreeing with JSON.parse on what is JSON. */
import { describe, expect, it } from 'vitest';
import { codeFrame, findJsonSyntaxError } from '../../../src/core/json-syntax.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonSyntaxError', () => {
  it('names the reason, line and column', () => {
    expect(findJsonSyntaxError('{\n  "a": 1\n  "b": 2\n}')).toEqual({ reason: "expected ',' or '}'", line: 3, column: 3 });
    expect(findJsonSyntaxError('{"a": [1, 2,]}')).toMatchObject({ line: 1, column: 13, reason: expect.stringContaining('expected a value') });
    expect(findJsonSyntaxError('{"a": ')).toEqual({ reason: 'the file ends before the JSON value does', line: 1, column: 7 });
    expect(findJsonSyntaxError('{a: 1}')).toMatchObject({ reason: 'expected a property name in double quotes', column: 2 });
    expect(findJsonSyntaxError('{} x')).toMatchObject({ reason: 'unexpected text after the JSON value', column: 4 });
    expect(findJsonSyntaxError('"a\\q"')).toMatchObject({ reason: 'invalid escape \\q in a string', column: 3 });
  });

  it('agrees with JSON.parse on thousands of near-JSON texts', () => {
    const pieces = ['{', '}', '[', ']', ',', ':', '"a"', '"\\n"', '"\\u00e9"', '"\\x"', '1', '-0.5e3', '01', '-', 'true', 'nul', 'null', ' ', '\n', '"'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 5000; n++) {
      let text = '';
      const length = 1 + Math.floor(next() * 8);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)];
      expect(findJsonSyntaxError(text) === undefined, JSON.stringify(text)).toBe(parses(text));
    }
  });

  it('handles input nested far deeper than the stack could recurse', () => {
    expect(findJsonSyntaxError('['.repeat(200_000) + ']'.repeat(200_000))).toBeUndefined();
    expect(findJsonSyntaxError('['.repeat(200_000))).toMatchObject({ reason: 'the file ends before the JSON value does' });
  });
});

describe('codeFrame', () => {
  it('puts a caret under the column, cutting long lines around it', () => {
    expect(codeFrame('a: b\nc\n', 2, 1)).toEqual(['c', '^']);
    const long = `${'x'.repeat(200)}!${'y'.repeat(200)}`;
    const [line, caret] = codeFrame(long, 1, 201);
    expect(line.startsWith('...') && line.endsWith('...')).toBe(true);
    expect(line[caret.length - 1]).toBe('!');
  });
});
