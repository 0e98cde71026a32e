/**
 * The bundled hello-world 1.2.0's container runtime for real, with Podman: `dcos package install
 * hello-world --options {service.runtime: container}` on the embedded cluster runs its server in
 * the default image node:20-slim, which Podman resolves to docker.io/library/node:20-slim in its
 * local storage. No registry is reachable, so that image is the one k8s-images.mjs builds for the
 * Kubernetes tests (this machine's node and busybox), loaded into Podman when it is not there.
 * The server answers on the mapped host port from the container's 8080, healthy, and uninstall
 * leaves no container.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCluster, requireBuild, requireOrSkip } from '../helpers/cli-cluster.js';
import { agentContainers, inspectContainer, podmanReady, removeAgentContainers } from '../helpers/container-images.js';
import { REPO_ROOT, sharedPath } from '../helpers/shared.js';
import { NODE_IMAGE } from '../helpers/kubernetes.js';

const mkimage = sharedPath('tools', 'k8s', 'mkimage.py');
const ready = podmanReady() && !requireOrSkip('hello-world-container.test.ts', mkimage.exists ? '' : '../shared/tools/k8s/mkimage.py (which builds the node image) is not there');

/** NODE_IMAGE in Podman's storage: loaded from k8s-images.mjs's (cached) archive when missing. */
function loadNodeImage(): void {
  if (spawnSync('podman', ['image', 'exists', NODE_IMAGE], { timeout: 20_000 }).status === 0) return;
  const archive = execFileSync(process.execPath, [join(REPO_ROOT, 'test', 'helpers', 'k8s-images.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  execFileSync('podman', ['load', '-i', archive], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
}

describe.skipIf(!ready)('hello-world 1.2.0 in a container (real Podman)', () => {
  const c = cliCluster({ healthyTask: { timeoutMs: 120_000, intervalMs: 200 } });
  beforeAll(async () => {
    requireBuild();
    loadNodeImage();
    await c.up();
  }, 600_000);
  afterAll(async () => {
    const agent = c.agentId;
    await c.down();
    if (agent) removeAgentContainers(agent);
  }, 120_000);

  it('runs the server in node:20-slim behind a mapped port, healthy, and uninstalls leaving no container', async () => {
    const r = await c.dcos(['package', 'install', 'hello-world', '--options', c.options('container', { service: { runtime: 'container' } }), '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ packageVersion: '1.2.0', appId: '/hello-world', status: 'running' });
    const task = await c.healthyTask('/hello-world', 'healthy in its container');

    const [name] = agentContainers(c.agentId);
    const container = inspectContainer(name);
    // The short name of the package's default, resolved by Podman to the Docker Hub name.
    expect(container?.ImageName).toBe(NODE_IMAGE);
    expect(container?.State?.Running).toBe(true);
    const base = `http://${task.host}:${task.ports[0]}`;
    expect(await (await fetch(`${base}/`)).text()).toBe(`Hello from DC/OS (task ${task.id})\n`);
    expect(await (await fetch(`${base}/version`)).text()).toBe('1.2.0\n');

    const gone = await c.dcos(['package', 'uninstall', 'hello-world', '--yes']);
    expect(gone.exitCode, gone.stderr).toBe(0);
    expect(agentContainers(c.agentId)).toEqual([]);
  }, 180_000);
});
