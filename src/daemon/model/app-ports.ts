/**
 * The host ports a task of an app gets, as Marathon works them out: one per port definition on
 * host networking; on a bridge (or container) network one per port mapping that has a host port
 * (every mapping on a bridge, where an absent hostPort means 0), each mapped to its container
 * port. One answer for the scheduler (which ports to allocate), the environment ($PORT0,
 * $PORT_<NAME>) and the container's `-p` options.
 */
import type { StoredApp } from './app-changes.js';

export interface HostPortSpec {
  /** The host port asked for; 0 takes any free one of the node's range. */
  requested: number;
  /** The number `$PORT_<n>` is keyed by: the requested port, or the container port of a mapping. */
  envKey: number;
  name?: string;
  /** Behind the host port in the container; 0 = the same number as the host port. */
  containerPort?: number;
  protocol?: string;
}

/** Which network the app's tasks are on: host, bridge, none, or a named container network. */
export function appNetwork(app: StoredApp): { mode: 'host' | 'bridge' | 'none' | 'container'; name?: string } {
  const networks = app.networks ?? [];
  if (networks.length === 0) return { mode: 'none' };
  const first = networks[0];
  if (first.mode === 'container/bridge') return { mode: 'bridge' };
  if (first.mode === 'container') return { mode: 'container', name: first.name };
  return { mode: 'host' };
}

export function hostPortSpecs(app: StoredApp): HostPortSpec[] {
  const network = appNetwork(app).mode;
  if (network === 'none') return [];
  if (network === 'host') {
    return (app.portDefinitions ?? []).map((d) => ({
      requested: app.requirePorts ? (d.port ?? 0) : 0,
      envKey: d.port ?? 0,
      name: d.name,
      protocol: d.protocol,
    }));
  }
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings ?? [];
  return mappings
    .filter((m) => network === 'bridge' || m.hostPort !== undefined)
    .map((m) => ({ requested: m.hostPort ?? 0, envKey: m.containerPort ?? 0, name: m.name, containerPort: m.containerPort ?? 0, protocol: m.protocol }));
}
