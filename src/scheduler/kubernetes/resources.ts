/**
 * Marathon's cpus, mem, disk (MiB) and gpus as Kubernetes quantities, in the canonical form the
 * API server stores them in (`1500m`, `1`, `1536Mi`, `2Gi`), so that applying the same app twice
 * changes nothing.
 */
import type { Findings } from './problems.js';
import type { ResourceRequirements } from './objects.js';

const EPSILON = 1e-9;

/** CPU cores as millicores, rounded up: `0.5` -> `500m`, `2` -> `2`. */
export function cpuQuantity(cpus: number): string {
  const millis = Math.max(1, Math.ceil(cpus * 1000 - EPSILON));
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** MiB as a binary quantity with the largest exact suffix: `1024` -> `1Gi`, `0.5` -> `512Ki`. */
export function mebibytes(mib: number): string {
  let amount = Math.ceil(mib * 1024 * 1024 - EPSILON);
  let suffix = 0;
  while (amount >= 1024 && amount % 1024 === 0 && suffix < BINARY_SUFFIXES.length - 1) {
    amount /= 1024;
    suffix += 1;
  }
  return `${amount}${BINARY_SUFFIXES[suffix]}`;
}

export interface AppResources {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

/**
 * Requests equal to limits, as Mesos enforces what an app asks for (CPU quota, memory limit):
 * the pod is in the Guaranteed class. Zero asks for nothing and is left out.
 */
export function resourceRequirements(app: AppResources, findings: Findings): ResourceRequirements {
  const amounts: Record<string, string> = {};
  if (app.cpus > 0) amounts.cpu = cpuQuantity(app.cpus);
  if (app.mem > 0) amounts.memory = mebibytes(app.mem);
  if (app.disk > 0) {
    amounts['ephemeral-storage'] = mebibytes(app.disk);
    findings.note(`disk ${app.disk} MiB -> ephemeral-storage (the sandbox and the container's own writes count against it; above it the kubelet evicts the pod)`);
  }
  if (app.gpus > 0) {
    if (Number.isInteger(app.gpus)) amounts['nvidia.com/gpu'] = String(app.gpus);
    else findings.refuse('gpus', `${app.gpus} GPUs: Kubernetes schedules whole GPUs only; ask for a whole number`);
  }
  if (Object.keys(amounts).length === 0) return {};
  return { requests: { ...amounts }, limits: { ...amounts } };
}
