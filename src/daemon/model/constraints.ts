/**
 * Placement constraints on a single node: the only field with a value here is the hostname, so
 * UNIQUE and MAX_PER limit how many instances may run, CLUSTER/LIKE/UNLIKE/IS test the hostname,
 * and constraints on attributes this node does not have cannot be met.
 */
import type { AppConstraint } from '../../marathon/app-types.js';

export function constraintsAllow(constraints: readonly AppConstraint[] | undefined, hostname: string, running: number): boolean {
  for (const [field, operator, value] of constraints ?? []) {
    const isHost = field === 'hostname' || field === '@hostname';
    const fieldValue = isHost ? hostname : undefined;
    switch (operator) {
      case 'UNIQUE':
        if (running >= 1) return false;
        break;
      case 'MAX_PER':
        if (running >= Number(value)) return false;
        break;
      case 'CLUSTER':
      case 'IS':
        if (fieldValue === undefined || (value !== undefined && value !== '' && fieldValue !== value)) return false;
        break;
      case 'LIKE':
        if (fieldValue === undefined || !new RegExp(`^(?:${value})$`).test(fieldValue)) return false;
        break;
      case 'UNLIKE':
        if (fieldValue !== undefined && new RegExp(`^(?:${value})$`).test(fieldValue)) return false;
        break;
      default:
        // GROUP_BY spreads over values; one node is one value.
        break;
    }
  }
  return true;
}
