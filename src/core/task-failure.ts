/**
 * How the embedded cluster's agent marks a task failure that no retry will fix (a command that
 * does not exist or cannot be executed, a user the node does not have, no container runtime, a
 * fetch that can never succeed such as a checksum mismatch): the mark ends the failure's message,
 * and the deployment watch stops at the first such failure instead of waiting for more. One
 * constant for both sides, so the CLI depends on no wording of the agent's.
 */
export const PERMANENT_FAILURE_MARK = '(permanent: retrying will not help)';

export function markPermanent(message: string): string {
  return isMarkedPermanent(message) ? message : `${message} ${PERMANENT_FAILURE_MARK}`;
}

export function isMarkedPermanent(message: string): boolean {
  return message.includes(PERMANENT_FAILURE_MARK);
}
