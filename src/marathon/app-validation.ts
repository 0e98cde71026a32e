// Marathon's app definition rules, answered as 422 `details` ({path, errors}[]).
// Unknown top-level fields are accepted: real packages carry fields Marathon tolerates.
import { isObject, kindOf } from '../core/json-checks.js';
import { appIdErrors, parentOf } from './app-id.js';
import type { ValidationDetail } from './app-types.js';
import { validateHealthChecks, validateReadinessChecks } from './validate-checks.js';
import { validateContainer, validateNetworks } from './validate-container.js';
import { validatePortFields } from './validate-ports.js';
import {
  validateConstraints,
  validateSingleInstance,
  validateUnreachableStrategy,
  validateUpgradeStrategy,
} from './validate-scheduling.js';
import {
  at,
  checkArray,
  checkBoolean,
  checkEnum,
  checkNumber,
  checkObject,
  checkString,
  checkStringArray,
  checkStringMap,
  isAbsent,
  item,
  Issues,
  NON_NEGATIVE_INT,
  type Json,
  type NumberRule,
} from './validation-issues.js';

export type { ValidationDetail } from './app-types.js';

export const CMD_ARGS_CONTAINER_MESSAGE =
  "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.";
export const VERSION_ONLY_MESSAGE = "The 'version' field may only be combined with the 'id' field.";

const NUMBER_RULES: Record<string, NumberRule> = {
  instances: NON_NEGATIVE_INT,
  cpus: { min: 0 },
  mem: { min: 0 },
  disk: { min: 0 },
  gpus: NON_NEGATIVE_INT,
  backoffSeconds: NON_NEGATIVE_INT,
  backoffFactor: { min: 1 },
  maxLaunchDelaySeconds: NON_NEGATIVE_INT,
  taskKillGracePeriodSeconds: NON_NEGATIVE_INT,
};

const EXECUTOR_PATTERN = /^(|\/\/cmd|\/?[^/]+(\/[^/]+)*)$/;

/** Validates a complete app definition (POST /v2/apps, rendered package apps). Empty = valid. */
export function validateApp(app: unknown): ValidationDetail[] {
  const issues = new Issues();
  if (!isObject(app)) issues.add('/', `expected an object, got ${kindOf(app)}`);
  else validateFields(issues, app, false);
  return issues.details();
}

export interface AppUpdateOptions {
  /** Marathon's `partialUpdate` query flag (default true): absent fields keep their values. */
  partialUpdate?: boolean;
}

/**
 * Validates a PUT/PATCH body. A body carrying `version` is a rollback and may only add `id`.
 * Partial bodies get field-level rules only; rules spanning fields the body may not carry
 * (port references, cmd/args/container) belong to `validateApp` on the merged result.
 */
export function validateAppUpdate(body: unknown, options: AppUpdateOptions = {}): ValidationDetail[] {
  const issues = new Issues();
  if (!isObject(body)) {
    issues.add('/', `expected an object, got ${kindOf(body)}`);
    return issues.details();
  }
  if (!isAbsent(body.version)) {
    checkString(issues, '/version', body.version);
    const others = Object.keys(body).filter((key) => key !== 'id' && key !== 'version' && !isAbsent(body[key]));
    if (others.length > 0) issues.add('/', VERSION_ONLY_MESSAGE);
    if (!isAbsent(body.id)) validateId(issues, body.id);
    return issues.details();
  }
  validateFields(issues, body, options.partialUpdate ?? true);
  return issues.details();
}

function validateFields(issues: Issues, app: Json, partial: boolean): void {
  if (isAbsent(app.id)) {
    if (!partial) issues.add('/id', 'is required');
  } else {
    validateId(issues, app.id);
  }
  const cmd = checkString(issues, '/cmd', app.cmd);
  if (cmd === '') issues.add('/cmd', 'must not be an empty string');
  const args = checkStringArray(issues, '/args', app.args);
  if (!partial && !hasCommandOrContainer(cmd, args, app.container)) issues.add('/', CMD_ARGS_CONTAINER_MESSAGE);

  for (const [field, rule] of Object.entries(NUMBER_RULES)) checkNumber(issues, at('', field), app[field], rule);
  checkString(issues, '/user', app.user);
  checkBoolean(issues, '/requirePorts', app.requirePorts);
  const executor = checkString(issues, '/executor', app.executor);
  if (executor !== undefined && !EXECUTOR_PATTERN.test(executor)) {
    issues.add('/executor', `must fully match regular expression '${EXECUTOR_PATTERN.source}'`);
  }
  checkEnum(issues, '/killSelection', app.killSelection, ['YOUNGEST_FIRST', 'OLDEST_FIRST'] as const);
  checkStringArray(issues, '/acceptedResourceRoles', app.acceptedResourceRoles);
  checkString(issues, '/version', app.version);
  checkObject(issues, '/versionInfo', app.versionInfo);
  validateEnv(issues, app.env);
  checkStringMap(issues, '/labels', app.labels);
  validateDependencies(issues, app);
  validateFetch(issues, app);

  validatePortFields(issues, app);
  validateContainer(issues, app);
  validateNetworks(issues, app);
  validateConstraints(issues, app);
  validateUpgradeStrategy(issues, app);
  validateUnreachableStrategy(issues, app);
  if (partial) {
    // Only the shapes; port references are checked against the merged app.
    checkArray(issues, '/healthChecks', app.healthChecks)?.forEach((c, i) => checkObject(issues, item('/healthChecks', i), c));
    checkArray(issues, '/readinessChecks', app.readinessChecks)?.forEach((c, i) => checkObject(issues, item('/readinessChecks', i), c));
  } else {
    validateHealthChecks(issues, app);
    validateReadinessChecks(issues, app);
    validateSingleInstance(issues, app);
  }
}

