// Health, readiness, metrics, the OpenAPI document (validated by a real linter, and checked
// against what the server really answers), and a second node with other limits on the same
// database: capped totals, a smaller body limit, shared sessions and model changes, and a
// graceful stop on SIGTERM with a request in flight; long requests (imports) on their own
// threads: other requests go on beside them, a stop finishes them, a full queue refuses more.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { env, request, rawRequest, loginAdmin, loginAlice, Client, expectProblem, expectStatus, marker, startServer, sanitizerErrors, parseCsv, sleep } from './lib.mjs';

let admin;
const M = marker('t08');

before(async () => {
	admin = await loginAdmin();
});

test('the command line: help by name and as --help or -h lists the commands; an unknown command is refused', () => {
	for (const arg of ['help', '--help', '-h']) {
		const r = spawnSync(env.bin, [arg], { encoding: 'utf8' });
		assert.equal(r.status, 0, `sextant ${arg}: ${r.stderr}`);
		const text = r.stdout + r.stderr;
		for (const cmd of ['serve', 'migrate', 'demo', 'user', 'import', 'version'])
			assert.match(text, new RegExp(`^  ${cmd} `, 'm'), `sextant ${arg} lists ${cmd}`);
		assert.match(text, /--db\s+SEXTANT_DB/);
	}
	const bad = spawnSync(env.bin, ['frobnicate'], { encoding: 'utf8' });
	assert.equal(bad.status, 2);
	assert.match(bad.stderr, /unknown command 'frobnicate'/);
	const v = spawnSync(env.bin, ['version'], { encoding: 'utf8' });
	assert.equal(v.status, 0);
	assert.match(v.stdout, /^sextant \d+\.\d+\.\d+/);
});

test('/healthz answers 200 without a session', async () => {
	const res = await request('GET', '/healthz');
	expectStatus(res, 200);
	assert.deepEqual(res.json, { status: 'ok' });
	assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
	assert.equal(res.headers.get('x-frame-options'), 'DENY');
	assert.match(res.headers.get('x-request-id') || '', /^[0-9a-f]{8,}$/);
	const again = await request('GET', '/healthz');
	assert.notEqual(again.headers.get('x-request-id'), res.headers.get('x-request-id'), 'every request has its own id');
});

test('/readyz answers 200 when the database answers', async () => {
	const res = await request('GET', '/readyz');
	expectStatus(res, 200);
	assert.deepEqual(res.json, { status: 'ready', database: true });
});

