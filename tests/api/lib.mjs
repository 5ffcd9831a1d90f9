// Helpers shared by the API tests (tests/api/t*.test.mjs). run.mjs starts the server and passes
// where it is through environment variables; nothing here starts anything.
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const env = {
	baseUrl: need('SEXTANT_TEST_BASE_URL'),
	db: need('SEXTANT_TEST_DB'), // "sqlite" or "pg"
	adminPassword: need('SEXTANT_TEST_ADMIN_PASSWORD'),
	alicePassword: need('SEXTANT_TEST_ALICE_PASSWORD'),
	bin: need('SEXTANT_TEST_BIN'),
	data: need('SEXTANT_TEST_DATA'),
	dbUrl: process.env.SEXTANT_TEST_DB_URL || '',
	tmp: need('SEXTANT_TEST_TMP'),
};

function need(name) {
	const v = process.env[name];
	if (v === undefined || v === '')
		throw new Error(`${name} is not set: run the API tests through tests/api/run.mjs`);
	return v;
}

/* A marker unique to one test file and run, to scope lists and totals to the file's own rows. */
export function marker(tag) {
	return `${tag}-${randomBytes(4).toString('hex')}`;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function describeRes(res) {
	const body = res.text.length > 800 ? res.text.slice(0, 800) + '…' : res.text;
	return `${res.method} ${res.path} → ${res.status} ${res.headers.get('content-type') || ''}\n${body}`;
}

/*
 * One HTTP request with fetch. opts: headers, json (serialised, Content-Type set), body (sent
 * as is), base (another server). Returns {status, headers, json, text, bytes}.
 */
export async function request(method, p, opts = {}) {
	const headers = { ...(opts.headers || {}) };
	let body = opts.body;
	if (opts.json !== undefined) {
		body = JSON.stringify(opts.json);
		if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
			headers['Content-Type'] = 'application/json';
	}
	const init = { method, headers, body, redirect: 'manual' };
	if (body && typeof body.getReader === 'function') init.duplex = 'half';
	const res = await fetch((opts.base || env.baseUrl) + p, init);
	const bytes = Buffer.from(await res.arrayBuffer());
	return wrap(method, p, res.status, res.headers, bytes);
}

function wrap(method, p, status, headers, bytes) {
	const text = bytes.toString('utf8');
	const ct = headers.get('content-type') || '';
	let json;
	if (/json/.test(ct) && text.length) {
		try {
			json = JSON.parse(text);
		} catch (e) {
			throw new Error(`${method} ${p}: ${ct} body is not JSON (${e.message}):\n${text.slice(0, 400)}`);
		}
	}
	const res = { method, path: p, status, headers, json, text, bytes };
	res.toString = () => describeRes(res);
	return res;
}

/*
 * A request through node:http, for what fetch will not do: a Content-Length that does not match
 * the body, or a body the server refuses before reading it. The response is read even if the
 * server stops reading the upload.
 */
export function rawRequest(method, p, { headers = {}, body = null, base } = {}) {
	const url = new URL((base || env.baseUrl) + p);
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent: false },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const h = new Headers();
					for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
					resolve(wrap(method, p, res.statusCode, h, Buffer.concat(chunks)));
				});
				res.on('error', reject);
			},
		);
		// The server may answer and close before the whole body is written: that is the point.
		req.on('error', (e) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? null : reject(e)));
		if (body) req.write(body);
		req.end();
	});
}

/* A logged-in user: keeps the session cookie and sends the CSRF token on unsafe methods. */
export class Client {
	constructor(base) {
		this.base = base || env.baseUrl;
		this.cookie = null;
		this.csrf = null;
		this.user = null;
	}

	async login(username, password) {
		const res = await request('POST', '/api/v1/auth/login', {
			json: { username, password },
			base: this.base,
		});
		expectStatus(res, 200);
		const cookie = sessionCookie(res);
		assert.ok(cookie, `login of ${username} set no sextant_session cookie`);
		this.cookie = `sextant_session=${cookie.value}`;
		this.csrf = res.json.csrf_token;
		this.user = res.json.user;
		this.loginResponse = res;
		return res;
	}

