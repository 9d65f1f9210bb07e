import { UserError } from '@forte/protocol';

/** One line of JSON from stdin (Amplify's `--headless` contract), with a 2 s timeout. */
export async function readHeadlessPayload(stream: NodeJS.ReadableStream = process.stdin, timeoutMs = 2000): Promise<unknown> {
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const done = (error: Error | undefined, value?: string): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.pause();
      if (error) reject(error);
      else resolve(value ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl !== -1) done(undefined, buffer.slice(0, nl));
    };
    const onEnd = (): void => done(undefined, buffer);
    const timer = setTimeout(
      () => done(new UserError('No input received on stdin', "Pipe one line of JSON into the command: echo '{...}' | forte <command> --headless")),
      timeoutMs,
    );
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.resume();
  });
  if (line.trim() === '')
    throw new UserError('No input received on stdin', "Pipe one line of JSON into the command: echo '{...}' | forte <command> --headless");
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new UserError(`The headless payload on stdin is not valid JSON: ${(error as Error).message}`, 'Pipe one line of valid JSON into the command.');
  }
}
