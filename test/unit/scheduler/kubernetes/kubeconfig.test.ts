/**
 * Kubeconfig files as kubectl reads them, and the credentials a request carries: files merged from
 * KUBECONFIG, paths relative to their file, token files, and an exec credential plugin (a real
 * script) whose token reaches a real HTTP server, fetched again once when the server refuses it.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDcosError } from '../../../../src/core/errors.js';
import { KubeClient } from '../../../../src/scheduler/kubernetes/client.js';
import { resolveConnection } from '../../../../src/scheduler/kubernetes/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'dcos-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const A = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster:
    server: https://dev.example:6443/
    certificate-authority: certs/ca.pem
- name: prod
  cluster:
    server: https://prod.example:6443
    insecure-skip-tls-verify: true
users:
- name: dev-user
  user:
    client-certificate-data: ${Buffer.from('CERT').toString('base64')}
    client-key-data: ${Buffer.from('KEY').toString('base64')}
contexts:
- name: dev
  context: { cluster: dev, user: dev-user, namespace: team-a }
`;
const B = `
current-context: prod
users:
- name: prod-user
  user: { tokenFile: token }
- name: dev-user
  user: { token: ignored-because-a-set-it-first }
contexts:
- name: prod
  context: { cluster: prod, user: prod-user }
`;

describe('kubeconfig', () => {
  file('token', 'secret-token\n');
  const a = file('a.yaml', A);
  const b = file('b.yaml', B);
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'ca.pem'), 'CA');
  const env = { KUBECONFIG: [a, b, join(dir, 'missing.yaml')].join(delimiter), HOME: dir };

  it('merges KUBECONFIG files as kubectl does: the first to set a value wins, missing files are skipped', () => {
    const conn = resolveConnection({ env, cwd: dir });
    expect(conn).toMatchObject({ context: 'dev', server: 'https://dev.example:6443', namespace: 'team-a', insecure: false });
    expect(conn.ca?.toString()).toBe('CA');
    expect(conn.cert?.toString()).toBe('CERT');
    expect(conn.key?.toString()).toBe('KEY');
    expect(conn.token).toBeUndefined();
  });

  it('takes a context from a later file, its token file relative to that file, and a namespace given', () => {
    const conn = resolveConnection({ env, cwd: dir }, { context: 'prod', namespace: 'ops' });
    expect(conn).toMatchObject({ context: 'prod', server: 'https://prod.example:6443', namespace: 'ops', insecure: true, tokenFile: join(dir, 'token') });
  });

  it('names what is missing: a context, with the ones there are', () => {
    try {
      resolveConnection({ env, cwd: dir }, { context: 'staging' });
      throw new Error('resolved');
    } catch (err) {
      if (!isDcosError(err)) throw err;
      expect(err.message).toContain('has no context [staging]');
      expect(err.hint).toBe('Its contexts: dev, prod');
    }
    expect(() => resolveConnection({ file: 'nope.yaml', env: {}, cwd: dir })).toThrow(/Cannot read the kubeconfig .*nope\.yaml/);
  });
});

describe('credentials on requests', () => {
  it('sends the token an exec plugin prints, and runs the plugin again once when the server refuses it', async () => {
    const counter = join(dir, 'runs');
    writeFileSync(counter, '');
    const plugin = file('plugin.sh', `#!/bin/sh\necho run >> ${counter}\nn=$(wc -l < ${counter})\n[ -n "$KUBERNETES_EXEC_INFO" ] || exit 9\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tok-'$n'"}}'\n`);
    chmodSync(plugin, 0o755);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      // The first token has "expired": only the second is good.
      const ok = req.headers.authorization === 'Bearer tok-2';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? '{"gitVersion":"v1.20.2"}' : '{"kind":"Status","message":"Unauthorized"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const cfg = file(
        'exec.yaml',
        `current-context: c\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./plugin.sh}}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n`,
      );
      const client = new KubeClient(resolveConnection({ file: cfg, env: {}, cwd: dir }), { timeoutSeconds: 5 });
      expect(await client.json('GET', '/version')).toEqual({ gitVersion: 'v1.20.2' });
      expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-2']);
      expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(2);
      client.close();
    } finally {
      server.close();
    }
  });
});