	/* opts.csrf: false to leave the token out, or a string to send instead of the real one. */
	req(method, p, opts = {}) {
		const headers = { ...(opts.headers || {}) };
		if (this.cookie && opts.cookie !== false) headers.Cookie = this.cookie;
		if (UNSAFE.has(method) && opts.csrf !== false)
			headers['X-CSRF-Token'] = typeof opts.csrf === 'string' ? opts.csrf : this.csrf;
		return request(method, p, { ...opts, headers, base: this.base });
	}

	get(p, opts) {
		return this.req('GET', p, opts);
	}
	post(p, json, opts = {}) {
		return this.req('POST', p, json === undefined ? opts : { ...opts, json });
	}
	patch(p, json, opts = {}) {
		return this.req('PATCH', p, { ...opts, json });
	}
	put(p, json, opts = {}) {
		return this.req('PUT', p, { ...opts, json });
	}
	del(p, opts) {
		return this.req('DELETE', p, opts);
	}

	/* GET that must answer 200 with JSON; returns the parsed body. */
	async getJson(p, opts) {
		const res = await this.get(p, opts);
		expectStatus(res, 200);
		return res.json;
	}

	/* Create a record that must be accepted; returns the record. */
	async create(entity, record, opts) {
		const res = await this.post(`/api/v1/${entity}`, record, opts);
		expectStatus(res, 201);
		return res.json;
	}

	/* Every row of a list, following next_cursor; query is an object or URLSearchParams. */
	async listAll(entity, query = {}, { limit = 200, max = 10000 } = {}) {
		const rows = [];
		let cursor = null;
		for (let pages = 0; ; pages++) {
			assert.ok(pages < 1000, 'too many pages');
			const q = new URLSearchParams(query);
			q.set('limit', String(limit));
			if (cursor) q.set('cursor', cursor);
			const body = await this.getJson(`/api/v1/${entity}?${q}`);
			rows.push(...body.data);
			assert.ok(rows.length <= max, 'more rows than expected');
			cursor = body.next_cursor;
			if (!cursor) return rows;
		}
	}

	/* The total a list reports for a query (exact, or the test fails). */
	async total(entity, query = {}) {
		const q = new URLSearchParams(query);
		q.set('limit', '1');
		const body = await this.getJson(`/api/v1/${entity}?${q}`);
		assert.equal(body.total_exact, true, `total of ${entity}?${q} is not exact`);
		return body.total;
	}

	/* The audit trail of one record, newest first. */
	async audit(entity, id) {
		const body = await this.getJson(`/api/v1/audit?entity=${entity}&record_id=${id}&limit=200`);
		return body.data;
	}
}

export async function login(username, password, base) {
	const c = new Client(base);
	await c.login(username, password);
	return c;
}

/*
 * A user for a test, made by admin and logged in at base (the shared server if not given):
 * username `${name}_${mark}`, display name `${name} ${mark}`, and any other member of extra
 * (org_unit_id, superior_id …). Returns {id, client}.
 */
export async function newUser(admin, { name, mark, password, roles, base, ...extra }) {
	const res = await admin.post('/api/v1/users', { must_change_password: false, username: `${name}_${mark}`, password, roles, display_name: `${name} ${mark}`, ...extra });
	expectStatus(res, 201);
	return { id: res.json.id, client: await login(`${name}_${mark}`, password, base) };
}

export const loginAdmin = (base) => login('admin', env.adminPassword, base);
export const loginAlice = (base) => login('alice', env.alicePassword, base);

export function sessionCookie(res) {
	for (const c of res.headers.getSetCookie ? res.headers.getSetCookie() : []) {
		const m = /^sextant_session=([^;]*)(.*)$/.exec(c);
		if (m) return { value: m[1], attributes: m[2], raw: c };
	}
	return null;
}

