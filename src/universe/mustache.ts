/**
 * Mustache for Marathon templates, rendering exactly as Cosmos does: mustache.java with HTML
 * escaping turned off, plus Cosmos's JSON-to-Java value conversion (strings JSON-escaped, numbers
 * without a spurious ".0", arrays as Java List.toString) and its built-in `asJson` lambda.
 * A dedicated renderer rather than mustache.js because every one of those rules differs from it.
 */
import { DcosError } from '../core/errors.js';
import { isObject, MAX_JSON_DEPTH, nestedTooDeep, TOO_DEEP } from '../core/json-checks.js';

export type MustacheToken =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'variable';
      readonly name: string;
      readonly line: number;
      readonly column: number;
    }
  | {
      readonly type: 'section';
      readonly name: string;
      readonly inverted: boolean;
      readonly children: MustacheToken[];
      readonly line: number;
      readonly column: number;
    };

export class MustacheSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'MustacheSyntaxError';
    this.line = line;
    this.column = column;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

type TagKind = 'variable' | 'open' | 'inverted' | 'close' | 'comment' | 'delimiters';

type FlatToken =
  | { kind: 'text'; text: string }
  | { kind: 'tag'; tag: TagKind; name: string; line: number; column: number };

/** Maps string offsets to 1-based line/column for error messages. */
class Positions {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      this.lineStarts.push(i + 1);
    }
  }

  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }
}

function where(pos: { line: number; column: number }): string {
  return `line ${pos.line}, column ${pos.column}`;
}

/** Splits text so every piece but the last ends in "\n": standalone detection works per line. */
function pushText(out: FlatToken[], text: string): void {
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    out.push({ kind: 'text', text: text.slice(start, nl + 1) });
    start = nl + 1;
  }
  if (start < text.length) out.push({ kind: 'text', text: text.slice(start) });
}

function scan(template: string, positions: Positions): FlatToken[] {
  const out: FlatToken[] = [];
  let open = '{{';
  let close = '}}';
  let pos = 0;

  while (pos < template.length) {
    const start = template.indexOf(open, pos);
    if (start === -1) {
      pushText(out, template.slice(pos));
      break;
    }
    pushText(out, template.slice(pos, start));

    const at = positions.at(start);
    let p = start + open.length;
    const sigil = template[p];
    let closing = close;
    let tag: TagKind = 'variable';
    if (sigil === '{') {
      closing = `}${close}`;
      p++;
    } else if (sigil === '=') {
      closing = `=${close}`;
      tag = 'delimiters';
      p++;
    } else if (sigil === '&') {
      p++;
    } else if (sigil === '#') {
      tag = 'open';
      p++;
    } else if (sigil === '^') {
      tag = 'inverted';
      p++;
    } else if (sigil === '/') {
      tag = 'close';
      p++;
    } else if (sigil === '!') {
      tag = 'comment';
      p++;
    } else if (sigil === '>') {
      throw new MustacheSyntaxError(
        `Partials are not supported ("${open}>") at ${where(at)}`,
        at.line,
        at.column,
      );
    }

    const end = template.indexOf(closing, p);
    if (end === -1) {
      throw new MustacheSyntaxError(
        `Unclosed tag opened at ${where(at)} (expected "${closing}")`,
        at.line,
        at.column,
      );
    }
    const content = template.slice(p, end).trim();
    pos = end + closing.length;

    if (tag === 'delimiters') {
      const parts = content.split(/\s+/);
      if (parts.length !== 2 || parts.some((d) => d === '' || d.includes('='))) {
        throw new MustacheSyntaxError(
          `Invalid set-delimiter tag at ${where(at)}: expected two delimiters like {{=<% %>=}}`,
          at.line,
          at.column,
        );
      }
      [open, close] = parts;
    } else if (tag !== 'comment' && content === '') {
      throw new MustacheSyntaxError(`Empty tag name at ${where(at)}`, at.line, at.column);
    }
    out.push({ kind: 'tag', tag, name: content, line: at.line, column: at.column });
  }
  return out;
}

const STANDALONE_TAGS: ReadonlySet<TagKind> = new Set([
  'open',
  'inverted',
  'close',
  'comment',
  'delimiters',
]);

function isBlank(text: string): boolean {
  return /^[ \t]*(\r?\n)?$/.test(text);
}

