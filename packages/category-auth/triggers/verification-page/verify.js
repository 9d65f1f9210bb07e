/*
 * The account confirmation page of the verification-link module. The link in the sign-up email carries
 * `data` (base64 JSON: userName, redirectUrl, region, clientId) and `code`. The page calls Cognito's
 * ConfirmSignUp with them (an unsigned call, as an app makes it) on the cloud that serves this page, then sends
 * the browser to redirectUrl. A user already confirmed is told so (and, unlike Amplify's page, not redirected);
 * a wrong or expired code is shown, and nothing else happens.
 */
(function () {
  var title = document.getElementById('title');
  var detail = document.getElementById('detail');

  function fail(heading, text) {
    document.body.className = 'failed';
    title.textContent = heading;
    detail.textContent = text;
  }

  /** The cloud's own address: this page is served at <bucket>.s3-website.<cloud host>. */
  function cloudOrigin() {
    var marker = '.s3-website.';
    var host = window.location.host;
    var at = host.indexOf(marker);
    return window.location.protocol + '//' + (at < 0 ? host : host.slice(at + marker.length));
  }

  function readLink() {
    var params = new URLSearchParams(window.location.search);
    var code = params.get('code');
    var data = params.get('data');
    if (!code || !data) return undefined;
    try {
      var decoded = JSON.parse(atob(data));
      if (typeof decoded.userName !== 'string' || typeof decoded.clientId !== 'string' || typeof decoded.redirectUrl !== 'string') return undefined;
      if (!/^https?:\/\//i.test(decoded.redirectUrl)) return undefined;
      return { code: code, userName: decoded.userName, clientId: decoded.clientId, redirectUrl: decoded.redirectUrl };
    } catch (e) {
      return undefined;
    }
  }

  var link = readLink();
  if (!link) {
    fail('This confirmation link is incomplete', 'Open the link from your email again, or copy all of it into the address bar.');
    return;
  }
  fetch(cloudOrigin() + '/cognito-idp/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ConfirmSignUp' },
    body: JSON.stringify({ ClientId: link.clientId, Username: link.userName, ConfirmationCode: link.code }),
  })
    .then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    })
    .then(function (result) {
      var type = String((result.body && result.body.__type) || '');
      var message = String((result.body && result.body.message) || '');
      if (result.ok) {
        title.textContent = 'Your account is confirmed';
        detail.textContent = 'Taking you back…';
        window.location.replace(link.redirectUrl);
        return;
      }
      // Not redirected: anyone can write a link naming a confirmed user, and the page must not send people to
      // whatever address such a link carries.
      if (type.indexOf('NotAuthorizedException') >= 0 && /Current status is CONFIRMED/.test(message)) {
        title.textContent = 'Your account is already confirmed';
        detail.textContent = 'You can sign in to the app.';
        return;
      }
      if (type.indexOf('ExpiredCodeException') >= 0 || type.indexOf('CodeMismatchException') >= 0) {
        fail(
          'This confirmation link is no longer valid',
          'It has expired or was replaced by a newer one. Ask the app for a new confirmation email. (' + message + ')',
        );
        return;
      }
      fail('Your account could not be confirmed', message || type || 'The confirmation failed.');
    })
    .catch(function (error) {
      fail('Your account could not be confirmed', 'The confirmation service could not be reached: ' + error.message);
    });
})();