export function expectStatus(res, status) {
	assert.equal(res.status, status, `expected ${status}, got ${describeRes(res)}`);
}

/*
 * An RFC 9457 problem: Content-Type, status, code, a translated title, and errors naming the
 * given fields. A field is a name, or [name, code] to check the error's code too.
 */
export function expectProblem(res, status, code, fields = []) {
	expectStatus(res, status);
	const ct = res.headers.get('content-type') || '';
	assert.match(ct, /^application\/problem\+json/, `Content-Type of a problem: ${describeRes(res)}`);
	const p = res.json;
	assert.ok(p && typeof p === 'object', `problem body is not JSON: ${describeRes(res)}`);
	assert.equal(p.status, status, `problem.status: ${describeRes(res)}`);
	assert.equal(p.code, code, `problem.code: ${describeRes(res)}`);
	assert.equal(typeof p.type, 'string', `problem.type: ${describeRes(res)}`);
	assert.ok(typeof p.title === 'string' && p.title.length > 0, `problem.title: ${describeRes(res)}`);
	assert.notEqual(p.title, p.code, `the title of '${code}' is untranslated: ${describeRes(res)}`);
	const errors = p.errors || [];
	for (const e of errors) {
		assert.equal(typeof e.code, 'string', `errors[].code: ${describeRes(res)}`);
		assert.ok(typeof e.message === 'string' && e.message.length > 0, `errors[].message: ${describeRes(res)}`);
		assert.notEqual(e.message, e.code, `the message of '${e.code}' is untranslated: ${describeRes(res)}`);
		assert.ok(!/\{[a-z_]+\}/.test(e.message), `placeholder left in a message: ${describeRes(res)}`);
	}
	for (const f of fields) {
		const [field, fcode] = Array.isArray(f) ? f : [f, undefined];
		const hit = errors.find((e) => e.field === field && (fcode === undefined || e.code === fcode));
		assert.ok(hit, `no error for field ${JSON.stringify(field)}${fcode ? ` with code ${fcode}` : ''}: ${describeRes(res)}`);
	}
	return p;
}

/* ---- data helpers ---- */

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/* The check character of a unified social credit code (GB 32100-2015) over its first 17. */
export function usccCheck(body17) {
	let sum = 0;
	for (let i = 0; i < 17; i++) {
		const v = USCC_ALPHABET.indexOf(body17[i]);
		assert.ok(v >= 0, `not a USCC character: ${body17[i]}`);
		sum += v * USCC_WEIGHTS[i];
	}
	return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

let usccCounter = 0;
/* A valid code nobody else in this run uses (a random part, so files do not collide). */
export function uscc() {
	usccCounter++;
	const rnd = randomBytes(8);
	let mid = '';
	for (let i = 0; i < 9; i++) mid += USCC_ALPHABET[rnd[i % 8] % 31];
	mid = mid.slice(0, 6) + String(usccCounter % 1000).padStart(3, '0');
	const body = '91350100' + mid;
	return body + usccCheck(body);
}

/* RFC 4180 CSV into rows of strings. */
export function parseCsv(text) {
	const rows = [];
	let row = [];
	let field = '';
	let i = 0;
	let quoted = false;
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"') {
				if (text[i + 1] === '"') {
					field += '"';
					i += 2;
					continue;
				}
				quoted = false;
				i++;
				continue;
			}
			field += c;
			i++;
			continue;
		}
		if (c === '"') {
			quoted = true;
			i++;
		} else if (c === ',') {
			row.push(field);
			field = '';
			i++;
		} else if (c === '\r' || c === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
		} else {
			field += c;
			i++;
		}
	}
	if (field.length || row.length) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

/* A CSV line from cells, quoting as needed. */
export function csvLine(cells) {
	return cells
		.map((c) => {
			const s = c === null || c === undefined ? '' : String(c);
			return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
		})
		.join(',');
}

