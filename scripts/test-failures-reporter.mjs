// A node test reporter that writes one block per failed test (file, name, error) and nothing else.
// run-tests.mjs sends it to a file beside the TAP stream and prints that file last, so the end of a long
// log names what failed without a search through thousands of lines.
export default async function* failures(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    const error = details?.error;
    // A suite fails when one of its tests does; the test itself is reported on its own.
    if (error?.failureType === 'subtestsFailed') continue;
    const cause = error?.cause ?? error;
    const message = String(cause?.stack ?? cause?.message ?? cause ?? 'failed')
      .split('\n')
      .slice(0, 12)
      .join('\n    ');
    yield `not ok: ${file ?? '(unknown file)'}\n  ${name}\n    ${message}\n`;
  }
}
