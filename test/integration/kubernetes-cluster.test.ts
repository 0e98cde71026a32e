/**
 * The Kubernetes test cluster and its helper, for real: a Deployment of the node image that
 * k8s-images.mjs builds (this machine's node, no registry) serving HTTP with `node -e`, Ready by
 * its readiness probe, answering from its pod IP; the image's busybox through `kubectl exec`; and
 * the file's own namespace. Skipped without a cluster (see helpers/kubernetes.ts), failed in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeCluster, NODE_IMAGE } from '../helpers/kubernetes.js';

const kube = kubeCluster(import.meta.filename);

const SERVER = `
const http = require('http');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok\\n' : 'hello from ' + process.env.HOSTNAME + ' on node ' + process.version + ' (' + process.env.GREETING + ')\\n');
});
server.listen(8080);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

describe.skipIf(kube.skip)('the Kubernetes test cluster (real kubelet and containerd)', () => {
  beforeAll(() => kube.createNamespace());
  afterAll(() => kube.cleanup());

  it('gives the file a namespace of its own, and kubectl answers in JSON', async () => {
    const ns = await kube.kubectl(['get', 'namespace', kube.namespace, '-o', 'json'], { namespaced: false });
    expect(ns).toMatchObject({ kind: 'Namespace', metadata: { name: kube.namespace }, status: { phase: 'Active' } });
    expect(kube.namespace).toMatch(/^dcos-kubernetes-cluster-[0-9a-f]{6}$/);
    expect((await kube.kubectl(['get', 'pods', '-o', 'json'])).items).toEqual([]);
    expect(kube.env.K8S_API_URL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('runs the node image as a Deployment that answers HTTP on its pod IP', async () => {
    const labels = { app: 'node-hello' };
    const applied = await kube.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'node-hello', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: 'server',
                image: NODE_IMAGE,
                imagePullPolicy: 'Never',
                command: ['node', '-e', SERVER],
                env: [{ name: 'GREETING', value: 'from a test' }],
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
                resources: { limits: { cpu: '200m', memory: '128Mi' } },
              },
            ],
          },
        },
      },
    });
    expect(applied).toMatchObject({ kind: 'Deployment', metadata: { name: 'node-hello', namespace: kube.namespace } });

    const [pod] = await kube.readyPods('app=node-hello', { timeoutMs: 90_000 });
    const body = await (await fetch(await kube.podUrl(pod, 8080))).text();
    expect(body).toBe(`hello from ${pod.metadata.name} on node ${process.version} (from a test)\n`);

    // The image's busybox gives it a shell and the usual applets (kubectl exec goes through the kubelet).
    const out = await kube.kubectl(['exec', pod.metadata.name, '--', 'sh', '-c', 'ls /usr/local/bin && wget -qO- http://127.0.0.1:8080/healthz']);
    expect(out).toBe('node\nok\n');
  }, 120_000);
});
