/** PreSignUp: emails of the domains in DOMAINDENYLIST (comma-separated) may not sign up. */
exports.handler = async (event) => {
  const denied = process.env.DOMAINDENYLIST.split(',').map((domain) => domain.trim());
  const email = event.request.userAttributes.email;
  const domain = email.slice(email.indexOf('@') + 1);
  if (denied.includes(domain)) throw new Error(`Invalid email domain: ${domain}`);
  return event;
};
