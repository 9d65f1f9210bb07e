/**
 * CreateAuthChallenge of the captcha sign-in: after the password, asks the app for a captcha token
 * (public parameter `trigger: "true"`, metadata CAPTCHA_CHALLENGE); the answer is checked by captcha-verify.
 */
exports.handler = async (event) => {
  if (event.request.challengeName === 'CUSTOM_CHALLENGE' && event.request.session.length === 2) {
    event.response.publicChallengeParameters = { trigger: 'true' };
    event.response.privateChallengeParameters = { answer: '' };
    event.response.challengeMetadata = 'CAPTCHA_CHALLENGE';
  }
  return event;
};
