// Marathon's canonical form of an app: every defaulted field filled, deprecated fields folded in.
// Expects an app that `validateApp` accepted; the input is never mutated.
import { normalizeAppId, parentOf } from './app-id.js';
import type {
  AppContainer,
  AppDefinition,
  FetchUri,
  HealthCheck,
  Network,
  NetworkMode,
  NormalizedApp,
  PortDefinition,
  ReadinessCheck,
  UpgradeStrategy,
} from './app-types.js';
import { isSingleInstance } from './validate-scheduling.js';

export const DEFAULT_PORT_DEFINITIONS: readonly PortDefinition[] = [{ port: 0, protocol: 'tcp', name: 'default' }];

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS']);
const MESOS_RUN = new Set(['COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP']);

/** Deprecated docker.network values and the `networks` mode each one stands for. */
const DOCKER_NETWORK_MODES: Record<string, NetworkMode> = { HOST: 'host', BRIDGE: 'container/bridge', USER: 'container' };

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

export function normalizeApp(app: AppDefinition): NormalizedApp {
  const source = structuredClone(app);
  const id = normalizeAppId(source.id);
  const lifted = given(source.container) ? normalizeContainer(source.container) : undefined;
  const container = lifted?.container ?? null;
  const networks = normalizeNetworks(source.networks, lifted?.legacyNetwork);
  const { ports, uris, ...rest } = source;
  return {
    ...rest,
    id,
    cmd: given(source.cmd) ? source.cmd : null,
    args: given(source.args) ? source.args : null,
    container,
    instances: source.instances ?? 1,
    cpus: source.cpus ?? 1,
    mem: source.mem ?? 128,
    disk: source.disk ?? 0,
    gpus: source.gpus ?? 0,
    env: source.env ?? {},
    labels: source.labels ?? {},
    portDefinitions: normalizePortDefinitions(source.portDefinitions, ports, networks),
    requirePorts: source.requirePorts ?? false,
    healthChecks: (source.healthChecks ?? []).map(normalizeHealthCheck),
    readinessChecks: (source.readinessChecks ?? []).map(normalizeReadinessCheck),
    upgradeStrategy: normalizeUpgradeStrategy(source, container),
    backoffSeconds: source.backoffSeconds ?? 1,
    backoffFactor: source.backoffFactor ?? 1.15,
    maxLaunchDelaySeconds: source.maxLaunchDelaySeconds ?? 300,
    constraints: source.constraints ?? [],
    fetch: normalizeFetch(source.fetch, uris),
    dependencies: (source.dependencies ?? []).map((dependency) => normalizeAppId(dependency, parentOf(id))),
    killSelection: source.killSelection ?? 'YOUNGEST_FIRST',
    unreachableStrategy:
      source.unreachableStrategy === 'disabled'
        ? 'disabled'
        : {
            inactiveAfterSeconds: source.unreachableStrategy?.inactiveAfterSeconds ?? 0,
            expungeAfterSeconds: source.unreachableStrategy?.expungeAfterSeconds ?? 0,
          },
    networks,
    executor: source.executor ?? '',
  };
}

/**
 * `ports` is the deprecated spelling of port definitions with only a number. Port definitions
 * only exist for host networking (other modes use port mappings, and a legacy `ports` list
 * there merely echoed service ports), so they are dropped for any other mode.
 */
function normalizePortDefinitions(
  definitions: PortDefinition[] | undefined,
  ports: number[] | undefined,
  networks: Network[],
): PortDefinition[] {
  const hostNetworking = networks.length > 0 && networks.every((network) => network.mode === 'host');
  if (!hostNetworking) return [];
  const listed: PortDefinition[] | undefined = definitions ?? ports?.map((port) => ({ port }));
  if (!listed) return DEFAULT_PORT_DEFINITIONS.map((definition) => ({ ...definition }));
  return listed.map((definition) => ({ ...definition, port: definition.port ?? 0, protocol: definition.protocol ?? 'tcp' }));
}

/** Explicit networks win; else the deprecated docker.network (already lifted out) decides. */
function normalizeNetworks(networks: Network[] | undefined, legacy: string | undefined): Network[] {
  if (networks && networks.length > 0) return networks.map((network) => ({ ...network, mode: network.mode ?? 'container' }));
  if (legacy === 'NONE') return [];
  return [{ mode: (legacy && DOCKER_NETWORK_MODES[legacy]) || 'host' }];
}

