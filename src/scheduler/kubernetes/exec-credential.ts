/**
 * Exec credential plugins (client.authentication.k8s.io): run the configured command, read the
 * ExecCredential it prints, and keep its token or client certificate until it expires, as kubectl
 * does. Never interactive: dcos runs in CI as often as on a terminal.
 */
import { execFile } from 'node:child_process';
import { DcosError } from '../../core/errors.js';
import type { ExecConfig } from './kubeconfig.js';

export interface ExecResult {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  /** Epoch ms; undefined: valid for the life of the process. */
  expiresAt?: number;
}

const cache = new Map<string, ExecResult>();

export async function execCredential(exec: ExecConfig & { dir: string }, cluster: { server: string; ca?: Buffer; insecure: boolean }): Promise<ExecResult> {
  const key = JSON.stringify([exec.command, exec.args, exec.env, cluster.server]);
  const cached = cache.get(key);
  // A credential about to expire is fetched again rather than used for a request it may outlive.
  if (cached && (cached.expiresAt === undefined || cached.expiresAt - Date.now() > 10_000)) return cached;
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1';
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo) {
    spec.cluster = {
      server: cluster.server,
      ...(cluster.ca ? { 'certificate-authority-data': cluster.ca.toString('base64') } : {}),
      'insecure-skip-tls-verify': cluster.insecure,
    };
  }
  const env = { ...process.env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])), KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: 'ExecCredential', spec }) };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(exec.command, exec.args ?? [], { env, cwd: exec.dir, timeout: 60_000, maxBuffer: 1 << 20 }, (err, out, errOut) => {
      if (!err) return resolve(out);
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new DcosError('EKUBE_AUTH', missing ? `The credential plugin "${exec.command}" of the kubeconfig is not installed` : `The credential plugin "${exec.command}" failed: ${String(errOut).trim().split('\n').pop() || err.message}`, {
          hint: exec.installHint?.trim() || (missing ? 'Install it, or use a kubeconfig with another user.' : undefined),
        }),
      );
    });
  });
  let status: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } | undefined;
  try {
    status = (JSON.parse(stdout) as { status?: typeof status }).status;
  } catch {
    throw new DcosError('EKUBE_AUTH', `The credential plugin "${exec.command}" did not print an ExecCredential (JSON)`);
  }
  if (!status?.token && !(status?.clientCertificateData && status.clientKeyData)) {
    throw new DcosError('EKUBE_AUTH', `The credential plugin "${exec.command}" gave neither a token nor a client certificate and key`);
  }
  const result: ExecResult = {
    ...(status.token ? { token: status.token } : {}),
    ...(status.clientCertificateData && status.clientKeyData ? { cert: Buffer.from(status.clientCertificateData), key: Buffer.from(status.clientKeyData) } : {}),
    ...(status.expirationTimestamp ? { expiresAt: Date.parse(status.expirationTimestamp) } : {}),
  };
  cache.set(key, result);
  return result;
}

/** Forgets a credential the server refused (401), so that the next request runs the plugin again. */
export function forgetCredential(exec: ExecConfig, server: string): void {
  cache.delete(JSON.stringify([exec.command, exec.args, exec.env, server]));
}
