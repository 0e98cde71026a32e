// Placement and lifecycle policy: constraints, upgrade/unreachable strategies, single-instance apps.
import { hasPersistentVolumes } from './validate-container.js';
import { isObject } from '../core/json-checks.js';
import {
  at,
  checkArray,
  checkNumber,
  checkObject,
  isAbsent,
  item,
  NON_NEGATIVE_INT,
  type Issues,
  type Json,
} from './validation-issues.js';

export const CONSTRAINT_OPERATOR_MESSAGE =
  'Constraint operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS';
export const CONSTRAINT_ARITY_MESSAGE = 'Each constraint must have either 2 or 3 fields';

/** Label that marks framework schedulers which must never run twice. */
export const SINGLE_INSTANCE_LABEL = 'MARATHON_SINGLE_INSTANCE_APP';

// Java's Integer.parseInt accepts an optional sign and decimal digits within int32.
const isJavaInt = (text: string): boolean => /^[+-]?\d+$/.test(text) && Math.abs(Number(text)) <= 2 ** 31;

export function validateConstraints(issues: Issues, app: Json): void {
  const constraints = checkArray(issues, '/constraints', app.constraints);
  constraints?.forEach((raw, i) => {
    const path = item('/constraints', i);
    const constraint = checkArray(issues, path, raw);
    if (!constraint) return;
    if (constraint.some((part) => typeof part !== 'string')) {
      issues.add(path, 'Each constraint field must be a string');
      return;
    }
    const message = constraintProblem(constraint as string[]);
    if (message) issues.add(path, message);
  });
}

/** Marathon's per-operator rules; `undefined` when the constraint is fine. */
function constraintProblem(parts: string[]): string | undefined {
  if (parts.length < 2 || parts.length > 3) return CONSTRAINT_ARITY_MESSAGE;
  const [, operator, value] = parts;
  switch (operator) {
    case 'UNIQUE':
      // Marathon 1.4 output wrote `["hostname","UNIQUE",""]`; only a real value is rejected.
      return value ? 'Value specified but not used' : undefined;
    case 'CLUSTER':
    case 'IS':
      return value === undefined ? 'Missing value' : undefined;
    case 'GROUP_BY':
      return value === undefined || isJavaInt(value) ? undefined : 'Value was specified but is not a number';
    case 'MAX_PER':
      return value !== undefined && isJavaInt(value) ? undefined : 'Value was not specified or is not a number';
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined) return 'A regular expression value must be provided';
      return isRegex(value) ? undefined : `'${value}' is not a valid regular expression`;
    default:
      return CONSTRAINT_OPERATOR_MESSAGE;
  }
}

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export function validateUpgradeStrategy(issues: Issues, app: Json): void {
  const strategy = checkObject(issues, '/upgradeStrategy', app.upgradeStrategy);
  if (!strategy) return;
  const unit = { min: 0, max: 1 };
  const minimum = checkNumber(issues, '/upgradeStrategy/minimumHealthCapacity', strategy.minimumHealthCapacity, unit);
  const maximum = checkNumber(issues, '/upgradeStrategy/maximumOverCapacity', strategy.maximumOverCapacity, unit);
  // A resident instance's new task takes its old task's volumes: the two can never overlap.
  if (hasPersistentVolumes(app) && !isSingleInstance(app) && maximum !== undefined && maximum !== 0) {
    issues.add('/upgradeStrategy/maximumOverCapacity', `got ${maximum}, expected 0 (an app with persistent volumes replaces each task in place, on its volumes)`);
  }
  if (!isSingleInstance(app)) return;
  // A second copy of a single-instance framework must never overlap the first one.
  if (minimum !== undefined && minimum !== 0) issues.add('/upgradeStrategy/minimumHealthCapacity', `got ${minimum}, expected 0`);
  if (maximum !== undefined && maximum !== 0) issues.add('/upgradeStrategy/maximumOverCapacity', `got ${maximum}, expected 0`);
}

export function validateSingleInstance(issues: Issues, app: Json): void {
  if (isSingleInstance(app) && typeof app.instances === 'number' && app.instances > 1) {
    issues.add('/', 'Single instance app may only have one instance');
  }
}

export function isSingleInstance(app: Json): boolean {
  const labels = app.labels;
  return isObject(labels) && labels[SINGLE_INSTANCE_LABEL] === 'true';
}

export function validateUnreachableStrategy(issues: Issues, app: Json): void {
  const value = app.unreachableStrategy;
  if (isAbsent(value) || value === 'disabled') return;
  if (typeof value === 'string') {
    issues.add('/unreachableStrategy', `must be 'disabled' or an object, got '${value}'`);
    return;
  }
  const strategy = checkObject(issues, '/unreachableStrategy', value);
  if (!strategy) return;
  const inactive = checkNumber(issues, at('/unreachableStrategy', 'inactiveAfterSeconds'), strategy.inactiveAfterSeconds, NON_NEGATIVE_INT);
  const expunge = checkNumber(issues, at('/unreachableStrategy', 'expungeAfterSeconds'), strategy.expungeAfterSeconds, NON_NEGATIVE_INT);
  if (inactive !== undefined && expunge !== undefined && inactive > expunge) {
    issues.add('/unreachableStrategy', 'inactiveAfterSeconds must be less than or equal to expungeAfterSeconds');
  }
}
