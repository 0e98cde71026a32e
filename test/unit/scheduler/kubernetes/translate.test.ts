/** The mapping rows of a plain app: metadata, command, image, resources, environment, ports. */
import { describe, expect, it } from 'vitest';
import { appFromAnnotations, ANNOTATIONS, canonicalJson } from '../../../../src/scheduler/kubernetes/metadata.js';
import { app, envOf, mainContainer, refusal, translate } from './helpers.js';

const PACKAGE_LABELS = {
  DCOS_PACKAGE_NAME: 'web',
  DCOS_PACKAGE_VERSION: '4.0.0-1',
  DCOS_PACKAGE_OPTIONS: Buffer.from(JSON.stringify({ service: { name: '/dev/web' } })).toString('base64'),
  DCOS_SERVICE_NAME: 'dev/web',
};

describe('metadata', () => {
  it('names every object after the app id, in the namespace, with the recommended labels', () => {
    const t = translate(app({ id: '/dev/web', labels: PACKAGE_LABELS }));
    for (const object of [t.workload, t.service, t.pdb]) {
      expect(object?.metadata.name).toBe('dev-web');
      expect(object?.metadata.namespace).toBe('data');
      expect(object?.metadata.labels).toEqual({
        'app.kubernetes.io/instance': 'dev-web',
        'app.kubernetes.io/managed-by': 'dcos',
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/version': '4.0.0-1',
        'dcos.io/package-name': 'web',
        'dcos.io/package-version': '4.0.0-1',
      });
      expect(object?.metadata.annotations?.['dcos.io/app-id']).toBe('/dev/web');
    }
    const selector = { 'app.kubernetes.io/instance': 'dev-web', 'app.kubernetes.io/managed-by': 'dcos' };
    expect(t.workload.spec.selector.matchLabels).toEqual(selector);
    expect(t.service?.spec.selector).toEqual(selector);
    expect(t.pdb?.spec.selector.matchLabels).toEqual(selector);
    expect(t.workload.spec.template.metadata.labels).toEqual(t.workload.metadata.labels);
  });

  it('without package labels names the app after its object name and sets no version', () => {
    const labels = translate(app()).workload.metadata.labels;
    expect(labels).toEqual({ 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'dcos', 'app.kubernetes.io/name': 'web' });
  });

  it('keeps every Marathon label as an annotation, and one whose key cannot be an annotation name in dcos.io/labels', () => {
    const labels = { ...PACKAGE_LABELS, 'odd key!': 'v', HAPROXY_GROUP: 'external' };
    const annotations = translate(app({ labels })).workload.metadata.annotations ?? {};
    expect(annotations['label.dcos.io/DCOS_PACKAGE_OPTIONS']).toBe(PACKAGE_LABELS.DCOS_PACKAGE_OPTIONS);
    expect(annotations['label.dcos.io/DCOS_SERVICE_NAME']).toBe('dev/web');
    expect(annotations['label.dcos.io/HAPROXY_GROUP']).toBe('external');
    expect(JSON.parse(annotations['dcos.io/labels'])).toEqual({ 'odd key!': 'v' });
  });

  it('sanitizes a version that is no label value, and says so', () => {
    const t = translate(app({ labels: { DCOS_PACKAGE_NAME: 'web', DCOS_PACKAGE_VERSION: '1.0.0+build 7' } }));
    expect(t.workload.metadata.labels?.['app.kubernetes.io/version']).toBe('1.0.0-build-7');
    expect(t.notes).toContain('DCOS_PACKAGE_VERSION "1.0.0+build 7" -> label value "1.0.0-build-7"');
  });

  it('stores the definition so that the app reads back as it was given', () => {
    const input = app({ id: '/dev/web', labels: { ...PACKAGE_LABELS, 'odd key!': 'v' }, env: { B: '2', A: '1' } });
    const t = translate(input);
    const annotations = t.workload.metadata.annotations ?? {};
    const definition = JSON.parse(annotations[ANNOTATIONS.definition]);
    expect(definition.labels).toEqual({});
    expect(definition.cmd).toBe(input.cmd);
    const back = appFromAnnotations(annotations);
    expect(canonicalJson(back)).toBe(canonicalJson(input));
    expect(canonicalJson(translate(back!))).toBe(canonicalJson(t));
    expect(appFromAnnotations({})).toBeUndefined();
    expect(appFromAnnotations({ [ANNOTATIONS.definition]: 'not json' })).toBeUndefined();
  });

  it('gives the same objects, key order included, for the same app', () => {
    const input = app({ labels: PACKAGE_LABELS, env: { Z: '1', A: '2' }, healthChecks: [{ protocol: 'TCP' }] });
    expect(JSON.stringify(translate(input))).toBe(JSON.stringify(translate(structuredClone(input))));
    const reordered = Object.fromEntries(Object.entries(input).reverse()) as typeof input;
    reordered.env = { A: '2', Z: '1' };
    expect(JSON.stringify(translate(reordered).workload)).toBe(JSON.stringify(translate(input).workload));
  });

  it('refuses an app whose annotations would pass 256 KiB, naming the biggest', () => {
    const err = refusal(app({ labels: { BIG: 'x'.repeat(200 * 1024) }, cmd: `echo ${'y'.repeat(60 * 1024)}` }));
    expect(err.code).toBe('EKUBE_TOO_LARGE');
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/over the limit of 262144 \(256 KiB\)/);
    expect(err.details.map((d) => d.path)).toEqual(['labels.BIG', 'dcos.io/app-definition', 'dcos.io/app-id']);
    expect(() => translate(app({ labels: { BIG: 'x'.repeat(200 * 1024) } }))).not.toThrow();
  });

  it('returns the field manager to apply with', () => {
    expect(translate(app()).fieldManager).toBe('dcos');
    expect(translate(app(), { fieldManager: 'dcos-ci' }).fieldManager).toBe('dcos-ci');
  });
});

