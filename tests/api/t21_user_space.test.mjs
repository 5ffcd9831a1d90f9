// The user's own space: a record's history for those who may read it, saved list views (own and
// shared), the self-service profile (language, name, contact details) and recently viewed records.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, loginAlice, login, marker, request, expectStatus, expectProblem } from './lib.mjs';

const M = marker('t21');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, alice;
const u = {}; // name → {id, client}

async function user(name, roles, extra = {}) {
	const res = await admin.post('/api/v1/users', { must_change_password: false, username: `${name}_${M}`, password, roles, display_name: `${name} ${M}`, ...extra });
	expectStatus(res, 201);
	u[name] = { id: res.json.id, client: extra.must_change_password ? null : await login(`${name}_${M}`, password) };
}

before(async () => {
	admin = await loginAdmin();
	alice = await loginAlice();
	// A role that reads nothing: no line in its matrix.
	expectStatus(await admin.post('/api/v1/roles', { key: `blind_${M.replace('-', '_')}`, name: { 'zh-CN': '无权限', en: 'Blind' } }), 201);
	await user('seller', ['salesperson']);
	await user('peer', ['salesperson']);
	await user('blind', [`blind_${M.replace('-', '_')}`]);
	await user('self', ['user']);
});

/* ---- history ---- */

test('a record history: the audit entries of the record, newest first, for whoever may read it', async () => {
	const seller = u.seller.client;
	const rec = await seller.create('customers', { name: `历史 ${M}`, superior_authority: M, legal_rep_phone: '13812345678' });
	const upd = await seller.patch(`/api/v1/customers/${rec.id}`, { name: `历史改名 ${M}`, legal_rep_phone: '13987654321' });
	expectStatus(upd, 200);

	const h = await seller.getJson(`/api/v1/customers/${rec.id}/history`);
	assert.deepEqual(h.data.map((e) => e.action), ['update', 'create']);
	assert.equal(h.next_cursor, null);
	const [update, create] = h.data;
	assert.deepEqual(update.changes.name, { old: `历史 ${M}`, new: `历史改名 ${M}` });
	assert.deepEqual(update.changes.legal_rep_phone, { old: '138****5678', new: '139****4321' }, 'sensitive values masked as in the trail');
	assert.deepEqual(create.changes.name, { old: null, new: `历史 ${M}` });
	assert.equal(update.user_id, u.seller.id);
	assert.equal(update.username, `seller_${M}`);
	assert.equal(update.display_name, `seller ${M}`);
	assert.equal(update.entity, 'customers');
	assert.equal(update.record_id, rec.id);
	assert.ok(!('ip' in update) && !('user_agent' in update), 'addresses and browsers are for administrators');
	assert.ok(!Number.isNaN(Date.parse(update.at)));

	// The same entries as the administrators' trail, which shows where from as well.
	const trail = await admin.audit('customers', rec.id);
	assert.deepEqual(h.data.map((e) => e.id), trail.map((e) => e.id));
	assert.deepEqual(trail[0].changes.name, [`历史 ${M}`, `历史改名 ${M}`], 'the trail keeps its own form');
	assert.equal(trail[0].username, `seller_${M}`, 'the trail names the user too');
	const byAdmin = await admin.getJson(`/api/v1/customers/${rec.id}/history`);
	assert.ok('ip' in byAdmin.data[0] && 'user_agent' in byAdmin.data[0]);

	// Paging by cursor.
	const p1 = await seller.getJson(`/api/v1/customers/${rec.id}/history?limit=1`);
	assert.deepEqual(p1.data.map((e) => e.action), ['update']);
	assert.ok(p1.next_cursor);
	const p2 = await seller.getJson(`/api/v1/customers/${rec.id}/history?limit=1&cursor=${p1.next_cursor}`);
	assert.deepEqual(p2.data.map((e) => e.action), ['create']);
	assert.equal(p2.next_cursor, null);

	// Who may not read the record gets what GET gives them: 404.
	expectProblem(await u.peer.client.get(`/api/v1/customers/${rec.id}`), 404, 'not_found');
	expectProblem(await u.peer.client.get(`/api/v1/customers/${rec.id}/history`), 404, 'not_found');
	expectProblem(await u.blind.client.get(`/api/v1/customers/${rec.id}/history`), 404, 'not_found');
	// Shared with them, they may; the share is in the history.
	expectStatus(await seller.post(`/api/v1/customers/${rec.id}/shares`, { user_id: u.peer.id, access: 'read' }), 201);
	const shared = await u.peer.client.getJson(`/api/v1/customers/${rec.id}/history`);
	assert.deepEqual(shared.data.map((e) => e.action), ['share', 'update', 'create']);
	assert.equal(shared.data[0].changes.access, 'read', 'other entries keep their details as stored');

	// Parameters of the administrators' search are not taken here; bad ones are named.
	expectProblem(await seller.get(`/api/v1/customers/${rec.id}/history?user_id=1`), 400, 'bad_request', [['user_id', 'unknown_parameter']]);
	expectProblem(await seller.get(`/api/v1/customers/${rec.id}/history?limit=0`), 400, 'bad_request', [['limit', 'out_of_range']]);
	expectProblem(await seller.get(`/api/v1/customers/${rec.id}/history?cursor=x`), 400, 'bad_request', [['cursor', 'invalid_cursor']]);
	expectProblem(await seller.get(`/api/v1/customers/abc/history`), 404, 'not_found');
	expectProblem(await seller.get(`/api/v1/nothing_${M.replace('-', '_')}/1/history`), 404, 'not_found');
	// A deleted record has no history here (administrators have the trail).
	expectStatus(await seller.del(`/api/v1/customers/${rec.id}`), 204);
	expectProblem(await seller.get(`/api/v1/customers/${rec.id}/history`), 404, 'not_found');
	// Without a session: 401.
	expectProblem(await request('GET', `/api/v1/customers/${rec.id}/history`), 401, 'unauthorized');
});

