/** PreSignUp: only emails of the domains in DOMAINALLOWLIST (comma-separated) may sign up. */
exports.handler = async (event) => {
  const allowed = process.env.DOMAINALLOWLIST.split(',').map((domain) => domain.trim());
  const email = event.request.userAttributes.email;
  const domain = email.slice(email.indexOf('@') + 1);
  if (!allowed.includes(domain)) throw new Error(`Invalid email domain: ${domain}`);
  return event;
};
