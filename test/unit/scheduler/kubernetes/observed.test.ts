/**
 * What the Kubernetes driver reads from the objects the API returns: pod states and why a pod
 * waits, a rollout that is over or stuck past its progress deadline, pods no node can hold, and
 * quantities. The objects are shaped as a 1.20 API server returns them.
 */
import { describe, expect, it } from 'vitest';
import { pendingOfPods, quantity, rolloutDone, rolloutFailure, serviceOfWorkload, taskState, type Pod, type Workload } from '../../../../src/scheduler/kubernetes/observed.js';

const pod = (status: Pod['status'], extra: Partial<Pod['metadata']> = {}, nodeName: string | undefined = '127.0.0.1'): Pod => ({
  metadata: { name: 'p', annotations: { 'dcos.io/app-id': '/a' }, ...extra },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'a', ports: [{ containerPort: 10000 }], resources: { requests: { cpu: '64', memory: '64Mi' } } }] },
  status,
});

describe('pods as tasks', () => {
  it('maps phases and container states onto task states', () => {
    expect(taskState(pod({ phase: 'Running', containerStatuses: [{ name: 'a', state: { running: { startedAt: 'x' } } }] }))).toBe('TASK_RUNNING');
    expect(taskState(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }, {}, undefined))).toBe('TASK_STAGING');
    expect(taskState(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] }))).toBe('TASK_STARTING');
    expect(taskState(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } }] }))).toBe('TASK_STAGING');
    expect(taskState(pod({ phase: 'Running', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }))).toBe('TASK_FAILED');
    expect(taskState(pod({ phase: 'Running' }, { deletionTimestamp: 'now' }))).toBe('TASK_KILLING');
    expect(taskState(pod({ phase: 'Succeeded' }))).toBe('TASK_FINISHED');
  });
});

const deployment = (status: Workload['status'], generation = 2, conditions?: NonNullable<Workload['status']>['conditions']): Workload => ({
  kind: 'Deployment',
  metadata: { name: 'a', generation, annotations: { 'dcos.io/app-id': '/a', 'dcos.io/app-definition': '{"id":"/a","instances":2}' } },
  spec: { replicas: 2 },
  status: { ...status, ...(conditions ? { conditions } : {}) },
});

describe('rollouts', () => {
  it('is over only as kubectl rollout status says: observed, updated, no old pods, available', () => {
    expect(rolloutDone(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBe(true);
    expect(rolloutDone(deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBe(false);
    expect(rolloutDone(deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }))).toBe(false);
    expect(rolloutDone(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }))).toBe(false);
  });

  it('is stuck past its progress deadline, with Kubernetes\' reason, and the service says so', () => {
    const stuck = deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2 }, 2, [
      { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "a-5d" has timed out progressing.' },
    ]);
    expect(rolloutFailure(stuck)).toBe('ProgressDeadlineExceeded: ReplicaSet "a-5d" has timed out progressing.');
    const service = serviceOfWorkload(stuck, [], new Map());
    expect(service).toMatchObject({ id: '/a', instances: 2, rolloutFailure: 'ProgressDeadlineExceeded: ReplicaSet "a-5d" has timed out progressing.' });
    expect(service.deploymentIds).toEqual(['deployment/a:2']);
    expect(rolloutFailure(deployment({}, 2, [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }]))).toBeUndefined();
  });
});

describe('pending pods', () => {
  const unschedulable = (message: string) => pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] }, {}, undefined);
  const node = { metadata: { name: 'n' }, status: { allocatable: { cpu: '2', memory: '8Gi' } } };

  it('says a request larger than every node can never be placed, with the scheduler\'s message', () => {
    const [p] = pendingOfPods([unschedulable('0/1 nodes are available: 1 Insufficient cpu.')], [node], true);
    expect(p).toMatchObject({ serviceId: '/a', count: 1, reason: '0/1 nodes are available: 1 Insufficient cpu.' });
    expect(p.placement).toEqual({ verdict: 'too-big', reason: '0/1 nodes are available: 1 Insufficient cpu. (it asks for more than any node has)' });
  });

  it('gives no verdict where waiting may help (an unbound claim, room that may free up)', () => {
    const [claim] = pendingOfPods([unschedulable('0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.')], [node], true);
    expect(claim.placement).toBeUndefined();
    const big = { metadata: { name: 'n' }, status: { allocatable: { cpu: '128', memory: '8Gi' } } };
    expect(pendingOfPods([unschedulable('0/1 nodes are available: 1 Insufficient cpu.')], [big], true)[0].placement).toBeUndefined();
  });
});

describe('quantities', () => {
  it('reads cores and MiB in the API\'s forms', () => {
    expect(quantity('1500m', 'cores')).toBe(1.5);
    expect(quantity('2', 'cores')).toBe(2);
    expect(quantity('64Mi', 'mib')).toBe(64);
    expect(quantity('1Gi', 'mib')).toBe(1024);
    expect(quantity('24632388Ki', 'mib')).toBe(24055.066);
    expect(quantity('1G', 'mib')).toBe(953.674);
    expect(quantity(undefined, 'mib')).toBe(0);
  });
});
