import { describe, expect, it } from 'vitest';
import { ianaName, isIanaName, isQualifiedKey, labelValue, objectName } from '../../../../src/scheduler/kubernetes/names.js';

describe('objectName', () => {
  it('joins the path of an app id with "-"', () => {
    expect(objectName('/kafka')).toEqual({ name: 'kafka', changed: false, shortened: false });
    expect(objectName('/dev/team/kafka')).toEqual({ name: 'dev-team-kafka', changed: false, shortened: false });
  });

  it('replaces dots and starts with a letter, saying it changed the name', () => {
    expect(objectName('/a.b/c')).toEqual({ name: 'a-b-c', changed: true, shortened: false });
    expect(objectName('/1st/app')).toEqual({ name: 'app-1st-app', changed: true, shortened: false });
  });

  it('shortens to 63 characters with a hash of the whole id, so ids with one prefix stay apart', () => {
    const long = `/${'group'.repeat(10)}/${'service'.repeat(5)}`;
    const a = objectName(`${long}-a`);
    const b = objectName(`${long}-b`);
    expect(a.shortened).toBe(true);
    expect(a.name).toHaveLength(63);
    expect(a.name).toMatch(/^[a-z][a-z0-9-]*-[0-9a-f]{8}$/);
    expect(a.name.slice(0, 54)).toBe(b.name.slice(0, 54));
    expect(a.name).not.toBe(b.name);
    expect(objectName(`${long}-a`)).toEqual(a);
  });

  it('keeps a StatefulSet name to its own limit', () => {
    const n = objectName(`/${'x'.repeat(60)}`, 52);
    expect(n.name).toHaveLength(52);
    expect(n.shortened).toBe(true);
    expect(objectName(`/${'x'.repeat(52)}`, 52)).toEqual({ name: 'x'.repeat(52), changed: false, shortened: false });
  });
});

describe('ianaName', () => {
  it('makes port names valid IANA service names', () => {
    expect(ianaName('http')).toBe('http');
    expect(ianaName('Admin_UI')).toBe('admin-ui');
    expect(ianaName('a--b')).toBe('a-b');
    expect(ianaName('replication-traffic')).toBe('replication-tra');
    expect(ianaName('8080')).toBe('p-8080');
    expect(ianaName('---')).toBe('');
    for (const n of ['http', 'admin-ui', 'replication-tra', 'p-8080']) expect(isIanaName(n)).toBe(true);
    expect(isIanaName('8080')).toBe(false);
    expect(isIanaName('a--b')).toBe(false);
  });
});

describe('label values and keys', () => {
  it('keeps a package version such as 4.0.0-1 and makes others valid', () => {
    expect(labelValue('4.0.0-1')).toBe('4.0.0-1');
    expect(labelValue('1.0.0+build.5')).toBe('1.0.0-build.5');
    expect(labelValue('-x-')).toBe('x');
    expect(labelValue('v'.repeat(70))).toHaveLength(63);
  });

  it('tells annotation keys Kubernetes accepts', () => {
    expect(isQualifiedKey('label.dcos.io/DCOS_PACKAGE_OPTIONS')).toBe(true);
    expect(isQualifiedKey('label.dcos.io/has space')).toBe(false);
    expect(isQualifiedKey(`label.dcos.io/${'K'.repeat(64)}`)).toBe(false);
    expect(isQualifiedKey('Bad_Prefix/x')).toBe(false);
  });
});