/* ---- saved views ---- */

const view = (c, body) => c.post('/api/v1/views', body);
const views = async (c, entity = 'customers') => (await c.getJson(`/api/v1/views?entity=${entity}`)).data.filter((v) => v.name.endsWith(M));

test('saved views: created, listed (own, then those shared by others), changed and removed by their owner', async () => {
	const aliceName = (await admin.getJson(`/api/v1/users/${alice.user.id}`)).display_name;
	const query = { q: '海韵', level: 'a', created_at__gte: '2026-01-01', name__like: '游艇*', sort: '-updated_at' };
	const res = await view(alice, { entity: 'customers', name: `A 级 ${M}`, query, columns: ['name', 'level', 'phone'], shared: false });
	expectStatus(res, 201);
	const a = res.json;
	assert.equal(res.headers.get('location'), `/api/v1/views/${a.id}`);
	assert.deepEqual(a.query, query);
	assert.deepEqual(a.columns, ['name', 'level', 'phone']);
	assert.equal(a.entity, 'customers');
	assert.equal(a.shared, false);
	assert.equal(a.own, true);
	assert.equal(a.user_id, alice.user.id);
	assert.equal(a.owner_name, aliceName);
	assert.ok(a.created_at && a.updated_at);
	// Defaults: no query, no columns, not shared.
	const b = (await view(alice, { entity: 'customers', name: `B 全部 ${M}` })).json;
	assert.deepEqual([b.query, b.columns, b.shared], [{}, [], false]);
	const mine = (await view(u.seller.client, { entity: 'customers', name: `C 我的 ${M}`, shared: true })).json;

	// A private view is its owner's alone; a shared one is everyone's to use.
	assert.deepEqual((await views(alice)).map((v) => v.name), [`A 级 ${M}`, `B 全部 ${M}`, `C 我的 ${M}`], 'own first, then shared ones by name');
	assert.deepEqual((await views(u.seller.client)).map((v) => [v.name, v.own]), [[`C 我的 ${M}`, true]]);
	const patched = await alice.patch(`/api/v1/views/${a.id}`, { shared: true, columns: ['name'] });
	expectStatus(patched, 200);
	assert.deepEqual([patched.json.shared, patched.json.columns, patched.json.name, patched.json.query], [true, ['name'], a.name, query], 'what is not sent stays');
	const seen = (await views(u.seller.client)).find((v) => v.id === a.id);
	assert.deepEqual([seen.own, seen.owner_name, seen.user_id], [false, aliceName, alice.user.id]);
	assert.ok(!(await views(u.seller.client, 'contacts')).length, 'views are per entity');

	// Only the owner (or an administrator) changes or removes one: 403 if seen, 404 if not.
	expectProblem(await u.seller.client.patch(`/api/v1/views/${a.id}`, { name: `偷改 ${M}` }), 403, 'forbidden');
	expectProblem(await u.seller.client.del(`/api/v1/views/${a.id}`), 403, 'forbidden');
	expectProblem(await u.seller.client.patch(`/api/v1/views/${b.id}`, { name: `偷改 ${M}` }), 404, 'not_found');
	expectProblem(await u.seller.client.del(`/api/v1/views/${b.id}`), 404, 'not_found');
	assert.equal((await views(alice)).find((v) => v.id === a.id).name, a.name, 'unchanged');
	const renamed = await admin.patch(`/api/v1/views/${b.id}`, { name: `B 改名 ${M}` });
	expectStatus(renamed, 200);
	assert.equal(renamed.json.own, false);
	assert.equal(renamed.json.user_id, alice.user.id, 'the owner stays');

	// Names are unique per user and entity: 409; another user or entity may use the same.
	expectProblem(await view(alice, { entity: 'customers', name: a.name }), 409, 'duplicate', [['name', 'duplicate']]);
	expectProblem(await alice.patch(`/api/v1/views/${b.id}`, { name: a.name }), 409, 'duplicate', [['name', 'duplicate']]);
	expectStatus(await view(u.seller.client, { entity: 'customers', name: a.name }), 201);
	expectStatus(await view(alice, { entity: 'contacts', name: a.name }), 201);

	expectStatus(await alice.del(`/api/v1/views/${a.id}`), 204);
	expectProblem(await alice.del(`/api/v1/views/${a.id}`), 404, 'not_found');
	expectStatus(await admin.del(`/api/v1/views/${mine.id}`), 204);
	assert.deepEqual((await views(alice)).map((v) => v.name), [`B 改名 ${M}`], 'gone for everyone');
});

