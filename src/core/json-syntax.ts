/**
 * Where and why text is not JSON, for messages that name the line and column: V8's own messages
 * give a position only for some errors and quote the input for others. Run only after JSON.parse
 * has failed. Iterative, so no input nests deep enough to overflow it.
 */

export interface JsonSyntaxError {
  reason: string;
  line: number;
  column: number;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const LITERALS = ['true', 'false', 'null'];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const stack: string[] = [];
  const fail = (reason: string, at = i): JsonSyntaxError => ({ reason, ...lineColumn(text, at) });
  const ws = (): void => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const end = (): JsonSyntaxError => fail('the file ends before the JSON value does');
  /** A string at i; undefined when it is fine (i then follows it). */
  const string = (): JsonSyntaxError | undefined => {
    i++;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') {
        i++;
        return undefined;
      }
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('invalid \\u escape in a string');
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          i += 2;
        } else {
          return next === undefined ? end() : fail(`invalid escape \\${next} in a string`);
        }
        continue;
      }
      if (ch < ' ') return fail('a control character (such as a line break) inside a string');
      i++;
    }
    return end();
  };
  /** A property name and its colon, leaving i at the value. */
  const key = (): JsonSyntaxError | undefined => {
    ws();
    if (i >= text.length) return end();
    if (text[i] !== '"') return fail('expected a property name in double quotes');
    const bad = string();
    if (bad) return bad;
    ws();
    if (i >= text.length) return end();
    if (text[i] !== ':') return fail("expected ':' after the property name");
    i++;
    return undefined;
  };

  let expectValue = true;
  for (;;) {
    ws();
    if (expectValue) {
      if (i >= text.length) return end();
      const ch = text[i];
      if (ch === '{' || ch === '[') {
        stack.push(ch);
        i++;
        ws();
        if (text[i] === (ch === '{' ? '}' : ']')) {
          stack.pop();
          i++;
          expectValue = false;
          continue;
        }
        if (ch === '{') {
          const bad = key();
          if (bad) return bad;
        }
        continue;
      }
      if (ch === '"') {
        const bad = string();
        if (bad) return bad;
      } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return fail('invalid number');
        i = NUMBER.lastIndex;
      } else {
        const literal = LITERALS.find((l) => text.startsWith(l, i));
        if (!literal) return fail('expected a value (an object, array, string, number, true, false or null)');
        i += literal.length;
      }
      expectValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i < text.length ? fail('unexpected text after the JSON value') : undefined;
    if (i >= text.length) return end();
    const close = top === '{' ? '}' : ']';
    if (text[i] === close) {
      stack.pop();
      i++;
    } else if (text[i] === ',') {
      i++;
      if (top === '{') {
        const bad = key();
        if (bad) return bad;
      }
      expectValue = true;
    } else {
      return fail(`expected ',' or '${close}'`);
    }
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    start = nl + 1;
  }
  return { line, column: offset - start + 1 };
}

/** The line at `line` (1-based) and a caret under `column`, cut to 80 characters around it. */
export function codeFrame(text: string, line: number, column: number): string[] {
  const width = 80;
  const source = text.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
  const from = Math.max(0, Math.min(column - 1 - Math.floor(width / 2), source.length - width));
  const shown = source.slice(from, from + width);
  const prefix = from > 0 ? '...' : '';
  const suffix = from + width < source.length ? '...' : '';
  return [`${prefix}${shown}${suffix}`, `${' '.repeat(prefix.length + column - 1 - from)}^`];
}
