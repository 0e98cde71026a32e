// ports, portDefinitions and container port mappings, plus the port views that
// health and readiness checks resolve against.
import { isObject } from '../core/json-checks.js';
import {
  at,
  checkArray,
  checkEnum,
  checkNumber,
  checkObject,
  checkString,
  checkStringMap,
  checkStringArray,
  item,
  PORT_RULE,
  type Issues,
  type Json,
} from './validation-issues.js';

export const NETWORK_PROTOCOLS = ['tcp', 'udp', 'udp,tcp'] as const;

/** RAML `LegacyName`, used for port names. */
const PORT_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME_MESSAGE = `must fully match regular expression '${PORT_NAME_PATTERN.source}'`;
export const DUPLICATE_PORT_NAMES = 'Port names must be unique.';
export const PORTS_AND_DEFINITIONS = 'cannot specify both ports and port definitions';

/** The name Marathon gives its default port definition. */
const DEFAULT_PORT_NAME = 'default';

export function validatePortFields(issues: Issues, app: Json): void {
  const ports = checkArray(issues, '/ports', app.ports);
  ports?.forEach((port, i) => checkNumber(issues, item('/ports', i), port, PORT_RULE));
  if (ports && hasDuplicates(ports.filter((port) => port !== 0))) issues.add('/ports', 'ports must be unique');

  const definitions = checkArray(issues, '/portDefinitions', app.portDefinitions);
  definitions?.forEach((definition, i) => validatePortDefinition(issues, item('/portDefinitions', i), definition));
  if (definitions) {
    const objects = definitions.filter(isObject);
    if (hasDuplicates(objects.map((d) => d.name).filter((name) => typeof name === 'string'))) {
      issues.add('/portDefinitions', DUPLICATE_PORT_NAMES);
    }
    const fixed = objects.map((d) => d.port).filter((port) => typeof port === 'number' && port !== 0);
    if (hasDuplicates(fixed)) issues.add('/portDefinitions', 'Ports must be unique.');
  }

  // Marathon tolerates both only when they say the same thing (clients echo GET output back).
  if (ports && definitions) {
    const definedPorts = definitions.map((d) => (isObject(d) ? (d.port ?? 0) : undefined));
    const same = definedPorts.length === ports.length && definedPorts.every((port, i) => port === ports[i]);
    if (!same) issues.add('/', PORTS_AND_DEFINITIONS);
  }
}

function validatePortDefinition(issues: Issues, path: string, value: unknown): void {
  const definition = checkObject(issues, path, value);
  if (!definition) return;
  checkNumber(issues, at(path, 'port'), definition.port, PORT_RULE);
  checkEnum(issues, at(path, 'protocol'), definition.protocol, NETWORK_PROTOCOLS);
  checkPortName(issues, at(path, 'name'), definition.name);
  checkStringMap(issues, at(path, 'labels'), definition.labels);
}

export function validatePortMappings(issues: Issues, path: string, value: unknown): void {
  const mappings = checkArray(issues, path, value);
  if (!mappings) return;
  mappings.forEach((raw, i) => {
    const mappingPath = item(path, i);
    const mapping = checkObject(issues, mappingPath, raw);
    if (!mapping) return;
    for (const field of ['containerPort', 'hostPort', 'servicePort']) {
      checkNumber(issues, at(mappingPath, field), mapping[field], PORT_RULE);
    }
    checkEnum(issues, at(mappingPath, 'protocol'), mapping.protocol, NETWORK_PROTOCOLS);
    checkPortName(issues, at(mappingPath, 'name'), mapping.name);
    checkStringMap(issues, at(mappingPath, 'labels'), mapping.labels);
    checkStringArray(issues, at(mappingPath, 'networkNames'), mapping.networkNames);
  });
  const names = mappings.filter(isObject).map((m) => m.name).filter((name) => typeof name === 'string');
  if (hasDuplicates(names)) issues.add(path, DUPLICATE_PORT_NAMES);
}

function checkPortName(issues: Issues, path: string, value: unknown): void {
  const name = checkString(issues, path, value);
  if (name !== undefined && !PORT_NAME_PATTERN.test(name)) issues.add(path, PORT_NAME_MESSAGE);
}

/** Container port mappings as Marathon sees them (the deprecated docker copy counts too). */
function declaredMappings(app: Json): unknown[] | undefined {
  const container = isObject(app.container) ? app.container : undefined;
  if (!container) return undefined;
  if (Array.isArray(container.portMappings)) return container.portMappings;
  const docker = isObject(container.docker) ? container.docker : undefined;
  return docker && Array.isArray(docker.portMappings) ? docker.portMappings : undefined;
}

/**
 * How many ports a health check `portIndex` may address: non-empty port mappings win,
 * else port definitions/ports; with neither, Marathon supplies one default port.
 */
export function addressablePortCount(app: Json): number {
  const mappings = declaredMappings(app);
  if (mappings && mappings.length > 0) return mappings.length;
  if (Array.isArray(app.portDefinitions)) return app.portDefinitions.length;
  if (Array.isArray(app.ports)) return app.ports.length;
  return 1;
}

/** Port names a readiness check `portName` may refer to. */
export function addressablePortNames(app: Json): string[] {
  const named = (list: unknown[]): string[] =>
    list.filter(isObject).flatMap((entry) => (typeof entry.name === 'string' ? [entry.name] : []));
  const mappings = declaredMappings(app);
  if (mappings) return named(mappings);
  if (Array.isArray(app.portDefinitions)) return named(app.portDefinitions);
  return Array.isArray(app.ports) ? [] : [DEFAULT_PORT_NAME];
}

function hasDuplicates(values: unknown[]): boolean {
  return new Set(values).size !== values.length;
}
