import { request } from 'node:http';
import { connect } from 'node:net';

/**
 * An address of this machine other than 127.0.0.1 that a test can connect from, to stand for a load balancer
 * (a cloud trusts it as a proxy while 127.0.0.1 stays an ordinary client). On Linux all of 127.0.0.0/8 is the
 * loopback; where binding it fails (macOS), the test is skipped with this reason.
 */
export const PROXY_TEST_ADDRESS = '127.0.0.2';

/** Why connections cannot come from PROXY_TEST_ADDRESS here, or undefined when they can. */
export async function proxyAddressSkipReason(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: PROXY_TEST_ADDRESS }, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('error', (error) => resolve(`cannot connect from ${PROXY_TEST_ADDRESS} (${error.message}): this machine's loopback is 127.0.0.1 alone`));
  });
}

/** An HTTP request sent from a given local address (a proxy's, in tests of forwarded client addresses). */
export function requestFrom(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) },
        localAddress,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
