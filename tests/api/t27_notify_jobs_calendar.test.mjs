// The notification centre (unread count, read one, read all, someone else's unseen), preferences
// and their checks; reminders (of a record the user may read, deleted before their time); the
// jobs API (schedule checked, paused, run now, history); message templates overridden and reset;
// the calendar feed (a secret URL, made again, turned off) parsed as iCalendar.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, login, marker, request, expectStatus, expectProblem, until, sleep, runJob } from './lib.mjs';

const M = marker('t27');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, alice, bob, carol;

before(async () => {
	admin = await loginAdmin();
	alice = await login('alice', process.env.SEXTANT_TEST_ALICE_PASSWORD);
	const res = await admin.post('/api/v1/users', { must_change_password: false, username: `bob_${M}`, password, roles: ['salesperson'], display_name: `Bob ${M}` });
	expectStatus(res, 201);
	bob = await login(`bob_${M}`, password);
	const res2 = await admin.post('/api/v1/users', { must_change_password: false, username: `carol_${M}`, password, roles: ['salesperson'], display_name: `Carol ${M}` });
	expectStatus(res2, 201);
	carol = await login(`carol_${M}`, password); // a salesperson reads her own records only
});

const soon = () => new Date(Date.now() - 1000).toISOString();

test('notifications: unread count, read one, read all; nobody reads another\'s', async () => {
	const before = (await bob.getJson('/api/v1/notifications')).unread;
	for (const i of [1, 2, 3]) expectStatus(await bob.post('/api/v1/reminders', { note: `n${i} ${M}`, remind_at: soon() }), 201);
	const inbox = await until(async () => {
		const b = await bob.getJson('/api/v1/notifications?unread=true');
		return b.unread >= before + 3 ? b : null;
	}, 15000, 'three notifications');
	const mine = inbox.data.filter((n) => n.title.includes(M));
	assert.equal(mine.length, 3);
	assert.ok(mine.every((n) => n.event === 'reminder' && n.read_at === null));

	expectStatus(await alice.post(`/api/v1/notifications/${mine[0].id}/read`), 404);
	expectStatus(await bob.post(`/api/v1/notifications/${mine[0].id}/read`), 204);
	expectStatus(await bob.post(`/api/v1/notifications/${mine[0].id}/read`), 204); // again: no change
	let now = await bob.getJson('/api/v1/notifications');
	assert.equal(now.unread, inbox.unread - 1);
	assert.ok(now.data.find((n) => n.id === mine[0].id).read_at);
	expectStatus(await bob.post('/api/v1/notifications/read-all'), 204);
	now = await bob.getJson('/api/v1/notifications');
	assert.equal(now.unread, 0);
	assert.equal((await bob.getJson('/api/v1/notifications?unread=true')).data.length, 0);
	expectProblem(await bob.get('/api/v1/notifications?unread=maybe'), 400, 'bad_request', ['unread']);
	expectStatus(await request('GET', '/api/v1/notifications'), 401);
});

test('preferences: every event listed with its default; bad bodies named member by member', async () => {
	const prefs = await bob.getJson('/api/v1/notifications/preferences');
	const events = prefs.data.map((p) => p.event);
	assert.ok(events.includes('reminder') && events.includes('task.reminder'));
	assert.ok(prefs.data.every((p) => typeof p.label === 'string' && p.label.length));
	const bad = await bob.put('/api/v1/notifications/preferences', { data: [{ event: 'party', in_app: true, mail: 1, sms: false, fax: true }] });
	expectProblem(bad, 422, 'validation_failed', ['data[0].event', 'data[0].mail', 'data[0].fax']);
	expectProblem(await bob.put('/api/v1/notifications/preferences', { data: 'all' }), 422, 'validation_failed', ['data']);
	// Off in-app: a reminder then leaves no notification.
	expectStatus(await bob.put('/api/v1/notifications/preferences', { data: [{ event: 'reminder', in_app: false, mail: false, sms: false }] }), 200);
	const r = await bob.post('/api/v1/reminders', { note: `silent ${M}`, remind_at: soon() });
	expectStatus(r, 201);
	await until(async () => (await bob.getJson('/api/v1/reminders?pending=false')).data.find((x) => x.id === r.json.id), 15000, 'the reminder fired');
	assert.ok(!(await bob.getJson('/api/v1/notifications')).data.some((n) => n.title.includes(`silent ${M}`)));
	expectStatus(await bob.put('/api/v1/notifications/preferences', { data: [{ event: 'reminder', in_app: true, mail: false, sms: false }] }), 200);
});

