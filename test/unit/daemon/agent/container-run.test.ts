import { describe, expect, it } from 'vitest';
import { containerCommand, pullReference } from '../../../../src/daemon/agent/container-run.js';
import { runtimeReason } from '../../../../src/daemon/agent/container-lifecycle.js';
import { describeLimits, dockerLimits, podmanLimits } from '../../../../src/daemon/agent/container-runtime.js';

const podman = { bin: '/usr/bin/podman' };
const base = { name: 'dcos-web.1', image: 'localhost/web:1', env: {}, sandbox: '/s' };

describe('containerCommand: what a task container is run with', () => {
  it('labels the container with its agent and task, after its name', () => {
    const { args } = containerCommand(podman, { ...base, network: 'host', labels: { 'dcos.agent-id': 'a1', 'dcos.task-id': 'web.1' } });
    expect(args.slice(0, 9)).toEqual(['run', '--rm', '--name', 'dcos-web.1', '--label', 'dcos.agent-id=a1', '--label', 'dcos.task-id=web.1', '--network']);
  });

  it('bind-mounts volumes, read-only for RO, and refuses paths -v cannot carry', () => {
    const { args } = containerCommand(podman, {
      ...base,
      network: 'host',
      mounts: [
        { source: '/var/data/ro', target: '/etc/app', readOnly: true },
        { source: '/var/data/rw', target: '/mnt/mesos/sandbox/data', readOnly: false },
      ],
    });
    expect(args).toEqual(expect.arrayContaining(['-v', '/var/data/ro:/etc/app:ro']));
    const rw = args.indexOf('/var/data/rw:/mnt/mesos/sandbox/data');
    expect(args[rw - 1]).toBe('-v');
    // After the sandbox's own mount, so a volume inside the sandbox lands on top of it.
    expect(rw).toBeGreaterThan(args.indexOf('/s:/mnt/mesos/sandbox'));
    for (const mount of [{ source: 'relative', target: '/x', readOnly: false }, { source: '/a:b', target: '/x', readOnly: false }, { source: '/a', target: 'x', readOnly: true }]) {
      expect(() => containerCommand(podman, { ...base, network: 'host', mounts: [mount] })).toThrow(/container volume/);
    }
  });

  it('publishes mapped ports on the given address on a bridge; a named network maps too, none does not', () => {
    const portMappings = [{ hostPort: 20001, containerPort: 8080 }, { hostPort: 20002, containerPort: 0, protocol: 'udp' }];
    const bridge = containerCommand(podman, { ...base, network: 'bridge', publishAddress: '127.0.0.1', portMappings }).args;
    expect(bridge).toEqual(expect.arrayContaining(['--network', 'bridge', '-p', '127.0.0.1:20001:8080/tcp', '-p', '127.0.0.1:20002:20002/udp']));
    expect(containerCommand(podman, { ...base, network: 'dcos', portMappings }).args).toEqual(expect.arrayContaining(['--network', 'dcos', '-p', '20001:8080/tcp']));
    const none = containerCommand(podman, { ...base, network: 'none', portMappings }).args;
    expect(none).toEqual(expect.arrayContaining(['--network', 'none']));
    expect(none).not.toContain('-p');
  });

  it('limits cpus and memory (MiB, rounded up), passes the log driver and the pull policy', () => {
    const { args } = containerCommand(podman, { ...base, network: 'host', limits: { cpus: 0.25, memMiB: 48.5 }, logDriver: 'passthrough', pull: 'never' });
    expect(args).toEqual([
      'run', '--rm', '--name', 'dcos-web.1', '--network', 'host',
      '-v', '/s:/mnt/mesos/sandbox', '-w', '/mnt/mesos/sandbox', '-e', 'MESOS_SANDBOX=/mnt/mesos/sandbox',
      '--cpus=0.25', '--memory=49m', '--log-driver=passthrough', '--pull=never',
      'localhost/web:1',
    ]);
    // forcePullImage wins over the agent's own policy.
    expect(containerCommand(podman, { ...base, network: 'host', forcePull: true, pull: 'never' }).args).toContain('--pull=always');
    expect(containerCommand(podman, { ...base, network: 'host', forcePull: true, pull: 'never' }).args).not.toContain('--pull=never');
    // No limit asked (or one the runtime cannot enforce, left out by the caller): no option.
    expect(containerCommand(podman, { ...base, network: 'host', limits: {} }).args.some((a) => a.startsWith('--cpus') || a.startsWith('--memory'))).toBe(false);
  });

  it('cmd runs through /bin/sh -c instead of the entrypoint; args go to the entrypoint; neither keeps the image default', () => {
    const tail = (opts: { cmd?: string; args?: string[] }) => {
      const args = containerCommand(podman, { ...base, network: 'host', ...opts }).args;
      return args.slice(args.indexOf('MESOS_SANDBOX=/mnt/mesos/sandbox') + 1);
    };
    expect(tail({ cmd: 'echo "$PORT0"' })).toEqual(['--entrypoint', '/bin/sh', 'localhost/web:1', '-c', 'echo "$PORT0"']);
    expect(tail({ args: ['--port', '8080'] })).toEqual(['localhost/web:1', '--port', '8080']);
    expect(tail({})).toEqual(['localhost/web:1']);
  });
});

