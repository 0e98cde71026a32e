import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import {
  MustacheSyntaxError,
  formatValue,
  parseTemplate,
  renderTemplate,
} from '../../src/universe/mustache.js';

// The Cosmos fixtures live beside the repo (read in place, never copied into it).
const specDir = fileURLToPath(new URL('../../../shared/specs/cosmos/renderer-spec/', import.meta.url));
const specsExist = existsSync(specDir);

interface RenderSpec {
  template: string;
  context: Record<string, unknown>;
  expected: unknown;
}

function readSpec(name: string): RenderSpec {
  return JSON.parse(readFileSync(`${specDir}${name}`, 'utf8')) as RenderSpec;
}

function syntaxError(template: string): MustacheSyntaxError {
  try {
    parseTemplate(template);
  } catch (err) {
    expect(err).toBeInstanceOf(MustacheSyntaxError);
    return err as MustacheSyntaxError;
  }
  throw new Error(`expected a MustacheSyntaxError for ${JSON.stringify(template)}`);
}

describe('no HTML escaping (rule 1)', () => {
  it('renders {{x}}, {{{x}}} and {{&x}} identically, without HTML entities', () => {
    const ctx = { x: '<a>Foo&Bar</a>' };
    expect(renderTemplate('{{x}}|{{{x}}}|{{&x}}|{{& x }}', ctx)).toBe(
      '<a>Foo&Bar</a>|<a>Foo&Bar</a>|<a>Foo&Bar</a>|<a>Foo&Bar</a>',
    );
  });
});

describe('string values are JSON-escaped without quotes (rule 2)', () => {
  it('escapes quotes, backslashes and control characters in every tag form', () => {
    const ctx = { s: 'a"b\\c\nd\te\u0001' };
    const escaped = 'a\\"b\\\\c\\nd\\te\\u0001';
    expect(renderTemplate('{{s}}', ctx)).toBe(escaped);
    expect(renderTemplate('{{{s}}}', ctx)).toBe(escaped);
    expect(renderTemplate('{{&s}}', ctx)).toBe(escaped);
  });

  it('keeps the result valid inside a JSON string', () => {
    const s = `\n'"\\\r\t\b\f`;
    expect(JSON.parse(renderTemplate('{"v": "{{s}}"}', { s }))).toEqual({ v: s });
  });

  it('leaves non-ASCII characters as they are', () => {
    expect(renderTemplate('{{s}}', { s: 'ÿöłø' })).toBe('ÿöłø');
  });
});

describe('numbers (rule 3)', () => {
  it('prints integral values without a decimal point', () => {
    expect(formatValue(1)).toBe('1');
    expect(formatValue(1.0)).toBe('1');
    expect(formatValue(-42)).toBe('-42');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(-0)).toBe('0');
  });

  it('prints big integers in full digits, never with an exponent', () => {
    expect(formatValue(4200000000000000000)).toBe('4200000000000000000');
    expect(formatValue(1e21)).toBe('1000000000000000000000');
    expect(formatValue(10n ** 30n)).toBe('1' + '0'.repeat(30));
  });

  it('prints other values as Java Double.toString does', () => {
    expect(formatValue(2.2)).toBe('2.2');
    expect(formatValue(42.1)).toBe('42.1');
    expect(formatValue(-0.5)).toBe('-0.5');
    expect(formatValue(0.001)).toBe('0.001');
    expect(formatValue(1234567.25)).toBe('1234567.25');
    expect(formatValue(12345678.5)).toBe('1.23456785E7');
    expect(formatValue(0.0001)).toBe('1.0E-4');
    expect(formatValue(-0.00012345)).toBe('-1.2345E-4');
    expect(formatValue(1.5e-10)).toBe('1.5E-10');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });

  it('substitutes numbers into templates the same way', () => {
    expect(renderTemplate('{{a}} {{b}} {{c}}', { a: 1.0, b: 2.2, c: 4200000000000000000 })).toBe(
      '1 2.2 4200000000000000000',
    );
  });
});

describe('booleans, null and missing values (rule 4)', () => {
  it('prints true/false and nothing for null or missing', () => {
    expect(renderTemplate('[{{t}}|{{f}}|{{n}}|{{missing}}|{{a.b.c}}]', { t: true, f: false, n: null })).toBe(
      '[true|false|||]',
    );
    expect(formatValue(null)).toBe('');
    expect(formatValue(undefined)).toBe('');
  });
});

