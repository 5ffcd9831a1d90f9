#!/usr/bin/env node
// The API test layer: starts the real binary on 127.0.0.1 against SQLite or a throwaway
// PostgreSQL, runs tests/api/t*.test.mjs against it with node:test, and checks that the server
// shut down cleanly with no sanitizer report.
//
//   node tests/api/run.mjs --db sqlite|pg --bin build/asan/sextant [--keep] [--only PATTERN]
//
// --keep leaves the temporary folder (database, logs) in place; --only runs the test files
// whose name contains PATTERN. Exits non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const t0 = Date.now();

function usage(msg) {
	if (msg) console.error(`run.mjs: ${msg}`);
	console.error('usage: node tests/api/run.mjs --db sqlite|pg --bin PATH [--keep] [--only PATTERN]');
	process.exit(2);
}

const opts = { db: null, bin: null, keep: false, only: null };
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === '--db') opts.db = process.argv[++i];
	else if (a === '--bin') opts.bin = process.argv[++i];
	else if (a === '--keep') opts.keep = true;
	else if (a === '--only') opts.only = process.argv[++i];
	else usage(`unknown argument '${a}'`);
}
if (opts.db !== 'sqlite' && opts.db !== 'pg') usage('--db must be sqlite or pg');
if (!opts.bin) usage('--bin is required');
const bin = path.resolve(opts.bin);
if (!fs.existsSync(bin)) usage(`no binary at ${bin} (build it first: make asan)`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `sextant-api-${opts.db}-`));
fs.chmodSync(tmp, 0o755); // PostgreSQL runs as its own user and must reach its folder
const dataDir = path.join(tmp, 'data');
const pgDir = path.join(tmp, 'pg');
const serverLog = path.join(tmp, 'server.log');
const say = (m) => console.log(`[api ${opts.db}] ${m}`);

let pgStarted = false;
let server = null; // {child, exited}
let tests = null; // the node --test process
let cleaned = false;

/* Everything started here is stopped here, whatever happened. */
async function cleanup() {
	if (cleaned) return;
	cleaned = true;
	if (tests && tests.exitCode === null && tests.signalCode === null) tests.kill('SIGTERM');
	if (server && server.child.exitCode === null && server.child.signalCode === null) {
		server.child.kill('SIGKILL');
		await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5000))]);
	}
	if (pgStarted) {
		spawnSync(path.join(root, 'tools/pg-temp.sh'), ['stop', pgDir], { stdio: 'inherit' });
		pgStarted = false;
	}
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(sig, async () => {
		console.error(`\n[api ${opts.db}] interrupted (${sig}): stopping what was started`);
		await cleanup();
		process.exit(130);
	});
}

/* The environment for the binary: none of the caller's SEXTANT_* settings leak in. */
function serverEnv() {
	return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEXTANT_')));
}

const SANITIZER = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|UndefinedBehaviorSanitizer/;

/* The first sanitizer report of a log, or its last lines. */
function excerpt(file) {
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return '(no log)';
	}
	const lines = text.split('\n');
	const at = lines.findIndex((l) => SANITIZER.test(l));
	if (at >= 0) return lines.slice(Math.max(0, at - 3), at + 45).join('\n');
	return lines.slice(-60).join('\n');
}

function fail(msg, showLog = true) {
	console.error(`\n[api ${opts.db}] FAILED: ${msg}`);
	if (showLog) console.error(`--- ${serverLog} ---\n${excerpt(serverLog)}\n---`);
	console.error(`[api ${opts.db}] files kept in ${tmp}`);
	return cleanup().then(() => process.exit(1));
}

/* Tools the tests need that npm installs (the OpenAPI linter), from the committed lock file. */
function ensureNodeModules() {
	const redocly = path.join(root, 'tests/node_modules/.bin/redocly');
	if (fs.existsSync(redocly)) return;
	say('installing the test tools (npm ci in tests/)');
	const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: path.join(root, 'tests'),
		stdio: 'inherit',
	});
	if (r.status !== 0) throw new Error('npm ci in tests/ failed');
}

