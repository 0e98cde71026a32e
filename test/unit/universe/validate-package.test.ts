import { describe, expect, it } from 'vitest';
import { validateCommand, validateConfigSchema, validatePackageJson, validateResource, validateTemplate } from '../../../src/universe/validate-package.js';

const pkg = { packagingVersion: '4.0', name: 'my-pkg', version: '1.0.0', maintainer: 'm', description: 'd', tags: ['a'] };

describe('package file validation', () => {
  it('accepts a valid package.json of each packaging version', () => {
    expect(validatePackageJson(pkg)).toEqual([]);
    expect(validatePackageJson({ ...pkg, packagingVersion: '2.0', version: 'any thing' })).toEqual([]);
    expect(validatePackageJson({ ...pkg, packagingVersion: '5.0', manager: { packageName: 'kubernetes' } })).toEqual([]);
    const { packagingVersion: _, ...noVersion } = pkg;
    expect(validatePackageJson({ ...noVersion, version: '1' })).toEqual([]);
  });

  it('names the JSON path of each problem', () => {
    expect(validatePackageJson({ ...pkg, name: 'My_Pkg', tags: ['ok', 'not ok'], selected: 'yes' })).toEqual([
      { path: '/name', message: '"My_Pkg" must match ^[a-z][a-z0-9-]*[a-z0-9]$' },
      { path: '/tags/1', message: '"not ok" must match no whitespace' },
      { path: '/selected', message: 'must be a boolean, got string' },
    ]);
    expect(validatePackageJson({ ...pkg, maintainer: undefined })).toEqual([{ path: '/maintainer', message: 'is required' }]);
    expect(validatePackageJson({ ...pkg, packagingVersion: '6.0' })[0].path).toBe('/packagingVersion');
  });

  it('refuses fields a packaging version does not have', () => {
    expect(validatePackageJson({ ...pkg, packagingVersion: '3.0', upgradesFrom: ['*'] })).toEqual([
      { path: '/upgradesFrom', message: 'unknown property "upgradesFrom" (not allowed in packagingVersion 3.0)' },
    ]);
    expect(validatePackageJson({ ...pkg, releaseVersion: 3 })[0].path).toBe('/releaseVersion');
  });

  it('checks resource.json, with cli only from 3.0 on', () => {
    expect(validateResource({ assets: { uris: { a: 'https://x' }, container: { docker: { img: 'a:b' } } }, images: { 'icon-small': 'x' } }, '2.0')).toEqual([]);
    expect(validateResource({ cli: {} }, '2.0')[0].message).toContain('cli needs packagingVersion 3.0');
    expect(validateResource({ cli: { binaries: { linux: { 'x86-64': { kind: 'tar', url: 'ftp://x', contentHash: [] } } } } }, '4.0')).toEqual([
      { path: '/cli/binaries/linux/x86-64/kind', message: 'must be "executable" or "zip"' },
      { path: '/cli/binaries/linux/x86-64/url', message: '"ftp://x" must match an http(s) URL' },
      { path: '/cli/binaries/linux/x86-64/contentHash', message: 'must be a non-empty array of {algo, value}' },
    ]);
    expect(validateResource({ assets: { uris: { a: 1 } } }, '4.0')).toEqual([{ path: '/assets/uris/a', message: 'must be a string, got number' }]);
  });

  it('forbids command.json from 4.0 on', () => {
    expect(validateCommand({ pip: ['x'] }, '3.0')).toEqual([]);
    expect(validateCommand({ pip: ['x'] }, '4.0')[0].message).toContain('not allowed in packagingVersion 4.0');
  });

  it('checks config.json as a draft-04 schema of an object', () => {
    expect(validateConfigSchema({ type: 'object', properties: { a: { type: 'string', pattern: '^x$' } } })).toEqual([]);
    expect(validateConfigSchema({ type: 'array' })[0].path).toBe('/type');
    expect(validateConfigSchema({ type: 'object', properties: { a: { type: 'text' }, b: { pattern: '([' }, c: { minimum: 'one' } } })).toEqual([
      { path: '/properties/a/type', message: 'unknown type "text"' },
      { path: '/properties/b/pattern', message: expect.stringContaining('is not a valid regular expression') },
      { path: '/properties/c/minimum', message: 'must be a number, got string' },
    ]);
  });

  it('checks that the template parses, with line and column', () => {
    expect(validateTemplate('{"id": "{{a}}"}')).toEqual([]);
    expect(validateTemplate('{\n  {{#a}}\n}')).toEqual([{ path: 'line 2, column 3', message: expect.stringContaining('Unclosed section "a"') }]);
  });
});