describe('arrays and objects (rule 5)', () => {
  it('prints arrays like Java List.toString', () => {
    expect(formatValue([1, 2, 3])).toBe('[1, 2, 3]');
    expect(formatValue([])).toBe('[]');
    expect(formatValue([true, false])).toBe('[true, false]');
    expect(formatValue([1.5, 2, null])).toBe('[1.5, 2, null]');
  });

  it('keeps JSON quotes on string elements, escaped', () => {
    expect(formatValue(['a', 'b'])).toBe('["a", "b"]');
    expect(formatValue(['say "hi"'])).toBe('["say \\"hi\\""]');
    expect(JSON.parse(renderTemplate('{"v": {{v}}}', { v: ['x"y', 'z'] }))).toEqual({ v: ['x"y', 'z'] });
  });

  it('recurses into nested arrays', () => {
    expect(formatValue([[1, 2], [3, 4]])).toBe('[[1, 2], [3, 4]]');
    expect(formatValue([['one'], ['two', 'three']])).toBe('[["one"], ["two", "three"]]');
  });

  it('prints objects as Java Map.toString', () => {
    expect(formatValue({ k: 'v', n: 1, z: null })).toBe('{k=v, n=1, z=null}');
    expect(formatValue({ a: [1, 'x'], o: { p: true } })).toBe('{a=[1, "x"], o={p=true}}');
    expect(formatValue([{ s: 'x' }])).toBe('[{s=x}]');
    expect(renderTemplate('{{o}}', { o: { a: 1 } })).toBe('{a=1}');
  });
});

describe('sections (rule 6)', () => {
  const section = (value: unknown): string => renderTemplate('{{#v}}yes{{/v}}', { v: value });
  const inverted = (value: unknown): string => renderTemplate('{{^v}}yes{{/v}}', { v: value });

  it.each([
    ['true', true],
    ['a non-empty string', 'x'],
    ['a number', 3],
    ['zero (Java numbers are truthy)', 0],
    ['an object', { a: 1 }],
    ['an empty object', {}],
  ])('renders once for %s', (_label, value) => {
    expect(section(value)).toBe('yes');
    expect(inverted(value)).toBe('');
  });

  it.each([
    ['false', false],
    ['the empty string', ''],
    ['null', null],
    ['an empty array', []],
  ])('skips for %s', (_label, value) => {
    expect(section(value)).toBe('');
    expect(inverted(value)).toBe('yes');
  });

  it('skips for a missing value and renders its inverted form', () => {
    expect(renderTemplate('{{#nope}}yes{{/nope}}{{^nope}}no{{/nope}}', {})).toBe('no');
  });

  it('iterates over arrays, pushing each element', () => {
    expect(renderTemplate('{{#xs}}<{{.}}>{{/xs}}', { xs: [1, 2.5, true] })).toBe('<1><2.5><true>');
    expect(
      renderTemplate('{{#ps}}{{name}}={{port}};{{/ps}}', { ps: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }] }),
    ).toBe('a=1;b=2;');
  });

  it('prints string elements of an iterated array with their quotes, as Cosmos converts them', () => {
    expect(renderTemplate('[{{#xs}}{{.}},{{/xs}}]', { xs: ['a', ''] })).toBe('["a","",]');
    // The quoted "" is a non-empty string, hence truthy.
    expect(renderTemplate('{{#xs}}{{#.}}t{{/.}}{{/xs}}', { xs: [''] })).toBe('t');
  });

  it('pushes objects onto the context stack and falls back to outer scopes', () => {
    const ctx = { name: 'outer', svc: { port: 80 } };
    expect(renderTemplate('{{#svc}}{{name}}:{{port}}{{/svc}}', ctx)).toBe('outer:80');
  });

  it('pushes a truthy scalar so that {{.}} is the value', () => {
    expect(renderTemplate('{{#s}}[{{.}}]{{/s}}', { s: 'a"b' })).toBe('[a\\"b]');
    expect(renderTemplate('{{#n}}[{{.}}]{{/n}}', { n: 0 })).toBe('[0]');
  });

  it('supports dotted section names', () => {
    const ctx = { service: { secret: '', enabled: true } };
    expect(
      renderTemplate('{{#service.secret}}S{{/service.secret}}{{^service.secret}}N{{/service.secret}}', ctx),
    ).toBe('N');
    expect(renderTemplate('{{#service.enabled}}E{{/service.enabled}}', ctx)).toBe('E');
  });
});

