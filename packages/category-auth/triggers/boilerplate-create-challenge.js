/** CreateAuthChallenge: the custom challenge after the password, whose answer is CHALLENGEANSWER. */
exports.handler = async (event) => {
  if (event.request.session.length === 2 && event.request.challengeName === 'CUSTOM_CHALLENGE') {
    event.response.publicChallengeParameters = { trigger: 'true' };
    event.response.privateChallengeParameters = { answer: process.env.CHALLENGEANSWER };
  }
  return event;
};
