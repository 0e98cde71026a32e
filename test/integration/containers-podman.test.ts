/**
 * DOCKER container apps run by REAL Podman, from images built here (test/helpers/container-images):
 * networking (bridge with mapped ports, host), Marathon's cmd/args/entrypoint rules, environment,
 * sandbox files, hostPath volumes, limits, privileged refusal, pull failures, and the lifecycle:
 * containers named after their task and labelled with the agent, re-adopted after a daemon
 * SIGKILL, removed when their task is gone, none left after removal or shutdown.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentContainers, busyboxImage, entrypointImage, inspectContainer, podmanReady, removeAgentContainers } from '../helpers/container-images.js';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { createApp, getApp, sandboxOf, waitRunning, waitSandboxFile, type Json } from './support.js';

const ready = podmanReady();
let image = '';
let withEntrypoint = '';
const daemons: TestDaemon[] = [];
let work = '';

beforeAll(() => {
  if (!ready) return;
  image = busyboxImage();
  withEntrypoint = entrypointImage();
  work = mkdtempSync(join(tmpdir(), 'dcos-it-podman-'));
});
afterEach(async () => {
  try {
    await stopAllDaemons();
  } finally {
    // A failing test must not leave containers for the next one.
    for (const d of daemons.splice(0)) removeAgentContainers(d.agentId);
  }
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function daemon(env: Record<string, string> = {}): Promise<TestDaemon> {
  const d = await startDaemon({ env });
  daemons.push(d);
  return d;
}

/** A container app of the busybox image. */
function containerApp(id: string, extra: Record<string, unknown> = {}, docker: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    cpus: 0.1,
    mem: 32,
    backoffSeconds: 60,
    ...extra,
    container: { type: 'DOCKER', docker: { image, ...docker }, ...((extra.container as object | undefined) ?? {}) },
  };
}

/** GET http://127.0.0.1:<port><path>: status and body, or null when nothing answers. */
function httpGet(port: number, path = '/'): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Removes the app and waits for its deployment (which ends once its tasks are gone). */
async function appDeleted(d: TestDaemon, id: string): Promise<void> {
  const res = await d.api('DELETE', `/v2/apps${id}`);
  expect(res.status).toBe(200);
  const deployment = res.json.deploymentId as string;
  await waitFor(async () => !(await d.api('GET', '/v2/deployments')).json?.some((dep: Json) => dep.id === deployment), {
    what: `the removal of ${id}`,
    timeoutMs: 30_000,
  });
}