describe('pullReference', () => {
  it('means Docker Hub for a short name when Podman pulls, as Docker and Mesos do', () => {
    expect(pullReference('podman', 'redis:7')).toBe('docker.io/library/redis:7');
    expect(pullReference('podman', 'apache/kafka:3.7.0')).toBe('docker.io/apache/kafka:3.7.0');
    expect(pullReference('podman', 'quay.io/org/app:1')).toBe('quay.io/org/app:1');
    expect(pullReference('podman', 'localhost/dcos-test/busybox:1')).toBe('localhost/dcos-test/busybox:1');
    expect(pullReference('podman', 'registry:5000/app')).toBe('registry:5000/app');
    expect(pullReference('docker', 'redis:7')).toBe('redis:7');
  });
});

describe('runtimeReason', () => {
  it("gives the runtime's last error line, without its prefix", () => {
    const stderr = [
      'Trying to pull docker.io/library/nope:1...',
      'time="2026-01-01T00:00:00Z" level=warning msg="Failed, retrying in 1s ... (1/3)"',
      'Error: initializing source docker://nope:1: pinging container registry registry-1.docker.io: dial tcp: lookup registry-1.docker.io: no such host',
      '',
    ].join('\n');
    expect(runtimeReason(stderr)).toBe('initializing source docker://nope:1: pinging container registry registry-1.docker.io: dial tcp: lookup registry-1.docker.io: no such host');
    expect(runtimeReason('Error response from daemon: pull access denied for nope\n')).toBe('Error response from daemon: pull access denied for nope');
    expect(runtimeReason('something odd\n')).toBe('something odd');
    expect(runtimeReason('')).toBe('no reason given');
  });
});

describe('container limits', () => {
  it('Podman enforces what its cgroup controllers allow; rootless on cgroups v1 nothing', () => {
    expect(podmanLimits({ host: { cgroupVersion: 'v1', cgroupControllers: ['cpu', 'memory', 'pids'], security: { rootless: false } } })).toEqual({ cpus: true, mem: true, reason: '' });
    expect(podmanLimits({ host: { cgroupVersion: 'v2', cgroupControllers: ['memory', 'pids'], security: { rootless: true } } })).toEqual({
      cpus: false,
      mem: true,
      reason: 'the cgroup controller(s) cpu are not available to Podman',
    });
    expect(podmanLimits({ host: { cgroupVersion: 'v1', cgroupControllers: ['cpu', 'memory'], security: { rootless: true } } })).toMatchObject({ cpus: false, mem: false });
    expect(podmanLimits({})).toMatchObject({ cpus: false, mem: false });
  });

  it('Docker by its CFS quota and memory limit support', () => {
    expect(dockerLimits({ CPUCfsQuota: true, MemoryLimit: true })).toEqual({ cpus: true, mem: true, reason: '' });
    expect(dockerLimits({ CPUCfsQuota: false, MemoryLimit: true })).toEqual({ cpus: false, mem: true, reason: 'the Docker engine reports no CPU quota support' });
  });

  it('says in the daemon log what is and is not enforced', () => {
    expect(describeLimits({ cpus: true, mem: true, reason: '' })).toBe('container limits: cpus and mem are enforced (--cpus, --memory)');
    expect(describeLimits({ cpus: false, mem: true, reason: 'no cpu controller' })).toBe(
      'container limits: cpus NOT enforced (no cpu controller); containers run without that limit; mem enforced',
    );
    expect(describeLimits({ cpus: false, mem: false, reason: 'rootless' })).toBe('container limits: cpus and mem NOT enforced (rootless); containers run without those limits');
  });
});