function parseMetrics(text) {
	const samples = [];
	for (const line of text.split('\n')) {
		if (!line || line.startsWith('#')) continue;
		const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? ([0-9.eE+-]+|NaN|\+Inf)$/.exec(line);
		assert.ok(m, `not a Prometheus sample line: ${line}`);
		const labels = {};
		for (const l of (m[2] || '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) labels[l[1]] = l[2];
		samples.push({ name: m[1], labels, value: Number(m[3]) });
	}
	return samples;
}

test('/metrics is Prometheus text with request counters and latency histograms', async () => {
	// Some traffic of known kinds first.
	await admin.getJson('/api/v1/customers?limit=1');
	await admin.create('customers', { name: `指标 ${M}` });
	await admin.get('/api/v1/customers?limit=0');
	// A request is counted when MHD reports it complete, just after its answer went out: the
	// client can ask for /metrics a moment before that, so look again briefly.
	const countOf = (samples, route, status) =>
		samples.find((x) => x.name === 'sextant_http_requests_total' && x.labels.route === route && x.labels.status === status)?.value ?? 0;
	let res;
	for (const deadline = Date.now() + 3000; ; await sleep(50)) {
		res = await request('GET', '/metrics');
		expectStatus(res, 200);
		if (countOf(parseMetrics(res.text), 'entity.list', '4xx') > 0 || Date.now() > deadline) break;
	}
	assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
	assert.match(res.text, /^# TYPE sextant_http_requests_total counter$/m);
	assert.match(res.text, /^# TYPE sextant_http_request_duration_seconds histogram$/m);
	const s = parseMetrics(res.text);
	const count = (route, status) => countOf(s, route, status);
	assert.ok(count('entity.list', '2xx') > 0, 'lists were counted');
	assert.ok(count('entity.create', '2xx') > 0);
	assert.ok(count('entity.list', '4xx') > 0, 'refused requests are counted by class');
	assert.ok(s.some((x) => x.name === 'sextant_http_request_duration_seconds_bucket'));
	// Buckets are cumulative and end in +Inf = _count, per route.
	const routes = new Set(s.filter((x) => x.name === 'sextant_http_request_duration_seconds_bucket').map((x) => x.labels.route));
	for (const route of routes) {
		const b = s.filter((x) => x.name === 'sextant_http_request_duration_seconds_bucket' && x.labels.route === route);
		for (let i = 1; i < b.length; i++) assert.ok(b[i].value >= b[i - 1].value, `buckets of ${route} are cumulative`);
		assert.equal(b[b.length - 1].labels.le, '+Inf');
		const c = s.find((x) => x.name === 'sextant_http_request_duration_seconds_count' && x.labels.route === route);
		assert.equal(c.value, b[b.length - 1].value, `${route}: +Inf bucket = _count`);
	}
	const before = count('healthz', '2xx');
	for (let i = 0; i < 3; i++) await request('GET', '/healthz');
	let now;
	for (const deadline = Date.now() + 3000; ; await sleep(50)) {
		now = countOf(parseMetrics((await request('GET', '/metrics')).text), 'healthz', '2xx');
		if (now >= before + 3 || Date.now() > deadline) break;
	}
	assert.ok(now >= before + 3, `healthz counted: ${before} → ${now}`);
});

/* ---- OpenAPI ---- */

let doc;
test('GET /api/v1/openapi.json passes the Redocly linter with no errors', async () => {
	const res = await admin.get('/api/v1/openapi.json');
	expectStatus(res, 200);
	assert.match(res.headers.get('content-type'), /^application\/json/);
	doc = res.json;
	assert.match(doc.openapi, /^3\.[01]\.\d+$/);
	assert.ok(doc.info?.title && doc.info?.version);
	const file = path.join(env.tmp, `openapi-${env.db}.json`);
	fs.writeFileSync(file, res.text);
	const root = process.env.SEXTANT_TEST_ROOT || process.cwd();
	const bin = path.join(root, 'tests/node_modules/.bin/redocly');
	assert.ok(fs.existsSync(bin), 'the linter is installed (run.mjs runs npm ci in tests/)');
	const r = spawnSync(bin, ['lint', file, '--extends=minimal', '--format=json'], {
		encoding: 'utf8',
		env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
		timeout: 120000,
	});
	let report;
	try {
		report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
	} catch {
		assert.fail(`the linter printed no report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
	}
	const errors = report.problems.filter((p) => p.severity === 'error');
	assert.deepEqual(
		errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`),
		[],
		'the OpenAPI document has lint errors',
	);
	assert.equal(report.totals.errors, 0);
	assert.equal(r.status, 0, `redocly lint exited ${r.status}`);
});

/* A small JSON Schema checker for what the document uses. */
function check(schema, value, where, errs, depth = 0) {
	if (depth > 30) return;
	if (schema.$ref) {
		const target = schema.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o?.[k], doc);
		assert.ok(target, `unresolved ${schema.$ref}`);
		return check(target, value, where, errs, depth + 1);
	}
	if (schema.anyOf) {
		const ok = schema.anyOf.some((s) => {
			const e = [];
			check(s, value, where, e, depth + 1);
			return e.length === 0;
		});
		if (!ok) errs.push(`${where}: matches no anyOf branch: ${JSON.stringify(value)}`);
		return;
	}
	if (schema.type) {
		const types = Array.isArray(schema.type) ? schema.type : [schema.type];
		const t = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
		const ok = types.includes(t) || (t === 'integer' && types.includes('number'));
		if (!ok) return errs.push(`${where}: ${JSON.stringify(value)} is not ${types.join('|')}`);
	}
	if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errs.push(`${where}: ${JSON.stringify(value)} not in enum`);
	if (value === null) return;
	if (typeof value === 'string') {
		if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errs.push(`${where}: longer than ${schema.maxLength}`);
		if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errs.push(`${where}: ${value} does not match ${schema.pattern}`);
	}
	if (typeof value === 'number') {
		if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${where}: below ${schema.minimum}`);
		if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${where}: above ${schema.maximum}`);
	}
	if (Array.isArray(value) && schema.items) value.forEach((v, i) => check(schema.items, v, `${where}[${i}]`, errs, depth + 1));
	if (value && typeof value === 'object' && !Array.isArray(value)) {
		for (const r of schema.required || []) if (!(r in value)) errs.push(`${where}: required ${r} missing`);
		for (const [k, v] of Object.entries(value)) {
			if (schema.properties?.[k]) check(schema.properties[k], v, `${where}.${k}`, errs, depth + 1);
			else if (schema.additionalProperties === false) errs.push(`${where}: ${k} is not in the schema`);
		}
	}
}

function conforms(schema, value, what) {
	const errs = [];
	check(schema, value, what, errs);
	assert.deepEqual(errs, [], `${what} does not conform to the OpenAPI document`);
}

test('the OpenAPI document describes what the server really answers', async () => {
	assert.ok(doc, 'the document was fetched');
	const meta = await admin.getJson('/api/v1/meta');
	for (const e of meta.entities) {
		for (const p of [`/api/v1/${e.name}`, `/api/v1/${e.name}/{id}`, `/api/v1/${e.name}/export`, `/api/v1/${e.name}/import`, `/api/v1/${e.name}/bulk-update`, `/api/v1/${e.name}/{id}/restore`])
			assert.ok(doc.paths[p], `${p} is documented`);
		for (const rel of e.relations) assert.ok(doc.paths[`/api/v1/${e.name}/{id}/${rel.name}`], `related list ${e.name}/${rel.name} is documented`);
		// The record schema has exactly the visible fields, custom ones included.
		const getOp = doc.paths[`/api/v1/${e.name}/{id}`].get;
		let schema = getOp.responses['200'].content['application/json'].schema;
		const ref = schema.$ref;
		schema = ref.replace(/^#\//, '').split('/').reduce((o, k) => o[k], doc);
		assert.deepEqual(Object.keys(schema.properties).sort(), e.fields.map((f) => f.name).sort(), `${ref} lists the fields of ${e.name}`);
	}
	for (const p of ['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/me', '/api/v1/auth/sessions', '/api/v1/auth/sessions/{id}', '/api/v1/auth/tokens', '/api/v1/auth/tokens/{id}', '/api/v1/meta', '/api/v1/audit', '/healthz', '/readyz', '/metrics', '/api/v1/org-units', '/api/v1/org-units/{unit_id}', '/api/v1/users', '/api/v1/users/{user_id}', '/api/v1/users/{user_id}/password', '/api/v1/users/{user_id}/unlock', '/api/v1/users/{user_id}/sessions', '/api/v1/roles', '/api/v1/roles/{key}', '/api/v1/roles/{key}/permissions', '/api/v1/customers/{id}/shares', '/api/v1/customers/{id}/shares/{share_id}', '/api/v1/auth/password', '/api/v1/auth/totp/setup', '/api/v1/auth/totp/confirm', '/api/v1/auth/totp', '/api/v1/security-policy', '/api/v1/audit/export', '/api/v1/users/{user_id}/totp', '/api/v1/announcements', '/api/v1/announcements/{announcement_id}', '/api/v1/oidc/clients', '/api/v1/views', '/api/v1/views/{view_id}', '/api/v1/recent', '/api/v1/customers/{id}/history', '/api/v1/customers/{id}/files', '/api/v1/files/{file_id}', '/api/v1/files/{file_id}/versions'])
		assert.ok(doc.paths[p], `${p} is documented`);
	const listSchema = (p) => doc.paths[p].get.responses['200'].content['application/json'].schema;
	conforms(listSchema('/api/v1/org-units'), await admin.getJson('/api/v1/org-units'), 'the organisation');
	conforms(listSchema('/api/v1/users'), await admin.getJson('/api/v1/users'), 'the user directory');
	conforms(listSchema('/api/v1/roles'), await admin.getJson('/api/v1/roles'), 'the roles');
	expectStatus(await admin.post('/api/v1/announcements', { title: `文档 ${M}`, body: '正文', org_unit_ids: [] }), 201);
	conforms(listSchema('/api/v1/announcements'), await admin.getJson('/api/v1/announcements?all=true'), 'the announcements');
	conforms(doc.paths['/api/v1/auth/sessions'].get.responses['200'].content['application/json'].schema, await admin.getJson('/api/v1/auth/sessions'), 'the session list');
	const tokenRes = await admin.post('/api/v1/auth/tokens', { name: `openapi ${M}` });
	conforms(doc.paths['/api/v1/auth/tokens'].post.responses['201'].content['application/json'].schema, tokenRes.json, 'a new API token');
	conforms(doc.paths['/api/v1/auth/tokens'].get.responses['200'].content['application/json'].schema, await admin.getJson('/api/v1/auth/tokens'), 'the token list');
	// Real answers against their documented schemas: records with every kind of value.
	const has = (name) => meta.entities.find((e) => e.name === 'customers').fields.some((f) => f.name === name);
	const cust = await admin.create('customers', {
		name: `文档 ${M}`,
		level: 'a',
		registered_capital: { amount: 100, currency: 'USD' },
		founded_on: '2020-01-01',
		staff_total: 5,
		phone: '13800001111',
		email: 'doc@example.cn',
		website: 'example.cn',
		superior_authority: M,
		...(has('c_v_tags') ? { c_v_tags: ['x'], c_v_when: '2024-01-01T00:00:00Z', c_v_flag: true, c_v_ratio: '1.5' } : {}),
		...(has('c_budget') ? { c_budget: '10.5' } : {}),
	});
	const custSchema = (p, code = '200') => doc.paths[p].get.responses[code].content['application/json'].schema;
	conforms(custSchema('/api/v1/customers/{id}'), await admin.getJson(`/api/v1/customers/${cust.id}`), 'a customer');
	conforms(custSchema('/api/v1/customers'), await admin.getJson(`/api/v1/customers?superior_authority=${M}`), 'a customer list');
	const ct = await admin.create('contacts', { name: '文档联系人', customer_id: cust.id, gender: 'female', birthday: '1990-01-01' });
	conforms(custSchema('/api/v1/contacts/{id}'), ct, 'a contact');
	const task = await admin.create('tasks', { subject: '文档任务', customer_id: cust.id, due_at: '2026-12-01T02:00:00Z' });
	conforms(custSchema('/api/v1/tasks/{id}'), task, 'a task');
	const act = await admin.create('activities', { subject: '文档跟进', kind: 'call', occurred_at: '2026-11-01T02:00:00Z', customer_id: cust.id, contact_id: ct.id });
	conforms(custSchema('/api/v1/activities/{id}'), act, 'an activity');
	conforms(custSchema('/api/v1/customers/{id}/summary'), await admin.getJson(`/api/v1/customers/${cust.id}/summary`), 'a 360° summary');
	conforms(custSchema('/api/v1/customers/{id}/timeline'), await admin.getJson(`/api/v1/customers/${cust.id}/timeline`), 'a 360° timeline');
	conforms(custSchema('/api/v1/customers/{id}/loyalty'), await admin.getJson(`/api/v1/customers/${cust.id}/loyalty`), 'a loyalty score');
	expectStatus(await admin.post(`/api/v1/customers/${cust.id}/release`, { reason: '文档' }), 200);
	conforms(custSchema('/api/v1/customers/pool'), await admin.getJson(`/api/v1/customers/pool?superior_authority=${M}`), 'the pool');
	// Someone else claims it: who gave it up may not take it back at once.
	const claimed = await (await loginAlice()).post(`/api/v1/customers/${cust.id}/claim`);
	expectStatus(claimed, 200);
	conforms(doc.paths['/api/v1/customers/{id}/claim'].post.responses['200'].content['application/json'].schema, claimed.json, 'a claimed customer');
	conforms(custSchema('/api/v1/customers/{id}/moves'), await admin.getJson(`/api/v1/customers/${cust.id}/moves`), 'the moves of a customer');
	const relation = await admin.create('contact_relations', { contact_id: ct.id, relation: 'spouse', name: '文档家属', phone: '13900001111' });
	const plan = await admin.create('contact_plans', { subject: '文档计划', customer_id: cust.id, contact_id: ct.id, starts_on: '2027-01-01', touches: 1 });
	conforms(custSchema('/api/v1/contact_plans/{id}'), plan, 'a contact plan');
	const news = await admin.create('contact_updates', { subject: '文档动态', customer_id: cust.id, contact_id: ct.id, happened_on: '2026-01-01' });
	conforms(custSchema('/api/v1/contact_updates/{id}'), news, 'a contact update');
	conforms(custSchema('/api/v1/contact_plans/{id}/progress'), await admin.getJson(`/api/v1/contact_plans/${plan.id}/progress`), 'a plan\'s progress');
	conforms(custSchema('/api/v1/contacts/{id}/closeness'), await admin.getJson(`/api/v1/contacts/${ct.id}/closeness`), 'a contact\'s closeness');
	conforms(custSchema('/api/v1/contacts/birthdays'), await admin.getJson('/api/v1/contacts/birthdays?days=366'), 'coming birthdays');
	conforms(custSchema('/api/v1/contacts/{id}/personal-data'), await admin.getJson(`/api/v1/contacts/${ct.id}/personal-data`), 'a person\'s data');
	conforms(custSchema('/api/v1/contact_relations/{id}'), relation, 'a related person');
	conforms(custSchema('/api/v1/customers/{id}/network'), await admin.getJson(`/api/v1/customers/${cust.id}/network`), 'a customer\'s network');
	const lead = await admin.create('leads', { title: '文档需求', customer_id: cust.id, amount: { amount: 100000, currency: 'CNY' } });
	conforms(custSchema('/api/v1/leads/{id}'), lead, 'a lead');
	const visit = await admin.create('return_visits', { subject: '文档回访', scheduled_at: '2027-01-05T02:00:00Z', customer_id: cust.id, lead_id: lead.id });
	conforms(custSchema('/api/v1/return_visits/{id}'), visit, 'a return visit');
	const opp = await admin.create('opportunities', { name: '文档机会', customer_id: cust.id, contact_id: ct.id, amount: { amount: 100000, currency: 'CNY' }, expected_close: '2027-01-31' });
	conforms(custSchema('/api/v1/opportunities/{id}'), opp, 'an opportunity');
	const rival = await admin.create('opportunity_competitors', { opportunity_id: opp.id, competitor: '文档对手', threat: 'high' });
	conforms(custSchema('/api/v1/opportunity_competitors/{id}'), rival, 'a competitor');
	const bid = await admin.create('bids', { title: '文档投标', customer_id: cust.id, opportunity_id: opp.id, deadline: '2027-02-01T02:00:00Z' });
	conforms(custSchema('/api/v1/bids/{id}'), bid, 'a bid');
	const visit2 = await admin.create('visits', { title: '文档拜访', customer_id: cust.id, contact_id: ct.id, opportunity_id: opp.id, planned_at: '2027-02-01T02:00:00Z', budget: { amount: 100000, currency: 'CNY' } });
	conforms(custSchema('/api/v1/visits/{id}'), visit2, 'a visit');
	const service = await admin.create('service_plans', { title: '文档服务计划', customer_id: cust.id, starts_on: '2027-01-01', ends_on: '2027-06-30' });
	conforms(custSchema('/api/v1/service_plans/{id}'), service, 'a service plan');
	const wplan = await admin.create('work_plans', { period: 'week', starts_on: '2027-01-06', goals: '文档' });
	conforms(custSchema('/api/v1/work_plans/{id}'), await admin.getJson(`/api/v1/work_plans/${wplan.id}`), 'a work plan');
	const planItem = await admin.create('work_plan_items', { plan_id: wplan.id, subject: '文档事项', kind: 'visit', customer_id: cust.id });
	conforms(custSchema('/api/v1/work_plan_items/{id}'), planItem, 'a plan item');
	const wreport = await admin.create('work_reports', { period: 'day', starts_on: '2027-01-06' });
	conforms(custSchema('/api/v1/work_reports/{id}'), await admin.getJson(`/api/v1/work_reports/${wreport.id}`), 'a work report');
	const appraisal = await admin.create('appraisals', { employee_id: admin.user.id, period: 'quarter', starts_on: '2027-01-06' });
	conforms(custSchema('/api/v1/appraisals/{id}'), await admin.getJson(`/api/v1/appraisals/${appraisal.id}`), 'an appraisal');
	expectStatus(await admin.post(`/api/v1/customers/${cust.id}/comments`, { body: '文档批注' }), 201);
	conforms(custSchema('/api/v1/customers/{id}/comments'), await admin.getJson(`/api/v1/customers/${cust.id}/comments`), 'the comments of a record');
	conforms(custSchema('/api/v1/opportunities/funnel'), await admin.getJson('/api/v1/opportunities/funnel'), 'the funnel');
	conforms(custSchema('/api/v1/opportunities/conflicts'), await admin.getJson(`/api/v1/opportunities/conflicts?customer_id=${cust.id}`), 'the conflict check');
	conforms(custSchema('/api/v1/opportunities/funnel'), await admin.getJson('/api/v1/opportunities/funnel?product=sport'), 'the funnel from the records');
	for (const by of ['industry', 'size', 'region', 'province', 'source', 'purchase'])
		conforms(custSchema('/api/v1/customers/analysis'), await admin.getJson(`/api/v1/customers/analysis?by=${by}`), `the customers by ${by}`);
	conforms(custSchema('/api/v1/sales/performance'), await admin.getJson('/api/v1/sales/performance'), 'the performance');
	conforms(custSchema('/api/v1/sales/performance/customers'), await admin.getJson(`/api/v1/sales/performance/customers?user=${admin.user.id}`), 'a person\'s part of their customers');
	conforms(custSchema('/api/v1/activities/report'), await admin.getJson('/api/v1/activities/report'), 'the activity report');
	conforms(custSchema(`/api/v1/customers/{id}/contacts`), await admin.getJson(`/api/v1/customers/${cust.id}/contacts`), 'a related list');
	expectStatus(await admin.post(`/api/v1/customers/${cust.id}/shares`, { user_id: admin.user.id, access: 'read' }), 201);
	conforms(custSchema('/api/v1/customers/{id}/shares'), await admin.getJson(`/api/v1/customers/${cust.id}/shares`), 'the shares of a record');
	conforms(custSchema('/api/v1/customers/{id}/history'), await admin.getJson(`/api/v1/customers/${cust.id}/history`), 'a record history');
	const saved = await admin.post('/api/v1/views', { entity: 'customers', name: `文档 ${M}`, query: { level: 'a' }, columns: ['name'] });
	conforms(doc.paths['/api/v1/views'].post.responses['201'].content['application/json'].schema, saved.json, 'a saved view');
	conforms(custSchema('/api/v1/views'), await admin.getJson('/api/v1/views?entity=customers'), 'the saved views');
	expectStatus(await admin.post('/api/v1/recent', { entity: 'customers', id: cust.id }), 204);
	conforms(custSchema('/api/v1/recent'), await admin.getJson('/api/v1/recent'), 'the recent records');
	const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082', 'hex');
	const file = await admin.req('POST', `/api/v1/customers/${cust.id}/files?name=doc.png`, { body: png, headers: { 'Content-Type': 'image/png' } });
	expectStatus(file, 201);
	conforms(doc.paths['/api/v1/customers/{id}/files'].post.responses['201'].content['application/json'].schema, file.json, 'an uploaded file');
	conforms(custSchema('/api/v1/customers/{id}/files'), await admin.getJson(`/api/v1/customers/${cust.id}/files`), 'the files of a record');
	conforms(custSchema('/api/v1/files/{file_id}/versions'), await admin.getJson(`/api/v1/files/${file.json.id}/versions`), 'the versions of a file');
	const problem = await admin.post('/api/v1/customers', { name: '', level: 'zz' });
	const problemSchema = doc.paths['/api/v1/customers'].post.responses['422'];
	const ps = problemSchema.$ref ? problemSchema.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o[k], doc) : problemSchema;
	conforms(ps.content['application/problem+json'].schema, problem.json, 'a problem');
	// Every documented GET of a record or list answers 200 for real.
	for (const [p, item] of Object.entries(doc.paths)) {
		if (!item.get || /\{(?!id\})/.test(p)) continue; // ids of other kinds are tested in their own files
		const of = { contacts: ct.id, tasks: task.id, activities: act.id, contact_relations: relation.id, contact_plans: plan.id, contact_updates: news.id, opportunities: opp.id, opportunity_competitors: rival.id, leads: lead.id, return_visits: visit.id, bids: bid.id, visits: visit2.id, service_plans: service.id, work_plans: wplan.id, work_plan_items: planItem.id, work_reports: wreport.id, appraisals: appraisal.id };
		// A call that needs a parameter gets one (the conflict check asks about a customer).
		const query = { '/api/v1/opportunities/conflicts': `?customer_id=${cust.id}` }[p] ?? '';
		const url = p.replace('{id}', String(of[p.split('/')[3]] ?? cust.id)) + query;
		const res = await admin.get(url);
		assert.equal(res.status, 200, `documented GET ${p} → ${res.status}`);
	}
});

/* ---- a second node ---- */

/* A client of another node that presents the session of `client`. */
function sameSession(client, base) {
	const c = new Client(base);
	c.cookie = client.cookie;
	c.csrf = client.csrf;
	return c;
}

test('a second node with --count-cap 5 and --body-limit 4096 on the same database', async () => {
	const node = await startServer(['--count-cap', '5', '--body-limit', '4096'], `node2-${env.db}`);
	let stopped = false;
	try {
		// Sessions live in the database: the first node's login works on the second.
		const there = sameSession(admin, node.base);
		const me = await there.getJson('/api/v1/auth/me');
		assert.equal(me.user.id, admin.user.id);
		// A session ended on one node is refused there at once, and on the other within the
		// few seconds it may stay in that node's session cache.
		const brief = await loginAdmin();
		const briefThere = sameSession(brief, node.base);
		expectStatus(await briefThere.get('/api/v1/auth/me'), 200);
		expectStatus(await brief.post('/api/v1/auth/logout'), 204);
		expectProblem(await brief.get('/api/v1/auth/me'), 401, 'unauthorized');
		const ended = Date.now();
		let refused = false;
		while (!refused && Date.now() - ended < 10000) {
			refused = (await briefThere.get('/api/v1/auth/me')).status === 401;
			if (!refused) await sleep(100);
		}
		assert.ok(refused, 'the other node still accepts a session ended 10 s ago');
		assert.ok(Date.now() - ended < 4000, `the other node accepted the ended session for ${Date.now() - ended} ms`);
		// Totals: exact up to the cap, then capped and flagged.
		for (let i = 0; i < 7; i++) await there.create('customers', { name: `封顶${i} ${M}`, superior_authority: `${M}-cap`, level: i < 3 ? 'a' : 'b' });
		let body = await there.getJson(`/api/v1/customers?superior_authority=${M}-cap&limit=200`);
		assert.equal(body.data.length, 7, 'the rows are all there');
		assert.equal(body.total, 5);
		assert.equal(body.total_exact, false);
		body = await there.getJson(`/api/v1/customers?superior_authority=${M}-cap&level=a`);
		assert.equal(body.total, 3);
		assert.equal(body.total_exact, true);
		body = await there.getJson(`/api/v1/customers?superior_authority=${M}-cap&total=none`);
		assert.ok(!('total' in body));
		body = await there.getJson(`/api/v1/customers?${new URLSearchParams({ q: '封顶', superior_authority: `${M}-cap` })}`);
		assert.equal(body.total, 5);
		assert.equal(body.total_exact, false);
		const onFirst = await admin.getJson(`/api/v1/customers?superior_authority=${M}-cap`);
		assert.equal(onFirst.total, 7, 'the first node keeps its own cap');
		assert.equal(onFirst.total_exact, true);
		// The unfiltered total is a kept counter: exact at any size.
		body = await there.getJson('/api/v1/customers?limit=1');
		assert.equal(body.total_exact, true);
		assert.equal(body.total, await admin.total('customers'));
		// The body limit is this node's.
		const pad = (n) => JSON.stringify({ name: `限长 ${M}`, remarks: 'x'.repeat(n) });
		const big = pad(5000);
		const res = await rawRequest('POST', '/api/v1/customers', {
			base: node.base,
			headers: { Cookie: there.cookie, 'X-CSRF-Token': there.csrf, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(big) },
			body: big,
		});
		const p = expectProblem(res, 413, 'body_too_large');
		assert.match(p.title, /4096/);
		expectStatus(await there.req('POST', '/api/v1/customers', { body: pad(3500), headers: { 'Content-Type': 'application/json' } }), 201);
		expectStatus(await admin.req('POST', '/api/v1/customers', { body: big, headers: { 'Content-Type': 'application/json' } }), 201);
		// Imports have their own, larger limit.
		const csv = 'name,remarks\n' + `限长导入,${'y'.repeat(6000)}\n`;
		const imp = await there.req('POST', '/api/v1/customers/import?dry_run=true', { body: csv, headers: { 'Content-Type': 'text/csv' } });
		expectStatus(imp, 200);
		assert.equal(imp.json.valid, 1);
		// A model change on one node reaches the other.
		expectStatus(await admin.post('/api/v1/meta/entities/customers/fields', { name: 'c_sync', type: 'text', label: { 'zh-CN': '同步', en: 'Sync' } }), 201);
		const deadline = Date.now() + 15000;
		let seen = false;
		while (!seen && Date.now() < deadline) {
			seen = (await there.getJson('/api/v1/meta/entities/customers')).fields.some((f) => f.name === 'c_sync');
			if (!seen) await sleep(200);
		}
		assert.ok(seen, 'the second node picked up the new field');
		const rec = await there.create('customers', { name: `同步 ${M}`, c_sync: '好' });
		assert.equal(rec.c_sync, '好');
		// SIGTERM while a response is streaming: it completes, then the node exits 0.
		const stream = await fetch(`${node.base}/api/v1/customers/export?header=names&fields=name`, { headers: { Cookie: there.cookie, Connection: 'close' } });
		assert.equal(stream.status, 200);
		const t0 = Date.now();
		const exit = node.stop();
		stopped = true;
		const text = Buffer.from(await stream.arrayBuffer()).subarray(3).toString('utf8');
		const rows = parseCsv(text);
		assert.deepEqual(rows[0], ['id', 'name']);
		assert.equal(rows.length - 1, await admin.total('customers'), 'the streamed export was finished, not cut');
		const { code, signal } = await exit;
		assert.equal(signal, null, 'the node stopped by itself');
		assert.equal(code, 0, `the node exited ${code} after SIGTERM`);
		assert.ok(Date.now() - t0 < 15000, `the node took ${Date.now() - t0} ms to stop`);
		assert.match(node.log(), /stopped/);
		assert.deepEqual(sanitizerErrors(node.log()), []);
		// The first node still serves.
		expectStatus(await admin.get('/api/v1/auth/me'), 200);
	} finally {
		if (!stopped) await node.stop();
	}
});

test('a node stops promptly on SIGTERM even with an idle keep-alive connection open', async () => {
	const node = await startServer(['--shutdown-timeout', '8000'], `node3-${env.db}`);
	// An idle kept-alive connection, as a browser or nginx keeps them: one answered request.
	const url = new URL(node.base);
	const sock = net.connect(Number(url.port), url.hostname);
	await new Promise((resolve, reject) => {
		sock.once('error', reject);
		sock.once('connect', resolve);
	});
	let got = '';
	const answered = new Promise((resolve) =>
		sock.on('data', (d) => {
			got += d.toString('latin1');
			if (/\r\n\r\n[\s\S]*\}/.test(got)) resolve();
		}),
	);
	const closed = new Promise((resolve) => sock.on('close', resolve));
	sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
	await answered;
	assert.match(got, /^HTTP\/1\.1 200/);
	const t0 = Date.now();
	const { code, signal } = await node.stop();
	const ms = Date.now() - t0;
	sock.destroy();
	await closed;
	assert.equal(signal, null);
	assert.equal(code, 0, `exit code ${code}`);
	assert.deepEqual(sanitizerErrors(node.log()), []);
	assert.ok(ms < 3000, `an idle connection held up the stop for ${ms} ms (no request was in flight)`);
});

/*
 * Hold the customers table against writers for ms, from another process: an import waits on it.
 * Resolves `locked` once the lock is held (the child says so) and `done` with its exit code.
 */
function holdCustomersWriteLock(ms) {
	const secs = (ms / 1000).toFixed(1);
	const args = env.db === 'pg'
		? ['psql', '-X', '-q', env.dbUrl, '-c', 'BEGIN', '-c', 'LOCK TABLE customers IN EXCLUSIVE MODE', '-c', '\\echo locked', '-c', `SELECT pg_sleep(${secs})`, '-c', 'COMMIT']
		: ['sqlite3', path.join(env.data, 'sextant.db'), '.timeout 5000', 'BEGIN IMMEDIATE;', '.print locked', `.shell sleep ${secs}`, 'COMMIT;'];
	// Line-buffered, so "locked" arrives when printed, not when the child ends.
	const child = spawn('stdbuf', ['-oL', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
	let out = '';
	const locked = new Promise((resolve, reject) => {
		child.stdout.on('data', (d) => {
			out += d.toString();
			if (out.includes('locked')) resolve();
		});
		child.on('exit', (code) => reject(new Error(`the lock holder ended (${code}) before taking the lock: ${out}`)));
	});
	const done = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
	return { locked, done };
}

test('a long request (an import) does not hold up the other connections of its worker, and a stop waits for it', async () => {
	// One worker: before long requests had their own threads, everything on the node waited.
	// A short shutdown timeout: the stop's first wait runs out with the import still waiting,
	// and the pool must still finish it and send its answer before the node ends.
	const node = await startServer(['--workers', '1', '--shutdown-timeout', '300'], `node4-${env.db}`);
	let stopped = false;
	try {
		// A session of its own: the shared one may be due for its once-a-minute refresh.
		const there = sameSession(await loginAdmin(), node.base);
		const held = holdCustomersWriteLock(3000);
		await held.locked;
		const t0 = Date.now();
		const csv = `name,remarks\n长请求一 ${M},x\n长请求二 ${M},y\n`;
		let importDone = 0;
		const imp = there.req('POST', '/api/v1/customers/import', { body: csv, headers: { 'Content-Type': 'text/csv' } }).then((res) => {
			importDone = Date.now();
			return res;
		});
		await sleep(200);
		const answered = [];
		for (let i = 0; i < 5; i++) {
			const s = Date.now();
			expectStatus(await there.get('/api/v1/auth/me'), 200);
			expectStatus(await there.get(`/api/v1/customers?limit=1`), 200);
			answered.push({ ms: Date.now() - s, at: Date.now() });
		}
		if (env.db === 'sqlite') {
			// SQLite has one writer, and the import holds it: a create is refused at once
			// (503, to be retried), not left to wait on the worker.
			const s = Date.now();
			const res = await there.post('/api/v1/customers', { name: `长请求期间 ${M}` });
			expectProblem(res, 503, 'db_busy');
			assert.ok(Date.now() - s < 500, `the create waited ${Date.now() - s} ms`);
			answered.push({ ms: Date.now() - s, at: Date.now() });
		}
		// SIGTERM with the import still waiting: it is finished and answered, then the node exits.
		const stopAt = Date.now();
		const exit = node.stop();
		stopped = true;
		const res = await imp;
		assert.ok(importDone > stopAt, 'the import was still waiting when the stop began');
		expectStatus(res, 200);
		assert.equal(res.json.created, 2);
		const took = importDone - t0;
		assert.ok(took >= 1000, `the import took ${took} ms: the lock did not hold it, so this test proves nothing`);
		for (const a of answered) {
			assert.ok(a.ms < 500, `a short request waited ${a.ms} ms behind the import`);
			assert.ok(a.at < importDone, 'the short requests were answered while the import waited');
		}
		const { code, signal } = await exit;
		assert.equal(signal, null);
		assert.equal(code, 0, `exit code ${code}`);
		assert.deepEqual(sanitizerErrors(node.log()), []);
		assert.equal(await held.done, 0, 'the lock holder ran to its end');
		assert.equal((await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q: `长请求 ${M}`, limit: 10 })}`)).data.length, 2);
	} finally {
		if (!stopped) await node.stop();
	}
});

test('long requests beyond the queue are refused with 503 server_busy and Retry-After, the rest all done', async () => {
	const node = await startServer(['--workers', '1'], `node5-${env.db}`);
	try {
		const there = sameSession(await loginAdmin(), node.base);
		const held = holdCustomersWriteLock(4000);
		await held.locked;
		// Two run (and wait on the lock), 64 queue, the rest are refused.
		const N = 70;
		const results = await Promise.all(Array.from({ length: N }, (_, i) =>
			there.req('POST', '/api/v1/customers/import', { body: `name\n排队${i} ${M}\n`, headers: { 'Content-Type': 'text/csv' } })));
		const refused = results.filter((r) => r.status === 503);
		const done = results.filter((r) => r.status === 200);
		assert.equal(refused.length + done.length, N, `statuses: ${results.map((r) => r.status).join(',')}`);
		assert.ok(refused.length >= N - 66, `${refused.length} refused`);
		for (const r of refused) {
			assert.equal(r.json.code, 'server_busy');
			assert.equal(r.headers.get('retry-after'), '5');
		}
		for (const r of done) assert.equal(r.json.created, 1);
		assert.equal(await held.done, 0);
		const body = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q: `排队 ${M}`, limit: 200 })}`);
		assert.equal(body.data.length, done.length, 'every accepted import was committed');
	} finally {
		await node.stop();
	}
});