/**
 * Mustache spec "standalone" rule: a line holding only whitespace and one section, inverted,
 * close, comment or delimiter tag is dropped entirely, so block tags leave no blank lines.
 */
function stripStandalone(tokens: FlatToken[]): FlatToken[] {
  const out: FlatToken[] = [];
  let line: FlatToken[] = [];
  const flush = (): void => {
    const tags = line.filter((t) => t.kind === 'tag');
    const standalone =
      tags.length === 1 &&
      tags[0].kind === 'tag' &&
      STANDALONE_TAGS.has(tags[0].tag) &&
      line.every((t) => t.kind === 'tag' || isBlank(t.text));
    if (standalone) out.push(tags[0]);
    else out.push(...line);
    line = [];
  };
  for (const token of tokens) {
    line.push(token);
    if (token.kind === 'text' && token.text.endsWith('\n')) flush();
  }
  flush();
  return out;
}

interface OpenSection {
  name: string;
  inverted: boolean;
  line: number;
  column: number;
  children: MustacheToken[];
}

function pushTextToken(children: MustacheToken[], text: string): void {
  const last = children[children.length - 1];
  if (last?.type === 'text') children[children.length - 1] = { type: 'text', text: last.text + text };
  else children.push({ type: 'text', text });
}

function buildTree(tokens: FlatToken[]): MustacheToken[] {
  const root: MustacheToken[] = [];
  const stack: OpenSection[] = [];
  const current = (): MustacheToken[] => (stack.length ? stack[stack.length - 1].children : root);

  for (const token of tokens) {
    if (token.kind === 'text') {
      if (token.text !== '') pushTextToken(current(), token.text);
      continue;
    }
    const { tag, name, line, column } = token;
    if (tag === 'variable') {
      current().push({ type: 'variable', name, line, column });
    } else if (tag === 'open' || tag === 'inverted') {
      // Rendering recurses once per open section.
      if (stack.length >= MAX_JSON_DEPTH) {
        throw new MustacheSyntaxError(`Sections nested too deep: more than ${MAX_JSON_DEPTH} levels at ${where(token)}`, line, column);
      }
      stack.push({ name, inverted: tag === 'inverted', line, column, children: [] });
    } else if (tag === 'close') {
      const section = stack.pop();
      if (!section) {
        throw new MustacheSyntaxError(
          `Unexpected closing tag "${name}" at ${where(token)}: no section is open`,
          line,
          column,
        );
      }
      if (section.name !== name) {
        throw new MustacheSyntaxError(
          `Mismatched closing tag "${name}" at ${where(token)}: expected "${section.name}" ` +
            `for the section opened at ${where(section)}`,
          line,
          column,
        );
      }
      current().push({
        type: 'section',
        name,
        inverted: section.inverted,
        children: section.children,
        line: section.line,
        column: section.column,
      });
    }
    // Comments and delimiter changes produce no output.
  }

  const unclosed = stack.pop();
  if (unclosed) {
    throw new MustacheSyntaxError(
      `Unclosed section "${unclosed.name}" opened at ${where(unclosed)}`,
      unclosed.line,
      unclosed.column,
    );
  }
  return root;
}

export function parseTemplate(template: string): MustacheToken[] {
  return buildTree(stripStandalone(scan(template, new Positions(template))));
}

// ---------------------------------------------------------------------------------------------
// Value conversion (Cosmos's jsonToJava followed by Java's toString)
// ---------------------------------------------------------------------------------------------

/**
 * A string that came from inside an array. Cosmos converts those with their JSON quotes kept, so
 * a section iterating a string array pushes the quoted form and `{{.}}` prints it quoted.
 */
class ArrayString {
  constructor(readonly raw: string) {}
}

function isMap(value: unknown): value is Record<string, unknown> {
  return isObject(value) && !(value instanceof ArrayString);
}

/** Java's Double.toString, fed with JS's shortest round-trip digits (as JDK 19+ does). */
function javaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const abs = Math.abs(x);
  const [mantissa, expText] = abs.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    return `${sign}${intPart}.${digits.slice(exp + 1) || '0'}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exp}`;
}

function formatNumber(x: number): string {
  // Integral values are whole numbers to Cosmos; BigInt keeps every digit where JS would switch
  // to exponent notation (>= 1e21).
  if (Number.isInteger(x)) return BigInt(x).toString();
  return javaDouble(x);
}

