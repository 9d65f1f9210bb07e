import { UserError, type Prompter } from '@forte/protocol';

const NO_TTY = new UserError(
  'this command asks questions: run it in a terminal, or pass --yes (or --headless)',
  'Run it in a terminal, or add --yes to accept the defaults.',
);

/**
 * Questions on @inquirer/prompts (loaded only when a question is really asked, to keep commands that
 * ask nothing fast). With `yes`, every question answers its default.
 */
export function createPrompter(options: { yes: boolean; interactive?: boolean }): Prompter {
  const interactive = options.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
  const inquirer = async (): Promise<typeof import('@inquirer/prompts')> => {
    if (!interactive) throw NO_TTY;
    return import('@inquirer/prompts');
  };
  return {
    yes: options.yes,
    interactive,
    async input(question) {
      if (options.yes) {
        if (question.default === undefined)
          throw new UserError(
            `"${question.message}" has no default for --yes.`,
            'Give the value with a flag (see `forte help`), or run the command in a terminal.',
          );
        return question.default;
      }
      if (question.secret) {
        const { password } = await inquirer();
        return password({ message: question.message, mask: true, ...(question.validate ? { validate: question.validate } : {}) });
      }
      const { input } = await inquirer();
      return input({ message: question.message, default: question.default, validate: question.validate });
    },
    async confirm(question) {
      // Amplify's --yes confirms (delete -y, env remove -y): it does not answer the default.
      if (options.yes) return true;
      const { confirm } = await inquirer();
      return confirm({ message: question.message, default: question.default });
    },
    async select(question) {
      if (options.yes) {
        const value = question.default ?? question.choices[0]?.value;
        if (value === undefined) throw new UserError(`"${question.message}" has no choices.`, 'Report this as a bug of the plugin that asked.');
        return value;
      }
      const { select } = await inquirer();
      return select({ message: question.message, choices: question.choices, default: question.default });
    },
  };
}
