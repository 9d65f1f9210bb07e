import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { clientAddressOf, resolveClient } from './client-address.js';
import { createTrustedProxies, trustedProxyProblem } from './trusted-proxies.js';

const request = (remoteAddress: string, forwardedFor?: string): IncomingMessage =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

const balancer = createTrustedProxies(['10.0.0.5', '172.20.0.0/16', 'fd00::/8']);

void describe('the client address', () => {
  void it("is the socket's for an untrusted peer, whatever X-Forwarded-For it sends", () => {
    const spoofed = request('203.0.113.7', '198.51.100.1');
    assert.equal(clientAddressOf(spoofed, balancer), '203.0.113.7');
    assert.deepEqual(resolveClient(spoofed, balancer), { address: '203.0.113.7', forwardedFor: '198.51.100.1, 203.0.113.7' });
    assert.equal(clientAddressOf(request('::ffff:203.0.113.7'), balancer), '203.0.113.7', '::ffff: is dropped');
    // Nothing is trusted by default.
    assert.equal(clientAddressOf(request('10.0.0.5', '198.51.100.1'), createTrustedProxies([])), '10.0.0.5');
  });

  void it('is, behind trusted proxies, the right-most forwarded address that is not one of them', () => {
    // The client claimed 1.1.1.1; the balancer appended the address it saw (198.51.100.9), an inner proxy its own.
    const chained = request('::ffff:10.0.0.5', '1.1.1.1, 198.51.100.9, 172.20.3.4');
    assert.equal(clientAddressOf(chained, balancer), '198.51.100.9');
    assert.deepEqual(resolveClient(chained, balancer), { address: '198.51.100.9', forwardedFor: '1.1.1.1, 198.51.100.9' });
    assert.equal(clientAddressOf(request('10.0.0.5', '198.51.100.9'), balancer), '198.51.100.9');
    assert.equal(clientAddressOf(request('fd12::1', '2001:DB8::7'), balancer), '2001:db8::7', 'IPv6, lower case');
    assert.equal(clientAddressOf(request('10.0.0.5', '[2001:db8::7]:4431'), balancer), '2001:db8::7', 'with a port');
    assert.equal(clientAddressOf(request('10.0.0.5', '198.51.100.9:4431'), balancer), '198.51.100.9', 'IPv4 with a port');
    assert.equal(clientAddressOf(request('10.0.0.5', '::ffff:198.51.100.9'), balancer), '198.51.100.9');
  });

  void it('is the proxy itself when it forwards nothing, the left-most address when all are trusted, and stops at an entry that is no address', () => {
    assert.deepEqual(resolveClient(request('10.0.0.5'), balancer), { address: '10.0.0.5', forwardedFor: '10.0.0.5' });
    assert.deepEqual(resolveClient(request('10.0.0.5', '172.20.0.9, 172.20.0.8'), balancer), { address: '172.20.0.9', forwardedFor: '172.20.0.9' });
    assert.deepEqual(resolveClient(request('10.0.0.5', '1.1.1.1, unknown, 172.20.0.8'), balancer), {
      address: '172.20.0.8',
      forwardedFor: '1.1.1.1, unknown, 172.20.0.8',
    });
  });
});

void describe('trusted proxies', () => {
  void it('takes addresses and CIDR blocks of IPv4 and IPv6, IPv4-mapped ones as IPv4', () => {
    const list = createTrustedProxies([' 127.0.0.1 ', '10.0.0.0/8', '::1', 'FD00::/8', '::ffff:192.168.0.0/112']);
    for (const address of ['127.0.0.1', '10.200.3.4', '::1', 'fdab::2', '192.168.7.7']) assert.equal(list.has(address), true, address);
    for (const address of ['127.0.0.2', '11.0.0.1', '::2', 'fe80::1', '2001:db8::1', '192.169.0.1', 'unknown']) assert.equal(list.has(address), false, address);
    assert.deepEqual(list.entries, ['127.0.0.1', '10.0.0.0/8', '::1', 'FD00::/8', '::ffff:192.168.0.0/112']);
  });

  void it('refuses what is not an address or a CIDR block, naming it and the form it takes', () => {
    assert.equal(trustedProxyProblem('10.0.0.0/8'), undefined);
    assert.match(
      trustedProxyProblem('10.0.0.0/33')!,
      /"10\.0\.0\.0\/33" has a prefix length other than 0 to 32: write an IP address or a CIDR block, like 10\.0\.0\.5/,
    );
    assert.match(trustedProxyProblem('fd00::/129')!, /0 to 128/);
    assert.match(trustedProxyProblem('haproxy')!, /"haproxy" is not an IP address or a CIDR block, like/);
    assert.match(trustedProxyProblem('10.0.0.0/x')!, /prefix length/);
    assert.match(trustedProxyProblem('10.0.0.300')!, /is not an IP address/);
    assert.throws(() => createTrustedProxies(['127.0.0.1', '10.0.0.0/33']), /Trusted proxy "10\.0\.0\.0\/33" has a prefix length/);
  });
});