/** How a value prints as an element of a Java List or a value of a Java Map. */
function formatNested(value: unknown, inArray: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return inArray ? JSON.stringify(value) : formatValue(value);
  return formatValue(value);
}

/**
 * The text Cosmos substitutes for a value in `{{x}}`, `{{{x}}}` and `{{&x}}` alike: strings
 * JSON-escaped without quotes, whole numbers without ".0", other numbers as Java doubles,
 * arrays as `[a, b]` with quoted strings, objects as Java's `{k=v}`, null and missing as nothing.
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return JSON.stringify(value).slice(1, -1);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof ArrayString) return JSON.stringify(value.raw);
  if (Array.isArray(value)) return `[${value.map((v) => formatNested(v, true)).join(', ')}]`;
  if (isMap(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${k}=${formatNested(v, false)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

const AS_JSON = 'asJson';

/**
 * Resolves a (dotted) name against the context stack: the innermost scope that has the first
 * segment wins, then the rest of the path is walked inside it only.
 */
function lookup(name: string, stack: readonly unknown[]): unknown {
  if (name === '.') return stack[stack.length - 1];
  const path = name.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    let value = stack[i];
    if (!isMap(value) || !Object.hasOwn(value, path[0])) continue;
    for (const key of path) {
      if (!isMap(value) || !Object.hasOwn(value, key)) return undefined;
      value = value[key];
    }
    return value;
  }
  return undefined;
}

/**
 * A section's value. `{{#name==text}}` (an extension: Cosmos has no way to compare) is true when
 * the option `name` is `text`: a string equal to it, or a number or boolean written so (`0`,
 * `true`), so a template can choose between an enum's values, such as a service's runtime, or
 * tell a port option's 0 ("any port") from a fixed one; no Cosmos template has `==` in a section
 * name. An object, a list or a missing option is never equal.
 */
function sectionValue(name: string, stack: readonly unknown[]): unknown {
  const eq = name.indexOf('==');
  if (eq === -1) return lookup(name, stack);
  const value = lookup(name.slice(0, eq).trim(), stack);
  const text = name.slice(eq + 2).trim();
  if (typeof value === 'string') return value === text;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value) === text;
  return false;
}

/** mustache.java's truthiness: only false, "", null and empty lists are falsy (0 is truthy). */
function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function renderTokens(tokens: readonly MustacheToken[], stack: unknown[], out: string[]): void {
  for (const token of tokens) {
    if (token.type === 'text') {
      out.push(token.text);
    } else if (token.type === 'variable') {
      const value = lookup(token.name, stack);
      // Formatting recurses once per level of the value.
      if (typeof value === 'object' && value !== null && nestedTooDeep(value)) {
        throw new DcosError('ETEMPLATE_VALUE', `The value of {{${token.name}}} at ${where(token)} ${TOO_DEEP}`);
      }
      out.push(formatValue(value));
    } else if (token.name === AS_JSON) {
      // The built-in lambda is a (truthy) function, so its inverted form never renders.
      if (!token.inverted) out.push(renderAsJson(token.children, stack));
    } else {
      const value = sectionValue(token.name, stack);
      if (token.inverted) {
        if (!isTruthy(value)) renderTokens(token.children, stack, out);
      } else if (Array.isArray(value)) {
        for (const item of value) {
          stack.push(typeof item === 'string' ? new ArrayString(item) : item);
          renderTokens(token.children, stack, out);
          stack.pop();
        }
      } else if (isTruthy(value)) {
        stack.push(value);
        renderTokens(token.children, stack, out);
        stack.pop();
      }
    }
  }
}

/** `{{#asJson}}key{{/asJson}}`: a string value is already JSON text, anything else is null. */
function renderAsJson(body: readonly MustacheToken[], stack: unknown[]): string {
  const parts: string[] = [];
  renderTokens(body, stack, parts);
  const value = lookup(parts.join('').trim(), stack);
  if (typeof value === 'string') return value;
  if (value instanceof ArrayString) return value.raw;
  return 'null';
}

const CACHE_LIMIT = 64;
const cache = new Map<string, MustacheToken[]>();

function parseCached(template: string): MustacheToken[] {
  const hit = cache.get(template);
  if (hit) return hit;
  const tokens = parseTemplate(template);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(template, tokens);
  return tokens;
}

export function renderTemplate(template: string, context: Record<string, unknown>): string {
  const out: string[] = [];
  renderTokens(parseCached(template), [context], out);
  return out.join('');
}
