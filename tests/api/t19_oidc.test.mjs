// Sextant as an OpenID Connect provider, driven by a real relying-party library (openid-client):
// discovery, the code flow with PKCE, ID tokens with org unit and roles, userinfo, key rotation,
// RP-initiated logout; and SECURITY.md's negative cases: a code used twice (and the tokens of its
// first use revoked), an unregistered redirect URI (no redirect), a wrong client secret, a PKCE
// verifier that does not match.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { env, loginAdmin, loginAlice, login, marker, expectStatus, expectProblem, request } from './lib.mjs';

const M = marker('t19');
const CALLBACK = 'http://127.0.0.1:9/callback';
const LOGGED_OUT = 'http://127.0.0.1:9/bye';
let admin, confidential, publicClient, user, config;

const insecure = { execute: [oidc.allowInsecureRequests] };

before(async () => {
	admin = await loginAdmin();
	const c = await admin.post('/api/v1/oidc/clients', { name: `门户 ${M}`, redirect_uris: [CALLBACK], post_logout_redirect_uris: [LOGGED_OUT] });
	expectStatus(c, 201);
	confidential = c.json;
	const p = await admin.post('/api/v1/oidc/clients', { name: `移动端 ${M}`, redirect_uris: [CALLBACK], confidential: false });
	expectStatus(p, 201);
	publicClient = p.json;
	const root = (await admin.getJson('/api/v1/org-units')).data.find((u) => u.parent_id === null)?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	const unit = (await admin.post('/api/v1/org-units', { name: `单点登录部 ${M}`, kind: 'department', parent_id: root })).json.id;
	const password = `Aa1-${randomBytes(12).toString('base64url')}`;
	const u = await admin.post('/api/v1/users', { username: `sso_${M}`, password, roles: ['salesperson', 'info_specialist'], org_unit_id: unit, display_name: '单点用户', email: 'sso@example.cn', must_change_password: false });
	expectStatus(u, 201);
	user = { id: u.json.id, unit, client: await login(`sso_${M}`, password) };
	config = await oidc.discovery(new URL(env.baseUrl), confidential.client_id, confidential.client_secret, undefined, insecure);
});

/* Follow the authorization URL as the logged-in browser would: the 302 to the callback. */
async function authorize(url, client = user.client) {
	const u = new URL(url);
	const res = await client.get(u.pathname + u.search);
	return res;
}

async function codeFlow(cfg = config, extra = {}) {
	const verifier = oidc.randomPKCECodeVerifier();
	const challenge = await oidc.calculatePKCECodeChallenge(verifier);
	const state = oidc.randomState();
	const nonce = oidc.randomNonce();
	const url = oidc.buildAuthorizationUrl(cfg, { redirect_uri: CALLBACK, scope: 'openid profile email', code_challenge: challenge, code_challenge_method: 'S256', state, nonce, ...extra });
	const res = await authorize(url);
	assert.equal(res.status, 302, `authorize: ${res.status} ${res.text}`);
	return { location: new URL(res.headers.get('location')), verifier, state, nonce };
}

test('discovery, the code flow with PKCE, an ID token with org unit and roles, userinfo', async () => {
	const meta = config.serverMetadata();
	assert.equal(meta.issuer, env.baseUrl);
	assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
	const { location, verifier, state, nonce } = await codeFlow();
	assert.ok(location.href.startsWith(CALLBACK));
	assert.equal(location.searchParams.get('iss'), env.baseUrl);
	const tokens = await oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
	const claims = tokens.claims();
	assert.equal(claims.sub, String(user.id));
	assert.equal(claims.aud, confidential.client_id);
	assert.equal(claims.iss, env.baseUrl);
	assert.equal(claims.preferred_username, `sso_${M}`);
	assert.equal(claims.name, '单点用户');
	assert.equal(claims.email, 'sso@example.cn');
	assert.deepEqual(claims.org_unit, { id: user.unit, name: `单点登录部 ${M}` });
	assert.deepEqual(claims.roles, ['info_specialist', 'salesperson']);
	assert.deepEqual(claims.amr, ['pwd']);
	assert.ok(claims.exp > claims.iat && Math.abs(claims.iat - Date.now() / 1000) < 60);
	assert.ok(claims.auth_time <= claims.iat);
	const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
	assert.equal(info.sub, String(user.id));
	assert.deepEqual(info.roles, ['info_specialist', 'salesperson']);
	// userinfo by POST too, and a bad token refused.
	const post = await request('POST', '/oidc/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
	expectStatus(post, 200);
	const bad = await request('GET', '/oidc/userinfo', { headers: { Authorization: 'Bearer nope' } });
	assert.equal(bad.status, 401);
	assert.match(bad.headers.get('www-authenticate'), /invalid_token/);
});

test('a code used twice is refused, and the tokens of its first use are revoked', async () => {
	const { location, verifier, state, nonce } = await codeFlow();
	const tokens = await oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
	await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims().sub);
	await assert.rejects(
		oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
		(e) => e.error === 'invalid_grant',
	);
	await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, tokens.claims().sub), 'the first tokens no longer work');
	const trail = await admin.getJson('/api/v1/audit?entity=oidc_clients&action=code_reuse');
	assert.ok(trail.data.length >= 1);
});

