// Reference server for benches/compare/run.sh: panva's oidc-provider (v9) configured to issue
// ES256-signed JWT access tokens for the client_credentials grant, the same job vhod does in the
// comparison. run.sh installs oidc-provider into a temporary folder, copies this file there and runs
// it pinned to one core with NODE_ENV=production.
//
// Environment: PORT (listen on 127.0.0.1:PORT, issuer http://localhost:PORT), CLIENT_ID,
// CLIENT_SECRET, RESOURCE (the resource indicator / JWT audience).
//
// How the JWT access token comes about (oidc-provider v9 source, lib/shared/check_resource.js and
// lib/models/formats/jwt.js): with features.resourceIndicators enabled, a token request without a
// `resource` parameter gets defaultResource(); getResourceServerInfo() for it returns
// accessTokenFormat 'jwt' and jwt.sign.alg 'ES256', so the client_credentials token is a JWT
// (typ at+jwt) signed with the ES256 key from `jwks`, and, being structured, is not stored.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.PORT ?? 18602);
const issuer = `http://localhost:${port}`;
const clientId = process.env.CLIENT_ID ?? 'bench-es';
const clientSecret = process.env.CLIENT_SECRET ?? 'bench-secret';
const resource = process.env.RESOURCE ?? 'urn:vhod-bench:api';

// A fresh P-256 key per start, as vhod generates its own keys on first start.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const es256 = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-es256', use: 'sig', alg: 'ES256' };

const resourceServer = {
  scope: 'api.read',
  audience: resource,
  accessTokenFormat: 'jwt',
  accessTokenTTL: 600,
  jwt: { sign: { alg: 'ES256' } },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'api.read',
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  // A client's `scope` may only name scopes the provider supports, so api.read is declared here.
  scopes: ['openid', 'offline_access', 'api.read'],
  // The only key is ES256, so ID tokens (unused here) default to it too.
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [es256] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return resourceServer;
      },
    },
  },
  ttl: { ClientCredentials: 600 },
});
provider.proxy = false;

// Log failures (a benchmark of errors is worthless); nothing is logged per successful request.
provider.on('server_error', (_ctx, err) => console.error('server_error', err));
provider.on('grant.error', (_ctx, err) => console.error('grant.error', err.message, err.error_description ?? ''));

provider.listen(port, '127.0.0.1', () => {
  console.error(`oidc-provider listening on 127.0.0.1:${port}, issuer ${issuer}`);
});
