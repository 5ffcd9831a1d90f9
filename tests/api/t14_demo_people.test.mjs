// `sextant demo`: the demo organisation (head company, two subsidiaries, their departments) and
// a demo user for every shipped role, whose data scopes then hold on the demo customers. Runs
// before the other identity files, on a database with no organisation yet.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loginAdmin, login, cli, env } from './lib.mjs';

let admin;
let password;

before(async () => {
	admin = await loginAdmin();
});

test('sextant demo adds the organisation and one user per shipped role, with a password shown once and kept', async () => {
	const orgBefore = (await admin.getJson('/api/v1/org-units')).data;
	assert.equal(orgBefore.length, 0, 'this file runs on a database without an organisation');
	const r = cli(['demo']);
	assert.equal(r.status, 0, r.stderr);
	const m = /added with the password (\S+)/.exec(r.stdout);
	assert.ok(m, r.stdout);
	password = m[1];
	const file = path.join(env.data, 'demo-password.txt');
	assert.equal(fs.readFileSync(file, 'utf8').trim(), password);
	assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
	assert.ok(!/added with the password/.test(r.stderr), 'the password is not in the log');

	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.filter((u) => u.parent_id === null);
	assert.equal(root.length, 1);
	assert.equal(root[0].kind, 'company');
	const subs = units.filter((u) => u.kind === 'subsidiary');
	assert.equal(subs.length, 2);
	for (const s of subs) {
		assert.equal(s.parent_id, root[0].id);
		assert.ok(units.some((u) => u.parent_id === s.id && u.kind === 'department'), `${s.name} has departments`);
		assert.ok(s.path.startsWith(root[0].path));
	}
	assert.ok(units.filter((u) => u.parent_id === root[0].id && u.kind === 'department').length >= 4, 'head-office departments');

	const roles = (await admin.getJson('/api/v1/roles')).data;
	const users = (await admin.getJson('/api/v1/users')).data;
	for (const role of roles.filter((x) => x.builtin && x.key !== 'user')) {
		const holders = users.filter((x) => x.roles.includes(role.key) && x.username !== 'admin');
		assert.ok(holders.length >= 1, `a demo user holds ${role.key}`);
		for (const h of holders) assert.ok(h.org_unit_id, `${h.username} sits in a unit`);
	}
	const byName = new Map(users.map((x) => [x.username, x]));
	assert.equal(byName.get('south.sales1').superior_id, byName.get('south.manager').id, 'superiors are set');
	assert.equal(byName.get('south.manager').superior_id, byName.get('sales.director').id);
	assert.deepEqual(
		roles.map((x) => x.key).filter((k) => ['sales_director', 'regional_manager', 'salesperson', 'info_specialist', 'return_visit', 'project_manager', 'customer_director', 'marketing_director', 'finance', 'service_agent', 'service_engineer', 'knowledge_editor', 'dealer', 'admin'].includes(k)).length,
		14,
		'every role the requirements name is shipped',
	);
});

test('the demo customers belong to the demo sales force, and each demo role sees its scope of them', async () => {
	const director = await login('sales.director', password);
	const all = await director.total('customers');
	assert.ok(all >= 120);
	const seller = await login('south.sales1', password);
	const mine = await seller.listAll('customers');
	assert.ok(mine.length > 0);
	assert.ok(mine.every((c) => c.owner_id === seller.user.id), 'a salesperson sees their own customers only');
	// Their workbench has follow-ups on their own customers, each with a reminder the day before.
	const tasks = await seller.listAll('tasks', { status: 'open' });
	assert.ok(tasks.length > 0, 'the demo salesperson has tasks');
	const ownCustomers = new Set(mine.map((c) => c.id));
	assert.ok(tasks.every((t) => t.owner_id === seller.user.id && ownCustomers.has(t.customer_id)));
	assert.ok(tasks.every((t) => Date.parse(t.due_at) - Date.parse(t.remind_at) === 864e5));
	const manager = await login('south.manager', password);
	const region = await manager.listAll('customers');
	assert.ok(region.length > mine.length && region.length < all, 'a regional manager sees the subsidiary, not more');
	const ids = new Set(region.map((c) => c.id));
	assert.ok(mine.every((c) => ids.has(c.id)));
	const east = await login('east.sales1', password);
	const theirs = await east.listAll('customers');
	assert.ok(theirs.length > 0 && theirs.every((c) => !ids.has(c.id)), 'the other subsidiary is out of the manager\'s reach');
	const contacts = await seller.listAll('contacts');
	assert.ok(contacts.length > 0 && contacts.every((c) => c.owner_id === seller.user.id), 'contacts follow their customer\'s owner');
	// Run again: nothing is added twice.
	const again = cli(['demo']);
	assert.equal(again.status, 0, again.stderr);
	assert.match(again.stdout, /exists already/);
	assert.equal(await director.total('customers'), all);
});
