// Mail through the outbox to a real SMTP server on 127.0.0.1 (aiosmtpd): the settings and their
// checks, a test mail, a notification mailed in the user's language with a Chinese subject and
// name, the server down for a while (nothing lost, nothing sent twice), a refused recipient
// parked at once, a message parked after its attempts and sent again by an administrator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loginAdmin, login, marker, expectStatus, expectProblem, startSmtp, until, sleep } from './lib.mjs';

const M = marker('t23');
let admin, smtp;

/* An outbox message as administrators see it. */
const message = async (id) => admin.getJson(`/api/v1/outbox/${id}`);
const stateOf = (id, state) => until(async () => ((await message(id)).state === state ? message(id) : null), 20000, `message ${id} ${state}`);

async function testMail(to) {
	const res = await admin.post('/api/v1/settings/mail/test', { to });
	expectStatus(res, 202);
	return res.json.outbox_id;
}

before(async () => {
	admin = await loginAdmin();
	smtp = await startSmtp();
	const res = await admin.put('/api/v1/settings/mail', {
		url: `smtp://127.0.0.1:${smtp.port}`,
		tls: 'none',
		from_address: 'crm@sextant.example',
		from_name: '星盘游艇 CRM',
	});
	expectStatus(res, 200);
});

after(async () => {
	await smtp?.stop();
});

test('mail settings are checked member by member, and the password is never shown', async () => {
	const bad = await admin.put('/api/v1/settings/mail', { url: 'http://mail.example', tls: 'tls', from_address: 'not an address', colour: 'red' });
	expectProblem(bad, 422, 'validation_failed', ['url', 'tls', 'from_address', 'colour']);
	assert.equal(bad.json.errors.find((e) => e.field === 'url').code, 'invalid_smtp_url');
	assert.equal(bad.json.errors.find((e) => e.field === 'colour').code, 'unknown_field');
	const tlsMismatch = await admin.put('/api/v1/settings/mail', { url: `smtps://127.0.0.1:${smtp.port}`, tls: 'none', from_address: 'a@b.example' });
	expectProblem(tlsMismatch, 422, 'validation_failed', [['tls', 'tls_mismatch']]);
	const noFrom = await admin.put('/api/v1/settings/mail', { url: `smtp://127.0.0.1:${smtp.port}` });
	expectProblem(noFrom, 422, 'validation_failed', ['from_address']);

	// A password is kept when the form leaves it out, removed with null, never read back.
	const base = { url: `smtp://127.0.0.1:${smtp.port}`, tls: 'none', from_address: 'crm@sextant.example', from_name: '星盘游艇 CRM' };
	let res = await admin.put('/api/v1/settings/mail', { ...base, username: 'crm', password: 'pw-secret-1' });
	expectStatus(res, 200);
	assert.equal(res.json.password_set, true);
	assert.ok(!JSON.stringify(res.json).includes('pw-secret-1'));
	res = await admin.put('/api/v1/settings/mail', { ...base, username: 'crm' });
	assert.equal(res.json.password_set, true);
	const shown = await admin.getJson('/api/v1/settings/mail');
	assert.equal(shown.password_set, true);
	assert.equal(shown.password, undefined);
	res = await admin.put('/api/v1/settings/mail', { ...base, password: null });
	assert.equal(res.json.password_set, false);
	expectStatus(await admin.put('/api/v1/settings/mail', base), 200);

	// Only administrators.
	const alice = await login('alice', process.env.SEXTANT_TEST_ALICE_PASSWORD);
	expectStatus(await alice.get('/api/v1/settings/mail'), 403);
	expectStatus(await alice.get('/api/v1/outbox'), 403);
	expectStatus(await admin.get('/api/v1/settings/fax'), 404);
});

test('a test mail reaches the server once, with a stable Message-ID and a Chinese sender name', async () => {
	const to = `ops-${M}@example.com`;
	const id = await testMail(to);
	const sent = await stateOf(id, 'sent');
	assert.equal(sent.attempts, 1);
	assert.equal(sent.attempts_log.length, 1);
	assert.equal(sent.attempts_log[0].result, 'sent');
	const got = smtp.messages().filter((m) => m.envelope_to.includes(to));
	assert.equal(got.length, 1);
	assert.match(got[0].message_id, new RegExp(`<outbox-${id}\\.\\d+@127\\.0\\.0\\.1>`));
	assert.equal(got[0].from, '星盘游艇 CRM <crm@sextant.example>');
	assert.match(got[0].subject, /Sextant/);
	assert.deepEqual(got[0].defects, []);

	// Bad bodies name the member.
	expectProblem(await admin.post('/api/v1/settings/mail/test', { to: 'nobody' }), 422, 'validation_failed', ['to']);
	expectProblem(await admin.post('/api/v1/settings/mail/test', {}), 422, 'validation_failed', ['to']);
});