test('reminders: of a readable record with a link, deleted ones never fire, bad input named', async () => {
	const task = await bob.create('tasks', { subject: `交船前检查 ${M}`, status: 'open' });
	const r = await bob.post('/api/v1/reminders', { note: `检查 ${M}`, remind_at: soon(), entity: 'tasks', id: task.id });
	expectStatus(r, 201);
	assert.equal(r.json.entity, 'tasks');
	const n = await until(async () => (await bob.getJson('/api/v1/notifications')).data.find((x) => x.title.includes(`检查 ${M}`)), 15000, 'the notification');
	assert.equal(n.entity, 'tasks');
	assert.equal(n.record_id, task.id);
	assert.equal(n.body, `检查 ${M}`, 'the brief line under the title: no greeting, no link');

	// A record carol cannot read: as if it did not exist.
	expectStatus(await carol.post('/api/v1/reminders', { note: 'x', remind_at: soon(), entity: 'tasks', id: task.id }), 404);
	expectProblem(await bob.post('/api/v1/reminders', { note: '', remind_at: 'tomorrow', entity: 'ships', colour: 1 }), 422, 'validation_failed', ['note', 'remind_at', 'entity', 'colour']);
	expectProblem(await bob.post('/api/v1/reminders', { note: 'x', remind_at: soon(), id: task.id }), 422, 'validation_failed', [['entity', 'required']]);

	// Deleted before its time: its job finds nothing to send.
	const later = await bob.post('/api/v1/reminders', { note: `cancelled ${M}`, remind_at: new Date(Date.now() + 1500).toISOString() });
	expectStatus(later, 201);
	expectStatus(await alice.del(`/api/v1/reminders/${later.json.id}`), 404);
	expectStatus(await bob.del(`/api/v1/reminders/${later.json.id}`), 204);
	await sleep(2500);
	assert.ok(!(await bob.getJson('/api/v1/notifications')).data.some((x) => x.title.includes(`cancelled ${M}`)));
	assert.ok(!(await bob.getJson('/api/v1/reminders')).data.some((x) => x.id === later.json.id));
});

test('jobs: listed with labels; schedule checked, paused, run now, history kept', async () => {
	expectStatus(await bob.get('/api/v1/jobs'), 403);
	const recurring = (await admin.getJson('/api/v1/jobs?kind=recurring')).data;
	const purge = recurring.find((j) => j.handler === 'maintenance.purge');
	assert.ok(purge && purge.schedule && purge.label);
	for (const schedule of ['every day', '61 * * * *', '0 0 30 2 *', '@every 0s'])
		expectProblem(await admin.patch(`/api/v1/jobs/${purge.id}`, { schedule }), 422, 'validation_failed', [['schedule', 'invalid_schedule']]);
	expectProblem(await admin.patch(`/api/v1/jobs/${purge.id}`, { colour: 'red' }), 422, 'validation_failed', ['colour']);
	let res = await admin.patch(`/api/v1/jobs/${purge.id}`, { schedule: '30 2 * * *', paused: true });
	expectStatus(res, 200);
	assert.equal(res.json.state, 'paused');
	assert.equal(res.json.schedule, '30 2 * * *');
	// 02:30 in Shanghai is 18:30 UTC.
	assert.match(res.json.next_run_at, /T18:30:00\.000Z$/);
	res = await admin.patch(`/api/v1/jobs/${purge.id}`, { paused: false });
	assert.equal(res.json.state, 'scheduled');

	const runsBefore = (await admin.getJson(`/api/v1/jobs/${purge.id}/runs`)).data.length;
	expectStatus(await admin.post(`/api/v1/jobs/${purge.id}/run`), 200);
	const runs = await until(async () => {
		const r = (await admin.getJson(`/api/v1/jobs/${purge.id}/runs`)).data;
		return r.length > runsBefore && r[0].status !== 'running' ? r : null;
	}, 15000, 'the purge run');
	assert.equal(runs[0].status, 'ok');
	assert.equal(runs[0].message, 'purged');
	const after = (await admin.getJson('/api/v1/jobs?kind=recurring')).data.find((j) => j.id === purge.id);
	assert.equal(after.last_status, 'ok');
	assert.ok(Date.parse(after.next_run_at) > Date.now(), 'the next time is set again');
	expectStatus(await admin.patch(`/api/v1/jobs/${purge.id}`, { schedule: '17 * * * *' }), 200);

	// A one-off job has no schedule; an unknown one is 404.
	const once = (await admin.getJson('/api/v1/jobs?kind=once&limit=1')).data[0];
	const r2 = await admin.patch(`/api/v1/jobs/${once.id}`, { schedule: '@daily' });
	expectProblem(r2, 409, 'conflict', [['schedule', 'not_recurring']]);
	expectStatus(await admin.post('/api/v1/jobs/99999999/run'), 404);
	expectProblem(await admin.get('/api/v1/jobs?kind=sometimes'), 400, 'bad_request', ['kind']);
});

