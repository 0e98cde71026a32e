// container (DOCKER/MESOS engines, volumes, port mappings) and networks.
import { isObject } from '../core/json-checks.js';
import { validatePortMappings } from './validate-ports.js';
import {
  at,
  checkArray,
  checkBoolean,
  checkEnum,
  checkNonEmptyString,
  checkNumber,
  checkObject,
  checkString,
  checkStringMap,
  isAbsent,
  item,
  type Issues,
  type Json,
} from './validation-issues.js';

export const CONTAINER_TYPES = ['DOCKER', 'MESOS'] as const;
export const NETWORK_MODES = ['host', 'container', 'container/bridge'] as const;
const DOCKER_NETWORKS = ['BRIDGE', 'HOST', 'NONE', 'USER'] as const;

export function validateContainer(issues: Issues, app: Json): void {
  const container = checkObject(issues, '/container', app.container);
  if (!container) return;
  const type = isAbsent(container.type)
    ? 'DOCKER'
    : checkEnum(issues, '/container/type', container.type, CONTAINER_TYPES);
  const docker = checkObject(issues, '/container/docker', container.docker);
  if (type === 'DOCKER' && isAbsent(container.docker)) {
    issues.add('/container/docker', 'must be defined for a DOCKER container');
  }
  if (docker) validateDocker(issues, docker, type);
  validatePortMappings(issues, '/container/portMappings', container.portMappings);
  validateVolumes(issues, container.volumes);
  if (type === 'DOCKER' && typeof app.gpus === 'number' && app.gpus > 0) {
    issues.add('/', 'GPU resources only work with the Mesos containerizer');
  }
}

function validateDocker(issues: Issues, docker: Json, type: string | undefined): void {
  const path = '/container/docker';
  if (isAbsent(docker.image)) issues.add(at(path, 'image'), 'is required');
  else checkNonEmptyString(issues, at(path, 'image'), docker.image);
  checkEnum(issues, at(path, 'network'), docker.network, DOCKER_NETWORKS);
  checkBoolean(issues, at(path, 'privileged'), docker.privileged);
  checkBoolean(issues, at(path, 'forcePullImage'), docker.forcePullImage);
  validatePortMappings(issues, at(path, 'portMappings'), docker.portMappings);
  if (type === 'DOCKER' && !isAbsent(docker.pullConfig)) {
    issues.add(at(path, 'pullConfig'), 'pullConfig is not supported with Docker containerizer');
  }
  const parameters = checkArray(issues, at(path, 'parameters'), docker.parameters);
  parameters?.forEach((raw, i) => {
    const parameterPath = item(at(path, 'parameters'), i);
    const parameter = checkObject(issues, parameterPath, raw);
    if (!parameter) return;
    if (isAbsent(parameter.key)) issues.add(at(parameterPath, 'key'), 'is required');
    else checkNonEmptyString(issues, at(parameterPath, 'key'), parameter.key);
    if (isAbsent(parameter.value)) issues.add(at(parameterPath, 'value'), 'is required');
    else checkString(issues, at(parameterPath, 'value'), parameter.value);
  });
}

function validateVolumes(issues: Issues, value: unknown): void {
  const volumes = checkArray(issues, '/container/volumes', value);
  volumes?.forEach((raw, i) => {
    const path = item('/container/volumes', i);
    const volume = checkObject(issues, path, raw);
    if (!volume) return;
    const containerPath = checkNonEmptyString(issues, at(path, 'containerPath'), volume.containerPath);
    const mode = checkEnum(issues, at(path, 'mode'), volume.mode, ['RO', 'RW'] as const);
    if (!isAbsent(volume.hostPath)) {
      checkNonEmptyString(issues, at(path, 'hostPath'), volume.hostPath);
      if (isAbsent(volume.containerPath)) issues.add(at(path, 'containerPath'), 'is required');
    }
    if (!isAbsent(volume.persistent)) validatePersistentVolume(issues, path, volume, containerPath, mode);
  });
}

/**
 * Marathon's local persistent volume rules: a single directory of the sandbox ("data", never
 * "/data" or "var/data"), read-write, with a size in MiB.
 */
