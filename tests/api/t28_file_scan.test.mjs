// The virus-scan hook of uploads: a node started with --file-scan gives every upload to the
// scanner (a stand-in answering as ClamAV does, tests/api/fake_scanner.sh). A clean file is
// kept; the EICAR test file is refused with what the scanner found; a scanner that fails
// keeps nothing (503) — never a file kept unscanned. Versions are scanned too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client, env, marker, startServer, expectStatus, expectProblem } from './lib.mjs';

const M = marker('t28');
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
let node, admin;

before(async () => {
	const scanner = path.join(process.env.SEXTANT_TEST_ROOT, 'tests/api/fake_scanner.sh');
	node = await startServer(['--file-scan', `${scanner} --no-summary -`], 't28-scan');
	admin = new Client(node.base);
	await admin.login('admin', env.adminPassword);
});

after(async () => {
	const r = await node?.stop();
	assert.equal(r?.code, 0);
});

const upload = (task, body, name) =>
	admin.req('POST', `/api/v1/tasks/${task.id}/files?name=${encodeURIComponent(name)}`, { body, headers: { 'Content-Type': 'text/plain' } });

test('clean files are kept, infected ones refused with the finding, and a failed scan keeps nothing', async () => {
	const task = await admin.create('tasks', { subject: `scan ${M}`, status: 'open' });
	const ok = await upload(task, Buffer.from(`会议纪要 ${M}\n`), '纪要.txt');
	expectStatus(ok, 201);

	const bad = await upload(task, Buffer.from(EICAR), 'eicar.txt');
	const p = expectProblem(bad, 422, 'validation_failed', [['file', 'file_infected']]);
	assert.match(p.errors[0].message, /Eicar-Signature FOUND/);

	const broken = await upload(task, Buffer.from(`SCANNER-BREAKS ${M}`), 'x.txt');
	expectProblem(broken, 503, 'scan_failed');

	// A new version is scanned like a first upload.
	const v = await admin.req('POST', `/api/v1/files/${ok.json.id}/versions?name=v2.txt`, { body: Buffer.from(EICAR), headers: { 'Content-Type': 'text/plain' } });
	expectProblem(v, 422, 'validation_failed', [['file', 'file_infected']]);

	const list = await admin.getJson(`/api/v1/tasks/${task.id}/files`);
	assert.deepEqual(list.data.map((f) => f.name), ['纪要.txt']);
	assert.equal(list.data[0].version, 1);
});
