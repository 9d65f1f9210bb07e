import { connect } from 'node:net';

/**
 * Whether a NATS server answers at `url` (its INFO line), within two seconds; when none does, why, fit to
 * print (a test skips with it). Opens no client connection and sends nothing.
 */
export function checkNats(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  let target: URL;
  try {
    target = new URL(url.split(',')[0]!.trim());
  } catch {
    return Promise.resolve({ ok: false, reason: `"${url}" is not a nats:// URL` });
  }
  const where = `${target.hostname}:${target.port || '4222'}`;
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port: Number(target.port || 4222) });
    const done = (result: { ok: true } | { ok: false; reason: string }): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(2000, () => done({ ok: false, reason: `no NATS server answered at ${where} within 2 s` }));
    socket.once('data', (data) =>
      done(data.toString().startsWith('INFO ') ? { ok: true } : { ok: false, reason: `what answers at ${where} is not a NATS server` }),
    );
    socket.once('error', (error) => done({ ok: false, reason: `no NATS server answers at ${where} (${error.message})` }));
  });
}
