/** The shared hello-world scenarios (scenarios.ts) on the real embedded cluster, as processes. */
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';
import { processesOfAgent } from '../helpers/daemon.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { helloWorldScenarios } from './scenarios.js';
import type { Json } from './support.js';

let home: TempHome | undefined;
let url = '';
let token = '';
let agentId = '';
const dcos = (argv: string[]) => runCli(argv, { env: (home as TempHome).env, cwd: (home as TempHome).dir });
const api = async (path: string): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `token=${token}` } });
  return { status: res.status, body: res.status === 200 ? await res.json() : undefined };
};

helloWorldScenarios({
  kind: 'embedded',
  skip: false,
  async setup() {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first');
    home = tempHome({ DCOS_CONTAINER_RUNTIME: 'none' });
    const up = await dcos(['cluster', 'up', '--json']);
    if (up.exitCode !== 0) throw new Error(up.stderr);
    url = JSON.parse(up.stdout).url;
    token = (await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout.trim();
    agentId = (await api('/mesos/master/state.json')).body.slaves[0].id;
  },
  async teardown() {
    if (!home) return;
    await dcos(['cluster', 'down']);
    home.cleanup();
  },
  dcos,
  dir: () => (home as TempHome).dir,
  helloOptions: {},
  async leftovers(appId) {
    const app = await api(`/v2/apps${appId}`);
    const name = appId.replace(/^\//, '');
    // A task id is the app id's path with dots (hello.<uuid>): its processes carry it.
    const processes = processesOfAgent(agentId).filter((p) => p.taskId?.startsWith(`${name.replace(/\//g, '_')}.`));
    return [...(app.status === 200 ? [`app ${appId}`] : []), ...processes.map((p) => `process ${p.pid} ${p.cmdline.slice(0, 60)}`)];
  },
  async healthy(appId) {
    return (await api(`/v2/apps${appId}`)).body?.app?.tasksHealthy ?? 0;
  },
  async endpoints(appId) {
    const tasks = (await api(`/v2/apps${appId}/tasks`)).body?.tasks ?? [];
    return tasks.filter((t: { state: string }) => t.state === 'TASK_RUNNING').map((t: { host: string; ports: number[] }) => ({ host: t.host, ports: t.ports }));
  },
});
