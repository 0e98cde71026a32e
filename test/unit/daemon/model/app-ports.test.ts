import { describe, expect, it } from 'vitest';
import { normalizeApp } from '../../../../src/marathon/app-defaults.js';
import type { AppDefinition } from '../../../../src/marathon/app-types.js';
import type { StoredApp } from '../../../../src/daemon/model/app-changes.js';
import { hostPortSpecs } from '../../../../src/daemon/model/app-ports.js';
import { containerSpec } from '../../../../src/daemon/model/container-spec.js';
import type { NodeInfo } from '../../../../src/daemon/model/node-info.js';
import { marathonEnvironment } from '../../../../src/daemon/model/task-env.js';
import type { Task } from '../../../../src/daemon/types.js';

const stored = (app: Record<string, unknown>): StoredApp => ({
  ...normalizeApp({ id: '/web', cmd: 'serve', ...app } as unknown as AppDefinition),
  version: '2026-01-01T00:00:00.000Z',
  versionInfo: { lastScalingAt: '2026-01-01T00:00:00.000Z', lastConfigChangeAt: '2026-01-01T00:00:00.000Z' },
});
const node = { host: '127.0.0.1', url: 'http://127.0.0.1:5050', agentId: 'agent-1', frameworkId: 'fw-1' } as NodeInfo;
const task = (ports: number[]): Task => ({ id: 'web.1', host: '127.0.0.1', ports, sandbox: '/data/sandbox' }) as Task;

describe('hostPortSpecs', () => {
  it('host networking: one per port definition, the number itself only with requirePorts', () => {
    expect(hostPortSpecs(stored({ portDefinitions: [{ port: 10001, name: 'http' }, { port: 0 }] })).map((p) => p.requested)).toEqual([0, 0]);
    expect(hostPortSpecs(stored({ portDefinitions: [{ port: 31500 }], requirePorts: true })).map((p) => p.requested)).toEqual([31500]);
  });

  it('bridge: one per port mapping, hostPort 0 or absent taking any, a fixed one kept; the deprecated docker.network spelling the same', () => {
    const container = { type: 'DOCKER', docker: { image: 'i' }, portMappings: [{ containerPort: 8080, name: 'web' }, { containerPort: 53, hostPort: 31053, protocol: 'udp' }] };
    const modern = hostPortSpecs(stored({ container, networks: [{ mode: 'container/bridge' }] }));
    expect(modern).toEqual([
      { requested: 0, envKey: 8080, name: 'web', containerPort: 8080, protocol: 'tcp' },
      { requested: 31053, envKey: 53, name: undefined, containerPort: 53, protocol: 'udp' },
    ]);
    const legacy = hostPortSpecs(stored({ container: { type: 'DOCKER', docker: { image: 'i', network: 'BRIDGE', portMappings: container.portMappings } } }));
    expect(legacy).toEqual(modern);
  });

  it('container networks: only mappings with a host port get one; no network, none', () => {
    const container = { type: 'DOCKER', docker: { image: 'i' }, portMappings: [{ containerPort: 80 }, { containerPort: 443, hostPort: 0 }] };
    expect(hostPortSpecs(stored({ container, networks: [{ mode: 'container', name: 'dcos' }] })).map((p) => p.envKey)).toEqual([443]);
    expect(hostPortSpecs(stored({ container: { type: 'DOCKER', docker: { image: 'i', network: 'NONE' } } }))).toEqual([]);
  });
});

describe('a bridge container task', () => {
  const app = stored({
    cmd: 'httpd',
    container: { type: 'DOCKER', docker: { image: 'busybox' }, portMappings: [{ containerPort: 8080, name: 'web' }, { containerPort: 0 }] },
    networks: [{ mode: 'container/bridge' }],
  });

  it('has $PORT0.. and $PORT_<NAME> as the host ports, and $PORT_<containerPort>', () => {
    const env = marathonEnvironment(app, task([20001, 20002]), node);
    expect(env).toMatchObject({ PORT0: '20001', PORT1: '20002', PORT_WEB: '20001', PORT_8080: '20001', PORT_20002: '20002', PORTS: '20001,20002' });
  });

  it('maps each host port to its container port (0: the same number), published on the node address', () => {
    const spec = containerSpec(app, task([20001, 20002]), node, undefined, []);
    expect(spec).toMatchObject({
      network: 'bridge',
      publishAddress: '127.0.0.1',
      portMappings: [
        { hostPort: 20001, containerPort: 8080, protocol: 'tcp' },
        { hostPort: 20002, containerPort: 20002, protocol: 'tcp' },
      ],
    });
  });
});
