/**
 * Marathon's ports as container ports. On Kubernetes a pod has its own IP, so every port becomes a
 * fixed container port: a fixed Marathon port keeps its number, a random one (0) gets
 * 10000 + its index (or the next number not taken), deterministically. `$PORT0`... carry those.
 */
import type { ContainerPortMapping, NormalizedApp, PortDefinition } from '../../marathon/app-types.js';
import type { ContainerPort, ServicePort } from './objects.js';
import { ianaName } from './names.js';
import type { Findings } from './problems.js';

export const RANDOM_PORT_BASE = 10000;

export interface AppPort {
  /** Index in portDefinitions (host networking) or portMappings: what portIndex and PORT<n> mean. */
  index: number;
  /** The Marathon name, as `$PORT_<NAME>` and readiness checks' `portName` use it. */
  marathonName?: string;
  /** Valid IANA_SVC_NAME for the container and Service port. */
  name: string;
  containerPort: number;
  protocols: Array<'TCP' | 'UDP'>;
  /** One per protocol: `name`, and for the UDP half of `udp,tcp` the name with `-u`. */
  names: string[];
  /** `$PORT_<n>` is keyed by the port asked for (host networking) or the container port. */
  envKey: number;
}

interface Wanted {
  fixed?: number;
  name?: string;
  protocol?: string;
  envKey?: number;
  path: string;
}

/** The app's networking, mapped to the pod network; refuses what has no counterpart. */
export function checkNetworks(app: NormalizedApp, findings: Findings): 'host' | 'mapped' | 'none' {
  if (app.ipAddress !== undefined && app.ipAddress !== null) {
    findings.refuse('ipAddress', 'ipAddress (IP-per-task) has no Kubernetes counterpart: every pod has its own IP; remove it (use networks instead)');
  }
  const networks = app.networks;
  networks.forEach((network, i) => {
    if (i > 0) findings.refuse(`networks[${i}]`, 'a pod joins one network (the cluster\'s pod network): keep only one entry in networks');
    if (network.mode === 'container' && network.name) {
      findings.refuse(`networks[${i}].name`, `the container network "${network.name}" has no Kubernetes counterpart (pods join the cluster's pod network): remove the name or use mode container/bridge`);
    }
    if (network.labels && Object.keys(network.labels).length > 0) {
      findings.refuse(`networks[${i}].labels`, 'network labels configure a CNI network that pods cannot choose: remove them');
    }
  });
  if (networks.length === 0) {
    findings.note('network NONE -> the pod network: a pod always has the cluster network');
    return 'none';
  }
  const mode = networks[0].mode ?? 'container';
  if (mode === 'host') {
    findings.note('host networking -> the pod network: each pod has its own IP ($HOST), and its ports are container ports');
    return 'host';
  }
  findings.note(`networking mode ${mode} -> the pod network: port mappings become container ports, host ports are not used`);
  return 'mapped';
}

function wantedPorts(app: NormalizedApp, mode: 'host' | 'mapped' | 'none', findings: Findings): Wanted[] {
  if (mode === 'none') return [];
  if (mode === 'host') {
    return app.portDefinitions.map((d: PortDefinition, i) => {
      const path = `portDefinitions[${i}]`;
      if (d.labels && Object.keys(d.labels).length > 0) {
        findings.note(`${path}.labels (${Object.keys(d.labels).join(', ')}) not used: the Service's name is the port's stable address`);
      }
      const port = d.port ?? 0;
      return { fixed: port > 0 ? port : undefined, name: d.name, protocol: d.protocol, envKey: port > 0 ? port : undefined, path };
    });
  }
  const container = app.container;
  const mappings: ContainerPortMapping[] = container?.portMappings ?? container?.docker?.portMappings ?? [];
  return mappings.map((m, i) => {
    const path = `container.portMappings[${i}]`;
    const containerPort = m.containerPort ?? 0;
    const hostPort = m.hostPort ?? 0;
    if (hostPort > 0) findings.note(`${path}.hostPort ${hostPort} not used: a pod is reached on its own IP or through the Service`);
    if ((m.servicePort ?? 0) > 0) findings.note(`${path}.servicePort ${m.servicePort} not used: the Service listens on the container port`);
    if (m.labels && Object.keys(m.labels).length > 0) {
      findings.note(`${path}.labels (${Object.keys(m.labels).join(', ')}) not used: the Service's name is the port's stable address`);
    }
    if (m.networkNames && m.networkNames.length > 0) findings.note(`${path}.networkNames not used: a pod has one network`);
    const fixed = containerPort > 0 ? containerPort : hostPort > 0 ? hostPort : undefined;
    return { fixed, name: m.name, protocol: m.protocol, envKey: containerPort > 0 ? containerPort : undefined, path };
  });
}

