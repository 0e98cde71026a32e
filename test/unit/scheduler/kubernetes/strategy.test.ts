/** upgradeStrategy -> the Deployment strategy; persistent volumes -> a StatefulSet; the disruption budget. */
import { describe, expect, it } from 'vitest';
import { app, deployment, statefulSet, translate } from './helpers.js';

const strategy = (instances: number, minimumHealthCapacity: number, maximumOverCapacity: number) =>
  translate(app({ instances, upgradeStrategy: { minimumHealthCapacity, maximumOverCapacity } }));

describe('Deployment strategy', () => {
  it('RollingUpdate with maxUnavailable floor((1 - minimumHealthCapacity) * n) and maxSurge ceil(maximumOverCapacity * n)', () => {
    const t = strategy(10, 0.75, 0.25);
    expect(deployment(t).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 3 } });
    expect(t.notes).toContain('strategy RollingUpdate: maxUnavailable 2, maxSurge 3 (from minimumHealthCapacity 0.75, maximumOverCapacity 0.25, 10 instances)');
    // Floating point must not cost an instance: (1 - 0.9) * 10 is 0.9999999999999998.
    expect(deployment(strategy(10, 0.9, 0)).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  });

  it("Marathon's default (1, 1) keeps every instance and surges all of them", () => {
    expect(deployment(translate(app({ instances: 3 }))).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 3 } });
  });

  it('never both 0: chooses maxSurge 1, maxUnavailable 0 and says so', () => {
    const t = strategy(3, 1, 0);
    expect(deployment(t).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(t.notes.some((n) => n.startsWith('strategy RollingUpdate: maxSurge 1, maxUnavailable 0 chosen'))).toBe(true);
    expect(deployment(strategy(1, 0.5, 0)).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  });

  it('minimumHealthCapacity 0 and maximumOverCapacity 0, or MARATHON_SINGLE_INSTANCE_APP -> Recreate', () => {
    expect(deployment(strategy(2, 0, 0)).spec.strategy).toEqual({ type: 'Recreate' });
    const single = translate(app({ instances: 1, labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' }, upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 0 } }));
    expect(deployment(single).spec.strategy).toEqual({ type: 'Recreate' });
    expect(single.notes).toContain('MARATHON_SINGLE_INSTANCE_APP -> strategy Recreate: the old pod stops before the new one starts');
  });
});

describe('PodDisruptionBudget', () => {
  it('minAvailable ceil(minimumHealthCapacity * n), at the requested API version', () => {
    const t = translate(app({ instances: 4, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } }), { apiVersions: { pdb: 'policy/v1beta1' } });
    expect(t.pdb?.apiVersion).toBe('policy/v1beta1');
    expect(t.pdb?.kind).toBe('PodDisruptionBudget');
    expect(t.pdb?.spec).toEqual({ minAvailable: 2, selector: { matchLabels: { 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'dcos' } } });
    expect(translate(app({ instances: 3, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } })).pdb?.spec.minAvailable).toBe(2);
  });

  it('keeps one pod evictable when minimumHealthCapacity would keep all of them, and says so', () => {
    const t = translate(app({ instances: 3 }));
    expect(t.pdb?.spec.minAvailable).toBe(2);
    expect(t.notes).toContain('PodDisruptionBudget minAvailable 2 of 3 (minimumHealthCapacity 1 would keep all 3, which forbids draining any node that runs one)');
  });

  it('none for one instance, nor for minimumHealthCapacity 0', () => {
    const one = translate(app({ instances: 1 }));
    expect(one.pdb).toBeUndefined();
    expect(one.notes).toContain('no PodDisruptionBudget for 1 instance: one would either forbid draining the pod\'s node or allow everything');
    expect(strategy(3, 0, 0.5).pdb).toBeUndefined();
  });
});

describe('persistent volumes -> a StatefulSet', () => {
  const persistent = app({
    id: '/dev/db',
    instances: 3,
    upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
    container: { type: 'DOCKER', docker: { image: 'example/db:1' }, volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 2048 } }] },
  });

  it('with volume claim templates of the size in MiB, serviceName, Parallel pods and rolling updates', () => {
    const t = translate(persistent, { storageClass: 'fast' });
    const s = statefulSet(t);
    expect(s.apiVersion).toBe('apps/v1');
    expect(s.spec.serviceName).toBe('dev-db');
    expect(t.service?.metadata.name).toBe('dev-db');
    expect(s.spec.podManagementPolicy).toBe('Parallel');
    expect(s.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
    expect(s.spec.replicas).toBe(3);
    expect(s.spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', labels: s.metadata.labels },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } },
      },
    ]);
    // Mounted where Marathon mounts a relative containerPath: in the sandbox.
    expect(s.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/mnt/mesos/sandbox/data' });
    expect(s.spec.template.spec.volumes?.map((v) => v.name)).toEqual(['mesos-sandbox']);
    expect(t.pdb?.spec.minAvailable).toBe(2);
    expect(t.notes.some((n) => n.startsWith('podManagementPolicy Parallel: Marathon starts all instances at once'))).toBe(true);
  });

  it('keeps its name to 52 characters (the controller-revision-hash label)', () => {
    const long = translate({ ...persistent, id: `/${'a'.repeat(70)}` });
    expect(long.workload.metadata.name).toHaveLength(52);
    expect(long.notes.some((n) => n.startsWith(`name shortened: /${'a'.repeat(70)} -> `) && n.includes('at most 52'))).toBe(true);
    expect(translate(app({ id: `/${'a'.repeat(70)}` })).workload.metadata.name).toHaveLength(63);
  });
});
