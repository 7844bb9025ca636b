-- Claims requested through the OIDC `claims` parameter, kept with the grant for userinfo and refresh.
ALTER TABLE grants ADD COLUMN claims TEXT;
