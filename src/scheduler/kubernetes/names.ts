/**
 * Kubernetes names for Marathon things: object names (DNS-1123 labels) from app ids, port names
 * (IANA_SVC_NAME), label values and annotation keys. Each says when it had to change the input.
 */
import { createHash } from 'node:crypto';

/** Most names are DNS-1123 labels. */
export const MAX_NAME = 63;
/**
 * A StatefulSet's pods carry `controller-revision-hash: <name>-<10 characters>`, a label value
 * of at most 63 characters: so its name has at most 52.
 */
export const MAX_STATEFULSET_NAME = 52;

export interface ObjectName {
  name: string;
  /** Characters were replaced or a prefix added (dots, a leading digit). */
  changed: boolean;
  /** Cut to the limit, with a hash of the app id as its suffix. */
  shortened: boolean;
}

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * `/group/app` -> `group-app`: lower case, `[a-z0-9-]`, starting with a letter (a Service name
 * must), at most `max` characters. A name cut short ends in `-` and 8 hex digits of a hash of the
 * whole id, so two long ids that share a prefix still get two names.
 */
export function objectName(appId: string, max = MAX_NAME): ObjectName {
  const joined = appId
    .split('/')
    .filter((s) => s !== '')
    .join('-');
  let name = joined
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `app-${name}`.replace(/-+$/, '');
  const changed = name !== joined;
  if (name.length <= max) return { name, changed, shortened: false };
  const suffix = `-${shortHash(appId)}`;
  const head = name.slice(0, max - suffix.length).replace(/-+$/, '');
  return { name: `${head}${suffix}`, changed, shortened: true };
}

/**
 * IANA_SVC_NAME, as a container or Service port name must be: at most 15 characters of
 * `[a-z0-9-]`, at least one letter, no leading, trailing or doubled `-`. Empty when nothing of
 * the input survives.
 */
export function ianaName(text: string): string {
  let name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  name = name.slice(0, 15).replace(/-+$/, '');
  if (name !== '' && !/[a-z]/.test(name)) name = `p-${name}`.slice(0, 15).replace(/-+$/, '');
  return name;
}

export const isIanaName = (text: string): boolean =>
  text.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(text) && !text.includes('--') && /[a-z]/.test(text);

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const isLabelValue = (text: string): boolean => text.length <= 63 && LABEL_VALUE.test(text);

/** A label value made of `text`: other characters become `-`, cut to 63; empty if nothing is left. */
export function labelValue(text: string): string {
  return text
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at most 63. */
export function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** A volume or claim name (a DNS-1123 label) made of a container path such as `data`. */
export function volumeName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return name === '' ? 'volume' : name;
}
