// End-to-end tests of the web application: starts sextant on a fresh database — SQLite, or with
// --db pg a PostgreSQL of its own (tools/pg-temp.sh) — with the built web app, then runs
// tests/e2e/*.test.mjs, which drive Debian's chromium through playwright-core (no browser
// download). Screenshots go to tests/out/e2e/ for people to look at. --only takes names, comma
// separated, each part of a file's name.
//   node tests/e2e/run.mjs [--bin build/sextant] [--db sqlite|pg] [--web web/dist]
//                          [--out tests/out/e2e] [--only NAME[,NAME…]]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const bin = path.resolve(root, opt('--bin', 'build/sextant'));
const only = opt('--only', '').split(',');
const db = opt('--db', 'sqlite');
if (db !== 'sqlite' && db !== 'pg') throw new Error('e2e: --db must be sqlite or pg');
const web = path.resolve(root, opt('--web', 'web/dist'));
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
if (!chromium) throw new Error('e2e: Debian\'s chromium is not installed (tools/deps.sh test installs it)');
if (!fs.existsSync(path.join(web, 'index.html'))) throw new Error(`e2e: ${web} is not built (make build)`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sextant-e2e-'));
fs.chmodSync(tmp, 0o755); // PostgreSQL runs as its own user and must reach its folder
const data = path.join(tmp, 'data');
const out = path.resolve(root, opt('--out', 'tests/out/e2e'));
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const password = randomBytes(12).toString('base64url');
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEXTANT_')));
// PostgreSQL, when asked for: a server of its own in the temporary folder, stopped at the end.
const pgDir = path.join(tmp, 'pg');
let dbArgs = [];
if (db === 'pg') {
	const started = spawnSync(path.join(root, 'tools/pg-temp.sh'), ['start', pgDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	const url = started.stdout.trim().split('\n').pop();
	if (started.status !== 0 || !/^postgres(ql)?:\/\//.test(url)) {
		spawnSync(path.join(root, 'tools/pg-temp.sh'), ['stop', pgDir], { stdio: 'inherit' });
		throw new Error(`e2e: PostgreSQL did not start: ${url}`);
	}
	dbArgs = ['--db', url];
}
let pgRunning = db === 'pg';
const stopPg = () => {
	if (!pgRunning) return;
	pgRunning = false;
	spawnSync(path.join(root, 'tools/pg-temp.sh'), ['stop', pgDir], { stdio: 'inherit' });
};
// However the run ends — a failure thrown, an interruption — its PostgreSQL is stopped.
process.on('exit', stopPg);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
const add = spawnSync(bin, ['user', 'add', 'admin', '--role', 'admin', '--display-name', '系统管理员', '--password-stdin', '--data', data, ...dbArgs], { input: `${password}\n`, env: childEnv, encoding: 'utf8' });
if (add.status !== 0) {
	stopPg();
	throw new Error(`e2e: user add failed: ${add.stderr}`);
}

const log = fs.createWriteStream(path.join(tmp, 'server.log'));
// Jobs and the outbox look every 200 ms, and webhooks may call this machine, so tests see them act.
// The test entities of tests/api/schema (t_leads, with a state field) are there for the processes.
const server = spawn(bin, ['serve', '--data', data, ...dbArgs, '--listen', '127.0.0.1:0', '--no-demo', '--web', web, '--worker-poll', '200', '--outbound-hosts', '127.0.0.1', '--schema-dir', path.join(root, 'tests/api/schema')], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
let text = '';
for (const s of [server.stdout, server.stderr]) s.on('data', (d) => { text += d; log.write(d); });
let port = null;
for (const end = Date.now() + 30000; !port && Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
	port = /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
if (!port) {
	server.kill('SIGKILL');
	stopPg();
	throw new Error(`e2e: the server did not start:\n${text.slice(-2000)}`);
}
console.log(`[e2e] server at http://127.0.0.1:${port} on ${db === 'pg' ? 'PostgreSQL' : 'SQLite'}, browser ${chromium}, screenshots in ${path.relative(root, out)}/`);

const files = fs.readdirSync(here).filter((f) => f.endsWith('.test.mjs') && only.some((o) => f.includes(o))).sort();
const tests = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files.map((f) => path.join(here, f))], {
	stdio: 'inherit',
	env: { ...process.env, E2E_BASE: `http://127.0.0.1:${port}`, E2E_ADMIN_PASSWORD: password, E2E_CHROMIUM: chromium, E2E_OUT: out },
});
const rc = await new Promise((resolve) => tests.on('exit', (code) => resolve(code ?? 1)));
if (server.exitCode === null && server.signalCode === null) {
	server.kill('SIGTERM');
	await new Promise((r) => server.on('exit', r));
}
stopPg();
log.end();
if (rc !== 0) console.log(`[e2e] FAILED; server log: ${path.join(tmp, 'server.log')}`);
else fs.rmSync(tmp, { recursive: true, force: true });
process.exit(rc);
