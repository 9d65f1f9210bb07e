/**
 * CustomMessage: the sign-up email carries a link instead of a bare code. The link opens the account
 * confirmation page the auth stack puts in its website bucket (`<auth resource>verificationbucket-<env>`),
 * which confirms the sign-up with the code and the app client the user signed up with, then sends the browser
 * to REDIRECTURL (`?username=<user>` added). EMAILSUBJECT and EMAILMESSAGE (shown before the link) are the
 * email's; other messages (resent codes, password resets) stay the pool's.
 */
exports.handler = async (event) => {
  if (event.triggerSource !== 'CustomMessage_SignUp') return event;
  const { codeParameter } = event.request;
  const authResource = process.env.RESOURCENAME.split('CustomMessage')[0];
  const bucket = `${authResource.toLowerCase()}verificationbucket-${process.env.ENV}`;
  // The bucket's website endpoint is a host of its own on the cloud this function runs in.
  const cloud = new URL(process.env.AWS_ENDPOINT_URL);
  const page = `${cloud.protocol}//${bucket}.s3-website.localhost${cloud.port === '' ? '' : `:${cloud.port}`}/`;
  const redirectUrl = `${process.env.REDIRECTURL.replace(/\/+$/, '')}/?username=${encodeURIComponent(event.userName)}`;
  const data = Buffer.from(JSON.stringify({ userName: event.userName, redirectUrl, region: event.region, clientId: event.callerContext.clientId })).toString(
    'base64',
  );
  const link = `${page}?data=${encodeURIComponent(data)}&code=${codeParameter}`;
  const message = `${process.env.EMAILMESSAGE} ${link}`;
  event.response.emailSubject = process.env.EMAILSUBJECT;
  event.response.emailMessage = message;
  event.response.smsMessage = message;
  return event;
};
