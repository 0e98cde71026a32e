/** What has no Kubernetes meaning is refused before anything is applied: one error, every field. */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../src/core/errors.js';
import { app, refusal, translate } from './helpers.js';

const HINT = "Run it from an image: set the package's container runtime option (for the bundled packages: service.runtime=container). Nothing was applied.";

describe('refusals', () => {
  it('an app without an image, naming the container runtime option', () => {
    const err = refusal({ id: '/hello', cmd: 'python3 -m http.server $PORT0', portDefinitions: [{ port: 0 }] });
    expect(err.code).toBe('EKUBE_UNSUPPORTED');
    expect(err.exitCode).toBe(ExitCode.failure);
    expect(err.showDetails).toBe(true);
    expect(err.message).toBe('The app /hello cannot be translated for Kubernetes: 1 field has no Kubernetes meaning');
    expect(err.details).toEqual([
      {
        path: 'container.docker.image',
        message:
          "the app runs a plain command on the node (no container image); Kubernetes runs containers from images only: set the package's container runtime option (for the bundled packages: service.runtime=container)",
      },
    ]);
    expect(err.hint).toBe(HINT);
  });

  it('a Mesos container without a docker image, and its fetch URIs, in one error', () => {
    const err = refusal({
      id: '/kafka',
      cmd: 'exec kafka',
      container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 100 } }] },
      fetch: [{ uri: 'https://archive.apache.org/dist/kafka.tgz' }, { uri: 'file:///tmp/conf.tgz' }],
    });
    expect(err.details.map((d) => d.path)).toEqual(['container.docker.image', 'fetch[0].uri', 'fetch[1].uri']);
    expect(err.details[0].message).toMatch(/a Mesos container \(container.type MESOS\) without an image/);
    expect(err.message).toMatch(/3 fields have no Kubernetes meaning/);
    expect(err.hint).toBe(HINT);
  });

  it('collects every problem of an app, each with its path', () => {
    const err = refusal(
      app({
        labels: { DCOS_PACKAGE_FRAMEWORK_NAME: 'kafka' },
        ipAddress: { networkName: 'dcos' },
        networks: [{ mode: 'container', name: 'dcos' }, { mode: 'container/bridge' }],
        portDefinitions: undefined,
        env: { PASSWORD: { secret: 'pw' }, 'BAD NAME': 'x' },
        secrets: { pw: { source: 'kafka/password' } },
        executor: '/opt/custom-executor',
        gpus: 0.5,
        user: 'nobody',
        container: {
          type: 'DOCKER',
          docker: { image: 'x', parameters: [{ key: 'cap-add', value: 'NET_ADMIN' }, { key: 'user', value: 'kafka' }], pullConfig: { secret: 'pull' } },
          linuxInfo: { seccomp: { unconfined: true } },
        },
        tty: true,
      }),
    );
    expect(err.code).toBe('EKUBE_UNSUPPORTED');
    expect(err.details.map((d) => d.path)).toEqual([
      'labels.DCOS_PACKAGE_FRAMEWORK_NAME',
      'secrets.pw',
      'executor',
      'tty',
      'container.linuxInfo',
      'container.docker.pullConfig',
      'user',
      'container.docker.parameters[0]',
      'container.docker.parameters[1].value',
      'ipAddress',
      'networks[0].name',
      'networks[1]',
      'gpus',
      'env.BAD NAME',
      'env.PASSWORD',
    ]);
    expect(err.details[0].message).toMatch(/scheduler of an SDK service \("kafka"\).*operator/);
    expect(err.details.find((d) => d.path === 'env.PASSWORD')?.message).toMatch(/secret "pw" of the DC\/OS secret store/);
    expect(err.hint).toBe('Change these fields (or the package options that produce them). Nothing was applied.');
  });

  it('notes what it cannot honour but can do without', () => {
    const t = translate(app({ dependencies: ['/db'], acceptedResourceRoles: ['slave_public'], killSelection: 'OLDEST_FIRST', requirePorts: true, version: '2024-01-01T00:00:00Z' }));
    expect(t.notes).toContain('dependencies ["/db"] are not enforced: Kubernetes starts workloads in any order');
    expect(t.notes).toContain('acceptedResourceRoles ["slave_public"] not used: Kubernetes has no Mesos roles (use constraints on node labels)');
    expect(t.notes).toContain('killSelection OLDEST_FIRST not used: the ReplicaSet chooses which pods a scale-down removes');
    expect(t.notes).toContain('requirePorts not needed: the ports are fixed container ports of the pod anyway');
    expect(t.notes.some((n) => n.includes('version'))).toBe(false);
  });
});
