// What every end-to-end test file needs: the server's address, the administrator's API session
// for setting things up, a browser, a signed-in page and screenshots.
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const base = process.env.E2E_BASE;
export const adminPassword = process.env.E2E_ADMIN_PASSWORD;
const out = process.env.E2E_OUT;
let csrf, cookie;

/* The API as the administrator, for setting things up and checking what the pages did. */
export async function api(method, p, body) {
	if (!cookie) {
		const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: adminPassword }) });
		cookie = res.headers.get('set-cookie').split(';')[0];
		csrf = (await res.json()).csrf_token;
	}
	const res = await fetch(base + p, {
		method,
		headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = res.status === 204 ? null : await res.json();
	assert.ok(res.ok, `${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
	return json;
}

/* The API as another user (what they create is theirs): a function like api. */
export async function apiAs(username, password) {
	const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
	const cookie = res.headers.get('set-cookie').split(';')[0];
	const csrf = (await res.json()).csrf_token;
	return async (method, p, body) => {
		const r = await fetch(base + p, { method, headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf }, body: body && JSON.stringify(body) });
		const text = await r.text();
		assert.ok(r.ok, `${method} ${p} → ${r.status} ${text}`);
		return text ? JSON.parse(text) : null;
	};
}

export const launch = () => chromium.launch({ executablePath: process.env.E2E_CHROMIUM, args: ['--no-sandbox'] });

export const shot = (page, name) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

/* Opens the app, which sends the browser to the login, and signs in. */
export async function logIn(page, username, password) {
	await page.goto(`${base}/`);
	await page.waitForURL(/\/login/);
	await page.fill('#username', username);
	await page.fill('#password', password);
	await page.click('button[type=submit]');
}

/* A new page signed in as username, on the workbench (Chinese unless options say otherwise). */
export async function userPage(browser, username, password, options = {}) {
	const page = await browser.newPage({ locale: 'zh-CN', ...options });
	await logIn(page, username, password);
	await page.waitForURL(`${base}/`);
	return page;
}

/* A score card's (ScoreCard.vue) explanation: closed until asked for, then open; its list. */
export async function openScoreHow(card) {
	const how = card.getByRole('button', { name: '如何计算' });
	assert.equal(await how.getAttribute('aria-expanded'), 'false');
	assert.equal(await card.locator('.how-list').isVisible(), false, 'the explanation waits to be asked for');
	await how.click();
	const list = card.locator('.how-list');
	await list.waitFor();
	return list;
}

/* A new page signed in as the administrator, on the workbench. */
export const adminPage = (browser, options = {}) => userPage(browser, 'admin', adminPassword, options);

/*
 * Open an administration page from the sidebar's 设置 menu by its label, and wait for its
 * address. The submenu opens with an animation while the one before it closes, so a click can
 * land while the items still move and open nothing: then the menu is opened if it closed and
 * the item clicked again, up to three times; a menu that never leads there still fails.
 */
export async function openSettings(page, label, url) {
	const menu = page.locator('.el-sub-menu', { hasText: '设置' }).first();
	const item = page.locator('.el-menu-item', { hasText: label });
	for (let attempt = 1; ; attempt++) {
		if (!(await item.isVisible())) await menu.click();
		await item.click();
		try {
			await page.waitForURL(url, { timeout: 5000 });
			return;
		} catch (e) {
			if (attempt === 3) throw e;
		}
	}
}

/* The visible controls of the page that have no accessible name (a label, aria-label, text). */
export function unlabelled(page) {
	return page.evaluate(() => [...document.querySelectorAll('input, textarea, select, button, [role=combobox], [role=button]')]
		.filter((el) => {
			if (el.type === 'hidden' || el.offsetParent === null) return false;
			const labelled = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title') || el.labels?.length;
			return !labelled && !el.textContent.trim();
		})
		.map((el) => el.outerHTML.slice(0, 200)));
}

/* A whole text as a pattern: "阶段" but not "阶段与预测". */
export const exact = (s) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

/* Open an Element Plus select (by the id of its input, or a locator of the select or its input)
 * and choose the option whose whole text is text, looked up in that select's own list
 * (aria-controls), not in another one still fading out. A click while the page is still
 * settling may be lost: click until the list is open. */
export async function choose(page, select, text) {
	const box = typeof select === 'string' ? page.locator(`.el-select:has(#${select})`).first() : select;
	const inner = box.locator('input[role=combobox]');
	const input = (await inner.count()) ? inner.first() : box;
	for (let i = 0; i < 5 && (await input.getAttribute('aria-expanded')) !== 'true'; i++) {
		await box.click();
		await page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await input.elementHandle(), { timeout: 2000 }).catch(() => undefined);
	}
	const list = await input.getAttribute('aria-controls');
	await page.locator(`[id="${list}"] .el-select-dropdown__item:visible`, { hasText: exact(text) }).first().click();
}