describe.skipIf(!ready)('container apps with real Podman', () => {
  it('serves busybox httpd over a mapped BRIDGE port, and over host networking; the container is the task', { timeout: 120_000 }, async () => {
    const d = await daemon();
    // Bridge, the deprecated spelling: docker.network BRIDGE with docker.portMappings; httpd on 8080 inside.
    await createApp(
      d,
      containerApp('/web/bridge', { cmd: 'echo "port0=$PORT0 named=$PORT_WEB keyed=$PORT_8080"; exec httpd -f -p 8080 -h /www' }, {
        network: 'BRIDGE',
        portMappings: [{ containerPort: 8080, hostPort: 0, name: 'web' }],
      }),
    );
    // Host networking: the server listens on the task's host port itself.
    await createApp(d, containerApp('/web/host', { cmd: 'exec httpd -f -p $PORT0 -h /www', portDefinitions: [{ port: 0, name: 'http' }] }));
    const [bridged] = await waitRunning(d, '/web/bridge', 1, { timeoutMs: 60_000 });
    const [hosted] = await waitRunning(d, '/web/host', 1, { timeoutMs: 60_000 });

    const [hostPort] = bridged.ports;
    const [lo, hi] = [20000, 32999];
    expect(hostPort).toBeGreaterThanOrEqual(lo);
    expect(hostPort).toBeLessThanOrEqual(hi);
    const viaBridge = await waitFor(() => httpGet(hostPort, '/index.html'), { what: `httpd on the mapped port ${hostPort}`, timeoutMs: 20_000 });
    expect(viaBridge).toEqual({ status: 200, body: 'hello from the dcos test image\n' });
    const out = await waitSandboxFile(d, `${await sandboxOf(d, bridged.id)}/stdout`, (t) => t.includes('port0='), 'stdout of the bridge task');
    expect(out).toContain(`port0=${hostPort} named=${hostPort} keyed=${hostPort}`);
    // The mapping itself: host port -> 8080, published on the node's address only.
    const info = inspectContainer(`dcos-${bridged.id}`);
    expect(info?.HostConfig?.PortBindings?.['8080/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(hostPort) }]);
    expect(info?.HostConfig?.NetworkMode).toBe('bridge');

    const viaHost = await waitFor(() => httpGet(hosted.ports[0], '/index.html'), { what: 'httpd on the host port', timeoutMs: 20_000 });
    expect(viaHost?.status).toBe(200);
    expect(inspectContainer(`dcos-${hosted.id}`)?.HostConfig?.NetworkMode).toBe('host');

    // One container per task, named after it and labelled with the agent.
    expect(agentContainers(d.agentId).sort()).toEqual([`dcos-${bridged.id}`, `dcos-${hosted.id}`].sort());
    // Removing an app stops and removes its container, not only the CLI process.
    await appDeleted(d, '/web/bridge');
    expect(agentContainers(d.agentId)).toEqual([`dcos-${hosted.id}`]);
    expect(await httpGet(hostPort)).toBeNull();
    await appDeleted(d, '/web/host');
    expect(agentContainers(d.agentId)).toEqual([]);
    expect(d.taskProcesses()).toEqual([]);
  });

  it("cmd replaces the image's entrypoint, args go to it, neither runs the image's own; env and $MESOS_SANDBOX inside", { timeout: 120_000 }, async () => {
    const d = await daemon();
    const ep = (id: string, extra: Record<string, unknown>) => containerApp(id, { env: { GREETING: 'hi there' }, ...extra }, { image: withEntrypoint });
    await createApp(d, ep('/ep/cmd', { cmd: 'echo "cmd ran in $(pwd) sandbox=$MESOS_SANDBOX greeting=$GREETING task=$MESOS_TASK_ID"; exec sleep 600' }));
    await createApp(d, ep('/ep/args', { args: ['first', 'second arg'] }));
    await createApp(d, ep('/ep/image', {}));
    const stdout = async (id: string, marker: string): Promise<string> => {
      const [task] = await waitRunning(d, id, 1, { timeoutMs: 60_000 });
      return waitSandboxFile(d, `${await sandboxOf(d, task.id)}/stdout`, (t) => t.includes(marker), `stdout of ${id}`);
    };
    const [cmdTask] = await waitRunning(d, '/ep/cmd', 1, { timeoutMs: 60_000 });
    expect(await stdout('/ep/cmd', 'cmd ran')).toBe(`cmd ran in /mnt/mesos/sandbox sandbox=/mnt/mesos/sandbox greeting=hi there task=${cmdTask.id}\n`);
    expect(await stdout('/ep/args', 'entrypoint ran')).toBe('entrypoint ran with: first second arg\n');
    expect(await stdout('/ep/image', 'entrypoint ran')).toBe('entrypoint ran with: from-image-cmd\n');
  });

  it('writes stdout and stderr to the sandbox files, read back through the files API (dcos task log)', { timeout: 120_000 }, async () => {
    const d = await daemon();
    await createApp(d, containerApp('/logs/app', { cmd: 'echo to-stdout; echo to-stderr >&2; exec sleep 600' }));
    const [task] = await waitRunning(d, '/logs/app', 1, { timeoutMs: 60_000 });
    const sandbox = await sandboxOf(d, task.id);
    expect(await waitSandboxFile(d, `${sandbox}/stdout`, (t) => t.includes('to-stdout'), 'stdout')).toBe('to-stdout\n');
    expect(await waitSandboxFile(d, `${sandbox}/stderr`, (t) => t.includes('to-stderr'), 'stderr')).toBe('to-stderr\n');
  });

  it('mounts hostPath volumes: RO cannot be written from the container, RW can', { timeout: 120_000 }, async () => {
    const d = await daemon();
    const ro = join(work, 'ro');
    const rw = join(work, 'rw');
    mkdirSync(ro, { recursive: true });
    mkdirSync(rw, { recursive: true });
    writeFileSync(join(ro, 'given.txt'), 'from the host\n');
    await createApp(
      d,
      containerApp('/vol/host', {
        cmd: 'cat /data/ro/given.txt; if echo x > /data/ro/new.txt; then echo ro-writable; else echo ro-refused; fi; echo written > rw/made.txt && echo rw-ok; exec sleep 600',
        container: {
          volumes: [
            { containerPath: '/data/ro', hostPath: ro, mode: 'RO' },
            // Relative: inside the sandbox, as Mesos mounts it.
            { containerPath: 'rw', hostPath: rw, mode: 'RW' },
          ],
        },
      }),
    );
    const [task] = await waitRunning(d, '/vol/host', 1, { timeoutMs: 60_000 });
    const out = await waitSandboxFile(d, `${await sandboxOf(d, task.id)}/stdout`, (t) => t.includes('rw-'), 'stdout of the volume task');
    expect(out).toBe('from the host\nro-refused\nrw-ok\n');
    expect(readFileSync(join(rw, 'made.txt'), 'utf8')).toBe('written\n');
    expect(() => readFileSync(join(ro, 'new.txt'))).toThrow();
  });

  it('keeps a persistent volume across task replacement: the next task of the instance mounts the same data', { timeout: 120_000 }, async () => {
    const d = await daemon();
    await createApp(
      d,
      containerApp('/vol/persistent', {
        cmd: 'echo "$MESOS_TASK_ID" >> data/tasks.log; cat data/tasks.log; exec sleep 600',
        backoffSeconds: 1,
        container: { volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 16 } }] },
      }),
    );
    const [first] = await waitRunning(d, '/vol/persistent', 1, { timeoutMs: 60_000 });
    expect(await waitSandboxFile(d, `${await sandboxOf(d, first.id)}/stdout`, (t) => t.includes(first.id), 'stdout of the first task')).toBe(`${first.id}\n`);
    const inspect = inspectContainer(`dcos-${first.id}`);
    const mount = (inspect?.Mounts as Json[]).find((m) => m.Destination === '/mnt/mesos/sandbox/data');
    expect(mount?.RW).toBe(true);
    expect(mount?.Source).not.toContain(await sandboxOf(d, first.id));
    expect((await d.api('DELETE', `/v2/apps/vol/persistent/tasks/${first.id}`)).status).toBe(200);
    const second = await waitFor(async () => (await getApp(d, '/vol/persistent')).tasks.find((t: Json) => t.id !== first.id && t.state === 'TASK_RUNNING'), {
      what: 'the replacement task running',
      timeoutMs: 60_000,
    });
    const out = await waitSandboxFile(d, `${await sandboxOf(d, second.id)}/stdout`, (t) => t.includes(second.id), 'stdout of the replacement');
    expect(out).toBe(`${first.id}\n${second.id}\n`);
    expect(agentContainers(d.agentId)).toEqual([`dcos-${second.id}`]);
  });

  it('survives a daemon SIGKILL: the restarted daemon re-adopts the running container, removes those of dead tasks', { timeout: 180_000 }, async () => {
    const d = await daemon();
    await createApp(d, containerApp('/adopt/kept', { cmd: 'exec httpd -f -p 8080 -h /www' }, { network: 'BRIDGE', portMappings: [{ containerPort: 8080, hostPort: 0 }] }));
    await createApp(d, containerApp('/adopt/dies', { cmd: 'exec sleep 600', backoffSeconds: 1 }));
    const [kept] = await waitRunning(d, '/adopt/kept', 1, { timeoutMs: 60_000 });
    const [dies] = await waitRunning(d, '/adopt/dies', 1, { timeoutMs: 60_000 });
    const keptId = inspectContainer(`dcos-${kept.id}`)?.Id;
    expect(keptId).toMatch(/^[0-9a-f]{64}$/);

    await d.sigkill();
    // While the daemon is down: the task of /adopt/dies ends (its container and its run go), and a
    // container of this agent appears whose task the daemon never had.
    const diesCli = d.taskProcesses().filter((p) => p.taskId === dies.id && p.cmdline.includes('podman run'));
    expect(diesCli).toHaveLength(1);
    spawnSync('podman', ['rm', '-f', '-t', '0', `dcos-${dies.id}`], { timeout: 60_000 });
    for (const p of diesCli) spawnSync('kill', ['-9', String(p.pid)]);
    const stray = `dcos-stray-${Date.now()}`;
    execFileSync('podman', ['run', '-d', '--name', stray, '--label', `dcos.agent-id=${d.agentId}`, '--label', 'dcos.task-id=no.such.task', image, 'sleep', '600']);
    // A SIGKILLed run (the daemon's child) leaves its container running under conmon: still served.
    const keptCli = d.taskProcesses().filter((p) => p.taskId === kept.id && p.cmdline.includes('podman run'));
    expect(keptCli).toHaveLength(1);
    for (const p of keptCli) spawnSync('kill', ['-9', String(p.pid)]);
    expect((await httpGet(kept.ports[0], '/index.html'))?.status).toBe(200);

    await d.restart();
    // Re-adopted: the same container, one of it, the task still RUNNING on the same port.
    const after = await getApp(d, '/adopt/kept');
    expect(after.tasks.map((t: Json) => [t.id, t.state, t.ports])).toEqual([[kept.id, 'TASK_RUNNING', kept.ports]]);
    expect(inspectContainer(`dcos-${kept.id}`)?.Id).toBe(keptId);
    expect((await httpGet(kept.ports[0], '/index.html'))?.status).toBe(200);
    // The dead task is replaced; the stray container is removed.
    const [replacement] = await waitRunning(d, '/adopt/dies', 1, { timeoutMs: 60_000 });
    expect(replacement.id).not.toBe(dies.id);
    await waitFor(() => inspectContainer(stray) === null, { what: 'the stray container removed', timeoutMs: 30_000 });
    expect(agentContainers(d.agentId).sort()).toEqual([`dcos-${kept.id}`, `dcos-${replacement.id}`].sort());
    // Killing the adopted task stops its container (no run process is left to signal).
    const killed = await d.api('DELETE', `/v2/apps/adopt/kept/tasks/${kept.id}`);
    expect(killed.status, killed.text).toBe(200);
    await waitFor(() => inspectContainer(`dcos-${kept.id}`) === null, { what: 'the adopted container stopped and removed', timeoutMs: 30_000 });
    const [relaunched] = await waitRunning(d, '/adopt/kept', 1, { timeoutMs: 60_000 });
    expect(relaunched.id).not.toBe(kept.id);

    // Shutting the cluster down (what `dcos cluster down` asks) leaves no container.
    const stopped = await d.api('POST', '/dcos-local/shutdown?stopTasks=true');
    expect(stopped.status).toBe(202);
    await waitFor(() => !d.running, { what: 'the daemon exits', timeoutMs: 60_000 });
    expect(agentContainers(d.agentId)).toEqual([]);
  });

  it('runs COMMAND health checks inside the container, as the app user; a check that hangs is killed inside too', { timeout: 120_000 }, async () => {
    const d = await daemon();
    // As root the app can run as another user; otherwise as ourselves.
    const me = userInfo();
    const user = me.uid === 0 ? 'nobody' : me.username;
    const uid = me.uid === 0 ? 65534 : me.uid;
    // /www/index.html is the image's, not this node's: run on the node, the check could never pass.
    const check = [
      'id -u > /mnt/mesos/sandbox/check-uid',
      'if [ -f /mnt/mesos/sandbox/hang ]; then exec sleep 601; fi',
      'test -f /www/index.html || { echo "no index in the image" >&2; exit 1; }',
      'if [ -f /mnt/mesos/sandbox/unhealthy ]; then echo "told to be unhealthy" >&2; exit 1; fi',
    ].join('; ');
    await createApp(
      d,
      containerApp('/checked/app', {
        cmd: 'exec sleep 600',
        user,
        healthChecks: [{ protocol: 'COMMAND', command: { value: check }, intervalSeconds: 1, timeoutSeconds: 2, gracePeriodSeconds: 0, maxConsecutiveFailures: 0 }],
      }),
    );
    const [task] = await waitRunning(d, '/checked/app', 1, { healthy: true, timeoutMs: 60_000 });
    const sandbox = await sandboxOf(d, task.id);
    const name = `dcos-${task.id}`;
    expect(readFileSync(join(sandbox, 'check-uid'), 'utf8').trim()).toBe(String(uid));
    expect(inspectContainer(name)?.Config?.User).toBe(`${uid}:${me.uid === 0 ? 65534 : me.gid}`);
    const results = async () => (await getApp(d, '/checked/app')).tasks[0]?.healthCheckResults?.[0];

    writeFileSync(join(sandbox, 'unhealthy'), '');
    const failed = await waitFor(async () => {
      const r = await results();
      return r && r.alive === false ? r : undefined;
    }, { what: 'the check failing in the container', timeoutMs: 30_000 });
    expect(failed.lastFailureCause).toBe('command exited with 1: told to be unhealthy');
    rmSync(join(sandbox, 'unhealthy'));
    await waitFor(async () => (await results())?.alive === true, { what: 'the check passing again', timeoutMs: 30_000 });

    // Timed out: the check fails, and what it started in the container does not live on.
    writeFileSync(join(sandbox, 'hang'), '');
    const timedOut = await waitFor(async () => {
      const r = await results();
      return r && r.alive === false && r.lastFailureCause === 'timed out after 2s' ? r : undefined;
    }, { what: 'the check timing out', timeoutMs: 30_000 });
    expect(timedOut.lastFailureCause).toBe('timed out after 2s');
    rmSync(join(sandbox, 'hang'));
    await waitFor(async () => (await results())?.alive === true, { what: 'healthy once it stops hanging', timeoutMs: 30_000 });
    const top = execFileSync('podman', ['top', name, 'args'], { encoding: 'utf8' });
    expect(top).toContain('sleep 600');
    expect(top).not.toContain('sleep 601');
  });

  it('uses Podman when the docker on PATH is a client without an engine, and says so in the log and the node', { timeout: 120_000 }, async () => {
    const bin = join(work, 'engineless');
    mkdirSync(bin, { recursive: true });
    // Found first on PATH: a docker client whose engine is not running, as on a machine with only the client.
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n');
    chmodSync(join(bin, 'docker'), 0o755);
    const d = await daemon({ PATH: `${bin}:${process.env.PATH ?? ''}` });
    const podmanBin = execFileSync('sh', ['-c', 'command -v podman'], { encoding: 'utf8' }).trim();
    const version = execFileSync('podman', ['version', '--format', '{{.Version}}'], { encoding: 'utf8' }).trim();
    expect(d.log()).toContain(`container runtime: podman ${version} (${podmanBin})`);
    const state = await d.api('GET', '/mesos/master/state.json');
    expect(state.json.slaves[0].containerRuntime).toEqual({ kind: 'podman', version, bin: podmanBin });
    await createApp(d, containerApp('/only/podman', { cmd: 'echo "in a container: $(cat /www/index.html)"; exec sleep 600' }));
    const [task] = await waitRunning(d, '/only/podman', 1, { timeoutMs: 60_000 });
    expect(await waitSandboxFile(d, `${await sandboxOf(d, task.id)}/stdout`, (t) => t.includes('\n'), 'stdout')).toBe('in a container: hello from the dcos test image\n');
  });

  it('applies cpus and mem as limits where Podman can enforce them, and the log says which', { timeout: 120_000 }, async () => {
    const d = await daemon();
    await createApp(d, containerApp('/limits/app', { cmd: 'exec sleep 600', cpus: 0.5, mem: 48 }));
    const [task] = await waitRunning(d, '/limits/app', 1, { timeoutMs: 60_000 });
    const host = inspectContainer(`dcos-${task.id}`)?.HostConfig;
    const log = d.log();
    if (log.includes('container limits: cpus and mem are enforced')) {
      expect(host?.NanoCpus).toBe(500_000_000);
      expect(host?.Memory).toBe(48 * 1024 * 1024);
    } else {
      expect(log).toMatch(/container limits: .* NOT enforced \(.+\)/);
    }
    // Said at start, before any container task.
    expect(log.indexOf('container runtime: podman')).toBeLessThan(log.indexOf('serving '));
  });

  it('refuses privileged containers unless the cluster allows them', { timeout: 120_000 }, async () => {
    const d = await daemon();
    const refused = await d.api('POST', '/v2/apps', containerApp('/priv/app', { cmd: 'exec sleep 600' }, { privileged: true }));
    expect(refused.status).toBe(422);
    expect(refused.json.details).toEqual([{ path: '/container/docker/privileged', errors: [expect.stringContaining('dcos cluster up --allow-privileged')] }]);
    await d.stop();

    const allowed = await daemon({ DCOS_ALLOW_PRIVILEGED: '1' });
    await createApp(allowed, containerApp('/priv/app', { cmd: 'exec sleep 600' }, { privileged: true }));
    const [task] = await waitRunning(allowed, '/priv/app', 1, { timeoutMs: 60_000 });
    expect(inspectContainer(`dcos-${task.id}`)?.HostConfig?.Privileged).toBe(true);
  });

  it('fails the task at once with the runtime\'s reason when the image cannot be pulled; a local image is not pulled', { timeout: 120_000 }, async () => {
    const d = await daemon();
    const missing = 'localhost/dcos-test/no-such-image:404';
    await createApp(d, containerApp('/pull/missing', { cmd: 'exec sleep 600' }, { image: missing }));
    const failure = await waitFor(async () => (await d.api('GET', '/v2/apps/pull/missing?embed=app.lastTaskFailure')).json?.app?.lastTaskFailure, {
      what: 'the pull failure',
      timeoutMs: 60_000,
    });
    expect(failure.state).toBe('TASK_FAILED');
    expect(failure.message).toContain(`Failed to pull image "${missing}"`);
    // Podman's own words (it cannot reach a registry at localhost).
    expect(failure.message).toMatch(/pinging container registry localhost|connection refused/);
    const stderr = readFileSync(join(await sandboxOf(d, failure.taskId), 'stderr'), 'utf8');
    expect(stderr).toContain(`Trying to pull ${missing}`);
    expect(stderr).toContain(`Failed to pull image "${missing}"`);

    // The local image runs without a pull: nothing about pulling in its stderr.
    await createApp(d, containerApp('/pull/local', { cmd: 'exec sleep 600' }));
    const [task] = await waitRunning(d, '/pull/local', 1, { timeoutMs: 60_000 });
    expect(readFileSync(join(await sandboxOf(d, task.id), 'stderr'), 'utf8')).not.toContain('Trying to pull');

    // forcePullImage pulls even a local image: here, where no registry answers, that fails.
    await createApp(d, containerApp('/pull/forced', { cmd: 'exec sleep 600' }, { forcePullImage: true }));
    const forced = await waitFor(async () => (await d.api('GET', '/v2/apps/pull/forced?embed=app.lastTaskFailure')).json?.app?.lastTaskFailure, {
      what: 'the forced pull failing',
      timeoutMs: 60_000,
    });
    expect(forced.message).toContain(`Failed to pull image "${image}"`);
  });
});
