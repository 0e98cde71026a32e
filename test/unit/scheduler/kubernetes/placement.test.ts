/** Constraints -> anti-affinity, topology spread, node selectors and node affinity. */
import { describe, expect, it } from 'vitest';
import type { AppConstraint } from '../../../../src/marathon/app-types.js';
import { literalAlternatives } from '../../../../src/scheduler/kubernetes/placement.js';
import { app, refusal, translate } from './helpers.js';

const SELECTOR = { matchLabels: { 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'dcos' } };

const placed = (...constraints: AppConstraint[]) => {
  const t = translate(app({ constraints }));
  return { spec: t.workload.spec.template.spec, notes: t.notes };
};

describe('constraints', () => {
  it('hostname:UNIQUE -> required pod anti-affinity on kubernetes.io/hostname', () => {
    expect(placed(['hostname', 'UNIQUE']).spec.affinity).toEqual({
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: SELECTOR, topologyKey: 'kubernetes.io/hostname' }] },
    });
  });

  it('UNIQUE on another field, MAX_PER and GROUP_BY -> topology spread constraints, said to be approximate', () => {
    const { spec, notes } = placed(['@zone', 'UNIQUE'], ['rack', 'MAX_PER', '2'], ['hostname', 'GROUP_BY', '3']);
    expect(spec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: SELECTOR },
      { maxSkew: 2, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule', labelSelector: SELECTOR },
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: SELECTOR },
    ]);
    expect(spec.affinity).toBeUndefined();
    expect(notes.filter((n) => n.includes('approximate'))).toHaveLength(3);
    expect(notes).toContain('constraints[1]: the Mesos attribute "rack" -> the node label "rack" (the nodes must carry it)');
  });

  it('IS -> nodeSelector; LIKE and UNLIKE with listed values -> node affinity In / NotIn', () => {
    const { spec } = placed(['rack', 'IS', 'r1'], ['hostname', 'LIKE', 'node-1|node-2'], ['@region', 'UNLIKE', '^(eu-west)$']);
    expect(spec.nodeSelector).toEqual({ rack: 'r1' });
    expect(spec.affinity?.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1', 'node-2'] },
              { key: 'topology.kubernetes.io/region', operator: 'NotIn', values: ['eu-west'] },
            ],
          },
        ],
      },
    });
  });

  it('CLUSTER with a value -> node affinity In; without one -> pod affinity on the field', () => {
    expect(placed(['rack', 'CLUSTER', 'r2']).spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'rack', operator: 'In', values: ['r2'] },
    ]);
    expect(placed(['@zone', 'CLUSTER']).spec.affinity?.podAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: SELECTOR, topologyKey: 'topology.kubernetes.io/zone' }],
    });
  });

  it('refuses regular expressions, bad values and unknown operators, naming each constraint', () => {
    const err = refusal(app({ constraints: [['hostname', 'LIKE', 'node-.*'], ['rack', 'MAX_PER', 'many'], ['rack', 'IS', 'a b'], ['rack', 'NEAR', 'x'], ['bad key!', 'UNIQUE']] }));
    expect(err.code).toBe('EKUBE_UNSUPPORTED');
    expect(err.details.map((d) => d.path)).toEqual(['constraints[0]', 'constraints[1]', 'constraints[2]', 'constraints[3]', 'constraints[4]']);
    expect(err.details[0].message).toMatch(/regular expression; node selectors match exact values only/);
  });
});

describe('literalAlternatives', () => {
  it('reads plain lists out of LIKE patterns and nothing else', () => {
    expect(literalAlternatives('a')).toEqual(['a']);
    expect(literalAlternatives('(a|b)')).toEqual(['a', 'b']);
    expect(literalAlternatives('^10\\.0\\.0\\.1$')).toEqual(['10.0.0.1']);
    expect(literalAlternatives('10.0.0.1')).toBeUndefined();
    expect(literalAlternatives('rack-[12]')).toBeUndefined();
    expect(literalAlternatives('')).toBeUndefined();
  });
});
