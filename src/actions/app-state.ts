/** Small readings of a service's state that the wait and the install listing both make. */
import type { Service } from '../scheduler/types.js';

/** Whether a task (or failure) of this service version runs the current configuration. */
export function runsCurrentConfig(service: Pick<Service, 'configChangedAt'>, version: string | undefined): boolean {
  // A task launched before the last change of configuration runs the previous one; a scale is no such change.
  return version === undefined || version >= service.configChangedAt;
}
