/**
 * The bundled hello-world 1.2.0: the process runtime as before, and a container runtime that runs
 * the same server, whose source is in the command (no fetch, which Kubernetes does not have), in
 * node:20-slim with bridge networking on container port 8080.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, testActionCtx } from '../../helpers/index.js';
import { Catalog } from '../../../src/universe/catalog.js';
import { decodeTemplate } from '../../../src/universe/model.js';
import { renderAndCheck } from '../../../src/universe/render.js';
import { bundledRepoDir } from '../../../src/universe/repositories.js';

const home = tempHome();
afterAll(() => home.cleanup());
const { ctx } = testActionCtx(home.env);
const catalog = new Catalog(ctx, [{ name: 'bundled', uri: bundledRepoDir() }]);

async function render(options: Record<string, unknown>, version = '1.2.0'): Promise<Record<string, any>> {
  const definition = (await catalog.candidates('hello-world')).map((c) => c.definition).find((d) => d.version === version);
  if (!definition) throw new Error(`no hello-world ${version} in the bundled universe`);
  const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
  return (await renderAndCheck({ pkg, options: options as never })).app as Record<string, any>;
}

describe('hello-world 1.2.0', () => {
  it('runs as a process on an assigned port by default, as 1.1.0 does', async () => {
    const app = await render({});
    const before = await render({}, '1.1.0');
    expect(app.container).toBeUndefined();
    expect(app.networks).toBeUndefined();
    expect(app.portDefinitions).toEqual(before.portDefinitions);
    expect(app.healthChecks).toEqual(before.healthChecks);
    expect(app.env).toEqual({ ...before.env, HELLO_VERSION: '1.2.0' });
    expect(app.fetch ?? []).toEqual([]);
  });

  it('with service.runtime container runs the same server in node:20-slim on container port 8080, nothing fetched', async () => {
    const onNode = await render({});
    const app = await render({ service: { runtime: 'container' } });
    expect(app.container).toEqual({
      type: 'DOCKER',
      docker: { image: 'node:20-slim', forcePullImage: false },
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp', name: 'http' }],
    });
    expect(app.networks).toEqual([{ mode: 'container/bridge' }]);
    expect(app.portDefinitions ?? []).toEqual([]);
    // The server's whole source is the command, so the container needs only node and /bin/sh.
    expect(app.cmd).toBe(onNode.cmd);
    expect(app.cmd).toMatch(/^exec node -e "const http = require\('http'\);/);
    expect(app.fetch ?? []).toEqual([]);
    // PORT0 is the host port in bridge mode; the server listens on the mapped container port.
    expect(app.env).toEqual({ ...onNode.env, HELLO_PORT: '8080' });
    expect(app.healthChecks).toEqual(onNode.healthChecks);
  });

  it('takes another image from service.image and refuses an unknown runtime', async () => {
    expect((await render({ service: { runtime: 'container', image: 'localhost/my/node:22' } })).container.docker.image).toBe('localhost/my/node:22');
    await expect(render({ service: { runtime: 'vm' } })).rejects.toThrow(/failed validation/);
    await expect(render({ service: { runtime: 'container', image: '' } })).rejects.toThrow(/failed validation/);
  });

  it('updates from and downgrades to 1.1.0 and 1.0.0', async () => {
    const def = (await catalog.candidates('hello-world')).map((c) => c.definition).find((d) => d.version === '1.2.0');
    expect(def?.upgradesFrom).toEqual(['1.1.0', '1.0.0']);
    expect(def?.downgradesTo).toEqual(['1.1.0', '1.0.0']);
  });
});
