/**
 * Runs every module named in the comma-separated MODULES variable (each `./<name>.js` exporting `handler`)
 * on the same event, together, and answers the event they changed. A module refuses by throwing.
 */
const modules = process.env.MODULES.split(',').map((name) => require(`./${name.trim()}`));

exports.handler = async (event, context) => {
  await Promise.all(modules.map((module) => module.handler(event, context)));
  return event;
};