describe('name lookup (rule 7)', () => {
  it('resolves dotted names with hyphens and leading digits', () => {
    const ctx = {
      service: { '2d-float-array': [[1.5]] },
      resource: { assets: { uris: { 'kafka-jre-tar-gz': 'https://x/jre.tgz' } } },
    };
    expect(renderTemplate('{{service.2d-float-array}}', ctx)).toBe('[[1.5]]');
    expect(renderTemplate('{{resource.assets.uris.kafka-jre-tar-gz}}', ctx)).toBe('https://x/jre.tgz');
  });

  it('uses the innermost scope that has the first segment and does not fall back past it', () => {
    const ctx = { a: { b: 'outer' }, inner: { a: { c: 'x' } } };
    expect(renderTemplate('{{#inner}}[{{a.b}}|{{a.c}}]{{/inner}}', ctx)).toBe('[|x]');
    expect(renderTemplate('{{a.b}}', ctx)).toBe('outer');
  });

  it('treats inherited properties as missing', () => {
    expect(renderTemplate('[{{constructor}}|{{toString}}|{{a.length}}]', { a: 'abc' })).toBe('[||]');
  });

  it('resolves . to the current item', () => {
    expect(renderTemplate('{{#o}}{{.}}{{/o}}', { o: { k: 'v' } })).toBe('{k=v}');
  });
});

describe('asJson lambda (rule 8)', () => {
  it('emits a string value raw and null otherwise', () => {
    const ctx = { j: '{"a": [1]}', n: 12, nested: { j: '["x"]' } };
    expect(renderTemplate('{{#asJson}}j{{/asJson}}', ctx)).toBe('{"a": [1]}');
    expect(renderTemplate('{{#asJson}} j \n{{/asJson}}', ctx)).toBe('{"a": [1]}');
    expect(renderTemplate('{{#asJson}}n{{/asJson}}', ctx)).toBe('null');
    expect(renderTemplate('{{#asJson}}missing{{/asJson}}', ctx)).toBe('null');
    expect(renderTemplate('{{#asJson}}nested.j{{/asJson}}', ctx)).toBe('["x"]');
  });

  it('wins over a context key named asJson', () => {
    const ctx = { asJson: true, j: '[1]' };
    expect(renderTemplate('{{#asJson}}j{{/asJson}}', ctx)).toBe('[1]');
    expect(renderTemplate('{{^asJson}}inverted{{/asJson}}', { j: '[1]' })).toBe('');
  });

  it('resolves the key against the current scope too', () => {
    const ctx = { items: [{ cfg: '{"x":1}' }] };
    expect(renderTemplate('{{#items}}{{#asJson}}cfg{{/asJson}}{{/items}}', ctx)).toBe('{"x":1}');
  });
});

describe('comments, delimiters and standalone lines (rule 9)', () => {
  it('drops comments, including multi-line ones', () => {
    expect(renderTemplate('a{{! a comment }}b{{!\n multi\n}}c', {})).toBe('abc');
  });

  it('switches delimiters', () => {
    expect(renderTemplate('{{=<% %>=}}<% x %> {{x}} <%={{ }}=%>{{x}}', { x: 1 })).toBe('1 {{x}} 1');
    expect(renderTemplate('{{=| |=}}|#s||.||/s|', { s: 'v' })).toBe('v');
  });

  it('removes lines holding only a section, inverted, close, comment or delimiter tag', () => {
    const template = 'a\n  {{#t}}\nb\n  {{/t}}\n{{^f}}\nc\n{{/f}}\n\t{{! note }}\n{{=<% %>=}}\nd\n';
    expect(renderTemplate(template, { t: true, f: false })).toBe('a\nb\nc\nd\n');
  });

  it('handles CRLF and a standalone tag on the last line without a newline', () => {
    expect(renderTemplate('|\r\n{{#t}}\r\nx\r\n{{/t}}\r\n|', { t: true })).toBe('|\r\nx\r\n|');
    expect(renderTemplate('a\n{{#t}}\nb\n{{/t}}', { t: true })).toBe('a\nb\n');
  });

  it('keeps lines where the tag is not alone, and variable-only lines', () => {
    expect(renderTemplate(' {{#t}}x{{/t}}\n', { t: true })).toBe(' x\n');
    expect(renderTemplate('  {{v}}\n', { v: '' })).toBe('  \n');
    expect(renderTemplate('  {{#t}}{{/t}}  \n', { t: true })).toBe('    \n');
  });

  it('rejects partials', () => {
    const err = syntaxError('ok\n  {{> part}}');
    expect(err.message).toMatch(/Partials are not supported/);
    expect([err.line, err.column]).toEqual([2, 3]);
  });
});

