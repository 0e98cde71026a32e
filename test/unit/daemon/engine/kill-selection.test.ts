import { describe, expect, it } from 'vitest';
import { orderForKill, selectTasksToKill } from '../../../../src/daemon/engine/kill-selection.js';
import type { Task } from '../../../../src/daemon/types.js';
import { T0, iso, makeTask } from './fixtures.js';

const at = (seconds: number): string => iso(T0 + seconds * 1000);

const tasks: Task[] = [
  makeTask({ id: 'run-old', state: 'TASK_RUNNING', stagedAt: at(0), startedAt: at(1) }),
  makeTask({ id: 'run-new', state: 'TASK_RUNNING', stagedAt: at(10), startedAt: at(11) }),
  makeTask({ id: 'run-mid', state: 'TASK_RUNNING', stagedAt: at(5), startedAt: at(6) }),
  makeTask({ id: 'staging-old', state: 'TASK_STAGING', stagedAt: at(20), startedAt: null }),
  makeTask({ id: 'staging-new', state: 'TASK_STAGING', stagedAt: at(30), startedAt: null }),
  makeTask({ id: 'starting', state: 'TASK_STARTING', stagedAt: at(25), startedAt: null }),
  makeTask({ id: 'killing', state: 'TASK_KILLING', stagedAt: at(2), startedAt: at(3) }),
];
const ids = (list: Task[]): string[] => list.map((task) => task.id);

describe('selectTasksToKill', () => {
  it('YOUNGEST_FIRST: staging < starting < running < others, newest first within a state', () => {
    expect(ids(orderForKill(tasks, 'YOUNGEST_FIRST'))).toEqual([
      'staging-new',
      'staging-old',
      'starting',
      'run-new',
      'run-mid',
      'run-old',
      'killing',
    ]);
  });

  it('OLDEST_FIRST: same state order, oldest first within a state', () => {
    expect(ids(orderForKill(tasks, 'OLDEST_FIRST'))).toEqual([
      'staging-old',
      'staging-new',
      'starting',
      'run-old',
      'run-mid',
      'run-new',
      'killing',
    ]);
  });

  it('kills sentenced tasks first, whatever their state', () => {
    const chosen = selectTasksToKill(tasks, 3, 'YOUNGEST_FIRST', new Set(['run-old']));
    expect(ids(chosen)).toEqual(['run-old', 'staging-new', 'staging-old']);
  });

  it('takes exactly count tasks, and none for count <= 0', () => {
    expect(ids(selectTasksToKill(tasks, 2, 'OLDEST_FIRST'))).toEqual(['staging-old', 'staging-new']);
    expect(selectTasksToKill(tasks, 0, 'OLDEST_FIRST')).toEqual([]);
  });

  it('only considers tasks the scheduler still wants running', () => {
    const list = [
      makeTask({ id: 'decommissioned', goal: 'decommissioned', state: 'TASK_STAGING' }),
      makeTask({ id: 'dead', state: 'TASK_FAILED' }),
      makeTask({ id: 'alive', state: 'TASK_RUNNING' }),
    ];
    expect(ids(selectTasksToKill(list, 3, 'YOUNGEST_FIRST'))).toEqual(['alive']);
  });

  it('puts running tasks without a start time first among their state', () => {
    const list = [makeTask({ id: 'started', startedAt: at(1) }), makeTask({ id: 'unknown', startedAt: null })];
    expect(ids(orderForKill(list, 'OLDEST_FIRST'))).toEqual(['unknown', 'started']);
    expect(ids(orderForKill(list, 'YOUNGEST_FIRST'))).toEqual(['unknown', 'started']);
  });
});
