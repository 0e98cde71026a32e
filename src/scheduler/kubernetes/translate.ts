/**
 * A rendered Marathon app as Kubernetes objects: a Deployment (or, with persistent volumes, a
 * StatefulSet), a ClusterIP Service for its ports and a PodDisruptionBudget. Pure: nothing is
 * applied here. What has no Kubernetes meaning is refused, before anything is applied, as one
 * error naming every field; what is approximated or chosen is said in `notes`. The output is
 * deterministic (fixed key order), so server-side applying the same app twice changes nothing.
 */
import { DcosError } from '../../core/errors.js';
import { normalizeApp } from '../../marathon/app-defaults.js';
import type { AppDefinition } from '../../marathon/app-types.js';
import { checkContainer, containerImage, IMAGELESS_HINT, securityContextOf } from './container.js';
import { escapeExpansion, podEnvironment } from './env.js';
import { fetchContainer } from './fetch.js';
import { checkFields } from './fields.js';
import { appAnnotations, appLabels, ANNOTATIONS, checkAnnotationSize } from './metadata.js';
import { MAX_NAME, MAX_STATEFULSET_NAME, objectName } from './names.js';
import type { Container, Deployment, PodDisruptionBudget, PodSpec, PodTemplateSpec, Service, StatefulSet } from './objects.js';
import { placementOf } from './placement.js';
import { checkNetworks, containerPorts, resolvePorts, servicePorts } from './ports.js';
import { probesFor } from './probes.js';
import { Findings } from './problems.js';
import { resourceRequirements } from './resources.js';
import { deploymentStrategy, disruptionBudget } from './strategy.js';
import { podVolumes, SANDBOX_PATH } from './volumes.js';

/** A Marathon app definition, as the universe renders it. */
export type MarathonApp = AppDefinition;

export interface TranslateOptions {
  namespace: string;
  /** `policy/v1` from Kubernetes 1.21, `policy/v1beta1` before. */
  apiVersions: { pdb: 'policy/v1' | 'policy/v1beta1' };
  /** The field manager to apply with (server-side apply); default `dcos`. */
  fieldManager?: string;
  /** Image of the init container that downloads `fetch` URIs (sh, wget, tar, sha*sum); without it they are refused. */
  fetchImage?: string;
  /** Storage class of the volume claims; default: the cluster's default class. */
  storageClass?: string;
}

export interface Translation {
  workload: Deployment | StatefulSet;
  service?: Service;
  pdb?: PodDisruptionBudget;
  /** What was approximated or chosen, one sentence each. */
  notes: string[];
  fieldManager: string;
}

export const DEFAULT_FIELD_MANAGER = 'dcos';

