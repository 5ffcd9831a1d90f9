// Administration of the organisation, roles and users over the API: every change checked,
// audited, and in force at once; everyone else refused.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, loginAlice, login, marker, expectStatus, expectProblem, untilRefused, parseCsv } from './lib.mjs';

const M = marker('t17');
const password = randomBytes(12).toString('base64url');
let admin, alice, root;

before(async () => {
	admin = await loginAdmin();
	alice = await loginAlice();
	const all = (await admin.getJson('/api/v1/org-units')).data;
	root = all.find((x) => x.parent_id === null)?.id;
	if (!root) root = (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
});

const unitById = async (id) => (await admin.getJson('/api/v1/org-units')).data.find((x) => x.id === id);

test('the organisation tree: add, rename, move a subtree, refuse loops, duplicates and deleting what is in use', async () => {
	const add = async (name, kind, parent) => {
		const res = await admin.post('/api/v1/org-units', { name, kind, parent_id: parent });
		expectStatus(res, 201);
		return res.json.id;
	};
	const sub = await add(`子公司 ${M}`, 'subsidiary', root);
	const dept = await add(`部门 ${M}`, 'department', sub);
	const team = await add(`小组 ${M}`, 'team', dept);
	const other = await add(`另一子公司 ${M}`, 'subsidiary', root);
	const t = await unitById(team);
	assert.equal(t.path, `${(await unitById(root)).path}${sub}/${dept}/${team}/`);
	// Move the department (and its team) to the other subsidiary.
	expectStatus(await admin.patch(`/api/v1/org-units/${dept}`, { parent_id: other, name: `部门改名 ${M}` }), 204);
	const moved = await unitById(team);
	assert.equal(moved.path, `${(await unitById(other)).path}${dept}/${team}/`, 'the subtree moves along');
	assert.equal((await unitById(dept)).name, `部门改名 ${M}`);
	// Not under itself, not a second root, not a duplicate name among siblings.
	expectProblem(await admin.patch(`/api/v1/org-units/${dept}`, { parent_id: team }), 409, 'conflict', [['parent_id', 'unit_under_itself']]);
	expectProblem(await admin.post('/api/v1/org-units', { name: `第二个根 ${M}`, kind: 'company' }), 409, 'conflict', [['parent_id', 'second_root']]);
	expectProblem(await admin.post('/api/v1/org-units', { name: `部门改名 ${M}`, kind: 'team', parent_id: other }), 409, 'conflict', [['name', 'duplicate']]);
	expectProblem(await admin.post('/api/v1/org-units', { name: 'x', kind: 'galaxy', parent_id: root }), 422, 'validation_failed', [['kind', 'invalid_option']]);
	expectProblem(await admin.post('/api/v1/org-units', { kind: 'team', parent_id: root, colour: 'red' }), 422, 'validation_failed', [['name', 'required'], ['colour', 'unknown_field']]);
	expectProblem(await admin.post('/api/v1/org-units', { name: 'y', kind: 'team', parent_id: 999999 }), 422, 'reference_not_found', ['parent_id']);
	// A unit with units below, or people in it, stays.
	expectProblem(await admin.del(`/api/v1/org-units/${dept}`), 409, 'conflict', [['id', 'unit_not_empty']]);
	const member = await admin.post('/api/v1/users', { must_change_password: false, username: `member_${M}`, password, roles: ['user'], org_unit_id: team });
	expectStatus(member, 201);
	expectProblem(await admin.del(`/api/v1/org-units/${team}`), 409, 'conflict', [['id', 'unit_not_empty']]);
	// Records of the unit keep it too (they would fall out of every scope but their owner's).
	const kept = await admin.create('customers', { name: `留在小组 ${M}`, owner_id: member.json.id });
	assert.equal(kept.org_unit_id, team);
	expectStatus(await admin.patch(`/api/v1/users/${member.json.id}`, { org_unit_id: null }), 200);
	expectProblem(await admin.del(`/api/v1/org-units/${team}`), 409, 'conflict', [['id', 'unit_not_empty']]);
	expectStatus(await admin.patch(`/api/v1/customers/${kept.id}`, { owner_id: admin.user.id }), 200);
	expectStatus(await admin.del(`/api/v1/org-units/${team}`), 204);
	expectProblem(await admin.del(`/api/v1/org-units/${team}`), 404, 'not_found');
	// Everyone reads the tree; only administrators change it.
	assert.ok((await alice.getJson('/api/v1/org-units')).data.some((x) => x.id === dept));
	expectProblem(await alice.post('/api/v1/org-units', { name: 'z', kind: 'team', parent_id: root }), 403, 'forbidden');
	expectProblem(await alice.patch(`/api/v1/org-units/${dept}`, { name: 'z' }), 403, 'forbidden');
	expectProblem(await alice.del(`/api/v1/org-units/${dept}`), 403, 'forbidden');
	const trail = await admin.getJson(`/api/v1/audit?entity=org_units&record_id=${dept}`);
	assert.deepEqual(trail.data.map((a) => a.action), ['update', 'create']);
	assert.deepEqual(trail.data[0].changes, { name: `部门改名 ${M}`, parent_id: other });
});

test('users: an administrator adds one with roles, unit, position and superior; changes and disables it', async () => {
	const dept = (await admin.post('/api/v1/org-units', { name: `用户部门 ${M}`, kind: 'department', parent_id: root })).json.id;
	const boss = await admin.post('/api/v1/users', { must_change_password: false, username: `boss_${M}`, password, roles: ['sales_director'], org_unit_id: dept, display_name: '王总', position: '总监' });
	expectStatus(boss, 201);
	assert.deepEqual(boss.json.roles, ['sales_director']);
	assert.equal(boss.json.display_name, '王总');
	assert.equal(boss.headers.get('location'), `/api/v1/users/${boss.json.id}`);
	const res = await admin.post('/api/v1/users', {
		must_change_password: false,
		username: `staff_${M}`, password, roles: ['salesperson', 'info_specialist'], org_unit_id: dept,
		superior_id: boss.json.id, email: 'staff@example.com', mobile: '+8613800000000', locale: 'en',
	});
	expectStatus(res, 201);
	const id = res.json.id;
	assert.deepEqual(res.json.roles, ['info_specialist', 'salesperson']);
	assert.equal(res.json.superior_id, boss.json.id);
	const staff = await login(`staff_${M}`, password);
	assert.deepEqual(staff.user.roles, ['info_specialist', 'salesperson']);
	assert.equal(staff.user.org_unit_id, dept);
	// Two roles: the wider scope of each wins (information specialists read everything).
	assert.equal((await staff.getJson('/api/v1/meta/entities/customers')).scopes.read, 'all');
	// Bad input names its field; nothing is written.
	expectProblem(await admin.post('/api/v1/users', { must_change_password: false, username: `bad_${M}`, password: 'short', roles: ['user'] }), 422, 'validation_failed', [['password', 'too_short']]);
	expectProblem(await admin.post('/api/v1/users', { must_change_password: false, username: `bad_${M}`, password, roles: [] }), 422, 'validation_failed', [['roles', 'required']]);
	expectProblem(await admin.post('/api/v1/users', { must_change_password: false, username: `bad_${M}`, password, roles: ['emperor'] }), 422, 'reference_not_found');
	expectProblem(await admin.post('/api/v1/users', { must_change_password: false, username: `staff_${M}`, password, roles: ['user'] }), 409, 'conflict', [['username', 'duplicate']]);
	expectProblem(await admin.post('/api/v1/users', { must_change_password: false, username: `bad_${M}`, password, roles: ['user'], locale: 'fr' }), 422, 'validation_failed', [['locale', 'invalid_option']]);
	expectProblem(await admin.get(`/api/v1/users/${id + 1000000}`), 404, 'not_found');
	assert.ok(!(await admin.getJson(`/api/v1/users?q=bad_${M}`)).data.length, 'no half-made user');
	// A superior may not be oneself or someone below.
	expectProblem(await admin.patch(`/api/v1/users/${boss.json.id}`, { superior_id: id }), 409, 'conflict', [['superior_id', 'superior_loop']]);
	expectProblem(await admin.patch(`/api/v1/users/${id}`, { superior_id: id }), 409, 'conflict', [['superior_id', 'superior_loop']]);
	// Roles changed: in force at the next request, and audited with before and after.
	const changed = await admin.patch(`/api/v1/users/${id}`, { roles: ['knowledge_editor'], position: '编辑' });
	expectStatus(changed, 200);
	assert.deepEqual(changed.json.roles, ['knowledge_editor']);
	assert.equal((await staff.getJson('/api/v1/meta/entities/customers')).scopes.read, 'own');
	const trail = await admin.getJson(`/api/v1/audit?entity=users&record_id=${id}`);
	const roles = trail.data.find((a) => a.action === 'roles');
	assert.deepEqual(roles.changes.roles, [['info_specialist', 'salesperson'], ['knowledge_editor']]);
	assert.equal(roles.user_id, admin.user.id);
	assert.ok(trail.data.some((a) => a.action === 'profile' && a.changes.after.position === '编辑'));
	// Non-administrators read the directory (without roles) but change nothing.
	const dir = await alice.getJson(`/api/v1/users?q=staff_${M}`);
	assert.equal(dir.data.length, 1);
	assert.ok(!('roles' in dir.data[0]), 'roles are for administrators');
	expectProblem(await alice.patch(`/api/v1/users/${id}`, { position: 'x' }), 403, 'forbidden');
	expectProblem(await alice.post('/api/v1/users', { username: `x_${M}`, password, roles: ['admin'] }), 403, 'forbidden');
	// Disabled: sessions end; a new login is refused.
	expectProblem(await admin.patch(`/api/v1/users/${admin.user.id}`, { disabled: true }), 422, 'validation_failed', ['disabled']);
	expectStatus(await admin.patch(`/api/v1/users/${id}`, { disabled: true }), 200);
	await untilRefused(staff);
	const relog = await staff.req('POST', '/api/v1/auth/login', { json: { username: `staff_${M}`, password }, cookie: false });
	expectProblem(relog, 401, 'invalid_credentials');
	assert.equal((await admin.getJson(`/api/v1/users/${id}`)).disabled, true);
	assert.ok(!(await admin.getJson(`/api/v1/users?q=staff_${M}`)).data.length, 'the directory leaves disabled users out …');
	assert.equal((await admin.getJson(`/api/v1/users?q=staff_${M}&disabled=true`)).data.length, 1, '… unless asked');
});

test('users: an administrator sets a password, sees and ends a user\'s sessions, and lifts a lock', async () => {
	const res = await admin.post('/api/v1/users', { must_change_password: false, username: `pw_${M}`, password, roles: ['user'] });
	const id = res.json.id;
	const c = await login(`pw_${M}`, password);
	const sessions = await admin.getJson(`/api/v1/users/${id}/sessions`);
	assert.equal(sessions.data.length, 1);
	assert.equal(sessions.data[0].current, false);
	expectStatus(await admin.del(`/api/v1/users/${id}/sessions`), 204);
	await untilRefused(c);
	assert.equal((await admin.getJson(`/api/v1/users/${id}/sessions`)).data.length, 0);
	const fresh = randomBytes(12).toString('base64url');
	expectProblem(await admin.post(`/api/v1/users/${id}/password`, { password: '1234567' }), 422, 'validation_failed', [['password', 'too_short']]);
	expectStatus(await admin.post(`/api/v1/users/${id}/password`, { password: fresh }), 204);
	await login(`pw_${M}`, fresh);
	for (let i = 0; i < 5; i++) await c.req('POST', '/api/v1/auth/login', { json: { username: `pw_${M}`, password: 'wrong' }, cookie: false });
	expectProblem(await c.req('POST', '/api/v1/auth/login', { json: { username: `pw_${M}`, password: fresh }, cookie: false }), 429, 'too_many_attempts');
	expectStatus(await admin.post(`/api/v1/users/${id}/unlock`), 204);
	await login(`pw_${M}`, fresh);
	const trail = (await admin.getJson(`/api/v1/audit?entity=users&record_id=${id}`)).data.map((a) => a.action);
	for (const a of ['user_create', 'sessions_ended', 'password', 'unlock']) assert.ok(trail.includes(a), `${a} is audited`);
	expectProblem(await alice.get(`/api/v1/users/${id}/sessions`), 403, 'forbidden');
	expectProblem(await alice.post(`/api/v1/users/${id}/unlock`), 403, 'forbidden');
	expectProblem(await admin.post('/api/v1/users/999999/password', { password: fresh }), 404, 'not_found');
});

test('roles: add one, give it permissions, hand it out; changes hold at once and are audited', async () => {
	const key = `auditor_${M.slice(-8)}`;
	expectProblem(await admin.post('/api/v1/roles', { key: 'Bad Key', name: { 'zh-CN': '审计', en: 'Auditor' } }), 422, 'validation_failed', [['key', 'invalid_name']]);
	expectProblem(await admin.post('/api/v1/roles', { key, name: { 'zh-CN': '审计' } }), 422, 'validation_failed', ['name.en']);
	expectStatus(await admin.post('/api/v1/roles', { key, name: { 'zh-CN': '审计员', en: 'Auditor' } }), 201);
	expectProblem(await admin.post('/api/v1/roles', { key, name: { 'zh-CN': '审计员', en: 'Auditor' } }), 409, 'conflict', [['key', 'duplicate']]);
	const u = await admin.post('/api/v1/users', { must_change_password: false, username: `aud_${M}`, password, roles: [key] });
	expectStatus(u, 201);
	const c = await login(`aud_${M}`, password);
	expectProblem(await c.get('/api/v1/customers'), 403, 'forbidden', []);
	// Permissions: read everything, export customers only.
	const bad = await admin.put(`/api/v1/roles/${key}/permissions`, { permissions: { widgets: { read: 'all' }, customers: { fly: 'all', read: 'galaxy' } } });
	expectProblem(bad, 422, 'validation_failed', [['permissions.widgets', 'unknown_entity'], ['permissions.customers.fly', 'unknown_field'], ['permissions.customers.read', 'invalid_option']]);
	expectStatus(await admin.put(`/api/v1/roles/${key}/permissions`, { permissions: { '*': { read: 'all' }, customers: { export: 'all' } } }), 204);
	expectStatus(await c.get('/api/v1/customers?limit=1'), 200);
	expectStatus(await c.get('/api/v1/customers/export?format=csv&limit=1&superior_authority=none'), 200);
	expectProblem(await c.get('/api/v1/contacts/export?format=csv'), 403, 'forbidden');
	expectProblem(await c.post('/api/v1/customers', { name: 'x' }), 403, 'forbidden');
	const list = (await admin.getJson('/api/v1/roles')).data;
	const mine = list.find((r) => r.key === key);
	assert.deepEqual(mine.permissions, { '*': { read: 'all' }, customers: { export: 'all' } });
	assert.equal(mine.builtin, false);
	assert.equal(mine.users, 1);
	const shipped = list.find((r) => r.key === 'salesperson');
	assert.equal(shipped.builtin, true);
	assert.deepEqual(shipped.name, { 'zh-CN': '销售员', en: 'Salesperson' });
	// Renamed, and in use: not deleted. The shipped ones never.
	expectStatus(await admin.patch(`/api/v1/roles/${key}`, { name: { 'zh-CN': '内审', en: 'Internal auditor' } }), 204);
	expectProblem(await admin.del(`/api/v1/roles/${key}`), 409, 'conflict', [['key', 'role_in_use']]);
	expectProblem(await admin.del('/api/v1/roles/salesperson'), 409, 'conflict');
	expectProblem(await admin.put('/api/v1/roles/admin/permissions', { permissions: {} }), 422, 'validation_failed', [['permissions', 'read_only']]);
	expectProblem(await admin.put('/api/v1/roles/nosuch/permissions', { permissions: {} }), 404, 'not_found');
	expectStatus(await admin.patch(`/api/v1/users/${u.json.id}`, { roles: ['user'] }), 200);
	expectStatus(await admin.del(`/api/v1/roles/${key}`), 204);
	expectProblem(await admin.del(`/api/v1/roles/${key}`), 404, 'not_found');
	const trail = (await admin.getJson('/api/v1/audit?entity=roles')).data.filter((a) => a.changes && a.changes.role === key);
	assert.deepEqual(trail.map((a) => a.action), ['role_delete', 'role_update', 'role_permissions', 'role_create']);
	const perms = trail.find((a) => a.action === 'role_permissions');
	assert.deepEqual(perms.changes.permissions, [{}, { '*': { read: 'all' }, customers: { export: 'all' } }]);
	// Only administrators.
	expectProblem(await alice.get('/api/v1/roles'), 403, 'forbidden');
	expectProblem(await alice.put('/api/v1/roles/user/permissions', { permissions: {} }), 403, 'forbidden');
});

test('administrators export the audit trail as CSV with the search\'s filters; the export is audited', async () => {
	const key = `csv_${M.slice(-8)}`;
	expectStatus(await admin.post('/api/v1/roles', { key, name: { 'zh-CN': '导出测试', en: '=Export test' } }), 201);
	const res = await admin.get('/api/v1/audit/export?entity=roles&action=role_create');
	expectStatus(res, 200);
	assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
	assert.equal(res.headers.get('content-disposition'), 'attachment; filename="audit.csv"');
	const rows = parseCsv(Buffer.from(res.bytes).toString('utf8').replace(/^\uFEFF/, ''));
	assert.deepEqual(rows[0], ['id', 'at', 'user_id', 'action', 'entity', 'record_id', 'changes', 'request_id', 'ip', 'user_agent']);
	assert.ok(rows.length > 1 && rows.slice(1).every((r) => r[3] === 'role_create' && r[4] === 'roles'));
	const mine = rows.find((r) => r[6].includes(key));
	assert.ok(mine, 'the new role is in the file');
	assert.equal(JSON.parse(mine[6]).name.en, '=Export test', 'the JSON cell starts with "{": nothing to neutralise');
	assert.equal(mine[2], String(admin.user.id));
	assert.match(mine[1], /^\d{4}-\d\d-\d\d/);
	expectProblem(await admin.get('/api/v1/audit/export?colour=red'), 400, 'bad_request', [['colour', 'unknown_parameter']]);
	expectProblem(await admin.get('/api/v1/audit/export?from=yesterday'), 400, 'bad_request', [['from', 'invalid_datetime']]);
	expectProblem(await alice.get('/api/v1/audit/export'), 403, 'forbidden');
	const trail = await admin.getJson('/api/v1/audit?entity=sys_audit&action=export');
	assert.ok(trail.data.length >= 1 && trail.data[0].user_id === admin.user.id);
	expectStatus(await admin.del(`/api/v1/roles/${key}`), 204);
});
