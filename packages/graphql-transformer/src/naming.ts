/**
 * Generated names. Plurals follow the rules of the `pluralize` package that the Amplify transformer uses
 * (for example Inventory → Inventories, Address → Addresses, EventRSVP → EventRSVPS), because clients
 * call the generated field names (`listInventories`) and must find them unchanged.
 */

import { createHash } from 'node:crypto';

const restoreCase = (word: string, token: string): string => {
  if (word === token) return token;
  if (word === word.toLowerCase()) return token.toLowerCase();
  if (word === word.toUpperCase()) return token.toUpperCase();
  if (word[0] === word[0]?.toUpperCase()) return token.charAt(0).toUpperCase() + token.slice(1).toLowerCase();
  return token.toLowerCase();
};

const IRREGULAR: Record<string, string> = {
  i: 'we',
  me: 'us',
  he: 'they',
  she: 'they',
  them: 'them',
  myself: 'ourselves',
  yourself: 'yourselves',
  itself: 'themselves',
  herself: 'themselves',
  himself: 'themselves',
  themself: 'themselves',
  is: 'are',
  was: 'were',
  has: 'have',
  this: 'these',
  that: 'those',
  echo: 'echoes',
  dingo: 'dingoes',
  volcano: 'volcanoes',
  tornado: 'tornadoes',
  torpedo: 'torpedoes',
  genus: 'genera',
  viscus: 'viscera',
  stigma: 'stigmata',
  stoma: 'stomata',
  dogma: 'dogmata',
  lemma: 'lemmata',
  schema: 'schemata',
  anathema: 'anathemata',
  ox: 'oxen',
  axe: 'axes',
  die: 'dice',
  yes: 'yeses',
  foot: 'feet',
  eave: 'eaves',
  goose: 'geese',
  tooth: 'teeth',
  quiz: 'quizzes',
  human: 'humans',
  proof: 'proofs',
  carve: 'carves',
  valve: 'valves',
  looey: 'looies',
  thief: 'thieves',
  groove: 'grooves',
  pickaxe: 'pickaxes',
  passerby: 'passersby',
};
const IRREGULAR_PLURALS = new Set(Object.values(IRREGULAR));

const UNCOUNTABLE = new Set([
  'adulthood',
  'advice',
  'agenda',
  'aid',
  'aircraft',
  'alcohol',
  'ammo',
  'analytics',
  'anime',
  'athletics',
  'audio',
  'bison',
  'blood',
  'bream',
  'buffalo',
  'butter',
  'carp',
  'cash',
  'chassis',
  'chess',
  'clothing',
  'cod',
  'commerce',
  'cooperation',
  'corps',
  'debris',
  'diabetes',
  'digestion',
  'elk',
  'energy',
  'equipment',
  'excretion',
  'expertise',
  'firmware',
  'flounder',
  'fun',
  'gallows',
  'garbage',
  'graffiti',
  'hardware',
  'headquarters',
  'health',
  'herpes',
  'highjinks',
  'homework',
  'housework',
  'information',
  'jeans',
  'justice',
  'kudos',
  'labour',
  'literature',
  'machinery',
  'mackerel',
  'mail',
  'media',
  'mews',
  'moose',
  'music',
  'mud',
  'manga',
  'news',
  'only',
  'personnel',
  'pike',
  'plankton',
  'pliers',
  'police',
  'pollution',
  'premises',
  'rain',
  'research',
  'rice',
  'salmon',
  'scissors',
  'series',
  'sewage',
  'shambles',
  'shrimp',
  'software',
  'staff',
  'swine',
  'tennis',
  'traffic',
  'transportation',
  'trout',
  'tuna',
  'wealth',
  'welfare',
  'whiting',
  'wildebeest',
  'wildlife',
  'you',
]);

