// healthChecks and readinessChecks, including the rules that look at the app's ports.
import { isObject } from '../core/json-checks.js';
import { addressablePortCount, addressablePortNames } from './validate-ports.js';
import {
  at,
  checkArray,
  checkBoolean,
  checkEnum,
  checkNumber,
  checkObject,
  checkString,
  isAbsent,
  item,
  NON_NEGATIVE_INT,
  PORT_RULE,
  type Issues,
  type Json,
} from './validation-issues.js';

export const HEALTH_CHECK_PROTOCOLS = [
  'HTTP',
  'HTTPS',
  'TCP',
  'COMMAND',
  'MESOS_HTTP',
  'MESOS_HTTPS',
  'MESOS_TCP',
] as const;

/** Checks Marathon itself runs against a host port, so their portIndex must resolve. */
const MARATHON_SIDE = new Set(['HTTP', 'HTTPS', 'TCP']);
const MESOS_SIDE = new Set(['MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP']);

export const PORT_INDEX_MESSAGE =
  'Health check port indices must address an element of the ports array or container port mappings.';
export const COMMAND_REQUIRED_MESSAGE = 'A command is required when using the COMMAND health check protocol.';
export const PORT_XOR_INDEX_MESSAGE = 'HealthCheck must specify either a port or a portIndex';
export const ONE_MESOS_CHECK_MESSAGE = 'AppDefinition can contain at most one Mesos health check';
const IPV6_MESSAGE = 'IPv6 can only be used for container type DOCKER and Mesos http/https/tcp health checks';

const DEFAULT_READINESS_INTERVAL = 30;
const DEFAULT_READINESS_TIMEOUT = 10;
const DEFAULT_READINESS_PORT_NAME = 'http-api';

export function validateHealthChecks(issues: Issues, app: Json): void {
  const checks = checkArray(issues, '/healthChecks', app.healthChecks);
  if (!checks) return;
  const portCount = addressablePortCount(app);
  const dockerEngine = isObject(app.container) && (app.container.type ?? 'DOCKER') === 'DOCKER';
  let mesosChecks = 0;
  checks.forEach((raw, i) => {
    const path = item('/healthChecks', i);
    const check = checkObject(issues, path, raw);
    if (!check) return;
    const protocol = isAbsent(check.protocol)
      ? 'HTTP'
      : checkEnum(issues, at(path, 'protocol'), check.protocol, HEALTH_CHECK_PROTOCOLS);
    for (const field of ['gracePeriodSeconds', 'intervalSeconds', 'timeoutSeconds', 'maxConsecutiveFailures', 'delaySeconds']) {
      checkNumber(issues, at(path, field), check[field], NON_NEGATIVE_INT);
    }
    checkString(issues, at(path, 'path'), check.path);
    checkBoolean(issues, at(path, 'ignoreHttp1xx'), check.ignoreHttp1xx);
    const ipProtocol = checkEnum(issues, at(path, 'ipProtocol'), check.ipProtocol, ['IPv4', 'IPv6'] as const);
    if (ipProtocol === 'IPv6' && !(dockerEngine && protocol && MESOS_SIDE.has(protocol))) issues.add(path, IPV6_MESSAGE);

    checkNumber(issues, at(path, 'port'), check.port, PORT_RULE);
    const portIndex = checkNumber(issues, at(path, 'portIndex'), check.portIndex, PORT_RULE);
    if (!isAbsent(check.port) && !isAbsent(check.portIndex)) issues.add(path, PORT_XOR_INDEX_MESSAGE);

    const command = checkObject(issues, at(path, 'command'), check.command);
    if (command) checkString(issues, at(path, 'command/value'), command.value);
    if (protocol === 'COMMAND' && (!command || typeof command.value !== 'string' || command.value === '')) {
      issues.add(at(path, 'command'), COMMAND_REQUIRED_MESSAGE);
    }

    // Marathon normalises a missing port/portIndex to portIndex 0.
    const effectiveIndex = !isAbsent(check.portIndex) ? portIndex : isAbsent(check.port) ? 0 : undefined;
    if (!command && protocol && MARATHON_SIDE.has(protocol) && effectiveIndex !== undefined && effectiveIndex >= portCount) {
      issues.add(at(path, 'portIndex'), PORT_INDEX_MESSAGE);
    }
    // Older Marathon accepted several command checks, so only MESOS_* ones are counted.
    if (!command && protocol && MESOS_SIDE.has(protocol)) mesosChecks += 1;
  });
  if (mesosChecks > 1) issues.add('/', ONE_MESOS_CHECK_MESSAGE);
}

export function validateReadinessChecks(issues: Issues, app: Json): void {
  const checks = checkArray(issues, '/readinessChecks', app.readinessChecks);
  if (!checks) return;
  if (checks.length > 1) issues.add('/readinessChecks', `got ${checks.length}, expected 1 or less`);
  const portNames = addressablePortNames(app);
  checks.forEach((raw, i) => {
    const path = item('/readinessChecks', i);
    const check = checkObject(issues, path, raw);
    if (!check) return;
    const name = checkString(issues, at(path, 'name'), check.name);
    if (name === '') issues.add(at(path, 'name'), 'must not be empty');
    checkEnum(issues, at(path, 'protocol'), check.protocol, ['HTTP', 'HTTPS'] as const);
    checkString(issues, at(path, 'path'), check.path);
    checkBoolean(issues, at(path, 'preserveLastResponse'), check.preserveLastResponse);
    // RAML defaults portName to "http-api", so an absent name must still resolve.
    const portName = isAbsent(check.portName) ? DEFAULT_READINESS_PORT_NAME : checkString(issues, at(path, 'portName'), check.portName);
    if (portName !== undefined && !portNames.includes(portName)) {
      issues.add(at(path, 'portName'), `No port definition reference for portName ${portName}`);
    }
    const interval = checkNumber(issues, at(path, 'intervalSeconds'), check.intervalSeconds, NON_NEGATIVE_INT);
    const timeout = checkNumber(issues, at(path, 'timeoutSeconds'), check.timeoutSeconds, { integer: true, min: 1 });
    const effectiveInterval = interval ?? DEFAULT_READINESS_INTERVAL;
    const effectiveTimeout = timeout ?? DEFAULT_READINESS_TIMEOUT;
    if (effectiveTimeout >= effectiveInterval) {
      issues.add(at(path, 'timeoutSeconds'), `got ${effectiveTimeout}, expected less than ${effectiveInterval}`);
    }
    const codes = checkArray(issues, at(path, 'httpStatusCodesForReady'), check.httpStatusCodesForReady);
    codes?.forEach((code, j) =>
      checkNumber(issues, item(at(path, 'httpStatusCodesForReady'), j), code, { integer: true, min: 100, max: 999 }),
    );
  });
}
