/** VerifyAuthChallengeResponse: the answer is right when it equals the challenge's private answer. */
exports.handler = async (event) => {
  event.response.answerCorrect = event.request.privateChallengeParameters.answer === event.request.challengeAnswer;
  return event;
};
