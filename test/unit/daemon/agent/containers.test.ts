import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  containerCommand,
  containerExecCommand,
  containerStopCommand,
  describeRuntime,
  detectContainerRuntime,
  NoContainerRuntimeError,
  resetContainerRuntimeCache,
  taskContainerName,
} from '../../../../src/daemon/agent/containers.js';
import { tempDirs } from './agent-helpers.js';

const dirs = tempDirs();
beforeEach(() => resetContainerRuntimeCache());
afterEach(() => dirs.cleanup());

/** A test double of a container CLI: answers `info` (or not) and counts its calls. */
function writeRuntimeDouble(dir: string, name: string, answers: boolean): { bin: string; calls: () => number } {
  const bin = path.join(dir, name);
  const log = path.join(dir, `${name}.calls`);
  writeFileSync(
    bin,
    `#!/bin/sh\necho "$@" >> "${log}"\nif [ "$1" = info ] && [ "${answers ? 1 : 0}" = 1 ]; then echo 99.0-test-double; exit 0; fi\necho "engine not running" >&2\nexit 1\n`,
  );
  chmodSync(bin, 0o755);
  return { bin, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0) };
}

/**
 * TEST DOUBLES of the real CLIs, answering the version probes as they do (checked by hand against
 * Docker 28 without an engine and Podman 4.3): each answers only its own template fields.
 */
const REAL_ANSWERS = {
  // A docker CLI whose engine is not running (as on a machine with the client only).
  'docker-no-engine': `
case "$*" in
  "info --format {{.ServerVersion}}"|"version --format {{.Server.Version}}")
    echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1 ;;
  "version --format {{.Version}}")
    echo 'template: :1:2: executing "" at <.Version>: can'"'"'t evaluate field Version in type types.VersionResponse' >&2; exit 1 ;;
esac
exit 1`,
  docker: `
case "$*" in
  "info --format {{.ServerVersion}}"|"version --format {{.Server.Version}}") echo 28.2.2 ;;
  *) echo 'template: :1:2: executing "" at <.Version>: can'"'"'t evaluate field Version' >&2; exit 1 ;;
esac`,
  podman: `
case "$*" in
  "version --format {{.Version}}"|"info --format {{.Version.Version}}"|"version --format {{.Server.Version}}") echo 4.3.1 ;;
  "info --format {{.ServerVersion}}")
    echo 'Error: template: info:1:2: executing "info" at <.ServerVersion>: can'"'"'t evaluate field ServerVersion in type *define.Info' >&2; exit 125 ;;
  *) exit 125 ;;
esac`,
} as const;

