/**
 * Release distributions assembled from a project's own jars on Maven Central, for the tests: no
 * download site of the projects is reachable here, Maven Central is. A distribution is laid out
 * and named as the official tarball (`<top>/<jars dir>/*.jar` plus what the test adds, such as
 * config files), and cached between runs (Maven's jars in ~/.m2, the tarballs under the test
 * cache) so only the first run downloads. Its checksum is not the official one: tests install a
 * copy of the bundled revision whose resource.json names the assembled tarball (`testRepository`).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DistSpec {
  /** The tarball's file name, as the project names it: `kafka_2.13-4.1.1.tgz`. */
  file: string;
  /** The one top directory inside it: `kafka_2.13-4.1.1`. */
  top: string;
  /** Where the jars go inside `top`: `libs` (Kafka), `lib` (Cassandra), `jars` (Spark). */
  jarsDir: string;
  /** `group:artifact:version` of each dependency whose runtime closure the distribution holds. */
  artifacts: string[];
  /** `group:artifact` of dependencies to leave out (with what only they bring). */
  exclusions?: string[];
  /** Further files inside `top` (path -> content), such as config files or scripts. */
  files?: Record<string, string>;
}

export interface Dist {
  /** The tarball. */
  path: string;
  sha512: string;
}

/** Where assembled distributions are kept between runs (`DCOS_TEST_CACHE` moves it). */
export function distCacheDir(): string {
  return process.env.DCOS_TEST_CACHE ?? join(homedir(), '.cache', 'dcos-tests', 'dists');
}

/**
 * The distribution, from the cache when it was assembled before from the same spec, else
 * assembled now with Maven (`mvn dependency:copy-dependencies` on a generated pom). Throws with
 * Maven's own output when the resolve fails.
 */
export async function assembleDist(spec: DistSpec, opts: { timeoutMs?: number } = {}): Promise<Dist> {
  const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
  const dir = join(distCacheDir(), key);
  const tarball = join(dir, spec.file);
  const sumFile = `${tarball}.sha512`;
  if (existsSync(tarball) && existsSync(sumFile)) return { path: tarball, sha512: readFileSync(sumFile, 'utf8').trim() };

  const work = mkdtempSync(join(tmpdir(), 'dcos-dist-'));
  try {
    writeFileSync(join(work, 'pom.xml'), pomOf(spec));
    const jars = join(work, spec.top, spec.jarsDir);
    mkdirSync(jars, { recursive: true });
    try {
      await run('mvn', ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${jars}`], {
        cwd: work,
        timeout: opts.timeoutMs ?? 15 * 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`Assembling ${spec.file} from Maven Central failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    for (const [rel, content] of Object.entries(spec.files ?? {})) {
      const file = join(work, spec.top, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content, { mode: rel.startsWith('bin/') ? 0o755 : 0o644 });
    }
    const built = join(work, spec.file);
    // Fixed owner and time: the same spec gives the same bytes, whoever builds it.
    await run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=2020-01-01 00:00Z', '-czf', built, '-C', work, spec.top]);
    const sha512 = createHash('sha512').update(readFileSync(built)).digest('hex');
    mkdirSync(dir, { recursive: true });
    const temp = `${tarball}.${process.pid}.tmp`;
    cpSync(built, temp);
    renameSync(temp, tarball);
    writeFileSync(sumFile, `${sha512}\n`);
    return { path: tarball, sha512 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function pomOf(spec: DistSpec): string {
  const exclusions = (spec.exclusions ?? [])
    .map((ga) => {
      const [g, a] = ga.split(':');
      return `<exclusion><groupId>${g}</groupId><artifactId>${a}</artifactId></exclusion>`;
    })
    .join('');
  const deps = spec.artifacts
    .map((gav) => {
      const [g, a, v] = gav.split(':');
      return `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version><exclusions>${exclusions}</exclusions></dependency>`;
    })
    .join('\n    ');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dcos.tests</groupId>
  <artifactId>dist</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`;
}

const BUNDLED = new URL('../../packages-repo', import.meta.url).pathname;

/** One bundled revision for a test repository, with the assets and images it is to use instead. */
export interface TestRevision {
  revision: number;
  /** Asset name -> URI, e.g. `file:///.../kafka_2.13-4.1.1.tgz#sha512=<hex>`. */
  uris?: Record<string, string>;
  /** Image name (`assets.container.docker`) -> image. */
  images?: Record<string, string>;
}

/**
 * A Universe repository (a directory to add as a repository) holding a copy of one bundled
 * revision of a package, whose resource.json `assets.uris` entries are replaced by `uris`
 * (name -> URI, e.g. `file:///.../kafka_2.13-4.1.1.tgz#sha512=<hex>`): the revision as it is, run
 * from the assembled distribution. `images` (name -> image) replaces `assets.container.docker`
 * entries the same way, for a container runtime run from an image built here.
 */
export function testRepository(pkg: string, revision: number, uris: Record<string, string>, images: Record<string, string> = {}): { dir: string; cleanup(): void } {
  return testRepositoryOf(pkg, [{ revision, uris, images }]);
}

/** The same with several revisions of the package, in the order given (revisions 0, 1, ... of the copy). */
export function testRepositoryOf(pkg: string, revisions: TestRevision[]): { dir: string; cleanup(): void } {
  const letter = pkg[0].toUpperCase();
  const dir = mkdtempSync(join(tmpdir(), `dcos-repo-${pkg}-`));
  revisions.forEach(({ revision, uris = {}, images = {} }, index) => {
    const source = join(BUNDLED, 'packages', letter, pkg, String(revision));
    if (!existsSync(source)) throw new Error(`No bundled revision ${revision} of ${pkg} at ${source}`);
    const target = join(dir, 'packages', letter, pkg, String(index));
    cpSync(source, target, { recursive: true });
    const resourceFile = join(target, 'resource.json');
    const resource = existsSync(resourceFile)
      ? (JSON.parse(readFileSync(resourceFile, 'utf8')) as { assets?: { uris?: Record<string, string>; container?: { docker?: Record<string, string> } } })
      : {};
    const known = resource.assets?.uris ?? {};
    for (const name of Object.keys(uris)) {
      if (!(name in known)) throw new Error(`${pkg} revision ${revision} has no asset "${name}" (it has: ${Object.keys(known).join(', ') || 'none'})`);
    }
    const knownImages = resource.assets?.container?.docker ?? {};
    for (const name of Object.keys(images)) {
      if (!(name in knownImages)) throw new Error(`${pkg} revision ${revision} has no image "${name}" (it has: ${Object.keys(knownImages).join(', ') || 'none'})`);
    }
    resource.assets = { ...resource.assets, uris: { ...known, ...uris } };
    if (Object.keys(images).length > 0) resource.assets.container = { ...resource.assets.container, docker: { ...knownImages, ...images } };
    writeFileSync(resourceFile, `${JSON.stringify(resource, null, 2)}\n`);
  });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
