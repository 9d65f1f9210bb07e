/** PreTokenGeneration: adds, overrides and suppresses ID token claims (edit the lists to your needs). */
exports.handler = async (event) => {
  event.response = {
    claimsOverrideDetails: {
      claimsToAddOrOverride: { attribute_key1: 'attribute_value1', attribute_key2: 'attribute_value2' },
      claimsToSuppress: ['attribute_key3'],
    },
  };
  return event;
};