function writeRealisticDouble(dir: string, name: string, behaves: keyof typeof REAL_ANSWERS): string {
  const bin = path.join(dir, name);
  writeFileSync(bin, `#!/bin/sh\n# TEST DOUBLE of the ${behaves} CLI (see REAL_ANSWERS)\necho "$@" >> "${bin}.calls"${REAL_ANSWERS[behaves]}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe('detectContainerRuntime', () => {
  it('finds nothing when the docker client has no engine (and there is no podman)', async () => {
    const dir = dirs.make();
    writeRealisticDouble(dir, 'docker', 'docker-no-engine');
    expect(await detectContainerRuntime({ PATH: dir })).toBeNull();
  });

  it('finds Podman by its own version field when it is the only runtime', async () => {
    const dir = dirs.make();
    writeRealisticDouble(dir, 'docker', 'docker-no-engine');
    const podman = writeRealisticDouble(dir, 'podman', 'podman');
    expect(await detectContainerRuntime({ PATH: dir })).toEqual({ kind: 'podman', bin: podman, version: '4.3.1' });
    expect(readFileSync(`${podman}.calls`, 'utf8')).toBe('version --format {{.Version}}\n');
  });

  it('finds Docker by its server version', async () => {
    const dir = dirs.make();
    const docker = writeRealisticDouble(dir, 'docker', 'docker');
    writeRealisticDouble(dir, 'podman', 'podman');
    expect(await detectContainerRuntime({ PATH: dir })).toEqual({ kind: 'docker', bin: docker, version: '28.2.2' });
  });

  it("tells Podman's docker-compatible wrapper (a `docker` that is Podman) for what it is", async () => {
    const dir = dirs.make();
    const shim = writeRealisticDouble(dir, 'docker', 'podman');
    expect(await detectContainerRuntime({ PATH: dir })).toEqual({ kind: 'podman', bin: shim, version: '4.3.1' });
  });

  it('says in one line which runtime is in use', () => {
    expect(describeRuntime({ kind: 'podman', bin: '/usr/bin/podman', version: '4.3.1' })).toBe('container runtime: podman 4.3.1 (/usr/bin/podman)');
    expect(describeRuntime(null)).toBe('container runtime: none (neither Docker nor Podman answers; DOCKER container apps will fail)');
  });

  it('uses the binary named by DCOS_CONTAINER_RUNTIME, and caches the answer', async () => {
    const double = writeRuntimeDouble(dirs.make(), 'docker-test-double', true);
    const env = { PATH: process.env.PATH, DCOS_CONTAINER_RUNTIME: double.bin };
    expect(await detectContainerRuntime(env)).toEqual({ kind: 'docker', bin: double.bin, version: '99.0-test-double' });
    expect(await detectContainerRuntime(env)).toEqual({ kind: 'docker', bin: double.bin, version: '99.0-test-double' });
    expect(double.calls()).toBe(1);
  });

  it('prefers docker, then podman, on PATH; a double whose engine fails is skipped', async () => {
    const dir = dirs.make();
    writeRuntimeDouble(dir, 'docker', false);
    const podman = writeRuntimeDouble(dir, 'podman', true);
    expect(await detectContainerRuntime({ PATH: dir })).toEqual({ kind: 'podman', bin: podman.bin, version: '99.0-test-double' });
  });

  it('is disabled by DCOS_CONTAINER_RUNTIME=none', async () => {
    const dir = dirs.make();
    const docker = writeRuntimeDouble(dir, 'docker', true);
    expect(await detectContainerRuntime({ PATH: dir, DCOS_CONTAINER_RUNTIME: 'none' })).toBeNull();
    expect(docker.calls()).toBe(0);
  });

  it('gives null for an override that does not exist', async () => {
    expect(await detectContainerRuntime({ PATH: '', DCOS_CONTAINER_RUNTIME: '/nonexistent/docker' })).toBeNull();
  });
});

describe('containerCommand', () => {
  const runtime = { kind: 'docker' as const, bin: '/usr/bin/docker' };

  it('runs a shell command on the host network with the sandbox mounted', () => {
    const { bin, args } = containerCommand(runtime, {
      name: 'mesos-c1',
      image: 'nginx:1.25',
      cmd: 'echo $PORT0 && sleep 10',
      env: { PORT0: '31000', MESOS_SANDBOX: '/host/path', A: 'b=c' },
      sandbox: '/data/sandbox',
      network: 'host',
    });
    expect(bin).toBe('/usr/bin/docker');
    expect(args).toEqual([
      'run', '--rm', '--name', 'mesos-c1', '--network', 'host',
      '-e', 'PORT0=31000', '-e', 'A=b=c',
      '-v', '/data/sandbox:/mnt/mesos/sandbox', '-w', '/mnt/mesos/sandbox', '-e', 'MESOS_SANDBOX=/mnt/mesos/sandbox',
      '--entrypoint', '/bin/sh', 'nginx:1.25', '-c', 'echo $PORT0 && sleep 10',
    ]);
  });

  it('maps ports on a bridge network and passes args, pull, privileged and parameters', () => {
    const { args } = containerCommand(runtime, {
      name: 'mesos-c2',
      image: 'redis',
      args: ['--port', '6379'],
      env: {},
      sandbox: '/s',
      network: 'bridge',
      forcePull: true,
      privileged: true,
      parameters: [{ key: 'memory-swap', value: '-1' }, { key: 'init', value: 'true' }],
      portMappings: [
        { containerPort: 6379, hostPort: 31001, protocol: 'tcp' },
        { containerPort: 0, hostPort: 31002, protocol: 'udp,tcp' },
      ],
    });
    expect(args).toEqual([
      'run', '--rm', '--name', 'mesos-c2', '--network', 'bridge',
      '-v', '/s:/mnt/mesos/sandbox', '-w', '/mnt/mesos/sandbox', '-e', 'MESOS_SANDBOX=/mnt/mesos/sandbox',
      '-p', '31001:6379/tcp', '-p', '31002:31002/udp', '-p', '31002:31002/tcp',
      '--pull=always', '--privileged', '--memory-swap=-1', '--init=true',
      'redis', '--port', '6379',
    ]);
  });

  it("runs the container's processes as the app's user (resolved on the node)", () => {
    const { args } = containerCommand(runtime, { name: 'n', image: 'i', env: {}, sandbox: '/s', network: 'host', user: '65534:65534' });
    expect(args).toEqual(['run', '--rm', '--name', 'n', '--network', 'host', '-v', '/s:/mnt/mesos/sandbox', '-w', '/mnt/mesos/sandbox', '-e', 'MESOS_SANDBOX=/mnt/mesos/sandbox', '--user=65534:65534', 'i']);
  });

  it('ignores port mappings on the host network and refuses odd parameter names', () => {
    const base = { name: 'n', image: 'i', env: {}, sandbox: '/s' };
    const { args } = containerCommand(runtime, { ...base, network: 'host', portMappings: [{ containerPort: 1, hostPort: 2 }] });
    expect(args).not.toContain('-p');
    expect(() => containerCommand(runtime, { ...base, network: 'host', parameters: [{ key: '-v /:/x', value: '' }] })).toThrow(
      'Invalid docker parameter name',
    );
  });

  it('stops a container with a grace period', () => {
    expect(containerStopCommand(runtime, 'mesos-c1', 2.5)).toEqual({ bin: '/usr/bin/docker', args: ['stop', '--time', '3', 'mesos-c1'] });
  });

  it('explains a missing runtime', () => {
    const err = new NoContainerRuntimeError('nginx:1.25');
    expect(err.message).toBe(
      'This app needs a container runtime (container.type DOCKER, image "nginx:1.25") but neither Docker nor Podman is available on this node: install one, or run the app without a container.',
    );
    expect(err.code).toBe('ENOCONTAINERRUNTIME');
  });
});

describe('containerExecCommand', () => {
  it('runs a shell command inside the named container, as the app user when it has one', () => {
    expect(containerExecCommand({ bin: '/usr/bin/podman', name: 'dcos-kafka.1', user: '1000:1000' }, 'cqlsh -e "describe keyspaces"')).toEqual({
      bin: '/usr/bin/podman',
      args: ['exec', '--user=1000:1000', 'dcos-kafka.1', '/bin/sh', '-c', 'cqlsh -e "describe keyspaces"'],
    });
    expect(containerExecCommand({ bin: 'docker', name: 'dcos-kafka.1' }, 'true').args).toEqual(['exec', 'dcos-kafka.1', '/bin/sh', '-c', 'true']);
  });

  it('names a task container after its task, in the characters a container name may have', () => {
    expect(taskContainerName('kafka_broker.5f0c-11ab')).toBe('dcos-kafka_broker.5f0c-11ab');
    expect(taskContainerName('a b/c:d')).toBe('dcos-a-b-c-d');
  });
});
