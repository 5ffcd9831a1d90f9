// Many nodes, one database: a cluster of its own (a fresh database, only its nodes' workers).
// A node killed in the middle of sending a mail (the SMTP server stalls it): the message is
// neither lost nor sent twice — another node sends it once the lease runs out. Three nodes
// racing for one-off jobs (reminders) and a recurring job (task reminders every second): every
// job runs once, no two runs of the recurring job overlap, and nobody is told twice.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, marker, expectStatus, startSmtp, startCluster, until, sleep } from './lib.mjs';

const M = marker('t25');
const FLAGS = ['--worker-poll', '100', '--outbox-timeout', '2', '--outbox-backoff', '1', '--outbound-hosts', '127.0.0.1'];
const clusters = [];
let smtp;

after(async () => {
	for (const c of clusters) await c.stopAll();
	await smtp?.stop();
});

async function adminOf(cluster, i = 0) {
	const c = new Client(cluster.nodes[i].base);
	await c.login('admin', cluster.adminPassword);
	return c;
}

test('a node killed mid-send: the message is sent once, by another node', async () => {
	smtp = await startSmtp({ stallRcpt: 60 });
	const cluster = await startCluster(2, FLAGS, 't25-kill');
	clusters.push(cluster);
	const admin = await adminOf(cluster);
	expectStatus(await admin.put('/api/v1/settings/mail', { url: `smtp://127.0.0.1:${smtp.port}`, tls: 'none', from_address: 'crm@sextant.example' }), 200);
	const to = `kill-${M}@example.com`;
	const res = await admin.post('/api/v1/settings/mail/test', { to });
	expectStatus(res, 202);
	const id = res.json.outbox_id;

	// Some node has it, and is stuck in the SMTP conversation.
	const leased = await until(async () => {
		const m = await admin.getJson(`/api/v1/outbox/${id}`);
		return m.lease_owner ? m : null;
	}, 10000, 'a node taking the message');
	const pid = Number(leased.lease_owner.split(':').pop());
	const victim = cluster.nodes.findIndex((n) => n.pid === pid);
	assert.ok(victim >= 0, `the lease owner ${leased.lease_owner} is one of the nodes`);
	await sleep(300);
	await cluster.nodes[victim].kill();

	// The server never accepted it: the conversation died at RCPT. Back without the stall.
	const port = smtp.port;
	await smtp.stop();
	smtp = await startSmtp({ port, dir: smtp.dir });
	const survivor = await adminOf(cluster, 1 - victim);
	const sent = await until(async () => {
		const m = await survivor.getJson(`/api/v1/outbox/${id}`);
		return m.state === 'sent' ? m : null;
	}, 30000, 'the message sent by the other node');
	assert.equal(sent.attempts, 2, 'the killed attempt counts, its log line never came');
	assert.equal(sent.attempts_log.length, 1);
	assert.notEqual(sent.attempts_log[0].node, leased.lease_owner);
	await sleep(1000);
	assert.equal(smtp.messages().filter((m) => m.envelope_to.includes(to)).length, 1, 'exactly one delivery');
});

test('three nodes racing: each job runs once, recurring runs never overlap, nobody told twice', async () => {
	const cluster = await startCluster(3, FLAGS, 't25-race');
	clusters.push(cluster);
	const admin = await adminOf(cluster);

	// One-off jobs: 60 reminders due now, made through all three nodes.
	const clients = [admin, await adminOf(cluster, 1), await adminOf(cluster, 2)];
	const notes = [];
	for (let i = 0; i < 60; i++) {
		const note = `reminder ${i} ${M}`;
		notes.push(note);
		expectStatus(await clients[i % 3].post('/api/v1/reminders', { note, remind_at: new Date(Date.now() + 500).toISOString() }), 201);
	}
	// Recurring: task reminders every second, over 20 tasks whose reminder time has come.
	const jobs = await admin.getJson('/api/v1/jobs?kind=recurring');
	const remind = jobs.data.find((j) => j.handler === 'tasks.remind');
	expectStatus(await admin.patch(`/api/v1/jobs/${remind.id}`, { schedule: '@every 1s' }), 200);
	for (let i = 0; i < 20; i++)
		await admin.create('tasks', {
			subject: `task ${i} ${M}`,
			status: 'open',
			due_at: new Date(Date.now() + 86400000).toISOString(),
			remind_at: new Date(Date.now() - 60000).toISOString(),
		});

	const all = async () => {
		const rows = [];
		let cursor = null;
		do {
			const page = await admin.getJson(`/api/v1/notifications?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
			rows.push(...page.data);
			cursor = page.next_cursor;
		} while (cursor);
		return rows;
	};
	await until(async () => {
		const n = await all();
		return n.filter((x) => x.event === 'reminder').length >= 60 && n.filter((x) => x.event === 'task.reminder').length >= 20;
	}, 30000, 'every reminder');
	await sleep(3000); // further runs of the recurring job, which must find nothing new

	const got = await all();
	for (const note of notes) assert.equal(got.filter((n) => n.title.includes(note)).length, 1, `'${note}' told once`);
	const tasks = got.filter((n) => n.event === 'task.reminder');
	assert.equal(tasks.length, 20, 'each task reminded once');
	assert.equal(new Set(tasks.map((n) => n.record_id)).size, 20);

	// Every one-off job ran once, and done.
	const once = await admin.getJson('/api/v1/jobs?kind=once&limit=200');
	const fires = once.data.filter((j) => j.handler === 'reminders.fire');
	assert.equal(fires.length, 60);
	const nodes = new Set();
	for (const j of fires) {
		assert.equal(j.state, 'done', `job ${j.id}`);
		assert.equal(j.next_run_at, null, 'a finished one-off job has no next time');
		const runs = await admin.getJson(`/api/v1/jobs/${j.id}/runs`);
		assert.equal(runs.data.length, 1, `job ${j.id} ran once`);
		assert.equal(runs.data[0].status, 'ok');
		nodes.add(runs.data[0].node);
	}
	console.log(`# one-off jobs ran on ${nodes.size} node(s)`);

	// The recurring job's runs: at least several, each its own occurrence, none overlapping.
	const runs = (await admin.getJson(`/api/v1/jobs/${remind.id}/runs?limit=200`)).data.filter((r) => r.status !== 'running');
	assert.ok(runs.length >= 3, `ran ${runs.length} times`);
	assert.equal(new Set(runs.map((r) => r.scheduled_for)).size, runs.length);
	const spans = runs.map((r) => [Date.parse(r.started_at), Date.parse(r.finished_at)]).sort((a, b) => a[0] - b[0]);
	for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], `run ${i} began before run ${i - 1} ended`);
	console.log(`# the recurring job ran ${runs.length} times on ${new Set(runs.map((r) => r.node)).size} node(s)`);
});