test('saved views: every member checked, problems named', async () => {
	const bad = async (body, fields, status = 422, code = 'validation_failed') => expectProblem(await view(alice, { entity: 'customers', name: `坏 ${M}`, ...body }), status, code, fields);
	await bad({ columns: ['name', 'nonsense'] }, [['columns', 'unknown_field']]);
	await bad({ columns: ['name', 'name'] }, [['columns', 'duplicate']]);
	await bad({ columns: ['search_tokens'] }, [['columns', 'unknown_field']]);
	await bad({ columns: 'name' }, [['columns', 'invalid_type']]);
	await bad({ columns: [1] }, [['columns', 'invalid_type']]);
	await bad({ query: [] }, [['query', 'invalid_type']]);
	await bad({ query: { nonsense: 'x' } }, [['query.nonsense', 'unknown_parameter']]);
	await bad({ query: { name__zz: 'x' } }, [['query.name__zz', 'unknown_operator']]);
	await bad({ query: { level: 1 } }, [['query.level', 'invalid_type']]);
	await bad({ query: { created_at__gte: 'yesterday' } }, [['query.created_at__gte']]);
	await bad({ query: { sort: 'nonsense' } }, [['query.sort', 'unknown_field']]);
	await bad({ query: { limit: '10' } }, [['query.limit', 'unknown_parameter']]);
	await bad({ query: { reveal: 'true' } }, [['query.reveal', 'unknown_parameter']]);
	await bad({ query: { legal_rep_phone: '138' } }, [['query.legal_rep_phone', 'forbidden_field']]);
	await bad({ name: 'x'.repeat(101) }, [['name', 'too_long']]);
	await bad({ name: null }, [['name', 'required']]);
	await bad({ name: '   ' }, [['name', 'required']]);
	await bad({ shared: 'yes' }, [['shared', 'invalid_bool']]);
	await bad({ owner: 1 }, [['owner', 'unknown_field']]);
	// Several at once, in one answer.
	await bad({ name: null, columns: ['nonsense'], query: { nonsense: 'x' } }, [['name', 'required'], ['columns', 'unknown_field'], ['query.nonsense', 'unknown_parameter']]);
	expectProblem(await view(alice, { name: `坏 ${M}` }), 422, 'validation_failed', [['entity', 'required']]);
	expectProblem(await view(alice, { entity: 'nothing', name: `坏 ${M}` }), 422, 'validation_failed', [['entity', 'unknown_entity']]);
	// 100 characters are fine, Chinese ones counted as characters.
	const long = await view(alice, { entity: 'customers', name: '名'.repeat(100 - M.length - 1) + ' ' + M, shared: true });
	expectStatus(long, 201);
	// Changes are checked the same way; the entity is not one of them.
	const v = (await view(alice, { entity: 'contacts', name: `改 ${M}` })).json;
	expectProblem(await alice.patch(`/api/v1/views/${v.id}`, { columns: ['nonsense'], entity: 'customers' }), 422, 'validation_failed', [['columns', 'unknown_field'], ['entity', 'unknown_field']]);
	expectProblem(await alice.patch(`/api/v1/views/${v.id}`, { name: '' }), 422, 'validation_failed', [['name', 'required']]);
	expectProblem(await alice.patch(`/api/v1/views/x`, { name: 'x' }), 404, 'not_found');
	assert.equal((await views(alice, 'contacts')).find((x) => x.id === v.id).name, `改 ${M}`, 'nothing written');
	// An entity the caller cannot read: 403, for lists of views and new ones alike.
	expectProblem(await u.blind.client.get('/api/v1/views?entity=customers'), 403, 'forbidden');
	expectProblem(await view(u.blind.client, { entity: 'customers', name: `盲 ${M}` }), 403, 'forbidden');
	// Without an entity: the views of every entity the caller may list.
	const every = (await alice.getJson('/api/v1/views')).data.filter((x) => x.name.endsWith(M));
	assert.deepEqual([...new Set(every.map((x) => x.entity))], ['contacts', 'customers'], 'own first, by entity');
	assert.ok((await u.seller.client.getJson('/api/v1/views')).data.some((x) => x.id === long.json.id));
	assert.ok(!(await u.blind.client.getJson('/api/v1/views')).data.some((x) => x.id === long.json.id), 'not the shared views of what one cannot read');
	expectProblem(await alice.get('/api/v1/views?entity=customers&entity=contacts'), 400, 'bad_request', [['entity', 'unknown_parameter']]);
	expectProblem(await alice.get('/api/v1/views?entity=nothing'), 400, 'bad_request', [['entity', 'unknown_entity']]);
	expectProblem(await alice.get('/api/v1/views?entity=customers&x=1'), 400, 'bad_request', [['x', 'unknown_parameter']]);
	expectProblem(await request('GET', '/api/v1/views?entity=customers'), 401, 'unauthorized');
	expectProblem(await alice.post('/api/v1/views', { entity: 'customers', name: `无令牌 ${M}` }, { csrf: false }), 403, 'csrf_failed');
});

