import { isDcosError, type DcosError } from '../../../../src/core/errors.js';
import { translateApp, type MarathonApp, type TranslateOptions, type Translation } from '../../../../src/scheduler/kubernetes/translate.js';
import type { Container, Deployment, StatefulSet } from '../../../../src/scheduler/kubernetes/objects.js';

export const OPTS: TranslateOptions = { namespace: 'data', apiVersions: { pdb: 'policy/v1' } };

/** A small app that translates: an image, a command, one named port. */
export function app(extra: Partial<MarathonApp> = {}): MarathonApp {
  return {
    id: '/web',
    cmd: 'exec server --port "$PORT0"',
    cpus: 0.5,
    mem: 256,
    instances: 2,
    container: { type: 'DOCKER', docker: { image: 'example/web:1.0' } },
    networks: [{ mode: 'host' }],
    portDefinitions: [{ port: 0, name: 'http' }],
    ...extra,
  };
}

export function translate(input: MarathonApp, opts: Partial<TranslateOptions> = {}): Translation {
  return translateApp(input, { ...OPTS, ...opts });
}

export function mainContainer(t: Translation): Container {
  return t.workload.spec.template.spec.containers[0];
}

export function deployment(t: Translation): Deployment {
  if (t.workload.kind !== 'Deployment') throw new Error(`a ${t.workload.kind}, not a Deployment`);
  return t.workload;
}

export function statefulSet(t: Translation): StatefulSet {
  if (t.workload.kind !== 'StatefulSet') throw new Error(`a ${t.workload.kind}, not a StatefulSet`);
  return t.workload;
}

/** The error translateApp throws for `input` (fails the test when it translates). */
export function refusal(input: MarathonApp, opts: Partial<TranslateOptions> = {}): DcosError {
  try {
    translate(input, opts);
  } catch (err) {
    if (isDcosError(err)) return err;
    throw err;
  }
  throw new Error(`${input.id} translated, but a refusal was expected`);
}

export function envOf(c: Container): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? `<${e.valueFrom?.fieldRef?.fieldPath ?? JSON.stringify(e.valueFrom)}>`]));
}
