/** Your own trigger module: change event.response, or throw to refuse. */
exports.handler = async (event) => {
  return event;
};