test('templates: an override in both languages is used, then reset to the built-in text', async () => {
	const list = (await admin.getJson('/api/v1/message-templates')).data;
	const t = list.find((x) => x.key === 'reminder');
	assert.deepEqual(t.variables, ['user', 'note', 'link']);
	assert.equal(t['zh-CN'].overridden, false);
	expectProblem(await admin.put('/api/v1/message-templates/reminder', { 'zh-CN': { subject: 'a\nb' }, fr: {} }), 422, 'validation_failed', [
		['zh-CN.subject', 'invalid_text'],
		['zh-CN.text', 'required'],
		['fr', 'unknown_field'],
	]);
	expectStatus(await admin.put('/api/v1/message-templates/nothing', { en: { subject: 'x', text: 'y' } }), 404);
	const res = await admin.put('/api/v1/message-templates/reminder', {
		'zh-CN': { subject: '【星盘】{{note}}', text: '{{user}}：{{note}}' },
		en: { subject: '[Sextant] {{note}}', text: '{{user}}: {{note}}' },
	});
	expectStatus(res, 200);
	assert.equal(res.json['zh-CN'].overridden, true);
	expectStatus(await bob.post('/api/v1/reminders', { note: `tpl ${M}`, remind_at: soon() }), 201);
	const n = await until(async () => (await bob.getJson('/api/v1/notifications')).data.find((x) => x.title.includes(`tpl ${M}`)), 15000, 'the notification');
	assert.equal(n.title, `【星盘】tpl ${M}`);
	assert.equal(n.body, `Bob ${M}：tpl ${M}`, 'an override without a brief line shows its text');
	const withBrief = await admin.put('/api/v1/message-templates/reminder', { en: { subject: '[S] {{note}}', text: 'x', brief: '⏰ {{note}}' } });
	expectStatus(withBrief, 200);
	assert.equal(withBrief.json.en.brief, '⏰ {{note}}');
	assert.equal(withBrief.json['zh-CN'].overridden, true, 'the other language kept');
	expectStatus(await admin.del('/api/v1/message-templates/reminder'), 204);
	const back = (await admin.getJson('/api/v1/message-templates')).data.find((x) => x.key === 'reminder');
	assert.equal(back['zh-CN'].overridden, false);
	assert.equal(back['zh-CN'].subject, '提醒：{{note}}');
});

/* Unfold an iCalendar text (RFC 5545 3.1) into lines. */
const unfold = (text) => text.replace(/\r\n[ \t]/g, '').split('\r\n');

test('calendar feed: a secret URL with tasks and reminders, made again, turned off', async () => {
	assert.deepEqual(await bob.getJson('/api/v1/auth/me/calendar'), { enabled: false, created_at: null });
	const due = new Date(Date.now() + 2 * 86400000);
	due.setUTCSeconds(0, 0);
	const remindAt = new Date(due.getTime() - 3600000);
	const task = await bob.create('tasks', { subject: `海试：游艇 ${M}, 第二天`, status: 'open', due_at: due.toISOString(), remind_at: remindAt.toISOString() });
	const note = `报价跟进 ${M}`;
	expectStatus(await bob.post('/api/v1/reminders', { note, remind_at: new Date(Date.now() + 86400000).toISOString() }), 201);

	const made = await bob.post('/api/v1/auth/me/calendar');
	expectStatus(made, 201);
	assert.match(made.json.url, /\/api\/v1\/calendar\/[A-Za-z0-9_-]{40,}\.ics$/);
	const path = new URL(made.json.url).pathname;
	const feed = await request('GET', path);
	expectStatus(feed, 200);
	assert.match(feed.headers.get('content-type'), /^text\/calendar/);
	const lines = unfold(feed.text);
	assert.equal(lines[0], 'BEGIN:VCALENDAR');
	assert.ok(lines.includes('VERSION:2.0'));
	const start = lines.indexOf(`UID:tasks-${task.id}@sextant`);
	assert.ok(start > 0, 'the task is in the feed');
	const event = lines.slice(lines.lastIndexOf('BEGIN:VEVENT', start), lines.indexOf('END:VEVENT', start) + 1);
	const fmt = (d) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
	assert.ok(event.includes(`DTSTART:${fmt(due)}`), event.join('\n'));
	assert.ok(event.some((l) => l === `SUMMARY:海试：游艇 ${M}\\, 第二天`), 'text escaped, folded lines joined');
	assert.ok(event.some((l) => l.startsWith('TRIGGER;VALUE=DATE-TIME:') && l.endsWith(fmt(remindAt))));
	assert.ok(lines.some((l) => l === `SUMMARY:${note}`), 'the reminder is in the feed');
	assert.ok(feed.text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75));
	// Nobody else's tasks.
	const aliceTask = await alice.create('tasks', { subject: `alice only ${M}`, status: 'open', due_at: due.toISOString() });
	const again = await request('GET', path);
	assert.ok(!again.text.includes(`tasks-${aliceTask.id}@`));

	// A new URL ends the old one; turned off, none works; a guess is 404.
	const remade = await bob.post('/api/v1/auth/me/calendar');
	expectStatus(remade, 201);
	expectStatus(await request('GET', path), 404);
	expectStatus(await request('GET', new URL(remade.json.url).pathname), 200);
	expectStatus(await bob.del('/api/v1/auth/me/calendar'), 204);
	expectStatus(await request('GET', new URL(remade.json.url).pathname), 404);
	expectStatus(await request('GET', '/api/v1/calendar/not-a-token.ics'), 404);
	assert.equal((await bob.getJson('/api/v1/auth/me/calendar')).enabled, false);
});

