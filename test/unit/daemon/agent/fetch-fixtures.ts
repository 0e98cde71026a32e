/** Archives and a local HTTP server for the fetcher tests (real files, real tar/python). */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
  execFileSync('tar', ['-cjf', path.join(dir, 'app.tar.bz2'), '-C', src, 'pkg']);
  // A release-like tree made by tar itself, with links that stay inside (and one to a directory).
  const rel = path.join(base, 'src', 'release');
  mkdirSync(path.join(rel, 'lib'), { recursive: true });
  mkdirSync(path.join(rel, 'bin'));
  writeFileSync(path.join(rel, 'lib', 'libx.so.1'), 'lib\n');
  symlinkSync('libx.so.1', path.join(rel, 'lib', 'libx.so'));
  symlinkSync('../lib/libx.so.1', path.join(rel, 'bin', 'x'));
  symlinkSync('lib', path.join(rel, 'current'));
  symlinkSync('missing-yet', path.join(rel, 'dangling'));
  execFileSync('tar', ['-czf', path.join(dir, 'release.tar.gz'), '-C', src, 'release']);
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
# Symlink chains: every name and link text stays inside, but "a" is the root itself, so "a/l"
# sits in the root and its "../outside" leaves it.
with tarfile.open(d + '/chain.tar', 'w') as t:
    add(t, 'a', tarfile.SYMTYPE, '.'); add(t, 'a/l', tarfile.SYMTYPE, '../outside'); add(t, 'l/evil-chain')
with tarfile.open(d + '/chain-links.tar', 'w') as t:
    add(t, 'a', tarfile.SYMTYPE, '.'); add(t, 'a/l', tarfile.SYMTYPE, '../outside')
with tarfile.open(d + '/chain-write.tar', 'w') as t:
    add(t, 'l/evil-second')
with tarfile.open(d + '/dot-link.tar', 'w') as t:
    add(t, 'a', tarfile.SYMTYPE, '.')
with tarfile.open(d + '/via-link.tar', 'w') as t:
    add(t, 'l', tarfile.SYMTYPE, 'a/../outside'); add(t, 'l/evil-via')
# A link that is harmless when made and escapes once a later link redirects what it goes through.
with tarfile.open(d + '/redirect.tar', 'w') as t:
    add(t, 'd', tarfile.DIRTYPE); add(t, 'd/p', tarfile.SYMTYPE, 'q/../..'); add(t, 'd/q', tarfile.SYMTYPE, '.')
# A hard link to a symlink would carry "../real.txt" to a place where it leads elsewhere.
with tarfile.open(d + '/hardlink-to-symlink.tar', 'w') as t:
    add(t, 'real.txt'); add(t, 'sub/up', tarfile.SYMTYPE, '../real.txt'); add(t, 'top', tarfile.LNKTYPE, 'sub/up')
with tarfile.open(d + '/hardlink-abs.tar', 'w') as t:
    add(t, 'hl', tarfile.LNKTYPE, '/etc/hostname')
with tarfile.open(d + '/device.tar', 'w') as t:
    add(t, 'null', tarfile.CHRTYPE)
def zlink(z, name, target):
    info = zipfile.ZipInfo(name); info.create_system = 3; info.external_attr = (0o120777 << 16)
    z.writestr(info, target)
with zipfile.ZipFile(d + '/chain.zip', 'w') as z:
    zlink(z, 'a', '.'); zlink(z, 'a/l', '../outside'); z.writestr('l/evil-chain-zip', 'evil')
with zipfile.ZipFile(d + '/chain-links.zip', 'w') as z:
    zlink(z, 'a', '.'); zlink(z, 'a/l', '../outside')
with zipfile.ZipFile(d + '/chain-write.zip', 'w') as z:
    z.writestr('l/evil-second-zip', 'evil')
with zipfile.ZipFile(d + '/dot-link.zip', 'w') as z:
    zlink(z, 'a', '.')
with zipfile.ZipFile(d + '/via-link.zip', 'w') as z:
    zlink(z, 'l', 'a/../outside'); z.writestr('l/evil-via-zip', 'evil')
with zipfile.ZipFile(d + '/absolute.zip', 'w') as z:
    z.writestr(absolute + '-zip', 'evil')
with zipfile.ZipFile(d + '/inner-links.zip', 'w') as z:
    z.writestr('lib/libx.so.1', 'lib'); zlink(z, 'lib/libx.so', 'libx.so.1'); zlink(z, 'current', 'lib')
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