test('a notification is mailed in the user\'s language, with its Chinese subject decoded intact', async () => {
	const alice = await login('alice', process.env.SEXTANT_TEST_ALICE_PASSWORD);
	const email = `alice-${M}@example.com`;
	expectStatus(await alice.patch('/api/v1/auth/me', { email, display_name: '艾丽斯', locale: 'zh-CN' }), 200);
	const prefs = await alice.put('/api/v1/notifications/preferences', { data: [{ event: 'reminder', in_app: true, mail: true, sms: false }] });
	expectStatus(prefs, 200);
	const note = `回访海韵游艇俱乐部的王总，确认试航日期 ${M}`;
	const res = await alice.post('/api/v1/reminders', { note, remind_at: new Date(Date.now() - 1000).toISOString() });
	expectStatus(res, 201);
	const mail = await until(() => smtp.messages().find((m) => m.envelope_to.includes(email)), 20000, 'the reminder mail');
	assert.equal(mail.subject, `提醒：${note}`);
	assert.equal(mail.to, `艾丽斯 <${email}>`);
	assert.match(mail.text, /艾丽斯，您好/);
	assert.ok(mail.text.includes(note));
	// In-app too, once.
	const inbox = await alice.getJson('/api/v1/notifications?unread=true');
	assert.equal(inbox.data.filter((n) => n.title === `提醒：${note}`).length, 1);

	// In English for a user who chose English.
	expectStatus(await alice.patch('/api/v1/auth/me', { locale: 'en' }), 200);
	const note2 = `Call back ${M}`;
	expectStatus(await alice.post('/api/v1/reminders', { note: note2, remind_at: new Date().toISOString() }), 201);
	const mail2 = await until(() => smtp.messages().find((m) => m.subject === `Reminder: ${note2}`), 20000, 'the English mail');
	assert.match(mail2.text, /^Hello 艾丽斯,/);
	expectStatus(await alice.patch('/api/v1/auth/me', { locale: 'zh-CN' }), 200);
});

test('the mail server down for a while: the message waits, then goes once', async () => {
	const port = smtp.port;
	await smtp.stop();
	const to = `down-${M}@example.com`;
	const id = await testMail(to);
	// At least one attempt fails while it is down, and the message stays pending.
	const failed = await until(async () => {
		const m = await message(id);
		return m.attempts >= 1 && m.state === 'pending' && m.last_error ? m : null;
	}, 15000, 'a failed attempt');
	assert.match(failed.last_error, /curl|connect/i);
	smtp = await startSmtp({ port, dir: smtp.dir });
	const sent = await stateOf(id, 'sent');
	assert.ok(sent.attempts >= 2, `sent after ${sent.attempts} attempts`);
	assert.ok(sent.attempts_log.some((a) => a.result === 'retry'));
	await sleep(1500); // a duplicate would come now
	assert.equal(smtp.messages().filter((m) => m.envelope_to.includes(to)).length, 1);
});

test('a refused recipient is parked at once; a parked message can be sent again', async () => {
	const port = smtp.port;
	await smtp.stop();
	const bad = `refused-${M}@example.com`;
	smtp = await startSmtp({ port, dir: smtp.dir, rejectRcpt: bad });
	const id = await testMail(bad);
	const parked = await stateOf(id, 'parked');
	assert.equal(parked.attempts, 1, 'a 5xx answer is not retried');
	assert.match(parked.last_error, /550/);
	assert.equal(parked.attempts_log[0].result, 'refused');
	const list = await admin.getJson('/api/v1/outbox?state=parked&channel=mail');
	assert.ok(list.data.some((m) => m.id === id));

	// Parked after every attempt failed (the server gone), then re-sent by an administrator.
	await smtp.stop();
	const to = `parked-${M}@example.com`;
	const id2 = await testMail(to);
	const gaveUp = await stateOf(id2, 'parked');
	assert.equal(gaveUp.attempts, 3, 'the server allows three attempts (--outbox-attempts 3)');
	// The refused one is given up by an administrator.
	expectStatus(await admin.post(`/api/v1/outbox/${id}/cancel`), 204);
	assert.equal((await message(id)).state, 'cancelled');
	smtp = await startSmtp({ port, dir: smtp.dir });
	const res = await admin.post(`/api/v1/outbox/${id2}/resend`);
	expectStatus(res, 204);
	const sent = await stateOf(id2, 'sent');
	assert.equal(sent.attempts, 1, 'attempts count again from the re-send');
	assert.ok(sent.attempts_log.length >= 4, 'the earlier attempts stay in the log');
	assert.equal(smtp.messages().filter((m) => m.envelope_to.includes(to)).length, 1);

	// A sent message is not re-sent; an unknown one is 404; a cancelled one can be.
	const again = await admin.post(`/api/v1/outbox/${id2}/resend`);
	expectProblem(again, 409, 'conflict', ['state']);
	assert.equal(again.json.errors[0].code, 'invalid_state');
	expectStatus(await admin.post('/api/v1/outbox/999999999/resend'), 404);
	const audit = await admin.getJson(`/api/v1/audit?entity=outbox&record_id=${id2}`);
	assert.ok(audit.data.some((a) => a.action === 'resend'));
});

