// A person's data on request (CT-8, PIPL/GDPR): the export gathers everything about a contact,
// personal fields shown and the export audited; the erasure empties the person, deletes their
// related people and files, takes the old values out of the audit trail, and keeps the business
// facts. Only whoever may see the contact's personal data may do either.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { env, loginAdmin, marker, expectStatus, expectProblem, newUser, startServer, Client } from './lib.mjs';

const M = marker('t37');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, seller, other, clerk;

before(async () => {
	admin = await loginAdmin();
	seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'] });
	other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'] });
	clerk = await newUser(admin, { name: 'clerk', mark: M, password, roles: ['user'] });
});

async function person() {
	const c = await seller.client.create('customers', { name: `个人信息客户 ${M}` });
	const p = await seller.client.create('contacts', {
		name: `张三 ${M}`, customer_id: c.id, mobile: '13912345678', email: `zhang.${M}@example.cn`,
		birthday: '1975-05-05', home_address: '上海市徐汇区某路 1 号', personality: 'cheerful',
		position: '总经理', department: '总经办', interests: '帆船',
	});
	const spouse = await seller.client.create('contact_relations', { contact_id: p.id, relation: 'spouse', name: `李四 ${M}`, phone: '13800001111', hobbies: '高尔夫' });
	const act = await seller.client.create('activities', { subject: `拜访张总 ${M}`, kind: 'visit', occurred_at: new Date(Date.now() - 86400000).toISOString(), customer_id: c.id, contact_id: p.id });
	const file = await seller.client.req('POST', `/api/v1/contacts/${p.id}/files?name=${encodeURIComponent('名片.txt')}`, { body: Buffer.from('张三 13912345678'), headers: { 'Content-Type': 'text/plain' } });
	expectStatus(file, 201);
	return { c, p, spouse, act, file: file.json };
}

test('the export: everything about the person, personal fields shown, audited', async () => {
	const { p, spouse, act, file } = await person();
	const url = `/api/v1/contacts/${p.id}/personal-data`;
	expectStatus(await other.client.get(url), 404);
	expectStatus(await clerk.client.get(url), 403);
	const res = await seller.client.get(url);
	expectStatus(res, 200);
	assert.match(res.headers.get('content-disposition'), /^attachment; filename="contact-\d+-personal-data\.json"/);
	assert.equal(res.headers.get('cache-control'), 'no-store');
	const doc = res.json;
	assert.equal(doc.entity, 'contacts');
	assert.equal(doc.record.birthday, '1975-05-05', 'personal fields are shown');
	assert.equal(doc.record.home_address, '上海市徐汇区某路 1 号');
	assert.equal(doc.related.contact_relations[0].id, spouse.id);
	assert.equal(doc.related.contact_relations[0].phone, '13800001111');
	assert.deepEqual(doc.related.activities.map((a) => a.id), [act.id]);
	assert.deepEqual(doc.files.map((f) => f.id), [file.id]);
	const trail = await admin.audit('contacts', p.id);
	assert.ok(trail.some((a) => a.action === 'personal_export' && a.user_id === seller.id), 'the export is audited');
});

test('the erasure: the person emptied, related people and files deleted, the trail scrubbed', async () => {
	const { c, p, spouse, act, file } = await person();
	const url = `/api/v1/contacts/${p.id}/erase`;
	expectProblem(await seller.client.post(url, {}), 422, 'validation_failed', [['reason', 'required']]);
	expectProblem(await seller.client.post(url, { reason: 'x', when: 'now' }), 422, 'validation_failed', [['when', 'unknown_field']]);
	expectStatus(await clerk.client.post(url, { reason: '本人要求删除' }), 403);
	expectStatus(await other.client.post(url, { reason: '本人要求删除' }), 404);
	const res = await seller.client.post(url, { reason: '本人要求删除' });
	expectStatus(res, 200);
	const left = res.json;
	assert.equal(left.name, '（已删除）');
	for (const f of ['mobile', 'email', 'birthday', 'home_address', 'personality', 'interests']) assert.equal(left[f], null, `${f} emptied`);
	assert.equal(left.customer_id, c.id, 'the business facts stay');
	assert.equal(left.position, '总经理');
	assert.equal(left.department, '总经办');

	expectStatus(await seller.client.get(`/api/v1/contact_relations/${spouse.id}`), 404);
	assert.equal((await admin.getJson(`/api/v1/activities/${act.id}`)).contact_id, p.id, 'the visit stays, with the erased contact');
	assert.deepEqual((await seller.client.getJson(`/api/v1/contacts/${p.id}/files`)).data, []);
	expectStatus(await seller.client.get(`/api/v1/files/${file.id}`), 404);

	// No old value is left in the trail, of the person or of their spouse.
	for (const [entity, id] of [['contacts', p.id], ['contact_relations', spouse.id]]) {
		const text = JSON.stringify(await admin.audit(entity, id));
		for (const old of ['13912345678', `zhang.${M}`, '张三', '李四', '13800001111', '帆船', '高尔夫']) assert.ok(!text.includes(old), `${entity} trail still holds ${old}`);
	}
	const erase = (await admin.audit('contacts', p.id)).find((a) => a.action === 'erase');
	assert.ok(erase, 'the erasure is audited');
	assert.equal(erase.changes.reason, '本人要求删除');
	assert.equal(erase.changes.related_deleted, 1);
	assert.equal(erase.changes.files_deleted, 1);
	expectStatus(await seller.client.get(`/api/v1/contacts/${p.id}/personal-data`), 200);
});