describe('the container', () => {
  it('instances -> replicas; cmd -> /bin/sh -c, in place of the entrypoint', () => {
    const t = translate(app({ instances: 3 }));
    expect(t.workload.spec.replicas).toBe(3);
    const c = mainContainer(t);
    expect(c.name).toBe('web');
    expect(c.command).toEqual(['/bin/sh', '-c', 'exec server --port "$PORT0"']);
    expect(c.args).toBeUndefined();
  });

  it('args -> args, the image entrypoint kept', () => {
    const c = mainContainer(translate(app({ cmd: undefined, args: ['--port', '8080'] })));
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['--port', '8080']);
  });

  it('doubles "$" where Kubernetes would expand $(VAR) or $$, so the shell gets the command unchanged', () => {
    const cmd = 'V=$(java -version 2>&1); echo $$ "$(HOST)" $HOST cost$5';
    const c = mainContainer(translate(app({ cmd, args: undefined, env: { X: 'a$(b)$$c' } })));
    expect(c.command?.[2]).toBe('V=$$(java -version 2>&1); echo $$$ "$$(HOST)" $HOST cost$5');
    expect(envOf(c).X).toBe('a$$(b)$$$c');
    expect(c.args).toBeUndefined();
  });

  it('image, and forcePullImage -> imagePullPolicy Always, else IfNotPresent', () => {
    expect(mainContainer(translate(app())).imagePullPolicy).toBe('IfNotPresent');
    const forced = app({ container: { type: 'DOCKER', docker: { image: 'example/web:1.0', forcePullImage: true } } });
    const c = mainContainer(translate(forced));
    expect(c.image).toBe('example/web:1.0');
    expect(c.imagePullPolicy).toBe('Always');
  });

  it('runs an image of a Mesos container (UCR) too', () => {
    const ucr = app({ container: { type: 'MESOS', docker: { image: 'example/web:1.0' } } });
    expect(mainContainer(translate(ucr)).image).toBe('example/web:1.0');
  });

  it('cpus, mem, disk, gpus -> equal requests and limits in canonical quantities', () => {
    const c = mainContainer(translate(app({ cpus: 1.5, mem: 1024, disk: 2560, gpus: 1, container: { type: 'MESOS', docker: { image: 'example/web:1.0' } } })));
    const amounts = { cpu: '1500m', memory: '1Gi', 'ephemeral-storage': '2560Mi', 'nvidia.com/gpu': '1' };
    expect(c.resources).toEqual({ requests: amounts, limits: amounts });
    expect(mainContainer(translate(app({ cpus: 2, mem: 300.5 }))).resources?.requests).toEqual({ cpu: '2', memory: '307712Ki' });
    expect(mainContainer(translate(app({ cpus: 0.1 }))).resources?.limits?.cpu).toBe('100m');
  });

  it('taskKillGracePeriodSeconds -> terminationGracePeriodSeconds', () => {
    expect(translate(app({ taskKillGracePeriodSeconds: 45 })).workload.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(translate(app()).workload.spec.template.spec.terminationGracePeriodSeconds).toBeUndefined();
  });

  it('backoffSeconds and maxLaunchDelaySeconds -> notes', () => {
    const notes = translate(app({ backoffSeconds: 5, maxLaunchDelaySeconds: 600 })).notes;
    expect(notes).toContain('backoffSeconds 5 has no equivalent: the kubelet restarts a failing container with its own back-off (CrashLoopBackOff, 10 s doubling up to 5 min)');
    expect(notes.some((n) => n.startsWith('maxLaunchDelaySeconds 600 has no equivalent'))).toBe(true);
  });

  it('the docker user parameter and privileged -> a security context', () => {
    const input = app({ container: { type: 'DOCKER', docker: { image: 'x', privileged: true, parameters: [{ key: 'user', value: '1000:1000' }] } } });
    expect(mainContainer(translate(input)).securityContext).toEqual({ privileged: true, runAsUser: 1000, runAsGroup: 1000 });
    expect(mainContainer(translate(app({ user: 'root' }))).securityContext).toEqual({ runAsUser: 0 });
  });

  it('pods get no service links and no service account token', () => {
    const spec = translate(app()).workload.spec.template.spec;
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.automountServiceAccountToken).toBe(false);
  });
});