test('an unregistered redirect URI or client is answered with an error, never redirected to', async () => {
	const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'https://evil.example/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
	const res = await authorize(url);
	expectProblem(res, 400, 'bad_request', [['redirect_uri', 'invalid_value']]);
	assert.equal(res.headers.get('location'), null);
	const prefix = await authorize(oidc.buildAuthorizationUrl(config, { redirect_uri: `${CALLBACK}/more`, scope: 'openid' }));
	expectProblem(prefix, 400, 'bad_request', ['redirect_uri']);
	const unknown = await user.client.get(`/oidc/authorize?client_id=sxc_nobody&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=openid`);
	expectProblem(unknown, 400, 'bad_request', [['client_id', 'reference_not_found']]);
	// With a good redirect URI, protocol errors go back to the client.
	const noType = await user.client.get(`/oidc/authorize?client_id=${confidential.client_id}&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=openid&state=s1`);
	assert.equal(noType.status, 302);
	const back = new URL(noType.headers.get('location'));
	assert.equal(back.searchParams.get('error'), 'invalid_request');
	assert.equal(back.searchParams.get('state'), 's1');
	const noOpenid = await user.client.get(`/oidc/authorize?client_id=${confidential.client_id}&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=profile`);
	assert.equal(new URL(noOpenid.headers.get('location')).searchParams.get('error'), 'invalid_scope');
	const token = await user.client.get(`/oidc/authorize?client_id=${confidential.client_id}&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=token&scope=openid`);
	assert.equal(new URL(token.headers.get('location')).searchParams.get('error'), 'unsupported_response_type');
});

test('a wrong client secret is refused (Basic and in the form)', async () => {
	const wrong = await oidc.discovery(new URL(env.baseUrl), confidential.client_id, 'not-the-secret', undefined, insecure);
	const { location, verifier, state, nonce } = await codeFlow(wrong);
	await assert.rejects(oidc.authorizationCodeGrant(wrong, location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }), (e) => e.error === 'invalid_client');
	const post = await oidc.discovery(new URL(env.baseUrl), confidential.client_id, 'not-the-secret', oidc.ClientSecretPost('not-the-secret'), insecure);
	const f2 = await codeFlow(post);
	await assert.rejects(oidc.authorizationCodeGrant(post, f2.location, { pkceCodeVerifier: f2.verifier, expectedState: f2.state, expectedNonce: f2.nonce }), (e) => e.error === 'invalid_client');
	// The right secret in the form works.
	const good = await oidc.discovery(new URL(env.baseUrl), confidential.client_id, confidential.client_secret, oidc.ClientSecretPost(confidential.client_secret), insecure);
	const f3 = await codeFlow(good);
	const t = await oidc.authorizationCodeGrant(good, f3.location, { pkceCodeVerifier: f3.verifier, expectedState: f3.state, expectedNonce: f3.nonce });
	assert.equal(t.claims().sub, String(user.id));
});

test('a PKCE verifier that does not match is refused; a public client must use PKCE', async () => {
	const { location, state, nonce } = await codeFlow();
	await assert.rejects(
		oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state, expectedNonce: nonce }),
		(e) => e.error === 'invalid_grant',
	);
	// A verifier for a code asked without a challenge is a downgrade: refused, and the code is
	// not spent by the refusal.
	const plain = await authorize(oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', state: 's4' }));
	const plainCode = new URL(plain.headers.get('location'));
	await assert.rejects(oidc.authorizationCodeGrant(config, plainCode, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: 's4' }), (e) => e.error === 'invalid_grant');
	const t0 = await oidc.authorizationCodeGrant(config, plainCode, { expectedState: 's4' });
	assert.equal(t0.claims().sub, String(user.id), 'the failed try left the code usable');
	// A challenge needs its method said.
	const noMethod = await authorize(oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', state: 's5', code_challenge: 'z'.repeat(43) }));
	assert.equal(new URL(noMethod.headers.get('location')).searchParams.get('error'), 'invalid_request');
	const pub = await oidc.discovery(new URL(env.baseUrl), publicClient.client_id, undefined, oidc.None(), insecure);
	assert.equal(publicClient.client_secret, null);
	const noPkce = await authorize(oidc.buildAuthorizationUrl(pub, { redirect_uri: CALLBACK, scope: 'openid', state: 's2' }));
	assert.equal(new URL(noPkce.headers.get('location')).searchParams.get('error'), 'invalid_request');
	const f = await codeFlow(pub);
	const t = await oidc.authorizationCodeGrant(pub, f.location, { pkceCodeVerifier: f.verifier, expectedState: f.state, expectedNonce: f.nonce });
	assert.equal(t.claims().aud, publicClient.client_id);
});

