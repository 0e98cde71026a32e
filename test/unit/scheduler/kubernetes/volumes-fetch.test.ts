/** hostPath volumes, the sandbox, and fetch URIs as an init container. */
import { describe, expect, it } from 'vitest';
import { app, mainContainer, refusal, statefulSet, translate } from './helpers.js';

describe('volumes', () => {
  it('an absolute hostPath -> a hostPath volume; a relative one -> the sandbox, or the persistent volume it names', () => {
    const t = translate(
      app({
        container: {
          type: 'DOCKER',
          docker: { image: 'x' },
          volumes: [
            { containerPath: 'data', mode: 'RW', persistent: { size: 512 } },
            { containerPath: '/var/lib/app', hostPath: 'data', mode: 'RW' },
            { containerPath: '/etc/ssl/certs', hostPath: '/etc/ssl/certs', mode: 'RO' },
            { containerPath: '/logs', hostPath: 'logs', mode: 'RW' },
          ],
        },
      }),
    );
    const s = statefulSet(t);
    expect(s.spec.template.spec.volumes).toEqual([
      { name: 'mesos-sandbox', emptyDir: {} },
      { name: 'host-2', hostPath: { path: '/etc/ssl/certs' } },
    ]);
    expect(mainContainer(t).volumeMounts).toEqual([
      { name: 'mesos-sandbox', mountPath: '/mnt/mesos/sandbox' },
      { name: 'data', mountPath: '/mnt/mesos/sandbox/data' },
      { name: 'data', mountPath: '/var/lib/app' },
      { name: 'host-2', mountPath: '/etc/ssl/certs', readOnly: true },
      { name: 'mesos-sandbox', mountPath: '/logs', subPath: 'logs' },
    ]);
    expect(t.notes).toContain('container.volumes[2].hostPath /etc/ssl/certs -> a hostPath volume: the path must exist on every node the pod may run on');
  });

  it('a Deployment for host volumes only', () => {
    const t = translate(app({ container: { type: 'DOCKER', docker: { image: 'x' }, volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RW' }] } }));
    expect(t.workload.kind).toBe('Deployment');
  });

  it('refuses external and secret volumes', () => {
    const err = refusal(
      app({
        container: {
          type: 'DOCKER',
          docker: { image: 'x' },
          volumes: [
            { containerPath: '/ext', external: { name: 'vol', provider: 'dvdi' } },
            { containerPath: '/secret', secret: 'db-password' },
          ],
        },
      }),
    );
    expect(err.details.map((d) => d.path)).toEqual(['container.volumes[0].external', 'container.volumes[1].secret']);
  });
});

describe('fetch', () => {
  const SHA = 'ab'.repeat(64);
  const fetching = app({
    fetch: [
      { uri: `https://archive.example/dist/tool-1.0.tgz#sha512=${SHA}`, extract: true, cache: true },
      { uri: 'https://example.com/bin/run.sh', executable: true, extract: false },
      { uri: 'http://example.com/conf/app.conf', destPath: 'conf/' },
    ],
  });

  it('refuses http(s) URIs without a fetch image, naming each fetch[i].uri', () => {
    const err = refusal(fetching);
    expect(err.code).toBe('EKUBE_UNSUPPORTED');
    expect(err.details.map((d) => d.path)).toEqual(['fetch[0].uri', 'fetch[1].uri', 'fetch[2].uri']);
    expect(err.details[0].message).toMatch(/needs an init container image with sh, wget and tar, and none is configured/);
  });

  it('with a fetch image: an init container downloads, checks, extracts and chmods into the sandbox', () => {
    const t = translate(fetching, { fetchImage: 'registry.example/busybox:1.36' });
    const spec = t.workload.spec.template.spec;
    const init = spec.initContainers?.[0];
    expect(init?.name).toBe('fetch');
    expect(init?.image).toBe('registry.example/busybox:1.36');
    expect(init?.volumeMounts).toEqual([{ name: 'mesos-sandbox', mountPath: '/mnt/mesos/sandbox' }]);
    expect(init?.resources).toEqual(mainContainer(t).resources);
    expect(init?.command?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(init?.command?.[2].split('\n')).toEqual([
      'set -e',
      'cd /mnt/mesos/sandbox',
      "wget -q -O 'tool-1.0.tgz' 'https://archive.example/dist/tool-1.0.tgz'",
      `echo '${SHA}  tool-1.0.tgz' | sha512sum -c -`,
      "tar -xzf 'tool-1.0.tgz' -C '.'",
      "wget -q -O 'run.sh' 'https://example.com/bin/run.sh'",
      "chmod +x 'run.sh'",
      "mkdir -p 'conf'",
      "wget -q -O 'conf/app.conf' 'http://example.com/conf/app.conf'",
    ]);
    expect(t.notes).toContain('fetch[0].cache has no meaning on Kubernetes: every new pod downloads tool-1.0.tgz again');
  });

  it('refuses file:// URIs and local paths even with a fetch image, and other schemes', () => {
    const err = refusal(app({ fetch: [{ uri: 'file:///opt/dist/tool.tgz' }, { uri: '/opt/dist/tool.tgz' }, { uri: 'hdfs://nn/tool.tgz' }, { uri: 'https://ok.example/a.tgz' }] }), {
      fetchImage: 'busybox:1.36',
    });
    expect(err.details.map((d) => d.path)).toEqual(['fetch[0].uri', 'fetch[1].uri', 'fetch[2].uri']);
    expect(err.details[0].message).toMatch(/is a file on a DC\/OS agent, which a Kubernetes node does not have/);
  });

  it('reads the deprecated uris as fetch entries', () => {
    const err = refusal(app({ uris: ['https://example.com/a.tgz'] }));
    expect(err.details.map((d) => d.path)).toEqual(['fetch[0].uri']);
  });
});
