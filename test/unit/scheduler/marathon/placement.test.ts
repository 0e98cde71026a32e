/** Whether a waiting task can ever be placed, from the master state and the deployments in progress. */
import { describe, expect, it } from 'vitest';
import { movingApps, placementOf } from '../../../../src/scheduler/marathon/placement.js';
import { appIdOfTaskId } from '../../../../src/marathon/app-id.js';
import type { MarathonDeployment as DeploymentInfo, MesosState } from '../../../../src/scheduler/marathon/api-types.js';

function state(opts: { cpus: number; used: number; tasks?: Array<{ id: string; cpus: number; state?: string }>; framework?: string }): MesosState {
  return {
    slaves: [{ id: 'S1', hostname: '127.0.0.1', pid: 'slave(1)@127.0.0.1:5051', active: true, resources: { cpus: opts.cpus, mem: 8192, disk: 1000 }, used_resources: { cpus: opts.used, mem: 0, disk: 0 } }],
    frameworks: [{
      id: 'F1', name: opts.framework ?? 'marathon', active: true,
      tasks: (opts.tasks ?? []).map((t) => ({ id: t.id, name: 'x', state: t.state ?? 'TASK_RUNNING', slave_id: 'S1', framework_id: 'F1', resources: { cpus: t.cpus, mem: 0, disk: 0 } })),
      completed_tasks: [],
    }],
  };
}

const deployment = (app: string, action: string): DeploymentInfo => ({
  id: 'd1', version: 'v', affectedApps: [app], steps: [{ actions: [{ action, app }] }], currentActions: [{ action, app }], currentStep: 1, totalSteps: 1,
});

describe('placementOf', () => {
  const need = { cpus: 1, mem: 32, disk: 0 };

  it('fits when the node has room', () => {
    expect(placementOf(state({ cpus: 2, used: 0.5 }), need, new Set()).verdict).toBe('fits');
  });

  it('is too big when the task asks for more than the node has at all', () => {
    expect(placementOf(state({ cpus: 0.5, used: 0 }), need, new Set())).toEqual({ verdict: 'too-big', reason: 'needs 1 cpus, the node has 0.5' });
  });

  it('has no room when nothing running will go away', () => {
    const p = placementOf(state({ cpus: 2, used: 1.5, tasks: [{ id: 'db.1', cpus: 1.5 }] }), need, new Set());
    expect(p.verdict).toBe('no-room');
    expect(p.verdict !== 'fits' && p.reason).toBe('needs 1 cpus, 0.5 free, and no task on the cluster is going to free enough (nothing else is deploying)');
  });

  it('waits when a deployment, a kill or another framework may free enough', () => {
    const busy = state({ cpus: 2, used: 1.5, tasks: [{ id: 'db.1', cpus: 1.5 }] });
    expect(placementOf(busy, need, new Set(['/db'])).verdict).toBe('fits');
    expect(placementOf(state({ cpus: 2, used: 1.5, tasks: [{ id: 'db.1', cpus: 1.5, state: 'TASK_KILLING' }] }), need, new Set()).verdict).toBe('fits');
    expect(placementOf(state({ cpus: 2, used: 1.5, tasks: [{ id: 'job.1', cpus: 1.5 }], framework: 'spark' }), need, new Set()).verdict).toBe('fits');
  });
});

describe('movingApps', () => {
  it('counts the watched app only when its deployment stops some of its tasks', () => {
    expect([...movingApps([deployment('/a', 'ScaleApplication')], '/a', false)]).toEqual([]);
    expect([...movingApps([deployment('/a', 'ScaleApplication')], '/a', true)]).toEqual(['/a']);
    expect([...movingApps([deployment('/a', 'RestartApplication')], '/a', false)]).toEqual(['/a']);
    expect([...movingApps([deployment('/b', 'ScaleApplication')], '/a', false)]).toEqual(['/b']);
  });
});

describe('appIdOfTaskId', () => {
  it('reads the app id out of legacy and instance task ids', () => {
    expect(appIdOfTaskId('hello-world.73573739-79a0-4b5e-92cd-ee5df09a0ae1')).toBe('/hello-world');
    expect(appIdOfTaskId('team_web.1c2f7a4e-1111-11e7-9e2b-0242ac110002')).toBe('/team/web');
    expect(appIdOfTaskId('prod_web.instance-1c2f7a4e._app.2')).toBe('/prod/web');
  });
});