/* The files of a zip archive (what an .xlsx is): name → Buffer. */
export function unzip(buf) {
	let eocd = -1;
	for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--)
		if (buf.readUInt32LE(i) === 0x06054b50) {
			eocd = i;
			break;
		}
	assert.ok(eocd >= 0, 'not a zip archive: no end of central directory');
	const count = buf.readUInt16LE(eocd + 10);
	let p = buf.readUInt32LE(eocd + 16);
	const files = new Map();
	for (let n = 0; n < count; n++) {
		assert.equal(buf.readUInt32LE(p), 0x02014b50, 'zip central directory entry');
		const method = buf.readUInt16LE(p + 10);
		const csize = buf.readUInt32LE(p + 20);
		const nameLen = buf.readUInt16LE(p + 28);
		const extraLen = buf.readUInt16LE(p + 30);
		const commentLen = buf.readUInt16LE(p + 32);
		const local = buf.readUInt32LE(p + 42);
		const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
		assert.equal(buf.readUInt32LE(local), 0x04034b50, `zip local header of ${name}`);
		const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
		const data = buf.subarray(start, start + csize);
		files.set(name, method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data));
		p += 46 + nameLen + extraLen + commentLen;
	}
	return files;
}

const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function xmlText(s) {
	return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) =>
		e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : XML_ENTITIES[e] ?? m,
	);
}

function colIndex(letters) {
	let n = 0;
	for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
	return n - 1;
}

/* The first worksheet of an .xlsx as rows of cell text (numbers as their text). */
export function xlsxRows(buf) {
	const files = unzip(buf);
	const sheetName = [...files.keys()].find((n) => /^xl\/worksheets\/sheet1\.xml$/.test(n));
	assert.ok(sheetName, `no first worksheet in the workbook: ${[...files.keys()].join(', ')}`);
	const shared = [];
	if (files.has('xl/sharedStrings.xml')) {
		const ss = files.get('xl/sharedStrings.xml').toString('utf8');
		for (const m of ss.matchAll(/<si>([\s\S]*?)<\/si>/g))
			shared.push([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => xmlText(t[1])).join(''));
	}
	const xml = files.get(sheetName).toString('utf8');
	const rows = [];
	for (const c of xml.matchAll(/<c r="([A-Z]+)(\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
		const [, col, rowNo, attrs, inner = ''] = c;
		const type = /t="([^"]+)"/.exec(attrs)?.[1];
		let value;
		if (type === 'inlineStr') value = [...inner.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => xmlText(t[1])).join('');
		else {
			const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
			value = v === undefined ? '' : type === 's' ? shared[Number(v)] : xmlText(v);
		}
		const r = Number(rowNo) - 1;
		while (rows.length <= r) rows.push([]);
		rows[r][colIndex(col)] = value;
	}
	return rows.map((r) => Array.from(r, (v) => v ?? ''));
}

/* ---- a second server, for flags the main one does not have ---- */

/*
 * Start the binary on the same database with extra flags; returns {base, stop(), log()}.
 * stop() sends SIGTERM and resolves to the exit code.
 */
export async function startServer(extraArgs, name) {
	const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEXTANT_')));
	return startNode(env.data, env.dbUrl ? ['--db', env.dbUrl] : [], extraArgs, name, childEnv);
}

