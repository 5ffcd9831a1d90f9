// Mail over TLS with authentication, on a node of its own that trusts a company CA
// (--tls-ca-file): STARTTLS required by the server and by us, TLS from the first byte (smtps),
// a refused password parked, and a server that offers no STARTTLS never given the message in
// plain text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, env, marker, expectStatus, startSmtp, startCluster, until } from './lib.mjs';

const M = marker('t29');
let cluster, admin;
const servers = [];
const pki = {};

function openssl(args) {
	const r = spawnSync('openssl', args, { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
	// A CA of our own and a certificate for 127.0.0.1 signed by it.
	const dir = fs.mkdtempSync(path.join(env.tmp, 'pki-'));
	Object.assign(pki, { ca: path.join(dir, 'ca.pem'), caKey: path.join(dir, 'ca.key'), cert: path.join(dir, 'smtp.pem'), key: path.join(dir, 'smtp.key'), csr: path.join(dir, 'smtp.csr') });
	openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Sextant Test CA', '-keyout', pki.caKey, '-out', pki.ca]);
	openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', pki.key, '-out', pki.csr]);
	const ext = path.join(dir, 'ext.cnf');
	fs.writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
	openssl(['x509', '-req', '-in', pki.csr, '-CA', pki.ca, '-CAkey', pki.caKey, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', pki.cert]);
	cluster = await startCluster(1, ['--worker-poll', '100', '--outbox-backoff', '1', '--outbox-attempts', '2', '--outbox-timeout', '5', '--tls-ca-file', pki.ca], 't29-tls');
	admin = new Client(cluster.nodes[0].base);
	await admin.login('admin', cluster.adminPassword);
});

after(async () => {
	for (const s of servers) await s.stop();
	await cluster?.stopAll();
});

async function send(settings, to) {
	expectStatus(await admin.put('/api/v1/settings/mail', { from_address: 'crm@sextant.example', ...settings }), 200);
	const res = await admin.post('/api/v1/settings/mail/test', { to });
	expectStatus(res, 202);
	return until(async () => {
		const m = await admin.getJson(`/api/v1/outbox/${res.json.outbox_id}`);
		return m.state === 'sent' || m.state === 'parked' ? m : null;
	}, 20000, 'the message settled');
}

test('STARTTLS required, with a password: sent, and only over TLS', async () => {
	const smtp = await startSmtp({ tls: 'starttls', cert: pki.cert, key: pki.key, auth: 'crm:s3cret-pw' });
	servers.push(smtp);
	const to = `tls-${M}@example.com`;
	const m = await send({ url: `smtp://127.0.0.1:${smtp.port}`, tls: 'starttls', username: 'crm', password: 's3cret-pw' }, to);
	assert.equal(m.state, 'sent', m.last_error);
	assert.equal(smtp.messages().filter((x) => x.envelope_to.includes(to)).length, 1);

	const wrong = await send({ url: `smtp://127.0.0.1:${smtp.port}`, tls: 'starttls', username: 'crm', password: 'wrong' }, `wrong-${M}@example.com`);
	assert.equal(wrong.state, 'parked');
	assert.equal(wrong.attempts, 1, 'a refused login is not retried');
	assert.match(wrong.last_error, /535|[Ll]ogin/);
});

test('TLS from the first byte (smtps)', async () => {
	const smtp = await startSmtp({ tls: 'implicit', cert: pki.cert, key: pki.key });
	servers.push(smtp);
	const to = `smtps-${M}@example.com`;
	const m = await send({ url: `smtps://127.0.0.1:${smtp.port}`, tls: 'tls' }, to);
	assert.equal(m.state, 'sent', m.last_error);
	assert.equal(smtp.messages().filter((x) => x.envelope_to.includes(to)).length, 1);
});

test('a server without STARTTLS never gets the message in plain text', async () => {
	const smtp = await startSmtp({});
	servers.push(smtp);
	const to = `plain-${M}@example.com`;
	const m = await send({ url: `smtp://127.0.0.1:${smtp.port}`, tls: 'starttls' }, to);
	assert.equal(m.state, 'parked');
	assert.ok(m.attempts_log.every((a) => a.result !== 'sent'));
	assert.equal(smtp.messages().length, 0);
});
