/**
 * What a use case that changes a cluster asks of whoever runs it (the command line, a test): to
 * tell the user something, to confirm before changing anything, and a sink for a deployment's
 * progress. Actions stay free of argv, streams and ink.
 */
import type { ActionCtx } from '../core/context.js';
import type { Scheduler } from '../scheduler/types.js';
import type { WatchEvent } from './watch-types.js';

export interface ProgressSink {
  onEvent(event: WatchEvent): void;
  close(): Promise<void>;
}

/** What a reading use case needs: the attached cluster, and a way to tell the user something. */
export interface Reader extends ActionCtx {
  /** A line for the user (stderr on the command line). */
  notify(message: string): void;
  /** The attached cluster's Scheduler (on the command line, starting the local cluster if needed). */
  connect(): Promise<Scheduler>;
}

export interface Session extends Reader {
  /** Resolves to go on; rejects (ECANCELLED, or a usage error without a terminal) to stop. */
  confirm(question: string): Promise<void>;
  /** Where a deployment's progress goes while a use case waits for it. */
  progress(title: string): Promise<ProgressSink>;
}

/** How a deploying use case waits: by default until the deployment is done, up to `timeoutMs`. */
export interface WaitOptions {
  wait: boolean;
  timeoutMs: number;
}