describe('syntax errors (rule 10)', () => {
  it('reports an unclosed section where it was opened', () => {
    const err = syntaxError('{\n\n    {{#service.name}}\n  "a": 1\n}');
    expect(err.message).toBe('Unclosed section "service.name" opened at line 3, column 5');
    expect([err.line, err.column]).toEqual([3, 5]);
    expect(err.name).toBe('MustacheSyntaxError');
    expect(err).toBeInstanceOf(Error);
  });

  it('reports a mismatched close tag at the close tag', () => {
    const err = syntaxError('{{#a}}\n  x {{/b}}');
    expect(err.message).toMatch(/Mismatched closing tag "b".*expected "a".*line 1, column 1/);
    expect([err.line, err.column]).toEqual([2, 5]);
  });

  it('reports a close tag with no open section', () => {
    const err = syntaxError('x{{/a}}');
    expect(err.message).toMatch(/Unexpected closing tag "a"/);
    expect([err.line, err.column]).toEqual([1, 2]);
  });

  it('reports an unclosed tag where it starts', () => {
    const err = syntaxError('line1\nab {{name');
    expect(err.message).toMatch(/Unclosed tag opened at line 2, column 4/);
    expect([err.line, err.column]).toEqual([2, 4]);
    expect(syntaxError('{{{x}}').message).toMatch(/expected "}}}"/);
  });

  it('rejects empty tags and malformed delimiter tags', () => {
    expect(syntaxError('a {{ }}').column).toBe(3);
    expect(syntaxError('{{=<%=}}').message).toMatch(/Invalid set-delimiter tag/);
  });

  it('throws the same error from renderTemplate', () => {
    expect(() => renderTemplate('{{#a}}', {})).toThrow(MustacheSyntaxError);
  });
});

describe('parseTemplate and caching', () => {
  it('produces a token tree', () => {
    expect(parseTemplate('a{{x}}{{#s}}b{{/s}}')).toEqual([
      { type: 'text', text: 'a' },
      { type: 'variable', name: 'x', line: 1, column: 2 },
      {
        type: 'section',
        name: 's',
        inverted: false,
        line: 1,
        column: 7,
        children: [{ type: 'text', text: 'b' }],
      },
    ]);
  });

  it('renders the same template repeatedly with different contexts', () => {
    const t = '{{#xs}}{{.}}{{/xs}}-{{n}}';
    expect(renderTemplate(t, { xs: [1, 2], n: 'a' })).toBe('12-a');
    expect(renderTemplate(t, { xs: [], n: 'b' })).toBe('-b');
  });
});

const specTitle = specsExist
  ? 'Cosmos render specs'
  : 'Cosmos render specs (skipped: ../shared/specs/cosmos not found)';

describe.skipIf(!specsExist)(specTitle, () => {
  it.each(['render-instance-blob.json', 'render-no-html-escaping.json', 'render-asjson-lambda.json'])(
    '%s renders to the expected JSON',
    (file) => {
      const spec = readSpec(file);
      expect(JSON.parse(renderTemplate(spec.template, spec.context))).toEqual(spec.expected);
    },
  );

  it('render-instance-blob emits the iterated 2d-float-array key once per outer element', () => {
    const spec = readSpec('render-instance-blob.json');
    const rendered = renderTemplate(spec.template, spec.context);
    // The block appears 5 times (blob, 2 array items, 2 map values), each iterating twice.
    expect(rendered.match(/"2d-float-array" : \[\[1, 2, 3\], \[1, 2, 3\]\],/g)).toHaveLength(10);
    expect(rendered).not.toContain('absent-key');
  });
});

describe('{{#name==text}} sections (an extension for enum options)', () => {
  const t = '{{#service.runtime==process}}P{{/service.runtime==process}}{{^service.runtime==process}}not-P{{/service.runtime==process}}{{#service.runtime==container}}C{{/service.runtime==container}}';
  it('renders the section of the value the option has, and the inverted sections of the others', () => {
    expect(renderTemplate(t, { service: { runtime: 'process' } })).toBe('P');
    expect(renderTemplate(t, { service: { runtime: 'container' } })).toBe('not-PC');
  });
  it('is false for a missing option, an object or a list', () => {
    expect(renderTemplate(t, {})).toBe('not-P');
    expect(renderTemplate('{{#n==1}}one{{/n==1}}', { n: { a: 1 } })).toBe('');
    expect(renderTemplate('{{#n==1}}one{{/n==1}}', { n: ['1'] })).toBe('');
  });
  it('compares a number or a boolean by how it is written', () => {
    const port = '{{#port==0}}any{{/port==0}}{{^port==0}}fixed {{port}}{{/port==0}}';
    expect(renderTemplate(port, { port: 0 })).toBe('any');
    expect(renderTemplate(port, { port: 9042 })).toBe('fixed 9042');
    expect(renderTemplate(port, { port: '0' })).toBe('any');
    expect(renderTemplate('{{#on==true}}yes{{/on==true}}{{^on==true}}no{{/on==true}}', { on: true })).toBe('yes');
    expect(renderTemplate('{{#on==true}}yes{{/on==true}}{{^on==true}}no{{/on==true}}', { on: false })).toBe('no');
    expect(renderTemplate('{{#n==1}}one{{/n==1}}', { n: 1.5 })).toBe('');
  });
});
