// Birthday reminders (CT-1): the owner of a contact is told days before the birthday, by the
// solar calendar or the lunar one (农历生日), once; only owners who may see personal data are
// told; the caller's coming birthdays list; the rules are administrators' settings. On a
// cluster of its own, so the job sees only these contacts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client, marker, expectStatus, expectProblem, startCluster, newUser, runJob } from './lib.mjs';

const M = marker('t36');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let cluster, base, admin, seller, clerk;

// The company's day (UTC+8), as the server counts it.
const DAY = 86400000;
const today = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
const plusDays = (iso, n) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const yearsBack = (iso, n) => `${Number(iso.slice(0, 4)) - n}${iso.slice(4)}`;
// Chinese New Year (正月初一), as published: a lunar birthday on it falls on the next one.
const newYears = ['2026-02-17', '2027-02-06', '2028-01-26', '2029-02-13', '2030-02-03', '2031-01-23', '2032-02-11', '2033-01-31', '2034-02-19', '2035-02-08'];

before(async () => {
	cluster = await startCluster(1, [], 't36-birthdays');
	base = cluster.nodes[0].base;
	admin = new Client(base);
	await admin.login('admin', cluster.adminPassword);
	seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], base });
	clerk = await newUser(admin, { name: 'clerk', mark: M, password, roles: ['user'], base });
});

after(async () => {
	await cluster?.stopAll();
});

test('the rules are administrators\' settings', async () => {
	assert.deepEqual(await admin.getJson('/api/v1/settings/birthdays'), { enabled: true, days_ahead: 7 });
	expectProblem(await admin.put('/api/v1/settings/birthdays', { days_ahead: 61, enabled: 1, when: 'x' }), 422, 'validation_failed', [['days_ahead', 'out_of_range'], ['enabled', 'invalid_bool'], ['when', 'unknown_field']]);
	expectStatus(await seller.client.put('/api/v1/settings/birthdays', { days_ahead: 3 }), 403);
	const r = await admin.put('/api/v1/settings/birthdays', { days_ahead: 5 });
	expectStatus(r, 200);
	assert.deepEqual(r.json, { enabled: true, days_ahead: 5 });
});

test('a partial pool document changes only what it sends, over the defaults', async () => {
	// A fresh installation: nothing stored yet.
	const r = await admin.put('/api/v1/settings/pool', { levels: { d: 3 } });
	expectStatus(r, 200);
	assert.deepEqual(r.json.levels, { a: 90, b: 60, c: 30, d: 3 });
	const meta = await admin.getJson('/api/v1/meta/entities/customers');
	assert.deepEqual([meta.pool, meta.timeline], [true, false]);
	assert.deepEqual([(await admin.getJson('/api/v1/meta/entities/activities')).timeline], [true]);
});

test('owners are told of coming birthdays once, by either calendar; the list shows them', async () => {
	const now = today();
	const cust = await seller.client.create('customers', { name: `生日客户 ${M}` });
	const soon = await seller.client.create('contacts', { name: `三天后生日 ${M}`, customer_id: cust.id, birthday: yearsBack(plusDays(now, 3), 40) });
	const later = await seller.client.create('contacts', { name: `二十天后生日 ${M}`, customer_id: cust.id, birthday: yearsBack(plusDays(now, 20), 35) });
	// Born on 正月初一 1985 and keeping the lunar birthday: it is every Chinese New Year.
	const lunar = await seller.client.create('contacts', { name: `农历生日 ${M}`, customer_id: cust.id, birthday: '1985-02-20', birthday_lunar: true });
	const nextNewYear = newYears.find((d) => d >= now);
	// A clerk's contact: the clerk may not see birthdays, so is not told of them.
	const ccust = await clerk.client.create('customers', { name: `职员客户 ${M}` });
	const hidden = await clerk.client.create('contacts', { name: `职员的联系人 ${M}`, customer_id: ccust.id });
	expectStatus(await admin.patch(`/api/v1/contacts/${hidden.id}`, { birthday: yearsBack(plusDays(now, 1), 30) }), 200);

	const list = await seller.client.getJson('/api/v1/contacts/birthdays?days=366');
	const mine = list.data.map((x) => x.id);
	assert.equal(mine[0], soon.id, 'soonest first');
	assert.ok(mine.includes(later.id) && mine.includes(lunar.id));
	const s = list.data[0];
	assert.deepEqual([s.date, s.days, s.lunar, s.lunar_text], [plusDays(now, 3), 3, false, null]);
	assert.deepEqual(s.customer, { id: cust.id, name: `生日客户 ${M}` });
	const l = list.data.find((x) => x.id === lunar.id);
	assert.equal(l.date, nextNewYear);
	assert.equal(l.lunar_text, '农历正月初一');
	const en = (await seller.client.getJson('/api/v1/contacts/birthdays?days=366', { headers: { 'Accept-Language': 'en' } })).data;
	assert.equal(en.find((x) => x.id === lunar.id).lunar_text, 'lunar month 1, day 1', 'in the language asked for');
	assert.deepEqual((await seller.client.getJson('/api/v1/contacts/birthdays?days=7')).data.map((x) => x.id).filter((id) => id !== lunar.id), [soon.id]);
	expectProblem(await seller.client.get('/api/v1/contacts/birthdays?days=0'), 400, 'bad_request', [['days', 'out_of_range']]);
	expectProblem(await seller.client.get('/api/v1/contacts/birthdays?when=1'), 400, 'bad_request', [['when', 'unknown_parameter']]);
	expectStatus(await clerk.client.get('/api/v1/contacts/birthdays'), 403);

	const run = async () => (await runJob(admin, 'contacts.birthdays')).message;
	const told = async (who, id) => (await who.client.getJson('/api/v1/notifications?limit=200')).data.filter((n) => n.event === 'contact.birthday' && n.record_id === id);
	const lunarSoon = Date.parse(nextNewYear) - Date.parse(now) <= 5 * DAY;
	assert.match(await run(), new RegExp(`^${lunarSoon ? 2 : 1} birthday reminders sent, 1 owners may not see`));
	const n = await told(seller, soon.id);
	assert.equal(n.length, 1);
	assert.match(n[0].title, new RegExp(`三天后生日 ${M}`));
	assert.match(n[0].body, /3 天后/);
	assert.equal((await told(seller, later.id)).length, 0, 'twenty days away: not yet');
	assert.equal((await told(clerk, hidden.id)).length, 0);
	assert.match(await run(), /^0 birthday reminders sent/, 'told once');
	assert.equal((await told(seller, soon.id)).length, 1);

	expectStatus(await admin.put('/api/v1/settings/birthdays', { enabled: false }), 200);
	assert.match(await run(), /off/);
	expectStatus(await admin.put('/api/v1/settings/birthdays', { enabled: true }), 200);
});
