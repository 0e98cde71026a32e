/** Archives and a local HTTP server for the fetcher tests (real files, real tar/python). */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Fixtures {
  /** Served files live here. */
  dir: string;
  /** A directory next to the sandboxes: escaping entries would land here. */
  outside: string;
}

/** Builds good and hostile archives in `base/files`. */
export function buildFixtures(base: string): Fixtures {
  const dir = path.join(base, 'files');
  const outside = path.join(base, 'outside');
  const pkg = path.join(base, 'src', 'pkg');
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  mkdirSync(dir);
  mkdirSync(outside);
  writeFileSync(path.join(pkg, 'data.txt'), 'payload\n');
  writeFileSync(path.join(pkg, 'bin', 'run.sh'), '#!/bin/sh\necho run\n');
  chmodSync(path.join(pkg, 'bin', 'run.sh'), 0o755);
  writeFileSync(path.join(dir, 'plain.txt'), 'just text\n');
  writeFileSync(path.join(dir, 'tool.sh'), '#!/bin/sh\necho tool\n');
  const src = path.join(base, 'src');
  execFileSync('tar', ['-czf', path.join(dir, 'app.tar.gz'), '-C', src, 'pkg']);
  execFileSync('tar', ['-cJf', path.join(dir, 'app.tar.xz'), '-C', src, 'pkg']);
  execFileSync('python3', ['-m', 'zipfile', '-c', path.join(dir, 'app.zip'), 'pkg'], { cwd: src });
  execFileSync('python3', ['-c', HOSTILE, dir, path.join(outside, 'abs-evil')]);
  return { dir, outside };
}

/** Hostile archives, made with python's tarfile/zipfile (tar itself will not create them). */
const HOSTILE = `
import io, sys, tarfile, zipfile
d, absolute = sys.argv[1], sys.argv[2]
def add(t, name, kind=tarfile.REGTYPE, link=''):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link
    data = b'evil' if kind == tarfile.REGTYPE else b''
    ti.size = len(data); ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data) if data else None)
with tarfile.open(d + '/dotdot.tar.gz', 'w:gz') as t:
    add(t, 'ok.txt'); add(t, '../evil-dotdot')
with tarfile.open(d + '/absolute.tar', 'w') as t:
    add(t, absolute)
with tarfile.open(d + '/symlink.tgz', 'w:gz') as t:
    add(t, 'dir/link', tarfile.SYMTYPE, '../../outside'); add(t, 'dir/link/evil-through-link')
with tarfile.open(d + '/abs-symlink.tar', 'w') as t:
    add(t, 'etc', tarfile.SYMTYPE, '/etc')
with tarfile.open(d + '/hardlink.tar', 'w') as t:
    add(t, 'hl', tarfile.LNKTYPE, '../outside/x')
with tarfile.open(d + '/inner-links.tar', 'w') as t:
    add(t, 'real.txt'); add(t, 'sub/up', tarfile.SYMTYPE, '../real.txt'); add(t, 'hard', tarfile.LNKTYPE, 'real.txt')
with zipfile.ZipFile(d + '/dotdot.zip', 'w') as z:
    z.writestr('ok.txt', 'ok'); z.writestr('../evil-zip', 'evil')
with zipfile.ZipFile(d + '/symlink.zip', 'w') as z:
    info = zipfile.ZipInfo('link'); info.create_system = 3; info.external_attr = (0o120777 << 16)
    z.writestr(info, '../../outside')
`;

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export interface FixtureServer {
  url: string;
  /** How many times each path was requested. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1; `/redirect/<name>` redirects to `/<name>`; query strings are ignored. */
export async function serveFixtures(dir: string): Promise<FixtureServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    if (pathname.startsWith('/redirect/')) {
      res.writeHead(302, { location: `/${pathname.slice('/redirect/'.length)}` }).end();
      return;
    }
    const file = path.join(dir, path.basename(pathname));
    if (!existsSync(file)) {
      res.writeHead(404).end('not here');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
