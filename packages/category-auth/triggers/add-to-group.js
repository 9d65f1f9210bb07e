/** PostConfirmation: adds the confirmed user to the group GROUP, creating the group when the pool lacks it. */
const { AdminAddUserToGroupCommand, CognitoIdentityProviderClient, CreateGroupCommand, GetGroupCommand } = require('@aws-sdk/client-cognito-identity-provider');

const cognito = new CognitoIdentityProviderClient({});

exports.handler = async (event) => {
  const group = { GroupName: process.env.GROUP, UserPoolId: event.userPoolId };
  try {
    await cognito.send(new GetGroupCommand(group));
  } catch {
    await cognito.send(new CreateGroupCommand(group));
  }
  await cognito.send(new AdminAddUserToGroupCommand({ ...group, Username: event.userName }));
  return event;
};
