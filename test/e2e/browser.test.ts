/**
 * The example API's Swagger UI in a real browser: headless Chromium (Debian's `chromium` package)
 * driven by playwright-core opens /docs, creates a user with "Try it out", and the user is then
 * read back through Terrapin on the same database. SQLite only: this proves the UI works; the
 * backends are covered by api.test.ts.
 *
 * Without /usr/bin/chromium the test fails in CI (TERRAPIN_REQUIRE_ALL_BACKENDS=1), as an
 * unreachable database does there, and is skipped with one line of explanation elsewhere.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { User } from '../../examples/app/models.js';
import { forEachBackendApp } from './support.js';

const SUITE = 'e2e_browser';
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIMEOUT = 20_000;

const required = process.env.TERRAPIN_REQUIRE_ALL_BACKENDS === '1';
const missing = existsSync(CHROMIUM) ? undefined : `Chromium is missing at ${CHROMIUM} (install it with: apt-get install -y chromium)`;
if (missing !== undefined && !required) console.log(`skipping the browser test: ${missing}`);

forEachBackendApp(
  SUITE,
  (app) => {
    it('creates a user from Swagger UI: POST /users, Try it out, Execute', { timeout: 60_000, ...(missing !== undefined && !required ? { skip: missing } : {}) }, async () => {
      if (missing !== undefined) assert.fail(`${missing}; the browser test is required in CI (TERRAPIN_REQUIRE_ALL_BACKENDS=1)`);
      const name = `Browser user ${Date.now()}`;
      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: TIMEOUT });
        const page = await browser.newPage();
        page.setDefaultTimeout(TIMEOUT);
        // Only the app is reachable: Swagger UI must not fetch anything from the network.
        await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
        const pageErrors: string[] = [];
        page.on('pageerror', (error) => pageErrors.push(error.message));

        await page.goto(`${app.base}/docs`);
        const operation = page.locator('.opblock-post').filter({ has: page.locator('.opblock-summary-path', { hasText: /^\/users$/ }) });
        await operation.locator('.opblock-summary').first().click();
        await operation.getByRole('button', { name: 'Try it out' }).click();
        const body = operation.locator('textarea.body-param__text');
        await body.fill(JSON.stringify({ name }));
        const response = page.waitForResponse((r) => r.url() === `${app.base}/users` && r.request().method() === 'POST');
        await operation.getByRole('button', { name: 'Execute' }).click();
        assert.equal((await response).status(), 201);

        // The UI shows the live response: 201 and the created user.
        const live = operation.locator('.live-responses-table .response').first();
        await live.locator('.response-col_status', { hasText: '201' }).waitFor();
        assert.match(await live.locator('.response-col_description').innerText(), new RegExp(name));
        assert.deepEqual(pageErrors, []);
      } finally {
        await browser?.close();
      }

      // Through Terrapin on the app's database: the row was committed.
      const users = await User.filter({ name });
      assert.equal(users.length, 1, `the user '${name}' created from the browser should exist`);
      assert.ok(users[0]!.createdAt instanceof Date);
    });
  },
  ['sqlite'],
);
