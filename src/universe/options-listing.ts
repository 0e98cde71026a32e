/** A flat listing of a package's options: one line per leaf, with type, default and description. */
import { isObject, MAX_JSON_DEPTH } from '../core/json-checks.js';

export interface OptionLine {
  path: string;
  type: string;
  defaultText: string;
  description: string;
}

export function flattenOptions(schema: unknown, prefix = '', depth = 1): OptionLine[] {
  const lines: OptionLine[] = [];
  // Read package configs are bounded already; this keeps the recursion bounded for any other.
  if (depth > MAX_JSON_DEPTH || !isObject(schema) || !isObject(schema.properties)) return lines;
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (!isObject(prop)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(prop.properties) && !('default' in prop)) {
      lines.push(...flattenOptions(prop, path, depth + 1));
      continue;
    }
    const type = Array.isArray(prop.type) ? prop.type.join('|') : String(prop.type ?? (prop.enum ? 'enum' : 'any'));
    const enumText = Array.isArray(prop.enum) ? ` (one of ${prop.enum.map((v) => JSON.stringify(v)).join(', ')})` : '';
    lines.push({
      path,
      type,
      defaultText: 'default' in prop ? JSON.stringify(prop.default) : '',
      description: `${typeof prop.description === 'string' ? prop.description.replace(/\s+/g, ' ').trim() : ''}${enumText}`,
    });
  }
  return lines;
}
