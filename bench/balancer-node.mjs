#!/usr/bin/env node
// The balancer of bench/cluster.mjs where HAProxy is not installed: two round-robin proxies of @forte/testing
// (`startRoundRobinProxy`) in a process of their own (the bench blocks while wrk runs), one over instance A
// only, one over A and B. Prints their two URLs on one line; then reads the targets, `<A> <B>`, from a line
// on stdin (the instances start after, with the second proxy's URL as their public URL).
import { createInterface } from 'node:readline';

const { startRoundRobinProxy } = await import(new URL('../packages/testing/dist/round-robin-proxy.js', import.meta.url).href);
const one = await startRoundRobinProxy();
const two = await startRoundRobinProxy();
console.log(`${one.url} ${two.url}`);
for await (const line of createInterface({ input: process.stdin })) {
  const [a, b] = line.trim().split(' ');
  one.setTargets([a]);
  two.setTargets([a, b]);
  console.log('targets set');
}