function validatePersistentVolume(issues: Issues, path: string, volume: Json, containerPath: string | undefined, mode: string | undefined): void {
  if (isAbsent(volume.containerPath)) issues.add(at(path, 'containerPath'), 'is required');
  if (containerPath !== undefined && containerPath.includes('/')) {
    issues.add(at(path, 'containerPath'), 'must not contain "/": a persistent volume is one directory of the sandbox ("data", not "/data" or "var/data")');
  }
  if (containerPath === '.' || containerPath === '..') issues.add(at(path, 'containerPath'), 'must not be "." or ".."');
  if (isAbsent(volume.mode)) issues.add(at(path, 'mode'), 'is required');
  else if (mode !== undefined && mode !== 'RW') issues.add(at(path, 'mode'), `got ${mode}, expected RW: persistent volumes are read-write`);
  if (!isAbsent(volume.hostPath)) issues.add(path, 'a volume is either persistent or a host volume (hostPath), not both');
  const persistent = checkObject(issues, at(path, 'persistent'), volume.persistent);
  if (!persistent) return;
  if (isAbsent(persistent.size)) issues.add(at(at(path, 'persistent'), 'size'), 'is required');
  else checkNumber(issues, at(at(path, 'persistent'), 'size'), persistent.size, { integer: true, min: 0 });
  checkEnum(issues, at(at(path, 'persistent'), 'type'), persistent.type, ['root', 'path', 'mount'] as const);
}

/** Whether the app declares local persistent volumes: Marathon calls such an app resident. */
export function hasPersistentVolumes(app: Json): boolean {
  const container = isObject(app.container) ? app.container : undefined;
  return Array.isArray(container?.volumes) && container.volumes.some((v) => isObject(v) && !isAbsent(v.persistent));
}

export function validateNetworks(issues: Issues, app: Json): void {
  const networks = checkArray(issues, '/networks', app.networks);
  if (!networks) return;
  const modes: string[] = [];
  let namedHost = false;
  let namedBridge = false;
  networks.forEach((raw, i) => {
    const path = item('/networks', i);
    const network = checkObject(issues, path, raw);
    if (!network) return;
    const mode = isAbsent(network.mode) ? 'container' : checkEnum(issues, at(path, 'mode'), network.mode, NETWORK_MODES);
    const name = checkString(issues, at(path, 'name'), network.name);
    const labels = checkStringMap(issues, at(path, 'labels'), network.labels);
    if (!mode) return;
    modes.push(mode);
    if (mode === 'host' && (Boolean(name) || (labels !== undefined && Object.keys(labels).length > 0))) namedHost = true;
    if (mode === 'container/bridge' && Boolean(name)) namedBridge = true;
  });
  if (namedHost) issues.add('/networks', 'Host networks may not have names or labels');
  if (namedBridge) issues.add('/networks', 'Bridge networks may not have names');
  const count = (mode: string): number => modes.filter((m) => m === mode).length;
  const host = count('host');
  const bridge = count('container/bridge');
  const containerNets = count('container');
  const consistent =
    (bridge === 0 && containerNets === 0 && host <= 1) ||
    (host === 0 && containerNets === 0 && bridge <= 1) ||
    (host === 0 && bridge === 0);
  if (!consistent) {
    issues.add('/networks', 'May specify a single host network, single bridge network, or else 1-to-n container networks');
  }
  validateNetworkCombinations(issues, app, modes);
}

/** Rules tying explicit `networks` to the port fields and the deprecated docker.network. */
function validateNetworkCombinations(issues: Issues, app: Json, modes: string[]): void {
  if (modes.length === 0) return;
  const container = isObject(app.container) ? app.container : undefined;
  const docker = container && isObject(container.docker) ? container.docker : undefined;
  if (docker && !isAbsent(docker.network)) {
    issues.add('/', 'must not specify both container.docker.network and networks');
  }
  const mappings = container?.portMappings;
  if (modes.includes('host') && Array.isArray(mappings) && mappings.length > 0) {
    issues.add('/', 'portMappings are not allowed with host-networking');
  }
  if (modes.some((mode) => mode !== 'host') && Array.isArray(app.portDefinitions) && app.portDefinitions.length > 0) {
    issues.add('/', 'portDefinitions are only allowed with host-networking');
  }
}

/**
 * Marathon's rule for updating a resident app: its persistent volumes stay as they are (each
 * instance's volumes were made to that definition), or the update is refused.
 */
export function residentUpdateIssues(from: Json, to: Json): Array<{ path: string; errors: string[] }> {
  const describe = (app: Json): string[] => {
    const container = isObject(app.container) ? app.container : undefined;
    const volumes = Array.isArray(container?.volumes) ? container.volumes : [];
    return volumes
      .filter((v): v is Json => isObject(v) && !isAbsent(v.persistent))
      .map((v) => {
        const p = v.persistent as Json;
        return JSON.stringify([v.containerPath, v.mode, p.size, p.type ?? 'root', p.maxSize ?? null]);
      })
      .sort();
  };
  const before = describe(from);
  if (before.length === 0 && describe(to).length === 0) return [];
  return JSON.stringify(before) === JSON.stringify(describe(to)) ? [] : [{ path: '/', errors: ['Persistent volumes can not be changed!'] }];
}