function run(cmd, args, input) {
	const r = spawnSync(cmd, args, { input, env: serverEnv(), encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`);
	return r.stdout;
}

async function startServer(dbArgs) {
	const log = fs.createWriteStream(serverLog);
	// Every test logs in from 127.0.0.1: the per-address lock of failed logins is raised above
	// what the suite's deliberate failures add up to (t11 tests it on a node of its own).
	// The workers look often and retry soon, and may call receivers on this host, so that the
	// outbox and job tests (t23–t27) run in seconds.
	const args = ['serve', '--data', dataDir, ...dbArgs, '--listen', '127.0.0.1:0', '--no-demo', '--login-ip-failures', '1000',
		...['--worker-poll', '200', '--outbox-backoff', '1', '--outbox-attempts', '3', '--outbox-timeout', '5', '--outbound-hosts', '127.0.0.1']];
	const child = spawn(bin, args, { env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	server = { child, exited, log };
	let seen = '';
	const onData = (d) => {
		log.write(d);
		if (seen.length < 65536) seen += d.toString('utf8');
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	// Port 0: the kernel picks a free port, which the server logs. No race with other servers.
	const deadline = Date.now() + 60000;
	let base = null;
	while (!base) {
		const m = /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
		if (m) base = `http://127.0.0.1:${m[1]}`;
		else if (child.exitCode !== null || child.signalCode !== null) throw new Error('the server exited while starting');
		else if (Date.now() > deadline) throw new Error('the server did not say where it listens within 60 s');
		else await new Promise((r) => setTimeout(r, 50));
	}
	for (;;) {
		try {
			const r = await fetch(`${base}/healthz`);
			if (r.status === 200) return base;
		} catch {
			/* not yet */
		}
		if (child.exitCode !== null) throw new Error('the server exited while starting');
		if (Date.now() > deadline) throw new Error('GET /healthz did not answer 200 within 60 s');
		await new Promise((r) => setTimeout(r, 50));
	}
}

async function stopServer() {
	const { child, exited, log } = server;
	if (child.exitCode !== null || child.signalCode !== null) {
		const r = await exited;
		return `the server had died before the end of the tests (exit ${r.code}, signal ${r.signal})`;
	}
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
	const r = await exited;
	clearTimeout(timer);
	await new Promise((res) => log.end(res));
	if (r.signal) return `the server did not exit on SIGTERM by itself (killed by ${r.signal})`;
	if (r.code !== 0) return `the server exited ${r.code} after SIGTERM, not 0`;
	return null;
}

function sanitizerReports(file) {
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return [];
	}
	return text.split('\n').filter((l) => SANITIZER.test(l));
}

async function main() {
	let files = fs
		.readdirSync(here)
		.filter((f) => /^t.*\.test\.mjs$/.test(f))
		.sort();
	if (opts.only) files = files.filter((f) => f.includes(opts.only));
	if (!files.length) throw new Error(`no test files${opts.only ? ` match '${opts.only}'` : ''}`);
	ensureNodeModules();
	let dbArgs = [];
	let dbUrl = '';
	if (opts.db === 'pg') {
		say('starting PostgreSQL');
		pgStarted = true;
		dbUrl = run(path.join(root, 'tools/pg-temp.sh'), ['start', pgDir]).trim().split('\n').pop();
		if (!/^postgres(ql)?:\/\//.test(dbUrl)) throw new Error(`pg-temp.sh printed no URL: ${dbUrl}`);
		dbArgs = ['--db', dbUrl];
	}
	const adminPassword = randomBytes(12).toString('base64url');
	const alicePassword = randomBytes(12).toString('base64url');
	run(bin, ['user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--data', dataDir, ...dbArgs], adminPassword + '\n');
	run(bin, ['user', 'add', 'alice', '--role', 'user', '--password-stdin', '--data', dataDir, ...dbArgs], alicePassword + '\n');

	const base = await startServer(dbArgs);
	say(`server at ${base} (log ${serverLog})`);

	const testEnv = {
		...process.env,
		SEXTANT_TEST_BASE_URL: base,
		SEXTANT_TEST_DB: opts.db,
		SEXTANT_TEST_DB_URL: dbUrl,
		SEXTANT_TEST_ADMIN_PASSWORD: adminPassword,
		SEXTANT_TEST_ALICE_PASSWORD: alicePassword,
		SEXTANT_TEST_BIN: bin,
		SEXTANT_TEST_DATA: dataDir,
		SEXTANT_TEST_TMP: tmp,
		SEXTANT_TEST_ROOT: root,
	};
	// One file after another: they share the server and its database.
	const child = (tests = spawn(
		process.execPath,
		['--test', '--test-concurrency=1', '--test-reporter=spec', '--test-timeout=120000', ...files.map((f) => path.join(here, f))],
		{ env: testEnv, stdio: 'inherit', cwd: root },
	));
	const testsRc = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

	const problems = [];
	if (testsRc !== 0) problems.push(`test failures (node --test exited ${testsRc})`);
	const stopProblem = await stopServer();
	if (stopProblem) problems.push(stopProblem);
	const logs = [serverLog, ...fs.readdirSync(tmp).filter((f) => f.endsWith('.log') && f !== 'server.log').map((f) => path.join(tmp, f))];
	for (const l of logs) {
		const reports = sanitizerReports(l);
		if (reports.length) problems.push(`sanitizer reports in ${l}:\n  ${reports.slice(0, 10).join('\n  ')}`);
	}
	const secs = ((Date.now() - t0) / 1000).toFixed(1);
	if (problems.length) return fail(`${problems.join('\n')}\n(after ${secs} s)`);
	await cleanup();
	if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
	else say(`files kept in ${tmp}`);
	say(`all passed, server stopped cleanly on SIGTERM (${secs} s)`);
}

main().catch((e) => fail(e.stack || String(e)));
