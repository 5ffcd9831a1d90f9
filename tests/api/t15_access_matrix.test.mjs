// The access matrix (issue: identity and access): for every entity and every shipped role, list,
// get, update, delete and export of records owned by the caller, by someone in the same
// department, in a team below it, in another department of the same subsidiary, and in another
// subsidiary — each checked against the outcome the role's scopes call for. The expected scopes
// are written out here, not read from the server: a change to the shipped roles must be made
// here too, on purpose.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, login, marker, expectStatus, expectProblem, parseCsv } from './lib.mjs';

const M = marker('t15');
const ORDER = ['own', 'dept', 'below', 'sibling', 'far'];
// What each scope reaches, as the locations above.
const REACH = {
	none: [],
	own: ['own'],
	dept: ['own', 'dept'],
	dept_tree: ['own', 'dept', 'below'],
	subsidiary: ['own', 'dept', 'below', 'sibling'],
	all: ORDER,
};
const NARROWER = (a, b) => (Object.keys(REACH).indexOf(a) < Object.keys(REACH).indexOf(b) ? a : b);

// The shipped roles (policy/roles.json) on every entity: read, update, delete, export.
const ROLES = {
	admin: ['all', 'all', 'all', 'all'],
	user: ['all', 'all', 'own', 'all'],
	sales_director: ['all', 'all', 'all', 'all'],
	regional_manager: ['subsidiary', 'dept_tree', 'own', 'dept_tree'],
	salesperson: ['own', 'own', 'own', 'none'],
	info_specialist: ['all', 'all', 'none', 'all'],
	return_visit: ['all', 'none', 'none', 'none'],
	project_manager: ['dept', 'own', 'own', 'none'],
	customer_director: ['all', 'all', 'none', 'all'],
	marketing_director: ['all', 'own', 'own', 'all'],
	finance: ['all', 'none', 'none', 'all'],
	service_agent: ['all', 'own', 'none', 'none'],
	service_engineer: ['dept_tree', 'own', 'none', 'none'],
	knowledge_editor: ['own', 'none', 'none', 'none'],
	dealer: ['own', 'own', 'none', 'none'],
};

// Each entity: how to make a record, the text field that carries this file's marker, and a
// field an update may change.
const ENTITIES = {
	customers: { tagField: 'superior_authority', editField: 'city', make: (tag, n) => ({ name: `矩阵客户 ${n} ${M}`, superior_authority: tag }) },
	contacts: { tagField: 'department', editField: 'position', make: (tag, n, ctx) => ({ name: `矩阵联系人 ${n}`, customer_id: ctx.customer, department: tag }) },
};

let admin;
const units = {};
const owners = {}; // location → user id of a salesperson placed there (not 'own')
const actors = {}; // role → {client, id}
const password = randomBytes(12).toString('base64url');
const ctx = {};

async function unit(name, kind, parent) {
	const res = await admin.post('/api/v1/org-units', { name: `${name} ${M}`, kind, parent_id: parent });
	expectStatus(res, 201);
	return res.json.id;
}

async function user(name, roles, unitId) {
	const res = await admin.post('/api/v1/users', { must_change_password: false, username: `${name}_${M}`, password, roles, org_unit_id: unitId, display_name: name });
	expectStatus(res, 201);
	return res.json.id;
}

