import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedOptions, unknownOptions } from './command-options.js';
import { COMMANDS, findCommand } from './command-table.js';
import { commandHelp } from './help-text.js';
import { BOOLEAN_FLAGS, SHORT_FLAGS, parseArgs } from './parse-args.js';

/** The option names a help text lists, one per `  [-x, ]--name` line. */
function listedOptions(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-[a-z], )?--([A-Za-z-]+)/gm)].map((m) => m[1] ?? '');
}

void describe("each command's --help lists exactly the options it accepts", () => {
  for (const command of COMMANDS) {
    void it(`forte ${command.name}`, () => {
      const help = commandHelp(command);
      const listed = listedOptions(help);
      assert.deepEqual(
        listed,
        acceptedOptions(command.options).map((o) => o.name),
      );
      assert.equal(new Set(listed).size, listed.length, 'each option once');
      assert.deepEqual(unknownOptions(command.options, listed), [], 'the parser accepts every listed option');
      for (const line of help.split('\n').filter((l) => /^ {2}-/.test(l))) assert.match(line, /^ {2}\S.*\S {2,}\S/, `one line with a description: ${line}`);
      // An option another command has, or a typo, is refused; --yes is taken everywhere, as Amplify's -y is.
      const others = [...new Set(COMMANDS.flatMap((c) => c.options.map((o) => o.name)))].filter((name) => !listed.includes(name) && name !== 'yes');
      assert.deepEqual(unknownOptions(command.options, ['yes']), []);
      assert.deepEqual(unknownOptions(command.options, [...others, 'yess']), [...others, 'yess']);
    });
  }

  void it('the parser reads each option as declared: a value or a flag, and its short form', () => {
    for (const command of COMMANDS) {
      for (const option of acceptedOptions(command.options)) {
        const where = `forte ${command.name} --${option.name}`;
        assert.equal(BOOLEAN_FLAGS.has(option.name), option.value === undefined, `${where}: ${option.value === undefined ? 'a flag' : 'takes a value'}`);
        // `-v` parses as --version, which run-cli turns into --verbose after a command (Amplify's `status -v`).
        if (option.short) assert.equal(SHORT_FLAGS[option.short], option.short === 'v' ? 'version' : option.name, `${where}: -${option.short}`);
        const parsed = parseArgs([`--${option.name}`, 'word']);
        assert.deepEqual(parsed.words, option.value === undefined ? ['word'] : [], where);
      }
    }
  });

  void it('push lists its real options, one line each; options that mean nothing are not listed', () => {
    const push = commandHelp(findCommand('push')!);
    assert.match(push, /^ {2}-f, --force {2,}push every resource/m);
    assert.match(push, /^ {2}--allow-destructive-graphql-schema-updates {2,}\S/m);
    assert.match(push, /^ {2}--allow-data-loss {2,}\S/m);
    assert.match(push, /^ {2}-y, --yes {2,}push without asking/m);
    assert.doesNotMatch(push, /--headless|--debug|--iterative-rollback/);
    const status = commandHelp(findCommand('status')!);
    assert.deepEqual(listedOptions(status), ['verbose', 'help']);
    assert.match(status, /^ {2}-v, --verbose {2,}\S/m);
  });
});