test('saved views: at most 50 per user and entity', async () => {
	const c = u.peer.client;
	for (let i = 0; i < 50; i++) expectStatus(await view(c, { entity: 'contacts', name: `视图 ${String(i).padStart(2, '0')} ${M}` }), 201);
	expectProblem(await view(c, { entity: 'contacts', name: `多一个 ${M}` }), 422, 'validation_failed', [['name', 'too_many']]);
	expectStatus(await view(c, { entity: 'customers', name: `另一实体 ${M}` }), 201);
	const list = await views(c, 'contacts');
	assert.equal(list.length, 50);
	expectStatus(await c.del(`/api/v1/views/${list[0].id}`), 204);
	expectStatus(await view(c, { entity: 'contacts', name: `多一个 ${M}` }), 201);
});

/* ---- self-service profile ---- */

test('the signed-in user changes their own language, name and contact details; audited', async () => {
	const c = u.self.client;
	const res = await c.patch('/api/v1/auth/me', { locale: 'en', display_name: `新名字 ${M}`, email: 'Me@Example.CN', mobile: '+86 138 0000 1111' });
	expectStatus(res, 200);
	assert.equal(res.json.user.locale, 'en');
	assert.equal(res.json.user.display_name, `新名字 ${M}`);
	assert.equal(res.json.user.id, u.self.id);
	assert.equal(res.json.csrf_token, c.csrf);
	const me = await c.getJson('/api/v1/auth/me');
	assert.equal(me.user.locale, 'en');
	assert.equal(me.user.display_name, `新名字 ${M}`);
	const dir = await c.getJson(`/api/v1/users/${u.self.id}`);
	assert.deepEqual([dir.email, dir.mobile, dir.locale], ['Me@example.cn', '13800001111', 'en'], 'normalised as record fields are');
	// A new login sees it too; one spelling of each language is kept.
	expectStatus(await c.patch('/api/v1/auth/me', { locale: 'zh-cn' }), 200);
	assert.equal((await login(`self_${M}`, password)).user.locale, 'zh-CN');
	// Any subset; null clears what may be empty.
	const cleared = await c.patch('/api/v1/auth/me', { email: null });
	expectStatus(cleared, 200);
	assert.equal((await c.getJson(`/api/v1/users/${u.self.id}`)).email, null);

	// Checked as the administrators' user change is; nothing written on a refusal.
	expectProblem(await c.patch('/api/v1/auth/me', { locale: 'fr', email: 'nope', mobile: '12', display_name: null }), 422, 'validation_failed', [
		['locale', 'invalid_option'], ['email', 'invalid_email'], ['mobile', 'invalid_phone'], ['display_name', 'required'],
	]);
	// What only administrators set is not for oneself.
	expectProblem(await c.patch('/api/v1/auth/me', { roles: ['admin'], org_unit_id: 1, position: '总经理', display_name: `偷改 ${M}` }), 422, 'validation_failed', [
		['roles', 'unknown_field'], ['org_unit_id', 'unknown_field'], ['position', 'unknown_field'],
	]);
	const now = await c.getJson(`/api/v1/users/${u.self.id}`);
	assert.deepEqual([now.display_name, now.mobile, now.locale], [`新名字 ${M}`, '13800001111', 'zh-CN']);
	assert.equal((await c.getJson('/api/v1/auth/me')).user.admin, false);

	// In the trail as a profile change, by the user themselves.
	const trail = (await admin.getJson(`/api/v1/audit?entity=users&record_id=${u.self.id}&action=profile`)).data.filter((e) => e.user_id === u.self.id);
	const first = trail[trail.length - 1];
	assert.deepEqual(first.changes.after, { display_name: `新名字 ${M}`, email: 'Me@example.cn', mobile: '13800001111', locale: 'en' });
	assert.equal(first.changes.before.locale, null);
	assert.equal(trail.length, 3, 'refused changes are not audited');

	// By API token too; CSRF for sessions; not for a session that must change its password.
	const token = await c.post('/api/v1/auth/tokens', { name: `t21 ${M}` });
	expectStatus(token, 201);
	const byToken = await request('PATCH', '/api/v1/auth/me', { json: { locale: 'en' }, headers: { Authorization: `Bearer ${token.json.token}` } });
	expectStatus(byToken, 200);
	assert.equal(byToken.json.user.locale, 'en');
	assert.equal((await c.getJson('/api/v1/auth/me')).user.locale, 'en');
	expectProblem(await c.patch('/api/v1/auth/me', { locale: 'zh-CN' }, { csrf: false }), 403, 'csrf_failed');
	expectProblem(await request('PATCH', '/api/v1/auth/me', { json: { locale: 'en' } }), 401, 'unauthorized');
	await user('fresh', ['user'], { must_change_password: true });
	const fresh = await login(`fresh_${M}`, password);
	expectProblem(await fresh.patch('/api/v1/auth/me', { locale: 'en' }), 403, 'password_change_required');
});

