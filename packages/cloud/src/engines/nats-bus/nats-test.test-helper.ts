import { checkNats } from './check-nats.js';

/** The NATS server tests use: FORTE_TEST_NATS_URL, else the machine's local one. */
export const TEST_NATS_URL = process.env.FORTE_TEST_NATS_URL || 'nats://127.0.0.1:4222';

/** Whether the test server answers; when it does not, the reason to print with a skip. */
export async function testNats(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const found = await checkNats(TEST_NATS_URL);
  return found.ok ? found : { ok: false, reason: `${found.reason}: start one (nats-server -js) or set FORTE_TEST_NATS_URL` };
}
