/**
 * The bundled packages' health checks mean "the service serves its clients": not a TCP connect
 * (a port is bound before the service serves) nor a page that answers while the service is not
 * ready. The checks that run with tools of this machine are run for real, as the embedded
 * daemon runs them, against servers that answer as the real service does when it is not
 * serving yet and when it is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHealth } from '../../../src/daemon/engine/health-probe.js';
import type { HealthCheck } from '../../../src/marathon/app-types.js';
import { tempHome, testActionCtx } from '../../helpers/index.js';
import { Catalog } from '../../../src/universe/catalog.js';
import { decodeTemplate, type PackageDefinition } from '../../../src/universe/model.js';
import { renderAndCheck } from '../../../src/universe/render.js';
import { bundledRepoDir } from '../../../src/universe/repositories.js';

const home = tempHome();
const { ctx } = testActionCtx(home.env);
const catalog = new Catalog(ctx, [{ name: 'bundled', uri: bundledRepoDir() }]);
let sandbox = '';
beforeAll(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'dcos-health-'));
});
afterAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
  home.cleanup();
});

async function revisions(name: string): Promise<PackageDefinition[]> {
  return (await catalog.candidates(name)).map((c) => c.definition);
}

async function healthChecks(definition: PackageDefinition, options: Record<string, unknown> = {}): Promise<HealthCheck[]> {
  const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
  const { app } = await renderAndCheck({ pkg, options: options as never });
  return app.healthChecks as HealthCheck[];
}

/** Runs a check the way the embedded daemon does, with the task's ports and environment. */
function probe(check: HealthCheck, port: number, env: Record<string, string> = {}) {
  return probeHealth(check, { host: '127.0.0.1', ports: [port, port], env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT0: String(port), PORT1: String(port), ...env }, cwd: sandbox }, 10_000);
}

