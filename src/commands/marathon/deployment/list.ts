import type { Ctx } from '../../../core/context.js';
import { info, noneFound, printJson, printLines, printTable } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { actionName, listDeployments } from '../../../actions/marathon-apps.js';
import type { MarathonDeployment } from '../../../scheduler/marathon/api-types.js';
import { actions } from '../../shared.js';

function actionsOf(d: MarathonDeployment): string {
  const current = d.currentActions.length ? d.currentActions : (d.steps[0]?.actions ?? []);
  return [...new Set(current.map((a) => actionName(a.action)))].join(',');
}

export interface DeploymentListFlags {
  quiet?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, [appId]: readonly [string | undefined], opts: DeploymentListFlags): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const deployments = await listDeployments(scheduler, appId);
  if (opts.json) {
    printJson(ctx, deployments);
    return;
  }
  if (deployments.length === 0) {
    noneFound(ctx, 'There are no deployments');
    return;
  }
  if (opts.quiet) {
    printLines(ctx, deployments.map((d) => d.id));
    return;
  }
  printTable(ctx, deployments, [
    { header: 'APP', value: (d) => d.affectedApps.join(',') },
    // Marathon's JSON: pod deployments carry affectedPods, which MarathonDeployment leaves out.
    { header: 'POD', value: (d) => ((d as { affectedPods?: string[] }).affectedPods ?? []).join(',') },
    { header: 'ACTION', value: actionsOf },
    { header: 'PROGRESS', value: (d) => `${Math.max(0, d.currentStep - 1)}/${d.totalSteps}`, align: 'right' },
    { header: 'ID', value: (d) => d.id },
  ]);
}
