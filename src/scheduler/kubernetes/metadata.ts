/**
 * Labels and annotations of the objects, and reading an app back from them. Kubernetes labels
 * carry what is selected on (instance, managed-by, package name and version); annotations carry
 * values: the app id, every Marathon label (they hold JSON and base64), and the app definition
 * itself, so that the driver can read back what it applied. Annotations of one object may hold
 * 256 KiB in all: a bigger app is refused.
 */
import { DcosError } from '../../core/errors.js';
import type { AppDefinition } from '../../marathon/app-types.js';
import { isQualifiedKey, labelValue } from './names.js';
import type { Findings } from './problems.js';

export const MANAGED_BY = 'dcos';

export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
  packageName: 'dcos.io/package-name',
  packageVersion: 'dcos.io/package-version',
} as const;

export const ANNOTATIONS = {
  appId: 'dcos.io/app-id',
  /** The app as applied, canonical JSON, with its labels emptied (they are annotations of their own). */
  definition: 'dcos.io/app-definition',
  /** Marathon labels whose key cannot be an annotation name, as one JSON object. */
  otherLabels: 'dcos.io/labels',
} as const;

/** Each Marathon label `KEY` is the annotation `label.dcos.io/KEY`. */
export const LABEL_ANNOTATION_PREFIX = 'label.dcos.io/';

/** Kubernetes' limit on the annotations of one object (keys and values, in bytes). */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

const PACKAGE_NAME = 'DCOS_PACKAGE_NAME';
const PACKAGE_VERSION = 'DCOS_PACKAGE_VERSION';

/** JSON with object keys sorted at every level: the same app always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The labels every object of the app carries, and the smaller set its selectors use. */
export function appLabels(name: string, labels: Record<string, string>, findings: Findings): { labels: Record<string, string>; selector: Record<string, string> } {
  const selector = { [LABELS.instance]: name, [LABELS.managedBy]: MANAGED_BY };
  const out: Record<string, string> = { ...selector, [LABELS.name]: name };
  const pkg = labels[PACKAGE_NAME];
  if (pkg !== undefined) {
    const value = labelValue(pkg);
    if (value !== '') {
      out[LABELS.name] = value;
      out[LABELS.packageName] = value;
    }
    if (value !== pkg) findings.note(`${PACKAGE_NAME} "${pkg}" -> label value "${value}"${value === '' ? ' (left out)' : ''}`);
  }
  const version = labels[PACKAGE_VERSION];
  if (version !== undefined) {
    const value = labelValue(version);
    if (value !== '') {
      out[LABELS.version] = value;
      out[LABELS.packageVersion] = value;
    }
    if (value !== version) findings.note(`${PACKAGE_VERSION} "${version}" -> label value "${value}"${value === '' ? ' (left out)' : ''}`);
  }
  return { labels: sortedRecord(out), selector: sortedRecord(selector) };
}

/** The workload's annotations: app id, definition, labels. */
export function appAnnotations(app: AppDefinition, appId: string): Record<string, string> {
  const labels = app.labels ?? {};
  const out: Record<string, string> = { [ANNOTATIONS.appId]: appId };
  const other: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const annotation = `${LABEL_ANNOTATION_PREFIX}${key}`;
    if (!key.includes('/') && isQualifiedKey(annotation)) out[annotation] = value;
    else other[key] = value;
  }
  if (Object.keys(other).length) out[ANNOTATIONS.otherLabels] = canonicalJson(other);
  const definition: Record<string, unknown> = { ...app };
  if ('labels' in app) definition.labels = {};
  out[ANNOTATIONS.definition] = canonicalJson(definition);
  return sortedRecord(out);
}

/** Refuses annotations over Kubernetes' limit, naming the biggest ones. */
export function checkAnnotationSize(appId: string, annotations: Record<string, string>): void {
  const sizes = Object.entries(annotations).map(([key, value]) => ({ key, bytes: Buffer.byteLength(key) + Buffer.byteLength(value) }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (total <= MAX_ANNOTATION_BYTES) return;
  const biggest = sizes.sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1)).slice(0, 5);
  throw new DcosError('EKUBE_TOO_LARGE', `The app ${appId} is too large for Kubernetes: its annotations would take ${total} bytes, over the limit of ${MAX_ANNOTATION_BYTES} (256 KiB)`, {
    details: biggest.map((s) => ({ path: s.key.startsWith(LABEL_ANNOTATION_PREFIX) ? `labels.${s.key.slice(LABEL_ANNOTATION_PREFIX.length)}` : s.key, message: `${s.bytes} bytes` })),
    showDetails: true,
    hint: 'The app definition (its cmd, env and labels) is kept in annotations so that it can be read back. Make the largest of these smaller (a long cmd can move into the image).',
  });
}

/**
 * The Marathon app a workload was made from, read back from its annotations (the app id, its
 * definition and its labels); undefined when they do not hold one.
 */
export function appFromAnnotations(annotations: Record<string, string> | undefined): AppDefinition | undefined {
  const text = annotations?.[ANNOTATIONS.definition];
  if (text === undefined) return undefined;
  let app: AppDefinition;
  try {
    app = JSON.parse(text) as AppDefinition;
  } catch {
    return undefined;
  }
  if (app === null || typeof app !== 'object' || typeof app.id !== 'string') return undefined;
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (key.startsWith(LABEL_ANNOTATION_PREFIX)) labels[key.slice(LABEL_ANNOTATION_PREFIX.length)] = value;
  }
  const other = annotations?.[ANNOTATIONS.otherLabels];
  if (other !== undefined) {
    try {
      Object.assign(labels, JSON.parse(other) as Record<string, string>);
    } catch {
      // an unreadable extra-labels annotation leaves those labels out
    }
  }
  if ('labels' in app || Object.keys(labels).length) app.labels = sortedRecord(labels);
  return app;
}