/** A TCP server that answers every connection with `answer(request)` and closes it. */
async function tcpServer(answer: (request: string) => string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => {
    socket.once('data', (data) => socket.end(answer(data.toString('utf8'))));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function freePort(): Promise<number> {
  const s = await tcpServer(() => '');
  await s.close();
  return s.port;
}

describe('bundled health checks', () => {
  it('never rely on a bare TCP connect', async () => {
    for (const name of await catalog.packageNames()) {
      for (const definition of await revisions(name)) {
        for (const check of await healthChecks(definition)) {
          expect(['HTTP', 'HTTPS', 'COMMAND'], `${name} ${definition.version}: ${check.protocol}`).toContain(check.protocol);
        }
      }
    }
  });

  describe('zookeeper: srvr answers as a serving server', () => {
    const SERVING = 'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n';
    const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n';

    it('every revision is healthy only once srvr reports a mode', async () => {
      for (const definition of await revisions('zookeeper')) {
        const [check] = await healthChecks(definition);
        expect(check.protocol, definition.version).toBe('COMMAND');
        const starting = await tcpServer((req) => (req.startsWith('srvr') ? NOT_SERVING : ''));
        const serving = await tcpServer((req) => (req.startsWith('srvr') ? SERVING : ''));
        try {
          const notYet = await probe(check, starting.port);
          expect(notYet.ok, definition.version).toBe(false);
          expect(notYet.cause).toContain('not currently serving requests');
          expect((await probe(check, serving.port)).ok, definition.version).toBe(true);
          expect((await probe(check, await freePort())).ok).toBe(false);
        } finally {
          await starting.close();
          await serving.close();
        }
      }
    });
  });

  describe('redis: PING answers PONG', () => {
    it('every revision is unhealthy while Redis is loading and healthy on PONG', async () => {
      for (const definition of await revisions('redis')) {
        const [check] = await healthChecks(definition);
        const loading = await tcpServer(() => '-LOADING Redis is loading the dataset in memory\r\n');
        const ready = await tcpServer((req) => (/ping/i.test(req) ? '+PONG\r\n' : '-ERR unknown command\r\n'));
        try {
          expect((await probe(check, loading.port)).ok, definition.version).toBe(false);
          expect((await probe(check, ready.port)).ok, definition.version).toBe(true);
        } finally {
          await loading.close();
          await ready.close();
        }
      }
    });
  });

  describe('spark: the master reports itself ALIVE with its workers registered', () => {
    it('every revision waits for ALIVE and for the workers it starts', async () => {
      let body = '';
      const server = createHttpServer((req, res) => {
        if (req.url === '/json/' || req.url === '/json') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(body);
        } else {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<html>Spark Master</html>');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const master = (status: string, alive: number) =>
        JSON.stringify({ url: 'spark://127.0.0.1:7077', workers: [], aliveworkers: alive, cores: alive, status }, null, 2).replace(/":/g, '" :');
      try {
        for (const definition of await revisions('spark')) {
          const [check] = await healthChecks(definition, { spark: { workers: 2 } });
          expect(check.protocol, definition.version).toBe('COMMAND');
          body = master('ALIVE', 0);
          expect((await probe(check, port)).ok, `${definition.version}: no worker yet`).toBe(false);
          body = master('ALIVE', 1);
          expect((await probe(check, port)).ok, `${definition.version}: one of two workers`).toBe(false);
          body = master('STANDBY', 2);
          expect((await probe(check, port)).ok, `${definition.version}: standby master`).toBe(false);
          body = master('ALIVE', 2);
          expect((await probe(check, port)).ok, `${definition.version}: ready`).toBe(true);
          const [masterOnly] = await healthChecks(definition, { spark: { workers: 0 } });
          body = master('ALIVE', 0);
          expect((await probe(masterOnly, port)).ok, `${definition.version}: master only`).toBe(true);
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('kafka and cassandra: a client request with the tools of their images', () => {
    it('kafka 3.x asks the broker for its topics with the image\'s script, with a small heap of its own', async () => {
      for (const definition of (await revisions('kafka')).filter((d) => !d.resource?.assets?.uris)) {
        const [check] = await healthChecks(definition);
        expect(check.protocol).toBe('COMMAND');
        expect(check.command?.value).toMatch(/\/opt\/kafka\/bin\/kafka-topics\.sh --bootstrap-server "\$HOST:\$PORT0" --list/);
        // The task's KAFKA_HEAP_OPTS sizes the broker; the check's JVM must not take as much.
        expect(check.command?.value).toMatch(/KAFKA_HEAP_OPTS=-Xmx\d+m /);
      }
    });

    it('kafka from its release distribution: healthy only when a metadata request lists a broker', async () => {
      const [latest] = await revisions('kafka');
      expect(latest.resource?.assets?.uris).toBeDefined();
      // Metadata v4 (all topics, no auto-create), correlation id 1, client id "dcos".
      const request = Buffer.from([0, 0, 0, 19, 0, 3, 0, 4, 0, 0, 0, 1, 0, 4, ...Buffer.from('dcos'), 0xff, 0xff, 0xff, 0xff, 0]);
      // A response: correlation id, throttle time, then the brokers array (count, node id, host, port, rack).
      const answer = (correlation: number, brokers: number): Buffer => {
        const body = Buffer.alloc(12);
        body.writeInt32BE(correlation, 0);
        body.writeInt32BE(0, 4);
        body.writeInt32BE(brokers, 8);
        const broker = Buffer.from([0, 0, 0, 1, 0, 9, ...Buffer.from('127.0.0.1'), 0, 0, 0x23, 0x84, 0xff, 0xff]);
        const whole = Buffer.concat([body, ...Array.from({ length: brokers }, () => broker), Buffer.from([0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0])]);
        const size = Buffer.alloc(4);
        size.writeInt32BE(whole.length);
        return Buffer.concat([size, whole]);
      };
      let reply: (got: Buffer) => Buffer | null = () => null;
      const broker = createServer((socket) => {
        let got = Buffer.alloc(0);
        socket.on('data', (chunk) => {
          got = Buffer.concat([got, chunk]);
          if (got.length < request.length) return;
          const out = reply(got);
          if (out) socket.end(out);
          else socket.destroy();
        });
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
      const port = (broker.address() as AddressInfo).port;
      const other = await tcpServer(() => 'HTTP/1.1 400 Bad Request\r\n\r\n');
      try {
        for (const runtime of ['process', 'container']) {
          const [check] = await healthChecks(latest, { service: { runtime } });
          expect(check.protocol).toBe('COMMAND');
          reply = (got) => (got.equals(request) ? answer(1, 1) : null);
          expect((await probe(check, port)).ok, `${runtime}: a broker listed`).toBe(true);
          reply = (got) => (got.equals(request) ? answer(1, 0) : null);
          const fenced = await probe(check, port);
          expect(fenced.ok, `${runtime}: no broker listed yet`).toBe(false);
          expect(fenced.cause).toMatch(/lists no broker yet/);
          reply = () => answer(7, 1);
          expect((await probe(check, port)).ok, `${runtime}: an answer to another request`).toBe(false);
          reply = () => null;
          expect((await probe(check, port)).ok, `${runtime}: the connection closed unanswered`).toBe(false);
          expect((await probe(check, other.port)).ok, `${runtime}: another protocol`).toBe(false);
          expect((await probe(check, await freePort())).ok, `${runtime}: nothing listening`).toBe(false);
        }
      } finally {
        await new Promise((resolve) => broker.close(resolve));
        await other.close();
      }
    });

    it('cassandra runs a CQL query on the native transport port (the image revisions, with its cqlsh)', async () => {
      for (const definition of (await revisions('cassandra')).filter((d) => !d.resource?.assets?.uris)) {
        const [check] = await healthChecks(definition);
        expect(check.protocol).toBe('COMMAND');
        expect(check.command?.value).toMatch(/cqlsh "\$HOST" "\$PORT0" .*-e 'describe keyspaces'/);
      }
    });

    it('cassandra from its release distribution: healthy only when the port answers a CQL OPTIONS with SUPPORTED', async () => {
      const [latest] = await revisions('cassandra');
      expect(latest.resource?.assets?.uris).toBeDefined();
      for (const runtime of ['process', 'container']) {
        const [check] = await healthChecks(latest, { service: { runtime } });
        expect(check.protocol).toBe('COMMAND');
        // A SUPPORTED frame (v4 response, stream 1, opcode 0x06) with a body, as Cassandra answers.
        const supported = Buffer.concat([Buffer.from([0x84, 0, 0, 1, 0x06, 0, 0, 0, 2]), Buffer.from([0, 0])]);
        const cql = createServer((socket) => {
          socket.once('data', (request) => {
            // The probe sends OPTIONS: version 4, stream 1, opcode 0x05, no body.
            socket.end(request.equals(Buffer.from([4, 0, 0, 1, 5, 0, 0, 0, 0])) ? supported : Buffer.from([0x84, 0, 0, 1, 0x00, 0, 0, 0, 0]));
          });
          socket.on('error', () => {});
        });
        await new Promise<void>((resolve) => cql.listen(0, '127.0.0.1', resolve));
        // A port that is bound but speaks something else (an ERROR frame, or HTTP).
        const other = await tcpServer(() => 'HTTP/1.1 400 Bad Request\r\n\r\n');
        try {
          expect((await probe(check, (cql.address() as AddressInfo).port)).ok, runtime).toBe(true);
          expect((await probe(check, other.port)).ok, runtime).toBe(false);
          expect((await probe(check, await freePort())).ok, runtime).toBe(false);
        } finally {
          await new Promise((resolve) => cql.close(resolve));
          await other.close();
        }
      }
    });
  });
});