test('overdue tasks are escalated once to the owner\'s superior, again only for a new due time', async () => {
	const mk = async (name, extra = {}) => {
		const res = await admin.post('/api/v1/users', { must_change_password: false, username: `${name}_${M}`, password, roles: ['salesperson'], display_name: `${name} ${M}`, ...extra });
		expectStatus(res, 201);
		return { id: res.json.id, client: await login(`${name}_${M}`, password) };
	};
	const boss = await mk('boss');
	const worker = await mk('worker', { superior_id: boss.id });
	const late = await worker.client.create('tasks', { subject: `回访逾期 ${M}`, status: 'open', due_at: new Date(Date.now() - 3600000).toISOString() });
	const done = await worker.client.create('tasks', { subject: `已完成 ${M}`, status: 'done', due_at: new Date(Date.now() - 3600000).toISOString() });
	const runAndWait = () => runJob(admin, 'tasks.escalate');
	const told = async (task) => (await boss.client.getJson('/api/v1/notifications')).data.filter((n) => n.event === 'task.overdue' && n.record_id === task.id);
	await runAndWait();
	const first = await told(late);
	assert.equal(first.length, 1);
	assert.match(first[0].title, new RegExp(`worker ${M}`));
	assert.equal((await told(done)).length, 0, 'a done task is not escalated');
	await runAndWait();
	assert.equal((await told(late)).length, 1, 'escalated once');
	// A new due time, missed again: escalated again.
	const moved = await worker.client.patch(`/api/v1/tasks/${late.id}`, { due_at: new Date(Date.now() - 1800000).toISOString() }, { headers: { 'If-Match': String(late.version) } });
	expectStatus(moved, 200);
	await runAndWait();
	assert.equal((await told(late)).length, 2);
	// The worker is not told of their own task's escalation.
	assert.equal((await worker.client.getJson('/api/v1/notifications')).data.filter((n) => n.event === 'task.overdue').length, 0);
});

test('a manager\'s team view: @me and @team in user filters, through the chain of superiors', async () => {
	const mk = async (name, extra = {}) => {
		const res = await admin.post('/api/v1/users', { must_change_password: false, username: `${name}_${M}`, password, roles: ['salesperson'], display_name: `${name} ${M}`, ...extra });
		expectStatus(res, 201);
		return { id: res.json.id, client: await login(`${name}_${M}`, password) };
	};
	const lead = await mk('teamlead', { superior_id: admin.user.id });
	const member = await mk('member', { superior_id: lead.id });
	const outsider = await mk('outsider');
	const tag = `team ${M}`;
	for (const who of [lead, member, outsider]) await who.client.create('tasks', { subject: `${tag} ${who.id}`, status: 'open' });
	await admin.create('tasks', { subject: `${tag} admin`, status: 'open' });
	const owners = async (client, q) => (await client.getJson(`/api/v1/tasks?subject__like=${encodeURIComponent(tag)}&${q}`)).data.map((t) => t.owner_id).sort((a, b) => a - b);
	assert.deepEqual(await owners(admin, 'owner_id=@team'), [admin.user.id, lead.id, member.id].sort((a, b) => a - b));
	assert.deepEqual(await owners(admin, 'owner_id=@me'), [admin.user.id]);
	assert.deepEqual(await owners(admin, `owner_id__in=@me,${outsider.id}`), [admin.user.id, outsider.id].sort((a, b) => a - b));
	// The team view narrows what the caller may read; it grants nothing.
	assert.deepEqual(await owners(lead.client, 'owner_id=@team'), [lead.id]);
	expectProblem(await admin.get('/api/v1/tasks?owner_id=@boss'), 400, 'bad_request', ['owner_id']);
	expectProblem(await admin.get('/api/v1/tasks?owner_id__ne=@team'), 400, 'bad_request', ['owner_id__ne']);
});
