/** DefineAuthChallenge (CUSTOM_WITH_SRP): the password first (SRP), then one custom challenge; tokens when it is answered right. */
exports.handler = async (event) => {
  const session = event.request.session;
  const last = session[session.length - 1];
  if (session.length === 1 && last.challengeName === 'SRP_A') {
    Object.assign(event.response, { issueTokens: false, failAuthentication: false, challengeName: 'PASSWORD_VERIFIER' });
  } else if (session.length === 2 && last.challengeName === 'PASSWORD_VERIFIER' && last.challengeResult === true) {
    Object.assign(event.response, { issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
  } else if (session.length === 3 && last.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult === true) {
    Object.assign(event.response, { issueTokens: true, failAuthentication: false });
  } else {
    Object.assign(event.response, { issueTokens: false, failAuthentication: true });
  }
  return event;
};