describe('the environment', () => {
  it('sets what Marathon and Mesos set, HOST from the pod IP and the task id from the pod name', () => {
    const c = mainContainer(translate(app({ id: '/dev/web', labels: { DCOS_SERVICE_NAME: 'web', 'a.b': 'c' } })));
    const env = envOf(c);
    expect(env).toMatchObject({
      HOST: '<status.podIP>',
      MESOS_TASK_ID: '<metadata.name>',
      MESOS_SANDBOX: '/mnt/mesos/sandbox',
      MARATHON_APP_ID: '/dev/web',
      MARATHON_APP_RESOURCE_CPUS: '0.5',
      MARATHON_APP_RESOURCE_MEM: '256',
      MARATHON_APP_RESOURCE_DISK: '0',
      MARATHON_APP_RESOURCE_GPUS: '0',
      MARATHON_APP_DOCKER_IMAGE: 'example/web:1.0',
      MARATHON_APP_LABEL_DCOS_SERVICE_NAME: 'web',
      MARATHON_APP_LABEL_A_B: 'c',
      MARATHON_APP_LABELS: 'DCOS_SERVICE_NAME A_B',
      PORT0: '10000',
      PORT_10000: '10000',
      PORT_HTTP: '10000',
      PORT: '10000',
      PORTS: '10000',
    });
    expect(c.workingDir).toBe('/mnt/mesos/sandbox');
  });

  it('the app env wins and comes sorted after Marathon\'s', () => {
    const c = mainContainer(translate(app({ env: { PORT0: '9', ZED: 'z', ALPHA: 'a' } })));
    const names = (c.env ?? []).map((e) => e.name);
    expect(names.slice(-3)).toEqual(['ALPHA', 'PORT0', 'ZED']);
    expect(names.filter((n) => n === 'PORT0')).toHaveLength(1);
    expect(envOf(c).PORT0).toBe('9');
  });

  it('does not export huge labels (package definitions) as variables, and says so', () => {
    const t = translate(app({ labels: { DCOS_PACKAGE_DEFINITION: 'd'.repeat(5000), DCOS_PACKAGE_NAME: 'web' } }));
    const env = envOf(mainContainer(t));
    expect(env.MARATHON_APP_LABEL_DCOS_PACKAGE_DEFINITION).toBeUndefined();
    expect(env.MARATHON_APP_LABELS).toBe('DCOS_PACKAGE_NAME');
    expect(t.notes).toContain('labels over 4096 bytes not exported as MARATHON_APP_LABEL_* (they stay annotations): DCOS_PACKAGE_DEFINITION');
  });
});