/**
 * Fills container defaults and lifts the deprecated docker.network/portMappings out the way
 * Marathon does, so the result never trips the "both old and new field" rules.
 */
function normalizeContainer(container: AppContainer): { container: AppContainer; legacyNetwork?: string } {
  const normalized: AppContainer = { ...container, type: container.type ?? 'DOCKER', volumes: container.volumes ?? [] };
  if (!container.docker) return { container: withMappingDefaults(normalized) };
  const { network, portMappings, ...docker } = container.docker;
  normalized.docker = {
    ...docker,
    // NONE has no `networks` equivalent, so it stays where it is.
    ...(network === 'NONE' ? { network } : {}),
    privileged: docker.privileged ?? false,
    forcePullImage: docker.forcePullImage ?? false,
    parameters: docker.parameters ?? [],
  };
  if (given(portMappings)) {
    if (given(container.portMappings)) normalized.docker.portMappings = portMappings;
    else normalized.portMappings = portMappings;
  }
  return { container: withMappingDefaults(normalized), legacyNetwork: network ?? undefined };
}

function withMappingDefaults(container: AppContainer): AppContainer {
  if (!given(container.portMappings)) return container;
  const portMappings = container.portMappings.map((mapping) => ({
    ...mapping,
    containerPort: mapping.containerPort ?? 0,
    servicePort: mapping.servicePort ?? 0,
    protocol: mapping.protocol ?? 'tcp',
  }));
  return { ...container, portMappings };
}

function normalizeHealthCheck(check: HealthCheck): HealthCheck {
  const protocol = check.protocol ?? 'HTTP';
  const normalized: HealthCheck = {
    ...check,
    protocol,
    gracePeriodSeconds: check.gracePeriodSeconds ?? 300,
    intervalSeconds: check.intervalSeconds ?? 60,
    timeoutSeconds: check.timeoutSeconds ?? 20,
    maxConsecutiveFailures: check.maxConsecutiveFailures ?? 3,
  };
  // A check without port or portIndex probes the first port; COMMAND checks probe no port.
  if (protocol !== 'COMMAND' && !given(check.port) && !given(check.portIndex)) normalized.portIndex = 0;
  if (HTTP_PROTOCOLS.has(protocol)) normalized.path = check.path ?? '/';
  if (protocol === 'HTTP' || protocol === 'HTTPS') normalized.ignoreHttp1xx = check.ignoreHttp1xx ?? false;
  if (MESOS_RUN.has(protocol)) normalized.delaySeconds = check.delaySeconds ?? 15;
  return normalized;
}

function normalizeReadinessCheck(check: ReadinessCheck): ReadinessCheck {
  return {
    ...check,
    name: check.name ?? 'readinessCheck',
    protocol: check.protocol ?? 'HTTP',
    path: check.path ?? '/',
    portName: check.portName ?? 'http-api',
    intervalSeconds: check.intervalSeconds ?? 30,
    timeoutSeconds: check.timeoutSeconds ?? 10,
    httpStatusCodesForReady: check.httpStatusCodesForReady ?? [200],
    preserveLastResponse: check.preserveLastResponse ?? false,
  };
}

/** Resident apps (persistent volumes) and single-instance apps must not overlap old and new tasks. */
function normalizeUpgradeStrategy(app: AppDefinition, container: AppContainer | null): Required<UpgradeStrategy> {
  const resident = (container?.volumes ?? []).some((volume) => given(volume.persistent));
  const fallback = isSingleInstance(app)
    ? { minimumHealthCapacity: 0, maximumOverCapacity: 0 }
    : resident
      ? { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 }
      : { minimumHealthCapacity: 1, maximumOverCapacity: 1 };
  return {
    minimumHealthCapacity: app.upgradeStrategy?.minimumHealthCapacity ?? fallback.minimumHealthCapacity,
    maximumOverCapacity: app.upgradeStrategy?.maximumOverCapacity ?? fallback.maximumOverCapacity,
  };
}

/** Fetch entries with the fetcher defaults; deprecated `uris` become entries too. */
function normalizeFetch(fetch: FetchUri[] | undefined, uris: string[] | undefined): FetchUri[] {
  const entries: FetchUri[] = fetch && fetch.length > 0 ? fetch : (uris ?? []).map((uri) => ({ uri }));
  return entries.map((entry) => ({
    ...entry,
    extract: entry.extract ?? true,
    executable: entry.executable ?? false,
    cache: entry.cache ?? false,
  }));
}
