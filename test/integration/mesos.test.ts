/** The Mesos master/agent read API, the files API (and its sandbox confinement), DC/OS metadata. */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { createApp, sandboxOf, waitRunning, waitSandboxFile, type Json } from './support.js';

let d: TestDaemon;
let task: Json;
let sandbox: string;
beforeAll(async () => {
  d = await startDaemon({ env: { DCOS_NODE_CPUS: '3', DCOS_NODE_MEM: '2048', DCOS_AGENT_PORTS: '31000-31099' } });
  await createApp(d, {
    id: '/prod/web',
    cmd: 'echo hello-from-task; echo to-stderr >&2; mkdir sub; echo nested > sub/file; ln -s /etc etclink; ln -s .. up; touch done; sleep 1000',
    cpus: 0.25,
    mem: 32,
  });
  [task] = await waitRunning(d, '/prod/web', 1);
  sandbox = await sandboxOf(d, task.id);
  await waitSandboxFile(d, `${sandbox}/done`, () => true, 'the task to finish its setup');
});
afterAll(stopAllDaemons);

const files = (kind: 'read' | 'browse', path: string, extra = '', prefix = `/slave/${'AGENT'}`) =>
  `${prefix.replace('AGENT', d.agentId)}/files/${kind}.json?path=${encodeURIComponent(path)}${extra}`;

