import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HTTP_RESOLVER_SETTINGS, hostAllowed } from './http-resolver.js';

void describe('@http outbound settings', () => {
  void it('allows every host by default', () => {
    assert.equal(hostAllowed(DEFAULT_HTTP_RESOLVER_SETTINGS, 'api.example.com'), true);
  });

  void it('denyHosts wins over allowHosts; *.domain matches subdomains only', () => {
    const settings = { ...DEFAULT_HTTP_RESOLVER_SETTINGS, allowHosts: ['*.example.com'], denyHosts: ['secret.example.com', '169.254.169.254'] };
    assert.equal(hostAllowed(settings, 'secret.example.com'), false);
    assert.equal(hostAllowed(settings, 'SECRET.example.com'), false);
    assert.equal(hostAllowed(settings, '169.254.169.254'), false);
    assert.equal(hostAllowed(settings, 'api.example.com'), true);
  });

  void it('with default deny, only allowHosts are called', () => {
    const settings = { ...DEFAULT_HTTP_RESOLVER_SETTINGS, default: 'deny' as const, allowHosts: ['*.example.com', 'localhost'] };
    assert.equal(hostAllowed(settings, 'a.b.example.com'), true);
    assert.equal(hostAllowed(settings, 'example.com'), false);
    assert.equal(hostAllowed(settings, 'badexample.com'), false);
    assert.equal(hostAllowed(settings, 'localhost'), true);
    assert.equal(hostAllowed(settings, '[::1]'), false);
  });
});