function protocolsOf(protocol: string | undefined): Array<'TCP' | 'UDP'> {
  const parts = (protocol ?? 'tcp').split(',').map((p) => p.trim().toLowerCase());
  const out: Array<'TCP' | 'UDP'> = [];
  if (parts.includes('tcp')) out.push('TCP');
  if (parts.includes('udp')) out.push('UDP');
  return out.length ? out : ['TCP'];
}

export function resolvePorts(app: NormalizedApp, mode: 'host' | 'mapped' | 'none', findings: Findings): AppPort[] {
  const wanted = wantedPorts(app, mode, findings);
  const used = new Set(wanted.flatMap((w) => (w.fixed === undefined ? [] : [w.fixed])));
  const taken = new Set<string>();
  const assigned: string[] = [];
  const renamed: string[] = [];
  const ports = wanted.map((w, index): AppPort => {
    let containerPort = w.fixed;
    if (containerPort === undefined) {
      containerPort = RANDOM_PORT_BASE + index;
      while (used.has(containerPort)) containerPort += 1;
      used.add(containerPort);
      assigned.push(`PORT${index}=${containerPort}`);
    }
    let name = w.name ? ianaName(w.name) : '';
    if (name === '' || taken.has(name)) name = uniqueName(name === '' ? `port${index}` : name, index, taken);
    taken.add(name);
    if (w.name !== undefined && name !== w.name) renamed.push(`"${w.name}" -> "${name}"`);
    const protocols = protocolsOf(w.protocol);
    const names = [name];
    if (protocols.length > 1) {
      const udp = udpName(name);
      const second = taken.has(udp) ? uniqueName(udp, index, taken) : udp;
      taken.add(second);
      names.push(second);
    }
    return { index, marathonName: w.name, name, containerPort, protocols, names, envKey: w.envKey ?? containerPort };
  });
  const seen = new Map<string, string>();
  ports.forEach((p, i) => {
    for (const protocol of p.protocols) {
      const key = `${p.containerPort}/${protocol}`;
      const other = seen.get(key);
      if (other) findings.refuse(wanted[i].path, `port ${key} is also ${other}: a pod cannot listen twice on one port; give it another number`);
      else seen.set(key, wanted[i].path);
    }
  });
  if (assigned.length) findings.note(`random ports -> fixed container ports: ${assigned.join(', ')}`);
  if (renamed.length) findings.note(`port names made valid IANA service names (at most 15 of a-z, 0-9, "-"): ${renamed.join(', ')}`);
  if (ports.some((p) => p.protocols.length > 1)) findings.note('a "udp,tcp" port -> two container ports, the UDP one named with a "-u" suffix');
  return ports;
}

function uniqueName(base: string, index: number, taken: Set<string>): string {
  const candidates = [base, `${base.slice(0, 15 - String(index).length - 1)}-${index}`, `port${index}`];
  for (const c of candidates) if (c !== '' && !taken.has(c)) return c;
  let n = 0;
  while (taken.has(`p${index}-${n}`)) n += 1;
  return `p${index}-${n}`;
}

function udpName(name: string): string {
  return `${name.slice(0, 13).replace(/-+$/, '')}-u`;
}

export function containerPorts(ports: AppPort[]): ContainerPort[] {
  return ports.flatMap((p) =>
    p.protocols.map((protocol, i) => ({ name: p.names[i], containerPort: p.containerPort, protocol })),
  );
}

export function servicePorts(ports: AppPort[]): ServicePort[] {
  return containerPorts(ports).map((c) => ({ name: c.name as string, port: c.containerPort, targetPort: c.containerPort, protocol: c.protocol }));
}

/** `$PORT0`..., `$PORT_<n>`, `$PORT_<NAME>`, `$PORT`, `$PORTS`, as Marathon sets them. */
export function portEnvironment(ports: AppPort[]): Array<[string, string]> {
  const env: Array<[string, string]> = [];
  for (const p of ports) {
    const value = String(p.containerPort);
    env.push([`PORT${p.index}`, value], [`PORT_${p.envKey}`, value]);
    if (p.marathonName) env.push([`PORT_${p.marathonName.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`, value]);
  }
  if (ports.length) env.push(['PORT', String(ports[0].containerPort)], ['PORTS', ports.map((p) => p.containerPort).join(',')]);
  return env;
}
