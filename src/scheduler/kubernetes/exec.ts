/**
 * A command run in a pod's container (`kubectl exec`), over the API's WebSocket protocol
 * v4.channel.k8s.io: channel 1 is stdout, 2 stderr, 3 the status that carries the exit code.
 * The `ws` library is loaded only here, when a command needs exec.
 */
import { DcosError } from '../../core/errors.js';
import type { KubeClient } from './client.js';

export interface ExecOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function execInPod(client: KubeClient, pod: { namespace: string; name: string; container: string }, command: readonly string[], timeoutMs = 30_000): Promise<ExecOutput> {
  const query = new URLSearchParams({ container: pod.container, stdout: 'true', stderr: 'true' });
  for (const c of command) query.append('command', c);
  const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/exec?${query}`;
  const { url, headers, tls } = await client.upgradeOptions(path);
  const { default: WebSocket } = await import('ws');
  return new Promise<ExecOutput>((resolve, reject) => {
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], { headers, ...tls, handshakeTimeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status = '';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new DcosError('EEXEC', `The command in pod ${pod.name} did not finish within ${Math.round(timeoutMs / 1000)}s`));
    }, timeoutMs);
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      const body = data.subarray(1);
      if (channel === 1) out.push(body);
      else if (channel === 2) err.push(body);
      else if (channel === 3) status += body.toString('utf8');
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let message = text;
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? text;
        } catch {
          // not JSON
        }
        reject(new DcosError(res.statusCode === 404 ? 'ENOT_FOUND' : 'EEXEC', `Cannot run a command in pod ${pod.name}: ${message || `HTTP ${res.statusCode}`}`));
      });
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(new DcosError('EEXEC', `Cannot run a command in pod ${pod.name}: ${e.message}`));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      let exitCode = 0;
      if (status) {
        try {
          const s = JSON.parse(status) as { status?: string; message?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
          if (s.status !== 'Success') {
            const code = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
            if (code === undefined) return reject(new DcosError('EEXEC', `Cannot run ${command[0]} in pod ${pod.name}: ${s.message ?? 'it failed'}`));
            exitCode = Number(code);
          }
        } catch {
          // a status that is not JSON: take the output as it is
        }
      }
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode });
    });
  });
}
