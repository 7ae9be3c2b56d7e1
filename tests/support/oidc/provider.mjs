// A real OpenID Provider for the sign-in tests: the OpenID Certified `oidc-provider` package on a
// free loopback port. It prints one JSON line ({"issuer": ...}) when it listens; the tests then
// register a client for each app server through Dynamic Client Registration (as an
// administrator registers the app in Entra ID or Keycloak) and log in through its development
// login form, where the login name is one of USERS and any password is taken.
import http from 'node:http';

import Provider from 'oidc-provider';

// The people of the test organisation, by login name. Claims as Keycloak sends them; Entra ID
// names its group claim the same way ("groups").
const USERS = {
  anne: { email: 'anne@gemeente.example', email_verified: true, name: 'Anne de Vries', groups: [] },
  bas: { email: 'bas@elders.example', email_verified: true, name: 'Bas Jansen', groups: [] },
  cor: { email: 'cor@gemeente.example', email_verified: false, name: 'Cor Smit', groups: [] },
  dewi: {
    email: 'dewi@partner.example',
    email_verified: false,
    name: 'Dewi Bakker',
    groups: ['atelier-begeleiders'],
  },
  fenna: { email: 'fenna@gemeente.example', email_verified: true, name: 'Fenna', groups: [] },
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    cookies: { keys: ['only-for-the-test-suite'] },
    async findAccount(ctx, id) {
      const user = USERS[id];
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...user }) };
    },
    // The app is a first-party client: no consent screen, as an organisation configures its
    // own applications (Entra ID's admin consent, Keycloak's "Consent required: off").
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        accountId: ctx.oidc.session.accountId,
        clientId: ctx.oidc.client.clientId,
      });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });
  provider.on('end_session.success', () => console.log(JSON.stringify({ event: 'end_session' })));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
