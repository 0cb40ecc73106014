// End-to-end test of the cpsf web UI in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// log in, upload an SBOM, see its findings, triage one, search a component, switch the language, log out.
// Environment: CPSF_URL (a running `cpsf serve`), CPSF_USER / CPSF_PASSWORD (an editor), CPSF_SBOM (a file whose
// components have findings), CPSF_SCREENSHOT (optional PNG path). Exits non-zero with a message on the first failure.
import { chromium } from 'playwright-core';

const url = process.env.CPSF_URL;
const user = process.env.CPSF_USER;
const password = process.env.CPSF_PASSWORD;
const sbom = process.env.CPSF_SBOM;
if (!url || !user || !password || !sbom) {
  console.error('ui.mjs: set CPSF_URL, CPSF_USER, CPSF_PASSWORD and CPSF_SBOM');
  process.exit(2);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  // Nothing may be fetched from anywhere but the server.
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(url)) outside.push(r.url()); });

  await page.goto(`${url}/`);
  check(page.url().endsWith('/login'), `expected the login page, got ${page.url()}`);
  // By keyboard: labels lead to the fields.
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${url}/`);
  check(await page.getByRole('heading', { name: 'Dashboard' }).isVisible(), 'the dashboard after login');

  await page.getByRole('link', { name: 'Upload SBOM' }).click();
  await page.getByLabel('Product').fill('webshop');
  await page.getByLabel('Version').fill('1.0');
  await page.getByLabel(/SBOM file/).setInputFiles(sbom);
  await page.getByRole('button', { name: 'Upload' }).click();
  const status = await page.getByRole('status').textContent();
  check(/webshop 1\.0: \d+ components, [1-9]\d* new findings/.test(status), `upload result: ${status}`);

  await page.getByRole('link', { name: 'Vulnerabilities' }).click();
  const first = page.locator('table tbody tr th a').first();
  const id = await first.textContent();
  await first.click();
  await page.getByLabel('Analysis state').selectOption('not_affected');
  await page.getByLabel('Justification').selectOption('code_not_reachable');
  await page.getByLabel('Detail').fill('reviewed in the browser test');
  await page.getByRole('button', { name: 'Save analysis' }).click();
  check((await page.getByRole('status').textContent()).includes('Saved'), 'triage saved');
  check((await page.locator('ol.history').textContent()).includes('reviewed in the browser test'), 'history shows the triage');

  await page.getByRole('link', { name: 'Component search' }).click();
  await page.getByLabel('Name or purl').fill('lodash');
  await page.getByRole('button', { name: 'Search' }).click();
  check((await page.getByRole('status').textContent()).startsWith('1 hits'), 'search finds the component');

  await page.getByRole('link', { name: '日本語' }).click();
  check(await page.getByRole('link', { name: '製品' }).isVisible(), 'the navigation in Japanese');
  check((await page.locator('html').getAttribute('lang')) === 'ja', 'the page says it is Japanese');
  await page.getByRole('link', { name: '製品' }).click();
  check(await page.getByRole('cell', { name: '1.0' }).or(page.getByRole('link', { name: '1.0' })).first().isVisible(), 'the product list');

  if (process.env.CPSF_SCREENSHOT) await page.screenshot({ path: process.env.CPSF_SCREENSHOT, fullPage: true });
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForURL(`${url}/login`);
  check(outside.length === 0, `requests outside the server: ${outside.join(', ')}`);
  console.log(`ui.mjs: ok (triaged ${id.trim()})`);
} catch (e) {
  console.error(`ui.mjs: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
