/**
 * The small TOML subset the config file uses: `[section]` headers and `key = value` lines where the
 * value is a basic string, an integer, a float or a boolean. Comments and blank lines are kept out
 * of the model; the writer emits a canonical file.
 */
import { DcosError } from './errors.js';
import { compareText } from './compare.js';

export type TomlValue = string | number | boolean;
export type TomlDocument = Record<string, Record<string, TomlValue>>;

export function parseToml(text: string, file: string): TomlDocument {
  const doc: TomlDocument = {};
  let section = '';
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = stripComment(raw).trim();
    if (!line) return;
    const where = `${file}:${i + 1}`;
    const header = /^\[\s*([A-Za-z0-9_.-]+)\s*\]$/.exec(line);
    if (header) {
      section = header[1];
      doc[section] ??= {};
      return;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!kv) throw new DcosError('ECONFIG', `Cannot parse ${where}: expected "key = value" or "[section]"`);
    if (!section) throw new DcosError('ECONFIG', `Cannot parse ${where}: "${kv[1]}" is outside any [section]`);
    doc[section][kv[1]] = parseValue(kv[2].trim(), where);
  });
  return doc;
}

function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return line.slice(0, i);
  }
  return line;
}

function parseValue(text: string, where: string): TomlValue {
  if (text.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'string') return value;
    } catch {
      // fall through to the error below
    }
    throw new DcosError('ECONFIG', `Cannot parse ${where}: malformed string ${text}`);
  }
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 2) return text.slice(1, -1);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text);
  throw new DcosError('ECONFIG', `Cannot parse ${where}: unsupported value ${text}`);
}

export function stringifyToml(doc: TomlDocument): string {
  const out: string[] = [];
  for (const section of Object.keys(doc).sort()) {
    const entries = Object.entries(doc[section]);
    if (entries.length === 0) continue;
    if (out.length) out.push('');
    out.push(`[${section}]`);
    for (const [key, value] of entries.sort(([a], [b]) => compareText(a, b))) {
      out.push(`${key} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}
