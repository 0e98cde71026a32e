/** What the daemon knows about itself as a Mesos agent and Marathon framework. */
import type { Resources } from './resources.js';

export interface NodeInfo {
  /** The cluster's name (also the Mesos cluster name). */
  name: string;
  dataDir: string;
  /** The address tasks get as HOST and health checks use. */
  host: string;
  hostname: string;
  agentId: string;
  frameworkId: string;
  masterId: string;
  resources: Resources;
  portRange: [number, number];
  servicePortRange: [number, number];
  startedAt: number;
  /** http://127.0.0.1:<port> of the API. */
  url: string;
  version: string;
  /** The runtime DOCKER container apps run with here, or null (none answers). */
  containerRuntime?: { kind: string; version: string; bin: string } | null;
  /** Whether privileged containers may run (the daemon's --allow-privileged). */
  allowPrivileged?: boolean;
}