/* Sanitizer reports in a server log. */
export function sanitizerErrors(text) {
	return text
		.split('\n')
		.filter((l) => /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|UndefinedBehaviorSanitizer/.test(l));
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/* The sextant command on the test database, without the harness's SEXTANT_* settings. */
export function cli(args, input) {
	const where = ['--data', env.data, ...(env.dbUrl ? ['--db', env.dbUrl] : [])];
	const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEXTANT_')));
	return spawnSync(env.bin, [...args, ...where], { input: input ?? '', encoding: 'utf8', env: childEnv });
}

/* A new user made with `sextant user add`; its id. */
export function cliAddUser(name, password) {
	const r = cli(['user', 'add', name, '--password-stdin'], `${password}\n`);
	assert.equal(r.status, 0, r.stderr);
	const m = /\(id (\d+),/.exec(r.stdout);
	assert.ok(m, r.stdout);
	return Number(m[1]);
}

/* A session ended elsewhere: servers cache a lookup for up to 2 s, so poll until it is refused. */
export async function untilRefused(client, ms = 4000) {
	const until = Date.now() + ms;
	for (;;) {
		const res = await client.req('GET', '/api/v1/auth/me');
		if (res.status === 401) return res;
		expectStatus(res, 200);
		if (Date.now() > until) assert.fail(`the session was still accepted after ${ms} ms`);
		await sleep(100);
	}
}

/* ---- the outside world of the base services: a mail server, an HTTP receiver, a cluster ---- */

const here = path.dirname(new URL(import.meta.url).pathname);

/*
 * A real SMTP server (tests/api/smtp_server.py, Debian's aiosmtpd) on 127.0.0.1. opts: port (0:
 * any), stallRcpt (seconds), rejectRcpt (address), auth ("user:pass"), tls ("starttls" or
 * "implicit", with cert and key: PEM files). Returns {port, dir,
 * messages() (decoded by eml_json.py), stop()}. The same dir and port can be started again.
 */
export async function startSmtp(opts = {}) {
	const dir = opts.dir || fs.mkdtempSync(path.join(env.tmp, 'mail-'));
	const args = [path.join(here, 'smtp_server.py'), '--dir', dir, '--port', String(opts.port || 0)];
	if (opts.stallRcpt) args.push('--stall-rcpt', String(opts.stallRcpt));
	if (opts.rejectRcpt) args.push('--reject-rcpt', opts.rejectRcpt);
	if (opts.auth) args.push('--auth', opts.auth);
	if (opts.tls) args.push('--tls', opts.tls, '--cert', opts.cert, '--key', opts.key);
	const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	let out = '';
	let errText = '';
	child.stdout.on('data', (d) => (out += d));
	child.stderr.on('data', (d) => (errText += d));
	const deadline = Date.now() + 15000;
	let port = null;
	while (!port) {
		const m = /listening on (\d+)/.exec(out);
		if (m) port = Number(m[1]);
		else if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`smtp_server.py did not start: ${errText}`);
		} else await sleep(30);
	}
	return {
		port,
		dir,
		messages() {
			const r = spawnSync('python3', [path.join(here, 'eml_json.py'), dir], { encoding: 'utf8' });
			if (r.status !== 0) throw new Error(`eml_json.py: ${r.stderr}`);
			return JSON.parse(r.stdout);
		},
		async stop() {
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(timer);
		},
	};
}

/*
 * An HTTP receiver on 127.0.0.1 (an SMS gateway, a webhook endpoint): records every request
 * {method, url, headers, body} and answers with answer(req) → {status, json} (default 200 {}).
 * Returns {url, port, requests, setAnswer(fn), stop()}; port 0 lets the kernel choose.
 */
export async function startReceiver(answer = () => ({ status: 200, json: {} }), port = 0) {
	const requests = [];
	let respond = answer;
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const rec = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
			requests.push(rec);
			const a = respond(rec) || {};
			res.writeHead(a.status || 200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(a.json ?? {}));
		});
	});
	await new Promise((r) => server.listen(port, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		port: server.address().port,
		requests,
		setAnswer(fn) {
			respond = fn;
		},
		stop: () =>
			new Promise((r) => {
				server.close(r);
				server.closeAllConnections();
			}),
	};
}

/* Poll fn (async, returns a value or a falsy one) until it gives a truthy value. */
/*
 * Run the recurring job of this handler now (admin: an administrator's client) and wait for
 * the run to end; returns the run ({status, message, …}), which must have succeeded.
 */
