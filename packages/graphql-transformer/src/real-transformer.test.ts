/**
 * The output schema against cases generated with the real Amplify transformer and kept with the package
 * (test/fixtures/real-transformer, see its README): `@http` argument rewriting and field order, `@default`
 * on non-null fields, connection keys in subscription filters, and custom (AWS_LAMBDA) rules.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { transform } from './index.js';
import type { AppSyncAuthConfiguration, ResolverConfig } from './index.js';
import { readJson, schemaDiff } from './test/shared.js';

// Tests run from dist/; the fixtures stay in src/.
const dir = fileURLToPath(new URL('../src/test/fixtures/real-transformer/', import.meta.url));
const CONFLICT_RESOLUTION: ResolverConfig = { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } };
const cases = readJson<Record<string, { auth: string; conflictResolution?: boolean }>>(`${dir}cases.json`);

describe('output schema equals the real transformer on the package reference cases', () => {
  for (const [name, c] of Object.entries(cases)) {
    const variants: [string, ResolverConfig | undefined][] = [[`${name}.expected.graphql`, undefined]];
    if (c.conflictResolution) variants.push([`${name}.conflict-resolution.expected.graphql`, CONFLICT_RESOLUTION]);
    for (const [expected, resolverConfig] of variants) {
      it(`${name}${resolverConfig ? ' (conflict resolution)' : ''}`, () => {
        const authConfig = readJson<AppSyncAuthConfiguration>(`${dir}${c.auth}`);
        const out = transform({ schema: readFileSync(`${dir}${name}.graphql`, 'utf8'), authConfig, ...(resolverConfig ? { resolverConfig } : {}) });
        const diff = schemaDiff(readFileSync(`${dir}${expected}`, 'utf8'), out.schema);
        assert.equal(diff, '', `${name} differs from the real transformer (- expected, + ours):\n${diff}`);
      });
    }
  }

  it('plans @http fields with their method, headers and the non-null arguments a body call must carry', () => {
    const authConfig = readJson<AppSyncAuthConfiguration>(`${dir}apikey.auth.json`);
    const { plan } = transform({ schema: readFileSync(`${dir}http-more.graphql`, 'utf8'), authConfig });
    const field = (name: string) => plan.externalFields.find((f) => f.fieldName === name)?.http;
    assert.deepEqual(field('put'), { method: 'PUT', url: 'https://api.example.com/items/:id', nonNullArgs: ['title', 'count'] });
    assert.deepEqual(field('regional'), {
      method: 'GET',
      url: 'https://api.${aws_region}.example.com/${env}/status',
      headers: [
        { key: 'x-env', value: '${env}' },
        { key: 'x-region', value: '${aws_region}' },
      ],
    });
    assert.deepEqual(field('single'), { method: 'GET', url: 'https://api.example.com/single', headers: [{ key: 'x-one', value: '1' }] });
    // GET carries no body: its non-null arguments are the query input's own.
    assert.deepEqual(field('required'), { method: 'GET', url: 'http://api.example.com:8080/items?fixed=1' });
  });
});