describe('master state', () => {
  it('/mesos/master/state.json: one agent with a parseable pid, the marathon framework and its tasks', async () => {
    const res = await d.api('GET', '/mesos/master/state.json');
    expect(res.status).toBe(200);
    const state = res.json;
    expect(state.slaves).toHaveLength(1);
    const slave = state.slaves[0];
    expect(slave.id).toBe(d.agentId);
    const m = /^slave\(1\)@(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(slave.pid);
    expect(m, slave.pid).not.toBeNull();
    expect(m![1]).toBe('127.0.0.1');
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(slave.resources).toMatchObject({ cpus: 3, mem: 2048, gpus: 0, ports: '[31000-31099]' });
    expect(slave.used_resources).toMatchObject({ cpus: 0.25, mem: 32 });
    expect(slave.active).toBe(true);
    const fw = state.frameworks.find((f: Json) => f.name === 'marathon');
    expect(fw).toBeDefined();
    const mt = fw.tasks.find((t: Json) => t.id === task.id);
    expect(mt).toMatchObject({ name: 'web.prod', state: 'TASK_RUNNING', slave_id: d.agentId, framework_id: fw.id });
    expect(mt.resources).toMatchObject({ cpus: 0.25, mem: 32 });
    expect(mt.statuses.length).toBeGreaterThan(0);
    expect(mt.statuses.map((s: Json) => s.state)).toContain('TASK_RUNNING');
    for (const s of mt.statuses) expect(typeof s.timestamp).toBe('number');
    expect(fw.resources.cpus).toBe(0.25);

    for (const path of ['/master/state', '/master/state.json', '/mesos/master/state']) {
      const alias = await d.api('GET', path);
      expect(alias.status, path).toBe(200);
      expect(alias.json.slaves[0].id).toBe(d.agentId);
      expect(alias.json.frameworks[0].tasks.map((t: Json) => t.id)).toContain(task.id);
    }
  });

  it('/mesos/master/state-summary counts tasks per agent and framework', async () => {
    const res = await d.api('GET', '/mesos/master/state-summary');
    expect(res.status).toBe(200);
    expect(res.json.slaves).toHaveLength(1);
    expect(res.json.slaves[0]).toMatchObject({ id: d.agentId, TASK_RUNNING: 1 });
    expect(res.json.slaves[0].framework_ids).toHaveLength(1);
    const fw = res.json.frameworks[0];
    expect(fw).toMatchObject({ name: 'marathon', TASK_RUNNING: 1, slave_ids: [d.agentId] });
  });

  it('/mesos/master/tasks lists the task', async () => {
    const res = await d.api('GET', `/mesos/master/tasks?task_id=${task.id}`);
    expect(res.json.tasks.map((t: Json) => t.id)).toEqual([task.id]);
  });
});

describe('agent state and files', () => {
  it('/slave/<id>/state.json: the executor directory is the task sandbox with stdout and stderr', async () => {
    const res = await d.api('GET', `/slave/${d.agentId}/state.json`);
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(d.agentId);
    const executor = res.json.frameworks[0].executors.find((e: Json) => e.tasks.some((t: Json) => t.id === task.id));
    expect(executor.id).toBe(task.id);
    expect(executor.directory).toBe(sandbox);
    expect(sandbox).toContain(`/slaves/${d.agentId}/frameworks/`);
    expect(statSync(`${sandbox}/stdout`).isFile()).toBe(true);
    expect(statSync(`${sandbox}/stderr`).isFile()).toBe(true);
    expect((await d.api('GET', '/slave/not-an-agent/state.json')).status).toBe(404);
  });

  it('files/read.json: offset=-1 gives the size; reading shows what the task printed', async () => {
    const size = await d.api('GET', files('read', `${sandbox}/stdout`, '&offset=-1'));
    expect(size.status).toBe(200);
    expect(size.json).toEqual({ data: '', offset: statSync(`${sandbox}/stdout`).size });
    expect(size.json.offset).toBe('hello-from-task\n'.length);
    const all = await d.api('GET', files('read', `${sandbox}/stdout`, `&offset=0&length=${size.json.offset}`));
    expect(all.json).toEqual({ data: 'hello-from-task\n', offset: 0 });
    const part = await d.api('GET', files('read', `${sandbox}/stdout`, '&offset=6&length=4'));
    expect(part.json).toEqual({ data: 'from', offset: 6 });
    const past = await d.api('GET', files('read', `${sandbox}/stdout`, '&offset=1000'));
    expect(past.json).toEqual({ data: '', offset: 1000 });
    const err = await d.api('GET', files('read', `${sandbox}/stderr`));
    expect(err.json.data).toBe('to-stderr\n');
    const nested = await d.api('GET', files('read', `${sandbox}/sub/file`));
    expect(nested.json.data).toBe('nested\n');
    // The master's files API and the /agent alias serve the same sandboxes.
    expect((await d.api('GET', files('read', `${sandbox}/stdout`, '', '/mesos'))).json.data).toBe('hello-from-task\n');
    expect((await d.api('GET', files('read', `${sandbox}/stdout`, '', `/agent/AGENT`))).json.data).toBe('hello-from-task\n');
  });

  it('files/read.json: bad requests are 400, missing files 404', async () => {
    expect((await d.api('GET', `/slave/${d.agentId}/files/read.json`)).status).toBe(400);
    expect((await d.api('GET', files('read', `${sandbox}/stdout`, '&offset=abc'))).status).toBe(400);
    expect((await d.api('GET', files('read', `${sandbox}/stdout`, '&offset=-2'))).status).toBe(400);
    expect((await d.api('GET', files('read', `${sandbox}/stdout`, '&length=-5'))).status).toBe(400);
    expect((await d.api('GET', files('read', `${sandbox}/no-such-file`))).status).toBe(404);
  });

  it('files/browse.json lists the sandbox', async () => {
    const res = await d.api('GET', files('browse', sandbox));
    expect(res.status).toBe(200);
    const byName = new Map(res.json.map((e: Json) => [e.path.slice(sandbox.length + 1), e]));
    for (const name of ['stdout', 'stderr', 'sub', 'etclink', 'done']) expect(byName.has(name), name).toBe(true);
    const stdout = byName.get('stdout') as Json;
    expect(stdout).toMatchObject({ path: `${sandbox}/stdout`, size: 'hello-from-task\n'.length, nlink: 1 });
    expect(stdout.mode).toMatch(/^-r[w-][x-]/);
    expect(typeof stdout.mtime).toBe('number');
    expect(typeof stdout.uid).toBe('string');
    expect((byName.get('sub') as Json).mode).toMatch(/^d/);
    expect((byName.get('etclink') as Json).mode).toMatch(/^l/);
    const sub = await d.api('GET', files('browse', `${sandbox}/sub`));
    expect(sub.json.map((e: Json) => e.path)).toEqual([`${sandbox}/sub/file`]);
    expect((await d.api('GET', files('browse', `${sandbox}/stdout`))).status).toBe(404);
  });

  it('refuses every path outside the task sandboxes', async () => {
    const outside = [
      '/etc/passwd',
      '/etc',
      `${sandbox}/../../..`,
      `${sandbox}/..`,
      `${sandbox}/up`,
      `${sandbox}/etclink`,
      `${sandbox}/etclink/passwd`,
      `${sandbox}/../../../../../../../token`,
      `${sandbox}/../../../../../../../state.db`,
      `${d.dataDir}/token`,
      `${d.dataDir}/slaves`,
      `${d.dataDir}/slaves/${d.agentId}`,
      '../token',
      '/proc/self/environ',
    ];
    for (const path of outside) {
      for (const kind of ['read', 'browse'] as const) {
        for (const prefix of [`/slave/AGENT`, '/mesos']) {
          const res = await d.api('GET', files(kind, path, '', prefix));
          expect([403, 404], `${prefix} ${kind} ${path} -> ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
          expect(res.text).not.toContain('root:');
          expect(res.text).not.toContain(d.token);
        }
      }
    }
  });

  it('a killed task stays readable as a completed task', async () => {
    expect((await d.api('DELETE', `/v2/apps/prod/web/tasks/${task.id}`)).status).toBe(200);
    const done = await waitFor(
      async () => {
        const res = await d.api('GET', '/mesos/master/state.json');
        return res.json.frameworks[0].completed_tasks.find((t: Json) => t.id === task.id);
      },
      { what: 'the task among completed_tasks' },
    );
    expect(done.state).toBe('TASK_KILLED');
    expect(await sandboxOf(d, task.id)).toBe(sandbox);
    expect((await d.api('GET', files('read', `${sandbox}/stdout`))).json.data).toBe('hello-from-task\n');
  });
});

describe('DC/OS metadata', () => {
  it('/metadata and /dcos-metadata/dcos-version.json', async () => {
    const meta = await d.api('GET', '/metadata');
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({ PUBLIC_IPV4: '127.0.0.1' });
    expect(typeof meta.json.CLUSTER_ID).toBe('string');
    expect(meta.json.CLUSTER_ID.length).toBeGreaterThan(0);
    const version = await d.api('GET', '/dcos-metadata/dcos-version.json');
    expect(version.status).toBe(200);
    expect(version.json.version).toMatch(/^\d+\.\d+/);
    expect(version.json).toHaveProperty('dcos-image-commit');
    expect(version.json).toHaveProperty('bootstrap-id');
  });

  it('/capabilities advertises nothing the cluster does not serve (no Cosmos, no Metronome)', async () => {
    const res = await d.api('GET', '/capabilities');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.dcos\.capabilities\+json/);
    expect(res.json).toEqual({ capabilities: [] });
  });
});