export async function runJob(admin, handler) {
	const job = (await admin.getJson('/api/v1/jobs?kind=recurring')).data.find((j) => j.handler === handler);
	assert.ok(job, `the job ${handler} exists`);
	const before = (await admin.getJson(`/api/v1/jobs/${job.id}/runs`)).data.length;
	expectStatus(await admin.post(`/api/v1/jobs/${job.id}/run`), 200);
	const runs = await until(async () => {
		const r = (await admin.getJson(`/api/v1/jobs/${job.id}/runs`)).data;
		return r.length > before && r[0].status !== 'running' && r;
	}, 15000, `the ${handler} run`);
	assert.equal(runs[0].status, 'ok', runs[0].message);
	return runs[0];
}

export async function until(fn, ms = 15000, what = 'the condition') {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) assert.fail(`${what} did not come within ${ms} ms`);
		await sleep(100);
	}
}

/*
 * Nodes of a cluster of their own: a fresh database (SQLite: a data folder; PostgreSQL: a new
 * database on the test server), an administrator, and n servers on it with flags. So the
 * cluster's workers are the only ones. Returns {nodes: [{base, pid, log(), stop(), kill()}],
 * adminPassword, add(flags, name) (one more node), stopAll()}.
 */
export async function startCluster(n, flags, name) {
	const data = fs.mkdtempSync(path.join(env.tmp, `${name}-`));
	let dbArgs = [];
	if (env.dbUrl) {
		const db = `${name.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`;
		const r = spawnSync('psql', [env.dbUrl, '-qc', `CREATE DATABASE ${db}`], { encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`CREATE DATABASE: ${r.stderr}`);
		dbArgs = ['--db', env.dbUrl.replace(/\/[^/?]+(\?|$)/, `/${db}$1`)];
	}
	const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEXTANT_')));
	const adminPassword = randomBytes(12).toString('base64url');
	const add = spawnSync(env.bin, ['user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--data', data, ...dbArgs], {
		input: `${adminPassword}\n`,
		encoding: 'utf8',
		env: childEnv,
	});
	if (add.status !== 0) throw new Error(`user add: ${add.stderr}`);
	const nodes = [];
	for (let i = 0; i < n; i++) nodes.push(await startNode(data, dbArgs, flags, `${name}-${i}`, childEnv));
	return {
		nodes,
		adminPassword,
		/* Another node on the cluster's database, with flags of its own. */
		async add(moreFlags, nodeName) {
			const node = await startNode(data, dbArgs, moreFlags, `${name}-${nodeName}`, childEnv);
			nodes.push(node);
			return node;
		},
		async stopAll() {
			for (const node of nodes) await node.stop();
		},
	};
}

async function startNode(data, dbArgs, flags, name, childEnv) {
	const logPath = path.join(env.tmp, `${name}.log`);
	const logFile = fs.createWriteStream(logPath);
	const args = ['serve', '--data', data, '--listen', '127.0.0.1:0', '--no-demo', ...dbArgs, ...flags];
	const child = spawn(env.bin, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
	let text = '';
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	const onData = (d) => {
		text += d.toString('utf8');
		logFile.write(d);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	const deadline = Date.now() + 60000;
	let port = null;
	while (!port) {
		const m = /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
		if (m) port = m[1];
		else if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`node ${name} did not start:\n${text.slice(-3000)}`);
		} else await sleep(50);
	}
	const base = `http://127.0.0.1:${port}`;
	for (;;) {
		try {
			const r = await fetch(base + '/healthz');
			if (r.status === 200) break;
		} catch {
			/* not yet */
		}
		if (Date.now() > deadline) throw new Error(`node ${name} never answered /healthz`);
		await sleep(50);
	}
	let done = false;
	const finish = async (signal) => {
		if (done) return exited;
		done = true;
		if (child.exitCode === null && child.signalCode === null) child.kill(signal);
		const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
		const r = await exited;
		clearTimeout(timer);
		await new Promise((res) => logFile.end(res));
		return r;
	};
	return {
		base,
		pid: child.pid,
		log: () => text,
		stop: () => finish('SIGTERM'),
		kill: () => finish('SIGKILL'),
	};
}