/* ---- recently viewed ---- */

const recent = async (c, limit = 30) => (await c.getJson(`/api/v1/recent?limit=${limit}`)).data;
const open = (c, entity, id) => c.post('/api/v1/recent', { entity, id });

test('recently viewed records: newest first, one row a record, titles as they are now', async () => {
	const c = u.seller.client;
	const recs = [];
	for (const n of ['甲', '乙', '丙']) recs.push(await c.create('customers', { name: `最近${n} ${M}`, superior_authority: M }));
	const contact = await c.create('contacts', { name: `联系人 ${M}`, customer_id: recs[0].id });
	for (const r of [...recs, recs[0]]) expectStatus(await open(c, 'customers', r.id), 204);
	expectStatus(await open(c, 'contacts', contact.id), 204);
	let list = await recent(c);
	assert.deepEqual(list.map((x) => [x.entity, x.id, x.title]), [
		['contacts', contact.id, `联系人 ${M}`],
		['customers', recs[0].id, `最近甲 ${M}`],
		['customers', recs[2].id, `最近丙 ${M}`],
		['customers', recs[1].id, `最近乙 ${M}`],
	]);
	assert.ok(list.every((x) => !Number.isNaN(Date.parse(x.viewed_at))));
	assert.deepEqual((await c.getJson('/api/v1/recent')).data.length, 4, 'ten by default');
	assert.deepEqual((await recent(c, 2)).map((x) => x.id), [contact.id, recs[0].id]);
	assert.ok(!(await recent(alice)).some((x) => x.id === contact.id && x.entity === 'contacts'), 'each user has their own');

	// Titles as they are now; deleted records and those no longer readable are left out.
	expectStatus(await c.patch(`/api/v1/customers/${recs[2].id}`, { name: `最近丙改 ${M}` }), 200);
	expectStatus(await c.del(`/api/v1/customers/${recs[1].id}`), 204);
	list = await recent(c);
	assert.deepEqual(list.map((x) => x.title), [`联系人 ${M}`, `最近甲 ${M}`, `最近丙改 ${M}`]);
	const other = await u.peer.client.create('customers', { name: `别人的 ${M}`, superior_authority: M });
	expectProblem(await open(c, 'customers', other.id), 404, 'not_found');
	const share = await u.peer.client.post(`/api/v1/customers/${other.id}/shares`, { user_id: u.seller.id, access: 'read' });
	expectStatus(share, 201);
	expectStatus(await open(c, 'customers', other.id), 204);
	assert.equal((await recent(c))[0].title, `别人的 ${M}`);
	expectStatus(await u.peer.client.del(`/api/v1/customers/${other.id}/shares/${share.json.id}`), 204);
	assert.ok(!(await recent(c)).some((x) => x.id === other.id), 'no longer readable');

	// Bad input.
	expectProblem(await open(c, 'customers', 987654321), 404, 'not_found');
	expectProblem(await open(c, 'customers', recs[1].id), 404, 'not_found', []);
	expectProblem(await c.post('/api/v1/recent', { entity: 'nothing', id: 'x', extra: 1 }), 422, 'validation_failed', [['entity', 'unknown_entity'], ['id', 'invalid_id'], ['extra', 'unknown_field']]);
	expectProblem(await c.post('/api/v1/recent', {}), 422, 'validation_failed', [['entity', 'required'], ['id', 'required']]);
	expectProblem(await c.get('/api/v1/recent?limit=0'), 400, 'bad_request', [['limit', 'out_of_range']]);
	expectProblem(await c.get('/api/v1/recent?limit=31'), 400, 'bad_request', [['limit', 'out_of_range']]);
	expectProblem(await c.get('/api/v1/recent?cursor=1'), 400, 'bad_request', [['cursor', 'unknown_parameter']]);
	expectProblem(await request('GET', '/api/v1/recent'), 401, 'unauthorized');
});

test('recently viewed records: the last 30 are kept, older ones trimmed', async () => {
	const c = u.peer.client;
	const ids = [];
	for (let i = 0; i < 33; i++) ids.push((await c.create('customers', { name: `最近 ${i} ${M}`, superior_authority: M })).id);
	for (const id of ids) expectStatus(await open(c, 'customers', id), 204);
	assert.deepEqual((await recent(c)).map((x) => x.id), ids.slice(3).reverse());
	// Had the oldest been kept, they would fill the places of deleted ones.
	for (const id of ids.slice(-2)) expectStatus(await c.del(`/api/v1/customers/${id}`), 204);
	assert.deepEqual((await recent(c)).map((x) => x.id), ids.slice(3, -2).reverse());
	// Opening an old one again brings it back to the top (and pushes out the oldest).
	expectStatus(await open(c, 'customers', ids[0]), 204);
	const list = (await recent(c)).map((x) => x.id);
	assert.equal(list[0], ids[0]);
	assert.ok(!list.includes(ids[3]), 'the oldest went');
});
