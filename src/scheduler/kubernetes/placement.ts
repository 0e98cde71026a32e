/**
 * Marathon constraints as scheduling rules. `hostname:UNIQUE` is exact (required pod
 * anti-affinity); UNIQUE on another field, MAX_PER and GROUP_BY become topology spread
 * constraints, which approximate them; IS, LIKE, UNLIKE and CLUSTER select nodes by label.
 * A Mesos attribute becomes a node label of the same name, which the cluster must carry.
 */
import type { AppConstraint } from '../../marathon/app-types.js';
import type { Affinity, LabelSelector, NodeSelectorRequirement, PodAffinityTerm, TopologySpreadConstraint } from './objects.js';
import { isLabelValue, isQualifiedKey } from './names.js';
import type { Findings } from './problems.js';

export interface Placement {
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
}

const WELL_KNOWN: Record<string, string> = {
  hostname: 'kubernetes.io/hostname',
  '@hostname': 'kubernetes.io/hostname',
  '@region': 'topology.kubernetes.io/region',
  '@zone': 'topology.kubernetes.io/zone',
};

const HOSTNAME = 'kubernetes.io/hostname';

/**
 * The values a LIKE/UNLIKE regular expression matches when it is a plain list (`a`, `a|b`,
 * `(a|b)`, `^a$`); undefined for a real pattern, which node selectors cannot express.
 */
export function literalAlternatives(regex: string): string[] | undefined {
  let body = regex;
  if (body.startsWith('^')) body = body.slice(1);
  if (body.endsWith('$') && !body.endsWith('\\$')) body = body.slice(0, -1);
  if (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1);
  if (body.startsWith('?:')) body = body.slice(2);
  const values = body.split('|').map((v) => v.replace(/\\([.\-_])/g, '$1'));
  // An unescaped "." is a wildcard, so only escaped dots (now plain) may remain.
  const escapedDots = body.split('|').every((v) => !/(^|[^\\])\./.test(v));
  if (!escapedDots || values.some((v) => !/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(v) || !isLabelValue(v))) return undefined;
  return values;
}

export function placementOf(constraints: AppConstraint[], podSelector: LabelSelector, findings: Findings): Placement {
  const selector = (): LabelSelector => ({ matchLabels: { ...podSelector.matchLabels } });
  const nodeSelector: Record<string, string> = {};
  const requirements: NodeSelectorRequirement[] = [];
  const antiAffinity: PodAffinityTerm[] = [];
  const podAffinity: PodAffinityTerm[] = [];
  const spread: TopologySpreadConstraint[] = [];
  constraints.forEach((constraint, i) => {
    const path = `constraints[${i}]`;
    const [field, operator, value] = constraint;
    const key = WELL_KNOWN[field] ?? field;
    if (!isQualifiedKey(key)) {
      findings.refuse(path, `the field "${field}" cannot name a node label: use a Kubernetes label key (letters, digits, "-", "_", ".")`);
      return;
    }
    const labelMapped = () => {
      if (!WELL_KNOWN[field]) findings.note(`${path}: the Mesos attribute "${field}" -> the node label "${key}" (the nodes must carry it)`);
    };
    const literal = (what: string): string | undefined => {
      if (value !== undefined && isLabelValue(value)) return value;
      findings.refuse(`${path}`, `${field}:${operator} needs ${what} a node label can hold (at most 63 of letters, digits, "-", "_", "."), got ${JSON.stringify(value ?? null)}`);
      return undefined;
    };
    switch (operator) {
      case 'UNIQUE':
        if (key === HOSTNAME) {
          antiAffinity.push({ labelSelector: selector(), topologyKey: key });
        } else {
          spread.push({ maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector() });
          findings.note(`${path} ${field}:UNIQUE -> a topology spread (max skew 1) over "${key}": approximate, it allows two pods on one value once every value has one`);
          labelMapped();
        }
        return;
      case 'MAX_PER': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) {
          findings.refuse(path, `MAX_PER needs a whole number of at least 1, got ${JSON.stringify(value ?? null)}`);
          return;
        }
        spread.push({ maxSkew: n, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector() });
        findings.note(`${path} ${field}:MAX_PER:${n} -> a topology spread with max skew ${n} over "${key}": approximate, it bounds the difference between values, not the count per value`);
        if (key !== HOSTNAME) labelMapped();
        return;
      }
      case 'GROUP_BY':
        spread.push({ maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector() });
        findings.note(`${path} ${field}:GROUP_BY${value ? `:${value}` : ''} -> a topology spread (max skew 1) over "${key}": approximate${value ? ', the number of values is not enforced' : ''}`);
        if (key !== HOSTNAME) labelMapped();
        return;
      case 'IS': {
        const v = literal('a value');
        if (v === undefined) return;
        if (nodeSelector[key] !== undefined && nodeSelector[key] !== v) {
          findings.refuse(path, `${field} cannot be both "${nodeSelector[key]}" and "${v}"`);
          return;
        }
        nodeSelector[key] = v;
        labelMapped();
        return;
      }
      case 'CLUSTER':
        if (value === undefined || value === '') {
          podAffinity.push({ labelSelector: selector(), topologyKey: key });
          findings.note(`${path} ${field}:CLUSTER -> required pod affinity on "${key}": all pods on the value the first one lands on`);
        } else {
          const v = literal('a value');
          if (v === undefined) return;
          requirements.push({ key, operator: 'In', values: [v] });
        }
        labelMapped();
        return;
      case 'LIKE':
      case 'UNLIKE': {
        const values = value === undefined ? undefined : literalAlternatives(value);
        if (!values) {
          findings.refuse(path, `${field}:${operator}:${value ?? ''} is a regular expression; node selectors match exact values only: list them as a|b|c, with a literal dot escaped as \\.`);
          return;
        }
        requirements.push({ key, operator: operator === 'LIKE' ? 'In' : 'NotIn', values });
        labelMapped();
        return;
      }
      default:
        findings.refuse(path, `unknown constraint operator ${String(operator)}`);
    }
  });
  const placement: Placement = {};
  if (Object.keys(nodeSelector).length) placement.nodeSelector = nodeSelector;
  const affinity: Affinity = {};
  if (requirements.length) {
    affinity.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: requirements }] } };
  }
  if (podAffinity.length) affinity.podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: podAffinity };
  if (antiAffinity.length) affinity.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: antiAffinity };
  if (Object.keys(affinity).length) placement.affinity = affinity;
  if (spread.length) placement.topologySpreadConstraints = spread;
  return placement;
}
