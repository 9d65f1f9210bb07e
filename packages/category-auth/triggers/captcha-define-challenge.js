/**
 * DefineAuthChallenge of the captcha sign-in (CUSTOM_WITH_SRP): the password first (SRP), then the captcha as
 * one custom challenge; tokens only when the captcha was solved.
 */
exports.handler = async (event) => {
  const session = event.request.session;
  const last = session[session.length - 1];
  const next = (challengeName) => Object.assign(event.response, { issueTokens: false, failAuthentication: false, challengeName });
  if (session.length === 1 && last.challengeName === 'SRP_A') next('PASSWORD_VERIFIER');
  else if (session.length === 2 && last.challengeName === 'PASSWORD_VERIFIER' && last.challengeResult === true) next('CUSTOM_CHALLENGE');
  else if (session.length === 3 && last.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult === true)
    Object.assign(event.response, { issueTokens: true, failAuthentication: false });
  else Object.assign(event.response, { issueTokens: false, failAuthentication: true });
  return event;
};