describe('ports', () => {
  it('random host ports -> fixed container ports 10000 + index, fixed ones keep their number; PORT0.. carry them', () => {
    const t = translate(app({ portDefinitions: [{ port: 0, name: 'http' }, { port: 9090, name: 'admin' }, { port: 0 }] }));
    const c = mainContainer(t);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 10000, protocol: 'TCP' },
      { name: 'admin', containerPort: 9090, protocol: 'TCP' },
      { name: 'port2', containerPort: 10002, protocol: 'TCP' },
    ]);
    expect(envOf(c)).toMatchObject({ PORT0: '10000', PORT1: '9090', PORT2: '10002', PORT_9090: '9090', PORT_ADMIN: '9090', PORTS: '10000,9090,10002' });
    expect(t.notes).toContain('random ports -> fixed container ports: PORT0=10000, PORT2=10002');
  });

  it('a random port skips numbers another port holds', () => {
    const ports = mainContainer(translate(app({ portDefinitions: [{ port: 0 }, { port: 10000 }] }))).ports;
    expect(ports?.map((p) => p.containerPort)).toEqual([10001, 10000]);
  });

  it('named ports -> a ClusterIP Service with the same names, names made IANA_SVC_NAME and said', () => {
    const t = translate(app({ portDefinitions: [{ port: 0, name: 'Client_Port' }, { port: 7000, name: 'replication-traffic', protocol: 'udp' }] }));
    expect(t.service?.spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'dcos' },
      ports: [
        { name: 'client-port', port: 10000, targetPort: 10000, protocol: 'TCP' },
        { name: 'replication-tra', port: 7000, targetPort: 7000, protocol: 'UDP' },
      ],
    });
    expect(t.notes).toContain('port names made valid IANA service names (at most 15 of a-z, 0-9, "-"): "Client_Port" -> "client-port", "replication-traffic" -> "replication-tra"');
    // $PORT_<NAME> keeps Marathon's name.
    expect(envOf(mainContainer(t))).toMatchObject({ PORT_CLIENT_PORT: '10000', PORT_REPLICATION_TRAFFIC: '7000' });
  });

  it('a "udp,tcp" port -> two container ports with distinct names', () => {
    const t = translate(app({ portDefinitions: [{ port: 53, name: 'dns', protocol: 'udp,tcp' }] }));
    expect(mainContainer(t).ports).toEqual([
      { name: 'dns', containerPort: 53, protocol: 'TCP' },
      { name: 'dns-u', containerPort: 53, protocol: 'UDP' },
    ]);
    expect(t.service?.spec.ports.map((p) => p.name)).toEqual(['dns', 'dns-u']);
  });

  it('an app without ports gets Marathon\'s default port, "default"; with network NONE none and no Service', () => {
    const t = translate(app({ portDefinitions: undefined }));
    expect(mainContainer(t).ports).toEqual([{ name: 'default', containerPort: 10000, protocol: 'TCP' }]);
    const none = translate(app({ networks: undefined, portDefinitions: undefined, container: { type: 'DOCKER', docker: { image: 'x', network: 'NONE' } } }));
    expect(none.service).toBeUndefined();
    expect(mainContainer(none).ports).toBeUndefined();
  });

  it('bridge port mappings -> their container ports; a container port 0 takes the host port, or 10000 + index', () => {
    const t = translate(
      app({
        networks: [{ mode: 'container/bridge' }],
        portDefinitions: undefined,
        container: {
          type: 'DOCKER',
          docker: { image: 'x' },
          portMappings: [
            { containerPort: 8080, hostPort: 0, name: 'http' },
            { containerPort: 0, hostPort: 31000, name: 'admin' },
            { containerPort: 0, hostPort: 0, name: 'debug' },
          ],
        },
      }),
    );
    const c = mainContainer(t);
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([['http', 8080], ['admin', 31000], ['debug', 10002]]);
    expect(envOf(c)).toMatchObject({ PORT0: '8080', PORT_8080: '8080', PORT1: '31000', PORT2: '10002' });
    expect(t.notes).toContain('container.portMappings[1].hostPort 31000 not used: a pod is reached on its own IP or through the Service');
  });
});