test('the erasure on a node that keeps files in a folder: the person\'s content leaves it, content another record names stays', async () => {
	const dir = path.join(env.tmp, `erase-files-${env.db}`);
	const node = await startServer(['--file-dir', dir], `erase-files-${env.db}`);
	let stopped = false;
	try {
		const there = new Client(node.base);
		there.cookie = seller.client.cookie;
		there.csrf = seller.client.csrf;
		const c = await there.create('customers', { name: `目录客户 ${M}` });
		const p = await there.create('contacts', { name: `赵六 ${M}`, customer_id: c.id, mobile: '13912340000' });
		const q = await there.create('contacts', { name: `钱七 ${M}`, customer_id: c.id });
		const upload = async (id, name, bytes) => {
			const res = await there.req('POST', `/api/v1/contacts/${id}/files?name=${encodeURIComponent(name)}`, { body: bytes, headers: { 'Content-Type': 'text/plain' } });
			expectStatus(res, 201);
			return res.json;
		};
		const own = Buffer.from(`赵六 13912340000 ${M}`);
		const shared = Buffer.from(`名录 ${M}`);
		await upload(p.id, '名片.txt', own);
		await upload(p.id, '名录.txt', shared);
		const other = await upload(q.id, '名录.txt', shared); // the same content, another person's
		const kept = (bytes) => {
			const h = createHash('sha256').update(bytes).digest('hex');
			return path.join(dir, h.slice(0, 2), h.slice(2, 4), h);
		};
		assert.ok(fs.existsSync(kept(own)) && fs.existsSync(kept(shared)));
		expectStatus(await there.post(`/api/v1/contacts/${p.id}/erase`, { reason: '本人要求删除' }), 200);
		assert.ok(!fs.existsSync(kept(own)), 'the person\'s own content is gone from the folder');
		assert.ok(fs.existsSync(kept(shared)), 'content another record names stays');
		const res = await there.get(`/api/v1/files/${other.id}`);
		expectStatus(res, 200);
		assert.deepEqual(res.bytes, shared);
		assert.ok(!fs.readdirSync(path.dirname(kept(own))).some((f) => f.includes('.forget-')), 'nothing left aside');
		// The same content uploaded again is kept again.
		await upload(q.id, '名片副本.txt', own);
		assert.deepEqual(fs.readFileSync(kept(own)), own);
		const code = await node.stop();
		stopped = true;
		assert.equal(code.code, 0, 'the node stops cleanly');
	} finally {
		if (!stopped) await node.stop();
	}
});

test('closeness: a score from how recently and how often we met, with how it was made', async () => {
	const c = await seller.client.create('customers', { name: `紧密度客户 ${M}` });
	const p = await seller.client.create('contacts', { name: `王总 ${M}`, customer_id: c.id });
	const cold = await seller.client.getJson(`/api/v1/contacts/${p.id}/closeness`);
	assert.deepEqual([cold.score, cold.level, cold.level_label], [0, 'cold', '疏远']);
	assert.equal(cold.factors.find((f) => f.key === 'recency').value, null, 'never contacted');
	const ago = (d) => new Date(Date.now() - d * 86400000).toISOString();
	for (const [kind, days] of [['visit', 2], ['call', 40], ['meeting', 100]])
		await seller.client.create('activities', { subject: `${kind} ${M}`, kind, occurred_at: ago(days), customer_id: c.id, contact_id: p.id });
	const res = await seller.client.get(`/api/v1/contacts/${p.id}/closeness`, { headers: { 'Accept-Language': 'en' } });
	expectStatus(res, 200);
	const got = res.json;
	const by = Object.fromEntries(got.factors.map((f) => [f.key, f]));
	assert.deepEqual([by.recency.value, by.recency.points, by.recency.max], [2, 40, 40]);
	assert.deepEqual([by.frequency.value, by.frequency.points], [2, 16], 'two in 90 days');
	assert.deepEqual([by.face_to_face.value, by.face_to_face.points], [2, 10], 'the visit and the meeting');
	assert.equal(got.score, 66);
	assert.deepEqual([got.level, got.level_label], ['warm', 'Warm']);
	assert.match(by.recency.rule, /Within 7 days 40/);
	expectStatus(await other.client.get(`/api/v1/contacts/${p.id}/closeness`), 404);
});