export function translateApp(app: MarathonApp, opts: TranslateOptions): Translation {
  const findings = new Findings();
  const n = normalizeApp(app);
  checkFields(app, n, findings);
  checkContainer(n, findings);
  const image = containerImage(n, findings);
  const securityContext = securityContextOf(n, findings);
  const mode = checkNetworks(n, findings);
  const ports = resolvePorts(n, mode, findings);
  const stateful = (n.container?.volumes ?? []).some((v) => v.persistent);
  const named = objectName(n.id, stateful ? MAX_STATEFULSET_NAME : MAX_NAME);
  const name = named.name;
  if (named.shortened) findings.note(`name shortened: ${n.id} -> ${name} (at most ${stateful ? MAX_STATEFULSET_NAME : MAX_NAME} characters, with a hash of the app id)`);
  else if (named.changed) findings.note(`name: ${n.id} -> ${name} (a DNS-1123 label starting with a letter)`);
  const { labels, selector } = appLabels(name, n.labels, findings);
  const volumes = podVolumes(n.container?.volumes ?? [], { storageClass: opts.storageClass, labels }, findings);
  const resources = resourceRequirements(n, findings);
  const probes = probesFor(n.healthChecks, n.readinessChecks, ports, findings);
  const placement = placementOf(n.constraints, { matchLabels: selector }, findings);
  const env = podEnvironment(n, ports, image, findings);
  const init = fetchContainer(n.fetch, { fetchImage: opts.fetchImage, base: { resources, securityContext } }, findings);

  if (findings.problems.length) {
    const count = findings.problems.length;
    const imageless = findings.problems.some((p) => p.path === 'container.docker.image');
    throw new DcosError('EKUBE_UNSUPPORTED', `The app ${n.id} cannot be translated for Kubernetes: ${count} field${count === 1 ? ' has' : 's have'} no Kubernetes meaning`, {
      details: findings.problems,
      showDetails: true,
      hint: imageless ? IMAGELESS_HINT : 'Change these fields (or the package options that produce them). Nothing was applied.',
    });
  }

  const annotations = appAnnotations(app, n.id);
  checkAnnotationSize(n.id, annotations);

  const main: Container = {
    name,
    image: image as string,
    imagePullPolicy: n.container?.docker?.forcePullImage ? 'Always' : 'IfNotPresent',
    ...(n.cmd ? { command: ['/bin/sh', '-c', escapeExpansion(n.cmd)] } : {}),
    ...(n.args && n.args.length ? { args: n.args.map(escapeExpansion) } : {}),
    workingDir: SANDBOX_PATH,
    env,
    ...(ports.length ? { ports: containerPorts(ports) } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
    volumeMounts: volumes.mounts,
    ...probes,
    ...(securityContext ? { securityContext } : {}),
  };
  if (init) init.command = init.command?.map(escapeExpansion);
  findings.note(`the sandbox -> an emptyDir at ${SANDBOX_PATH} ($MESOS_SANDBOX, the working directory), as the Mesos Docker containerizer mounts it; it is lost with the pod`);
  findings.note('service links off (enableServiceLinks false): Kubernetes would otherwise add <SERVICE>_PORT variables that images reading their settings from the environment (KAFKA_*) take as settings');
  findings.note('no service account token in the pod (automountServiceAccountToken false): Marathon tasks get no cluster credentials either');

  const spec: PodSpec = {
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    ...(n.taskKillGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: n.taskKillGracePeriodSeconds } : {}),
    ...placement,
    ...(init ? { initContainers: [init] } : {}),
    containers: [main],
    volumes: volumes.volumes,
  };
  const template: PodTemplateSpec = { metadata: { labels: { ...labels }, annotations: { [ANNOTATIONS.appId]: n.id } }, spec };
  const meta = (extra?: Record<string, string>) => ({
    name,
    namespace: opts.namespace,
    labels: { ...labels },
    annotations: extra ?? { [ANNOTATIONS.appId]: n.id },
  });

  let workload: Deployment | StatefulSet;
  if (stateful) {
    findings.note('persistent volumes -> a StatefulSet with a volume claim template each; its pods are replaced one at a time on their own claims (upgradeStrategy not used)');
    findings.note('podManagementPolicy Parallel: Marathon starts all instances at once; OrderedReady would wait for each pod to be ready first, which members that need each other to become ready never are');
    findings.note('the claims are deleted with the StatefulSet and kept on scale-down (persistentVolumeClaimRetentionPolicy), as Marathon destroys volumes only with the app');
    workload = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(annotations),
      spec: {
        replicas: n.instances,
        selector: { matchLabels: { ...selector } },
        serviceName: name,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
        template,
        volumeClaimTemplates: volumes.claims,
      },
    };
  } else {
    workload = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(annotations),
      spec: { replicas: n.instances, selector: { matchLabels: { ...selector } }, strategy: deploymentStrategy(n, findings), template },
    };
  }

  let service: Service | undefined;
  if (ports.length) {
    if (stateful) findings.note(`serviceName ${name} is the app's ClusterIP Service, not a headless one: pods get no DNS names of their own (Mesos-DNS gave none per task either)`);
    service = { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { type: 'ClusterIP', selector: { ...selector }, ports: servicePorts(ports) } };
  } else if (stateful) {
    findings.note(`no ports, so no Service: the StatefulSet's serviceName ${name} names none`);
  }
  const minAvailable = disruptionBudget(n, findings);
  const pdb: PodDisruptionBudget | undefined =
    minAvailable === undefined
      ? undefined
      : { apiVersion: opts.apiVersions.pdb, kind: 'PodDisruptionBudget', metadata: meta(), spec: { minAvailable, selector: { matchLabels: { ...selector } } } };
  return {
    workload,
    ...(service ? { service } : {}),
    ...(pdb ? { pdb } : {}),
    notes: findings.notes,
    fieldManager: opts.fieldManager ?? DEFAULT_FIELD_MANAGER,
  };
}
