/**
 * How pods are replaced and how many may be down: Marathon's upgradeStrategy as a Deployment
 * strategy, and minimumHealthCapacity as a PodDisruptionBudget.
 */
import type { NormalizedApp } from '../../marathon/app-types.js';
import { isSingleInstance } from '../../marathon/validate-scheduling.js';
import type { Deployment } from './objects.js';
import type { Findings } from './problems.js';

const EPSILON = 1e-9;

export function deploymentStrategy(app: NormalizedApp, findings: Findings): Deployment['spec']['strategy'] {
  const { minimumHealthCapacity: minHealth, maximumOverCapacity: overCapacity } = app.upgradeStrategy;
  if (isSingleInstance(app)) {
    findings.note('MARATHON_SINGLE_INSTANCE_APP -> strategy Recreate: the old pod stops before the new one starts');
    return { type: 'Recreate' };
  }
  if (minHealth === 0 && overCapacity === 0) {
    findings.note('upgradeStrategy minimumHealthCapacity 0, maximumOverCapacity 0 -> strategy Recreate: old pods stop before new ones start');
    return { type: 'Recreate' };
  }
  const n = app.instances;
  let maxUnavailable = Math.max(0, Math.floor((1 - minHealth) * n + EPSILON));
  let maxSurge = Math.max(0, Math.ceil(overCapacity * n - EPSILON));
  const from = `minimumHealthCapacity ${minHealth}, maximumOverCapacity ${overCapacity}, ${n} instance${n === 1 ? '' : 's'}`;
  if (maxUnavailable === 0 && maxSurge === 0) {
    // Kubernetes refuses both 0; Marathon, with no room either, starts one instance over capacity.
    maxSurge = 1;
    maxUnavailable = 0;
    findings.note(`strategy RollingUpdate: maxSurge 1, maxUnavailable 0 chosen (${from} give both 0, which Kubernetes refuses; Marathon too makes room for one more instance)`);
  } else {
    findings.note(`strategy RollingUpdate: maxUnavailable ${maxUnavailable}, maxSurge ${maxSurge} (from ${from})`);
  }
  return { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge } };
}

/** minAvailable for the disruption budget, or undefined when none is made (said in a note). */
export function disruptionBudget(app: NormalizedApp, findings: Findings): number | undefined {
  const n = app.instances;
  const minHealth = app.upgradeStrategy.minimumHealthCapacity;
  if (n <= 1) {
    findings.note(`no PodDisruptionBudget for ${n} instance${n === 1 ? '' : 's'}: one would either forbid draining the pod's node or allow everything`);
    return undefined;
  }
  const wanted = Math.ceil(minHealth * n - EPSILON);
  if (wanted <= 0) {
    findings.note('no PodDisruptionBudget: minimumHealthCapacity 0 lets every pod be down');
    return undefined;
  }
  const minAvailable = Math.min(wanted, n - 1);
  if (minAvailable < wanted) {
    findings.note(`PodDisruptionBudget minAvailable ${minAvailable} of ${n} (minimumHealthCapacity ${minHealth} would keep all ${n}, which forbids draining any node that runs one)`);
  } else {
    findings.note(`PodDisruptionBudget minAvailable ${minAvailable} of ${n} (minimumHealthCapacity ${minHealth})`);
  }
  return minAvailable;
}
