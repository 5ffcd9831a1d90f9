// Attachments on a record: upload by the drop area (a PNG and a PDF with Chinese names), previews,
// a new version and the list of versions, download with the Chinese name, delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage, api, base, launch, shot } from './lib.mjs';

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

// A 2×2 red PNG and a one-page PDF: small, and what libmagic recognises.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');
const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

test('attach files to a customer, preview one, add a version, download it, delete it', async () => {
	const c = await api('POST', '/api/v1/customers', { name: '惠州双月湾游艇会' });
	const page = await adminPage(browser, { acceptDownloads: true });
	await page.goto(`${base}/e/customers/${c.id}`);
	await page.getByRole('tab', { name: '附件' }).click();
	await page.locator('.files .drop').waitFor();
	await page.setInputFiles('.files .drop input[type=file]', [
		{ name: '泊位照片.png', mimeType: 'image/png', buffer: png },
		{ name: '游艇买卖合同.pdf', mimeType: 'application/pdf', buffer: pdf },
	]);
	await page.locator('.files .list .el-table__row', { hasText: '游艇买卖合同.pdf' }).waitFor();
	await page.locator('.files .list .el-table__row', { hasText: '泊位照片.png' }).waitFor();
	const listed = await api('GET', `/api/v1/customers/${c.id}/files`);
	assert.deepEqual(listed.data.map((f) => f.name).sort(), ['泊位照片.png', '游艇买卖合同.pdf'].sort());

	// The image previews in the page.
	await page.getByRole('button', { name: '预览 泊位照片.png' }).click();
	await page.waitForFunction(() => document.querySelector('.el-dialog img')?.naturalWidth === 2);
	await shot(page, 'record-file-preview');
	await page.keyboard.press('Escape');
	// The PDF opens in a frame of the page: served inline, as a PDF.
	const [framed] = await Promise.all([
		page.waitForResponse((r) => /\/api\/v1\/files\/\d+\?inline=true$/.test(r.url())),
		page.getByRole('button', { name: '预览 游艇买卖合同.pdf' }).click(),
	]);
	assert.equal(framed.status(), 200);
	assert.equal(framed.headers()['content-type'], 'application/pdf');
	assert.match(framed.headers()['content-disposition'], /^inline/);
	await page.keyboard.press('Escape');

	// A second version of the contract.
	await page.setInputFiles('.files .list .el-table__row:has-text("游艇买卖合同.pdf") input[type=file]', { name: '游艇买卖合同.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([pdf, Buffer.from('% v2\n')]) });
	await page.locator('.files .list .el-tag', { hasText: 'v2' }).waitFor();
	await page.getByRole('button', { name: '游艇买卖合同.pdf 的各版本' }).click();
	await page.locator('.el-dialog .el-table__row').nth(1).waitFor();
	assert.equal(await page.locator('.el-dialog:visible .el-table__row').count(), 2);
	await shot(page, 'record-file-versions');
	await page.keyboard.press('Escape');

	// Downloading keeps the Chinese name.
	const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.files .list a', { hasText: '泊位照片.png' }).click()]);
	assert.equal(download.suggestedFilename(), '泊位照片.png');
	await shot(page, 'record-files');

	await page.getByRole('button', { name: '删除 泊位照片.png' }).click();
	await page.locator('.el-message-box').getByRole('button', { name: /确定|OK/ }).click();
	await page.locator('.files .list .el-table__row', { hasText: '泊位照片.png' }).waitFor({ state: 'hidden' });
	assert.deepEqual((await api('GET', `/api/v1/customers/${c.id}/files`)).data.map((f) => f.name), ['游艇买卖合同.pdf']);
	// The record's history tells of each attachment.
	await page.getByRole('tab', { name: '修改记录' }).click();
	await page.locator('.el-timeline-item', { hasText: '删除附件 · 泊位照片.png' }).waitFor();
	assert.equal(await page.locator('.el-timeline-item', { hasText: '上传附件' }).count(), 3, 'two files and a second version');
	await page.close();
});