test('the outbox list filters by state and channel and pages by cursor', async () => {
	const page = await admin.getJson('/api/v1/outbox?channel=mail&limit=2');
	assert.equal(page.data.length, 2);
	assert.ok(page.next_cursor);
	const next = await admin.getJson(`/api/v1/outbox?channel=mail&limit=2&cursor=${page.next_cursor}`);
	assert.ok(next.data.every((m) => m.id < page.data[1].id));
	expectProblem(await admin.get('/api/v1/outbox?state=lost'), 400, 'bad_request', ['state']);
	expectProblem(await admin.get('/api/v1/outbox?colour=red'), 400, 'bad_request', ['colour']);
	expectProblem(await admin.get('/api/v1/outbox?limit=0'), 400, 'bad_request', ['limit']);
});

test('a user mails a record\'s files to a customer: attachments with Chinese names arrive intact', async () => {
	const { createHash } = await import('node:crypto');
	const sha256 = (b) => createHash('sha256').update(b).digest('hex');
	const task = await admin.create('tasks', { subject: `寄送资料 ${M}`, status: 'open' });
	const pdf = Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% ${M}\ntrailer<</Root 1 0 R>>\n%%EOF\n`);
	const name = `星盘 48 英尺游艇 产品手册 ${M}.pdf`;
	const up = await admin.req('POST', `/api/v1/tasks/${task.id}/files?name=${encodeURIComponent(name)}`, { body: pdf, headers: { 'Content-Type': 'application/pdf' } });
	expectStatus(up, 201);
	const to = `buyer-${M}@example.com`;
	const res = await admin.post(`/api/v1/tasks/${task.id}/mail`, { to, to_name: '王先生', subject: `产品手册 ${M}`, text: '王先生您好，附件是产品手册。', file_ids: [up.json.id] });
	expectStatus(res, 202);
	const sent = await stateOf(res.json.outbox_id, 'sent');
	assert.equal(sent.event, 'record.mail');
	const mail = smtp.messages().find((m) => m.envelope_to.includes(to));
	assert.equal(mail.subject, `产品手册 ${M}`);
	assert.equal(mail.to, `王先生 <${to}>`);
	assert.equal(mail.attachments.length, 1);
	assert.equal(mail.attachments[0].name, name);
	assert.equal(mail.attachments[0].type, 'application/pdf');
	assert.equal(mail.attachments[0].sha256, sha256(pdf));
	assert.deepEqual(mail.defects, []);
	// The record's history says who mailed what to whom.
	const hist = (await admin.getJson(`/api/v1/tasks/${task.id}/history`)).data;
	const entry = hist.find((h) => h.action === 'mail');
	assert.ok(entry, JSON.stringify(hist));

	// Another record's file, a bad address, a line break in the subject: named; no access: 404.
	const other = await admin.create('tasks', { subject: `other ${M}`, status: 'open' });
	const bad = await admin.post(`/api/v1/tasks/${other.id}/mail`, { to: 'nobody', subject: 'a\nb', text: 'x', file_ids: [up.json.id, 'x'] });
	expectProblem(bad, 422, 'validation_failed', [['to', 'invalid_email'], ['subject', 'invalid_text'], ['file_ids[0]', 'id_not_found'], ['file_ids[1]', 'id_not_found']]);
	const seller = await admin.post('/api/v1/users', { must_change_password: false, username: `seller_${M}`, password: `Aa1-${M}-pw-Long`, roles: ['salesperson'] });
	expectStatus(seller, 201);
	const s = await login(`seller_${M}`, `Aa1-${M}-pw-Long`);
	expectStatus(await s.post(`/api/v1/tasks/${task.id}/mail`, { to, subject: 'x', text: 'y' }), 404);
});
