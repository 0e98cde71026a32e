/**
 * What the translation found on its way: refusals (fields with no Kubernetes meaning, each with
 * its path in the Marathon app) and notes (what was approximated or chosen). Every part of the
 * translation adds to one collector, so a refusal lists every problem at once.
 */
import type { ErrorDetail } from '../../core/errors.js';

export class Findings {
  readonly problems: ErrorDetail[] = [];
  readonly notes: string[] = [];

  refuse(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  note(message: string): void {
    if (!this.notes.includes(message)) this.notes.push(message);
  }
}