test('prompt=none without a login is login_required; without a session the browser goes to log in', async () => {
	const anon = { get: (p) => request('GET', p) };
	const url = new URL(oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', prompt: 'none', state: 's3', code_challenge: 'y'.repeat(43), code_challenge_method: 'S256' }));
	const none = await anon.get(url.pathname + url.search);
	assert.equal(none.status, 302);
	assert.equal(new URL(none.headers.get('location')).searchParams.get('error'), 'login_required');
	url.searchParams.delete('prompt');
	const login = await anon.get(url.pathname + url.search);
	assert.equal(login.status, 302);
	const to = new URL(login.headers.get('location'), env.baseUrl);
	assert.equal(to.pathname, '/login');
	assert.ok(to.searchParams.get('next').startsWith('/oidc/authorize?'), 'comes back to finish');
	// max_age=0 asks for a fresh login even with a session (older than the request).
	await new Promise((r) => setTimeout(r, 1100));
	const stale = await authorize(oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', max_age: '0', code_challenge: 'y'.repeat(43), code_challenge_method: 'S256' }));
	assert.equal(new URL(stale.headers.get('location'), env.baseUrl).pathname, '/login');
});

test('the networks allowed for a role hold for single sign-on too', async () => {
	expectStatus(await admin.put('/api/v1/security-policy', { ip_allowlist: { info_specialist: ['10.0.0.0/8'] } }), 200);
	try {
		const url = oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', state: 's6', code_challenge: 'y'.repeat(43), code_challenge_method: 'S256' });
		const res = await authorize(url);
		assert.equal(res.status, 302);
		const back = new URL(res.headers.get('location'));
		assert.equal(back.searchParams.get('error'), 'access_denied');
		assert.equal(back.searchParams.get('code'), null);
	} finally {
		expectStatus(await admin.put('/api/v1/security-policy', {}), 200);
	}
});

test('keys rotate: new tokens carry the new kid, the previous key stays published', async () => {
	const before = (await request('GET', '/oidc/jwks')).json.keys;
	expectStatus(await admin.post('/api/v1/oidc/keys/rotate'), 204);
	const after = (await request('GET', '/oidc/jwks')).json.keys;
	assert.equal(after.length, 2);
	assert.ok(after.some((k) => k.kid === before[0].kid), 'the key that signed until now is still published');
	const { location, verifier, state, nonce } = await codeFlow();
	const tokens = await oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
	const kid = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url')).kid;
	assert.equal(kid, after[0].kid);
	assert.notEqual(kid, before[0].kid);
	for (const k of after) assert.deepEqual(Object.keys(k).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
	// Token answers are never cached.
	assert.equal((await request('GET', '/oidc/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } })).headers.get('cache-control'), 'no-store');
	expectProblem(await (await loginAlice()).post('/api/v1/oidc/keys/rotate'), 403, 'forbidden');
});

test('RP-initiated logout ends the session and returns to a registered address only', async () => {
	const { location, verifier, state, nonce } = await codeFlow();
	const tokens = await oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
	const bad = new URL(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example/', state: 'z' }));
	expectProblem(await user.client.get(bad.pathname + bad.search), 400, 'bad_request', ['post_logout_redirect_uri']);
	const forged = new URL(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token.slice(0, -4) + 'AAAA', post_logout_redirect_uri: LOGGED_OUT }));
	expectProblem(await user.client.get(forged.pathname + forged.search), 400, 'bad_request', ['id_token_hint']);
	expectStatus(await user.client.get('/api/v1/auth/me'), 200);
	const url = new URL(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: LOGGED_OUT, state: 'z' }));
	const res = await user.client.get(url.pathname + url.search);
	assert.equal(res.status, 302);
	assert.equal(res.headers.get('location'), `${LOGGED_OUT}?state=z`);
	expectProblem(await user.client.get('/api/v1/auth/me'), 401, 'unauthorized');
});

test('clients are registered, listed and removed by administrators only; secrets are shown once', async () => {
	const list = await admin.getJson('/api/v1/oidc/clients');
	const mine = list.data.find((c) => c.client_id === confidential.client_id);
	assert.deepEqual(mine.redirect_uris, [CALLBACK]);
	assert.equal(mine.confidential, true);
	assert.ok(!JSON.stringify(list).includes(confidential.client_secret), 'no secret in the list');
	expectProblem(await admin.post('/api/v1/oidc/clients', { name: 'x', redirect_uris: ['javascript:alert(1)'] }), 422, 'validation_failed', [['redirect_uris[0]', 'invalid_url']]);
	expectProblem(await admin.post('/api/v1/oidc/clients', { name: 'x', redirect_uris: [] }), 422, 'validation_failed', ['redirect_uris']);
	const alice = await loginAlice();
	expectProblem(await alice.get('/api/v1/oidc/clients'), 403, 'forbidden');
	const gone = await admin.post('/api/v1/oidc/clients', { name: `临时 ${M}`, redirect_uris: [CALLBACK] });
	expectStatus(await admin.del(`/api/v1/oidc/clients/${gone.json.client_id}`), 204);
	expectProblem(await admin.del(`/api/v1/oidc/clients/${gone.json.client_id}`), 404, 'not_found');
	const trail = (await admin.getJson('/api/v1/audit?entity=oidc_clients')).data.map((a) => a.action);
	assert.ok(trail.includes('client_create') && trail.includes('client_delete'));
});
