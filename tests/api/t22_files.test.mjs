// Files attached to records: raw and multipart uploads, the content checked against the declared
// type, downloads (ranges, ETag, a disposition that keeps Chinese names, previews only for
// pictures and PDF), versions, delete, the owning record's access and history, the size limit,
// and keeping files in a folder (a second node started with --file-limit and --file-dir).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { env, loginAdmin, marker, rawRequest, request, startServer, expectStatus, expectProblem, Client, newUser } from './lib.mjs';

const M = marker('t22');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin;
const u = {}; // name → {id, client}

const user = async (name, roles) => (u[name] = await newUser(admin, { name, mark: M, password, roles }));

before(async () => {
	admin = await loginAdmin();
	await user('seller', ['salesperson']); // reads and changes own records only
	await user('peer', ['salesperson']);
	await user('visitor', ['return_visit']); // reads every record, changes none
});

/* ---- content ---- */

// A 1×1 PNG, a small PDF, an ELF header, a Windows program's header.
const PNG = Buffer.from(
	'89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478' + '9c63f80f00000101000518d84e0000000049454e44ae426082',
	'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const ELF = Buffer.concat([Buffer.from('7f454c4602010100000000000000000003003e00010000000000000000000000', 'hex'), Buffer.alloc(200)]);
function windowsProgram() {
	const b = Buffer.alloc(512);
	b.write('MZ', 0, 'latin1');
	b.writeUInt32LE(0x80, 0x3c);
	b.write('PE\0\0', 0x80, 'latin1');
	b.writeUInt16LE(0x14c, 0x84); // i386
	b.writeUInt16LE(1, 0x86);
	b.writeUInt16LE(0xe0, 0x94);
	b.writeUInt16LE(0x102, 0x96); // an executable
	b.writeUInt16LE(0x10b, 0x98); // PE32
	b.writeUInt16LE(2, 0x98 + 68); // a GUI program
	return b;
}
const HTML = Buffer.from('<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>');
const SVG_SCRIPT = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
const SVG_HANDLER = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1" onload="alert(1)"/></svg>');
const SVG_PLAIN = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>');

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/* A raw upload: the body is the file. */
function upload(client, target, body, { type = 'application/octet-stream', name, query = {}, headers = {}, base } = {}) {
	const q = new URLSearchParams(query);
	if (name !== undefined) q.set('name', name);
	const qs = q.toString();
	return client.req('POST', `${target}${qs ? `?${qs}` : ''}`, { body, headers: { 'Content-Type': type, ...headers }, base });
}

/* A multipart form with the file as its part "file" (and any other parts). */
function uploadForm(client, target, body, { type, filename, extra = {}, query = '' } = {}) {
	const form = new FormData();
	form.append('file', new Blob([body], type ? { type } : {}), filename);
	for (const [k, v] of Object.entries(extra)) form.append(k, v);
	return client.req('POST', `${target}${query}`, { body: form });
}

async function customer(client, name) {
	return client.create('customers', { name: `${name} ${M}`, superior_authority: M });
}

const files = (client, rec) => client.getJson(`/api/v1/customers/${rec.id}/files`);
const history = async (client, rec) => (await client.getJson(`/api/v1/customers/${rec.id}/history?limit=200`)).data;

/* ---- upload and download ---- */

test('a raw PNG and a multipart PDF with a Chinese name: stored with their SHA-256, listed, downloaded byte for byte', async () => {
	const rec = await customer(admin, '附件');
	const png = await upload(admin, `/api/v1/customers/${rec.id}/files`, PNG, { type: 'image/png', name: '游艇照片.png' });
	expectStatus(png, 201);
	assert.equal(png.headers.get('location'), `/api/v1/files/${png.json.id}`);
	assert.deepEqual(
		{ ...png.json, created_at: undefined },
		{
			id: png.json.id,
			document_id: png.json.id,
			name: '游艇照片.png',
			content_type: 'image/png',
			size: PNG.length,
			sha256: sha256(PNG),
			version: 1,
			versions: 1,
			previewable: true,
			created_by: admin.user.id,
			created_by_name: admin.user.display_name ?? null,
			created_at: undefined,
		},
	);
	assert.ok(!Number.isNaN(Date.parse(png.json.created_at)));

	const pdf = await uploadForm(admin, `/api/v1/customers/${rec.id}/files`, PDF, { type: 'application/pdf', filename: '合同 2026.pdf' });
	expectStatus(pdf, 201);
	assert.equal(pdf.json.name, '合同 2026.pdf');
	assert.equal(pdf.json.content_type, 'application/pdf');
	assert.equal(pdf.json.size, PDF.length);
	assert.equal(pdf.json.sha256, sha256(PDF));

	const list = await files(admin, rec);
	assert.deepEqual(list.data.map((f) => f.id), [pdf.json.id, png.json.id], 'newest first');
	assert.deepEqual(list.data[0], pdf.json);

	const got = await admin.get(`/api/v1/files/${pdf.json.id}`);
	expectStatus(got, 200);
	assert.deepEqual(got.bytes, PDF);
	assert.equal(got.headers.get('content-type'), 'application/pdf');
	assert.equal(got.headers.get('content-length'), String(PDF.length));
	assert.equal(got.headers.get('content-disposition'), `attachment; filename="__ 2026.pdf"; filename*=UTF-8''%E5%90%88%E5%90%8C%202026.pdf`);
	assert.equal(got.headers.get('etag'), `"${sha256(PDF)}"`);
	assert.equal(got.headers.get('accept-ranges'), 'bytes');
	assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
	assert.match(got.headers.get('content-security-policy'), /(^|; )sandbox(;|$)/);
	assert.match(got.headers.get('content-security-policy'), /default-src 'none'/);
	assert.equal(got.headers.get('x-frame-options'), 'DENY');
	// The name a browser would save it under, decoded from filename*.
	const star = /filename\*=UTF-8''([^;]+)/.exec(got.headers.get('content-disposition'))[1];
	assert.equal(decodeURIComponent(star), '合同 2026.pdf');
	const img = await admin.get(`/api/v1/files/${png.json.id}`);
	assert.deepEqual(img.bytes, PNG);

	// HEAD tells the same without the body.
	const head = await admin.req('HEAD', `/api/v1/files/${png.json.id}`);
	expectStatus(head, 200);
	assert.equal(head.bytes.length, 0);
	assert.equal(head.headers.get('etag'), `"${sha256(PNG)}"`);
});

test('a raw upload takes its name from Content-Disposition (filename* before filename), and a name is required', async () => {
	const rec = await customer(admin, '文件名');
	const target = `/api/v1/customers/${rec.id}/files`;
	const star = await upload(admin, target, PDF, {
		type: 'application/pdf',
		headers: { 'Content-Disposition': `attachment; filename="fallback.pdf"; filename*=UTF-8''${encodeURIComponent('报价单（终版）.pdf')}` },
	});
	expectStatus(star, 201);
	assert.equal(star.json.name, '报价单（终版）.pdf');
	const plain = await upload(admin, target, PDF, { type: 'application/pdf', headers: { 'Content-Disposition': 'attachment; filename="quote \\"final\\".pdf"' } });
	expectStatus(plain, 201);
	assert.equal(plain.json.name, 'quote "final".pdf');
	const got = await admin.get(`/api/v1/files/${plain.json.id}`);
	assert.equal(got.headers.get('content-disposition'), `attachment; filename="quote _final_.pdf"; filename*=UTF-8''quote%20%22final%22.pdf`);
	// A path a browser sends is cut to its last part; spaces around and trailing dots go.
	const pathy = await upload(admin, target, PDF, { type: 'application/pdf', name: 'C:\\Users\\张三\\桌面\\ 方案.pdf. ' });
	expectStatus(pathy, 201);
	assert.equal(pathy.json.name, '方案.pdf');

	const before = (await files(admin, rec)).data.length;
	expectProblem(await upload(admin, target, PDF, { type: 'application/pdf' }), 422, 'validation_failed', [['name', 'required']]);
	expectProblem(await upload(admin, target, PDF, { type: 'application/pdf', name: ' . ' }), 422, 'validation_failed', [['name', 'required']]);
	expectProblem(await upload(admin, target, PDF, { type: 'application/pdf', name: 'a\u0007b.pdf' }), 422, 'validation_failed', [['name', 'invalid_file_name']]);
	expectProblem(await upload(admin, target, PDF, { type: 'application/pdf', name: `${'名'.repeat(252)}.pdf` }), 422, 'validation_failed', [['name', 'too_long']]);
	expectProblem(await upload(admin, target, Buffer.alloc(0), { type: 'text/plain', name: 'empty.txt' }), 422, 'validation_failed', [['file', 'file_empty']]);
	expectProblem(await upload(admin, target, PDF, { type: 'application/pdf', name: 'x.pdf', query: { foo: '1' } }), 400, 'bad_request', [['foo', 'unknown_parameter']]);
	expectProblem(await upload(admin, target, PDF, { type: 'application/pdf', name: 'x.pdf', query: { replaces: 'abc' } }), 400, 'bad_request', [['replaces', 'invalid_id']]);
	assert.equal((await files(admin, rec)).data.length, before, 'nothing kept');
});

test('multipart: the one part "file" with its name and type; other parts, none or two, and a broken form are refused', async () => {
	const rec = await customer(admin, '表单');
	const target = `/api/v1/customers/${rec.id}/files`;
	const ok = await uploadForm(admin, target, PNG, { type: 'image/png', filename: '船.png' });
	expectStatus(ok, 201);
	assert.equal(ok.json.name, '船.png');
	// ?name= renames what the form calls it.
	const renamed = await uploadForm(admin, target, PNG, { type: 'image/png', filename: 'IMG_0001.png', query: `?name=${encodeURIComponent('船头.png')}` });
	expectStatus(renamed, 201);
	assert.equal(renamed.json.name, '船头.png');
	// No type in the part: the content says what it is.
	const untyped = await uploadForm(admin, target, PDF, { filename: 'x.pdf' });
	expectStatus(untyped, 201);
	assert.equal(untyped.json.content_type, 'application/pdf');

	const before = (await files(admin, rec)).data.length;
	expectProblem(await uploadForm(admin, target, PNG, { type: 'image/png', filename: 'a.png', extra: { note: 'x' } }), 400, 'bad_request', [['note', 'unknown_field']]);
	const none = new FormData();
	none.append('other', 'x');
	expectProblem(await admin.req('POST', target, { body: none }), 400, 'bad_request', [['other', 'unknown_field']]);
	const empty = new FormData();
	expectProblem(await admin.req('POST', target, { body: empty }), 400, 'bad_request', [['file', 'required']]);
	const two = new FormData();
	two.append('file', new Blob([PNG], { type: 'image/png' }), 'a.png');
	two.append('file', new Blob([PNG], { type: 'image/png' }), 'b.png');
	expectProblem(await admin.req('POST', target, { body: two }), 400, 'bad_request', [['file', 'duplicate_parameter']]);
	const broken = await admin.req('POST', target, {
		body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n' + 'unfinished',
		headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ' },
	});
	expectProblem(broken, 400, 'bad_request', [['body', 'invalid_multipart']]);
	assert.equal((await files(admin, rec)).data.length, before, 'nothing kept');
});

/* ---- what may be uploaded ---- */

test('content that contradicts its declared type is 415 content_type_mismatch; programs, HTML and SVG with script are refused', async () => {
	const rec = await customer(admin, '类型');
	const target = `/api/v1/customers/${rec.id}/files`;
	const trailBefore = (await history(admin, rec)).length;
	let p = expectProblem(await upload(admin, target, ELF, { type: 'image/png', name: 'photo.png' }), 415, 'content_type_mismatch', [['file', 'content_type_mismatch']]);
	assert.equal(p.declared, 'image/png');
	assert.match(p.detected, /^application\/x-(pie-)?(executable|sharedlib)$/);
	p = expectProblem(await upload(admin, target, windowsProgram(), { type: 'image/png', name: 'photo.png' }), 415, 'content_type_mismatch', ['file']);
	assert.match(p.detected, /portable-executable|dosexec/);
	p = expectProblem(await upload(admin, target, HTML, { type: 'image/png', name: 'photo.png' }), 415, 'content_type_mismatch', ['file']);
	assert.equal(p.detected, 'text/html');
	expectProblem(await upload(admin, target, PNG, { type: 'application/pdf', name: 'a.pdf' }), 415, 'content_type_mismatch', ['file']);
	expectProblem(await uploadForm(admin, target, ELF, { type: 'image/jpeg', filename: 'a.jpg' }), 415, 'content_type_mismatch', ['file']);
	// Refused whatever is declared.
	expectProblem(await upload(admin, target, windowsProgram(), { name: 'setup.bin' }), 415, 'file_type_refused', [['file', 'file_type_refused']]);
	expectProblem(await upload(admin, target, ELF, { name: 'tool' }), 415, 'file_type_refused', ['file']);
	expectProblem(await upload(admin, target, HTML, { type: 'text/html', name: 'page.txt' }), 415, 'file_type_refused', ['file']);
	expectProblem(await upload(admin, target, Buffer.from('hello'), { type: 'text/html', name: 'page.txt' }), 415, 'file_type_refused', ['file']);
	expectProblem(await upload(admin, target, Buffer.from('#!/bin/sh\nrm -rf /\n'), { type: 'text/plain', name: 'run.txt' }), 415, 'file_type_refused', ['file']);
	expectProblem(await upload(admin, target, SVG_SCRIPT, { type: 'image/svg+xml', name: 'logo.svg' }), 415, 'file_type_refused', ['file']);
	expectProblem(await upload(admin, target, SVG_HANDLER, { type: 'image/svg+xml', name: 'logo.svg' }), 415, 'file_type_refused', ['file']);
	// Names Windows runs when opened, whatever they hold.
	p = expectProblem(await upload(admin, target, Buffer.from('echo hi'), { type: 'text/plain', name: 'notes.bat' }), 415, 'file_type_refused', [['name', 'file_type_refused']]);
	expectProblem(await upload(admin, target, Buffer.from('hi'), { type: 'text/plain', name: 'a.pdf.exe. ' }), 415, 'file_type_refused', ['name']);
	expectProblem(await upload(admin, target, Buffer.from('<p>hi</p>'), { type: 'text/plain', name: 'page.HTML' }), 415, 'file_type_refused', ['name']);
	assert.equal((await files(admin, rec)).data.length, 0, 'nothing kept');
	assert.equal((await history(admin, rec)).length, trailBefore, 'nothing audited');

	// What is accepted keeps the type found in it, refined by a declared one where that only
	// says more (a CSV is plain text to libmagic).
	const csv = await upload(admin, target, Buffer.from('name,phone\n海韵游艇,13800001111\n'), { type: 'text/csv', name: '客户.csv' });
	expectStatus(csv, 201);
	assert.equal(csv.json.content_type, 'text/csv');
	const winCsv = await upload(admin, target, Buffer.from('a,b\n1,2\n'), { type: 'application/vnd.ms-excel', name: 'b.csv' });
	expectStatus(winCsv, 201);
	const pngAsJpeg = await upload(admin, target, PNG, { type: 'image/jpeg', name: 'p.jpg' });
	expectStatus(pngAsJpeg, 201);
	assert.equal(pngAsJpeg.json.content_type, 'image/png', 'the type found is kept');
	const generic = await upload(admin, target, PDF, { name: 'scan.pdf' });
	expectStatus(generic, 201);
	assert.equal(generic.json.content_type, 'application/pdf');
	const svg = await upload(admin, target, SVG_PLAIN, { type: 'image/svg+xml', name: 'logo.svg' });
	expectStatus(svg, 201);
	assert.equal(svg.json.previewable, false, 'SVG is never shown in the browser');
	const shown = await admin.get(`/api/v1/files/${svg.json.id}?inline=true`);
	expectStatus(shown, 200);
	assert.match(shown.headers.get('content-disposition'), /^attachment;/);
});

test('?inline=true shows pictures and PDF in the browser (framed by our pages only); everything else stays an attachment', async () => {
	const rec = await customer(admin, '预览');
	const target = `/api/v1/customers/${rec.id}/files`;
	const png = (await upload(admin, target, PNG, { type: 'image/png', name: '图.png' })).json;
	const pdf = (await upload(admin, target, PDF, { type: 'application/pdf', name: '图纸.pdf' })).json;
	const txt = (await upload(admin, target, Buffer.from('纯文本'), { type: 'text/plain', name: '说明.txt' })).json;
	let res = await admin.get(`/api/v1/files/${png.id}?inline=true`);
	expectStatus(res, 200);
	assert.equal(res.headers.get('content-disposition'), `inline; filename="_.png"; filename*=UTF-8''%E5%9B%BE.png`);
	assert.match(res.headers.get('content-security-policy'), /sandbox/);
	assert.match(res.headers.get('content-security-policy'), /frame-ancestors 'self'/);
	assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
	res = await admin.get(`/api/v1/files/${pdf.id}?inline=true`);
	assert.match(res.headers.get('content-disposition'), /^inline;/);
	assert.match(res.headers.get('content-security-policy'), /default-src 'none'/);
	res = await admin.get(`/api/v1/files/${txt.id}?inline=true`);
	assert.match(res.headers.get('content-disposition'), /^attachment;/);
	assert.match(res.headers.get('content-security-policy'), /sandbox/);
	assert.equal(res.headers.get('x-frame-options'), 'DENY');
	res = await admin.get(`/api/v1/files/${png.id}?inline=false`);
	assert.match(res.headers.get('content-disposition'), /^attachment;/);
	expectProblem(await admin.get(`/api/v1/files/${png.id}?inline=yes`), 400, 'bad_request', [['inline', 'invalid_bool']]);
	expectProblem(await admin.get(`/api/v1/files/${png.id}?version=1`), 400, 'bad_request', [['version', 'unknown_parameter']]);
});

/* ---- ranges and caching ---- */

test('Range: the first bytes, a suffix, an open end, across chunks; unsatisfiable is 416; several ranges or a stale If-Range get the whole file', async () => {
	const rec = await customer(admin, '分段');
	// 700 KiB of text: three chunks of 256 KiB in the database.
	const big = Buffer.alloc(700 * 1024);
	for (let i = 0; i < big.length; i++) big[i] = 97 + (i % 26);
	const f = (await upload(admin, `/api/v1/customers/${rec.id}/files`, big, { type: 'text/plain', name: 'big.txt' })).json;
	assert.equal(f.sha256, sha256(big));
	const get = (range, headers = {}) => admin.get(`/api/v1/files/${f.id}`, { headers: { Range: range, ...headers } });
	let res = await get('bytes=0-9');
	expectStatus(res, 206);
	assert.equal(res.headers.get('content-range'), `bytes 0-9/${big.length}`);
	assert.deepEqual(res.bytes, big.subarray(0, 10));
	res = await get('bytes=-100');
	expectStatus(res, 206);
	assert.equal(res.headers.get('content-range'), `bytes ${big.length - 100}-${big.length - 1}/${big.length}`);
	assert.deepEqual(res.bytes, big.subarray(big.length - 100));
	res = await get('bytes=262140-262150'); // across the first chunk's end
	expectStatus(res, 206);
	assert.deepEqual(res.bytes, big.subarray(262140, 262151));
	res = await get(`bytes=500000-`);
	expectStatus(res, 206);
	assert.deepEqual(res.bytes, big.subarray(500000));
	res = await get(`bytes=700000-99999999`);
	assert.equal(res.headers.get('content-range'), `bytes 700000-${big.length - 1}/${big.length}`);
	res = await get('bytes=-99999999');
	expectStatus(res, 206);
	assert.equal(res.bytes.length, big.length);

	for (const bad of [`bytes=${big.length}-`, `bytes=${big.length + 10}-${big.length + 20}`, 'bytes=-0']) {
		res = await get(bad);
		expectProblem(res, 416, 'range_not_satisfiable', [['Range', 'range_not_satisfiable']]);
		assert.equal(res.headers.get('content-range'), `bytes */${big.length}`);
	}
	// Answered in full: several ranges, what cannot be read, another version named by If-Range.
	for (const [range, headers] of [['bytes=0-1,5-6', {}], ['bytes=5-1', {}], ['items=0-1', {}], ['bytes=0-1', { 'If-Range': '"0000"' }]]) {
		res = await get(range, headers);
		expectStatus(res, 200);
		assert.equal(res.bytes.length, big.length, `${range} ${JSON.stringify(headers)}`);
	}
	res = await get('bytes=0-1', { 'If-Range': `"${f.sha256}"` });
	expectStatus(res, 206);

	// The whole file, streamed a chunk at a time, is whole.
	res = await admin.get(`/api/v1/files/${f.id}`);
	assert.equal(sha256(res.bytes), f.sha256);

	// If-None-Match with the ETag: 304 without a body.
	res = await admin.get(`/api/v1/files/${f.id}`, { headers: { 'If-None-Match': `"${f.sha256}"` } });
	expectStatus(res, 304);
	assert.equal(res.bytes.length, 0);
	assert.equal(res.headers.get('etag'), `"${f.sha256}"`);
	res = await admin.get(`/api/v1/files/${f.id}`, { headers: { 'If-None-Match': `"abc", W/"${f.sha256}"` } });
	expectStatus(res, 304);
	res = await admin.get(`/api/v1/files/${f.id}`, { headers: { 'If-None-Match': '"abc"' } });
	expectStatus(res, 200);
});

/* ---- access ---- */

test('access is the record\'s: readers list and download, only those who may change it upload and delete; others get 404', async () => {
	const seller = u.seller.client;
	const rec = await customer(seller, '权限');
	const target = `/api/v1/customers/${rec.id}/files`;
	const f = (await upload(seller, target, PNG, { type: 'image/png', name: '私有.png' })).json;
	const peer = u.peer.client;
	const visitor = u.visitor.client;

	// Cannot read the record: as if nothing were there.
	expectProblem(await peer.get(target), 404, 'not_found');
	expectProblem(await peer.get(`/api/v1/files/${f.id}`), 404, 'not_found');
	expectProblem(await peer.get(`/api/v1/files/${f.id}/versions`), 404, 'not_found');
	expectProblem(await upload(peer, target, PNG, { type: 'image/png', name: 'x.png' }), 404, 'not_found');
	expectProblem(await upload(peer, `/api/v1/files/${f.id}/versions`, PNG, { type: 'image/png' }), 404, 'not_found');
	expectProblem(await peer.del(`/api/v1/files/${f.id}`), 404, 'not_found');

	// May read, not change: lists and downloads; uploads and deletes are 403 with nothing kept.
	assert.deepEqual((await files(visitor, rec)).data.map((x) => x.id), [f.id]);
	const got = await visitor.get(`/api/v1/files/${f.id}`);
	expectStatus(got, 200);
	assert.deepEqual(got.bytes, PNG);
	expectProblem(await upload(visitor, target, PNG, { type: 'image/png', name: 'x.png' }), 403, 'forbidden');
	expectProblem(await upload(visitor, `/api/v1/files/${f.id}/versions`, PNG, { type: 'image/png' }), 403, 'forbidden');
	expectProblem(await visitor.del(`/api/v1/files/${f.id}`), 403, 'forbidden');
	assert.deepEqual((await files(seller, rec)).data.map((x) => [x.id, x.versions]), [[f.id, 1]], 'nothing changed');

	// Shared with the peer to read: downloads; to edit: uploads too.
	const share = await seller.post(`/api/v1/customers/${rec.id}/shares`, { user_id: u.peer.id, access: 'read' });
	expectStatus(share, 201);
	expectStatus(await peer.get(`/api/v1/files/${f.id}`), 200);
	expectProblem(await upload(peer, target, PNG, { type: 'image/png', name: 'x.png' }), 403, 'forbidden');
	expectStatus(await seller.del(`/api/v1/customers/${rec.id}/shares/${share.json.id}`), 204);
	expectStatus(await seller.post(`/api/v1/customers/${rec.id}/shares`, { user_id: u.peer.id, access: 'edit' }), 201);
	expectStatus(await upload(peer, target, PNG, { type: 'image/png', name: '同事.png' }), 201);

	// Without a login: 401; an unknown entity or record: 404.
	expectProblem(await request('GET', `/api/v1/files/${f.id}`), 401, 'unauthorized');
	expectProblem(await seller.get('/api/v1/nothings/1/files'), 404, 'not_found');
	expectProblem(await seller.get('/api/v1/customers/99999999/files'), 404, 'not_found');
	expectProblem(await seller.get('/api/v1/files/99999999'), 404, 'not_found');
	expectProblem(await seller.get('/api/v1/files/abc'), 404, 'not_found');
	// A deleted record takes its files with it (and brings them back when restored).
	expectStatus(await seller.del(`/api/v1/customers/${rec.id}`), 204);
	expectProblem(await seller.get(`/api/v1/files/${f.id}`), 404, 'not_found');
	expectProblem(await seller.get(target), 404, 'not_found');
	expectStatus(await admin.post(`/api/v1/customers/${rec.id}/restore`), 200);
	expectStatus(await seller.get(`/api/v1/files/${f.id}`), 200);
});

/* ---- versions, delete, history ---- */

test('versions: ?replaces= and POST …/versions add to one document; the list shows its latest with the count; each version downloads', async () => {
	const rec = await customer(admin, '版本');
	const target = `/api/v1/customers/${rec.id}/files`;
	const v1 = (await upload(admin, target, Buffer.from('第一版'), { type: 'text/plain', name: '合同.txt' })).json;
	const other = (await upload(admin, target, PNG, { type: 'image/png', name: '别的.png' })).json;
	const v2res = await upload(admin, target, Buffer.from('第二版'), { type: 'text/plain', name: '合同（修订）.txt', query: { replaces: String(v1.id) } });
	expectStatus(v2res, 201);
	const v2 = v2res.json;
	assert.equal(v2.document_id, v1.id);
	assert.equal(v2.version, 2);
	assert.equal(v2.versions, 2);
	// A new version through the file; without a name it keeps the document's.
	const v3res = await upload(admin, `/api/v1/files/${v1.id}/versions`, Buffer.from('第三版'), { type: 'text/plain' });
	expectStatus(v3res, 201);
	const v3 = v3res.json;
	assert.equal(v3.name, '合同（修订）.txt');
	assert.equal(v3.version, 3);
	assert.equal(v3.document_id, v1.id);

	const list = (await files(admin, rec)).data;
	assert.deepEqual(list.map((f) => [f.id, f.version, f.versions]), [[v3.id, 3, 3], [other.id, 1, 1]]);
	const versions = await admin.getJson(`/api/v1/files/${v2.id}/versions`);
	assert.deepEqual(versions.data.map((f) => [f.id, f.version, f.name]), [[v3.id, 3, '合同（修订）.txt'], [v2.id, 2, '合同（修订）.txt'], [v1.id, 1, '合同.txt']]);
	assert.equal((await admin.get(`/api/v1/files/${v1.id}`)).text, '第一版');
	assert.equal((await admin.get(`/api/v1/files/${v3.id}`)).text, '第三版');

	// Concurrent new versions each get their own number.
	const many = await Promise.all([1, 2, 3].map((i) => upload(admin, `/api/v1/files/${v1.id}/versions`, Buffer.from(`并发${i}`), { type: 'text/plain' })));
	for (const res of many) expectStatus(res, 201);
	assert.deepEqual(many.map((r) => r.json.version).sort(), [4, 5, 6]);

	// replaces must name a live file of this record.
	const elsewhere = await customer(admin, '别处');
	expectProblem(await upload(admin, `/api/v1/customers/${elsewhere.id}/files`, PNG, { type: 'image/png', name: 'x.png', query: { replaces: String(v1.id) } }), 422, 'validation_failed', [['replaces', 'reference_not_found']]);
	expectProblem(await upload(admin, target, PNG, { type: 'image/png', name: 'x.png', query: { replaces: '99999999' } }), 422, 'validation_failed', [['replaces', 'reference_not_found']]);
	expectProblem(await upload(admin, '/api/v1/files/99999999/versions', PNG, { type: 'image/png' }), 404, 'not_found');
});

test('delete: the whole document goes (every version), by those who may change the record; the history shows file_add and file_delete', async () => {
	const seller = u.seller.client;
	const rec = await customer(seller, '删除');
	const target = `/api/v1/customers/${rec.id}/files`;
	const v1 = (await upload(seller, target, PDF, { type: 'application/pdf', name: '标书.pdf' })).json;
	const v2 = (await upload(seller, `/api/v1/files/${v1.id}/versions`, PDF, { type: 'application/pdf', name: '标书v2.pdf' })).json;
	const keep = (await upload(seller, target, PNG, { type: 'image/png', name: '留.png' })).json;

	const h = await history(seller, rec);
	const adds = h.filter((e) => e.action === 'file_add');
	assert.equal(adds.length, 3, 'each upload is in the record\'s history');
	assert.deepEqual(adds.find((e) => e.changes.file_id === v2.id).changes, {
		file_id: v2.id,
		document_id: v1.id,
		name: '标书v2.pdf',
		content_type: 'application/pdf',
		size: PDF.length,
		sha256: sha256(PDF),
		version: 2,
	});
	assert.equal(adds[0].user_id, u.seller.id);
	assert.equal(adds[0].entity, 'customers');
	assert.equal(adds[0].record_id, rec.id);

	expectStatus(await seller.del(`/api/v1/files/${v1.id}`), 204);
	assert.deepEqual((await files(seller, rec)).data.map((f) => f.id), [keep.id]);
	for (const id of [v1.id, v2.id]) {
		expectProblem(await seller.get(`/api/v1/files/${id}`), 404, 'not_found');
		expectProblem(await seller.get(`/api/v1/files/${id}/versions`), 404, 'not_found');
		expectProblem(await seller.del(`/api/v1/files/${id}`), 404, 'not_found');
	}
	expectProblem(await upload(seller, target, PNG, { type: 'image/png', name: 'x.png', query: { replaces: String(v2.id) } }), 422, 'validation_failed', ['replaces']);
	const del = (await history(seller, rec)).filter((e) => e.action === 'file_delete');
	assert.equal(del.length, 1);
	assert.deepEqual(del[0].changes, { file_id: v1.id, document_id: v1.id, name: '标书.pdf', versions: 2 });
	// Administrators see the same in the trail, with where it came from.
	const trail = await admin.audit('customers', rec.id);
	assert.ok(trail.some((e) => e.action === 'file_delete' && e.ip === '127.0.0.1'));
	assert.ok(trail.filter((e) => e.action === 'file_add').length === 3);
});

/* ---- limits and the folder ---- */

test('a body over the default limit of 50 MiB is 413 naming the limit, streamed without a length', async () => {
	const rec = await customer(admin, '超限');
	const total = 50 * 1024 * 1024 + 1;
	let sent = 0;
	const block = Buffer.alloc(1024 * 1024, 0x61);
	const stream = new ReadableStream({
		pull(ctrl) {
			if (sent >= total) return ctrl.close();
			const n = Math.min(block.length, total - sent);
			sent += n;
			ctrl.enqueue(block.subarray(0, n));
		},
	});
	const res = await upload(admin, `/api/v1/customers/${rec.id}/files`, stream, { type: 'text/plain', name: 'big.txt' });
	const p = expectProblem(res, 413, 'body_too_large', [['file', 'body_too_large']]);
	assert.equal(p.limit, 52428800);
	assert.match(p.title, /52428800/);
	assert.equal((await files(admin, rec)).data.length, 0);
});

test('a node with --file-limit 1000 and --file-dir: the limit by length, streamed and in a form; content kept in the folder by SHA-256', async () => {
	const dir = path.join(env.tmp, `files-${env.db}`);
	const node = await startServer(['--file-limit', '1000', '--file-dir', dir], `files-${env.db}`);
	let stopped = false;
	try {
		const there = new Client(node.base);
		there.cookie = admin.cookie;
		there.csrf = admin.csrf;
		const rec = await customer(admin, '目录');
		const target = `/api/v1/customers/${rec.id}/files`;
		const over = Buffer.alloc(1001, 0x62);
		const exact = Buffer.alloc(1000, 0x63);
		// Announced by Content-Length, streamed without one, and as a form's part.
		let p = expectProblem(
			await rawRequest('POST', `${target}?name=a.txt`, {
				base: node.base,
				headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'text/plain', 'Content-Length': over.length },
				body: over,
			}),
			413,
			'body_too_large',
			[['file', 'body_too_large']],
		);
		assert.equal(p.limit, 1000);
		const chunks = [over.subarray(0, 500), over.subarray(500)];
		const stream = new ReadableStream({
			pull(ctrl) {
				if (chunks.length) ctrl.enqueue(chunks.shift());
				else ctrl.close();
			},
		});
		p = expectProblem(await upload(there, target, stream, { type: 'text/plain', name: 'a.txt' }), 413, 'body_too_large', ['file']);
		assert.equal(p.limit, 1000);
		p = expectProblem(await uploadForm(there, target, over, { type: 'text/plain', filename: 'a.txt' }), 413, 'body_too_large', ['file']);
		assert.equal(p.limit, 1000);
		assert.equal((await files(admin, rec)).data.length, 0);

		// At the limit: kept, in the folder under its SHA-256, not in a served place.
		const okRaw = await upload(there, target, exact, { type: 'text/plain', name: '正好.txt' });
		expectStatus(okRaw, 201);
		const h = sha256(exact);
		const kept = path.join(dir, h.slice(0, 2), h.slice(2, 4), h);
		assert.deepEqual(fs.readFileSync(kept), exact);
		assert.equal(fs.statSync(kept).mode & 0o077, 0, 'readable by the server only');
		const okForm = await uploadForm(there, target, exact, { type: 'text/plain', filename: '表单.txt' });
		expectStatus(okForm, 201);
		assert.equal(okForm.json.sha256, h, 'the same content is kept once');
		const png = (await upload(there, target, PNG, { type: 'image/png', name: '图.png' })).json;

		// Downloads from the folder: whole, ranges, ETag, the same headers.
		let res = await there.get(`/api/v1/files/${okRaw.json.id}`);
		expectStatus(res, 200);
		assert.deepEqual(res.bytes, exact);
		assert.match(res.headers.get('content-disposition'), /filename\*=UTF-8''%E6%AD%A3%E5%A5%BD\.txt/);
		assert.match(res.headers.get('content-security-policy'), /sandbox/);
		res = await there.get(`/api/v1/files/${png.id}`, { headers: { Range: 'bytes=1-3' } });
		expectStatus(res, 206);
		assert.deepEqual(res.bytes, PNG.subarray(1, 4));
		assert.equal(res.headers.get('content-range'), `bytes 1-3/${PNG.length}`);
		res = await there.get(`/api/v1/files/${png.id}`, { headers: { Range: 'bytes=-2' } });
		assert.deepEqual(res.bytes, PNG.subarray(PNG.length - 2));
		res = await there.get(`/api/v1/files/${png.id}`, { headers: { 'If-None-Match': `"${sha256(PNG)}"` } });
		expectStatus(res, 304);
		// A refused upload leaves nothing in the folder.
		expectProblem(await upload(there, target, ELF, { type: 'image/png', name: 'x.png' }), 415, 'content_type_mismatch');
		assert.ok(!fs.existsSync(path.join(dir, sha256(ELF).slice(0, 2), sha256(ELF).slice(2, 4), sha256(ELF))));
		assert.deepEqual(fs.readdirSync(path.join(dir, 'tmp')), [], 'no temporary files left');

		const code = await node.stop();
		stopped = true;
		assert.equal(code.code, 0, 'the node stops cleanly');
	} finally {
		if (!stopped) await node.stop();
	}
});
