/** An app's `user`: its tasks run as that user, in a sandbox that is theirs; or the app is refused. */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_MAIN, startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, sandboxOf, sleeper, waitRunning, waitSandboxFile, type Json } from './support.js';

const isRoot = process.getuid?.() === 0;
const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
const canSwitch = isRoot && passwd.split('\n').some((l) => l.startsWith('nobody:')) && existsSync('/usr/bin/setpriv');
const idOf = (...args: string[]) => execFileSync('id', args, { encoding: 'utf8' }).trim();

/** A user of this machine with supplementary groups (from /etc/group members), if there is one. */
function userWithGroups(): string | undefined {
  if (!existsSync('/etc/group')) return undefined;
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const members = line.split(':')[3];
    const name = members?.split(',')[0];
    if (name && passwd.split('\n').some((l) => l.startsWith(`${name}:`))) return name;
  }
  return undefined;
}

let d: TestDaemon;
let open: string;
let work: string;
beforeAll(async () => {
  // A data dir below directories any user may pass, so $MESOS_SANDBOX works by its path too.
  open = mkdtempSync(join(tmpdir(), 'dcos-it-user-'));
  chmodSync(open, 0o711);
  work = mkdtempSync(join(tmpdir(), 'dcos-it-user-src-'));
  mkdirSync(join(work, 'src', 'payload'), { recursive: true });
  writeFileSync(join(work, 'src', 'payload', 'hello.txt'), 'hello from the archive\n');
  execFileSync('tar', ['czf', join(work, 'payload.tar.gz'), '-C', join(work, 'src'), 'payload']);
  writeFileSync(join(work, 'tool.sh'), '#!/bin/sh\necho tool ran as $(id -un)\n');
  d = await startDaemon({ dataDir: join(open, 'data') });
});
afterAll(async () => {
  await stopAllDaemons();
  rmSync(open, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function procStatus(pid: number, field: string): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return (line ?? '').slice(field.length + 1).trim();
}

describe('user', () => {
  it.runIf(canSwitch)('runs the task as that user, with its groups and HOME, in a sandbox it owns', async () => {
    const uid = idOf('-u', 'nobody');
    const home = passwd.split('\n').find((l) => l.startsWith('nobody:'))!.split(':')[5];
    await createApp(
      d,
      sleeper('/user/nobody', {
        user: 'nobody',
        cmd: [
          'id -u > ids.txt',
          'id -G >> ids.txt',
          'echo "HOME=$HOME USER=$USER" >> ids.txt',
          'cat payload/hello.txt >> ids.txt',
          './tool.sh >> ids.txt',
          'echo written > "$MESOS_SANDBOX/by-path.txt"',
          'echo to-stderr >&2',
          'echo done >> ids.txt',
          'exec sleep 1000',
        ].join(' && '),
        fetch: [{ uri: join(work, 'payload.tar.gz') }, { uri: join(work, 'tool.sh'), executable: true }],
        healthChecks: [{ protocol: 'COMMAND', command: { value: `test "$(id -u)" = ${uid} && test "$USER" = nobody` }, intervalSeconds: 1, gracePeriodSeconds: 30 }],
      }),
    );
    const [task] = await waitRunning(d, '/user/nobody', 1, { healthy: true });
    const sandbox = await sandboxOf(d, task.id);
    const ids = await waitSandboxFile(d, `${sandbox}/ids.txt`, (t) => t.endsWith('done\n'), 'ids.txt written by the task');
    expect(ids.split('\n')).toEqual([
      uid,
      idOf('-G', 'nobody'),
      `HOME=${home} USER=nobody`,
      'hello from the archive',
      'tool ran as nobody',
      'done',
      '',
    ]);
    // The process itself: the user's ids, none of root's groups.
    const [proc] = d.taskProcesses().filter((p) => p.taskId === task.id && p.pid === p.pgid);
    expect(procStatus(proc.pid, 'Uid').split(/\s+/)).toEqual([uid, uid, uid, uid]);
    expect(procStatus(proc.pid, 'Groups').split(/\s+/).filter(Boolean).sort()).toEqual(idOf('-G', 'nobody').split(' ').sort());
    // Sandbox, logs, fetched and extracted files, and what the task wrote: all the user's.
    const listing = (await d.api('GET', `/slave/${d.agentId}/files/browse.json?path=${encodeURIComponent(sandbox)}`)).json as Json[];
    const owners = Object.fromEntries(listing.map((e) => [e.path.slice(sandbox.length + 1), e.uid]));
    expect(owners).toEqual({
      'by-path.txt': 'nobody',
      'ids.txt': 'nobody',
      payload: 'nobody',
      'payload.tar.gz': 'nobody',
      stderr: 'nobody',
      stdout: 'nobody',
      'tool.sh': 'nobody',
    });
    expect(statSync(sandbox).uid).toBe(Number(uid));
    expect(statSync(join(sandbox, 'payload', 'hello.txt')).uid).toBe(Number(uid));
    expect(await waitSandboxFile(d, `${sandbox}/stderr`, (t) => t.includes('to-stderr'), 'stderr')).toBe('to-stderr\n');
    // The daemon's own files stay private, though the way to the sandboxes is open.
    for (const name of ['state.db', 'token']) expect(statSync(join(d.dataDir, name)).mode & 0o077).toBe(0);
  });

  it.runIf(canSwitch && userWithGroups() !== undefined)('gives the task every supplementary group of its user', async () => {
    const name = userWithGroups() as string;
    await createApp(d, sleeper('/user/groups', { user: name, cmd: 'id -G > groups.txt && exec sleep 1000' }));
    const [task] = await waitRunning(d, '/user/groups', 1);
    const text = await waitSandboxFile(d, `${await sandboxOf(d, task.id)}/groups.txt`, (t) => t.endsWith('\n'), 'groups.txt');
    expect(text.trim().split(' ').sort()).toEqual(idOf('-G', name).split(' ').sort());
    expect(idOf('-G', name).split(' ').length).toBeGreaterThan(1);
  });

  it.runIf(canSwitch)('gives a task of that user its persistent volume, owned by it and reachable through the link in its sandbox', async () => {
    const uid = Number(idOf('-u', 'nobody'));
    await createApp(d, {
      ...sleeper('/user/volume', { user: 'nobody', backoffSeconds: 0 }),
      cmd: 'id -u >> data/ids && exec sleep 1000',
      container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 16 } }] },
    });
    const [first] = await waitRunning(d, '/user/volume', 1);
    const volume = join(d.dataDir, 'volumes', first.localVolumes[0].persistenceId);
    expect(statSync(volume).uid).toBe(uid);
    // Relaunched as the same user on the same volume.
    expect((await d.api('DELETE', `/v2/apps/user/volume/tasks/${first.id}`)).status).toBe(200);
    await d.waitFor(() => existsSync(join(volume, 'ids')) && readFileSync(join(volume, 'ids'), 'utf8') === `${uid}\n${uid}\n`, {
      what: 'two tasks of nobody wrote to the volume',
    });
    expect(statSync(join(volume, 'ids')).uid).toBe(uid);
    expect((await d.api('DELETE', '/v2/apps/user/volume')).status).toBe(200);
    await d.waitFor(() => !existsSync(volume), { what: 'the volume destroyed with its app' });
  });

  it('refuses, with a 422 naming /user, a user that does not exist on this node', async () => {
    const res = await d.api('POST', '/v2/apps', sleeper('/user/missing', { user: 'dcos-no-such-user-x' }));
    expect(res.status, res.text).toBe(422);
    expect(res.json.details).toEqual([{ path: '/user', errors: ['user "dcos-no-such-user-x" does not exist on this node'] }]);
    expect((await d.api('GET', '/v2/apps/user/missing')).status).toBe(404);

    await createApp(d, sleeper('/user/later', { instances: 0 }));
    const update = await d.api('PUT', '/v2/apps/user/later', { user: 'dcos-no-such-user-x' });
    expect(update.status, update.text).toBe(422);
    expect(update.json.details[0].path).toBe('/user');
    expect((await getApp(d, '/user/later')).user ?? null).toBeNull();
  });

  /**
   * A task of `nobody` writing to $MESOS_SANDBOX/x every 0.2 s, counting successes and failures in
   * files of its working directory (reachable whatever the path above it allows).
   */
  async function pathWriter(id: string): Promise<{ sandbox: string; oks: () => number; fails: () => string }> {
    await createApp(
      d,
      sleeper(id, {
        user: 'nobody',
        cmd: 'while true; do if echo x > "$MESOS_SANDBOX/x" 2>>errors; then echo ok >> oks; else echo "failed $(date +%T.%N)" >> fails; fi; sleep 0.2; done',
      }),
    );
    const [task] = await waitRunning(d, id, 1);
    const sandbox = await sandboxOf(d, task.id);
    const read = (name: string) => (existsSync(join(sandbox, name)) ? readFileSync(join(sandbox, name), 'utf8') : '');
    const oks = () => read('oks').split('\n').filter(Boolean).length;
    const fails = () => read('fails') + read('errors');
    await d.waitFor(() => oks() >= 3, { what: `${id} writing by its path` });
    return { sandbox, oks, fails };
  }

  /** Waits until the writer has written `more` times again, then asserts it never failed. */
  async function keepsWriting(w: { oks: () => number; fails: () => string }, more: number): Promise<void> {
    const from = w.oks();
    await d.waitFor(() => w.oks() >= from + more || w.fails() !== '', { what: `${more} more writes by the path`, timeoutMs: 15_000 });
    expect(w.fails()).toBe('');
  }

  it.runIf(canSwitch)('keeps $MESOS_SANDBOX reachable by its path across a daemon restart, and private otherwise', { timeout: 90_000 }, async () => {
    const writer = await pathWriter('/user/by-path');
    expect(statSync(d.dataDir).mode & 0o777).toBe(0o711);

    await d.sigterm();
    await d.restart();
    await keepsWriting(writer, 10);
    expect(statSync(d.dataDir).mode & 0o777).toBe(0o711);
    // The daemon's own files stay private.
    for (const name of ['state.db', 'token', 'daemon.json']) expect(statSync(join(d.dataDir, name)).mode & 0o077).toBe(0);

    // A second daemon started on the data dir loses the lock race: it leaves everything alone.
    const second = spawnSync(process.execPath, [DAEMON_MAIN, '--data-dir', d.dataDir, '--port', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(second.status, second.stderr).toBe(3);
    await keepsWriting(writer, 5);
    expect(statSync(d.dataDir).mode & 0o777).toBe(0o711);

    // With no task of another user left, the data dir is its owner's alone again, also after a restart.
    const others = ((await d.api('GET', '/v2/apps')).json.apps as Json[]).filter((a) => a.user).map((a) => a.id as string);
    expect(others).toContain('/user/by-path');
    for (const id of others) expect((await d.api('DELETE', `/v2/apps${id}`)).status).toBe(200);
    await d.waitFor(async () => ((await d.api('GET', '/v2/apps')).json.apps as Json[]).every((a) => !a.user), { what: 'every app of another user removed' });
    await d.waitFor(() => (statSync(d.dataDir).mode & 0o777) === 0o700, { what: 'the data dir 0700 again' });
    await d.sigterm();
    await d.restart();
    expect(statSync(d.dataDir).mode & 0o777).toBe(0o700);
  });

  it.runIf(canSwitch)('hands the sandbox over only after the fetch, links included, never followed', { timeout: 60_000 }, async () => {
    // A tree with an internal symlink, and a fetch that looks at the sandbox while it is served.
    const src = join(work, 'linked');
    mkdirSync(join(src, 'tree', 'dir'), { recursive: true });
    writeFileSync(join(src, 'tree', 'dir', 'file.txt'), 'inside\n');
    symlinkSync('dir', join(src, 'tree', 'link'));
    execFileSync('tar', ['czf', join(work, 'linked.tar.gz'), '-C', src, 'tree']);
    const ownersDuringFetch: number[] = [];
    const server = createServer((req, res) => {
      void (async () => {
        const [task] = await appTasks(d, '/user/fetched');
        const runs = join(d.dataDir, 'slaves', d.agentId, 'frameworks');
        const sandbox = execFileSync('find', [runs, '-path', `*/executors/${task.id}/runs/*`, '-maxdepth', '6', '-type', 'd'], { encoding: 'utf8' }).trim();
        ownersDuringFetch.push(statSync(sandbox).uid, statSync(join(sandbox, 'stdout')).uid);
        res.end(readFileSync(join(work, 'linked.tar.gz')));
      })().catch((err: Error) => {
        res.statusCode = 500;
        res.end(err.message);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await createApp(d, sleeper('/user/fetched', { user: 'nobody', fetch: [{ uri: `http://127.0.0.1:${port}/linked.tar.gz` }] }));
      const [task] = await waitRunning(d, '/user/fetched', 1);
      const sandbox = await sandboxOf(d, task.id);
      // The fetcher (root) wrote into a directory of root's: the user had nothing there yet.
      expect(ownersDuringFetch).toEqual([0, 0]);
      const nobody = Number(idOf('-u', 'nobody'));
      for (const rel of ['', 'stdout', 'stderr', 'linked.tar.gz', 'tree', 'tree/dir', 'tree/dir/file.txt', 'tree/link']) {
        expect([rel, lstatSync(join(sandbox, rel)).uid]).toEqual([rel, nobody]);
      }
      expect(lstatSync(join(sandbox, 'tree', 'link')).isSymbolicLink()).toBe(true);
    } finally {
      server.close();
      expect((await d.api('DELETE', '/v2/apps/user/fetched')).status).toBe(200);
    }
  });
});

/**
 * User lookups with a test double of `getent` and `id` first on the daemon's PATH: each call is
 * counted, and `dcos-fake-user` (uid and gid of nobody) exists until its "gone" flag does.
 */
describe('user lookups', () => {
  let ld: TestDaemon;
  let bin: string;
  const calls = () => (existsSync(join(bin, 'calls')) ? readFileSync(join(bin, 'calls'), 'utf8').split('\n').filter(Boolean) : []);
  const lookupsOf = (name: string) => calls().filter((c) => c === `getent passwd ${name}` || c === `id -G ${name}`).length;
  beforeAll(async () => {
    bin = mkdtempSync(join(tmpdir(), 'dcos-it-getent-'));
    const double = (tool: string, fake: string) =>
      writeFileSync(
        join(bin, tool),
        `#!/bin/sh\necho "${tool} $*" >> '${bin}/calls'\n${fake}\nexec /usr/bin/${tool} "$@"\n`,
        { mode: 0o755 },
      );
    double('getent', `if [ "$1 $2" = "passwd dcos-fake-user" ]; then [ -e '${bin}/gone' ] && exit 2; echo "dcos-fake-user:x:65534:65534::/nonexistent:/bin/sh"; exit 0; fi`);
    double('id', `if [ "$1 $2" = "-G dcos-fake-user" ]; then [ -e '${bin}/gone' ] && exit 1; echo 65534; exit 0; fi`);
    ld = await startDaemon({ env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
  });
  afterAll(async () => {
    await ld?.stop();
    rmSync(bin, { recursive: true, force: true });
  });

  it.runIf(canSwitch)('looks a user up once for an app scaled to many tasks, not once per task', { timeout: 60_000 }, async () => {
    await createApp(ld, sleeper('/lookup/many', { user: 'nobody', instances: 0 }));
    const scale = await ld.api('PUT', '/v2/apps/lookup/many', { instances: 12 });
    expect(scale.status, scale.text).toBe(200);
    await waitRunning(ld, '/lookup/many', 12, { timeoutMs: 30_000 });
    // getent and id once each for the POST, then cached for every PUT and task start.
    expect(lookupsOf('nobody')).toBeLessThanOrEqual(2);
    expect(lookupsOf('nobody')).toBeGreaterThan(0);
    expect((await ld.api('DELETE', '/v2/apps/lookup/many')).status).toBe(200);
  });

  it('remembers that a user does not exist, briefly', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await ld.api('POST', '/v2/apps', sleeper(`/lookup/missing-${i}`, { user: 'dcos-no-such-user-y' }));
      expect(res.status, res.text).toBe(422);
    }
    expect(lookupsOf('dcos-no-such-user-y')).toBe(1);
  });

  it.runIf(canSwitch)('scales and updates an app whose user was deleted since, but refuses to set a missing user', { timeout: 60_000 }, async () => {
    await createApp(ld, sleeper('/lookup/orphaned', { user: 'dcos-fake-user' }));
    await waitRunning(ld, '/lookup/orphaned', 1);
    writeFileSync(join(bin, 'gone'), '');
    for (const body of [{ instances: 0 }, { instances: 0, cmd: 'sleep 2000' }, { instances: 0, user: 'dcos-fake-user' }]) {
      const res = await ld.api('PUT', '/v2/apps/lookup/orphaned', body);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(200);
      // Each change is its own deployment: the next one waits for it rather than racing it (409).
      await waitRunning(ld, '/lookup/orphaned', 0);
    }
    const change = await ld.api('PUT', '/v2/apps/lookup/orphaned', { user: 'dcos-no-such-user-z' });
    expect(change.status, change.text).toBe(422);
    expect(change.json.details[0].path).toBe('/user');
    expect((await ld.api('DELETE', '/v2/apps/lookup/orphaned')).status).toBe(200);
  });
});