before(async () => {
	admin = await loginAdmin();
	const all = (await admin.getJson('/api/v1/org-units')).data;
	let root = all.find((u) => u.parent_id === null)?.id;
	if (!root) root = (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	units.sa = await unit('华南子公司', 'subsidiary', root);
	units.a1 = await unit('销售一部', 'department', units.sa);
	units.a1t = await unit('大客户团队', 'team', units.a1);
	units.a2 = await unit('销售二部', 'department', units.sa);
	units.sb = await unit('华东子公司', 'subsidiary', root);
	units.b1 = await unit('华东销售部', 'department', units.sb);
	owners.dept = await user('colleague', ['salesperson'], units.a1);
	owners.below = await user('below', ['salesperson'], units.a1t);
	owners.sibling = await user('sibling', ['salesperson'], units.a2);
	owners.far = await user('far', ['salesperson'], units.b1);
	for (const role of Object.keys(ROLES)) {
		const id = await user(role, [role], units.a1);
		actors[role] = { id, client: await login(`${role}_${M}`, password) };
	}
	ctx.customer = (await admin.create('customers', { name: `矩阵联系人的客户 ${M}` })).id;
});

// Records of one entity for the read-side checks: per role its own, and one per other location.
// Every actor sits in the same department, so another role's own record is a 'dept' one to it.
async function readSet(entity) {
	const e = ENTITIES[entity];
	const tag = `${M}-${entity}`;
	const recs = [];
	for (const [role, a] of Object.entries(actors))
		recs.push({ ...(await admin.create(entity, { ...e.make(tag, role, ctx), owner_id: a.id })), owner: a.id });
	for (const loc of ['dept', 'below', 'sibling', 'far'])
		recs.push({ ...(await admin.create(entity, { ...e.make(tag, loc, ctx), owner_id: owners[loc] })), owner: owners[loc] });
	return { tag, recs };
}

function locationOf(rec, actorId) {
	if (rec.owner === actorId) return 'own';
	for (const loc of ['dept', 'below', 'sibling', 'far']) if (rec.owner === owners[loc]) return loc;
	return 'dept'; // another actor's own record: same department
}

function csvIds(res) {
	const text = Buffer.from(res.bytes).toString('utf8').replace(/^\uFEFF/, '');
	const rows = parseCsv(text);
	const col = rows[0].indexOf('id');
	return rows.slice(1).map((r) => Number(r[col])).sort((a, b) => a - b);
}

for (const entity of Object.keys(ENTITIES)) {
	test(`${entity}: list, totals, get and export show each role exactly the records its scope reaches`, async () => {
		const { tag, recs } = await readSet(entity);
		const e = ENTITIES[entity];
		for (const [role, [read, , , exp]] of Object.entries(ROLES)) {
			const { client, id } = actors[role];
			const seen = (r) => REACH[read].includes(locationOf(r, id));
			const want = recs.filter(seen).map((r) => r.id).sort((a, b) => a - b);
			const q = `${e.tagField}=${encodeURIComponent(tag)}&fields=id&limit=200`;
			if (read === 'none') {
				expectProblem(await client.get(`/api/v1/${entity}?${q}`), 403, 'forbidden');
				continue;
			}
			const page = await client.getJson(`/api/v1/${entity}?${q}`);
			assert.deepEqual(page.data.map((r) => r.id).sort((a, b) => a - b), want, `${role} lists ${entity}`);
			assert.equal(page.total, want.length, `${role}: the total counts only what it may see`);
			for (const r of recs) {
				const res = await client.get(`/api/v1/${entity}/${r.id}`);
				if (seen(r)) expectStatus(res, 200);
				else expectProblem(res, 404, 'not_found');
			}
			const ex = await client.get(`/api/v1/${entity}/export?format=csv&header=names&${e.tagField}=${encodeURIComponent(tag)}&fields=id`);
			if (exp === 'none') {
				expectProblem(ex, 403, 'forbidden');
				continue;
			}
			expectStatus(ex, 200);
			const reach = REACH[NARROWER(read, exp)];
			assert.deepEqual(csvIds(ex), recs.filter((r) => reach.includes(locationOf(r, id))).map((r) => r.id).sort((a, b) => a - b), `${role} exports ${entity}`);
		}
	});

	test(`${entity}: update and delete of own, same-department, lower, other-department and other-subsidiary records`, async () => {
		const e = ENTITIES[entity];
		const tag = `${M}-${entity}-w`;
		for (const [role, [read, upd, del]] of Object.entries(ROLES)) {
			const { client, id } = actors[role];
			const own = { dept: owners.dept, below: owners.below, sibling: owners.sibling, far: owners.far, own: id };
			for (const loc of ORDER) {
				const rec = await admin.create(entity, { ...e.make(tag, `${role}-${loc}`, ctx), owner_id: own[loc] });
				const readable = REACH[read].includes(loc);
				const res = await client.patch(`/api/v1/${entity}/${rec.id}`, { [e.editField]: `改 ${role}` });
				if (!readable) expectProblem(res, 404, 'not_found');
				else if (REACH[upd].includes(loc)) expectStatus(res, 200);
				else expectProblem(res, 403, 'forbidden');
				const gone = await client.del(`/api/v1/${entity}/${rec.id}`);
				if (!readable) expectProblem(gone, 404, 'not_found');
				else if (REACH[del].includes(loc)) expectStatus(gone, 204);
				else expectProblem(gone, 403, 'forbidden');
				// What was refused changed nothing.
				const after = await admin.get(`/api/v1/${entity}/${rec.id}`);
				if (readable && REACH[del].includes(loc)) expectProblem(after, 404, 'not_found');
				else {
					expectStatus(after, 200);
					const edited = readable && REACH[upd].includes(loc);
					assert.equal(after.json[e.editField], edited ? `改 ${role}` : null, `${role} ${loc}`);
				}
			}
		}
	});
}

test('a related list shows only the children the caller may read; a parent it may not read is 404', async () => {
	const sp = actors.salesperson;
	const cust = await admin.create('customers', { name: `关联 ${M}`, owner_id: sp.id });
	const mine = await admin.create('contacts', { name: '自己的', customer_id: cust.id, owner_id: sp.id });
	await admin.create('contacts', { name: '别人的', customer_id: cust.id, owner_id: owners.far });
	const page = await sp.client.getJson(`/api/v1/customers/${cust.id}/contacts`);
	assert.deepEqual(page.data.map((r) => r.id), [mine.id]);
	assert.equal(page.total, 1);
	const far = await admin.create('customers', { name: `远处 ${M}`, owner_id: owners.far });
	expectProblem(await sp.client.get(`/api/v1/customers/${far.id}/contacts`), 404, 'not_found');
	// A reference to a record the caller may not read is as good as none.
	expectProblem(await sp.client.post('/api/v1/contacts', { name: '探测', customer_id: far.id }), 422, 'validation_failed', [['customer_id', 'reference_not_found']]);
});

test('a record takes its owner\'s unit, and follows a new owner', async () => {
	const rm = actors.regional_manager;
	const rec = await rm.client.create('customers', { name: `归属单位 ${M}` });
	assert.equal(rec.owner_id, rm.id);
	assert.equal(rec.org_unit_id, units.a1);
	const moved = await rm.client.patch(`/api/v1/customers/${rec.id}`, { owner_id: owners.below });
	expectStatus(moved, 200);
	assert.equal(moved.json.org_unit_id, units.a1t, 'the record moves with its owner');
	// Beyond the manager's assign scope (own department and below): refused, named.
	expectProblem(await rm.client.patch(`/api/v1/customers/${rec.id}`, { owner_id: owners.far }), 403, 'forbidden', [['owner_id', 'forbidden_field']]);
	expectProblem(await rm.client.post('/api/v1/customers', { name: `指派他人 ${M}`, owner_id: owners.sibling }), 403, 'forbidden', ['owner_id']);
	// A salesperson may not assign at all.
	const sp = actors.salesperson;
	const own = await sp.client.create('customers', { name: `不能指派 ${M}` });
	expectProblem(await sp.client.patch(`/api/v1/customers/${own.id}`, { owner_id: owners.dept }), 403, 'forbidden', ['owner_id']);
	const after = await admin.getJson(`/api/v1/customers/${own.id}`);
	assert.equal(after.owner_id, sp.id);
	// Bulk changes go through the same checks, all or nothing.
	expectProblem(await sp.client.post('/api/v1/customers/bulk-update', { ids: [own.id], field: 'owner_id', value: owners.dept }), 403, 'forbidden');
	const other = await admin.create('customers', { name: `他人 ${M}`, owner_id: owners.far });
	const bulk = await sp.client.post('/api/v1/customers/bulk-update', { ids: [own.id, other.id], field: 'city', value: '厦门' });
	expectProblem(bulk, 422, 'validation_failed', [['ids', 'id_not_found']]);
	assert.equal((await admin.getJson(`/api/v1/customers/${own.id}`)).city, null, 'nothing of a refused bulk change is written');
});

test('roles that may not create are refused, and the meta says what the caller may do', async () => {
	expectProblem(await actors.return_visit.client.post('/api/v1/customers', { name: `回访员新建 ${M}` }), 403, 'forbidden');
	const meta = await actors.regional_manager.client.getJson('/api/v1/meta/entities/customers');
	assert.deepEqual(meta.scopes, { read: 'subsidiary', create: 'all', update: 'dept_tree', delete: 'own', export: 'dept_tree', import: 'all', assign: 'dept_tree', approve: 'dept_tree', sensitive: 'dept_tree' });
	assert.equal(meta.permissions.read, true);
	assert.equal(meta.permissions.restore, false);
	const kmeta = await actors.knowledge_editor.client.getJson('/api/v1/meta/entities/customers');
	assert.equal(kmeta.permissions.create, false);
	assert.equal(kmeta.scopes.read, 'own');
});

test('a scope holding many records is read by walking the list, a small one as a set of ids: both give the same rows', async () => {
	// A subsidiary of its own (the scope sizes a node keeps are per unit), with 5,000 records:
	// enough against the table that lists and counts walk it rather than gather its ids.
	const sub = await unit('大区', 'subsidiary', (await admin.getJson('/api/v1/org-units')).data.find((u) => u.parent_id === null).id);
	const dept = await unit('大区销售', 'department', sub);
	await user('big_manager', ['regional_manager'], dept);
	const seller = await user('big_seller', ['salesperson'], dept);
	const tag = `${M}-bulk`;
	const rows = ['name,superior_authority,owner_id'];
	for (let i = 0; i < 5000; i++) rows.push(`批量 ${i} ${M},${tag},${seller}`);
	for (let i = 0; i < 50; i++) rows.push(`远方 ${i} ${M},${tag},${owners.far}`);
	const res = await admin.req('POST', '/api/v1/customers/import', { headers: { 'Content-Type': 'text/csv' }, body: rows.join('\r\n') + '\r\n' });
	expectStatus(res, 200);
	const m = await login(`big_manager_${M}`, password);
	const page = await m.getJson(`/api/v1/customers?superior_authority=${encodeURIComponent(tag)}&fields=id,owner_id&limit=200`);
	assert.equal(page.total, 2000, 'the total is capped …');
	assert.equal(page.total_exact, false, '… and says so');
	const all = await m.listAll('customers', { superior_authority: tag, fields: 'id,owner_id' }, { max: 6000 });
	assert.equal(all.length, 5000);
	assert.ok(all.every((r) => r.owner_id === seller), 'nothing of the other subsidiary');
	// Own records (the owner index) and a small scope (a set of ids) on the same table.
	const s = await login(`big_seller_${M}`, password);
	const mine = await s.getJson(`/api/v1/customers?superior_authority=${encodeURIComponent(tag)}&limit=1`);
	assert.equal(mine.total, 2000);
	assert.equal(mine.total_exact, false);
	const far = await login(`far_${M}`, password);
	assert.equal(await far.total('customers', { superior_authority: tag }), 50);
});