function validateId(issues: Issues, value: unknown): void {
  const id = checkString(issues, '/id', value);
  if (id !== undefined) for (const message of appIdErrors(id)) issues.add('/id', message);
}

/** Marathon: exactly one of cmd/args, or neither with a container that names an image. */
function hasCommandOrContainer(cmd: string | undefined, args: string[] | undefined, container: unknown): boolean {
  const hasCmd = cmd !== undefined;
  const hasArgs = args !== undefined && args.length > 0;
  if (hasCmd !== hasArgs) return true;
  if (hasCmd && hasArgs) return false;
  if (!isObject(container)) return false;
  const type = container.type ?? 'DOCKER';
  const hasDocker = !isAbsent(container.docker);
  const hasAppc = !isAbsent(container.appc);
  return (hasDocker && !hasAppc && (type === 'DOCKER' || type === 'MESOS')) || (hasAppc && !hasDocker && type === 'MESOS');
}

function validateEnv(issues: Issues, value: unknown): void {
  const env = checkObject(issues, '/env', value);
  if (!env) return;
  for (const [name, entry] of Object.entries(env)) {
    const path = at('/env', name);
    // Apps (unlike pods) keep Marathon's lax legacy names: only emptiness is rejected.
    if (name === '') issues.add(path, 'must not be empty');
    if (typeof entry === 'string') continue;
    if (isObject(entry) && typeof entry.secret === 'string') {
      if (entry.secret === '') issues.add(at(path, 'secret'), 'must not be empty');
      continue;
    }
    issues.add(path, `expected a string or an object with a 'secret' string, got ${kindOf(entry)}`);
  }
}

function validateDependencies(issues: Issues, app: Json): void {
  const dependencies = checkArray(issues, '/dependencies', app.dependencies);
  if (!dependencies) return;
  // Relative dependencies resolve against the app's own group.
  const base = typeof app.id === 'string' ? parentOf(app.id) : '/';
  dependencies.forEach((raw, i) => {
    const dependency = checkString(issues, item('/dependencies', i), raw);
    if (dependency === undefined) return;
    for (const message of appIdErrors(dependency, base)) issues.add(item('/dependencies', i), message);
  });
}

const URI_SYNTAX_MESSAGE = 'URI has invalid syntax.';
const isUri = (uri: string): boolean => uri.length > 0 && !/\s/.test(uri);

function validateFetch(issues: Issues, app: Json): void {
  const fetch = checkArray(issues, '/fetch', app.fetch);
  fetch?.forEach((raw, i) => {
    const path = item('/fetch', i);
    const artifact = checkObject(issues, path, raw);
    if (!artifact) return;
    if (isAbsent(artifact.uri)) issues.add(at(path, 'uri'), 'is required');
    const uri = checkString(issues, at(path, 'uri'), artifact.uri);
    if (uri !== undefined && !isUri(uri)) issues.add(at(path, 'uri'), URI_SYNTAX_MESSAGE);
    for (const flag of ['extract', 'executable', 'cache']) checkBoolean(issues, at(path, flag), artifact[flag]);
    checkString(issues, at(path, 'destPath'), artifact.destPath);
  });
  const uris = checkArray(issues, '/uris', app.uris);
  uris?.forEach((raw, i) => {
    const uri = checkString(issues, item('/uris', i), raw);
    if (uri !== undefined && !isUri(uri)) issues.add(item('/uris', i), URI_SYNTAX_MESSAGE);
  });
  if (uris && uris.length > 0 && fetch && fetch.length > 0) {
    issues.add('/uris', 'may not be set in conjunction with fetch');
  }
}
