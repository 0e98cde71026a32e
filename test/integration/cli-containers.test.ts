/**
 * Container packages through the CLI on the real embedded cluster with REAL Podman: an install
 * waiting on an image that cannot be pulled says it is pulling, then exits 3 naming the image with
 * Podman's reason; `dcos node --json` names the runtime; uninstall and `cluster down` leave no
 * container; `cluster up --allow-privileged` is what lets a privileged container run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentContainers, busyboxImage, podmanReady, removeAgentContainers } from '../helpers/container-images.js';
import { runCli, tempHome, type TempHome } from '../helpers/index.js';

const ready = podmanReady();

/** A one-package universe: busybox httpd in a container, its image an option. */
function writeRepo(dir: string, image: string): void {
  const pkg = join(dir, 'packages', 'B', 'busybox-web', '0');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ packagingVersion: '4.0', name: 'busybox-web', version: '1.0.0', maintainer: 'test@example.com', description: 'busybox httpd in a container', tags: ['test'] }),
  );
  writeFileSync(
    join(pkg, 'config.json'),
    JSON.stringify({
      type: 'object',
      properties: {
        service: {
          type: 'object',
          properties: {
            name: { type: 'string', default: 'busybox-web', description: 'App id' },
            image: { type: 'string', default: image, description: 'Container image' },
            privileged: { type: 'boolean', default: false, description: 'Run the container privileged' },
          },
        },
      },
    }),
  );
  writeFileSync(
    join(pkg, 'marathon.json.mustache'),
    `{
  "id": "{{service.name}}",
  "cmd": "exec httpd -f -p 8080 -h /www",
  "cpus": 0.1,
  "mem": 32,
  "container": {"type": "DOCKER", "docker": {"image": "{{service.image}}", "privileged": {{service.privileged}}}, "portMappings": [{"containerPort": 8080, "hostPort": 0, "name": "http"}]},
  "networks": [{"mode": "container/bridge"}],
  "healthChecks": [{"protocol": "HTTP", "path": "/index.html", "portIndex": 0, "intervalSeconds": 1, "gracePeriodSeconds": 30}]
}
`,
  );
}

describe.skipIf(!ready)('container packages through the CLI (real Podman)', () => {
  let home: TempHome;
  let repo = '';
  let agentId = '';
  const dcos = (argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });

  beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), 'dcos-it-container-repo-'));
    writeRepo(repo, busyboxImage());
    home = tempHome();
    mkdirSync(home.env.DCOS_DIR, { recursive: true });
    writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'containers', uri: repo }] }));
    const up = await dcos(['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const nodes = await dcos(['node', '--json']);
    agentId = JSON.parse(nodes.stdout)[0].id;
  });
  afterAll(async () => {
    if (!home) return;
    await dcos(['cluster', 'down']);
    if (agentId) removeAgentContainers(agentId);
    home.cleanup();
    rmSync(repo, { recursive: true, force: true });
  });

  it('shows the container runtime in `dcos node --json`', async () => {
    const nodes = JSON.parse((await dcos(['node', '--json'])).stdout);
    expect(nodes[0].containerRuntime).toMatchObject({ kind: 'podman', version: expect.stringMatching(/^\d+\.\d+/), bin: expect.stringContaining('podman') });
  });

  it('installs, serves on the mapped port, and uninstalls leaving no container', { timeout: 120_000 }, async () => {
    const install = await dcos(['package', 'install', 'busybox-web', '--yes', '--json']);
    expect(install.exitCode, install.stderr).toBe(0);
    const [task] = JSON.parse(install.stdout).tasks;
    const res = await fetch(`http://127.0.0.1:${task.ports[0]}/index.html`);
    expect(await res.text()).toBe('hello from the dcos test image\n');
    expect(agentContainers(agentId)).toEqual([`dcos-${task.id}`]);
    const uninstall = await dcos(['package', 'uninstall', 'busybox-web', '--yes']);
    expect(uninstall.exitCode, uninstall.stderr).toBe(0);
    expect(agentContainers(agentId)).toEqual([]);
  });

  it('says it is pulling, then exits 3 naming the image and Podman\'s reason when the pull fails', { timeout: 120_000 }, async () => {
    const image = 'localhost/dcos-test/not-there:404';
    writeFileSync(join(home.dir, 'missing.json'), JSON.stringify({ service: { name: 'missing-image', image } }));
    const install = await dcos(['package', 'install', 'busybox-web', '--options', join(home.dir, 'missing.json'), '--yes']);
    expect(install.exitCode, install.stderr).toBe(3);
    expect(install.stdout).toBe('');
    expect(install.stderr).toMatch(new RegExp(`TASK_STAGING \\(pulling ${image.replace(/[/.]/g, '\\$&')}\\)`));
    expect(install.stderr).toContain(`Failed to pull image "${image}"`);
    expect(install.stderr).toMatch(/pinging container registry localhost/);
    expect((await dcos(['package', 'uninstall', 'busybox-web', '--app-id', '/missing-image', '--yes'])).exitCode).toBe(0);
  });

  it('runs a privileged container only on a cluster started with --allow-privileged', { timeout: 120_000 }, async () => {
    writeFileSync(join(home.dir, 'priv.json'), JSON.stringify({ service: { name: 'priv-web', privileged: true } }));
    const refused = await dcos(['package', 'install', 'busybox-web', '--options', join(home.dir, 'priv.json'), '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('dcos cluster up --allow-privileged');
    const running = await dcos(['cluster', 'up', '--allow-privileged']);
    expect(running.exitCode).toBe(1);
    expect(running.stderr).toContain('already running without --allow-privileged');

    expect((await dcos(['cluster', 'down'])).exitCode).toBe(0);
    const up = await dcos(['cluster', 'up', '--allow-privileged']);
    expect(up.exitCode, up.stderr).toBe(0);
    const install = await dcos(['package', 'install', 'busybox-web', '--options', join(home.dir, 'priv.json'), '--yes']);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(agentContainers(agentId)).toHaveLength(1);
    // `cluster down` stops and removes every container of the cluster.
    expect((await dcos(['cluster', 'down'])).exitCode).toBe(0);
    expect(agentContainers(agentId)).toEqual([]);
  });
});