/** Rules in increasing priority (the last matching one wins), as in `pluralize`. */
const RULES: [RegExp, string][] = [
  [/s?$/i, 's'],
  [/[^\u0000-\u007F]$/i, '$0'],
  [/([^aeiou]ese)$/i, '$1'],
  [/(ax|test)is$/i, '$1es'],
  [/(alias|[^aou]us|t[lm]as|gas|ris)$/i, '$1es'],
  [/(e[mn]u)s?$/i, '$1s'],
  [/([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$/i, '$1'],
  [/(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$/i, '$1i'],
  [/(alumn|alg|vertebr)(?:a|ae)$/i, '$1ae'],
  [/(seraph|cherub)(?:im)?$/i, '$1im'],
  [/(her|at|gr)o$/i, '$1oes'],
  [/(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor)(?:a|um)$/i, '$1a'],
  [/(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)(?:a|on)$/i, '$1a'],
  [/sis$/i, 'ses'],
  [/(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$/i, '$1$2ves'],
  [/([^aeiouy]|qu)y$/i, '$1ies'],
  [/([^ch][ieo][ln])ey$/i, '$1ies'],
  [/(x|ch|ss|sh|zz)$/i, '$1es'],
  [/(matr|cod|mur|sil|vert|ind|append)(?:ix|ex)$/i, '$1ices'],
  [/\b((?:tit)?m|l)(?:ice|ouse)$/i, '$1ice'],
  [/(pe)(?:rson|ople)$/i, '$1ople'],
  [/(child)(?:ren)?$/i, '$1ren'],
  [/eaux$/i, '$0'],
  [/m[ae]n$/i, 'men'],
  [/^thou$/i, 'you'],
  // Uncountable patterns (kept as they are).
  [/pok[eé]mon$/i, '$0'],
  [/[^aeiou]ese$/i, '$0'],
  [/deer$/i, '$0'],
  [/fish$/i, '$0'],
  [/measles$/i, '$0'],
  [/o[iu]s$/i, '$0'],
  [/pox$/i, '$0'],
  [/sheep$/i, '$0'],
];

const applyRule = (word: string, [pattern, replacement]: [RegExp, string]): string =>
  word.replace(pattern, (...args: unknown[]) => {
    const match = args[0] as string;
    const offset = args[args.length - 2] as number;
    const result = replacement.replace(/\$(\d{1,2})/g, (_m, i: string) => {
      const value = args[Number(i)];
      return typeof value === 'string' ? value : '';
    });
    if (match === '') return restoreCase(word[offset - 1] ?? '', result);
    return restoreCase(match, result);
  });

/** The plural of a type name, as `pluralize(word)` computes it. */
export const plural = (word: string): string => {
  const token = word.toLowerCase();
  if (IRREGULAR_PLURALS.has(token)) return restoreCase(word, token);
  const irregular = IRREGULAR[token];
  if (irregular !== undefined) return restoreCase(word, irregular);
  if (token.length === 0 || UNCOUNTABLE.has(token)) return word;
  for (let i = RULES.length - 1; i >= 0; i--) {
    const rule = RULES[i]!;
    if (rule[0].test(word)) return applyRule(word, rule);
  }
  return word;
};

export const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** `toCamelCase` of graphql-transformer-common: the first word lower-cased, the others capitalised. */
export const camelCase = (words: string[]): string => words.map((w, i) => (i === 0 ? lowerFirst(w) : upperFirst(w))).join('');

/** AppSync limits subscription names to 50 characters: longer ones are cut and given a hash suffix. */
const subscriptionName = (name: string): string => (name.length <= 50 ? name : name.slice(0, 45) + createHash('md5').update(name).digest('hex').slice(0, 5));

/** Default operation field names of a model. */
export const operationName = {
  get: (model: string): string => `get${upperFirst(model)}`,
  list: (model: string): string => `list${plural(upperFirst(model))}`,
  sync: (model: string): string => `sync${plural(upperFirst(model))}`,
  create: (model: string): string => `create${upperFirst(model)}`,
  update: (model: string): string => `update${upperFirst(model)}`,
  delete: (model: string): string => `delete${upperFirst(model)}`,
  onCreate: (model: string): string => subscriptionName(`onCreate${upperFirst(model)}`),
  onUpdate: (model: string): string => subscriptionName(`onUpdate${upperFirst(model)}`),
  onDelete: (model: string): string => subscriptionName(`onDelete${upperFirst(model)}`),
};

export const names = {
  connection: (model: string): string => `Model${model}Connection`,
  filter: (model: string): string => `Model${model}FilterInput`,
  condition: (model: string): string => `Model${model}ConditionInput`,
  subscriptionFilter: (model: string): string => `ModelSubscription${model}FilterInput`,
  createInput: (model: string): string => `Create${model}Input`,
  updateInput: (model: string): string => `Update${model}Input`,
  deleteInput: (model: string): string => `Delete${model}Input`,
  nonModelInput: (type: string): string => `${upperFirst(type)}Input`,
};
