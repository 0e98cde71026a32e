/** What a task gets from the agent: its environment, shell or exec form, host and service ports. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { createApp, getApp, parseEnv, sandboxOf, sleeper, waitRunning, waitSandboxFile, type Json } from './support.js';

const RANGE = [31200, 31299] as const;
let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ env: { DCOS_AGENT_PORTS: `${RANGE[0]}-${RANGE[1]}`, IT_INHERITED: 'from-daemon', IT_OVERRIDE: 'from-daemon' } });
});
afterAll(stopAllDaemons);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('task environment', () => {
  it('has Marathon and Mesos variables, labels, ports and the app env (which wins)', async () => {
    const app = await createApp(d, {
      id: '/agent/env',
      cmd: 'env > env.txt; sleep 1000',
      cpus: 0.01,
      mem: 16,
      labels: { 'team-name': 'core', tier: 'web' },
      env: { CUSTOM: 'hello world', IT_OVERRIDE: 'from-app' },
      portDefinitions: [{ port: 0, name: 'http' }, { port: 0 }],
    });
    const [task] = await waitRunning(d, '/agent/env', 1);
    const sandbox = await sandboxOf(d, task.id);
    const env = parseEnv(await waitSandboxFile(d, `${sandbox}/env.txt`, (t) => t.includes('MESOS_TASK_ID='), 'env.txt written'));
    expect(env).toMatchObject({
      HOST: '127.0.0.1',
      MESOS_TASK_ID: task.id,
      MESOS_SANDBOX: sandbox,
      MARATHON_APP_ID: '/agent/env',
      MARATHON_APP_VERSION: app.version,
      MARATHON_APP_RESOURCE_CPUS: '0.01',
      MARATHON_APP_RESOURCE_MEM: '16',
      MARATHON_APP_LABEL_TEAM_NAME: 'core',
      MARATHON_APP_LABEL_TIER: 'web',
      CUSTOM: 'hello world',
      IT_INHERITED: 'from-daemon',
      IT_OVERRIDE: 'from-app',
      PORT0: String(task.ports[0]),
      PORT1: String(task.ports[1]),
      PORT: String(task.ports[0]),
      PORTS: `${task.ports[0]},${task.ports[1]}`,
      PORT_HTTP: String(task.ports[0]),
    });
    expect(env.MARATHON_APP_LABELS.split(' ').sort()).toEqual(['TEAM_NAME', 'TIER']);
    // The daemon's own settings and secrets stay out of tasks.
    expect(Object.keys(env).filter((k) => k.startsWith('DCOS_') && k !== 'DCOS_AGENT_ID')).toEqual([]);
    expect(readFileSync(`${sandbox}/env.txt`, 'utf8')).not.toContain(d.token);
    expect(process.cwd()).not.toBe(sandbox);
  });
});

describe('cmd and args', () => {
  it('runs cmd through /bin/sh -c', async () => {
    await createApp(d, sleeper('/agent/shell', { cmd: 'echo "sum=$((1+2)) id=$MESOS_TASK_ID" && echo "$0" && sleep 1000' }));
    const [task] = await waitRunning(d, '/agent/shell', 1);
    const out = await waitSandboxFile(d, `${await sandboxOf(d, task.id)}/stdout`, (t) => t.split('\n').length > 2, 'stdout of the shell task');
    expect(out).toBe(`sum=3 id=${task.id}\n/bin/sh\n`);
  });

  it('runs args without a shell: $ and ; stay literal', async () => {
    const script = 'console.log(JSON.stringify(process.argv.slice(1))); setInterval(() => {}, 1e6)';
    await createApp(d, { id: '/agent/exec', args: [process.execPath, '-e', script, '$HOME', 'a;b c', '*'], cpus: 0.01, mem: 32 });
    const [task] = await waitRunning(d, '/agent/exec', 1);
    const out = await waitSandboxFile(d, `${await sandboxOf(d, task.id)}/stdout`, (t) => t.includes('\n'), 'stdout of the exec task');
    expect(JSON.parse(out)).toEqual(['$HOME', 'a;b c', '*']);
    // The process group leader is the program itself, not a shell.
    const [proc] = d.taskProcesses().filter((p) => p.taskId === task.id && p.pid === p.pgid);
    expect(proc.cmdline.startsWith(`${process.execPath} -e`)).toBe(true);
  });
});

describe('ports', () => {
  it('host ports come from the agent range, distinct across tasks', async () => {
    await createApp(d, sleeper('/agent/ports', { instances: 2, portDefinitions: [{ port: 0 }, { port: 0 }, { port: 0 }] }));
    const tasks = await waitRunning(d, '/agent/ports', 2);
    const all = tasks.flatMap((t: Json) => t.ports as number[]);
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(6);
    for (const port of all) {
      expect(port).toBeGreaterThanOrEqual(RANGE[0]);
      expect(port).toBeLessThanOrEqual(RANGE[1]);
    }
  });

  it('portDefinitions port 0 gets a unique service port in 10000-19999', async () => {
    const a = await createApp(d, sleeper('/agent/svc-a', { instances: 0, portDefinitions: [{ port: 0 }, { port: 0 }] }));
    const b = await createApp(d, sleeper('/agent/svc-b', { instances: 0, portDefinitions: [{ port: 0 }] }));
    const ports = [...a.portDefinitions, ...b.portDefinitions].map((p: Json) => p.port as number);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10000);
      expect(port).toBeLessThanOrEqual(19999);
    }
    expect(new Set(ports).size).toBe(3);
    expect(a.ports).toEqual(a.portDefinitions.map((p: Json) => p.port));
    // Service ports stay with the app across updates.
    await waitFor(async () => (await getApp(d, '/agent/svc-a')).deployments.length === 0, { what: 'svc-a deployed' });
    await d.api('PUT', '/v2/apps/agent/svc-a', { cmd: 'sleep 999' });
    expect((await getApp(d, '/agent/svc-a')).portDefinitions.map((p: Json) => p.port)).toEqual(a.portDefinitions.map((p: Json) => p.port));
  });

  it('requirePorts uses the fixed port as the host port; a second instance cannot get it', async () => {
    const port = await freePort();
    const app = await createApp(d, sleeper('/agent/fixed', { portDefinitions: [{ port }], requirePorts: true }));
    expect(app.portDefinitions[0].port).toBe(port);
    const [task] = await waitRunning(d, '/agent/fixed', 1);
    expect(task.ports).toEqual([port]);
    expect(task.servicePorts).toEqual([port]);
    const sandbox = await sandboxOf(d, task.id);
    expect(sandbox).toBeTruthy();

    expect((await d.api('PUT', '/v2/apps/agent/fixed', { instances: 2 })).status).toBe(200);
    const entry = await waitFor(
      async () => (await d.api('GET', '/v2/queue')).json.queue.find((q: Json) => q.app.id === '/agent/fixed' && q.processedOffersSummary.processedOffersCount > 0),
      { what: 'the second instance queued' },
    );
    const reasons = entry.processedOffersSummary.rejectSummaryLaunchAttempt.filter((s: Json) => s.declined > 0).map((s: Json) => s.reason);
    expect(reasons).toEqual(['InsufficientPorts']);
    expect((await getApp(d, '/agent/fixed')).tasksRunning).toBe(1);
  });
});
