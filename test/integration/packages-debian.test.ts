/**
 * zookeeper and redis from the bundled universe, run as real processes from Debian's packages
 * (.ci/run installs redis-server and zookeeper). Missing packages fail these tests loudly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';
import { processesOfAgent } from '../helpers/daemon.js';

function requireInstalled(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's ${pkg} (apt-get install -y ${pkg}), as .ci/run does`);
}

function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe("Debian-packaged services on the embedded cluster", () => {
  let home: TempHome;
  let agentId = '';
  const dcos = (argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first');
    home = tempHome();
    const up = await dcos(['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const { url } = JSON.parse(up.stdout);
    const token = (await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout.trim();
    agentId = ((await (await fetch(`${url}/mesos/master/state.json`, { headers: { authorization: `token=${token}` } })).json()) as any).slaves[0].id;
  });
  afterAll(async () => {
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('installs redis, which answers PING on its port, and uninstalls it leaving no process', async () => {
    requireInstalled('/usr/bin/redis-server', 'redis-server');
    const r = await dcos(['package', 'install', 'redis', '--yes', '--json', '--timeout', '60s']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [task] = JSON.parse(r.stdout).tasks;
    expect(execFileSync('redis-cli', ['-p', String(task.ports[0]), 'ping'], { encoding: 'utf8' }).trim()).toBe('PONG');
    // redis-server rewrites its environment (its process title), so it is found by its own word.
    const pid = Number(/process_id:(\d+)/.exec(execFileSync('redis-cli', ['-p', String(task.ports[0]), 'info', 'server'], { encoding: 'utf8' }))?.[1]);
    expect(pid).toBeGreaterThan(1);
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    const un = await dcos(['package', 'uninstall', 'redis', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(processesOfAgent(agentId).filter((p) => (p.taskId ?? '').startsWith('redis.'))).toEqual([]);
    expect(existsSync(`/proc/${pid}`), `redis-server ${pid} still runs`).toBe(false);
  });

  it('installs zookeeper, which serves clients on its port, and uninstalls it leaving no process', async () => {
    requireInstalled('/usr/share/zookeeper', 'zookeeper');
    const r = await dcos(['package', 'install', 'zookeeper', '--yes', '--json', '--timeout', '120s']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [task] = JSON.parse(r.stdout).tasks;
    // Right after install returns the server serves clients: srvr reports its version and mode.
    const srvr = await ask(task.ports[0], 'srvr');
    expect(srvr).toMatch(/^Zookeeper version: 3\./);
    expect(srvr).toMatch(/^Mode: standalone$/m);
    const un = await dcos(['package', 'uninstall', 'zookeeper', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(processesOfAgent(agentId).filter((p) => (p.taskId ?? '').startsWith('zookeeper.'))).toEqual([]);
  });
});
