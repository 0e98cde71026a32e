/** Marathon's health result of one check of one task, as tasks carry it in `healthCheckResults`. */
export interface HealthCheckResult {
  alive: boolean;
  consecutiveFailures: number;
  firstSuccess: string | null;
  lastSuccess: string | null;
  lastFailure: string | null;
  lastFailureCause: string | null;
  /** Marathon 1.5+ names the instance; 1.4 named the task. */
  instanceId?: string;
  taskId?: string;
}
